"""Train chapter 6's ladder for several seeds and store the metrics the chapter's tables read.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/ladder_study.py   # about 4 minutes on a recent 2-core CPU

For seeds 0, 1 and 2, scored by ``gan.ladder.score``:
- every rung of ``gan.ladder.rungs()``, ``gan.ladder.STEPS`` steps of ``gan.ladder.BATCH`` images each;
- the last rung with one change undone (``gan.ladder.leave_one_out()``), the same budget;
- the original with the source exercise's budget: 60,000 updates on one image each.
Writes ``gan/studies/ladder.csv`` (``gan.ladder.study()`` reads it) with the machine it ran on. Training is chaotic, so another machine
gives other numbers; the chapter trains seed 0 of the ladder live and checks that it makes the same claims.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan
from gan import ladder

SEEDS = (0, 1, 2)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_study_writable, write_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "ladder.csv"  # read back by gan.ladder.study()


def main() -> int:
    check_study_writable(OUT)  # before the runs, not after them
    images = gan.load_mnist(train=True).images
    rows = []
    original = ladder.rungs()["original"]
    runs = [("ladder", name, rung, ladder.STEPS, ladder.BATCH) for name, rung in ladder.rungs().items()]
    runs += [("leave one out", name, rung, ladder.STEPS, ladder.BATCH) for name, rung in ladder.leave_one_out().items()]
    runs += [("source budget", "original, 60,000 updates of 1 image", original, 60_000, 1)]
    for study, name, rung, steps, batch_size in runs:
        for seed in SEEDS:
            G = ladder.train_rung(rung, seed, images, steps=steps, batch_size=batch_size).generator
            metrics = ladder.score(G, rung)
            rows.append(
                dict(
                    study=study,
                    rung=name,
                    seed=seed,
                    steps=steps,
                    batch_size=batch_size,
                    **{k: round(v, 4) for k, v in metrics.items()},
                )
            )
            print(
                f"{name:>36}, seed {seed}: {metrics['classes_covered']:.0f} classes, "
                f"Fréchet distance {metrics['frechet_distance']:.1f}",
                flush=True,
            )
    write_study(rows, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
