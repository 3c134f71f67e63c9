"""Chapter 9's race: the MLP GAN and the DCGAN given the same CPU time, over three seeds.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/equal_time.py   # about 5 minutes on a recent 2-core CPU

For each seed the DCGAN trains as in the chapter's live run (the "dcgan" recipe with lr_d = 1e-3,
lr_g = 2e-3, no average, float32) for ``STEPS`` steps; its generator is kept after each number of
steps in ``BUDGETS``, with the time those steps took (the loop's own clock, from the history). Then the
MLP GAN of chapter 6's short run (the "mlp" recipe with lr_g = 2e-3, BatchNorm instead of LayerNorm
in G, no average) trains from the same seed for exactly each of those times, as many steps as fit.
Every generator is scored by ``gan.metrics.evaluate`` on 10,000 samples (seed 1). Writes
``gan/studies/equal_time.csv`` (``gan.pretrained.study("equal_time")``) with the machine it ran on.
The number of MLP steps that fit depends on the machine (on the ratio of the two models' speeds), and
training is chaotic, so another machine gives other numbers; the chapter reads the stored ones.
Run it on an otherwise idle machine: the budgets are wall-clock times.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import gan

SEEDS = (0, 1, 2)
BUDGETS = (200, 1000)  # DCGAN steps; the MLP GAN gets the time they took
STEPS = max(BUDGETS)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_study_writable, write_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "equal_time.csv"


def main() -> int:
    check_study_writable(OUT)  # before the runs, not after them
    mnist = gan.load_mnist(train=True)
    rows = []
    for seed in SEEDS:
        kept = {}

        def keep(step, G, D):
            if step in BUDGETS:
                kept[step] = copy.deepcopy(G)

        config = gan.recipes.get("dcgan").train_config(steps=STEPS, lr_d=1e-3, lr_g=2e-3, ema=None, log_every=100)
        dcgan = gan.train_mnist("dcgan", config, data=mnist, seed=seed, callback=keep, progress=False)
        seconds = dcgan.history.set_index("step")["seconds"]
        for budget in BUDGETS:
            mlp_config = gan.recipes.get("mlp").train_config(
                steps=None, seconds=float(seconds.loc[budget]), lr_g=2e-3, ema=None, log_every=100
            )
            mlp = gan.train_mnist(
                "mlp",
                mlp_config,
                generator_config=dict(layer_norm=False, batch_norm=True),
                data=mnist,
                seed=seed,
                progress=False,
            )
            runs = {
                "MLP GAN": (mlp.generator, mlp.steps, mlp.seconds),
                "DCGAN": (kept[budget], budget, seconds.loc[budget]),
            }
            for model, (G, steps, spent) in runs.items():
                metrics = gan.metrics.evaluate(gan.sample(G, 10_000, seed=1))
                rows.append(
                    dict(
                        budget=f"{budget} DCGAN steps",
                        seed=seed,
                        model=model,
                        steps=steps,
                        seconds=round(float(spent), 2),
                        **{k: round(v, 4) for k, v in metrics.items()},
                    )
                )
                print(
                    f"seed {seed}, {budget:>5} DCGAN steps' time ({spent:.0f} s): {model:>7}, {steps:>5} steps, "
                    f"Fréchet distance {metrics['frechet_distance']:.1f}, precision {metrics['precision']:.2f}, "
                    f"recall {metrics['recall']:.2f}",
                    flush=True,
                )
    write_study(rows, OUT)
    return 0


if __name__ == "__main__":
    if sys.argv[1:]:
        sys.exit("usage: equal_time.py")
    sys.exit(main())
