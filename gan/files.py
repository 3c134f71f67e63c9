"""Writing files safely: every file the package and its command line write goes through ``write_file``.

A write goes to a hidden temporary file in the target's folder, is flushed to the disk, and is then
renamed over the target in one step (``os.replace``): whoever reads the target, and whatever happens
during the write (a full disk, Ctrl-C, a killed process, a power cut), sees the old file or the new
one, never half of one. When the operating system refuses, the temporary file is removed and one
``WriteError`` names the path and the cause; the target is unchanged. An existing file is replaced
only if ``ours`` says it is one of ours, so nothing else the user keeps under that name is lost.

``check_writable`` asks the same questions before a long job starts, so a mistyped path costs
seconds, not an hour of training.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import shutil
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import torch

# What a refusal means, and what to do about it; {path}, {folder} are filled in.
_CAUSES = {
    errno.ENOSPC: "no space is left on the disk that holds {folder}; free some space or choose a folder on another disk",
    errno.EDQUOT: "your disk quota on {folder} is used up; free some space or choose a folder on another disk",
    errno.EFBIG: "the file would be larger than this system allows (a file-size limit); raise the limit or write elsewhere",
    errno.EACCES: "you have no permission to write in {folder}; choose a folder you can write to",
    errno.EPERM: "you have no permission to write in {folder}; choose a folder you can write to",
    errno.EROFS: "{folder} is on a read-only file system; choose a folder you can write to",
    errno.ENOENT: "the folder {folder} does not exist; create it (mkdir -p {folder}) or choose another path",
    errno.ENOTDIR: "{folder} is not a folder; choose another path",
    errno.EISDIR: "{path} is a folder; give a file name inside it, e.g. {path}/out.pt",
}


class WriteError(OSError):
    """A file could not be written; the message names the path, the cause and what to do. Nothing partial is left.

    ``errno`` and ``filename`` are the operating system's, as for any ``OSError``.
    """

    def __str__(self) -> str:
        return self.args[0]


def _error(path: Path, err: OSError, size: int | None = None) -> WriteError:
    cause = _CAUSES.get(err.errno, "{strerror}").format(path=path, folder=path.parent, strerror=err.strerror or err)
    if size is not None and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        cause += f" (the file needs about {size / 1e6:.1f} MB)"
    error = WriteError(f"Could not write {path}: {cause}. Nothing was written; {_unchanged(path)}")
    error.errno, error.filename = err.errno, str(path)
    return error


def _unchanged(path: Path) -> str:
    try:
        existing = path.is_file()
    except OSError:
        existing = False
    return f"the existing {path.name} is unchanged." if existing else f"{path.name} was not created."


def _target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` replaces: the link's target for a symbolic link; a folder is refused."""
    path = Path(path)
    try:
        if path.is_symlink():
            path = path.resolve()
        if path.is_dir():
            raise _error(path, OSError(errno.EISDIR, "Is a directory"))
        path.exists()  # a folder on the way that may not be entered, a name too long: raise here
    except OSError as err:
        if isinstance(err, WriteError):
            raise
        raise _error(path, err) from None
    return path


def check_writable(
    path: str | os.PathLike, ours: Callable[[Path], bool] | None = None, what: str = "file", size: int | None = None
) -> Path:
    """Return ``path`` if a file can be written there now, else raise ``WriteError`` or ``FileExistsError``.

    Checks, without changing anything the user has: that ``path`` is not a folder, that its folder
    exists and accepts a new file (a probe file is created and removed, which also catches read-only
    disks), that an existing file is ``what`` according to ``ours`` (the writer will refuse it
    otherwise), and, given ``size`` in bytes, that the disk has that much space free.
    """
    path = _target(path)
    if not path.parent.exists():
        raise _error(path, OSError(errno.ENOENT, "No such file or directory"))
    if not path.parent.is_dir():
        raise _error(path, OSError(errno.ENOTDIR, "Not a directory"))
    _refuse_if_not_ours(path, ours, what)
    try:
        fd, probe = _temporary(path)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise _error(path, err) from None
    if size is not None and shutil.disk_usage(path.parent).free < size:
        raise _error(path, OSError(errno.ENOSPC, "No space left on device"), size)
    return path


