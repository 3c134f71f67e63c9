"""Chapter 9's ablation: Radford et al.'s guidelines, our 3x3 layers and the learning rates, over three seeds.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/dcgan_ablation.py   # about 25 minutes on a recent 2-core CPU
    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/dcgan_ablation.py --add NAME ...   # only these variants

Every variant changes one thing in the chapter's live run (``gan.train_mnist("dcgan", ...)``, batches of 64,
BCE on logits, Adam with beta1 = 0.5, lr_d = 1e-3, lr_g = 2e-3, float32) and trains for ``STEPS`` steps with
seeds 0, 1 and 2. Each generator is scored by ``gan.metrics.evaluate`` on 10,000 samples (seed 1) after
``LIVE`` steps (the chapter's ``LIVE_STEPS``) and after ``STEPS``. Writes ``gan/studies/dcgan_ablation.csv``
(``gan.pretrained.study("dcgan_ablation")`` reads it) with the machine it ran on. Training is chaotic, so
another machine gives other numbers; the chapter reads the stored ones. With ``--add`` it trains only
the named variants and puts their rows into the stored file in place of any old ones (the other
variants' rows are kept, so they must come from the same machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan

SEEDS = (0, 1, 2)
STEPS, LIVE = 1000, 300
LR_D, LR_G = 1e-3, 2e-3  # the chapter's
#: name -> (changes to the TrainConfig, generator_config, discriminator_config)
VARIANTS = {
    "DCGAN (chapter's settings)": ({}, {}, {}),
    "no BatchNorm in G": ({}, dict(batch_norm=False), {}),
    "ReLU in D": ({}, {}, dict(activation="relu")),
    "+ our 3x3 layers": ({}, dict(final_conv=True, refine=True), dict(refine=True)),
    "equal rates, 1e-3": (dict(lr_g=1e-3), {}, {}),
    "equal rates, 2e-3": (dict(lr_d=2e-3), {}, {}),
    "D twice as fast": (dict(lr_d=2e-3, lr_g=1e-3), {}, {}),
    "Radford et al.'s 2e-4": (dict(lr_d=2e-4, lr_g=2e-4), {}, {}),
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import add_names, check_names, check_study_writable, save_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "dcgan_ablation.csv"


def main(only: list[str] | None = None) -> int:
    check_study_writable(OUT)  # before the runs, not after them
    check_names("dcgan_ablation.py", only, list(VARIANTS))
    mnist = gan.load_mnist(train=True)
    rows = []
    for name, (changes, g_config, d_config) in VARIANTS.items():
        if only and name not in only:
            continue
        for seed in SEEDS:
            # the "dcgan" recipe as the chapter's live run has it (no average, losses every 100 steps), one change
            settings = dict(steps=STEPS, lr_d=LR_D, lr_g=LR_G, ema=None, log_every=100)
            config = gan.recipes.get("dcgan").train_config(**{**settings, **changes})
            scores = {}

            def score(step, G, D):
                if step in (LIVE, STEPS):
                    scores[step] = gan.metrics.evaluate(gan.sample(G, 10_000, seed=1))

            gan.train_mnist(
                "dcgan",
                config,
                generator_config=g_config,
                discriminator_config=d_config,
                data=mnist,
                seed=seed,
                callback=score,
                progress=False,
            )
            for step, metrics in scores.items():
                rows.append(
                    dict(
                        variant=name,
                        seed=seed,
                        step=step,
                        lr_d=config.lr_d,
                        lr_g=config.lr_g,
                        **{k: round(v, 4) for k, v in metrics.items()},
                    )
                )
                print(
                    f"{name:>28}, seed {seed}, step {step}: Fréchet distance {metrics['frechet_distance']:.1f}, "
                    f"recall {metrics['recall']:.2f}, {metrics['classes_covered']:.0f} classes",
                    flush=True,
                )
    save_study(rows, OUT, "variant", list(VARIANTS), only)
    return 0


if __name__ == "__main__":
    sys.exit(main(only=add_names(sys.argv[1:], "dcgan_ablation.py")))
