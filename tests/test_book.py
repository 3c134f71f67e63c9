"""The book's layout: every chapter is a paired MyST notebook in the toc, starting with the Colab install cell."""

import re
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import chapter_sources, install_cell_source  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = chapter_sources()


def _toc_files():
    return [c["file"] for part in TOC["parts"] for c in part["chapters"]]


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    in_toc = set(_toc_files())
    assert {f"book/{md.stem}" for md in CHAPTERS} <= in_toc
    for entry in in_toc | {TOC["root"]}:
        assert (ROOT / f"{entry}.md").exists(), f"_toc.yml lists {entry}, which has no .md"


def test_sphinx_builds_the_markdown_only_and_colab_opens_the_ipynb():
    assert CONFIG["only_build_toc_files"] is True
    assert "book/**.ipynb" in CONFIG["exclude_patterns"]
    assert CONFIG["repository"]["branch"] == "main"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["execute"]["execute_notebooks"] == "cache"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_paired_with_a_committed_notebook(md):
    assert md.with_suffix(".ipynb").exists()
    assert jupytext.read(md).metadata["jupytext"]["formats"] == "ipynb,md:myst"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_starts_with_the_hidden_colab_install_cell(md):
    first = next(c for c in jupytext.read(md).cells if c.cell_type == "code")
    assert first.source == install_cell_source(), f"{md.name}: first code cell must be the Colab install cell"
    assert "remove-cell" in first.metadata.get("tags", [])


def test_install_cell_installs_from_the_configured_repository_and_branch():
    repo = CONFIG["repository"]
    assert f"git+{repo['url']}@{repo['branch']}" in install_cell_source()


def test_install_cell_does_nothing_outside_colab():
    # Run the cell's Python (the %pip line only runs inside the Colab branch) in a clean namespace.
    code = install_cell_source().replace("%pip install", "raise AssertionError  # ")
    exec(compile(code, "install-cell", "exec"), {})


def test_the_api_page_documents_every_module_and_what_it_says_is_importable():
    import pkgutil

    import gan

    page = (ROOT / "book" / "api.md").read_text()
    documented = set(re.findall(r"\.\. automodule:: gan\.(\w+)", page))
    modules = {m.name for m in pkgutil.iter_modules(gan.__path__) if not m.name.startswith("_")}
    assert documented == modules, (sorted(modules - documented), sorted(documented - modules))
    for name in modules:  # "import gan imports all of them"
        assert hasattr(gan, name), name
    assert {"train_gan", "TrainConfig", "train_step", "recipes", "fast"} <= set(gan.__all__)
    assert all(hasattr(gan, name) for name in gan.__all__)
