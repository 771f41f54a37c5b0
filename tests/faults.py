"""Simulated environment failures for the writers' tests: a full disk, a folder that
cannot be written. Tests run as root, which ignores permission bits, so these patch the
``os`` calls a write goes through instead of relying on ``chmod``."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def _fd_path(fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def disk_full(monkeypatch, under: Path, *, after: int = 0) -> list[str]:
    """Every ``os.write`` to a regular file under ``under`` writes at most ``after`` bytes
    (the first time), then fails with ENOSPC. Returns the paths that failed."""
    real = os.write
    failed: list[str] = []
    root = str(Path(under).resolve())

    def write(fd, data):
        path = _fd_path(fd)
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        if regular and (path is None or path.startswith(root)):
            if after and not failed:
                failed.append(path or "?")
                return real(fd, bytes(data)[:after]) if len(data) > after else real(fd, data)
            failed.append(path or "?")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)
    return failed


def deny_create(monkeypatch, folder: Path, *, errno_: int = errno.EACCES) -> None:
    """Creating a file in ``folder`` (``os.open`` with O_CREAT, ``os.mkdir``) fails as in a
    folder that is not writable."""
    real_open, real_mkdir = os.open, os.mkdir
    folder = Path(folder).resolve()

    def inside(path) -> bool:
        return Path(os.path.abspath(path)).parent == folder

    def open_(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT and inside(path):
            raise PermissionError(errno_, os.strerror(errno_), str(path))
        return real_open(path, flags, mode, *args, **kwargs)

    def mkdir(path, mode=0o777, *args, **kwargs):
        if inside(path):
            raise PermissionError(errno_, os.strerror(errno_), str(path))
        return real_mkdir(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)


def fail_replace(monkeypatch, name: str, *, errno_: int = errno.EACCES) -> list[str]:
    """``os.replace`` onto a file called ``name`` fails (once per call). Returns the
    targets that failed."""
    real = os.replace
    failed: list[str] = []

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name and ".connver-" in Path(src).name and "-new-" in Path(src).name:
            failed.append(str(dst))
            raise PermissionError(errno_, os.strerror(errno_), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return failed


def hidden_leftovers(folder: Path) -> list[str]:
    """connver's temporary files left in ``folder`` (there should be none)."""
    return sorted(p.name for p in Path(folder).rglob(".*connver-*"))


def one_line_error(result, *needles: str) -> None:
    """A CliRunner result that failed the documented way: exit 2 and exactly one
    ``connver: error:`` line on stderr containing every needle."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, (SystemExit, type(None)))
    assert result.stderr.startswith("connver: error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
