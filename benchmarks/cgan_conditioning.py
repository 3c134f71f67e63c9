"""Chapter 12's study: how soon does a conditional GAN draw the digit asked for, by discriminator and rates?

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/cgan_conditioning.py   # about 4 minutes on a recent 2-core CPU
    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/cgan_conditioning.py --add NAME ...   # only these variants

Trains the "cgan" recipe (batches of 64, the generator's averaged weights with decay 0.995 as in the
chapter's live run) for ``STEPS`` steps from seeds 0, 1 and 2, with the label concatenated to the
discriminator's input or projected (``conditioning``), each at two pairs of learning rates, and the
projection once more with its embedding started as in Miyato & Koyama's code (Xavier) instead of
PyTorch's standard normal, which makes the label's term start far smaller. Every
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
#: name -> (the discriminator's options, lr_d, lr_g)
VARIANTS = {
    "concat, 1e-3 / 2e-3": (dict(conditioning="concat"), 1e-3, 2e-3),
    "concat, 5e-4 / 1e-3": (dict(conditioning="concat"), 5e-4, 1e-3),
    "projection, 1e-3 / 2e-3": (dict(conditioning="projection"), 1e-3, 2e-3),
    "projection, 5e-4 / 1e-3": (dict(conditioning="projection"), 5e-4, 1e-3),
    # the embedding started as in Miyato & Koyama's code, not as PyTorch's nn.Embedding (standard normal)
    "projection, Xavier init, 5e-4 / 1e-3": (dict(conditioning="projection", embedding_init="xavier"), 5e-4, 1e-3),
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import add_names, check_names, check_study_writable, save_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "cgan_conditioning.csv"


def agreement(G) -> float:
    """The share of N samples (the digits in turn) that the metrics' classifier reads as the digit asked for."""
    predicted = gan.metrics.classify(gan.sample(G, N, seed=1))[0].argmax(1)
    return (predicted == torch.arange(N) % 10).double().mean().item()


def main(only: list[str] | None = None) -> int:
    check_study_writable(OUT)  # before the runs, not after them
    check_names("cgan_conditioning.py", only, list(VARIANTS))
    mnist = gan.load_mnist(train=True)
    rows = []
    for name, (d_config, lr_d, lr_g) in VARIANTS.items():
        if only and name not in only:
            continue
        for seed in SEEDS:
            config = gan.recipes.get("cgan").train_config(steps=STEPS, lr_d=lr_d, lr_g=lr_g, ema=0.995, log_every=EVERY)

            def score(step, G, D, averaged=None):
                rows.append(
                    dict(
                        variant=name,
                        conditioning=d_config["conditioning"],
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
                discriminator_config=d_config,
                data=mnist,
                seed=seed,
                callback=score,
                progress=False,
            )
    save_study(rows, OUT, "variant", list(VARIANTS), only)
    return 0


if __name__ == "__main__":
    sys.exit(main(only=add_names(sys.argv[1:], "cgan_conditioning.py")))
