"""Chapter 11's study: how soon does a conditional GAN draw the digit asked for, by discriminator and rates?

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/cgan_conditioning.py   # about 3 minutes on a recent 2-core CPU

Trains the "cgan" recipe (batches of 64, the generator's averaged weights with decay 0.995 as in the
chapter's live run) for ``STEPS`` steps from seeds 0, 1 and 2, with the label concatenated to the
discriminator's input or projected (``conditioning``), each at two pairs of learning rates. Every
``EVERY`` steps it draws ``N`` samples (the digits in turn) from the averaged generator and records the
share the metrics' classifier reads as the digit asked for. Writes ``gan/studies/cgan_conditioning.csv``
(``gan.pretrained.study("cgan_conditioning")``) with the machine it ran on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

import gan

SEEDS = (0, 1, 2)
STEPS, EVERY, N = 2000, 500, 5000
#: name -> (conditioning, lr_d, lr_g)
VARIANTS = {
    "concat, 1e-3 / 2e-3": ("concat", 1e-3, 2e-3),
    "concat, 5e-4 / 1e-3": ("concat", 5e-4, 1e-3),
    "projection, 1e-3 / 2e-3": ("projection", 1e-3, 2e-3),
    "projection, 5e-4 / 1e-3": ("projection", 5e-4, 1e-3),
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_study_writable, write_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "cgan_conditioning.csv"


def agreement(G) -> float:
    """The share of N samples (the digits in turn) that the metrics' classifier reads as the digit asked for."""
    predicted = gan.metrics.classify(gan.sample(G, N, seed=1))[0].argmax(1)
    return (predicted == torch.arange(N) % 10).double().mean().item()


def main() -> int:
    check_study_writable(OUT)  # before the runs, not after them
    mnist = gan.load_mnist(train=True)
    rows = []
    for name, (conditioning, lr_d, lr_g) in VARIANTS.items():
        for seed in SEEDS:
            config = gan.recipes.get("cgan").train_config(steps=STEPS, lr_d=lr_d, lr_g=lr_g, ema=0.995, log_every=EVERY)

            def score(step, G, D, averaged=None):
                rows.append(
                    dict(
                        variant=name,
                        conditioning=conditioning,
                        lr_d=lr_d,
                        lr_g=lr_g,
                        seed=seed,
                        step=step,
                        agreement=round(agreement(averaged), 4),
                    )
                )
                print(f"{name:>24}, seed {seed}, step {step}: agreement {rows[-1]['agreement']:.3f}", flush=True)

            gan.train_mnist(
                "cgan",
                config,
                discriminator_config=dict(conditioning=conditioning),
                data=mnist,
                seed=seed,
                callback=score,
                progress=False,
            )
    write_study(rows, OUT)
    return 0


if __name__ == "__main__":
    if sys.argv[1:]:
        sys.exit("usage: cgan_conditioning.py")
    sys.exit(main())
