"""The training-dynamics chapter's study: the common stabilisers, one at a time, on the ring, over three seeds.

    .venv/bin/python benchmarks/dynamics_ring.py                 # about 5 minutes on a recent 2-core CPU
    .venv/bin/python benchmarks/dynamics_ring.py --add NAME ...  # only these variants, into the stored file

Starts from one recipe of ``gan.toy.RECIPES``, the plain GAN with the unrolled GAN's settings (2 x 128
tanh networks, batches of 512, Adam with lr_d 1e-4 and lr_g 1e-3, the saturating generator loss), which
covers most of the ring's modes but few of its samples land on one after ``STEPS`` generator updates.
Each variant changes one thing (``VARIANTS``): k discriminator steps per generator step (Goodfellow et
al.'s Algorithm 1), the discriminator's learning rate (the two time-scale rule asks for a faster
discriminator), the R1 penalty, instance noise, or one-sided label smoothing
(``gan.dynamics.stabilised_step``). Every variant trains from seeds 0, 1 and 2 for the same number of
generator updates, on the same data; modes covered and the high-quality share of 2,000 samples are
recorded every ``EVERY`` updates. Writes ``gan/studies/dynamics_ring.csv`` with the machine it ran on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan

BASE = "GAN (unrolled GAN's recipe)"
SEEDS = (0, 1, 2)
STEPS, EVERY = 2000, 500
STD = 0.1  # chapter 7's ring
#: name -> (changes to the recipe's TrainConfig, options of gan.dynamics.stabilised_step)
VARIANTS = {
    "the recipe (G 10x faster than D)": ({}, {}),
    "k = 5 discriminator steps": ({}, dict(d_steps=5)),
    "equal rates (lr_d 1e-3)": (dict(lr_d=1e-3), {}),
    "D 4x faster (lr_d 4e-3)": (dict(lr_d=4e-3), {}),
    "R1 penalty, gamma 1": ({}, dict(r1=1.0)),
    "instance noise, sigma 0.1": ({}, dict(noise_std=0.1)),
    "one-sided label smoothing, 0.9": ({}, dict(real_label=0.9)),
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import add_names, check_names, check_study_writable, ring_run, save_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "dynamics_ring.csv"


def main(only: list[str] | None = None) -> int:
    check_study_writable(OUT)  # before the runs, not after them
    check_names("dynamics_ring.py", only, list(VARIANTS))
    rows = []
    for name, (changes, stabilisers) in VARIANTS.items():
        if only and name not in only:
            continue
        for seed in SEEDS:
            rows += ring_run(
                "variant",
                name,
                BASE,
                seed,
                STEPS,
                STD,
                EVERY,
                width=34,
                config_changes=changes,
                stabilisers=stabilisers,
            )
    save_study(rows, OUT, "variant", list(VARIANTS), only)
    return 0


if __name__ == "__main__":
    sys.exit(main(only=add_names(sys.argv[1:], "dynamics_ring.py")))
