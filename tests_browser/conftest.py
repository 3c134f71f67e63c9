"""Browser tests of the built site: serve it on 127.0.0.1 and load every page in Debian's Chromium.

The site folder is $GAN_SITE_DIR (default: _build/html); the browser is $GAN_CHROMIUM, else
/usr/bin/chromium (installed by tools/install-browser), else Google Chrome. Each page is loaded once per session
and what the tests need is collected on that visit (see `PageVisit`).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("GAN_SITE_DIR", REPO / "_build" / "html")).resolve()
# $GAN_CHROMIUM, else Debian's Chromium (tools/install-browser), else Google Chrome (as on GitHub's runners).
CHROMIUM = os.environ.get("GAN_CHROMIUM") or next(
    (
        path
        for path in ("/usr/bin/chromium", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable")
        if os.access(path, os.X_OK)
    ),
    "/usr/bin/chromium",
)
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Each page in _toc.yml is photographed: its first screen (1280x900) by default, the whole page with
# GAN_FULL_SCREENSHOTS=1. A full-page shot of a long chapter takes 1 to 2.5 s (10 to 20 times the
# first screen's), which on an older CPU is minutes of CI time for pictures no test needs.
FULL_SCREENSHOTS = os.environ.get("GAN_FULL_SCREENSHOTS", "") not in ("", "0")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Console errors every page may log, each with the reason it is tolerated. Anything else fails.
KNOWN_CONSOLE_ERRORS = [
    # Jupyter Book 1 (sphinx-book-theme + sphinx-thebe) declares this constant in two inline
    # scripts on every page; fixed in Sphinx 8.2, which JB1's pin excludes. Harmless: thebe
    # still gets the value from the first declaration.
    re.compile(r"Identifier 'THEBE_JS_URL' has already been declared"),
]

# What tests_browser/test_playground.py measures in the page, printed at the end of the run:
# {what: {network: value}}.
FORWARD_TIMES: dict[str, dict[str, float]] = {}


def pytest_terminal_summary(terminalreporter):
    if FORWARD_TIMES:
        terminalreporter.section("the playground, measured in Chromium")
        for what, values in FORWARD_TIMES.items():
            terminalreporter.write_line(f"{what}: " + ", ".join(f"{k} {v}" for k, v in sorted(values.items())))


# Pages Sphinx writes that are not in the table of contents but are still part of the site.
GENERATED_PAGES = {"genindex.html", "search.html", "py-modindex.html"}


def config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf8"))


def toc_files() -> list[str]:
    """The source files of _toc.yml in reading order, e.g. ['book/index', 'book/01_introduction', ...]."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def is_redirect(path: Path) -> bool:
    """True for the stub pages that only forward to another page (the site's root index.html)."""
    head = path.read_text(encoding="utf8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head


def site_pages() -> list[str]:
    """Every HTML page of the built site, relative to it, except assets, reports and redirect stubs."""
    if not (SITE / "index.html").is_file():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE).as_posix()
        if rel.startswith(("_static/", "_sources/", "_images/", "reports/")) or is_redirect(path):
            continue
        pages.append(rel)
    return pages


def is_chapter(page: str) -> bool:
    return re.fullmatch(r"book/\d\d_[^/]+\.html", page) is not None


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    """The ids (and <a name>s) in a built HTML file: the fragments a link to it may use."""
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf8", errors="replace"))
    return frozenset(parser.ids)


@dataclass
class PageVisit:
    """What one load of one page showed."""

    page: str
    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)  # console.error and uncaught exceptions
    failed_requests: list[str] = field(default_factory=list)  # HTTP >= 400 or network failures
    # Requests the browser itself cancelled (net::ERR_ABORTED: a font asked for twice, the page closed
    # while loading). Not the site's failure: a missing file is ERR_FILE_NOT_FOUND or HTTP 404, and the
    # tests check separately that every image has a width and that no MathJax font failed to load.
    aborted_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)  # blocked: anything not 127.0.0.1
    images: list[dict] = field(default_factory=list)  # {src, naturalWidth}
    math: dict = field(default_factory=dict)  # counts of math elements, rendered, errors; fonts
    links: list[str] = field(default_factory=list)  # every <a href>, absolute
    colab_links: list[str] = field(default_factory=list)
    article_text: str = ""
    screenshot: Path | None = None


