"""Generators trained long in advance that ship with the package: ``gan.pretrained.load(name)``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from .checkpoints import load_checkpoint, load_generator

if TYPE_CHECKING:
    import pandas as pd

WEIGHTS = Path(__file__).resolve().parent / "weights"
#: Results of studies too long to run live in a chapter, one CSV per study (the scripts in ``benchmarks/``; README, "Shipped weights").
STUDIES = Path(__file__).resolve().parent / "studies"
# name -> file in gan/weights/. README.md's "Shipped checkpoints" section gives the command that made each.
CHECKPOINTS = {
    "cgan": "cgan.pt",
    "dcgan": "dcgan.pt",
    "mlp-gan": "mlp_gan.pt",
    "wgan-gp": "wgan_gp.pt",
}


def names() -> list[str]:
    """Return the names of the shipped checkpoints."""
    return sorted(CHECKPOINTS)


def path(name: str) -> Path:
    """Return the file of the shipped checkpoint ``name``."""
    if name not in CHECKPOINTS:
        raise ValueError(f"Unknown pretrained checkpoint {name!r}; shipped ones: {names()}.")
    return WEIGHTS / CHECKPOINTS[name]


def load(name: str, device: torch.device | str = "cpu") -> nn.Module:
    """Return the shipped generator ``name`` in eval mode on ``device``."""
    return load_generator(path(name), device=device)


def sha256(name: str) -> str:
    """Return the SHA-256 of the shipped checkpoint ``name``'s file: what exports made from it record."""
    import hashlib

    return hashlib.sha256(path(name).read_bytes()).hexdigest()


def info(name: str) -> dict:
    """Return what the shipped checkpoint ``name`` records besides its weights (model, settings, metrics)."""
    ckpt = load_checkpoint(path(name))
    return {k: v for k, v in ckpt.items() if k not in ("generator", "discriminator")}


def study(name: str) -> pd.DataFrame:
    """Return the stored results of the study ``benchmarks/<name>.py`` wrote: ``gan/studies/<name>.csv``."""
    import pandas as pd

    file = STUDIES / f"{name}.csv"
    if not file.exists():
        shipped = sorted(p.stem for p in STUDIES.glob("*.csv"))
        raise ValueError(f"No stored study {name!r}; shipped ones: {shipped}. benchmarks/{name}.py would make it.")
    return pd.read_csv(file)
