"""The fast path: every speed-up that changes how a training step computes, behind ``TrainConfig(fast=True)``.

The code the chapters show (``gan.train_step``, the models, ``torch.optim.Adam``) is the plain
version. With ``fast=True`` the loop swaps in, here and only here:

- ``adam``: PyTorch's fused Adam kernel (one pass over every weight instead of a few small
  operations per weight tensor); the same update rule;
- ``train_step``: the same three steps as ``gan.train_step``, except that the real and the fake
  batch go through a discriminator that judges each image on its own in one pass (one matrix
  product of 2N rows instead of two of N);
- ``prepare``: convolutional networks stored channels-last (the layout oneDNN's CPU kernels and the
  GPU's tensor cores use), and on CUDA cuDNN's autotuner.

These change how the arithmetic is organised, not what is computed; ``tests/test_fast.py`` checks each:
the one-pass verdicts equal the two passes' to float32 rounding (1e-6; bit for bit for the MLP GAN at
batch 64 on our CPU, ``benchmarks/fast_path.py``; the DCGAN's discriminator has BatchNorm and keeps two
passes), and so do channels-last outputs (1e-5) and
fused-Adam updates (1e-6); one whole fast step with SGD moves the weights as the plain step does, to 1e-6. Over a run the rounding differences grow (Adam's first
steps move every weight by about its learning rate whatever the gradient's size, and a GAN's game
amplifies small differences), so a fast and a plain run from one seed end at different, equally good
networks. In float32 on a 2-core AMD EPYC, ``fast=True`` made the MLP GAN's step 1.47x and Radford et
al.'s DCGAN's 1.19x faster (fused Adam and channels-last alone; medians of 5 rounds;
``benchmarks/fast_path.py``, README "Performance"). The data pipeline's speed (uint8 images held on the
device, ``gan.data.batches``) and the loop's (one host synchronisation per ``log_every`` steps) are not
here: they change nothing a step computes.

Precision is the one speed-up that changes the arithmetic, so it is a separate, stated choice:
``TrainConfig(precision="auto")`` runs the products in bfloat16 where the hardware does bfloat16
(``training_dtype``); the default, float32, computes the same on every CPU.
"""

from __future__ import annotations

import torch
from torch import nn

from .losses import generator_loss, get_loss, probability

PRECISIONS = ("auto", "float32", "bfloat16")
# Below this many weights (G and D together) a training step is too small for bfloat16 to pay for its
# casts: the pattern GAN's step is slower with autocast, the MNIST GANs' steps are about 1.6x faster.
BF16_MIN_PARAMETERS = 100_000


def adam(params, lr: float, betas: tuple[float, float]) -> torch.optim.Adam:
    """Return Adam over ``params``, with PyTorch's fused kernel when they all live on a CPU or all on CUDA."""
    params = list(params)
    kinds = {p.device.type for p in params}
    fused = len(kinds) == 1 and kinds <= {"cpu", "cuda"} and all(p.is_floating_point() for p in params)
    return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused or None)


def prepare(device: torch.device, *modules: nn.Module) -> None:
    """Store convolutional networks' weights channels-last, in place; on CUDA also let cuDNN pick its kernels.

    On this book's CPU channels-last makes a DCGAN step about 1.1x faster. The weights' values do not change.
    """
    convolutional = [m for m in modules if any(isinstance(x, nn.modules.conv._ConvNd) for x in m.modules())]
    for module in convolutional:
        module.to(memory_format=torch.channels_last)
    if convolutional and device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # time the candidate kernels once per shape and keep the fastest


#: With ``fast=True``, a CPU run of networks with fewer parameters than this (all together) takes one thread.
ONE_THREAD_BELOW = 100_000


def threads(config, device: torch.device, *modules: nn.Module) -> int | None:
    """Return the CPU threads a run should train on, or None to leave PyTorch's setting as it is.

    ``config.threads`` when given. Otherwise, with ``config.fast`` on a CPU, one thread for networks of
    fewer than ``ONE_THREAD_BELOW`` parameters: their operations are too small to share out, so a second
    thread brings only its synchronisation. On this book's recent 2-core CPU the 1-D GAN of chapter 2
    trains as fast on one thread as on two; where the second thread is slow to answer (a CPU quota, a
    busy shared machine) one thread is several times faster.
    """
    if config.threads is not None:
        return config.threads
    small = sum(p.numel() for m in modules for p in m.parameters()) < ONE_THREAD_BELOW
    return 1 if config.fast and torch.device(device).type == "cpu" and small else None


def judge(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return D's verdicts (D(real), D(fake)), in one pass through D when that gives the same verdicts.

    One pass is safe when ``D.batch_independent`` says that D judges every image on its own (no
    BatchNorm, which mixes a batch's images); otherwise, or when it is unsure, two passes.
    """
    if getattr(D, "batch_independent", False) and real.shape[1:] == fake.shape[1:]:
        verdicts = D(torch.cat([real, fake]))
        return verdicts[: len(real)], verdicts[len(real) :]
    return D(real), D(fake)


def train_step(G, D, real, z, opt_d, opt_g, config) -> dict[str, torch.Tensor]:
    """``gan.train_step`` with D's two passes of steps 1 and 2 made one (``judge``); the same step otherwise."""
    from .training import frozen

    loss = get_loss(config.loss)
    opt_d.zero_grad(set_to_none=True)
    fake = G(z)
    d_real, d_fake = judge(D, real, fake.detach())
    d_loss = loss(d_real, 1.0) + loss(d_fake, 0.0)
    d_loss.backward()
    opt_d.step()

    opt_g.zero_grad(set_to_none=True)
    with frozen(D):
        g_loss = generator_loss(D(fake), config.loss, config.saturating)
        g_loss.backward()
    opt_g.step()
    with torch.no_grad():
        d_real, d_fake = probability(d_real, config.loss).mean(), probability(d_fake, config.loss).mean()
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake}


def faster(step):
    """Return the fast version of a step function where this module has one (else ``step`` itself)."""
    from .training import train_step as plain

    return train_step if step is plain else step


# --- precision: bfloat16 products where the hardware has them ---


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
