"""Checkpoints: every trained network the package saves, in one format, written by one atomic writer.

A checkpoint is a dict saved with ``torch.save`` and read with ``weights_only=True`` (no code runs on
load). Every one records the format version, its ``kind`` and the package version that wrote it;
``write`` and ``read`` are the only functions that save and load one. The kinds:

- ``"generator"``: a generator (and optionally its discriminator) with the model family's name, both
  networks' constructor arguments, and optionally the recipe, training settings and metrics
  (``save_checkpoint``, ``load_checkpoint``, ``load_generator``);
- ``"classifier"``: the MNIST classifier behind the metrics, with its test accuracy
  (``gan.classifier.save_weights``, ``gan.classifier.load_classifier``);
- ``"sgan-classifier"``: a semi-supervised GAN's classifier with its settings and validation history
  (``gan.sgan.save_classifier``, ``gan.sgan.load_classifier``).

Files written before the kinds existed are still read (``_with_kind`` names their kind).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch
from torch import nn

from .files import save_torch
from .models import MODELS, build, model_names

FORMAT = 2
#: What each kind of checkpoint must hold besides the header (format, kind, package_version).
KINDS = {
    "generator": ("model", "generator_config", "generator"),
    "classifier": ("weights", "test_accuracy"),
    "sgan-classifier": ("discriminator_config", "discriminator"),
}
# How errors name each kind: what a file is, what it was expected to be, what a write may replace.
_A = {
    "generator": "a gan checkpoint",
    "classifier": "the metrics' classifier weights",
    "sgan-classifier": "an SGAN classifier",
}
_READABLE = {"generator": "checkpoint", "classifier": "classifier weights file", "sgan-classifier": "SGAN classifier"}
_SAVED = {
    "generator": "a gan checkpoint",
    "classifier": "classifier weights saved by gan",
    "sgan-classifier": "a saved SGAN classifier",
}


class CheckpointError(ValueError):
    """A file is not a readable checkpoint of the expected model; the message says why and what to do."""


def write(path: str | os.PathLike, kind: str, payload: dict) -> Path:
    """Save ``payload`` as a checkpoint of ``kind`` to ``path`` atomically (``gan.files``); return the path.

    An existing file is replaced only if it is itself a checkpoint of the same kind, so nothing else
    the user saved under that name is lost.
    """
    from . import __version__

    missing = [key for key in KINDS[kind] if key not in payload]
    if missing:
        raise ValueError(f"write: a {kind!r} checkpoint needs {missing}.")
    header = {"format": FORMAT, "kind": kind, "package_version": __version__}
    ours = partial(is_checkpoint, kind=kind)
    return save_torch(Path(path), {**header, **payload}, ours=ours, what=_SAVED[kind])


def is_checkpoint(path: str | os.PathLike, kind: str) -> bool:
    """Whether ``path`` holds a readable checkpoint of ``kind`` (so that a new one may replace it)."""
    return readable_by(lambda p: read(p, kind))(Path(path))


def read(path: str | os.PathLike, kind: str) -> dict:
    """Read the checkpoint of ``kind`` at ``path``; raise ``CheckpointError`` (or FileNotFoundError) saying what is wrong."""
    path = Path(path)
    return checked(read_file(path, _READABLE[kind]), kind, str(path))


def checked(saved: object, kind: str, where: str) -> dict:
    """Return ``saved`` if it is a checkpoint of ``kind`` this package can read, else raise ``CheckpointError``."""
    what = _A[kind]
    saved = _with_kind(saved)
    if not isinstance(saved, dict) or saved.get("kind") not in KINDS:
        raise CheckpointError(f"{where} is not {what} (it lacks the keys {['format', 'kind', *KINDS[kind]]}).")
    if saved["kind"] != kind:
        found = f"a {saved.get('model')!r} checkpoint" if saved["kind"] == "generator" else _A[saved["kind"]]
        raise CheckpointError(f"{where} is {found}, not {what}.")
    if not isinstance(saved.get("format"), int):
        raise CheckpointError(f"{where} is not {what}: its format is {saved.get('format')!r}, not a version number.")
    if saved["format"] > FORMAT:
        raise CheckpointError(
            f"{where} has checkpoint format {saved['format']}, newer than this package understands ({FORMAT}); "
            f"it was written by gan {saved.get('package_version')}. Upgrade the package."
        )
    missing = [key for key in KINDS[kind] if key not in saved]
    if missing:
        raise CheckpointError(f"{where} is not {what}: it lacks the keys {missing}.")
    return saved


def _with_kind(saved: object) -> object:
    """A file written before checkpoints had a kind, with the kind its keys show (a copy; else ``saved`` itself)."""
    if not isinstance(saved, dict) or "kind" in saved:
        return saved
    if set(saved) == {"weights", "test_accuracy"}:  # the classifier's file, before format 2
        return {"format": 1, "kind": "classifier", "package_version": None, **saved}
    if saved.get("model") == "sgan-classifier":  # format 2 without a kind
        return {**saved, "kind": "sgan-classifier"}
    if all(key in saved for key in ("format", "package_version", *KINDS["generator"])):  # format 1
        return {**saved, "kind": "generator"}
    return saved


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
    if model not in MODELS:
        raise ValueError(f"Unknown model {model!r}; known models: {model_names()}.")
    payload = {"model": model, "generator_config": generator.config, "generator": state_to_save(generator, half)}
    if discriminator is not None:
        payload |= {"discriminator_config": discriminator.config, "discriminator": state_to_save(discriminator, half)}
    return write(path, "generator", {**payload, **extra})


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
    """Read and validate a generator checkpoint; raise ``CheckpointError`` (or FileNotFoundError) saying what is wrong."""
    path = Path(path)
    return validated(read_file(path, "checkpoint"), str(path))


def validated(ckpt: object, where: str) -> dict:
    """Return ``ckpt`` if it is a generator checkpoint this package can read, else raise ``CheckpointError``.

    A DCGAN saved before its networks had the options ``final_conv`` or ``refine`` was built without
    those layers: it gets ``False`` for each missing option in a copy of its configs; the caller's dict
    is not changed.
    """
    ckpt = checked(ckpt, "generator", where)
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
