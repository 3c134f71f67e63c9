"""Chapter 6's ladder: the original MNIST GAN, and the changes that make it work, added one rung at a time.

Every rung trains the same small networks (one hidden layer of 200 units each, sigmoid outputs in
[0, 1]) for the same budget; only the listed changes differ. ``benchmarks/ladder_study.py`` trains every
rung for several seeds; the chapter trains seed 0 live.
"""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from .data import batches
from .device import seed_everything
from .metrics import evaluate
from .models import MLPDiscriminator, MLPGenerator
from .pretrained import study as study_csv
from .training import TrainConfig, TrainResult, train_gan

#: The original exercise's settings: sigmoid units, MSE, plain SGD, one uniform number per seed.
ORIGINAL = dict(activation="sigmoid", layer_norm=False, loss="mse", optimizer="sgd", lr=0.01, z_dim=1, noise="uniform")
#: The changes, in the order the ladder adds them; each rung keeps every change before it.
CHANGES = {
    "original": {},
    "+ BCE": dict(loss="bce"),
    "+ LeakyReLU, LayerNorm": dict(activation="leaky_relu", layer_norm=True),
    "+ Adam": dict(optimizer="adam", lr=5e-4),
    "+ 100 latent dims": dict(z_dim=100),
    "+ normal noise": dict(noise="normal"),
}
STEPS, BATCH = 1000, 64  # every rung's budget: 1,000 steps of 64 images
N_EVAL = 2000  # images drawn per rung for the metrics


def rungs() -> dict[str, dict]:
    """Return {name: settings} for every rung, each with every change before it."""
    ladder, rung = {}, ORIGINAL
    for name, change in CHANGES.items():
        rung = ladder[name] = {**rung, **change}
    return ladder


def leave_one_out() -> dict[str, dict]:
    """Return {name: settings}: the last rung with one change undone (back to ``ORIGINAL``), for each change."""
    final = rungs()[list(CHANGES)[-1]]
    return {
        f"without {name.removeprefix('+ ')}": {**final, **{key: ORIGINAL[key] for key in change}}
        for name, change in CHANGES.items()
        if change
    }


def study() -> pd.DataFrame:
    """Return the stored results of ``benchmarks/ladder_study.py``: one row per run and seed, with the machine."""
    return study_csv("ladder")


def noise_sampler(kind: str, device: torch.device | str = "cpu", generator: torch.Generator | None = None):
    """Return noise(n, z_dim): seeds uniform in [0, 1) or standard normal, on ``device``."""
    if kind not in ("uniform", "normal"):
        raise ValueError(f"noise must be 'uniform' or 'normal', got {kind!r}.")
    draw = torch.rand if kind == "uniform" else torch.randn
    return lambda n, z_dim: draw(n, z_dim, generator=generator).to(device)


def train_rung(rung: dict, seed: int, images: torch.Tensor, steps: int = STEPS, batch_size: int = BATCH) -> TrainResult:
    """Train the rung's G and D on ``images`` (uint8 MNIST, on the training device) from ``seed``.

    Returns ``train_gan``'s result: ``.generator`` (in eval mode), and ``.history`` with the losses and
    the discriminator's mean verdicts D(x) and D(G(z)) every 100 steps.
    """
    device = images.device
    seed_everything(seed)
    kind = dict(activation=rung["activation"], layer_norm=rung["layer_norm"])
    G = MLPGenerator(z_dim=rung["z_dim"], hidden=(200,), output="sigmoid", **kind).to(device)
    D = MLPDiscriminator(hidden=(200,), output="sigmoid", **kind).to(device)
    config = TrainConfig(
        steps=steps,
        batch_size=batch_size,
        loss=rung["loss"],
        optimizer=rung["optimizer"],
        lr_d=rung["lr"],
        lr_g=rung["lr"],
        fast=True,
    )  # fast: gan.fast's same step, quicker
    noise = noise_sampler(rung["noise"], device)
    stream = batches(images, batch_size, generator=torch.Generator().manual_seed(seed))
    real_01 = lambda n: (next(stream) + 1) / 2  # noqa: E731  (batches are in [-1, 1]; the sigmoid's range is [0, 1])
    result = train_gan(G, D, real_01, lambda n: noise(n, rung["z_dim"]), config, progress=False)
    G.eval()
    return result


@torch.no_grad()
def draw(G: nn.Module, rung: dict, n: int = N_EVAL) -> torch.Tensor:
    """n images from fixed seeds, rescaled from the sigmoid's [0, 1] to the metrics' [-1, 1], on the CPU."""
    device = next(G.parameters()).device
    noise = noise_sampler(rung["noise"], device, generator=torch.Generator().manual_seed(1234))
    return G(noise(n, rung["z_dim"])).cpu() * 2 - 1


def score(G: nn.Module, rung: dict) -> dict[str, float]:
    """The metrics of ``draw(G, rung)`` against as many real test digits (``gan.metrics.evaluate``)."""
    return evaluate(draw(G, rung), n_reference=N_EVAL)
