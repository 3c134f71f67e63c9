"""A resumed run ends bitwise identical to an uninterrupted one: in the package, and killed from the command line."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import gan
from gan.__main__ import main
from gan.resume import Checkpointing, Every, load_state, state_path

ROOT = Path(__file__).resolve().parent.parent


class Recording(Checkpointing):
    """Save every state to its own file (state_10.pt, state_20.pt, ...) so a test can resume from any of them."""

    def save(self, loop_state):
        self.path = self.folder / f"state_{loop_state['step']}.pt"
        return super().save(loop_state)


def _recording(folder, every):
    checkpoint = Recording(folder / "unused.pt", Every(steps=every), run={"command": "test"})
    checkpoint.folder = folder
    return checkpoint


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.fixture(scope="module")
def small_mnist(mnist_root):
    data = gan.load_mnist(mnist_root, train=True)
    return gan.MNIST(data.images[:3000], data.labels[:3000])


@pytest.mark.parametrize(
    "model, g_config, d_config",
    [
        ("mlp", None, None),
        ("dcgan", {"width": 8}, {"width": 8}),  # BatchNorm's running statistics and channels-last weights too
    ],
)
def test_a_resumed_gan_run_ends_bitwise_identical(tmp_path, small_mnist, model, g_config, d_config):
    config = gan.TrainConfig(
        steps=30, batch_size=16, loss="bce_logits", lr_d=1e-3, lr_g=2e-3, ema=0.99, lr_decay=True, log_every=3
    )

    def run(**kwargs):
        return gan.train_mnist(
            model, config, g_config, d_config, device="cpu", data=small_mnist, seed=3, progress=False, **kwargs
        )

    # Every 7 steps, at the log steps (every 3) where the losses were just checked: 9, 18, 27.
    whole = run(checkpoint=_recording(tmp_path, every=7))
    assert sorted(p.name for p in tmp_path.glob("state_*.pt")) == ["state_18.pt", "state_27.pt", "state_9.pt"]
    for step in (9, 18):
        resumed = run(resume=load_state(tmp_path / f"state_{step}.pt"))
        assert resumed.steps == 30
        assert _same_weights(resumed.generator, whole.generator)
        assert _same_weights(resumed.discriminator, whole.discriminator)
        assert _same_weights(resumed.ema_generator, whole.ema_generator)
        assert resumed.history.drop(columns="seconds").equals(whole.history.drop(columns="seconds"))


def test_a_resumed_sgan_run_ends_bitwise_identical(tmp_path, small_mnist):
    data, validation = gan.sgan.validation_split(small_mnist, n=500)
    labelled = gan.sgan.labelled_index(data.labels, 20)
    config = gan.sgan.SGANConfig(
        steps=12,
        batch_size=32,
        eval_every=4,
        discriminator=dict(hidden=(64, 32)),
        generator=dict(hidden=(32,), activation="relu", layer_norm=False, batch_norm=True),
    )
    whole = gan.sgan.train_sgan(
        data, labelled, config, validation, device="cpu", seed=1, checkpoint=_recording(tmp_path, every=5)
    )
    resumed = gan.sgan.train_sgan(
        data, labelled, config, validation, device="cpu", seed=1, resume=load_state(tmp_path / "state_8.pt")
    )
    assert _same_weights(resumed.D, whole.D) and _same_weights(resumed.G, whole.G)
    assert resumed.history.equals(whole.history) and list(whole.history["step"]) == [4, 8, 12]


def test_checkpoint_intervals_read_steps_minutes_and_seconds():
    assert Every.parse("500") == Every(steps=500)
    assert Every.parse("10m") == Every(seconds=600.0) and Every.parse("90s") == Every(seconds=90.0)
    for bad in ("0", "-5", "ten", "2.5", "5h", ""):
        with pytest.raises(ValueError, match="steps \\(500\\), minutes \\(10m\\) or seconds \\(90s\\)"):
            Every.parse(bad)
    assert state_path("runs/mlp.pt") == Path("runs/mlp.state.pt") and state_path("mlp") == Path("mlp.state.pt")


def _train(tmp_path, out, *extra):
    return [
        sys.executable,
        "-m",
        "gan",
        "train",
        "mlp",
        "--steps",
        "400",
        "--batch-size",
        "16",
        "--log-every",
        "10",
        "--device",
        "cpu",
        "--out",
        str(tmp_path / out),
        *extra,
    ]


def _stop_when_saved(process, state: Path, how) -> None:
    """Send ``how`` to ``process`` as soon as its first state file has landed."""
    deadline = time.monotonic() + 300
    while not state.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(how)
    process.wait(timeout=120)


@pytest.mark.slow
def test_a_run_killed_from_the_command_line_resumes_to_the_same_end(tmp_path, mnist_root, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    env = {**os.environ, "GAN_DATA_DIR": str(mnist_root), "GAN_PROGRESS": "0"}
    subprocess.run(_train(tmp_path, "whole.pt"), check=True, cwd=ROOT, env=env, capture_output=True)

    # kill -9 after the first save: the state file survives, and --resume goes on to the same end.
    killed = subprocess.Popen(
        _train(tmp_path, "killed.pt", "--checkpoint-every", "20"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _stop_when_saved(killed, tmp_path / "killed.state.pt", signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL and not (tmp_path / "killed.pt").exists()
    stopped_at = load_state(tmp_path / "killed.state.pt")["step"]
    assert stopped_at < 400
    resumed = subprocess.run(
        [sys.executable, "-m", "gan", "train", "--resume", str(tmp_path / "killed.state.pt")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {tmp_path / 'killed.pt'} at step {stopped_at} of 400" in resumed.stdout

    # kill (SIGTERM) stops like Ctrl-C: what was learned is saved, the state kept, and the way on printed.
    stopped = subprocess.Popen(
        _train(tmp_path, "stopped.pt", "--checkpoint-every", "20"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _stop_when_saved(stopped, tmp_path / "stopped.state.pt", signal.SIGTERM)
    message = stopped.stderr.read()
    assert stopped.returncode == 130, message  # interrupted is not finished: `train ... && sample ...` stops
    assert "interrupted after" in message and "--resume" in message and (tmp_path / "stopped.pt").exists()
    assert main(["train", "--resume", str(tmp_path / "stopped.state.pt")]) == 0

    whole = gan.load_checkpoint(tmp_path / "whole.pt")
    for name in ("killed.pt", "stopped.pt"):
        ended = gan.load_checkpoint(tmp_path / name)
        assert ended["train_config"]["steps_done"] == 400
        for part in ("generator", "discriminator"):
            assert all(torch.equal(ended[part][k], whole[part][k]) for k in whole[part]), (name, part)
    # A finished run removes its state file: the checkpoint holds the result.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed.pt", "stopped.pt", "whole.pt"]


def test_resume_refuses_settings_that_would_change_the_run(tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    out = tmp_path / "m.pt"
    assert (
        main(
            [
                "train",
                "mlp",
                "--steps",
                "4",
                "--log-every",
                "2",
                "--checkpoint-every",
                "2",
                "--out",
                str(out),
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    assert not state_path(out).exists()
    gan.resume.save_state(
        state_path(out),
        {
            "kind": "gan-training-state",
            "format": gan.resume.FORMAT,
            "package_version": "x",
            "run": {"command": "train"},
            "step": 2,
            "seconds": 1.0,
        },
    )
    assert main(["train", "mlp", "--resume", str(state_path(out))]) == 1
    assert "--resume continues the saved run with its own settings; drop --recipe" in capsys.readouterr().err
    assert main(["train", "--resume", str(out)]) == 1
    assert "is not a training state saved by --checkpoint-every" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # no abbreviations, which would slip past the check above
        main(["train", "--resume", str(state_path(out)), "--log-ev=10"])
    assert "unrecognized arguments: --log-ev=10" in capsys.readouterr().err
    assert main(["train-sgan", "--resume", str(state_path(out))]) == 1
    assert "is the state of a `python -m gan train` run; resume it with that command" in capsys.readouterr().err
    assert main(["train", "mlp", "--steps", "4", "--checkpoint-every", "often", "--out", str(out)]) == 1
    assert "--checkpoint-every takes steps" in capsys.readouterr().err


def _train_in_process(out, *extra):
    return main(
        [
            "train",
            "mlp",
            "--steps",
            "60",
            "--batch-size",
            "16",
            "--log-every",
            "10",
            "--device",
            "cpu",
            "--out",
            str(out),
            *extra,
        ]
    )


def _full_disk_on_the_second_save(monkeypatch):
    """Make the second file gan.files renames into place fail with ENOSPC; return the real os.replace."""
    real_replace, calls = os.replace, []

    def full_on_the_second_save(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("gan.files.os.replace", full_on_the_second_save)
    return real_replace


@pytest.mark.slow
def test_a_full_disk_during_a_run_keeps_the_last_state_and_says_how_to_go_on(tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    assert _train_in_process(tmp_path / "whole.pt") == 0
    real_replace = _full_disk_on_the_second_save(monkeypatch)
    assert _train_in_process(tmp_path / "m.pt", "--checkpoint-every", "20") == 1
    err = capsys.readouterr().err
    assert "no space is left on the disk" in err and "Traceback" not in err
    assert f"continue the run to its end with: python -m gan train --resume {tmp_path / 'm.state.pt'}" in err
    assert load_state(tmp_path / "m.state.pt")["step"] == 20  # the state before the failed save, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.state.pt", "whole.pt"]  # nothing partial

    monkeypatch.setattr("gan.files.os.replace", real_replace)
    # Starting the same run afresh would throw that progress away: refused, with the way on.
    assert _train_in_process(tmp_path / "m.pt", "--checkpoint-every", "20") == 1
    assert "holds the state of an interrupted run. Continue it with" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "m.state.pt")]) == 0
    whole, ended = gan.load_checkpoint(tmp_path / "whole.pt"), gan.load_checkpoint(tmp_path / "m.pt")
    assert all(torch.equal(ended["generator"][k], whole["generator"][k]) for k in whole["generator"])


@pytest.mark.slow
def test_the_sgan_command_resumes_too(tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    common = ["train-sgan", "--steps", "12", "--eval-every", "4", "--device", "cpu"]
    assert main([*common, "--out", str(tmp_path / "whole.pt")]) == 0
    real_replace = _full_disk_on_the_second_save(monkeypatch)
    assert main([*common, "--checkpoint-every", "4", "--out", str(tmp_path / "s.pt")]) == 1
    # states are saved at log steps, which for the SGAN are its validation steps: 4, then 8 (the full disk)
    assert "--resume" in capsys.readouterr().err and load_state(tmp_path / "s.state.pt")["step"] == 4
    monkeypatch.setattr("gan.files.os.replace", real_replace)
    assert main(["train-sgan", "--resume", str(tmp_path / "s.state.pt")]) == 0
    whole, _ = gan.sgan.load_classifier(tmp_path / "whole.pt")
    resumed, info = gan.sgan.load_classifier(tmp_path / "s.pt")
    assert _same_weights(whole, resumed) and info["history"]["step"] == [4, 8, 12]
    assert not (tmp_path / "s.state.pt").exists()


def test_a_state_saved_by_an_older_training_loop_is_refused_clearly(tmp_path, capsys):
    old = tmp_path / "old.state.pt"
    state = {
        "kind": "gan-training-state",
        "format": 1,
        "package_version": "0.1.0",
        "run": {"command": "train"},
        "step": 2,
        "seconds": 1.0,
    }
    gan.resume.save_state(old, state)
    assert main(["train", "--resume", str(old)]) == 1
    assert "is a training state of an older gan (0.1.0" in capsys.readouterr().err
    assert gan.resume.is_state_file(old)  # still recognised: a fresh run will not overwrite it
