"""Semi-supervised GAN: a discriminator that is also a K-class classifier (Odena 2016; Salimans et al. 2016).

D returns K class logits; the logit of the extra class "fake" is fixed at 0, so that
D(x is real) = Z / (Z + 1) with Z = sum_k exp(logit_k). D learns from three sources: cross-entropy
on a few labelled images, "real" on many unlabelled images, "fake" on G's images. G is trained by
feature matching: it makes the mean of D's last hidden layer on its images match that on real ones.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .data import MNIST, Shuffled, batches, to_float
from .fast import PRECISIONS, adam, precision_context, training_dtype
from .models import MLPGenerator, check_images
from .pretrained import WEIGHTS, study
from .resume import Checkpointing
from .training import frozen

CLASSES = 10


class GaussianNoise(nn.Module):
    """Add N(0, std²) noise to the input in training mode; the identity in eval mode.

    Drawing fresh normal numbers is slow on a CPU: it took a quarter of an SGAN step there, more than
    the matrix products. So the noise is read from a bank of ``NOISE_BANK`` standard normal draws, made
    once per device, at a random offset per call: within a call every element gets an independent
    N(0, std²) draw; across calls the same numbers come back shifted onto other pixels of other images.
    """

    def __init__(self, std: float):
        super().__init__()
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std!r}.")
        self.std = std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.std == 0:
            return x
        bank = _noise_bank(x.device)
        if x.numel() > len(bank) // 2:  # a batch this large draws its own
            return x + self.std * torch.randn_like(x)
        offset = int(torch.randint(0, len(bank) - x.numel() + 1, ()))
        return x + (self.std * bank[offset : offset + x.numel()]).view(x.shape).to(x.dtype)

    def extra_repr(self) -> str:
        return f"std={self.std}"


NOISE_BANK = 1 << 22  # standard normal numbers in GaussianNoise's bank (16 MB), a few steps' worth
_banks: dict[torch.device, torch.Tensor] = {}


def _noise_bank(device: torch.device) -> torch.Tensor:
    """Return the bank of ``NOISE_BANK`` N(0, 1) draws on ``device``: the same numbers on every call and run."""
    if device not in _banks:
        _banks[device] = torch.randn(NOISE_BANK, generator=torch.Generator().manual_seed(0)).to(device)
    return _banks[device]


class SGANDiscriminator(nn.Module):
    """Images (N, 1, 28, 28) in [-1, 1] -> K class logits (N, K); the "fake" logit is a fixed 0.

    An MLP with Gaussian noise on the input and after every hidden layer, after Salimans et al.'s MNIST
    model; the noise's std is theirs, 0.3 on the input for pixels in [0, 1], doubled for ours in [-1, 1],
    and 0.5 on the hidden layers. The default is shallower than theirs; ``LONG_RUN`` builds theirs:
    ``hidden=(1000, 500, 250, 250, 250)`` and ``weight_norm=True``, which writes every weight matrix as
    a learned length times a direction (Salimans & Kingma 2016). ``features`` is the last hidden layer,
    the one G's feature matching looks at.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (500, 250, 250),
        classes: int = CLASSES,
        input_noise: float = 0.6,
        hidden_noise: float = 0.5,
        weight_norm: bool = False,
    ):
        super().__init__()
        self.config = dict(
            hidden=list(hidden),
            classes=classes,
            input_noise=input_noise,
            hidden_noise=hidden_noise,
            weight_norm=weight_norm,
        )

        def linear(n_in, n_out):
            layer = nn.Linear(n_in, n_out)
            return nn.utils.parametrizations.weight_norm(layer) if weight_norm else layer

        layers: list[nn.Module] = [nn.Flatten(), GaussianNoise(input_noise)]
        for i, (n_in, n_out) in enumerate(zip([28 * 28, *hidden[:-1]], hidden)):
            layers += [GaussianNoise(hidden_noise)] if i > 0 else []
            layers += [linear(n_in, n_out), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(GaussianNoise(hidden_noise), linear(hidden[-1], classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Return the last hidden layer's activations (N, hidden[-1]), before its noise."""
        check_images(x, model=self)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


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


VALIDATION = 10_000  # training images held out to choose budgets on; the test set is only for the final score


def validation_split(data: MNIST, n: int = VALIDATION, seed: int = 0) -> tuple[MNIST, MNIST]:
    """Return (training, validation): ``n`` random images of ``data`` held out, the rest kept in order.

    Budgets and other choices are made on the validation part, so that the test set is touched once,
    for the final score. The split depends on ``seed`` only, not on a run's seed: every run holds out
    the same images. Neither part's images appear in the other (labelled or unlabelled).
    """
    if not isinstance(data, MNIST):
        raise TypeError(
            f"validation_split: data must be a gan.MNIST such as gan.load_mnist(), got {type(data).__name__}."
        )
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n < len(data):
        raise ValueError(f"validation_split: n must be an int in [1, {len(data) - 1}], got {n!r}.")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    val, keep = order[:n].sort().values, order[n:].sort().values
    return MNIST(data.images[keep], data.labels[keep]), MNIST(data.images[val], data.labels[val])


def labelled_index(labels: torch.Tensor, n_labels: int, seed: int = 0) -> torch.Tensor:
    """Return the sorted indices of ``n_labels`` images, ``n_labels / 10`` of each class, drawn with ``seed``."""
    if not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.dtype != torch.int64:
        raise TypeError("labelled_index: labels must be a 1-D int64 tensor such as gan.load_mnist().labels.")
    if not isinstance(n_labels, int) or isinstance(n_labels, bool) or n_labels < CLASSES:
        raise ValueError(f"labelled_index: n_labels must be an int of at least {CLASSES}, got {n_labels!r}.")
    if n_labels % CLASSES:
        raise ValueError(
            f"labelled_index: n_labels={n_labels} cannot be balanced over {CLASSES} classes; "
            f"use a multiple of {CLASSES}, such as {n_labels - n_labels % CLASSES} or {n_labels + CLASSES - n_labels % CLASSES}."
        )
    per_class = n_labels // CLASSES
    gen = torch.Generator().manual_seed(seed)
    chosen = []
    for c in range(CLASSES):
        pool = (labels == c).nonzero().flatten()
        if len(pool) < per_class:
            raise ValueError(f"labelled_index: class {c} has {len(pool)} images, fewer than the {per_class} asked for.")
        chosen.append(pool[torch.randperm(len(pool), generator=gen)[:per_class]])
    return torch.cat(chosen).sort().values


@dataclass
class SGANConfig:
    """Hyper-parameters of a semi-supervised run (and of its supervised baseline, which ignores G)."""

    steps: int = 2500
    batch_size: int = 100  # labelled, unlabelled and generated images per step, each
    lr: float = 3e-3  # Adam's, for D and G
    betas: tuple[float, float] = (0.5, 0.999)
    decay_from: float = 0.5  # the learning rates fall linearly to 0 from this fraction of the steps on
    ema: float = 0.99  # the classifier is an exponential moving average of D's weights with this decay
    z_dim: int = 100
    discriminator: dict = field(default_factory=dict)  # options of SGANDiscriminator
    generator: dict = field(
        default_factory=lambda: dict(hidden=(256, 256), activation="relu", layer_norm=False, batch_norm=True)
    )  # options of gan.MLPGenerator
    unsupervised_weight: float = 1.0  # D's loss: cross-entropy + this times the real/fake loss
    eval_every: int | None = None  # also record validation accuracy every this many steps (None: only at the end)
    precision: str = "float32"  # or "auto": bfloat16 products where the hardware has them, as in TrainConfig

    def __post_init__(self):
        for name in ("steps", "batch_size", "z_dim", "eval_every"):
            value = getattr(self, name)
            if value is None and name == "eval_every":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"SGANConfig: {name} must be a positive int, got {value!r}.")
        if self.precision not in PRECISIONS:
            raise ValueError(f"SGANConfig: precision must be one of {PRECISIONS}, got {self.precision!r}.")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"SGANConfig: lr must be a positive number, got {self.lr!r}.")
        if not 0.0 <= self.decay_from <= 1.0:
            raise ValueError(f"SGANConfig: decay_from must be a fraction in [0, 1], got {self.decay_from!r}.")
        if not 0.0 < self.ema < 1.0:
            raise ValueError(f"SGANConfig: ema must be a decay in (0, 1) such as 0.99, got {self.ema!r}.")
        if not (isinstance(self.unsupervised_weight, (int, float)) and self.unsupervised_weight >= 0):
            raise ValueError(
                f"SGANConfig: unsupervised_weight must be a number >= 0, got {self.unsupervised_weight!r}."
            )
        self.generator = {**self.generator, "z_dim": self.z_dim}


#: Salimans et al.'s MNIST networks for a longer run (``SGANConfig(**LONG_RUN)``): their deeper,
#: weight-normalised D, a G with two hidden layers of 500, and the real/fake loss at half weight, as in
#: their code. A step costs about twice the default's; with 100 labels it reaches about 97%
#: (``load_classifier()`` returns the shipped run; README, "Shipped weights").
LONG_RUN = dict(
    steps=15_000,
    unsupervised_weight=0.5,
    discriminator=dict(hidden=(1000, 500, 250, 250, 250), weight_norm=True),
    generator=dict(hidden=(500, 500), activation="relu", layer_norm=False, batch_norm=True),
)


#: The supervised baseline's learning rate, chosen on the validation images from 3e-3 (the SGAN's), 1e-3 and
#: 3e-4 by ``benchmarks/sgan_baseline_lr.py``: at 3e-3 the plain classifier's last hidden layer can die (every
#: ReLU at zero, one digit predicted for every image), and 1e-3 had the best worst seed.
SUPERVISED_LR = 1e-3


def baseline_lr_study() -> pd.DataFrame:
    """Return the stored results of ``benchmarks/sgan_baseline_lr.py``: validation accuracy by rate, seed and step."""
    return study("sgan_baseline_lr")


@dataclass
class SGANResult:
    """A trained classifier ``D`` (eval mode), the generator ``G`` (None for the baseline), and its validation history."""

    D: nn.Module
    G: nn.Module | None
    history: pd.DataFrame  # columns step, val_accuracy (of the averaged D, on the validation images)
    seconds: float
    precision: str = "float32"  # what the products ran in (SGANConfig.precision resolved)

    @property
    def accuracy(self) -> float:
        """The last recorded validation accuracy, in [0, 1] (NaN if no validation set was given)."""
        return float(self.history["val_accuracy"].iloc[-1]) if len(self.history) else float("nan")


def _in_eval_mode(model: nn.Module, data: MNIST, batch_size: int):
    """Yield ``data`` as (images in [-1, 1], labels) batches on ``model``'s device, with ``model`` in eval mode meanwhile."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(data), batch_size):
            yield (
                to_float(data.images[start : start + batch_size].to(device)),
                data.labels[start : start + batch_size].to(device),
            )
    finally:
        model.train(was_training)


@torch.no_grad()
def accuracy(model: nn.Module, data: MNIST, batch_size: int = 2000) -> float:
    """Return the fraction of ``data`` that ``model`` (eval mode for the call) classifies correctly."""
    correct = sum((model(x).argmax(1) == y).sum().item() for x, y in _in_eval_mode(model, data, batch_size))
    return correct / len(data)


@torch.no_grad()
def active_share(model: nn.Module, data: MNIST, batch_size: int = 2000) -> float:
    """Return the share of ``model``'s last hidden units (``model.features``) above zero for some image of ``data``.

    0 means a dead layer: every unit is zero on every image, so the classifier gives all images the same digit.
    """
    alive = None
    for x, _ in _in_eval_mode(model, data, batch_size):
        active = (model.features(x) > 0).any(0)
        alive = active if alive is None else alive | active
    return alive.float().mean().item()


def _check_split(data: MNIST, index: torch.Tensor) -> torch.Tensor:
    if not isinstance(data, MNIST):
        raise TypeError(f"data must be a gan.MNIST such as gan.load_mnist(), got {type(data).__name__}.")
    if not isinstance(index, torch.Tensor) or index.dim() != 1 or index.dtype != torch.int64 or len(index) == 0:
        raise TypeError("labelled index must be a non-empty 1-D int64 tensor, e.g. from gan.sgan.labelled_index.")
    if index.min() < 0 or index.max() >= len(data):
        raise ValueError(
            f"labelled index must lie in [0, {len(data)}), got {index.min().item()}..{index.max().item()}."
        )
    return index.cpu()


class _LabelledBatches:
    """(images, labels) batches forever, cycling through the labelled set (a small set is oversampled); resumable."""

    def __init__(self, images, labels, batch_size, gen):
        self.images, self.labels = images, labels
        n = len(labels)
        self.indices = Shuffled(n, batch_size, gen, repeats=-(-batch_size // n) + 1, device=images.device)

    def __next__(self):
        idx = next(self.indices)
        return to_float(self.images[idx]), self.labels[idx]


def train_sgan(
    data: MNIST,
    labelled: torch.Tensor,
    config: SGANConfig | None = None,
    validation: MNIST | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    checkpoint: Checkpointing | None = None,
    resume: dict | None = None,
) -> SGANResult:
    """Train an SGAN on ``data``'s images, reading labels only at the indices ``labelled``; return an ``SGANResult``.

    Every image of ``data`` is an unlabelled example (the labelled ones too, as in Salimans et al.).
    Accuracy on ``validation`` (held-out training images, see ``validation_split``; not the test set)
    is recorded every ``config.eval_every`` steps and at the end. ``checkpoint`` and ``resume`` as in
    ``gan.train_gan``: save the whole state every so often, continue from one.
    """
    return _train(data, labelled, config, validation, device, seed, True, checkpoint, resume)


def train_supervised(
    data: MNIST,
    labelled: torch.Tensor,
    config: SGANConfig | None = None,
    validation: MNIST | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    checkpoint: Checkpointing | None = None,
    resume: dict | None = None,
) -> SGANResult:
    """Train the same discriminator as a plain classifier on the labelled images only: the baseline.

    Pass ``SGANConfig(lr=SUPERVISED_LR)`` for the baseline's own learning rate (chapter 9 and the CLI do).
    """
    return _train(data, labelled, config, validation, device, seed, False, checkpoint, resume)


def _train(
    data, labelled, config, validation, device, seed, semi_supervised: bool, checkpoint=None, resume=None
) -> SGANResult:
    from .device import pick_device, seed_everything

    config = config or SGANConfig()
    if not isinstance(config, SGANConfig):
        raise TypeError(f"config must be a gan.sgan.SGANConfig, got {type(config).__name__}.")
    index = _check_split(data, labelled)
    if validation is not None and not isinstance(validation, MNIST):
        raise TypeError(
            f"validation must be a gan.MNIST (see gan.sgan.validation_split), got {type(validation).__name__}."
        )
    device = pick_device(device)
    gen = seed_everything(seed, threads=None)
    # The only labels training ever reads; below, the unlabelled set is a tensor of images and nothing else.
    lab_images, lab_labels = data.images[index].to(device), data.labels[index].to(device)
    unlabelled = data.images.to(device)

    D = SGANDiscriminator(**config.discriminator).to(device)
    G = MLPGenerator(**config.generator).to(device) if semi_supervised else None
    opt_d = adam(D.parameters(), config.lr, config.betas)
    opt_g = adam(G.parameters(), config.lr, config.betas) if G is not None else None
    # A learning rate that falls to 0 lets the classifier settle instead of stopping mid-oscillation.
    decay = lambda step: min(1.0, (config.steps - step) / max(1, config.steps * (1 - config.decay_from)))  # noqa: E731
    schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, decay) for opt in (opt_d, opt_g) if opt is not None]
    # Classify with an average of D's recent weights: the adversarial game keeps D's raw weights moving.
    averaged = AveragedModel(D, multi_avg_fn=get_ema_multi_avg_fn(config.ema), use_buffers=True)
    labelled_stream = _LabelledBatches(lab_images, lab_labels, config.batch_size, gen)
    unlabelled_stream = batches(unlabelled, config.batch_size, gen)  # images only: there are no labels to read
    noise = lambda: torch.randn(config.batch_size, config.z_dim, generator=gen).to(device)  # noqa: E731

    dtype = training_dtype(config.precision, device, *[m for m in (D, G) if m is not None])
    networks = dict(
        D=D,
        G=G,
        opt_d=opt_d,
        opt_g=opt_g,
        averaged=averaged,
        labelled=labelled_stream.indices,
        unlabelled=unlabelled_stream.indices,
    )
    rows, done, spent = [], 0, 0.0
    if resume is not None:
        done, spent, rows = _load_state(resume, networks, schedulers, gen, device)
    start = time.perf_counter() - spent
    if checkpoint is not None:
        checkpoint.start(done)
    for step in range(done + 1, config.steps + 1):
        x_lab, y_lab = next(labelled_stream)
        with precision_context(device, dtype):
            if semi_supervised:
                # D also calls the unlabelled images real and G's images fake (detached: this step is D's).
                # D treats each image on its own, so one pass over the three batches equals three passes.
                fake = G(noise())
                batch = torch.cat([x_lab, next(unlabelled_stream), fake.detach()])
                logits_lab, logits_real, logits_fake = D(batch).split(config.batch_size)
                loss_d = F.cross_entropy(logits_lab, y_lab) + config.unsupervised_weight * unsupervised_loss(
                    logits_real, logits_fake
                )
            else:
                loss_d = F.cross_entropy(D(x_lab), y_lab)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        if semi_supervised:
            # G matches the mean of D's last hidden layer on real images, not D's verdict.
            with torch.no_grad(), precision_context(device, dtype):
                f_real = D.features(next(unlabelled_stream))
            opt_g.zero_grad(set_to_none=True)
            # Gradients flow through D into G, but D's own weights get none.
            with frozen(D), precision_context(device, dtype):
                loss_g = feature_matching_loss(f_real.float(), D.features(G(noise())).float())
            loss_g.backward()
            opt_g.step()
        for scheduler in schedulers:
            scheduler.step()
        averaged.update_parameters(D)

        if validation is not None and (step == config.steps or (config.eval_every and step % config.eval_every == 0)):
            rows.append((step, accuracy(averaged.module, validation)))
        if checkpoint is not None and checkpoint.due(step):
            checkpoint.save(_state(step, time.perf_counter() - start, networks, schedulers, gen, rows, device))
    seconds = time.perf_counter() - start
    history = pd.DataFrame(rows, columns=["step", "val_accuracy"])
    return SGANResult(
        averaged.module.eval(), G.eval() if G is not None else None, history, seconds, str(dtype).removeprefix("torch.")
    )


def _state(step, seconds, networks, schedulers, gen, rows, device) -> dict:
    """Everything the SGAN loop's next step depends on, for ``gan.resume``."""
    from .resume import rng_state

    return {
        "step": step,
        "seconds": seconds,
        "rows": [list(row) for row in rows],
        "generator_state": gen.get_state(),
        "schedulers": [s.state_dict() for s in schedulers],
        "rng": rng_state(device),
        **{name: part.state_dict() for name, part in networks.items() if part is not None},
    }


def _load_state(state, networks, schedulers, gen, device) -> tuple[int, float, list]:
    from .resume import set_rng_state

    for name, part in networks.items():
        if part is not None:
            part.load_state_dict(state[name])
    for scheduler, saved in zip(schedulers, state["schedulers"], strict=True):
        scheduler.load_state_dict(saved)
    gen.set_state(state["generator_state"])
    set_rng_state(state["rng"], device)
    return state["step"], state["seconds"], [tuple(row) for row in state["rows"]]


SHIPPED = WEIGHTS / "sgan_classifier.pt"
SHIPPED_SEEDS = (0, 1, 2)


def shipped_seed_run(method: str, seed: int) -> Path:
    """Return the file of chapter 9's shipped run of ``method`` ("SGAN" or "supervised") on 100 labels, seed 0, 1 or 2."""
    if method not in ("SGAN", "supervised") or seed not in SHIPPED_SEEDS:
        raise ValueError(
            f"shipped_seed_run: the package ships methods 'SGAN' and 'supervised' for seeds 0, 1 and 2, "
            f"got method={method!r}, seed={seed!r}."
        )
    return WEIGHTS / f"{method.lower()}_100_seed{seed}.pt"


def save_classifier(
    path: str | os.PathLike, result: SGANResult, config: SGANConfig, half: bool = False, **extra
) -> Path:
    """Save the classifier of ``result`` (trained with ``config``) with its history, atomically; return the path.

    A checkpoint of kind "sgan-classifier" (``gan.checkpoints``). ``extra`` keyword arguments (e.g.
    ``labels=100, seed=0``) are stored alongside as plain values. An existing file is replaced only if
    it is itself a saved SGAN classifier.
    """
    from .checkpoints import state_to_save, write

    payload = {
        "discriminator_config": result.D.config,
        "discriminator": state_to_save(result.D, half),
        "train_config": asdict(config),
        "history": {
            "step": [int(v) for v in result.history["step"]],
            "val_accuracy": [float(v) for v in result.history["val_accuracy"]],
        },
        "seconds": float(result.seconds),
        **extra,
    }
    return write(path, "sgan-classifier", payload)


def is_saved_classifier(path: Path) -> bool:
    """Whether ``path`` holds a classifier saved by ``save_classifier`` (so that a new one may replace it)."""
    from .checkpoints import read, readable_by

    return readable_by(lambda p: read(p, "sgan-classifier"))(Path(path))


def load_classifier(path: str | os.PathLike = SHIPPED, device: torch.device | str = "cpu") -> tuple[nn.Module, dict]:
    """Return (classifier in eval mode on ``device``, what was saved with it) from ``save_classifier``'s file.

    Without ``path``, the shipped classifier: ``LONG_RUN`` trained on 100 labels (README, "Shipped weights").
    """
    from .checkpoints import CheckpointError, float32_state, read

    path = Path(path)
    saved = read(path, "sgan-classifier")
    D = SGANDiscriminator(**saved["discriminator_config"])
    try:
        D.load_state_dict(float32_state(saved["discriminator"]))
    except RuntimeError as err:
        raise CheckpointError(f"{path}: the weights do not fit the recorded SGANDiscriminator: {err}") from None
    info = {k: v for k, v in saved.items() if k != "discriminator"}
    return D.to(device).eval(), info
