"""The networks. Each ``__init__`` reads like the architecture table in its chapter."""

from __future__ import annotations

import torch
from torch import nn


class PatternDiscriminator(nn.Module):
    """Chapter 3's police: 4 -> 3 -> 1 with sigmoids; returns the probability (N, 1) that a pattern is real."""

    def __init__(self, hidden: int = 3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(4, hidden),
            nn.Sigmoid(),
            nn.Linear(hidden, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_features(self, x, 4)
        return self.net(x)


class PatternGenerator(nn.Module):
    """Chapter 3's counterfeiter: z_dim -> 3 -> 4 with sigmoids; returns patterns (N, 4) in (0, 1)."""

    def __init__(self, z_dim: int = 1, hidden: int = 3):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.Sigmoid(),
            nn.Linear(hidden, 4),
            nn.Sigmoid(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_features(self, z, self.z_dim)
        return self.net(z)


def _check_features(model: nn.Module, x: torch.Tensor, features: int) -> None:
    """Raise a readable error when ``x`` is not a float batch of shape (N, features)."""
    name = type(model).__name__
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: input must be a torch.Tensor, got {type(x).__name__}.")
    if x.dim() != 2 or x.shape[1] != features:
        raise ValueError(f"{name}: input must have shape (N, {features}), got {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise TypeError(f"{name}: input must be a float tensor, got dtype {x.dtype}; call .float() first.")
