"""The MNIST classifier behind the course's metrics: a small CNN whose weights ship with the package."""

from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .data import MNIST, load_mnist, to_float
from .models import check_images

WEIGHTS = Path(__file__).resolve().parent / "weights" / "mnist_classifier.pt"


class MNISTClassifier(nn.Module):
    """Images (N, 1, 28, 28) in [-1, 1] -> class logits (N, 10); ``features`` gives the 128-d penultimate layer."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14 -> 7
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 128),
            nn.ReLU(),
        )
        self.head = nn.Linear(128, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Return the penultimate-layer features (N, 128), the space Fréchet distance and precision/recall use."""
        check_images(x, model=self)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def train_classifier(
    epochs: int = 3,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    data: MNIST | None = None,
    device: torch.device | str = "cpu",
    log=print,
) -> MNISTClassifier:
    """Train the classifier on MNIST's training set with light random shifts and return it (in eval mode)."""
    from .device import seed_everything

    gen = seed_everything(seed)
    data = data or load_mnist(train=True)
    model = MNISTClassifier().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = len(data) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr * 3, total_steps=epochs * steps_per_epoch)
    images, labels = data.images.to(device), data.labels.to(device)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.randperm(len(data), generator=gen).to(device)
        for i in range(steps_per_epoch):
            idx = order[i * batch_size : (i + 1) * batch_size]
            x = _random_shift(to_float(images[idx]), gen)
            loss = F.cross_entropy(model(x), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        log(f"epoch {epoch + 1}/{epochs}: last loss {loss.item():.4f}, {time.perf_counter() - start:.0f} s")
    return model.eval()


def _random_shift(x: torch.Tensor, gen: torch.Generator, pixels: int = 2) -> torch.Tensor:
    """Shift the whole batch by up to ``pixels`` in each direction: cheap augmentation against overfitting."""
    dx, dy = (torch.randint(-pixels, pixels + 1, (2,), generator=gen)).tolist()
    padded = F.pad(x, (pixels, pixels, pixels, pixels), value=-1.0)
    return padded[:, :, pixels + dy : pixels + dy + 28, pixels + dx : pixels + dx + 28]


@torch.no_grad()
def accuracy(model: MNISTClassifier, data: MNIST, batch_size: int = 1000) -> float:
    """Return the fraction of ``data`` the classifier labels correctly."""
    device = next(model.parameters()).device
    correct = 0
    for start in range(0, len(data), batch_size):
        x = to_float(data.images[start : start + batch_size].to(device))
        correct += (model(x).argmax(1) == data.labels[start : start + batch_size].to(device)).sum().item()
    return correct / len(data)


_LOADED: dict[str, MNISTClassifier] = {}


def load_classifier(device: torch.device | str = "cpu") -> MNISTClassifier:
    """Return the shipped classifier (eval mode, on ``device``), loaded once per device."""
    key = str(torch.device(device))
    if key not in _LOADED:
        if not WEIGHTS.exists():
            raise FileNotFoundError(
                f"The classifier's weights are missing from the package ({WEIGHTS}). Reinstall the package, "
                "or recreate them with: python -m gan train-classifier"
            )
        from .checkpoints import read

        state = read(WEIGHTS, "classifier")
        model = MNISTClassifier()
        model.load_state_dict({k: v.float() for k, v in state["weights"].items()})
        # Channels-last (and, in gan.metrics.classify, batches of 500): in this project's emulation of an
        # AVX2-only CPU (README, "Chapter times"), classifying 10,000 digits took 1.6 s instead of 5.6 s
        # (2.4 s with channels-last alone); on this book's recent CPU channels-last alone took 0.6 s, not 1.1 s. The
        # emulation is pessimistic for convolutions, so a real AVX2-only CPU may differ in both times
        # and their ratio. The values agree to about 1e-5 (the sums run in another order).
        _LOADED[key] = model.to(device).eval().requires_grad_(False).to(memory_format=torch.channels_last)
    return _LOADED[key]


def is_classifier_file(path: Path) -> bool:
    """Whether ``path`` holds classifier weights as ``save_weights`` writes them (so it may be replaced)."""
    from .checkpoints import is_checkpoint

    return is_checkpoint(path, "classifier")


def save_weights(model: MNISTClassifier, test_accuracy: float, path: str | Path = WEIGHTS) -> Path:
    """Save the classifier's weights (float16) and test accuracy to ``path`` atomically; return ``path``.

    A checkpoint of kind "classifier" (``gan.checkpoints``); an existing file is replaced only if it is one too.
    """
    from .checkpoints import write

    weights = {k: v.detach().cpu().half() for k, v in model.state_dict().items()}
    return write(path, "classifier", {"weights": weights, "test_accuracy": test_accuracy})
