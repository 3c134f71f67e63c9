"""The GAN training step (D on real, D on detached fakes, then G through D) and the one loop that repeats it.

``train_step`` is the textbook step that chapter 3 writes by hand. ``train_gan`` is the loop every
objective trains with: it owns the budget, the learning-rate schedule, the averaged generator, the
history, the non-finite-loss guard, Ctrl-C and checkpoints, and calls a step function once per step
(``train_step`` by default; ``gan.toy`` passes the unrolled and WGAN-GP steps). ``TrainConfig(fast=True)``
swaps in ``gan.fast``'s versions of the step and the optimiser: the same computation up to float32
rounding, organised for speed (not bit for bit: a fast and a plain run from one seed end apart)."""

from __future__ import annotations

import inspect
import math
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import torch
from torch import nn

from . import fast as _fast
from .fast import PRECISIONS, precision_context, training_dtype
from .losses import generator_loss, get_loss, probability
from .resume import Checkpointing


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run. Stop after ``steps`` or ``seconds``, whichever comes first."""

    steps: int | None = 1000
    seconds: float | None = None
    batch_size: int = 32
    loss: str = "bce"  # "mse", "bce" (D ends in a sigmoid) or "bce_logits" (D returns logits)
    optimizer: str = "adam"  # "adam", "sgd" or "rmsprop" (WGAN's, with PyTorch's defaults)
    lr_d: float = 2e-4
    lr_g: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)  # Adam's; beta1 = 0.5 is the DCGAN choice
    momentum: float = 0.0  # SGD's
    saturating: bool = False  # G minimises log(1 - D(G(z))) instead of -log D(G(z))
    ema: float | None = None  # keep an exponential moving average of a network's weights with this decay (e.g. 0.998)
    average: str = "generator"  # the network the EMA averages: "generator", or "discriminator" (the SGAN's classifier)
    lr_decay: bool = False  # decay both learning rates linearly to 0 over ``steps`` (long runs)
    decay_from: float = 0.0  # with lr_decay, hold the rates until this fraction of the steps, then decay
    # float32 by default, so that a run computes in the same precision on every CPU; "auto" runs the
    # products in bfloat16 where the hardware has it (gan.fast.training_dtype): faster there only
    precision: str = "float32"
    log_every: int = 100
    # gan.fast's fused Adam, one-pass discriminator and channels-last layout: the same computation up to
    # float32 rounding, faster (not bit for bit, so a run with fast=False from the same seed ends elsewhere)
    fast: bool = False
    # CPU threads while training; None leaves PyTorch's setting, except that fast=True runs small networks
    # on one thread (gan.fast.threads)
    threads: int | None = None

    def __post_init__(self):
        if self.steps is None and self.seconds is None:
            raise ValueError("TrainConfig: give steps or seconds (or both); with neither, training would never stop.")
        for name in ("steps", "batch_size", "log_every"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"TrainConfig: {name} must be a positive int, got {value!r}.")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ValueError(f"TrainConfig: threads must be a positive int or None, got {self.threads!r}.")
        if self.seconds is not None and not self.seconds > 0:
            raise ValueError(f"TrainConfig: seconds must be positive, got {self.seconds!r}.")
        for name in ("lr_d", "lr_g"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"TrainConfig: {name} must be a positive finite number, got {value!r}.")
        get_loss(self.loss)
        if self.optimizer not in ("adam", "sgd", "rmsprop"):
            raise ValueError(f"TrainConfig: optimizer must be 'adam', 'sgd' or 'rmsprop', got {self.optimizer!r}.")
        if self.ema is not None and not 0.0 < self.ema < 1.0:
            raise ValueError(f"TrainConfig: ema must be a decay in (0, 1) such as 0.998, or None; got {self.ema!r}.")
        if self.average not in ("generator", "discriminator"):
            raise ValueError(f"TrainConfig: average must be 'generator' or 'discriminator', got {self.average!r}.")
        if not (isinstance(self.decay_from, (int, float)) and 0.0 <= self.decay_from <= 1.0):
            raise ValueError(f"TrainConfig: decay_from must be a fraction in [0, 1], got {self.decay_from!r}.")
        if self.lr_decay and self.steps is None:
            raise ValueError("TrainConfig: lr_decay=True decays the learning rates to 0 at the last step; give steps.")
        if self.precision not in PRECISIONS:
            raise ValueError(f"TrainConfig: precision must be one of {PRECISIONS}, got {self.precision!r}.")
        if self.saturating and self.loss == "mse":
            raise ValueError("TrainConfig: saturating=True needs loss 'bce' or 'bce_logits', not 'mse'.")


@dataclass
class TrainResult:
    """What training returns: the two networks, a history (one row per ``log_every`` steps) and how it ended."""

    generator: nn.Module
    discriminator: nn.Module
    history: pd.DataFrame
    steps: int
    seconds: float
    interrupted: bool = False
    ema_generator: nn.Module | None = None  # the averaged generator, when TrainConfig.ema is set
    ema_discriminator: nn.Module | None = None  # the averaged discriminator, with TrainConfig(average="discriminator")
    precision: str = "float32"  # what the products ran in: "float32" or "bfloat16" (TrainConfig.precision resolved)


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or infinite; ``.result`` holds the networks, restored to the last good step, and the history."""

    def __init__(self, message: str, result: TrainResult):
        super().__init__(message)
        self.result = result


