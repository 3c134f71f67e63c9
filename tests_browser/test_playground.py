"""The playground: the shipped generators running in the page (book/_playground/playground/playground.js).

On a served build each widget loads the network with onnxruntime-web, draws what PyTorch draws for the
same seed (within 2/255 per pixel, against the images `python -m gan export-onnx` stored), redraws
when a control moves (by keyboard), asks nothing of another host and logs no error. Opened from disk
it keeps the page's figures and says how to serve the site. The time of one forward pass in the page
is printed at the end of the run (conftest.py: pytest_terminal_summary)."""

from __future__ import annotations

import base64
import json
import statistics

import numpy as np
import pytest

from tests_browser.conftest import FORWARD_TIMES, SITE, PageVisit, open_page, unexpected

# page -> (widget, network): every playground the book has; a page that loses one fails.
PLAYGROUNDS = {
    "book/07_latent_space.html": ("walk", "mlp-gan"),
    "book/08_dcgan.html": ("gallery", "dcgan"),
    "book/11_conditional_gan.html": ("digit", "cgan"),
}
# The control each test moves, and the canvas that must change when it does.
CONTROLS = {
    "walk": ("input[data-role=t]", "figure:nth-child(2) canvas"),  # the image between A and B
    "gallery": ("input[data-role=direction-1]", ".gan-pg-row canvas.gan-pg-large"),
    "digit": ("select", ".gan-pg-row canvas.gan-pg-large"),
}
MAX_DIFFERENCE = 2  # grey levels of 255
WAIT_JS = """async () => {
  if (!window.ganPlayground) return 'no playground script';
  const timeout = new Promise(done => setTimeout(() => done('timed out'), 60000));
  return await Promise.race([window.ganPlayground.ready.then(() => 'settled'), timeout]);
}"""
PIXELS_JS = (
    """canvas => Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))"""
)


def reference(model: str) -> dict:
    meta = json.loads((SITE / "_static" / "playground" / "models" / f"{model}.json").read_text(encoding="utf8"))
    return {
        (r["seed"], r["label"]): np.frombuffer(base64.b64decode(r["pixels"]), dtype=np.uint8) for r in meta["reference"]
    }


@pytest.fixture(scope="module")
def playground(browser, base_url):
    """playground(page) -> (PageVisit, page): the page loaded, its widget settled; one visit per page."""
    opened = {}

    def get(page_path):
        if page_path not in opened:
            record = PageVisit(page=page_path, url=base_url + page_path)
            context, page = open_page(browser, record.url, record)
            page.goto(record.url, wait_until="load")
            assert page.evaluate(WAIT_JS) == "settled", f"{page_path}: the playground did not settle"
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
    references = reference(model)
    compared = []
    for canvas in page.query_selector_all(".gan-playground canvas[data-seed]"):
        seed = int(canvas.get_attribute("data-seed"))
        label = canvas.get_attribute("data-label")
        key = (seed, None if label is None else int(label))
        if key in references:
            drawn = np.array(canvas.evaluate(PIXELS_JS), dtype=int)
            difference = np.abs(drawn - references[key].astype(int)).max()
            assert difference <= MAX_DIFFERENCE, (
                f"{model}, seed {key}: the page differs from PyTorch by {difference}/255"
            )
            compared.append((key, int(difference)))
    assert compared, f"{page_path}: no canvas showed a seed whose PyTorch image the export stores"
    FORWARD_TIMES.setdefault("largest difference from PyTorch (grey levels)", {})[model] = max(d for _, d in compared)


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_moving_a_control_by_keyboard_redraws(playground, page_path):
    kind, _ = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    control, target = CONTROLS[kind]
    root = page.query_selector(".gan-playground")
    canvas = root.query_selector(target)
    before = canvas.evaluate(PIXELS_JS)
    renders = int(root.get_attribute("data-renders"))
    element = root.query_selector(control)
    element.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight" if kind != "digit" else "ArrowDown")
    # a render after the keypresses, and none still running (the widget marks itself busy while it draws)
    page.wait_for_function(f"r => Number(r.dataset.renders) > {renders} && !r.dataset.busy", arg=root)
    after = canvas.evaluate(PIXELS_JS)
    assert after != before, f"{page_path}: moving {control} did not change the image"


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


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_the_playground_stays_on_the_site_and_logs_no_error(playground, page_path):
    record, _ = playground(page_path)  # after the other tests' interactions on the same page
    assert not record.external_requests, record.external_requests
    assert not unexpected(record.console_errors), record.console_errors
    assert not record.failed_requests, record.failed_requests


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_forward_pass_time_in_the_page(playground, page_path):
    _, model = PLAYGROUNDS[page_path]
    _, page = playground(page_path)
    times = page.evaluate(f"async () => await window.ganPlayground.timeForward('{model}', 50)")
    assert len(times) == 50
    FORWARD_TIMES.setdefault("one forward pass, batch of 1 (ms, median of 50)", {})[model] = round(
        statistics.median(times), 2
    )


@pytest.mark.parametrize("page_path", PLAYGROUNDS)
def test_from_disk_the_page_keeps_its_figures_and_says_how_to_serve_it(browser, site, page_path):
    record = PageVisit(page=page_path, url=(site / page_path).as_uri())
    context, page = open_page(browser, record.url, record)
    try:
        page.goto(record.url, wait_until="load")
        assert page.evaluate(WAIT_JS) == "settled"
        root = page.query_selector(".gan-playground")
        assert root.get_attribute("data-state") == "unavailable"
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
