"""Resumable training: a long run saves its whole state every so often and can continue from it.

The state is everything the next step depends on: the networks, their optimisers (Adam's moments),
the averaged network, the learning-rate schedules, the step and the time spent, the history, the
random-number generators and the data stream's position. On the CPU of the same machine, a run of a
fixed number of steps resumed from it ends bitwise identical to one that was never interrupted
(``tests/test_resume.py`` checks it); on a GPU this is not guaranteed (cuDNN picks kernels by timing).

The state file is written atomically (``gan.files``), so a run killed while saving leaves the
previous state intact: an interrupted run loses only the steps since the last saved state.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

KIND = "gan-training-state"
FORMAT = 2  # 2: the one loop (stop 31); a state of format 1 cannot be resumed by it


@dataclass(frozen=True)
class Every:
    """How often to save: every ``steps`` training steps or every ``seconds`` of training (exactly one)."""

    steps: int | None = None
    seconds: float | None = None

    def __post_init__(self):
        if (self.steps is None) == (self.seconds is None):
            raise ValueError("Every: give steps or seconds, not both.")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise ValueError(f"Every: steps must be a positive int, got {self.steps!r}.")
        if self.seconds is not None and not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"Every: seconds must be positive, got {self.seconds!r}.")

    @classmethod
    def parse(cls, text: str) -> Every:
        """Read ``"500"`` (steps), ``"10m"`` (minutes) or ``"90s"`` (seconds)."""
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([sm]?)\s*", str(text))
        if match is None or float(match[1]) <= 0 or (match[2] == "" and "." in match[1]):
            raise ValueError(f"--checkpoint-every takes steps (500), minutes (10m) or seconds (90s), got {text!r}.")
        number, unit = match[1], match[2]
        if unit == "":
            return cls(steps=int(number))
        return cls(seconds=float(number) * (60 if unit == "m" else 1))

    def __str__(self) -> str:
        return f"{self.steps} steps" if self.steps is not None else f"{self.seconds:g} seconds"


class Checkpointing:
    """Save a run's state to ``path`` every ``every``; ``run`` (plain values) says how to rebuild the run.

    The training loop calls ``start`` with its first step, then ``due`` at the steps where it may save
    (``train_gan``: its log steps, where the losses have just been checked to be finite) and, when it
    says so, ``save`` with the loop's state; ``extra`` adds what only the caller knows (the data
    stream's position).
    """

    def __init__(self, path: str | os.PathLike, every: Every, run: dict, extra: Callable[[], dict] | None = None):
        self.path, self.every, self.run, self.extra = Path(path), every, run, extra
        self.saved_step, self.saved_at, self._written = 0, time.perf_counter(), None

    def start(self, step: int) -> None:
        """The run begins (or resumes) at ``step``: count the interval from here."""
        self.saved_step, self.saved_at = step, time.perf_counter()

    def due(self, step: int) -> bool:
        if self.every.steps is not None:
            return step - self.saved_step >= self.every.steps
        return time.perf_counter() - self.saved_at >= self.every.seconds

    def save(self, loop_state: dict) -> Path:
        state = {"kind": KIND, "format": FORMAT, "package_version": _version(), "run": self.run, **loop_state}
        if self.extra is not None:
            state |= self.extra()
        # The file this object wrote last is ours without reading it back (a state can be large).
        path = save_state(self.path, state, known=self._written)
        self._written = _signature(path)
        self.saved_step, self.saved_at = loop_state["step"], time.perf_counter()
        return path


def save_state(path: str | os.PathLike, state: dict, known: tuple | None = None) -> Path:
    """Write a training state atomically; an existing file is replaced only if it is itself a training state.

    ``known``: the ``_signature`` of the file as this process last wrote it; if it still matches, the
    file is not read back to check it.
    """
    from .files import save_torch

    def ours(path: Path) -> bool:
        return (known is not None and _signature(path) == known) or is_state_file(path)

    return save_torch(path, state, ours=ours, what="a gan training state")


def _signature(path: Path) -> tuple | None:
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def load_state(path: str | os.PathLike, command: str | None = None) -> dict:
    """Read a training state saved by ``Checkpointing``; raise ``CheckpointError`` saying what is wrong.

    With ``command`` ("train" or "train-sgan"), a state saved by the other command is refused.
    """
    from .checkpoints import CheckpointError, read_file

    path = Path(path)
    state = read_file(path, "training state")
    if not isinstance(state, dict) or state.get("kind") != KIND:
        raise CheckpointError(
            f"{path} is not a training state saved by --checkpoint-every; give the .state.pt file "
            "that the interrupted run wrote."
        )
    missing = [key for key in ("format", "package_version", "run", "step", "seconds") if key not in state]
    if missing or not isinstance(state["run"], dict) or "command" not in state["run"]:
        raise CheckpointError(
            f"{path} is an incomplete training state (it lacks {missing or ['run.command']}); it cannot be resumed."
        )
    if state["format"] > FORMAT:
        raise CheckpointError(f"{path} was written by a newer gan ({state['package_version']}); upgrade the package.")
    if command is not None and state["format"] < FORMAT:
        raise CheckpointError(
            f"{path} is a training state of an older gan ({state['package_version']}, whose training loop saved "
            "another layout); it cannot be resumed by this one. Start the run afresh (delete the state file first)."
        )
    if command is not None and state["run"]["command"] != command:
        raise CheckpointError(
            f"{path} is the state of a `python -m gan {state['run']['command']}` run; resume it "
            f"with that command, not {command}."
        )
    return state


def is_state_file(path: Path) -> bool:
    """Whether ``path`` holds a training state (so that a new state may replace it)."""
    from .checkpoints import CheckpointError

    try:
        load_state(path)
    except (CheckpointError, KeyError, TypeError):
        return False
    return True


def state_path(out: str | os.PathLike) -> Path:
    """Where a run writing ``out`` keeps its state: ``mlp.pt`` -> ``mlp.state.pt``."""
    out = Path(out)
    return out.with_name(f"{out.stem if out.suffix else out.name}.state.pt")


def rng_state(device: torch.device) -> dict:
    """Return the global random-number generators' states that training on ``device`` draws from."""
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    elif device.type == "mps":
        state["mps"] = torch.mps.get_rng_state()
    return state


def set_rng_state(state: dict, device: torch.device) -> None:
    """Restore what ``rng_state`` returned."""
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)
    elif device.type == "mps" and "mps" in state:
        torch.mps.set_rng_state(state["mps"])


def _version() -> str:
    from . import __version__

    return __version__
