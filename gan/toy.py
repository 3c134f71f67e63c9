"""2-D GANs on a ring of Gaussians: small models, the mode-collapse remedies, and mode metrics.

The remedies live where they act. On the discriminator: packing (PacGAN, ``pack``) and the minibatch
standard deviation (``minibatch_std``); on the generator: the seeds (``noise``, ``z_dim``); on the training
step: the Wasserstein loss with gradient penalty or weight clipping (``objective="wgan-gp"`` or
``"wgan-clip"``, ``gan.wasserstein.wgan_step``) and the unrolled discriminator (``unroll``, ``unrolled_step``). ``train_toy`` trains any combination under one
``TrainConfig`` with the package's one loop, ``gan.train_gan``.
``RECIPES`` holds the methods as their authors ran them on the ring, and ``train_recipe`` trains one.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import torch
from torch import nn
from torch.func import functional_call

from .data import ring_centres, ring_of_gaussians
from .losses import generator_loss, get_loss
from .training import TrainConfig, TrainResult, train_gan, train_step
from .wasserstein import gradient_penalty, wgan_step  # noqa: F401  (gradient_penalty: gan.toy's name since chapter 7)

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh}


class Maxout(nn.Module):
    """A maxout layer (Goodfellow et al. 2013): ``pieces`` linear units per output, keeping the largest."""

    def __init__(self, n_in: int, n_out: int, pieces: int = 5):
        super().__init__()
        self.pieces = pieces
        self.linear = nn.Linear(n_in, n_out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).unflatten(-1, (-1, self.pieces)).amax(-1)


def _hidden(n_in: int, n_out: int, activation: str, batch_norm: bool = False) -> list[nn.Module]:
    """Return one hidden layer: Linear (+ BatchNorm) + activation, or one Maxout layer."""
    if activation == "maxout":
        return [Maxout(n_in, n_out)]
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS) + ['maxout']}, got {activation!r}.")
    layers = [nn.Linear(n_in, n_out, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(n_out))
    return [*layers, ACTIVATIONS[activation]()]


def _check_layers(layers, at_least: int, who: str) -> None:
    if not isinstance(layers, int) or isinstance(layers, bool) or layers < at_least:
        raise ValueError(f"{who}: layers must be an int >= {at_least}, got {layers!r}.")


class ToyGenerator(nn.Module):
    """2-D generator: z (N, z_dim) -> ``layers`` hidden layers of ``hidden`` units -> points (N, 2), unbounded.

    ``noise`` is the seed distribution that ``seeds`` draws from: "normal" (standard normal) or "uniform" (in [0, 1)).
    ``activation`` is "relu", "leaky_relu" or "tanh"; ``batch_norm=True`` puts a BatchNorm before each one.
    """

    def __init__(
        self,
        z_dim: int = 2,
        hidden: int = 128,
        noise: str = "normal",
        layers: int = 2,
        activation: str = "relu",
        batch_norm: bool = False,
    ):
        super().__init__()
        if noise not in ("normal", "uniform"):
            raise ValueError(f"ToyGenerator: noise must be 'normal' or 'uniform', got {noise!r}.")
        _check_layers(layers, 1, "ToyGenerator")
        self.z_dim, self.noise = z_dim, noise
        widths = [z_dim] + [hidden] * layers
        self.net = nn.Sequential(
            *[m for n_in, n_out in zip(widths, widths[1:]) for m in _hidden(n_in, n_out, activation, batch_norm)],
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
    as one more feature, so D sees how varied the whole batch is. ``layers`` hidden layers of ``hidden``
    units, each "leaky_relu" (slope 0.2), "relu", "tanh" or "maxout" (5 pieces).
    """

    def __init__(
        self,
        hidden: int = 128,
        pack: int = 1,
        minibatch_std: bool = False,
        layers: int = 2,
        activation: str = "leaky_relu",
    ):
        super().__init__()
        if not isinstance(pack, int) or pack < 1:
            raise ValueError(f"ToyDiscriminator: pack must be a positive int, got {pack!r}.")
        _check_layers(layers, 2, "ToyDiscriminator")
        self.pack, self.minibatch_std = pack, minibatch_std
        self.first = nn.Sequential(*_hidden(2 * pack, hidden, activation))
        self.rest = nn.Sequential(
            *_hidden(hidden + int(minibatch_std), hidden, activation),
            *[m for _ in range(layers - 2) for m in _hidden(hidden, hidden, activation)],
            nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2 or x.shape[1] != 2 or len(x) % self.pack:
            raise ValueError(
                f"ToyDiscriminator: input must be (N, 2) with N a multiple of pack={self.pack}, got {tuple(x.shape)}."
            )
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


def modes_covered(
    points: torch.Tensor, centres: torch.Tensor, std: float, sigmas: float = 3.0, min_share: float | None = None
) -> int:
    """Return how many modes get at least ``min_share`` of the points as high-quality samples (0 to modes).

    By default a mode needs a tenth of its fair share, ``0.1 / modes`` (1.25% of the points for 8 modes).
    """
    min_share = 0.1 / len(centres) if min_share is None else min_share
    return int((mode_counts(points, centres, std, sigmas) >= min_share * len(points)).sum())


@torch.no_grad()
def sample_points(G: nn.Module, n: int = 2000, seed: int | None = 0) -> torch.Tensor:
    """Return ``n`` points (n, 2) from ``G`` in eval mode on the CPU, from ``G.seeds`` drawn with ``seed``."""
    device = next(G.parameters()).device
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    z = G.seeds(n, generator=gen).to(device)
    was_training = G.training
    G.eval()  # a BatchNorm generator draws with its running statistics, not this batch's
    try:
        return G(z).cpu()
    finally:
        G.train(was_training)


def ring_scores(
    G: nn.Module, std: float, modes: int = 8, radius: float = 2.0, n: int = 2000, seed: int = 0
) -> dict[str, float]:
    """Return {"modes": modes covered (0 to ``modes``), "hq": high-quality share in [0, 1]} for ``n`` samples of ``G``."""
    points, centres = sample_points(G, n, seed), ring_centres(modes, radius)
    return {"modes": modes_covered(points, centres, std), "hq": high_quality_share(points, centres, std)}


# --- training: one step function per objective; the loop is gan.train_gan ---


def unrolled_parameters(
    D: nn.Module, real: torch.Tensor, fake: torch.Tensor, opt_d: torch.optim.Optimizer, steps: int
) -> dict[str, torch.Tensor]:
    """Return D's parameters after ``steps`` more steps of its own optimiser on this batch, as a graph.

    The steps repeat what ``opt_d`` would do (Adam with its current moments, or plain SGD) but stay
    differentiable (``create_graph=True``), so a loss on the result has a gradient with respect to ``fake``.
    """
    loss = get_loss("bce_logits")
    group = opt_d.param_groups[0]
    params = dict(D.named_parameters())
    adam = isinstance(opt_d, torch.optim.Adam)
    if not adam and group.get("momentum", 0):
        raise ValueError("unrolling follows Adam or plain SGD; this discriminator's SGD has momentum.")
    if adam:
        (b1, b2), eps = group["betas"], group["eps"]
        state = {name: opt_d.state[p] for name, p in params.items()}
        m = {name: s["exp_avg"] for name, s in state.items()}
        v = {name: s["exp_avg_sq"] for name, s in state.items()}
        t = int(next(iter(state.values()))["step"])
    for k in range(1, steps + 1):
        inner = loss(functional_call(D, params, real), 1.0) + loss(functional_call(D, params, fake), 0.0)
        grads = dict(zip(params, torch.autograd.grad(inner, list(params.values()), create_graph=True)))
        if not adam:
            params = {name: p - group["lr"] * grads[name] for name, p in params.items()}
            continue
        for name, p in params.items():
            m[name] = b1 * m[name] + (1 - b1) * grads[name]
            v[name] = b2 * v[name] + (1 - b2) * grads[name].square()
            m_hat, v_hat = m[name] / (1 - b1 ** (t + k)), v[name] / (1 - b2 ** (t + k))
            # 1e-30 keeps the square root differentiable where a gradient is exactly 0
            params[name] = p - group["lr"] * m_hat / ((v_hat + 1e-30).sqrt() + eps)
    return params


def unrolled_step(G, D, real, z, opt_d, opt_g, config: TrainConfig, unroll: int = 5) -> dict[str, torch.Tensor]:
    """Run one unrolled GAN step (Metz et al. 2016): D takes its usual step, G answers D ``unroll`` steps ahead.

    D minimises BCE on its logits. G minimises the non-saturating loss (or the saturating one with
    ``config.saturating``) against D as it will be after ``unroll`` more steps of its own optimiser on
    this batch, differentiated through those steps (Metz et al. unroll Adam); returns the two losses.
    """
    loss = get_loss("bce_logits")
    opt_d.zero_grad(set_to_none=True)
    fake = G(z)
    d_loss = loss(D(real), 1.0) + loss(D(fake.detach()), 0.0)
    d_loss.backward()
    opt_d.step()

    # G answers not today's D but D after `unroll` more steps, and differentiates through those
    # steps: a G that piles onto one mode sees D's coming reaction and stops.
    opt_g.zero_grad(set_to_none=True)
    d_fake = functional_call(D, unrolled_parameters(D, real, fake, opt_d, unroll), fake)
    g_loss = generator_loss(d_fake, "bce_logits", saturating=config.saturating)
    g_loss.backward()
    opt_g.step()
    return {"d_loss": d_loss, "g_loss": g_loss}


def train_toy(
    G: nn.Module,
    D: nn.Module,
    config: TrainConfig,
    std: float = 0.05,
    objective: str = "gan",
    unroll: int = 0,
    n_critic: int = 5,
    gp_weight: float = 10.0,
    clip: float = 0.01,
    anneal: bool = False,
    seed: int = 0,
    callback=None,
    stabilisers: dict | None = None,
) -> TrainResult:
    """Train ``G`` against ``D`` on the ring of 8 Gaussians (radius 2, ``std``) and return a ``TrainResult``.

    ``objective`` is "gan" (BCE on logits: ``gan.train_step``, or ``unrolled_step`` when ``unroll > 0``,
    G looking ``unroll`` steps of D's optimiser ahead), "wgan-gp" or "wgan-clip" (``gan.wasserstein.wgan_step``:
    ``n_critic`` critic steps per generator step, with penalty weight ``gp_weight`` or weights clipped into
    [-clip, clip]). ``anneal=True`` lowers both
    learning rates linearly to 0 (``config.lr_decay``). ``stabilisers`` (objective "gan" without unrolling)
    are the options of ``gan.dynamics.stabilised_step``, which then takes the steps: say
    ``dict(d_steps=5)`` or ``dict(r1=1.0)``. The data and noise come from a generator seeded
    with ``seed``, so two methods see the same batches. The loop is ``gan.train_gan``'s: with
    ``config.ema`` the result's ``ema_generator`` holds an exponential moving average of G's weights, and
    every ``config.log_every`` steps a history row is recorded and ``callback(step, G, D)`` is called.
    """
    if objective not in ("gan", "wgan-gp", "wgan-clip"):
        raise ValueError(f"train_toy: objective must be 'gan', 'wgan-gp' or 'wgan-clip', got {objective!r}.")
    if not isinstance(unroll, int) or isinstance(unroll, bool) or unroll < 0:
        raise ValueError(f"train_toy: unroll must be a non-negative int (0: no unrolling), got {unroll!r}.")
    if objective != "gan" and unroll:
        raise ValueError("train_toy: unrolling is implemented for objective='gan' only.")
    if not isinstance(n_critic, int) or isinstance(n_critic, bool) or n_critic < 1:
        raise ValueError(f"train_toy: n_critic must be a positive int, got {n_critic!r}.")
    if not gp_weight >= 0:
        raise ValueError(f"train_toy: gp_weight must be >= 0, got {gp_weight!r}.")
    if not clip > 0:
        raise ValueError(f"train_toy: clip must be > 0, got {clip!r}.")
    if config.steps is None:
        raise ValueError("train_toy: give config.steps; comparisons need the same number of steps.")
    device = next(G.parameters()).device
    data = torch.Generator().manual_seed(seed)

    def next_real():
        return ring_of_gaussians(config.batch_size, std=std, generator=data).to(device)

    if stabilisers is not None and (objective != "gan" or unroll):
        raise ValueError("train_toy: stabilisers apply to objective='gan' without unrolling.")
    if objective != "gan":
        constraint = objective.removeprefix("wgan-")
        step = partial(
            wgan_step, next_real=next_real, n_critic=n_critic, constraint=constraint, gp_weight=gp_weight, clip=clip
        )
    elif stabilisers is not None:
        from .dynamics import stabilised_step

        step = partial(stabilised_step, next_real=next_real, next_z=lambda n: G.seeds(n, generator=data), **stabilisers)
    else:
        step = partial(unrolled_step, unroll=unroll) if unroll else train_step
    config = replace(config, loss="bce_logits", lr_decay=config.lr_decay or anneal)
    result = train_gan(
        G,
        D,
        lambda n: ring_of_gaussians(n, std=std, generator=data),
        lambda n: G.seeds(n, generator=data),
        config,
        callback=callback,
        progress=False,
        step=step,
    )
    if result.interrupted:  # a study must not store a run cut short as if it were whole
        raise KeyboardInterrupt
    return result


# --- the methods as their authors ran them on the ring ---


def init_weights(module: nn.Module, kind: str, scale: float) -> nn.Module:
    """Initialise every Linear layer of ``module`` in place and return it; biases become 0.

    ``kind`` "normal": weights from N(0, scale^2) (PacGAN's code, scale 0.02); "orthogonal": orthogonal
    weights times ``scale`` (the unrolled-GAN notebook, gain 1.4); "he": He-uniform weights for the hidden
    layers and Glorot-uniform for the last one (``gan_toy.py`` of WGAN-GP; ``scale`` unused).
    """
    if kind not in ("normal", "orthogonal", "he"):
        raise ValueError(f"init_weights: kind must be 'normal', 'orthogonal' or 'he', got {kind!r}.")
    linears = [layer for layer in module.modules() if isinstance(layer, nn.Linear)]
    for layer in linears:
        if kind == "normal":
            nn.init.normal_(layer.weight, 0.0, scale)
        elif kind == "orthogonal":
            nn.init.orthogonal_(layer.weight, gain=scale)
        elif layer is linears[-1]:
            nn.init.xavier_uniform_(layer.weight)
        else:
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return module


def _pacgan(pack: int) -> dict:
    """Lin et al. (2018), PacGAN's 2-D ring: G 4 x 400 BatchNorm + ReLU, D 3 x maxout (200 units, 5 pieces),
    N(0, 0.02) weights, Adam(1e-4, beta1 0.8) for both, 100 packed examples (100 * pack points) per batch,
    2-D normal seeds."""
    return dict(
        generator=dict(z_dim=2, hidden=400, layers=4, batch_norm=True),
        discriminator=dict(hidden=200, layers=3, activation="maxout", pack=pack),
        init=("normal", 0.02),
        config=dict(batch_size=100 * pack, lr_d=1e-4, lr_g=1e-4, betas=(0.8, 0.999)),
        train=dict(),
    )


def _unrolled(unroll: int) -> dict:
    """Metz et al. (2016), Poole's notebook: 2 x 128 tanh in both, 256-D normal seeds, orthogonal weights
    (gain 1.4), batches of 512, Adam(beta1 0.5) with lr_d 1e-4 and lr_g 1e-3, the saturating (minimax)
    generator loss, and ``unroll`` unrolled Adam steps."""
    return dict(
        generator=dict(z_dim=256, hidden=128, layers=2, activation="tanh"),
        discriminator=dict(hidden=128, layers=2, activation="tanh"),
        init=("orthogonal", 1.4),
        config=dict(batch_size=512, lr_d=1e-4, lr_g=1e-3, betas=(0.5, 0.999), saturating=True),
        train=dict(unroll=unroll),
    )


def _wgan_gp_toy(config: dict | None = None, spectral_norm: bool = False, **train) -> dict:
    """Gulrajani et al. (2017), gan_toy.py: 3 x 512 ReLU in both, He-uniform weights (Glorot for the last
    layer), 2-D normal seeds, batches of 256, Adam(1e-4, betas (0.5, 0.9)) for both; ``train`` picks the
    objective (the plain GAN's one D step by default), ``config`` changes the training settings, and
    ``spectral_norm=True`` normalises D's layers after they are initialised."""
    return dict(
        generator=dict(z_dim=2, hidden=512, layers=3),
        discriminator=dict(hidden=512, layers=3, activation="relu"),
        init=("he", None),
        config={**dict(batch_size=256, lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.9)), **(config or {})},
        train=train,
        **({"spectral_norm": True} if spectral_norm else {}),
    )


