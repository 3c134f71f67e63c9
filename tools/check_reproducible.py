"""Run a chapter twice in fresh kernels and require identical outputs, images and tagged cells included.

    python tools/check_reproducible.py book/03_first_gan.md

nbval compares a re-run with the stored notebook, but skips images and cells tagged
nbval-ignore-output (training numbers, which differ across CPUs). On one machine, with the same seed
and thread count, even those must repeat exactly: this checks that they do. The only text allowed to
differ is what tools/nbval-sanitize.cfg replaces (wall-clock times, memory addresses).
``gan.seed_everything`` leaves the thread count to the machine, so both kernels get the same one here,
explicitly: ``OMP_NUM_THREADS`` (2, or what the environment sets), which PyTorch reads at start-up.
The two runs go side by side, in two processes, each with a core of its own only because chapter 3
trains on one thread (``seed_everything(0, threads=1)``); a chapter on two threads would share the
cores, slower but with the same outputs, since the thread count, not the speed, decides the arithmetic.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
from nbclient import NotebookClient

SANITIZE = Path(__file__).resolve().parent / "nbval-sanitize.cfg"


def sanitizers() -> list[tuple[re.Pattern, str]]:
    config = configparser.ConfigParser()
    config.read(SANITIZE)
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _clean(value, rules):
    if isinstance(value, list):
        value = "".join(value)
    if isinstance(value, str):
        for pattern, replacement in rules:
            value = pattern.sub(replacement, value)
    return value


def run(md: Path) -> list[list[dict]]:
    nb = jupytext.read(md)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(md.parent)}}
    ).execute()
    return [[_comparable(o) for o in c.get("outputs", [])] for c in nb.cells if c.cell_type == "code"]


def _comparable(output: dict) -> dict:
    rules = sanitizers()
    kept = {k: _clean(v, rules) for k, v in output.items() if k in ("output_type", "name", "text", "ename", "evalue")}
    if "data" in output:  # images compared byte for byte, text with times and addresses masked
        kept["data"] = {m: v if m.startswith("image/") else _clean(v, rules) for m, v in output["data"].items()}
    return kept


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/check_reproducible.py book/NN_name.md", file=sys.stderr)
        return 2
    md = Path(argv[0]).resolve()
    os.environ.setdefault("OMP_NUM_THREADS", "2")  # the kernels inherit it: the same thread count for both runs
    with ProcessPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(run, [md, md])
    differ = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
    if differ:
        print(f"{md.name}: code cells {differ} gave different outputs in two runs with the same seed", file=sys.stderr)
        return 1
    n_images = sum("image/png" in o.get("data", {}) for cell in first for o in cell)
    print(f"{md.name}: two runs gave identical outputs in all {len(first)} code cells ({n_images} images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