def make_optimizer(params, config: TrainConfig, lr: float) -> torch.optim.Optimizer:
    """Return the optimizer ``config`` names for ``params``: SGD, RMSProp, or Adam (fused with ``config.fast``)."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    if config.fast:
        return _fast.adam(params, lr, config.betas)
    return torch.optim.Adam(params, lr=lr, betas=config.betas)


@contextmanager
def frozen(module: nn.Module):
    """Inside the block, compute no weight gradients for ``module``; gradients still flow *through* it."""
    trainable = [p for p in module.parameters() if p.requires_grad]
    for p in trainable:
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p in trainable:
            p.requires_grad_(True)


def train_step(G, D, real, z, opt_d, opt_g, config: TrainConfig) -> dict[str, torch.Tensor]:
    """Run one GAN step; return the losses and D's mean verdicts on real and fake data (tensors, no host sync)."""
    loss = get_loss(config.loss)

    # 1 and 2: teach D to say 1 on real data and 0 on fakes. detach() cuts the fakes from G's graph,
    # so D's backward pass stops at D and computes no gradients for G's weights.
    opt_d.zero_grad(set_to_none=True)
    fake = G(z)
    d_real = D(real)
    d_fake = D(fake.detach())
    d_loss = loss(d_real, 1.0) + loss(d_fake, 0.0)
    d_loss.backward()
    opt_d.step()

    # 3: teach G to make D say 1. The gradient flows through D (just updated) into G; only G steps,
    # so D's own weight gradients are switched off: the backward pass goes through D without them.
    opt_g.zero_grad(set_to_none=True)
    with frozen(D):
        g_loss = generator_loss(D(fake), config.loss, config.saturating)
        g_loss.backward()
    opt_g.step()

    # For the history: both losses and D's mean verdicts, kept as tensors (reading one waits for the device).
    with torch.no_grad():
        d_real, d_fake = probability(d_real, config.loss).mean(), probability(d_fake, config.loss).mean()
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake}


_OUTPUT_RANGES = {nn.Sigmoid: (0.0, 1.0), nn.Tanh: (-1.0, 1.0)}


def output_range(G: nn.Module) -> tuple[float, float] | None:
    """Return the interval ``G`` draws in: (0, 1) if its last layer is a sigmoid, (-1, 1) if a tanh, else None."""
    leaves = [m for m in G.modules() if not any(True for _ in m.children())]
    return _OUTPUT_RANGES.get(type(leaves[-1])) if leaves else None


