"""Semi-supervised GAN: a discriminator that is also a K-class classifier (Odena 2016; Salimans et al. 2016).

D returns K class logits; the logit of the extra class "fake" is fixed at 0, so that
D(x is real) = Z / (Z + 1) with Z = sum_k exp(logit_k). D learns from three sources: cross-entropy
on a few labelled images, "real" on many unlabelled images, "fake" on G's images. G is trained by
feature matching: it makes the mean of D's last hidden layer on its images match that on real ones.

The method's pieces live where their kind lives and are imported here, so that ``gan.sgan`` has the
whole method: the network ``SGANDiscriminator`` (with ``GaussianNoise``) in ``gan.models``, the
losses ``unsupervised_loss``, ``feature_matching_loss`` and ``real_probability`` in ``gan.losses``,
the split ``validation_split`` and ``labelled_index`` in ``gan.data``, the saved classifier in
``gan.checkpoints``'s one format. This module holds the settings, the two step functions
(``sgan_step``, ``supervised_step``) and training with the package's one loop.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

# The method's pieces that live elsewhere, re-exported so that gan.sgan has the whole method (see above).
from .data import CLASSES, MNIST, VALIDATION, LabelledBatches, batches, labelled_index, to_float, validation_split  # noqa: F401
from .fast import PRECISIONS
from .losses import feature_matching_loss, real_probability, unsupervised_loss  # noqa: F401
from .models import NOISE_BANK, GaussianNoise, MLPGenerator, SGANDiscriminator  # noqa: F401
from .pretrained import WEIGHTS, study
from .resume import Checkpointing
from .training import frozen


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

    def train_config(self):
        """The ``TrainConfig`` of ``gan.train_gan``, the one loop, for these settings (Adam for D and G alike)."""
        from .training import TrainConfig

        return TrainConfig(
            steps=self.steps,
            batch_size=self.batch_size,
            lr_d=self.lr,
            lr_g=self.lr,
            betas=self.betas,
            lr_decay=True,
            decay_from=self.decay_from,
            ema=self.ema,
            average="discriminator",
            precision=self.precision,
            fast=True,
            log_every=min(self.eval_every or 100, self.steps),
        )


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
    losses: pd.DataFrame | None = None  # the loop's history: D's (and G's) loss every eval_every (or 100) steps

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


def train_sgan(
    data: MNIST,
    labelled: torch.Tensor,
    config: SGANConfig | None = None,
    validation: MNIST | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    checkpoint: Checkpointing | None = None,
    resume: dict | None = None,
    step=None,
) -> SGANResult:
    """Train an SGAN on ``data``'s images, reading labels only at the indices ``labelled``; return an ``SGANResult``.

    Every image of ``data`` is an unlabelled example (the labelled ones too, as in Salimans et al.).
    Accuracy on ``validation`` (held-out training images, see ``validation_split``; not the test set)
    is recorded every ``config.eval_every`` steps and at the end. ``checkpoint`` and ``resume`` as in
    ``gan.train_gan``: save the whole state every so often, continue from one. ``step`` replaces
    ``sgan_step`` by a function with its parameters (an ablation, say).
    """
    return _train(data, labelled, config, validation, device, seed, True, checkpoint, resume, step or sgan_step)


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

    Pass ``SGANConfig(lr=SUPERVISED_LR)`` for the baseline's own learning rate (chapter 10 and the CLI do).
    """
    return _train(data, labelled, config, validation, device, seed, False, checkpoint, resume)


def sgan_step(G, D, real, z, opt_d, opt_g, config, *, labelled, unlabelled, noise, unsupervised_weight=1.0):
    """Run one SGAN step: D on labelled, unlabelled and generated images, then G by feature matching.

    The step draws its own batches (``real`` and ``z`` are None): ``next(labelled)`` gives labelled
    (images, labels), ``next(unlabelled)`` unlabelled images, ``noise()`` seeds. Returns the two losses.
    """
    x_lab, y_lab = next(labelled)
    # D: cross-entropy on the labelled images; "real" on unlabelled images and "fake" on G's (detached:
    # this step is D's). The three batches go through D as one batch of 300 (Salimans et al.'s code makes
    # three passes; D mixes no images of a batch, so this is the same model, its noise layers drawing once).
    fake = G(noise())
    batch = torch.cat([x_lab, next(unlabelled), fake.detach()])
    logits_lab, logits_real, logits_fake = D(batch).split(len(x_lab))
    d_loss = F.cross_entropy(logits_lab, y_lab) + unsupervised_weight * unsupervised_loss(logits_real, logits_fake)
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()

    # G matches the mean of D's last hidden layer on real images, not D's verdict.
    with torch.no_grad():
        f_real = D.features(next(unlabelled))
    opt_g.zero_grad(set_to_none=True)
    with frozen(D):  # gradients flow through D into G, but D's own weights get none
        g_loss = feature_matching_loss(f_real.float(), D.features(G(noise())).float())
        g_loss.backward()
    opt_g.step()
    return {"d_loss": d_loss, "g_loss": g_loss}


