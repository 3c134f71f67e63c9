"""The Dirac-GAN of Mescheder, Geiger & Nowozin (2018): the smallest game that shows how GAN training moves.

The data are one point, x = 0. The generator puts all its samples at one point, ``theta``; the
discriminator is linear, D(x) = ``psi`` * x. With the GAN's objective written as
``V(theta, psi) = f(psi * theta) + f(0)`` and f(t) = -log(1 + exp(-t)), the discriminator ascends V
and the generator descends it. The equilibrium is (theta, psi) = (0, 0): the generator on the data,
and a discriminator that cannot tell them apart. ``field`` gives the direction each player moves,
``trajectory`` follows the players' gradient steps (simultaneous or alternating), and
``update_jacobian`` linearises one step at the equilibrium, whose eigenvalues say whether the steps
spiral in (all of modulus below 1), circle (modulus 1) or spiral out (above 1).
"""

from __future__ import annotations

import math

import torch

#: Objectives: the GAN's (the generator descends V); the non-saturating one, whose generator step uses
#: f'(-psi * theta) in place of f'(psi * theta), as in the authors' code; the Wasserstein GAN's, f(t) = t.
LOSSES = ("gan", "non-saturating", "wgan")
MODES = ("simultaneous", "alternating")


def _f_prime(t: torch.Tensor, loss: str) -> torch.Tensor:
    """f'(t): sigmoid(-t) for f(t) = -log(1 + exp(-t)); 1 for the Wasserstein GAN's f(t) = t."""
    return torch.ones_like(t) if loss == "wgan" else torch.sigmoid(-t)


def _check(loss: str, r1: float) -> None:
    if loss not in LOSSES:
        raise ValueError(f"Dirac-GAN: loss must be one of {LOSSES}, got {loss!r}.")
    if isinstance(r1, bool) or not isinstance(r1, (int, float)) or not math.isfinite(r1) or r1 < 0:
        raise ValueError(f"Dirac-GAN: r1 must be a number >= 0 (the penalty's weight gamma), got {r1!r}.")


def field(theta, psi, loss: str = "gan", r1: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (v_theta, v_psi): the direction of the generator's and of the discriminator's gradient step.

    v_theta = -dV/dtheta = -psi f'(psi theta) (the generator descends V; for the non-saturating loss it
    ascends f(-psi theta) instead, which gives -psi f'(-psi theta)); v_psi = dV/dpsi = theta f'(psi theta),
    minus ``r1`` * psi for the R1 penalty (r1 / 2) * D'(x)^2 = (r1 / 2) psi^2 at the data.
    """
    _check(loss, r1)
    theta, psi = torch.as_tensor(theta, dtype=torch.float64), torch.as_tensor(psi, dtype=torch.float64)
    g_arg = -psi * theta if loss == "non-saturating" else psi * theta
    v_theta = -psi * _f_prime(g_arg, loss)
    v_psi = theta * _f_prime(psi * theta, loss) - r1 * psi
    return v_theta, v_psi


def step(
    theta,
    psi,
    lr: float = 0.1,
    lr_d: float | None = None,
    mode: str = "simultaneous",
    loss: str = "gan",
    r1: float = 0.0,
    d_steps: int = 1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One training step from (theta, psi): the generator's learning rate ``lr``, the discriminator's ``lr_d``
    (``lr`` if None). "simultaneous": both move from the same point. "alternating": the generator
    moves, then the discriminator takes ``d_steps`` steps against the moved generator (the order of the
    authors' code)."""
    if mode not in MODES:
        raise ValueError(f"Dirac-GAN: mode must be one of {MODES}, got {mode!r}.")
    if not isinstance(d_steps, int) or isinstance(d_steps, bool) or d_steps < 1:
        raise ValueError(f"Dirac-GAN: d_steps must be a positive int, got {d_steps!r}.")
    if mode == "simultaneous" and d_steps != 1:
        raise ValueError("Dirac-GAN: several discriminator steps per generator step need mode='alternating'.")
    lr_d = lr if lr_d is None else lr_d
    if mode == "simultaneous":
        v_theta, v_psi = field(theta, psi, loss, r1)
        return theta + lr * v_theta, psi + lr_d * v_psi
    theta = theta + lr * field(theta, psi, loss, r1)[0]
    for _ in range(d_steps):
        psi = psi + lr_d * field(theta, psi, loss, r1)[1]
    return theta, psi


def trajectory(theta0: float, psi0: float, steps: int, **options) -> torch.Tensor:
    """Return the points (steps + 1, 2) of ``steps`` training steps from (theta0, psi0); options as ``step``."""
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"Dirac-GAN: steps must be an int >= 0, got {steps!r}.")
    theta, psi = torch.tensor(float(theta0), dtype=torch.float64), torch.tensor(float(psi0), dtype=torch.float64)
    points = [torch.stack([theta, psi])]
    for _ in range(steps):
        theta, psi = step(theta, psi, **options)
        points.append(torch.stack([theta, psi]))
    return torch.stack(points)