def write_file(
    path: str | os.PathLike, data: bytes, ours: Callable[[Path], bool] | None = None, what: str = "file"
) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path`` (see the module's docstring).

    ``ours(path)`` says whether an existing file may be replaced; without it any existing file may.
    Raises ``WriteError`` when the system refuses (nothing partial is left) and ``FileExistsError``
    when ``path`` holds a file that is not ``what``. A replaced file's permissions are kept; a new
    file gets the usual ones (the umask's); a symbolic link keeps pointing to the new file.
    """
    path = _target(path)
    _refuse_if_not_ours(path, ours, what)
    _remove_abandoned(path)
    tmp = None
    try:
        fd, tmp = _temporary(path)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            _sync(f.fileno())  # on the disk before the rename, so a crash cannot leave an empty file
        if path.is_file():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never half of one
        tmp = None
        _sync_folder(path.parent)  # and the rename itself on the disk, so that a power cut keeps it
    except OSError as err:
        raise _error(path, err, len(data)) from None
    finally:  # also on Ctrl-C
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return path


def save_torch(
    path: str | os.PathLike, payload, ours: Callable[[Path], bool] | None = None, what: str = "file"
) -> Path:
    """``torch.save`` ``payload`` to ``path`` through ``write_file``; return ``path``.

    The payload is serialised in memory first, so a full disk is reported by the write (as a
    ``WriteError``), not deep inside PyTorch's serialiser.
    """
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return write_file(path, buffer.getvalue(), ours, what)


def write_text(
    path: str | os.PathLike, text: str, ours: Callable[[Path], bool] | None = None, what: str = "file"
) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through ``write_file``; return ``path``."""
    return write_file(path, text.encode("utf-8"), ours, what)


def has_columns(*names: str) -> Callable[[Path], bool]:
    """Return an ``ours`` for CSV tables: an existing file is ours if its header has all of ``names``."""

    def ours(path: Path) -> bool:
        try:
            with open(path, encoding="utf-8") as f:
                header = f.readline().rstrip("\r\n").split(",")
        except (OSError, UnicodeDecodeError):
            return False
        return set(names) <= set(header)

    return ours


def _refuse_if_not_ours(path: Path, ours: Callable[[Path], bool] | None, what: str) -> None:
    if ours is not None and path.is_file() and not ours(path):
        raise FileExistsError(f"{path} exists and is not {what}; refusing to overwrite it. Choose another path.")


# A temporary file is named after its target, this machine and this process, so that an abandoned one
# (its writer killed) can be recognised and removed, and no other writer's is touched.
_HOST = socket.gethostname().replace(".", "-")[:32]


def _temporary(path: Path) -> tuple[int, str]:
    """Create a hidden temporary file next to ``path`` (mode 0o666 less the umask); return (fd, its path)."""
    for _ in range(100):
        tmp = path.parent / f".{path.name[:150]}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), str(tmp)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "could not create a temporary file")


def _remove_abandoned(path: Path) -> None:
    """Remove temporary files that a killed process of this machine (``kill -9``, a crash) left next to ``path``.

    Only those whose writer no longer runs: another process's write in progress, or another
    machine's on a shared disk, is left alone.
    """
    prefix = f".{path.name[:150]}.{_HOST}."
    try:
        leftovers = [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return
    for tmp in leftovers:
        pid = tmp.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            tmp.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def _sync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.ENOSYS):  # file systems that cannot sync
            raise


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows, where folders cannot be opened; the rename is still atomic
    try:
        _sync(fd)
    finally:
        os.close(fd)
