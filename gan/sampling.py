"""Drawing images from a generator."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def sample(generator: nn.Module, n: int, seed: int | None = None, batch_size: int = 1000, labels=None) -> torch.Tensor:
    """Return ``n`` images (n, 1, 28, 28) in [-1, 1] from ``generator``, with standard normal seeds.

    With ``seed`` the same images come back every time (the seeds are drawn on the CPU). A conditional
    generator (``gan.conditional``) also takes the digits to draw: ``labels`` is one digit for all
    (an int) or one per image; without it the digits come in turn, 0, 1, ..., 9, 0, 1, ...
    """
    from .conditional import digits, is_conditional

    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"sample: n must be a positive int, got {n!r}.")
    conditional = is_conditional(generator)
    if labels is not None and not conditional:
        raise ValueError(
            f"sample: {type(generator).__name__} is not conditional, so it takes no labels; leave labels out."
        )
    device = next(generator.parameters()).device
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    z = torch.randn(n, generator.z_dim, generator=gen)
    y = digits(labels, n, generator.classes) if conditional else None
    was_training = generator.training
    generator.eval()
    try:
        if conditional:
            chunks = zip(z.split(batch_size), y.split(batch_size))
            return torch.cat([generator(zs.to(device), ys.to(device)) for zs, ys in chunks])
        return torch.cat([generator(chunk.to(device)) for chunk in z.split(batch_size)])
    finally:
        generator.train(was_training)
