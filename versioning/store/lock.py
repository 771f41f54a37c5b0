"""One writer at a time: an exclusive lock on ``<store>/connver.lock``.

The lock is an operating-system lock on the file (``flock`` on POSIX, ``msvcrt.locking``
on Windows), so it dies with its process: a killed snapshot never leaves a stale lock
behind. The file holds the holder's pid, for the message a waiting process shows. A second
writer polls for :data:`DEFAULT_TIMEOUT` seconds (``CONNVER_LOCK_TIMEOUT`` overrides), then
fails with a :class:`~versioning.errors.StoreError`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..errors import StoreError

LOCK_NAME = "connver.lock"
DEFAULT_TIMEOUT = 10.0
_POLL = 0.05


def lock_timeout() -> float:
    raw = os.environ.get("CONNVER_LOCK_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise StoreError(f"CONNVER_LOCK_TIMEOUT={raw!r} is not a number of seconds") from None


class StoreLock:
    """Context manager holding the store's write lock."""

    def __init__(self, store_dir: Path, timeout: float | None = None) -> None:
        self.path = Path(store_dir) / LOCK_NAME
        self.timeout = lock_timeout() if timeout is None else timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            if _try_lock(fd):
                break
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                os.close(fd)
                who = f" (pid {holder})" if holder else ""
                raise StoreError(
                    f"the store {self.path.parent} is busy: another connver process{who} is writing to it;"
                    f" waited {self.timeout:g} s",
                    hint="try again when it has finished",
                )
            time.sleep(_POLL)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid():<20}\n".encode())  # fixed width: no truncation needed
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "StoreLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 64).decode("ascii", "replace").strip()
    except OSError:
        return ""


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
