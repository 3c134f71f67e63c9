"""Every write is atomic and every refusal is clear: fault injection on gan.files and the command line."""

import errno
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import gan
from gan.__main__ import main
from gan.files import WriteError, check_writable, save_torch, write_text

ROOT = Path(__file__).resolve().parent.parent


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_write_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # a new file gets the usual permissions
    target.chmod(0o600)
    write_text(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert target.stat().st_mode & 0o777 == 0o600  # a replaced file keeps its own
    link = tmp_path / "latest.txt"
    link.symlink_to(target)
    write_text(link, "newest")
    assert link.is_symlink() and target.read_text() == "newest"  # the link still points at the file


def test_a_folder_given_as_the_file_is_refused_clearly(tmp_path):
    with pytest.raises(WriteError, match="is a folder; give a file name inside it"):
        write_text(tmp_path, "x")
    with pytest.raises(WriteError, match="is a folder"):
        check_writable(tmp_path)


def test_a_missing_folder_is_named_with_how_to_create_it(tmp_path):
    target = tmp_path / "runs" / "mlp.pt"
    for call in (lambda: write_text(target, "x"), lambda: check_writable(target)):
        with pytest.raises(WriteError, match=r"the folder .*runs does not exist; create it \(mkdir -p"):
            call()
    assert not (tmp_path / "runs").exists()  # nothing is created behind the user's back


def test_a_file_given_as_the_folder_is_refused(tmp_path):
    (tmp_path / "notes").write_text("mine")
    with pytest.raises(WriteError, match="notes is not a folder"):
        check_writable(tmp_path / "notes" / "x.pt")
    with pytest.raises(WriteError, match="notes is not a folder"):
        write_text(tmp_path / "notes" / "x.pt", "x")
    assert (tmp_path / "notes").read_text() == "mine"


def test_a_file_that_is_not_ours_is_never_replaced(tmp_path):
    precious = tmp_path / "notes.pt"
    precious.write_text("my notes")
    never = lambda path: False  # noqa: E731
    with pytest.raises(FileExistsError, match="is not a gan checkpoint; refusing to overwrite it"):
        write_text(precious, "x", ours=never, what="a gan checkpoint")
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        check_writable(precious, ours=never, what="a gan checkpoint")
    assert precious.read_text() == "my notes"


def test_no_permission_is_reported_and_the_old_file_is_kept(tmp_path, monkeypatch):
    # As root (CI) a read-only folder does not stop a write, so the refusal is injected where the
    # temporary file is created: the same OSError a read-only folder gives a normal user.
    target = tmp_path / "a.txt"
    write_text(target, "old")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("gan.files._temporary", refuse)
    for call in (lambda: write_text(target, "new"), lambda: check_writable(target)):
        with pytest.raises(WriteError, match="no permission to write in .*; choose a folder you can write to"):
            call()
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


def test_a_read_only_file_system_is_reported(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("gan.files._temporary", refuse)
    with pytest.raises(WriteError, match="is on a read-only file system"):
        check_writable(tmp_path / "a.pt")


def test_a_disk_that_fills_up_midway_leaves_the_old_file_and_no_partial_one(tmp_path, monkeypatch):
    target = tmp_path / "model.pt"
    save_torch(target, {"weights": torch.zeros(10)})
    real_fdopen = os.fdopen

    class HalfThenFull:
        """A file whose disk fills up after half of the data."""

        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            self.f.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr("gan.files.os.fdopen", lambda fd, mode: HalfThenFull(real_fdopen(fd, mode)))
    with pytest.raises(
        WriteError,
        match=r"no space is left on the disk .*needs about 4\.0 MB.*Nothing was written; "
        r"the existing model.pt is unchanged",
    ):
        save_torch(target, {"weights": torch.zeros(1_000_000)})
    assert torch.equal(torch.load(target, weights_only=True)["weights"], torch.zeros(10))
    assert _leftovers(tmp_path) == []


def test_ctrl_c_during_a_write_leaves_the_old_file_and_no_partial_one(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    write_text(target, "old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("gan.files.os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text(target, "new")
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


def test_not_enough_free_space_is_found_before_the_work(tmp_path):
    with pytest.raises(WriteError, match=r"no space is left .*needs about 1000000000000\.0 MB"):
        check_writable(tmp_path / "a.pt", size=10**18)


@pytest.mark.slow
def test_a_real_file_size_limit_gives_a_clear_error_from_the_command_line(tmp_path):
    # A real refusal from the kernel, root or not: the process may not write files over 1 MB.
    out = tmp_path / "samples.pt"
    assert main(["sample", "mlp-gan", "--n", "4", "--out", str(out)]) == 0
    before = out.read_bytes()

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write() instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    result = subprocess.run(
        [sys.executable, "-m", "gan", "sample", "mlp-gan", "--n", "2000", "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert "Could not write" in result.stderr and "larger than this system allows" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == before and _leftovers(tmp_path) == []


_KILLED_MID_WRITE = """
import os, sys, time
import gan.files
real_fdopen = os.fdopen
class Slow:
    def __init__(self, f): self.f = f
    def write(self, data):
        self.f.write(data[: len(data) // 2]); self.f.flush()
        print("half written", flush=True); time.sleep(60)
    def __getattr__(self, name): return getattr(self.f, name)
    def __enter__(self): return self
    def __exit__(self, *exc): self.f.close()
gan.files.os.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
gan.files.write_text(sys.argv[1], "new" * 100_000)
"""


@pytest.mark.slow
def test_a_process_killed_mid_write_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path):
    target = tmp_path / "state.txt"
    write_text(target, "old")
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_MID_WRITE, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert writer.stdout.readline().strip() == "half written"
    writer.kill()  # SIGKILL: no cleanup runs
    writer.wait()
    assert target.read_text() == "old"
    left = _leftovers(tmp_path)
    host = gan.files._HOST
    assert len(left) == 1 and left[0].startswith(f".state.txt.{host}.{writer.pid}.")  # hidden, named temporary
    # Other writers' temporary files are left alone: one whose process runs (pid 1 always does), and one
    # of another machine sharing the folder, whose processes this machine cannot see.
    others = [f".state.txt.{host}.1.abcd1234.tmp", f".state.txt.other-host.{writer.pid}.abcd1234.tmp"]
    for name in others:
        (tmp_path / name).write_text("someone else's")
    write_text(target, "newer")
    assert target.read_text() == "newer" and _leftovers(tmp_path) == sorted(others)


def test_training_fails_before_the_work_when_the_output_cannot_be_written(tmp_path, monkeypatch, capsys):
    def no_training(*args, **kwargs):
        raise AssertionError("training started although the output cannot be written")

    monkeypatch.setattr("gan.training.train_mnist", no_training)
    monkeypatch.setattr("gan.sgan.train_sgan", no_training)
    (tmp_path / "notes.pt").write_text("mine")
    cases = [
        (["train", "mlp", "--epochs", "30", "--out", str(tmp_path / "missing" / "m.pt")], "does not exist"),
        (["train", "mlp", "--epochs", "30", "--out", str(tmp_path)], "is a folder"),
        (["train", "mlp", "--epochs", "30", "--out", str(tmp_path / "notes.pt")], "is not a gan checkpoint"),
        (["train-sgan", "--out", str(tmp_path / "missing" / "s.pt")], "does not exist"),
    ]
    for argv, message in cases:
        start = time.perf_counter()
        assert main(argv) == 1
        assert message in capsys.readouterr().err and time.perf_counter() - start < 30
    assert (tmp_path / "notes.pt").read_text() == "mine"


def test_every_writer_of_the_package_goes_through_gan_files():
    # gan.files is the one place that writes: elsewhere no torch.save to a file, no table written to a
    # path, no open(..., "w"), no Path.write_text, no savefig.
    writes = re.compile(
        r"torch\.save\((?!payload, buffer)|\.to_csv\((?!index=)|(?<!files)\.write_(text|bytes)\("
        r"|open\([^)]*[\"'][wax]b?\+?[\"']|json\.dump\(|\.savefig\(|\.to_(pickle|parquet|json)\("
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "gan").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
        if path.name != "files.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if writes.search(line)
    ]
    assert offenders == []


def test_a_checkpoint_save_that_hits_a_full_disk_is_one_clear_error(tmp_path, monkeypatch):
    G = gan.MLPGenerator()
    monkeypatch.setattr("gan.files.os.replace", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(WriteError, match="no space is left"):
        gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    assert list(tmp_path.iterdir()) == []
