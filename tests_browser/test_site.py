"""The site as readers meet it: every page loads offline, shows its images and math, links only to
pages that exist, and each chapter opens in Colab. Run after the build: pytest tests_browser."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image

from tests_browser.conftest import (
    GENERATED_PAGES,
    REPO,
    PageVisit,
    anchors,
    config,
    is_chapter,
    load,
    open_page,
    site_pages,
    toc_files,
    unexpected,
)

PAGES = site_pages()
CONTENT_PAGES = [p for p in PAGES if p not in GENERATED_PAGES]
TOC_PAGES = [f + ".html" for f in toc_files()]
CHAPTERS = [p for p in TOC_PAGES if is_chapter(p)]


def test_every_toc_entry_is_a_built_page(site):
    missing = [page for page in TOC_PAGES if not (site / page).is_file()]
    assert not missing, f"_toc.yml lists pages the build did not write: {missing}"
    assert CHAPTERS, "no chapter (book/NN_name) in _toc.yml"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_errors(visit, page):
    v = visit(page)
    errors = unexpected(v.console_errors)
    assert not errors and not v.failed_requests, (
        f"{page}: console errors {errors}, failed requests {v.failed_requests}"
        " (known errors are listed in tests_browser/conftest.py: KNOWN_CONSOLE_ERRORS)"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_nothing_beyond_the_site(visit, page):
    v = visit(page)
    assert not v.external_requests, (
        f"{page} requested {len(v.external_requests)} URL(s) outside the site, which fail offline "
        f"(they were blocked): {v.external_requests}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_images_load(visit, page):
    broken = [img["src"] for img in visit(page).images if not img["naturalWidth"]]
    assert not broken, f"{page}: {len(broken)} image(s) did not load (naturalWidth 0): {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_page_math_is_rendered(visit, page):
    math = visit(page).math
    if not math["elements"]:
        return
    assert math["mathjax"], f"{page} has {math['elements']} math element(s) but MathJax did not start"
    assert len(math["scripts"]) == 1 and "/_static/mathjax/" in math["scripts"][0], (
        f"{page}: MathJax must be loaded once, from the site's own _static/mathjax/: {math['scripts']}"
    )
    assert not math["unrendered"], f"{page}: math left as TeX source: {math['unrendered']}"
    assert not math["errors"], f"{page}: MathJax could not typeset: {math['errors']}"
    assert not math["fonts_failed"], f"{page}: MathJax fonts did not load: {math['fonts_failed']}"


def link_problem(link: str, site: Path, base_url: str) -> str | None:
    """Why a same-site link is broken (file or fragment missing), or None if it resolves."""
    parts = urllib.parse.urlsplit(link)
    path = urllib.parse.unquote(parts.path.lstrip("/"))
    target = site / path
    if not path or path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"{link} -> no file {target.relative_to(site)}"
    fragment = urllib.parse.unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in anchors(target):
        return f"{link} -> no id {fragment!r} in {target.relative_to(site)}"
    return None


@pytest.mark.parametrize("page", PAGES)
def test_page_internal_links_resolve(visit, base_url, site, page):
    v = visit(page)
    own = [link for link in v.links if link.startswith(base_url)]
    assert own or page in GENERATED_PAGES, f"{page} has no links to the rest of the site"
    broken = sorted({problem for link in own if (problem := link_problem(link, site, base_url))})
    assert not broken, f"{page}: {len(broken)} broken internal link(s):\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_opens_in_colab(visit, page):
    repo = config()["repository"]
    org_repo = "/".join(urllib.parse.urlsplit(repo["url"]).path.strip("/").split("/")[:2])
    notebook = Path(page).with_suffix(".ipynb").as_posix()
    expected = f"https://colab.research.google.com/github/{org_repo}/blob/{repo.get('branch', 'main')}/{notebook}"
    links = visit(page).colab_links
    assert expected in links, f"{page}: no Colab link to {expected}; found {links}"
    assert (REPO / notebook).is_file(), f"{page}'s Colab link opens {notebook}, which is not in the repository"


def dominant_colour_share(png: Path) -> float:
    with Image.open(png) as image:
        small = image.convert("RGB").resize((max(1, image.width // 4), max(1, image.height // 4)))
    pixels = small.width * small.height
    return max(count for count, _ in small.getcolors(pixels)) / pixels


@pytest.mark.parametrize("page", TOC_PAGES)
def test_page_is_not_blank(visit, page):
    """Also saves a screenshot (the first screen; the whole page with GAN_FULL_SCREENSHOTS=1) in
    artifacts/screenshots/ for people to look at."""
    v = visit(page)
    assert len(v.article_text.split()) >= 5, f"{page}: the article shows (almost) no text: {v.article_text[:200]!r}"
    share = dominant_colour_share(v.screenshot)
    assert share < 0.995, f"{page}: the screenshot {v.screenshot} is {share:.1%} one colour (a blank page)"


def test_search_finds_chapters(browser, base_url):
    term = "discriminator"
    record = PageVisit(page="search.html", url=f"{base_url}search.html?q={term}")
    context, page = open_page(browser, record.url, record)
    try:
        page.goto(record.url, wait_until="load")
        page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
        results = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    finally:
        context.close()
    chapters = {r.split("?")[0].split("#")[0].removeprefix(base_url) for r in results} & set(CHAPTERS)
    assert chapters, f"searching {term!r} listed no chapter; results: {results}"
    assert not unexpected(record.console_errors), record.console_errors


def test_site_works_from_disk(browser, site):
    """Opened as files (file://), the site still renders: the root redirects to the book's first
    page, which shows its title, its math (MathJax from the site's own folder) and no errors."""
    record = PageVisit(page="index.html", url=(site / "index.html").as_uri())
    context, page = open_page(browser, record.url, record)
    try:
        page.goto(record.url, wait_until="load")
        page.wait_for_url(re.compile(r".*/book/index\.html$"), timeout=10_000)
        page.wait_for_load_state("load")
        load(page, page.url, record)
    finally:
        context.close()
    assert config()["title"] in record.title, f"title {record.title!r}"
    assert record.math["elements"] and not record.math["unrendered"] and not record.math["errors"], record.math
    assert not record.math["fonts_failed"], record.math
    assert not unexpected(record.console_errors), record.console_errors
    assert not record.failed_requests and not record.external_requests, (
        record.failed_requests,
        record.external_requests,
    )
    assert record.images == [] or all(img["naturalWidth"] for img in record.images), record.images


@pytest.mark.parametrize("old, new", sorted(config()["sphinx"]["config"]["redirects"].items()))
def test_a_moved_page_forwards_to_its_new_address(browser, base_url, site, old, new):
    """Chapters renumbered (chapter 5 was inserted) still answer at their old addresses, anchors included."""
    target = (site / old).parent / new
    assert target.is_file(), f"{old} forwards to {new}, which the build did not write"
    record = PageVisit(page=old, url=f"{base_url}{old}.html#summary")
    context, page = open_page(browser, record.url, record)
    try:
        page.goto(record.url, wait_until="load")
        page.wait_for_url(f"{base_url}{target.relative_to(site).as_posix()}#summary")
        assert page.title() and not unexpected(record.console_errors) and not record.external_requests
    finally:
        context.close()