def check_data_range(real: torch.Tensor, G: nn.Module, tolerance: float = 1e-3) -> None:
    """Raise a ``ValueError`` when the real data and ``G``'s output activation do not cover the same range.

    A sigmoid generator draws in (0, 1), a tanh generator in (-1, 1). Real data in [-1, 1] against a
    sigmoid generator lets the discriminator spot a real image by any negative pixel, which the
    generator can never produce; real data in [0, 1] against a tanh generator leaves half of its range
    unused. Generators that end in neither (a linear layer, say) are not checked.
    """
    bounds = output_range(G)
    if bounds is None or real.numel() == 0:
        return
    low, high = bounds
    lo, hi = real.min().item(), real.max().item()
    name = "a sigmoid" if low == 0.0 else "a tanh"
    fix = (
        "rescale the data with (x + 1) / 2, or end the generator in a tanh (output='tanh')"
        if low == 0.0
        else "rescale the data with 2 * x - 1 (gan.to_float gives MNIST in [-1, 1]), or end the generator "
        "in a sigmoid (output='sigmoid')"
    )
    if lo < low - tolerance or hi > high + tolerance:
        raise ValueError(
            f"The real data lie in [{lo:.3g}, {hi:.3g}], but the generator ends in {name}, which draws in "
            f"({low:g}, {high:g}): the discriminator could tell real from fake by range alone. To fix it, {fix}."
        )
    if low < 0 and lo >= 0:
        raise ValueError(
            f"The real data lie in [{lo:.3g}, {hi:.3g}], never below 0, but the generator ends in {name}, which "
            f"draws in ({low:g}, {high:g}): half of its range is never real. To fix it, {fix}."
        )


