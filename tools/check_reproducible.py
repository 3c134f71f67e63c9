"""Run a chapter twice in fresh kernels and require identical outputs, images and tagged cells included.

    python tools/check_reproducible.py book/03_first_gan.md

nbval compares a re-run with the stored notebook, but skips images and cells tagged
nbval-ignore-output (training numbers, which differ across CPUs). On one machine, with the same seed
and thread count, even those must repeat exactly: this checks that they do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def run(md: Path) -> list[list[dict]]:
    nb = jupytext.read(md)
    NotebookClient(nb, timeout=900, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(md.parent)}}).execute()
    return [[_comparable(o) for o in c.get("outputs", [])] for c in nb.cells if c.cell_type == "code"]


def _comparable(output: dict) -> dict:
    return {k: v for k, v in output.items() if k in ("output_type", "name", "text", "data", "ename", "evalue")}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/check_reproducible.py book/NN_name.md", file=sys.stderr)
        return 2
    md = Path(argv[0]).resolve()
    first, second = run(md), run(md)
    differ = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
    if differ:
        print(f"{md.name}: code cells {differ} gave different outputs in two runs with the same seed", file=sys.stderr)
        return 1
    n_images = sum("image/png" in o.get("data", {}) for cell in first for o in cell)
    print(f"{md.name}: two runs gave identical outputs in all {len(first)} code cells ({n_images} images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
