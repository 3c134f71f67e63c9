"""Shared helpers for the chapter tools: where chapters live and how a notebook is synced and hashed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def chapter_sources() -> list[Path]:
    """Return every chapter's MyST source, book/NN_name.md, in order."""
    return sorted(BOOK.glob("[0-9][0-9]_*.md"))


def sync_ipynb(md: Path, ipynb: Path | None = None) -> Path:
    """Write the .ipynb paired with ``md`` from the .md's cells, keeping the .ipynb's outputs; return its path."""
    ipynb = ipynb or md.with_suffix(".ipynb")
    nb = jupytext.read(md)
    if ipynb.exists():
        from jupytext.combine import combine_inputs_with_outputs

        nb = combine_inputs_with_outputs(nb, jupytext.read(ipynb), fmt="md:myst")
    write_notebook(nb, ipynb)
    return ipynb


def write_notebook(nb, ipynb: Path) -> None:
    """Write ``nb`` to ``ipynb`` as jupytext does, atomically (``gan.files``): Ctrl-C never leaves half a chapter."""
    import io

    from gan.files import write_text

    buffer = io.StringIO()
    jupytext.write(nb, buffer, fmt="ipynb")
    write_text(ipynb, buffer.getvalue())


def code_hashes(nb) -> list[str]:
    """Return a short SHA-256 of each code cell's source, in order."""
    return [hashlib.sha256(c.source.encode()).hexdigest()[:16] for c in nb.cells if c.cell_type == "code"]


def install_cell_source() -> str:
    """Return the source every chapter's first code cell must have: install `gan` in Colab, nothing elsewhere.

    The package URL comes from _config.yml's `repository`, the one place the repository is named.
    """
    import yaml

    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    url = f"git+{repo['url']}@{repo['branch']}"
    return (
        "# Colab starts without the course package: install it from the repository.\n"
        "# Anywhere else this cell does nothing (locally, `bash tools/setup-env` installs it).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "gan-course @ {url}"'
    )
