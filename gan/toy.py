"""2-D GANs on a ring of Gaussians: small models, the mode-collapse remedies, and mode metrics.

The remedies live where they act. On the discriminator: packing (PacGAN, ``pack``) and the minibatch
standard deviation (``minibatch_std``); on the generator: the seeds (``noise``, ``z_dim``); on the training
step: the Wasserstein loss with gradient penalty (``objective="wgan-gp"``) and the unrolled
discriminator (``unroll``). ``train_toy`` trains any combination under one ``TrainConfig``.
"""

from __future__ import annotations

import time

import pandas as pd
import torch
from torch import nn
from torch.func import functional_call

from .data import ring_centres, ring_of_gaussians
from .losses import generator_loss, get_loss
from .training import TrainConfig, TrainResult, make_optimizer


class ToyGenerator(nn.Module):
    """2-D generator: z (N, z_dim) -> hidden -> hidden -> points (N, 2), unbounded.

    ``noise`` is the seed distribution that ``seeds`` draws from: "normal" (standard normal) or "uniform" (in [0, 1)).
    """

    def __init__(self, z_dim: int = 2, hidden: int = 128, noise: str = "normal"):
        super().__init__()
        if noise not in ("normal", "uniform"):
            raise ValueError(f"ToyGenerator: noise must be 'normal' or 'uniform', got {noise!r}.")
        self.z_dim, self.noise = z_dim, noise
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 2),
        )

    def seeds(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return ``n`` seeds (n, z_dim) on the CPU from this generator's noise distribution."""
        if self.noise == "uniform":
            return torch.rand(n, self.z_dim, generator=generator)
        return torch.randn(n, self.z_dim, generator=generator)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """2-D discriminator: points (N, 2) -> one logit per group of ``pack`` points, shape (N / pack, 1).

    ``pack > 1`` (PacGAN) judges ``pack`` points together, so a batch of identical points is easy to
    spot. ``minibatch_std=True`` appends the batch's mean standard deviation of the first hidden layer
    as one more feature, so D sees how varied the whole batch is.
    """

    def __init__(self, hidden: int = 128, pack: int = 1, minibatch_std: bool = False):
        super().__init__()
        if not isinstance(pack, int) or pack < 1:
            raise ValueError(f"ToyDiscriminator: pack must be a positive int, got {pack!r}.")
        self.pack, self.minibatch_std = pack, minibatch_std
        self.first = nn.Sequential(nn.Linear(2 * pack, hidden), nn.LeakyReLU(0.2))
        self.rest = nn.Sequential(
            nn.Linear(hidden + int(minibatch_std), hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2 or x.shape[1] != 2 or len(x) % self.pack:
            raise ValueError(f"ToyDiscriminator: input must be (N, 2) with N a multiple of pack={self.pack}, "
                             f"got {tuple(x.shape)}.")
        h = self.first(x.reshape(len(x) // self.pack, 2 * self.pack))
        if self.minibatch_std:
            spread = h.std(dim=0).mean() if len(h) > 1 else h.new_zeros(())
            h = torch.cat([h, spread.expand(len(h), 1)], dim=1)
        return self.rest(h)


# --- measuring: which mode each sample belongs to, and whether it is close enough to count ---


def nearest_mode(points: torch.Tensor, centres: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (index of the nearest centre (N,), distance to it (N,)) for each point."""
    distances = torch.cdist(points.float(), centres.to(points.device).float())
    dist, index = distances.min(dim=1)
    return index, dist


def high_quality_share(points: torch.Tensor, centres: torch.Tensor, std: float, sigmas: float = 3.0) -> float:
    """Return the share of points within ``sigmas`` standard deviations of some mode, in [0, 1]."""
    _, dist = nearest_mode(points, centres)
    return float((dist <= sigmas * std).double().mean())


def mode_counts(points: torch.Tensor, centres: torch.Tensor, std: float, sigmas: float = 3.0) -> torch.Tensor:
    """Return the number of high-quality points at each mode, shape (modes,)."""
    index, dist = nearest_mode(points, centres)
    return torch.bincount(index[dist <= sigmas * std].cpu(), minlength=len(centres))


def modes_covered(points: torch.Tensor, centres: torch.Tensor, std: float, sigmas: float = 3.0,
                  min_share: float | None = None) -> int:
    """Return how many modes get at least ``min_share`` of the points as high-quality samples (0 to modes).

    By default a mode needs a tenth of its fair share, ``0.1 / modes`` (1.25% of the points for 8 modes).
    """
    min_share = 0.1 / len(centres) if min_share is None else min_share
    return int((mode_counts(points, centres, std, sigmas) >= min_share * len(points)).sum())


@torch.no_grad()
def sample_points(G: nn.Module, n: int = 2000, seed: int | None = 0) -> torch.Tensor:
    """Return ``n`` points (n, 2) from ``G`` on the CPU, from ``G.seeds`` drawn with ``seed``."""
    device = next(G.parameters()).device
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    z = G.seeds(n, generator=gen).to(device)
    return G(z).cpu()


def ring_scores(G: nn.Module, std: float, modes: int = 8, radius: float = 2.0, n: int = 2000,
                seed: int = 0) -> dict[str, float]:
    """Return {"modes": modes covered (0 to ``modes``), "hq": high-quality share in [0, 1]} for ``n`` samples of ``G``."""
    points, centres = sample_points(G, n, seed), ring_centres(modes, radius)
    return {"modes": modes_covered(points, centres, std), "hq": high_quality_share(points, centres, std)}


# --- training: one step per objective, one loop for all ---


def gan_step(G, D, real, z, opt_d, opt_g, config: TrainConfig, unroll: int = 0,
             unroll_lr: float | None = None) -> torch.Tensor:
    """Run one (optionally unrolled) non-saturating GAN step and return [d_loss, g_loss] as one tensor.

    With ``unroll > 0`` the generator is trained against D after ``unroll`` plain SGD steps of size
    ``unroll_lr`` (default ``config.lr_d``), differentiated through; D itself takes only its usual step.
    """
    loss = get_loss("bce_logits")
    opt_d.zero_grad(set_to_none=True)
    fake = G(z)
    d_loss = loss(D(real), 1.0) + loss(D(fake.detach()), 0.0)
    d_loss.backward()
    opt_d.step()

    opt_g.zero_grad(set_to_none=True)
    if unroll:
        # G answers not today's D but D after `unroll` more SGD steps, and differentiates through those
        # steps (create_graph=True): a G that piles onto one mode sees D's coming reaction and stops.
        step_size = config.lr_d if unroll_lr is None else unroll_lr
        params = dict(D.named_parameters())
        for _ in range(unroll):
            inner = loss(functional_call(D, params, real), 1.0) + loss(functional_call(D, params, fake), 0.0)
            grads = torch.autograd.grad(inner, list(params.values()), create_graph=True)
            params = {name: p - step_size * g for (name, p), g in zip(params.items(), grads)}
        g_loss = generator_loss(functional_call(D, params, fake), "bce_logits")
    else:
        g_loss = generator_loss(D(fake), "bce_logits")
    g_loss.backward()
    opt_g.step()
    return torch.stack([d_loss, g_loss]).detach()


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Return the WGAN-GP penalty E[(||grad D(x_hat)|| - 1)^2] on random interpolates x_hat of real and fake."""
    alpha = torch.rand(len(real), 1, device=real.device)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).square().mean()


def wgan_gp_step(G, D, real, z, opt_d, opt_g, config: TrainConfig, n_critic: int = 5,
                 gp_weight: float = 10.0) -> torch.Tensor:
    """Run ``n_critic`` critic steps and one generator step of WGAN-GP; return [d_loss, g_loss] as one tensor."""
    # The critic scores instead of classifying: it wants high scores on real data, low on fakes.
    # Reusing the same real batch for every critic step keeps the data budget equal to the other methods.
    for _ in range(n_critic):
        opt_d.zero_grad(set_to_none=True)
        fake = G(G.seeds(len(z)).to(z.device)).detach()
        d_loss = D(fake).mean() - D(real).mean() + gp_weight * gradient_penalty(D, real, fake)
        d_loss.backward()
        opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    g_loss = -D(G(z)).mean()
    g_loss.backward()
    opt_g.step()
    return torch.stack([d_loss, g_loss]).detach()


def train_toy(G: nn.Module, D: nn.Module, config: TrainConfig, std: float = 0.05, objective: str = "gan",
              unroll: int = 0, unroll_lr: float | None = None, anneal: bool = False, seed: int = 0,
              callback=None) -> TrainResult:
    """Train ``G`` against ``D`` on the ring of 8 Gaussians (radius 2, ``std``) and return a ``TrainResult``.

    ``objective`` is "gan" (non-saturating BCE on logits, optionally ``unroll``-ed) or "wgan-gp".
    ``unroll`` is the number of look-ahead SGD steps of D that G differentiates through (0: none), each of
    size ``unroll_lr`` (default ``config.lr_d``). ``anneal=True`` lowers both learning rates linearly to 0.
    The data and noise come from a generator seeded with ``seed``, so two methods see the same batches.
    With ``config.ema`` the result's ``ema_generator`` holds an exponential moving average of G's weights.
    Every ``config.log_every`` steps a history row is recorded and ``callback(step, G, D)`` is called.
    """
    if objective not in ("gan", "wgan-gp"):
        raise ValueError(f"train_toy: objective must be 'gan' or 'wgan-gp', got {objective!r}.")
    if not isinstance(unroll, int) or isinstance(unroll, bool) or unroll < 0:
        raise ValueError(f"train_toy: unroll must be a non-negative int (0: no unrolling), got {unroll!r}.")
    if unroll_lr is not None and not unroll_lr > 0:
        raise ValueError(f"train_toy: unroll_lr must be positive (or None for config.lr_d), got {unroll_lr!r}.")
    if objective == "wgan-gp" and unroll:
        raise ValueError("train_toy: unrolling is implemented for objective='gan' only.")
    if config.steps is None:
        raise ValueError("train_toy: give config.steps; comparisons need the same number of steps.")
    device = next(G.parameters()).device
    data = torch.Generator().manual_seed(seed)
    opt_d = make_optimizer(D.parameters(), config, config.lr_d)
    opt_g = make_optimizer(G.parameters(), config, config.lr_g)
    # anneal=True lowers both learning rates linearly to zero: the last steps then polish the modes
    # instead of jumping around them.
    decay = [torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1 - i / config.steps) for opt in (opt_d, opt_g)]
    ema = None
    if config.ema is not None:
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        ema = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(config.ema), use_buffers=True)
    rows, window, start = [], torch.zeros(2, device=device), time.perf_counter()
    for step in range(1, config.steps + 1):
        real = ring_of_gaussians(config.batch_size, std=std, generator=data).to(device)
        z = G.seeds(config.batch_size, generator=data).to(device)
        if objective == "wgan-gp":
            window += wgan_gp_step(G, D, real, z, opt_d, opt_g, config)
        else:
            window += gan_step(G, D, real, z, opt_d, opt_g, config, unroll, unroll_lr)
        if anneal:
            for scheduler in decay:
                scheduler.step()
        if ema is not None:
            ema.update_parameters(G)
        if step % config.log_every == 0:
            d_loss, g_loss = (window / config.log_every).tolist()
            window.zero_()
            rows.append(dict(step=step, d_loss=d_loss, g_loss=g_loss, seconds=time.perf_counter() - start))
            if callback is not None:
                callback(step, G, D)
    history = pd.DataFrame(rows, columns=["step", "d_loss", "g_loss", "seconds"])
    ema_generator = ema.module.eval() if ema is not None else None
    return TrainResult(G, D, history, config.steps, time.perf_counter() - start, ema_generator=ema_generator)