def supervised_step(G, D, real, z, opt_d, opt_g, config, *, labelled):
    """Run one step of the supervised baseline: D, a plain classifier, on a labelled batch; G is None."""
    x_lab, y_lab = next(labelled)
    d_loss = F.cross_entropy(D(x_lab), y_lab)
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    return {"d_loss": d_loss}


def _train(
    data,
    labelled,
    config,
    validation,
    device,
    seed,
    semi_supervised: bool,
    checkpoint=None,
    resume=None,
    semi_step=sgan_step,
) -> SGANResult:
    """Train with the package's one loop (``gan.train_gan``) and ``sgan_step`` or ``supervised_step``."""
    from .device import pick_device, seed_everything
    from .training import train_gan

    config = config or SGANConfig()
    if not isinstance(config, SGANConfig):
        raise TypeError(f"config must be a gan.sgan.SGANConfig, got {type(config).__name__}.")
    index = _check_split(data, labelled)
    if validation is not None and not isinstance(validation, MNIST):
        raise TypeError(
            f"validation must be a gan.MNIST (see gan.sgan.validation_split), got {type(validation).__name__}."
        )
    device = pick_device(device)
    gen = seed_everything(seed)
    # The only labels training ever reads; below, the unlabelled set is a tensor of images and nothing else.
    lab_images, lab_labels = data.images[index].to(device), data.labels[index].to(device)
    unlabelled = data.images.to(device)

    D = SGANDiscriminator(**config.discriminator).to(device)
    G = MLPGenerator(**config.generator).to(device) if semi_supervised else None
    labelled_stream = LabelledBatches(
        lab_images, lab_labels, config.batch_size, gen, repeats=-(-config.batch_size // len(lab_labels)) + 1
    )
    unlabelled_stream = batches(unlabelled, config.batch_size, gen)  # images only: there are no labels to read
    if semi_supervised:
        noise = lambda: torch.randn(config.batch_size, config.z_dim, generator=gen).to(device)  # noqa: E731
        step = partial(
            semi_step,
            labelled=labelled_stream,
            unlabelled=unlabelled_stream,
            noise=noise,
            unsupervised_weight=config.unsupervised_weight,
        )
    else:
        step = partial(supervised_step, labelled=labelled_stream)

    rows = []  # (step, validation accuracy of the averaged D)

    def validate(step, G, D, averaged):
        if validation is not None and (step == config.steps or (config.eval_every and step % config.eval_every == 0)):
            rows.append((step, accuracy(averaged, validation)))

    if resume is not None:
        labelled_stream.indices.load_state_dict(resume["labelled"])
        unlabelled_stream.indices.load_state_dict(resume["unlabelled"])
        gen.set_state(resume["data_generator"])
        rows = [tuple(row) for row in resume["rows"]]
    if checkpoint is not None:
        checkpoint.extra = lambda: {
            "labelled": labelled_stream.indices.state_dict(),
            "unlabelled": unlabelled_stream.indices.state_dict(),
            "data_generator": gen.get_state(),
            "rows": [list(row) for row in rows],
        }
    result = train_gan(
        G,
        D,
        None,
        None,
        config.train_config(),
        callback=validate,
        progress=False,
        checkpoint=checkpoint,
        resume=resume,
        step=step,
    )
    if result.interrupted:
        raise KeyboardInterrupt
    classifier = result.ema_discriminator
    if validation is not None and (not rows or rows[-1][0] != config.steps):  # the last step was not a log step
        rows.append((config.steps, accuracy(classifier, validation)))
    history = pd.DataFrame(rows, columns=["step", "val_accuracy"])
    return SGANResult(
        classifier.eval(),
        G.eval() if G is not None else None,
        history,
        result.seconds,
        result.precision,
        losses=result.history,
    )


SHIPPED = WEIGHTS / "sgan_classifier.pt"
SHIPPED_SEEDS = (0, 1, 2)


def shipped_seed_run(method: str, seed: int) -> Path:
    """Return the file of chapter 10's shipped run of ``method`` ("SGAN" or "supervised") on 100 labels, seed 0, 1 or 2."""
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
    from .checkpoints import is_checkpoint

    return is_checkpoint(path, "sgan-classifier")


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