def train_gan(
    G: nn.Module | None,
    D: nn.Module,
    sample_real: Callable[[int], torch.Tensor] | None,
    sample_noise: Callable[[int], torch.Tensor] | None,
    config: TrainConfig | None = None,
    callback: Callable[[int, nn.Module, nn.Module], None] | None = None,
    progress: bool | None = None,
    checkpoint: Checkpointing | None = None,
    resume: dict | None = None,
    step: Callable[..., dict[str, torch.Tensor]] = train_step,
) -> TrainResult:
    """Train ``G`` against ``D`` and return a ``TrainResult``; ``sample_real(n)``/``sample_noise(n)`` give batches.

    Each step draws a real batch (a tensor, or a tuple of tensors such as a conditional GAN's (images,
    labels)) and a noise batch and calls ``step(G, D, real, z, opt_d, opt_g, config)``,
    which updates the networks and returns a dict of scalar tensors, the losses ``d_loss`` and (if G
    trains) ``g_loss`` among them (``train_step`` by default). A step that draws its own batches (the
    semi-supervised GAN's three sources) gets None for those whose sampler is None; ``G=None`` trains
    D alone (the SGAN's supervised baseline). Every ``config.log_every`` steps a history row with the
    means is recorded and ``callback(step, G, D)`` is called (``callback(step, G, D, averaged)`` if it has a
    parameter ``averaged``: it then also gets the averaged network, or None).
    Ctrl-C (or the notebook's stop button) ends training early and keeps what was learned so far.
    With ``checkpoint`` (``gan.resume.Checkpointing``) the loop's whole state is saved every so often,
    at log steps; ``resume`` (a state read by ``gan.resume.load_state``) continues a run from one, to
    the same end. The loop's state does not include what ``sample_real`` draws from: ``train_mnist``
    saves and restores its data stream, so that its resumed runs are bitwise identical on the CPU.
    """
    config = config or TrainConfig()
    if G is None and step is train_step:
        raise ValueError("train_gan: G is None, but train_step trains a generator; pass a step that trains D alone.")
    networks = [m for m in (G, D) if m is not None]
    device = next(D.parameters()).device
    threads = _fast.threads(config, device, *networks)
    if config.fast:
        _fast.prepare(device, *networks)  # channels-last for convolutions, in place; the weights keep their values
        step = _fast.faster(step)
    opt_d = make_optimizer(D.parameters(), config, config.lr_d)
    opt_g = make_optimizer(G.parameters(), config, config.lr_g) if G is not None else None
    schedulers = []
    if config.lr_decay:
        schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, _decay(config)) for opt in (opt_d, opt_g) if opt]
    for network in networks:
        network.train()
    ema = None
    if config.ema is not None:
        # Averaging G's weights over the last few hundred steps smooths out the oscillation of the
        # adversarial game: samples from the average are usually much better, at no training cost.
        # (The SGAN averages D, its classifier, for the same reason.)
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        averaged = G if config.average == "generator" else D
        if averaged is None:
            raise ValueError("train_gan: TrainConfig(average='generator') needs a generator; this run has none.")
        ema = AveragedModel(averaged, multi_avg_fn=get_ema_multi_avg_fn(config.ema), use_buffers=True)

    dtype = training_dtype(config.precision, device, *networks)
    # The window sums what ``step`` returns over the current log_every steps, on the device.
    rows, columns, window = [], None, None
    done, interrupted, spent = 0, False, 0.0
    if resume is not None:
        done, spent, rows, columns, window = _load_loop_state(resume, G, D, opt_d, opt_g, schedulers, ema, device)
    start = time.perf_counter() - spent  # a resumed run's clock goes on from the time already spent
    if checkpoint is not None:
        checkpoint.start(done)
    last_good = _snapshot(G, D, done)
    try:
        takes_average = callback is not None and "averaged" in inspect.signature(callback).parameters
    except (TypeError, ValueError):  # a builtin with no signature, say
        takes_average = False
    bar = _progress_bar(config.steps, progress, initial=done)

    def log(count: int) -> None:
        """Record the window's means over the last ``count`` steps, check them, and call the callback."""
        nonlocal last_good
        # The only host synchronisation: read the window's means once per log_every steps.
        means = dict(zip(columns, (window / count).tolist()))
        window.zero_()
        rows.append(dict(step=done, **means, seconds=time.perf_counter() - start))
        losses = {name: means[name] for name in ("d_loss", "g_loss") if name in means}
        if bar is not None:
            bar.update(count)
            bar.set_postfix({name: f"{value:.3f}" for name, value in losses.items()})
        if not all(math.isfinite(value) for value in means.values()):
            bad = next(name for name, value in means.items() if not math.isfinite(value))
            good_step = _restore(G, D, last_good)  # the weights are NaN now; keep the last good ones
            # the averaged network took in the NaN weights too: the result leaves it out
            result = _result(G, D, rows[:-1], columns, good_step, start, False, None, dtype, config.average)
            what = {"d_loss": "The discriminator's loss", "g_loss": "The generator's loss"}.get(
                bad, f"The step's {bad}"
            )
            raise NonFiniteLossError(
                f"{what} became {means[bad]} between steps {done - count + 1} and {done}; both networks were "
                f"restored to step {good_step}, the last with finite values (see .result). Usual causes: a learning "
                f"rate too high (lr_d={config.lr_d}, lr_g={config.lr_g}), or a discriminator whose output does not "
                f"fit loss={config.loss!r} (a sigmoid output fed to 'bce_logits', raw logits fed to 'bce').",
                result,
            )
        last_good = _snapshot(G, D, done)
        if callback is not None:
            if takes_average:  # callback(step, G, D, averaged): the SGAN validates its averaged D
                callback(done, G, D, averaged=ema.module if ema is not None else None)
            else:
                callback(done, G, D)

    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        while True:
            elapsed = time.perf_counter() - start
            if (config.steps is not None and done >= config.steps) or (
                config.seconds is not None and elapsed >= config.seconds
            ):
                break
            real = _to_device(sample_real(config.batch_size), device) if sample_real else None
            z = sample_noise(config.batch_size).to(device, non_blocking=True) if sample_noise else None
            if done == 0 and real is not None and G is not None:
                check_data_range(real[0] if isinstance(real, tuple) else real, G)  # once: a classic, silent bug
            try:
                with precision_context(device, dtype):
                    values = step(G, D, real, z, opt_d, opt_g, config)
            except RuntimeError as err:
                if "between 0 and 1" not in str(err):
                    raise
                raise ValueError(
                    f"loss={config.loss!r} needs the discriminator to output probabilities in [0, 1], but it "
                    "returned values outside that range. End D with nn.Sigmoid(), or keep raw logits and "
                    "use loss='bce_logits'."
                ) from None
            if columns is None:
                columns = list(values)
                window = torch.zeros(len(columns), device=device)
            with torch.no_grad():
                window += torch.stack([values[name].float() for name in columns])
            done += 1
            for scheduler in schedulers:
                scheduler.step()
            if ema is not None:
                ema.update_parameters(averaged)
            if done % config.log_every == 0:
                log(config.log_every)
                # Saved only here, where the losses were just found finite: a state never holds a blown-up run.
                if checkpoint is not None and checkpoint.due(done):
                    state = _loop_state(
                        done, time.perf_counter() - start, G, D, opt_d, opt_g, schedulers, ema, rows, columns, window
                    )
                    checkpoint.save(state)
        if done % config.log_every and columns is not None:
            log(done % config.log_every)  # the steps since the last log step: recorded and checked too
    except KeyboardInterrupt:
        interrupted = True
    finally:
        torch.set_num_threads(previous_threads)
        if bar is not None:
            bar.close()
    return _result(G, D, rows, columns, done, start, interrupted, ema, dtype, config.average)


