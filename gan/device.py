"""Where the computation runs, and how to make it repeat: device choice and seeding.

How fast it runs (fused kernels, layouts, bfloat16) is ``gan.fast``'s business."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def available_devices() -> list[str]:
    """Return the device types usable here, fastest first (e.g. ``['cuda', 'cpu']``)."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """Return the device to train on: ``prefer`` if given, else ``$GAN_DEVICE``, else CUDA, then MPS, then CPU.

    Every chapter calls this once, so the same notebook uses Colab's GPU and a laptop's CPU.
    """
    wanted = prefer if prefer is not None else os.environ.get("GAN_DEVICE") or None
    usable = available_devices()
    if wanted is None:
        return torch.device(usable[0])
    try:
        device = torch.device(wanted)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"pick_device: prefer={wanted!r} is not a device name; use one of {usable}.") from err
    if device.type not in usable:
        raise ValueError(
            f"pick_device: device {device.type!r} is not available on this machine; available: {usable}. "
            "In Colab, choose Runtime > Change runtime type > GPU to get 'cuda'."
        )
    return device


def seed_everything(seed: int, threads: int | None = None) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and GPU) and return a seeded ``torch.Generator``.

    With the same seed, thread count, machine and versions, training repeats bit for bit.
    Different CPUs or thread counts change the floating-point order of sums, and a GAN's
    chaotic training amplifies that, so results are only reproducible on the same machine.
    The thread count is left to the machine (PyTorch uses every core) unless ``threads`` fixes it; to
    compare two runs bit for bit, fix it (``threads=``, or ``OMP_NUM_THREADS`` before Python starts, as
    ``tools/check_reproducible.py`` does). CI's nbval step re-checks the chapters on one thread, so a cell
    whose printed numbers depend on the thread count is tagged ``nbval-ignore-output``.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed_everything: seed must be a non-negative int, got {seed!r}.")
    if threads is not None:
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"seed_everything: threads must be a positive int or None, got {threads!r}.")
        torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)
