"""Drawing images from a generator."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def sample(generator: nn.Module, n: int, seed: int | None = None, batch_size: int = 1000) -> torch.Tensor:
    """Return ``n`` images (n, 1, 28, 28) in [-1, 1] from ``generator``, with standard normal seeds.

    With ``seed`` the same images come back every time (the seeds are drawn on the CPU).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"sample: n must be a positive int, got {n!r}.")
    device = next(generator.parameters()).device
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    z = torch.randn(n, generator.z_dim, generator=gen)
    was_training = generator.training
    generator.eval()
    try:
        return torch.cat([generator(chunk.to(device)) for chunk in z.split(batch_size)])
    finally:
        generator.train(was_training)
