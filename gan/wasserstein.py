"""The Wasserstein GAN (chapter 13): a critic instead of a discriminator, and three ways to keep its slope at most 1.

A critic T scores points instead of classifying them. Trained to make E T(real) - E T(fake) as large as it
can over functions whose slope is at most 1 (1-Lipschitz), its best value is the 1-Wasserstein distance
between the two distributions (the Kantorovich-Rubinstein duality). The slope is held down by weight
clipping (Arjovsky et al. 2017: ``clip_weights``), a gradient penalty (Gulrajani et al. 2017:
``gradient_penalty``) or spectral normalisation (Miyato et al. 2018: ``spectral_normalise``, or the
networks' ``spectral_norm=True``). ``wgan_step`` is one training step with clipping or the penalty.

The chapter's first picture lives here too: two distributions that differ only by a shift ``theta``
(``shifted``), their Jensen-Shannon divergence (``js_divergence_shift``) and Wasserstein distance, and
the gradient a generator gets from a trained discriminator or critic (``generator_gradients``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

CONSTRAINTS = ("clip", "gp")


def critic_loss(t_real: torch.Tensor, t_fake: torch.Tensor) -> torch.Tensor:
    """Return the critic's loss E T(fake) - E T(real): minus its estimate of the Wasserstein distance."""
    return t_fake.mean() - t_real.mean()


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Return the WGAN-GP penalty E[(||grad D(x_hat)|| - 1)^2] on random interpolates x_hat of real and fake."""
    alpha = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).square().mean()


@torch.no_grad()
def clip_weights(D: nn.Module, c: float) -> None:
    """Clip every parameter of ``D`` into [-c, c], in place (WGAN's way to bound the critic's slope)."""
    for p in D.parameters():
        p.clamp_(-c, c)


def spectral_normalise(module: nn.Module) -> nn.Module:
    """Divide the weight of every Linear and Conv2d layer in ``module`` by its largest singular value; return it.

    Uses ``torch.nn.utils.parametrizations.spectral_norm``: one step of power iteration per forward pass
    in training mode estimates the singular value. Each linear layer then has slope at most 1, and with
    slope-1 activations (ReLU, leaky ReLU) so has the network.
    """
    from torch.nn.utils.parametrizations import spectral_norm

    for layer in list(module.modules()):
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            spectral_norm(layer)
    return module


def wgan_step(
    G,
    D,
    real,
    z,
    opt_d,
    opt_g,
    config,
    next_real=None,
    next_z=None,
    n_critic: int = 5,
    constraint: str = "gp",
    gp_weight: float = 10.0,
    clip: float = 0.01,
) -> dict[str, torch.Tensor]:
    """Run ``n_critic`` critic steps and one generator step of the Wasserstein GAN; return the losses.

    ``constraint`` keeps the critic's slope in check: "gp" adds ``gp_weight`` times the gradient penalty
    to its loss (WGAN-GP), "clip" clips its weights into [-clip, clip] after each update (WGAN). The first
    critic step uses ``real``, each further one a fresh batch ``next_real()``; the fakes of each critic step
    come from fresh seeds ``next_z(n)`` (``G.seeds(n)`` by default). ``wasserstein`` in the result is the
    critic's last estimate E T(real) - E T(fake), without the penalty. ``config`` (the loop's
    ``TrainConfig``) is part of every step's signature in ``gan.train_gan``; this step needs nothing from it.
    """
    if constraint not in CONSTRAINTS:
        raise ValueError(f"wgan_step: constraint must be one of {CONSTRAINTS}, got {constraint!r}.")
    if next_z is None:
        next_z = lambda n: G.seeds(n).to(z.device)  # noqa: E731
    # The critic scores instead of classifying: it wants high scores on real data, low on fakes.
    for k in range(n_critic):
        if k > 0:
            real = next_real()
        opt_d.zero_grad(set_to_none=True)
        fake = G(next_z(len(real))).detach()
        t_fake = D(fake)  # before D(real): the order the gradients are summed in, kept from chapter 7's runs
        d_loss = critic_loss(D(real), t_fake)
        estimate = -d_loss.detach()
        if constraint == "gp":
            d_loss = d_loss + gp_weight * gradient_penalty(D, real, fake)
        d_loss.backward()
        opt_d.step()
        if constraint == "clip":
            clip_weights(D, clip)
    # The generator wants the critic's scores of its samples high: it walks up the critic's slope.
    opt_g.zero_grad(set_to_none=True)
    g_loss = -D(G(z)).mean()
    g_loss.backward()
    opt_g.step()
    return {"d_loss": d_loss, "g_loss": g_loss, "wasserstein": estimate}


# --- the chapter's first picture: two distributions that differ by a shift ---


def shifted(n: int, theta: float | torch.Tensor, sigma: float = 0.05, generator=None) -> torch.Tensor:
    """Return n points (N, 2): x = theta + sigma * normal noise, y uniform in [0, 1).

    With sigma -> 0 this is Arjovsky et al.'s first example: a vertical segment at x = theta. Two such
    distributions (theta = 0 and theta) differ only by a shift, so their 1-Wasserstein distance is abs(theta).
    """
    x = sigma * torch.randn(n, 1, generator=generator)
    y = torch.rand(n, 1, generator=generator)
    return torch.cat([x + theta, y], dim=1)


def js_divergence_shift(theta: float, sigma: float = 0.05, points: int = 200_001) -> float:
    """Return JSD(P_0, P_theta) in nats for ``shifted``'s two distributions, by numerical integration.

    The y-coordinates are identical, so the divergence is that of the x-marginals, N(0, sigma^2) and
    N(theta, sigma^2): the integral of p log(2p / (p + q)) / 2 + q log(2q / (p + q)) / 2 on a fine grid.
    """
    lo, hi = min(0.0, theta) - 12 * sigma, max(0.0, theta) + 12 * sigma
    x = torch.linspace(lo, hi, points, dtype=torch.float64)
    log_norm = math.log(sigma * math.sqrt(2 * math.pi))  # in float64 (torch.distributions would use float32)
    log_p = -0.5 * (x / sigma) ** 2 - log_norm
    log_q = -0.5 * ((x - theta) / sigma) ** 2 - log_norm
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)  # in logs: no 0 / 0 where both densities underflow
    integrand = 0.5 * log_p.exp() * (log_p - log_m) + 0.5 * log_q.exp() * (log_q - log_m)
    return torch.trapezoid(integrand, x).item()


def small_critic(hidden: int = 64, spectral_norm: bool = False) -> nn.Module:
    """Return the chapter's 2-D network: points (N, 2) -> 2 hidden layers of ``hidden`` leaky-ReLU units -> (N, 1)."""
    net = nn.Sequential(
        nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)
    )
    return spectral_normalise(net) if spectral_norm else net


