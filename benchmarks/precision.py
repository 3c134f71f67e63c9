"""Does bfloat16 cost quality? Train the same runs in float32 and with the engine's "auto" precision, side by side.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/precision.py   # about 3 minutes on 2 CPU cores

The MLP GAN for 6,500 steps and the DCGAN (the package's default, Radford et al.'s layers) for 500,
chapter 9's equal-time runs until 2026-12-06, both scored as they are at the end of training,
without averaging, each under the same seed in both precisions, on 10,000 samples. "auto" is
float32 where the hardware has no bfloat16 arithmetic, and then both rows of a model are the same
run.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import torch

import gan

RUNS = {
    "mlp": (
        gan.recipes.get("mlp").train_config(steps=6500, lr_g=2e-3, ema=None, log_every=100),
        dict(layer_norm=False, batch_norm=True),
    ),
    "dcgan": (gan.recipes.get("dcgan").train_config(steps=500, ema=None, log_every=100), None),
}


def main() -> None:
    mnist = gan.load_mnist(train=True)
    rows = []
    for model, (config, generator_config) in RUNS.items():
        for precision in ("float32", "auto"):
            result = gan.train_mnist(
                model,
                replace(config, precision=precision),
                generator_config=generator_config,
                data=mnist,
                seed=0,
                progress=False,
            )
            G = result.ema_generator if result.ema_generator is not None else result.generator
            metrics = gan.metrics.evaluate(gan.sample(G, 10_000, seed=1))
            rows.append(
                dict(
                    model=model,
                    precision=result.precision,
                    steps=result.steps,
                    seconds=result.seconds,
                    frechet_distance=metrics["frechet_distance"],
                    precision_=metrics["precision"],
                    recall=metrics["recall"],
                    classes=metrics["classes_covered"],
                )
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows).rename(columns={"precision_": "sample precision"})
    print(
        f"\n{torch.get_num_threads()} threads, torch {torch.__version__}\n"
        + table.to_string(index=False, float_format="{:.3g}".format)
    )


if __name__ == "__main__":
    main()