#: Each method with its authors' settings for their ring experiment, read from their code (the chapters
#: name the files), and the plain GAN under the same recipe. WGAN and SN-GAN had no ring experiment: they
#: get gan_toy.py's networks with WGAN's settings (the script's 'wgan' mode) and SN-GAN's setting C. What no recipe copies: our ring (radius 2,
#: sigma 0.1) instead of theirs, and alternating instead of simultaneous updates.
RECIPES = {
    "GAN (PacGAN's recipe)": _pacgan(pack=1),
    "PacGAN2 (PacGAN's recipe)": _pacgan(pack=2),
    "GAN (unrolled GAN's recipe)": _unrolled(unroll=0),
    "unrolled GAN, 5 steps (its recipe)": _unrolled(unroll=5),
    # The script has no plain GAN; ours gets the same networks, initialisation, optimiser and batches.
    "GAN (WGAN-GP's recipe)": _wgan_gp_toy(),
    # 5 critic steps on fresh batches; penalty weight 0.1 (the script's; the paper reports 10 throughout)
    "WGAN-GP (its toy recipe)": _wgan_gp_toy(objective="wgan-gp", n_critic=5, gp_weight=0.1),
    # gan_toy.py's MODE = 'wgan' (Arjovsky et al.'s Algorithm 1): RMSProp(5e-5) for both, 5 critic steps, clip
    # 0.01; PyTorch's RMSprop (moving average 0.99) as in Arjovsky et al.'s code, where the script's TensorFlow one has 0.9
    "WGAN, weight clipping (gan_toy.py's recipe)": _wgan_gp_toy(
        config=dict(optimizer="rmsprop", lr_d=5e-5, lr_g=5e-5), objective="wgan-clip", n_critic=5, clip=0.01
    ),
    # The same without spectral normalisation: what setting C alone does
    "GAN (Miyato et al.'s setting C)": _wgan_gp_toy(
        config=dict(batch_size=64, lr_d=2e-4, lr_g=2e-4, betas=(0.5, 0.999))
    ),
    # Miyato et al.'s setting C (their Table 1; chainer-gan-lib's example.sh, sndcgan): the non-saturating GAN
    # loss, one D step, Adam(2e-4, betas (0.5, 0.999)), batches of 64; every layer of D spectrally normalised
    "SN-GAN (Miyato et al.'s setting C)": _wgan_gp_toy(
        config=dict(batch_size=64, lr_d=2e-4, lr_g=2e-4, betas=(0.5, 0.999)), spectral_norm=True
    ),
}


