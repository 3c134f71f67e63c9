"""Chapter 7's second table: three mode-collapse remedies as their authors ran them on the ring, over three seeds.

    .venv/bin/python benchmarks/ring_recipes.py          # about 20 minutes on a recent 2-core CPU
    .venv/bin/python benchmarks/ring_recipes.py --long   # about 15 minutes
    .venv/bin/python benchmarks/ring_recipes.py --add NAME ...   # only these recipes, into the stored file

Trains every recipe of ``gan.toy.RECIPES`` (each method with its authors' networks, initialisation,
optimiser, batch size and step, and the plain GAN under the same recipe where the authors compare with
one) on the chapter's ring (8 Gaussians, radius 2, sigma 0.1) for ``STEPS`` generator updates with seeds
0, 1 and 2, and records modes covered and the high-quality share of 2,000 samples every ``EVERY``
updates. Writes ``gan/studies/ring_recipes.csv`` (``gan.pretrained.study("ring_recipes")`` reads it)
with the machine it ran on; the chapter reads the stored numbers.

With ``--long`` it trains the recipes in ``LONG`` (the unrolled GAN and its baseline, which the
chapter's budget leaves behind their plain GAN) for ``LONG_STEPS`` updates instead, and writes
``gan/studies/ring_recipes_long.csv``: does the remedy catch up when it gets more of its authors' budget?
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan
from gan import toy

SEEDS = (0, 1, 2)
STEPS, EVERY = 2000, 250  # the budget: generator updates, the same for every recipe
STD = 0.1  # the chapter's ring
LONG = ("GAN (unrolled GAN's recipe)", "unrolled GAN, 5 steps (its recipe)")
LONG_STEPS = 8000
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_names, check_study_writable, ring_run, save_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "ring_recipes.csv"
OUT_LONG = gan.pretrained.STUDIES / "ring_recipes_long.csv"


def main(long: bool = False, only: list[str] | None = None) -> int:
    check_study_writable(OUT_LONG if long else OUT)  # before the runs, not after them
    check_names("ring_recipes.py", only, list(toy.RECIPES), what="recipes")
    rows = []
    steps = LONG_STEPS if long else STEPS
    for name in only or (LONG if long else toy.RECIPES):
        for seed in SEEDS:
            rows += ring_run("recipe", name, name, seed, steps, STD, EVERY)
    save_study(rows, OUT_LONG if long else OUT, "recipe", list(toy.RECIPES), only)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args not in ([], ["--long"]) and not (len(args) > 1 and args[0] == "--add"):
        sys.exit("usage: ring_recipes.py [--long | --add NAME ...]")
    sys.exit(main(long=args == ["--long"], only=args[1:] if args[:1] == ["--add"] else None))
