"""Checkpoints: a generator (and optionally its discriminator) with everything needed to rebuild it.

A checkpoint is a dict saved with ``torch.save`` and read with ``weights_only=True`` (no code runs on
load). It records the format version, the package version, the model's name and constructor
arguments, the weights, and optionally the training settings and metrics.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from .files import save_torch
from .models import MODELS, build, model_names

FORMAT = 1
_REQUIRED = ("format", "package_version", "model", "generator_config", "generator")


class CheckpointError(ValueError):
    """A file is not a readable checkpoint of the expected model; the message says why and what to do."""


def save_checkpoint(
    path: str | os.PathLike,
    model: str,
    generator: nn.Module,
    discriminator: nn.Module | None = None,
    half: bool = False,
    **extra,
) -> Path:
    """Write a checkpoint atomically (``gan.files``: temporary file, then rename) and return its path.

    ``extra`` keyword arguments (e.g. ``train_config``, ``metrics``) are stored alongside; they must be
    plain Python values. An existing file is replaced only if it is itself a checkpoint.
    """
    path = Path(path)
    if model not in MODELS:
        raise ValueError(f"Unknown model {model!r}; known models: {model_names()}.")
    from . import __version__

    payload = {
        "format": FORMAT,
        "package_version": __version__,
        "model": model,
        "generator_config": generator.config,
        "generator": state_to_save(generator, half),
        **extra,
    }
    if discriminator is not None:
        payload["discriminator_config"] = discriminator.config
        payload["discriminator"] = state_to_save(discriminator, half)
    return save_torch(path, payload, ours=readable_by(load_checkpoint), what="a gan checkpoint")


def readable_by(read: Callable[[Path], object]) -> Callable[[Path], bool]:
    """Return an ``ours`` for ``gan.files``: a file is ours if ``read`` reads it without a ``CheckpointError``.

    A save replaces an existing file only if it is itself what the save writes (e.g. a gan
    checkpoint), so nothing else the user saved under that name is lost.
    """

    def ours(path: Path) -> bool:
        try:
            read(path)
        except CheckpointError:
            return False
        return True

    return ours


def state_to_save(module: nn.Module, half: bool = False) -> dict:
    """Return a CPU copy of ``module``'s state dict, its float tensors in float16 with ``half``."""
    return {
        k: (v.half() if half and v.is_floating_point() else v).detach().cpu().clone()
        for k, v in module.state_dict().items()
    }


def float32_state(state: dict) -> dict:
    """Return ``state`` with its float tensors in float32, ready for ``load_state_dict`` (undoes ``half``)."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read and validate a checkpoint; raise ``CheckpointError`` (or FileNotFoundError) saying what is wrong."""
    path = Path(path)
    return validated(read_file(path, "checkpoint"), str(path))


def validated(ckpt: object, where: str) -> dict:
    """Return ``ckpt`` if it is a checkpoint this package can read, else raise ``CheckpointError`` about ``where``.

    A DCGAN saved before its networks had the options ``final_conv`` or ``refine`` was built without
    those layers: it gets ``False`` for each missing option in a copy of its configs; the caller's dict
    is not changed.
    """
    if not isinstance(ckpt, dict) or any(key not in ckpt for key in _REQUIRED):
        raise CheckpointError(f"{where} is not a gan checkpoint (it lacks the keys {list(_REQUIRED)}).")
    if ckpt["format"] > FORMAT:
        raise CheckpointError(
            f"{where} has checkpoint format {ckpt['format']}, newer than this package understands ({FORMAT}); "
            f"it was written by gan {ckpt['package_version']}. Upgrade the package."
        )
    if ckpt["model"] not in MODELS:
        raise CheckpointError(f"{where} holds an unknown model {ckpt['model']!r}; known models: {model_names()}.")
    if ckpt["model"] == "dcgan" and isinstance(ckpt["generator_config"], dict):
        # Saved before the DCGAN had its extra 3x3 convolutions: the plain layers, still loadable.
        ckpt = {**ckpt, "generator_config": {"final_conv": False, "refine": False, **ckpt["generator_config"]}}
        if isinstance(ckpt.get("discriminator_config"), dict):
            ckpt["discriminator_config"] = {"refine": False, **ckpt["discriminator_config"]}
    return ckpt


def read_file(path: Path, what: str) -> object:
    """Return what ``torch.load`` reads from ``path`` (no code runs); a missing or unreadable file says so.

    ``what`` names the expected content in the errors: "checkpoint", "SGAN classifier".
    """
    if not path.exists():
        raise FileNotFoundError(f"No {what} at {path}.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise CheckpointError(
            f"{path} is not a readable {what} (truncated, corrupt, or not saved by gan): "
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        ) from None


def load_generator(
    source: str | os.PathLike | dict, model: str | None = None, device: torch.device | str = "cpu"
) -> nn.Module:
    """Return the generator stored in a checkpoint (a path or a loaded dict), in eval mode on ``device``.

    With ``model`` given, a checkpoint of another model family is refused with a clear error.
    """
    where = "the checkpoint" if isinstance(source, dict) else str(source)
    ckpt = validated(source, where) if isinstance(source, dict) else load_checkpoint(source)
    if model is not None and ckpt["model"] != model:
        raise CheckpointError(f"{where} holds a {ckpt['model']!r} model, not {model!r}.")
    generator = build(ckpt["model"], "generator", ckpt["generator_config"])
    state = float32_state(ckpt["generator"])
    try:
        generator.load_state_dict(state)
    except RuntimeError as err:
        raise CheckpointError(f"{where}: the weights do not fit a {ckpt['model']!r} generator: {err}") from None
    return generator.to(device).eval()
