"""Conditional GANs: the digit to draw given to both networks (Mirza & Osindero 2014).

``conditional_step`` is ``gan.train_step`` with the digit as a second input of G and D: the real batch
comes with its labels, and the generator draws the same digits, so that real and fake batches have the
same classes. ``gan.train_mnist("cgan")`` trains the conditional recipe with it, in the package's one
loop (``gan.train_gan``), on batches of (images, labels).
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from .data import CLASSES
from .losses import generator_loss, get_loss, probability
from .training import TrainConfig, frozen


def conditional_step(G, D, real, z, opt_d, opt_g, config: TrainConfig) -> dict[str, torch.Tensor]:
    """One conditional GAN step on ``real = (images, labels)``; returns what ``gan.train_step`` returns."""
    images, labels = real
    loss = get_loss(config.loss)

    # 1 and 2: D learns to say 1 on a real digit with its label, 0 on a fake one with the label it was asked for
    opt_d.zero_grad(set_to_none=True)
    fake = G(z, labels)  # the generator draws the batch's digits
    d_real = D(images, labels)
    d_fake = D(fake.detach(), labels)
    d_loss = loss(d_real, 1.0) + loss(d_fake, 0.0)
    d_loss.backward()
    opt_d.step()

    # 3: G learns to make D say 1 on its digit, given that digit's label
    opt_g.zero_grad(set_to_none=True)
    with frozen(D):
        g_loss = generator_loss(D(fake, labels), config.loss, config.saturating)
        g_loss.backward()
    opt_g.step()

    with torch.no_grad():
        d_real, d_fake = probability(d_real, config.loss).mean(), probability(d_fake, config.loss).mean()
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake}


def is_conditional(G: nn.Module) -> bool:
    """Return True for a network that takes a digit as well as its input (its class says ``conditional = True``)."""
    return getattr(type(G), "conditional", False) is True


def digits(labels, n: int, classes: int = CLASSES) -> torch.Tensor:
    """Return ``n`` class labels: every class in turn (``labels=None``), one digit (an int), or ``labels`` checked."""
    if labels is None:
        return torch.arange(n) % classes
    if isinstance(labels, torch.Tensor) and labels.dim() == 0:
        labels = labels.item()
    if isinstance(labels, numbers.Integral) and not isinstance(labels, bool):
        if not 0 <= labels < classes:
            raise ValueError(f"digit must be between 0 and {classes - 1}, got {labels}.")
        return torch.full((n,), int(labels), dtype=torch.long)
    labels = torch.as_tensor(labels)
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}.")
    if labels.shape != (n,):
        raise ValueError(f"labels must be {n} class indices (one per image), got shape {tuple(labels.shape)}.")
    if n and not (0 <= labels.min() and labels.max() < classes):
        raise ValueError(
            f"labels must lie in 0..{classes - 1}, got values from {labels.min().item()} to {labels.max().item()}."
        )
    return labels.long()