def update_jacobian(**options) -> torch.Tensor:
    """Return the 2 x 2 Jacobian of one ``step`` (options as there) at the equilibrium (0, 0), in float64.

    Near the equilibrium the steps apply this matrix again and again, so over many steps the distance
    from the equilibrium changes by about the largest modulus of its eigenvalues (``torch.linalg.eigvals``)
    per step (single steps can differ, when the matrix is not a rotation): below 1 the steps converge,
    above 1 they diverge.
    """

    def update(point):
        return torch.stack(step(point[0], point[1], **options))

    return torch.autograd.functional.jacobian(update, torch.zeros(2, dtype=torch.float64))


# --- the stabilisers, on real networks ---


def _noisy(x: torch.Tensor, std: float) -> torch.Tensor:
    """``x`` with Gaussian noise of standard deviation ``std`` added (instance noise); ``x`` itself for 0."""
    return x + std * torch.randn_like(x) if std > 0 else x


def stabilised_step(
    G,
    D,
    real,
    z,
    opt_d,
    opt_g,
    config,
    next_real=None,
    next_z=None,
    d_steps: int = 1,
    r1: float = 0.0,
    noise_std: float = 0.0,
    real_label: float = 1.0,
) -> dict[str, torch.Tensor]:
    """``gan.train_step`` with the common stabilisers as options; with the defaults, the same updates.

    - ``d_steps``: the discriminator's steps per generator step, the k of Goodfellow et al.'s
      Algorithm 1; each after the first takes a fresh batch ``next_real()`` and fresh seeds
      ``next_z(n)`` (by default ``G.seeds(n)``).
    - ``r1``: the weight gamma of the R1 penalty (gamma / 2) E ||grad_x D(x)||^2 on real data
      (Mescheder et al. 2018); with instance noise, at the noisy real inputs D sees.
    - ``noise_std``: instance noise, Gaussian noise added to every image D sees, real or fake
      (Sønderby et al. 2017; Arjovsky & Bottou 2017).
    - ``real_label``: the target for real data in D's loss; 0.9 is the one-sided label smoothing of
      Salimans et al. (2016).

    The two time-scale rule is not a step: it is ``config.lr_d`` and ``config.lr_g``.
    """
    from .losses import generator_loss, get_loss
    from .training import frozen

    if not isinstance(d_steps, int) or isinstance(d_steps, bool) or d_steps < 1:
        raise ValueError(f"stabilised_step: d_steps must be a positive int, got {d_steps!r}.")
    if d_steps > 1 and next_real is None:
        raise ValueError("stabilised_step: several discriminator steps need next_real, a source of fresh batches.")
    loss = get_loss(config.loss)
    for k in range(d_steps):
        if k > 0:
            real = next_real()
        seeds = z if k == 0 else (next_z or G.seeds)(len(real)).to(real.device)
        opt_d.zero_grad(set_to_none=True)
        real_in = _noisy(real, noise_std)
        if r1 > 0:  # a new tensor that records its gradient; the caller's batch is left as it was
            real_in = real_in.detach().requires_grad_(True)
        d_real = D(real_in)
        d_fake = D(_noisy(G(seeds).detach(), noise_std))
        d_loss = loss(d_real, real_label) + loss(d_fake, 0.0)
        if r1 > 0:
            (grad,) = torch.autograd.grad(d_real.sum(), real_in, create_graph=True)
            d_loss = d_loss + r1 / 2 * grad.flatten(1).square().sum(1).mean()
        d_loss.backward()
        opt_d.step()

    opt_g.zero_grad(set_to_none=True)
    with frozen(D):
        g_loss = generator_loss(D(_noisy(G(z), noise_std)), config.loss, config.saturating)
        g_loss.backward()
    opt_g.step()
    return {"d_loss": d_loss, "g_loss": g_loss}
