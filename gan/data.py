"""Data: MNIST held in memory as one uint8 tensor, the [1,0,1,0] pattern, and 2-D Gaussian mixtures."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch

# The four files torchvision keeps under <root>/MNIST/raw/, with their exact sizes in bytes
# (an IDX header of 16 bytes for images, 8 for labels, then one byte per pixel or label).
MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}
IDX_MAGIC = {"images": 2051, "labels": 2049}


class MNISTNotFoundError(FileNotFoundError):
    """MNIST is neither on disk nor downloadable; the message says where it looked and how to fix it."""


class MNISTCorruptError(ValueError):
    """An MNIST file exists but is truncated or not an IDX file; the message names the file."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Return the folder that holds (or will hold) ``MNIST/raw``: ``root``, else ``$GAN_DATA_DIR``, else a user cache."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get("GAN_DATA_DIR")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "gan-course" / "data"


@dataclass(frozen=True)
class MNIST:
    """MNIST in memory: ``images`` uint8 of shape (N, 1, 28, 28) in [0, 255], ``labels`` int64 of shape (N,)."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def to(self, device: torch.device | str) -> MNIST:
        """Return a copy on ``device`` (still uint8: 47 MB for the training set)."""
        return MNIST(self.images.to(device), self.labels.to(device))


def _missing_message(raw: Path, missing: list[str], why: str) -> str:
    files = "\n".join(f"  {raw / name}" for name in MNIST_FILES)
    return (
        f"MNIST was not found and could not be downloaded ({why}).\n"
        f"Looked in: {raw}\nMissing: {', '.join(missing)}\nExpected these four uncompressed files:\n{files}\n"
        "To fix it: connect to the internet and run again (torchvision downloads them), or copy the files "
        "there, or point the course at an existing copy with load_mnist(root=...) or the environment "
        "variable GAN_DATA_DIR (the folder that contains MNIST/raw)."
    )


def check_mnist_files(raw: Path) -> None:
    """Raise ``MNISTCorruptError`` if a file in ``raw`` has the wrong size or IDX header."""
    for name, size in MNIST_FILES.items():
        path = raw / name
        actual = path.stat().st_size
        kind = "images" if "images" in name else "labels"
        with open(path, "rb") as f:
            magic = int.from_bytes(f.read(4), "big")
        if actual != size or magic != IDX_MAGIC[kind]:
            problem = (
                f"is {actual} bytes, expected {size}"
                if actual != size
                else f"has IDX magic {magic}, expected {IDX_MAGIC[kind]}"
            )
            raise MNISTCorruptError(
                f"MNIST file {path} {problem}: it is truncated or corrupt. Delete it and run again to "
                "re-download it (or copy a good file there)."
            )


def load_mnist(root: str | os.PathLike | None = None, train: bool = True, download: bool = True) -> MNIST:
    """Return MNIST's training (60,000) or test (10,000) set as uint8 tensors, downloading it if missing.

    The data root is ``root``, else ``$GAN_DATA_DIR``, else ``~/.cache/gan-course/data``.
    """
    from torchvision.datasets import MNIST as TorchvisionMNIST

    raw = data_root(root) / "MNIST" / "raw"
    missing = [name for name in MNIST_FILES if not (raw / name).exists()]
    if missing and not download:
        raise MNISTNotFoundError(_missing_message(raw, missing, "download=False"))
    if not missing:
        check_mnist_files(raw)  # before torchvision parses them, so a bad file gets a clear message
    try:
        dataset = TorchvisionMNIST(str(data_root(root)), train=train, download=download)
    except Exception as err:  # torchvision raises RuntimeError/URLError/HTTPError (e.g. 503) when offline
        missing = [name for name in MNIST_FILES if not (raw / name).exists()]
        if not missing:
            raise
        raise MNISTNotFoundError(_missing_message(raw, missing, f"{type(err).__name__}: {err}".strip())) from None
    if missing:
        check_mnist_files(raw)  # what was just downloaded
    return MNIST(dataset.data.unsqueeze(1).contiguous(), dataset.targets.clone())


def blur(images: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Return ``images`` (N, 1, H, W) in [-1, 1] smoothed by a Gaussian of width ``sigma`` pixels.

    The kernel reaches ``ceil(4 * sigma)`` pixels each way and the border counts as background (-1),
    so a blurred digit keeps its black surround. ``sigma=0`` returns the images unchanged.
    """
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"blur: sigma must be a number >= 0 (a width in pixels), got {sigma!r}.")
    if (
        not isinstance(images, torch.Tensor)
        or images.dim() != 4
        or images.shape[1] != 1
        or not images.is_floating_point()
    ):
        raise ValueError("blur: images must be a float tensor (N, 1, H, W) in [-1, 1] (gan.to_float makes one).")
    if sigma == 0:
        return images.clone()
    radius = math.ceil(4 * sigma)
    x = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    kernel = (-(x**2) / (2 * sigma**2)).exp()
    kernel = kernel / kernel.sum()
    padded = torch.nn.functional.pad(images, (radius,) * 4, value=-1.0)
    rows = torch.nn.functional.conv2d(padded, kernel.view(1, 1, 1, -1))
    return torch.nn.functional.conv2d(rows, kernel.view(1, 1, -1, 1))


def to_float(images: torch.Tensor) -> torch.Tensor:
    """Return uint8 images in [0, 255] as float32 in [-1, 1], the range of a tanh generator."""
    if images.dtype != torch.uint8:
        raise TypeError(f"to_float: images must be uint8 in [0, 255], got dtype {images.dtype}.")
    return images.float().div_(127.5).sub_(1.0)