def _loop_state(step, seconds, G, D, opt_d, opt_g, schedulers, ema, rows, columns, window) -> dict:
    """Everything ``train_gan``'s next step depends on, for ``gan.resume`` (tensors are not copied)."""
    from .resume import rng_state

    return {
        "step": step,
        "seconds": seconds,
        "generator": G.state_dict() if G is not None else None,
        "discriminator": D.state_dict(),
        "opt_d": opt_d.state_dict(),
        "opt_g": opt_g.state_dict() if opt_g is not None else None,
        "schedulers": [s.state_dict() for s in schedulers],
        "ema": ema.state_dict() if ema is not None else None,
        "history": [dict(row) for row in rows],
        "columns": list(columns),
        "window": window.cpu(),
        "rng": rng_state(window.device),
    }


def _load_loop_state(state, G, D, opt_d, opt_g, schedulers, ema, device) -> tuple:
    """Put ``_loop_state``'s values back in place; return (step, seconds spent, history rows, columns, window)."""
    from .resume import set_rng_state

    if (G is None) != (state["generator"] is None):
        raise ValueError("resume: the saved run and this one differ in whether they train a generator.")
    D.load_state_dict(state["discriminator"])
    opt_d.load_state_dict(state["opt_d"])
    if G is not None:
        G.load_state_dict(state["generator"])
        opt_g.load_state_dict(state["opt_g"])
    for scheduler, saved in zip(schedulers, state["schedulers"], strict=True):
        scheduler.load_state_dict(saved)
    if (ema is None) != (state["ema"] is None):
        raise ValueError("resume: the saved run and this one differ in whether they keep an averaged network.")
    if ema is not None:
        ema.load_state_dict(state["ema"])
    set_rng_state(state["rng"], device)
    rows = [dict(row) for row in state["history"]]
    return state["step"], state["seconds"], rows, list(state["columns"]), state["window"].to(device)


def _decay(config: TrainConfig) -> Callable[[int], float]:
    """The learning-rate factor after ``i`` steps: 1 until ``decay_from`` of the steps, then linearly down to 0."""
    if config.decay_from == 0:
        return lambda i: 1 - i / config.steps
    span = max(1, config.steps * (1 - config.decay_from))
    return lambda i: min(1.0, (config.steps - i) / span)


def _snapshot(G, D, step) -> tuple:
    """Copy both networks' weights (cheap next to log_every training steps) so a blow-up can be undone."""
    copy = lambda m: {k: v.clone() for k, v in m.state_dict().items()} if m is not None else None  # noqa: E731
    return step, copy(G), copy(D)


def _restore(G, D, snapshot) -> int:
    step, g_state, d_state = snapshot
    if G is not None:
        G.load_state_dict(g_state)
    D.load_state_dict(d_state)
    return step


def _result(G, D, rows, columns, step, start, interrupted, ema=None, dtype=torch.float32, average="generator"):
    history = pd.DataFrame(rows, columns=["step", *(columns or ["d_loss", "g_loss"]), "seconds"])
    averaged = ema.module.eval() if ema is not None else None
    return TrainResult(
        generator=G,
        discriminator=D,
        history=history,
        steps=step,
        seconds=time.perf_counter() - start,
        interrupted=interrupted,
        ema_generator=averaged if average == "generator" else None,
        ema_discriminator=averaged if average == "discriminator" else None,
        precision=str(dtype).removeprefix("torch."),
    )


