"""Choose chapter 10's supervised baseline's learning rate on the validation images, and record why.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/sgan_baseline_lr.py   # about 80 s on a recent 2-core CPU

Trains the baseline (``gan.sgan.train_supervised``, chapter 10's budget, 100 labels) at each learning rate
of ``RATES`` for seeds 0, 1 and 2, records validation accuracy every 500 steps and, at the end, the
share of the last hidden layer's units that are active (ReLU above zero) on some of the 10,000 validation
images (``gan.sgan.active_share``).
Writes ``gan/studies/sgan_baseline_lr.csv`` (``gan.sgan.baseline_lr_study()`` reads it) with the machine it ran on. The test set
is not read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan
from gan import sgan

RATES = (3e-3, 1e-3, 3e-4)  # the SGAN's rate, and a third and a tenth of it
SEEDS = (0, 1, 2)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_study_writable, write_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "sgan_baseline_lr.csv"  # read back by gan.sgan.baseline_lr_study()


def main() -> int:
    check_study_writable(OUT)  # before the runs, not after them
    train, validation = sgan.validation_split(gan.load_mnist(train=True))
    rows = []
    for lr in RATES:
        for seed in SEEDS:
            index = sgan.labelled_index(train.labels, 100, seed=seed)
            config = sgan.SGANConfig(lr=lr, eval_every=500)
            run = sgan.train_supervised(train, index, config, validation=validation, device="cpu", seed=seed)
            alive = sgan.active_share(run.D, validation)
            for step, acc in zip(run.history.step, run.history.val_accuracy):
                rows.append(
                    dict(
                        lr=lr,
                        seed=seed,
                        step=int(step),
                        val_accuracy=round(float(acc), 4),
                        last_layer_active=round(alive, 3) if step == config.steps else None,
                    )
                )
            print(
                f"lr {lr:g}, seed {seed}: validation accuracy {run.accuracy:.3f}, last hidden layer {alive:.0%} active",
                flush=True,
            )
    write_study(rows, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
