"""tools/check_notebooks.py's stale check also catches a chapter that shows package source which has since changed."""

import inspect
import sys
from pathlib import Path

import nbformat

import gan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import check_notebooks  # noqa: E402


def _notebook(shown: str):
    cell = nbformat.v4.new_code_cell("gan.show_source(gan.toy.unrolled_step)")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": shown}, execution_count=1)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x"), cell])


def test_a_chapter_showing_todays_source_passes():
    assert check_notebooks.shown_source_problems(_notebook(inspect.getsource(gan.toy.unrolled_step)), "book/x.md") == []


def test_a_chapter_showing_old_source_is_named_with_the_fix():
    problems = check_notebooks.shown_source_problems(_notebook("def unrolled_step():\n    pass\n"), "book/x.md")
    assert len(problems) == 1
    assert "code cell 0 shows the source of gan.toy.unrolled_step" in problems[0]
    assert "tools/execute_notebooks.py book/x.md" in problems[0]


def test_names_resolve_through_the_chapters_imports_or_not_at_all():
    assert check_notebooks.resolve("gan.toy.unrolled_step") is gan.toy.unrolled_step
    assert check_notebooks.resolve("wasserstein.fit") is gan.wasserstein.fit  # `from gan import wasserstein`
    assert check_notebooks.resolve("frechet_distance") is gan.metrics.frechet_distance  # imported from gan.metrics
    assert check_notebooks.resolve("no_such_thing.x") is None
