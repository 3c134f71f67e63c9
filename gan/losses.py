"""The losses a discriminator and a generator can be trained with, by name."""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Each loss takes the discriminator's output and a target (1 = real, 0 = fake) and returns a scalar.
# "mse" and "bce" expect probabilities (a sigmoid at the end of D); "bce_logits" expects raw logits,
# which is the numerically stable choice for bigger networks.
LOSSES = {
    "mse": lambda out, target: F.mse_loss(out, torch.full_like(out, target)),
    "bce": lambda out, target: F.binary_cross_entropy(out, torch.full_like(out, target)),
    "bce_logits": lambda out, target: F.binary_cross_entropy_with_logits(out, torch.full_like(out, target)),
}


def get_loss(name: str):
    """Return the loss function called ``name`` (one of ``LOSSES``)."""
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]


def probability(out: torch.Tensor, loss: str) -> torch.Tensor:
    """Return D's output as a probability in [0, 1], whatever the loss expects it to be."""
    return torch.sigmoid(out) if loss == "bce_logits" else out


def generator_loss(d_fake: torch.Tensor, loss: str, saturating: bool = False) -> torch.Tensor:
    """Return G's loss on D's verdict ``d_fake``.

    Non-saturating (the default, and what everybody uses): G minimises loss(D(G(z)), real), i.e.
    -log D(G(z)) for BCE. Saturating (the minimax game as written): G maximises D's loss on fakes,
    i.e. minimises log(1 - D(G(z))), whose gradient vanishes when D confidently rejects the fakes.
    """
    fn = get_loss(loss)
    if not saturating:
        return fn(d_fake, 1.0)
    if loss == "mse":
        raise ValueError("The saturating generator loss is defined for 'bce' and 'bce_logits', not 'mse'.")
    return -fn(d_fake, 0.0)


# --- the semi-supervised GAN's losses (chapter 10; gan.sgan) ---


def real_probability(logits: torch.Tensor) -> torch.Tensor:
    """Return D(x) = Z / (Z + 1), Z = sum exp(logits): the probability that x is real, in (0, 1)."""
    return torch.sigmoid(torch.logsumexp(logits, dim=1))


def unsupervised_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """Return -mean log D(x) - mean log(1 - D(G(z))) with D = Z / (Z + 1), computed stably from the logits.

    With l = logsumexp(logits): log D = l - softplus(l) and log(1 - D) = -softplus(l).
    """
    l_real, l_fake = torch.logsumexp(logits_real, 1), torch.logsumexp(logits_fake, 1)
    return -(l_real - F.softplus(l_real)).mean() + F.softplus(l_fake).mean()


def feature_matching_loss(features_real: torch.Tensor, features_fake: torch.Tensor) -> torch.Tensor:
    """Return ||mean f(x) - mean f(G(z))||² over the batch: G's loss under feature matching."""
    return (features_real.mean(0) - features_fake.mean(0)).pow(2).sum()