def train_recipe(
    name: str,
    seed: int,
    steps: int,
    std: float,
    log_every: int = 500,
    callback=None,
    device: torch.device | str = "cpu",
    threads: int = 1,
    config_changes: dict | None = None,
    stabilisers: dict | None = None,
) -> TrainResult:
    """Train ``RECIPES[name]`` on the ring (radius 2, ``std``) for ``steps`` generator updates with ``seed``.

    ``config_changes`` replace settings of the recipe's ``TrainConfig`` (say ``dict(lr_d=1e-3)``), and
    ``stabilisers`` go to ``train_toy``. The run repeats exactly for the same ``seed``, ``threads`` and machine.
    """
    from .device import seed_everything

    if name not in RECIPES:
        raise ValueError(f"train_recipe: unknown recipe {name!r}; known: {list(RECIPES)}.")
    recipe = RECIPES[name]
    seed_everything(seed, threads=threads)
    G = ToyGenerator(**recipe["generator"]).to(device)
    D = ToyDiscriminator(**recipe["discriminator"]).to(device)
    if recipe["init"] is not None:
        init_weights(G, *recipe["init"]), init_weights(D, *recipe["init"])
    if recipe.get("spectral_norm"):
        from .wasserstein import spectral_normalise

        spectral_normalise(D)
    settings = {**recipe["config"], **(config_changes or {})}
    config = TrainConfig(steps=steps, log_every=log_every, fast=True, threads=threads, **settings)
    return train_toy(G, D, config, std=std, seed=seed, callback=callback, stabilisers=stabilisers, **recipe["train"])