def train_mnist(
    recipe: str = "mlp",
    config: TrainConfig | None = None,
    generator_config: dict | None = None,
    discriminator_config: dict | None = None,
    device: torch.device | str | None = None,
    data=None,
    seed: int = 0,
    callback=None,
    progress: bool | None = None,
    checkpoint: Checkpointing | None = None,
    resume: dict | None = None,
) -> TrainResult:
    """Train the generator of recipe ``recipe`` (``gan.recipes``: "mlp", "dcgan", ...) on MNIST; return the ``TrainResult``.

    ``config`` replaces the recipe's training settings (``gan.recipes.get(name).train_config(...)`` gives
    them with a few changed); ``generator_config`` and ``discriminator_config`` change the recipe's
    network options. The training images are held on the training device as one uint8 tensor and
    batched by indexing; the noise is standard normal of the generator's ``z_dim``. A conditional
    recipe ("cgan") trains on (images, labels) batches with ``gan.conditional.conditional_step``. ``checkpoint`` and
    ``resume`` as in ``train_gan``; the data stream's position is saved and restored with the rest.
    """
    from .conditional import is_conditional
    from .data import LabelledBatches, batches, load_mnist
    from .device import pick_device, seed_everything
    from .recipes import get

    chosen = get(recipe)
    config = config or chosen.train_config()
    device = pick_device(device)
    gen = seed_everything(seed)
    G = chosen.build("generator", **(generator_config or {})).to(device)
    D = chosen.build("discriminator", **(discriminator_config or {})).to(device)
    data = data if data is not None else load_mnist(train=True)
    conditional = is_conditional(G)  # a conditional GAN reads the labels too, and its step passes them on
    if conditional:
        stream = LabelledBatches(data.images.to(device), data.labels, config.batch_size, generator=gen)
    else:
        stream = batches(data.images.to(device), config.batch_size, generator=gen)
    if resume is not None:
        stream.load_state_dict(resume["data"])
        gen.set_state(resume["data_generator"])
    if checkpoint is not None:
        checkpoint.extra = lambda: {"data": stream.state_dict(), "data_generator": gen.get_state()}
    return train_gan(
        G,
        D,
        lambda n: next(stream),
        lambda n: torch.randn(n, G.z_dim, device=device),
        config,
        callback=callback,
        progress=progress,
        checkpoint=checkpoint,
        resume=resume,
        step=_mnist_step(chosen, conditional, lambda: next(stream), lambda n: torch.randn(n, G.z_dim, device=device)),
    )


def _mnist_step(recipe, conditional: bool, next_real, next_z):
    """Return the step a recipe trains with: the GAN's, the conditional GAN's, or the Wasserstein GAN's."""
    from .conditional import conditional_step

    if recipe.wgan:
        if conditional:
            raise ValueError(f"recipe {recipe.name!r}: the Wasserstein step is written for unconditional networks.")
        from functools import partial

        from .wasserstein import wgan_step

        return partial(wgan_step, next_real=next_real, next_z=next_z, **recipe.wgan)
    return conditional_step if conditional else train_step


def _to_device(batch, device: torch.device):
    """Move a batch to ``device``: a tensor, or a tuple of tensors such as (images, labels)."""
    if isinstance(batch, tuple):
        return tuple(part.to(device, non_blocking=True) for part in batch)
    return batch.to(device, non_blocking=True)


def _interactive() -> bool:
    """Progress bars are for people: on in a terminal or a live notebook, off when ``GAN_PROGRESS=0``."""
    env = os.environ.get("GAN_PROGRESS")
    if env is not None:
        return env not in ("", "0", "false", "no")
    return sys.stderr.isatty() or "ipykernel" in sys.modules


def _progress_bar(total, progress, initial=0):
    if not (_interactive() if progress is None else progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="step", leave=False)
