"""The playground: the shipped generators running in the page (book/_playground/playground/playground.js).

On a served build each widget waits until the reader comes near it, then loads the network with
onnxruntime-web and draws what PyTorch draws for the same vector (within 2/255 per pixel, against the
images `python -m gan export-onnx` stored: seeds, and the widget's own lerp, slerp, sums and moves
along the latent directions), redraws when a control moves by keyboard, names every control and
image for a screen reader, asks nothing of another host and logs no error. Opened from disk it keeps
the page's figures and says in one line how to serve the site. The page's forward-pass times and the
largest difference from PyTorch are printed at the end of the run (conftest.py: pytest_terminal_summary).
"""

from __future__ import annotations

import base64
import json
import statistics

import numpy as np
import pytest

from tests_browser.conftest import FORWARD_TIMES, SITE, PageVisit, open_page, unexpected

# page -> (widget, network): every playground the book has; a page that loses one fails.
PLAYGROUNDS = {
    "book/08_latent_space.html": ("walk", "mlp-gan"),
    "book/09_dcgan.html": ("gallery", "dcgan"),
    "book/12_conditional_gan.html": ("digit", "cgan"),
}
# The control each test moves by keyboard, the key, the canvas that must change, and what it must then
# show (a name the export's checks use, or a (seed, digit) of its references): the walk's slerp at
# t = 0.7, seed 0 one unit along the first direction, the digit 9 in style 0.
CONTROLS = {
    "walk": ("input[data-role=t]", "ArrowRight", "canvas[data-check^=slerp]", "slerp(2, 3, 0.70)"),
    "gallery": ("input[data-role=direction-1]", "ArrowRight", "canvas.gan-pg-large", "0 + (1.00, 0.00, 0.00) d"),
    "digit": ("select", "ArrowDown", "canvas.gan-pg-large", (0, 9)),
}
# What each widget shows at the start, compared with PyTorch: the walk's seeds and its own slerp and
# sums, the gallery's first seeds, the digit widget's style 0 with every digit.
AT_START = {
    "walk": {(2, None), (3, None), "slerp(2, 3, 0.50)", "2 + 3", "2 - 3", "3 - 2"},
    "gallery": {(s, None) for s in range(4)},
    "digit": {(0, d) for d in range(10)},
}
MAX_DIFFERENCE = 2  # grey levels of 255
SETTLED = ["ready", "unavailable", "failed"]
# Widgets start when they come near the view: scroll to the widget, then wait until it has settled.
WAIT_JS = (
    "async root => { root.scrollIntoView(); const deadline = Date.now() + 60000;"
    f" while (!{SETTLED}.includes(root.dataset.state) && Date.now() < deadline)"
    " await new Promise(done => setTimeout(done, 50)); return root.dataset.state; }"
)
PIXELS_JS = "c => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))"


