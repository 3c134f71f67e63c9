"""Execute chapters and store their outputs in the paired .ipynb: the one way outputs get into the repository.

    python tools/execute_notebooks.py                 # every book/NN_*.md
    python tools/execute_notebooks.py book/03_*.md    # some

For each chapter: sync the .ipynb from the .md (jupytext), run it top to bottom in a fresh kernel
(no timing metadata), and record a hash of every code cell's source in the notebook's metadata, so
`check_notebooks.py stale` can prove the stored outputs came from the current sources.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, chapter_sources, code_hashes, sync_ipynb, write_notebook  # noqa: E402

TIMEOUT = 900  # seconds per cell


def execute(md: Path) -> float:
    ipynb = sync_ipynb(md)
    nb = nbformat.read(ipynb, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(md.parent)}},
    )
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata["gan"] = {"code_sha256": code_hashes(nb)}
    write_notebook(nb, ipynb)
    sync_ipynb(md)  # normalise exactly as the pairing check will
    return seconds


def main(argv: list[str]) -> int:
    os.environ.setdefault("GAN_PROGRESS", "0")
    shared = ROOT.parent / "shared" / "data"
    if "GAN_DATA_DIR" not in os.environ and shared.exists():
        os.environ["GAN_DATA_DIR"] = str(shared)
    chapters = [Path(a).resolve() for a in argv] or chapter_sources()
    total = 0.0
    for md in chapters:
        seconds = execute(md)
        total += seconds
        print(f"{md.relative_to(ROOT)}: executed in {seconds:.1f} s", flush=True)
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
