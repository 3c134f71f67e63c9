"""Where the computation runs, and how to make it repeat: device choice and seeding."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

DEFAULT_THREADS = 2


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


def seed_everything(seed: int, threads: int | None = DEFAULT_THREADS) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and GPU), fix torch's CPU thread count, and return a seeded generator.

    With the same seed, thread count, machine and versions, training repeats bit for bit.
    Different CPUs or thread counts change the floating-point order of sums, and a GAN's
    chaotic training amplifies that, so results are only reproducible on the same machine.
    ``threads=None`` leaves torch's thread count alone.
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


PRECISIONS = ("auto", "float32", "bfloat16")
# Below this many weights (G and D together) a training step is too small for bfloat16 to pay for its
# casts: the pattern GAN's step is slower with autocast, the MNIST GANs' steps are about 1.6x faster.
BF16_MIN_PARAMETERS = 100_000


def native_bf16(device: torch.device | str) -> bool:
    """Return True when ``device`` does bfloat16 arithmetic in hardware.

    CUDA GPUs from Ampere on (compute capability 8.0) do, and so do CPUs with AVX512-BF16 or AMX
    instructions; elsewhere bfloat16 is emulated and slower than float32.
    """
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.get_device_capability(device)[0] >= 8
    if device.type == "cpu":
        capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
        if capability is not None and not capability().startswith("AVX512"):
            return False  # e.g. ATEN_CPU_CAPABILITY=avx2: PyTorch was told not to use those instructions
        cpu = getattr(torch, "cpu", None)
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(getattr(cpu, name, lambda: False)() for name in checks)
    return False


def training_dtype(precision: str, device: torch.device | str, *modules: torch.nn.Module) -> torch.dtype:
    """Return the dtype the training step's matrix products run in: torch.float32 or torch.bfloat16.

    ``"auto"`` picks bfloat16 (weights, optimiser state and losses stay float32; only the products run in
    bfloat16, under ``torch.autocast``) when the device does it in hardware and the networks have at least
    ``BF16_MIN_PARAMETERS`` weights; ``"float32"`` and ``"bfloat16"`` force one.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}.")
    if precision == "auto":
        big = sum(p.numel() for m in modules for p in m.parameters()) >= BF16_MIN_PARAMETERS
        return torch.bfloat16 if big and native_bf16(device) else torch.float32
    return torch.bfloat16 if precision == "bfloat16" else torch.float32


def precision_context(device: torch.device | str, dtype: torch.dtype):
    """Return the context that runs a training step's products in ``dtype`` (a no-op for float32)."""
    device = torch.device(device)
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16)