def _pixels(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


def reference(model: str) -> dict:
    """PyTorch's images the export stored: by (seed, digit), and by the names of the checked vectors."""
    meta = json.loads((SITE / "_static" / "playground" / "models" / f"{model}.json").read_text(encoding="utf8"))
    images = {(r["seed"], r["label"]): _pixels(r["pixels"]) for r in meta["reference"]}
    images.update({c["name"]: _pixels(c["pixels"]) for c in meta["checks"]})
    return images


def compare_with_pytorch(page, model: str) -> dict:
    """Compare every canvas of the widget whose PyTorch image the export stored: {what: difference}."""
    references = reference(model)
    compared = {}
    for canvas in page.query_selector_all(".gan-playground canvas[data-seed], .gan-playground canvas[data-check]"):
        check, seed, label = (canvas.get_attribute(a) for a in ("data-check", "data-seed", "data-label"))
        key = check if check is not None else (int(seed), None if label is None else int(label))
        if key in references:
            drawn = np.array(canvas.evaluate(PIXELS_JS), dtype=int)
            difference = int(np.abs(drawn - references[key].astype(int)).max())
            assert difference <= MAX_DIFFERENCE, f"{model}, {key}: the page differs from PyTorch by {difference}/255"
            compared[key] = difference
    worst = FORWARD_TIMES.setdefault("largest difference from PyTorch (grey levels of 255)", {})
    worst[model] = max([worst.get(model, 0), *compared.values()])
    return compared


@pytest.fixture(scope="module")
def playground(browser, base_url):
    """playground(page) -> (PageVisit, page): the page loaded, its widget settled; one visit per page."""
    opened = {}

    def get(page_path):
        if page_path not in opened:
            record = PageVisit(page=page_path, url=base_url + page_path)
            context, page = open_page(browser, record.url, record)
            # the widget reports its failures as console warnings (the page still works): record those too
            page.on("console", lambda msg: "gan playground" in msg.text and record.console_errors.append(msg.text))
            page.goto(record.url, wait_until="load")
            root = page.query_selector(".gan-playground")
            assert root.get_attribute("data-state") == "waiting", "the widget started before the reader came near it"
            assert page.evaluate(WAIT_JS, root) in SETTLED, f"{page_path}: the playground did not settle"
            opened[page_path] = (record, page, context)
        record, page, _ = opened[page_path]
        return record, page

    yield get
    for _, _, context in opened.values():
        context.close()


def test_the_book_has_its_playgrounds(site):
    found = {
        page.relative_to(site).as_posix()
        for page in (site / "book").glob("*.html")
        if 'class="gan-playground"' in page.read_text(encoding="utf8")
    }
    assert found == set(PLAYGROUNDS), f"pages with a playground: {sorted(found)}, expected {sorted(PLAYGROUNDS)}"


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_the_widget_runs_and_says_so(playground, page_path):
    kind, model = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    root = page.query_selector(".gan-playground")
    assert root.get_attribute("data-widget") == kind and root.get_attribute("data-model") == model
    assert root.get_attribute("data-state") == "ready", root.inner_text()[:300]
    assert "runs in your browser" in root.inner_text()
    canvases = root.query_selector_all("canvas")
    assert len(canvases) >= 10
    for canvas in canvases:
        pixels = canvas.evaluate(PIXELS_JS)
        assert max(pixels) > 200 and min(pixels) < 50, "a canvas is blank: no digit drawn"


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_the_canvas_is_pytorchs_image(playground, page_path):
    kind, model = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    compared = compare_with_pytorch(page, model)
    assert AT_START[kind] <= compared.keys(), f"{page_path}: compared only {sorted(map(str, compared))}"


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_moving_a_control_by_keyboard_redraws_pytorchs_image(playground, page_path):
    kind, model = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    control, key, target, expected = CONTROLS[kind]
    root = page.query_selector(".gan-playground")
    canvas = root.query_selector(target)
    before = canvas.evaluate(PIXELS_JS)
    renders = int(root.get_attribute("data-renders"))
    root.query_selector(control).focus()
    for _ in range(4):
        page.keyboard.press(key)
    # a render after the keypresses, and none still running (the widget marks itself busy while it draws)
    page.wait_for_function(f"r => Number(r.dataset.renders) > {renders} && !r.dataset.busy", arg=root)
    assert canvas.evaluate(PIXELS_JS) != before, f"{page_path}: moving {control} did not change the image"
    assert expected in compare_with_pytorch(page, model), f"{page_path}: after the keys the image is not {expected}"


def test_the_gallery_is_one_radio_group_the_arrow_keys_walk(playground):
    _, page = playground("book/09_dcgan.html")
    root = page.query_selector(".gan-playground")
    tiles = root.query_selector_all("[role=radiogroup] [role=radio]")
    assert len(tiles) == 16 and [t.get_attribute("tabindex") for t in tiles].count("0") == 1
    tiles[0].focus()
    renders = int(root.get_attribute("data-renders"))
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"r => Number(r.dataset.renders) > {renders} && !r.dataset.busy", arg=root)
    assert tiles[1].get_attribute("aria-checked") == "true" and tiles[0].get_attribute("aria-checked") == "false"
    assert page.evaluate("() => document.activeElement.getAttribute('aria-checked')") == "true"
    assert root.query_selector("canvas.gan-pg-large").get_attribute("data-check").startswith("1 + (")


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_every_control_has_a_label_and_every_image_a_description(playground, page_path):
    _, page = playground(page_path)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.gan-playground input, .gan-playground select')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
             .map(el => el.outerHTML)"""
    )
    assert not unlabelled, f"controls a screen reader cannot name: {unlabelled}"
    undescribed = page.evaluate(
        """() => [...document.querySelectorAll('.gan-playground canvas')]
             .filter(c => c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label')).length"""
    )
    assert undescribed == 0
    nameless = page.evaluate(
        "() => [...document.querySelectorAll('.gan-playground button')].filter(b => !b.innerText.trim()"
        " && !b.getAttribute('aria-label') && !b.querySelector('canvas[aria-label]')).length"
    )
    assert nameless == 0
    assert page.query_selector(".gan-playground [role=status][aria-live=polite]") is not None


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_the_playground_stays_on_the_site_and_logs_no_error(playground, page_path):
    record, page = playground(page_path)  # after the other tests' interactions on the same page
    assert page.query_selector(".gan-playground").get_attribute("data-state") == "ready"
    assert not record.external_requests, record.external_requests
    assert not unexpected(record.console_errors), record.console_errors
    assert not record.failed_requests, record.failed_requests


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_forward_pass_time_in_the_page(playground, page_path):
    _, model = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    times = page.evaluate(f"async () => await window.ganPlayground.timeForward('{model}', 50)")
    assert len(times) == 50
    median = round(statistics.median(times), 2)
    FORWARD_TIMES.setdefault("one forward pass, batch of 1 (ms, median of 50)", {})[model] = median


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_from_disk_the_page_keeps_its_figures_and_says_how_to_serve_it(browser, site, page_path):
    record = PageVisit(page=page_path, url=(site / page_path).as_uri())
    context, page = open_page(browser, record.url, record)
    try:
        page.goto(record.url, wait_until="load")
        root = page.query_selector(".gan-playground")
        assert page.evaluate(WAIT_JS, root) == "unavailable"
        text = root.inner_text().strip()
        assert "python -m http.server -d _build/html" in text and len(text.splitlines()) == 1, text
        figures = page.evaluate(
            "() => [...document.querySelectorAll('article img')].filter(i => i.naturalWidth > 0).length"
        )
        assert figures > 0
        assert not unexpected(record.console_errors), record.console_errors
        assert not record.external_requests, record.external_requests
    finally:
        context.close()
