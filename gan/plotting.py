"""Figures and displays the chapters share. Plotting functions draw on the axes they are given and change no global settings."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import torch


def plot_history(history: pd.DataFrame, columns=("d_loss", "g_loss"), ax=None, title: str | None = None):
    """Plot training-history columns against ``step`` and return the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    missing = [c for c in (*columns, "step") if c not in history.columns]
    if missing:
        raise ValueError(f"plot_history: history has no column(s) {missing}; it has {list(history.columns)}.")
    for column in columns:
        ax.plot(history["step"], history[column], label=column)
    ax.set_xlabel("training step")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_heatmap(values: torch.Tensor, steps, ax=None, title: str | None = None):
    """Draw rows of generated vectors (one row per snapshot, labelled by ``steps``) as a heat map in [0, 1]."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 5))
    image = ax.imshow(
        torch.as_tensor(values).cpu(), cmap="Blues", vmin=0, vmax=1, aspect="auto", interpolation="nearest"
    )
    ticks = range(0, len(steps), max(1, len(steps) // 8))
    ax.set_yticks(list(ticks), [str(steps[i]) for i in ticks])
    ax.set_ylabel("training step")
    ax.set_xlabel("output element")
    ax.set_xticks(range(torch.as_tensor(values).shape[1]))
    plt.colorbar(image, ax=ax)
    if title:
        ax.set_title(title)
    return ax


def show_images(images: torch.Tensor, nrow: int = 8, ax=None, title: str | None = None, value_range=(-1.0, 1.0)):
    """Show a batch of images (N, 1, H, W) as one grid and return the axes; ``value_range`` maps to black..white."""
    from torchvision.utils import make_grid

    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(f"show_images: images must have shape (N, 1, H, W), got {tuple(images.shape)}.")
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, normalize=True, value_range=value_range, pad_value=1.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(nrow * 0.6, (len(images) + nrow - 1) // nrow * 0.6))
    ax.imshow(grid[0], cmap="gray", vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def show_source(obj):
    """Return the package's source of ``obj`` as a highlighted code display: chapters show the code that runs."""
    import inspect

    from IPython.display import Code

    return Code(inspect.getsource(obj), language="python")