def fit(
    theta: float,
    loss: str = "gp",
    steps: int = 300,
    seed: int = 0,
    batch: int = 256,
    sigma: float = 0.05,
    gp_weight: float = 10.0,
):
    """Train a ``small_critic`` to tell P_0 (real) from P_theta (fake) for ``steps`` steps from ``seed``; return it.

    ``loss`` is "gan" (a discriminator: the GAN's loss on logits, Adam(1e-3, betas (0.5, 0.999))), "gp"
    (a critic: the Wasserstein loss with gradient penalty ``gp_weight``, Adam(1e-3, betas (0.5, 0.9))) or "clip" (a
    critic with WGAN's settings: RMSProp(5e-5), weights clipped into [-0.01, 0.01] after each update).
    """
    if loss not in ("gan", "gp", "clip"):
        raise ValueError(f"fit: loss must be 'gan', 'gp' or 'clip', got {loss!r}.")
    torch.manual_seed(seed)
    data = torch.Generator().manual_seed(seed)
    T = small_critic()
    if loss == "clip":
        opt = torch.optim.RMSprop(T.parameters(), lr=5e-5)
    else:
        opt = torch.optim.Adam(T.parameters(), lr=1e-3, betas=(0.5, 0.999) if loss == "gan" else (0.5, 0.9))
    for _ in range(steps):
        real, fake = shifted(batch, 0.0, sigma, data), shifted(batch, theta, sigma, data)
        opt.zero_grad(set_to_none=True)
        if loss == "gan":
            t_real, t_fake = T(real), T(fake)
            value = F.binary_cross_entropy_with_logits(t_real, torch.ones_like(t_real))
            value = value + F.binary_cross_entropy_with_logits(t_fake, torch.zeros_like(t_fake))
        else:
            value = critic_loss(T(real), T(fake))
            if loss == "gp":
                value = value + gp_weight * gradient_penalty(T, real, fake)
        value.backward()
        opt.step()
        if loss == "clip":
            clip_weights(T, 0.01)
    return T


def generator_gradients(theta: float, steps: int = 800, seed: int = 0, sigma: float = 0.05) -> dict:
    """Return the gradients a generator gets at shift ``theta`` from a trained discriminator and critic.

    The generator is the shift itself: its samples are ``shifted(n, theta)``, so its only parameter is
    theta, and its loss's derivative in theta says how hard it is pushed towards the data (positive:
    towards theta = 0). The discriminator and the critic are ``fit(theta, "gan")`` and ``fit(theta, "gp")``.
    Returns the derivatives of the saturating loss log(1 - D), the non-saturating loss -log D and the
    Wasserstein generator loss -T, D's mean verdict on the fakes, and the critic's estimate of the distance.
    """
    D, T = fit(theta, "gan", steps, seed, sigma=sigma), fit(theta, "gp", steps, seed, sigma=sigma)
    data = torch.Generator().manual_seed(seed + 1)
    shift = torch.tensor(float(theta), requires_grad=True)
    fake = shifted(4096, 0.0, sigma, data) + torch.stack([shift, torch.zeros(())])
    logits = D(fake)
    saturating = -F.softplus(logits).mean()  # log(1 - D) = -softplus(logit)
    non_saturating = F.softplus(-logits).mean()  # -log D = softplus(-logit)
    wasserstein = -T(fake).mean()
    losses = (saturating, non_saturating, wasserstein)
    grads = [torch.autograd.grad(loss, shift, retain_graph=True)[0].item() for loss in losses]
    with torch.no_grad():
        estimate = (T(shifted(4096, 0.0, sigma, data)).mean() - T(shifted(4096, theta, sigma, data)).mean()).item()
    return dict(
        theta=theta,
        saturating=grads[0],
        non_saturating=grads[1],
        critic=grads[2],
        d_on_fakes=torch.sigmoid(logits).mean().item(),
        critic_estimate=estimate,
    )