def unexpected(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(known.search(e) for known in KNOWN_CONSOLE_ERRORS)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site at {SITE}: build it first (bash tools/build-book) or set GAN_SITE_DIR.")
    return SITE


@pytest.fixture(scope="session")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: run `bash tools/install-browser` (or set GAN_CHROMIUM).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def local_host(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("data", "blob", "about", "file") or parts.hostname == "127.0.0.1"


def open_page(browser, url: str, record: PageVisit):
    """A new page in a fresh context that records errors and blocks every request that leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(route):
        if local_host(route.request.url):
            route.continue_()
        else:
            record.external_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and record.console_errors.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: record.console_errors.append(f"uncaught: {exc}"))

    def failed(req):
        if local_host(req.url):
            aborted = req.failure and "ERR_ABORTED" in req.failure
            (record.aborted_requests if aborted else record.failed_requests).append(f"{req.url} ({req.failure})")

    page.on("requestfailed", failed)
    page.on(
        "response",
        lambda resp: resp.status >= 400 and record.failed_requests.append(f"{resp.url} (HTTP {resp.status})"),
    )
    return context, page


# Runs in the page once it has loaded: load every image (lazy ones too), wait for MathJax's first
# typeset, then report what the tests check.
COLLECT_JS = """
async () => {
  const imgs = [...document.images];  // the article's and figures' images, and the theme's (logos)
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null :
      new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  if (window.ganPlayground) {  // a page with a playground: wait for the widgets that have started (if any)
    await Promise.race([window.ganPlayground.settled(), new Promise(done => setTimeout(done, 60000))]);
  }
  let mathjax = null;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    await document.fonts.ready;
    mathjax = MathJax.version;
  }
  const maths = [...document.querySelectorAll('.math')].filter(el => !el.parentElement.closest('.math'));
  const article = document.querySelector('article') || document.querySelector('main') || document.body;
  return {
    title: document.title,
    images: imgs.map(img => ({src: img.getAttribute('src'), naturalWidth: img.naturalWidth})),
    math: {
      elements: maths.length,
      rendered: maths.filter(el => el.querySelector('mjx-container')).length,
      unrendered: maths.filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.trim().slice(0, 80)),
      errors: [...document.querySelectorAll('mjx-merror')].map(el => el.getAttribute('data-mjx-error') || el.textContent),
      mathjax: mathjax,
      scripts: [...document.querySelectorAll('script[src*="mathjax" i]')].map(s => s.src),
      fonts_failed: [...document.fonts].filter(f => f.family.startsWith('MJX') && f.status === 'error').map(f => f.family),
    },
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    colab: [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href),
    article_text: article.innerText.trim(),
  };
}
"""


def load(page, url: str, record: PageVisit) -> None:
    page.goto(url, wait_until="load")
    data = page.evaluate(COLLECT_JS)
    record.title = data["title"]
    record.images = data["images"]
    record.math = data["math"]
    record.links = data["links"]
    record.colab_links = data["colab"]
    record.article_text = data["article_text"]


@pytest.fixture(scope="session")
def visit(browser, base_url):
    """visit(page) -> PageVisit: load the page (once per session) and collect what the tests check."""
    cache: dict[str, PageVisit] = {}
    toc_pages = {f + ".html" for f in toc_files()}

    def visit(page_path: str) -> PageVisit:
        if page_path not in cache:
            record = PageVisit(page=page_path, url=base_url + page_path)
            context, page = open_page(browser, record.url, record)
            try:
                load(page, record.url, record)
                if page_path in toc_pages:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    record.screenshot = SCREENSHOTS / (Path(page_path).stem + ".png")
                    page.screenshot(path=str(record.screenshot), full_page=FULL_SCREENSHOTS)
            finally:
                context.close()
            cache[page_path] = record
        return cache[page_path]

    return visit