class Shuffled:
    """Batches of indices into ``n`` items, shuffled once per epoch, forever; its position can be saved.

    Each epoch draws one permutation from ``generator`` when its first batch is asked for, and the last
    incomplete batch of each epoch is dropped so every batch has the same size. With ``repeats=k`` an
    epoch is k permutations end to end (a small labelled set cycled many times per epoch).
    ``state_dict``/``load_state_dict`` save and restore the current epoch's order and position, so a
    resumed training run sees the same batches as an uninterrupted one. The order is drawn on the CPU
    and kept on ``device``, so a batch's indices never wait for a copy to the GPU.
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        generator: torch.Generator | None = None,
        repeats: int = 1,
        device: torch.device | str = "cpu",
    ):
        if not 1 <= batch_size <= n * repeats:
            raise ValueError(f"batches: batch_size must be between 1 and the number of images ({n}), got {batch_size}.")
        self.n, self.batch_size, self.generator, self.repeats = n, batch_size, generator, repeats
        self.device, self.order, self.position = torch.device(device), None, 0

    def __iter__(self):
        return self

    def __next__(self) -> torch.Tensor:
        if self.order is None or self.position + self.batch_size > len(self.order):
            order = torch.cat([torch.randperm(self.n, generator=self.generator) for _ in range(self.repeats)])
            self.order, self.position = order.to(self.device), 0
        batch = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return batch

    def state_dict(self) -> dict:
        return {"order": None if self.order is None else self.order.cpu(), "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        order = state["order"]
        self.order, self.position = (None if order is None else order.to(self.device)), state["position"]


class Batches:
    """Shuffled float batches in [-1, 1] from uint8 ``images``, forever (see ``batches``); resumable."""

    def __init__(self, images: torch.Tensor, batch_size: int, generator: torch.Generator | None = None):
        self.images, self.indices = images, Shuffled(len(images), batch_size, generator, device=images.device)

    def __iter__(self):
        return self

    def __next__(self) -> torch.Tensor:
        return to_float(self.images[next(self.indices)])

    def state_dict(self) -> dict:
        return self.indices.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.indices.load_state_dict(state)


class LabelledBatches(Batches):
    """Shuffled (images, labels) batches, forever: images as ``Batches`` gives them, with their labels.

    With ``repeats=k`` an epoch is k permutations end to end: a small labelled set is cycled (oversampled)
    so that even a set smaller than a batch fills one.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        generator: torch.Generator | None = None,
        repeats: int = 1,
    ):
        if len(labels) != len(images):
            raise ValueError(
                f"LabelledBatches: {len(images)} images but {len(labels)} labels; give one label per image."
            )
        if labels.dtype != torch.long or (len(labels) and labels.min() < 0):
            raise ValueError(
                f"LabelledBatches: labels must be class indices 0, 1, ... of dtype torch.long, got {labels.dtype}."
            )
        self.images, self.labels = images, labels.to(images.device)
        self.indices = Shuffled(len(labels), batch_size, generator, repeats=repeats, device=images.device)

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        idx = next(self.indices)
        return to_float(self.images[idx]), self.labels[idx]


def batches(images: torch.Tensor, batch_size: int, generator: torch.Generator | None = None) -> Batches:
    """Return an endless stream of shuffled float batches in [-1, 1] from uint8 ``images``: ``next(stream)``.

    One permutation per epoch; the last incomplete batch of each epoch is dropped so every batch has the
    same size. Indexing one in-memory tensor is far faster than a per-sample PIL/ToTensor pipeline.
    """
    return Batches(images, batch_size, generator)


# The [1, 0, 1, 0] pattern of the first GAN (chapter 3).
PATTERN = torch.tensor([1.0, 0.0, 1.0, 0.0])


def pattern_real(n: int, jitter: float = 0.2, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return ``n`` noisy copies of [1,0,1,0], shape (n, 4): ones in [1-jitter, 1], zeros in [0, jitter]."""
    _check_count("pattern_real", n)
    if not 0.0 <= jitter <= 0.5:
        raise ValueError(f"pattern_real: jitter must be in [0, 0.5] so ones and zeros stay apart, got {jitter}.")
    noise = torch.rand(n, 4, generator=generator) * jitter
    return PATTERN + torch.where(PATTERN > 0.5, -noise, noise)


def pattern_random(n: int, size: int = 4, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return ``n`` uniform random vectors in [0, 1), shape (n, size): the 'not a pattern' data."""
    _check_count("pattern_random", n)
    return torch.rand(n, size, generator=generator)


def ring_centres(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """Return the (modes, 2) centres of a ring of Gaussians, evenly spaced on a circle."""
    angles = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1)


def grid_centres(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """Return the (side*side, 2) centres of a square grid of Gaussians, centred on the origin."""
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(axis, axis)


def sample_mixture(
    n: int, centres: torch.Tensor, std: float = 0.02, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Return ``n`` points (n, 2) from an equal-weight mixture of isotropic Gaussians at ``centres``."""
    _check_count("sample_mixture", n)
    if std <= 0:
        raise ValueError(f"sample_mixture: std must be positive, got {std}.")
    which = torch.randint(len(centres), (n,), generator=generator)
    return centres[which] + std * torch.randn(n, 2, generator=generator)


def ring_of_gaussians(
    n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Return ``n`` points (n, 2) from a ring of ``modes`` Gaussians, the classic mode-collapse test."""
    return sample_mixture(n, ring_centres(modes, radius), std, generator)


def grid_of_gaussians(
    n: int, side: int = 5, spacing: float = 2.0, std: float = 0.02, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Return ``n`` points (n, 2) from a side x side grid of Gaussians."""
    return sample_mixture(n, grid_centres(side, spacing), std, generator)


def _check_count(name: str, n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name}: n must be a positive int, got {n!r}.")


# --- the semi-supervised GAN's split: held-out validation images, a few labelled ones (chapter 10) ---

CLASSES = 10  # the digits
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
