"""Writing files so that nothing is lost.

Every file connver writes for you (``changelog --update``, ``bump --write``, ``upgrade``, ``audit -o``,
``restore``) goes through here:

* the new bytes go to a temporary file in the target's own folder, are flushed to disk
  (``fsync``), get the mode of the file they replace (or ``0o666 & ~umask`` for a new one),
  and only then take the file's place with one ``os.replace``: a full disk, a missing
  permission or a kill leaves the old file whole, never half-written;
* :class:`FileSet` does the same for several files at once: everything is staged first,
  then the files are replaced one by one, and when one replacement fails the ones already
  replaced are put back, so the folder ends as it was before or as it is meant to be after;
* :func:`check_target` refuses, before anything is written, what an atomic replacement
  would get wrong: a folder, a device or pipe (``/dev/full`` would be read forever), a
  file with several hard links (a replacement would separate it from its other names), and
  a read-only file (checked on the mode bits, which root ignores too). A symbolic link is
  followed when connver edits a file of yours, so the link survives and its target changes;
  a file with several hard links is then refused (a replacement would split them);
* an :class:`OSError` becomes one :class:`~versioning.errors.InputError` naming the file,
  the reason and what to do.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
from pathlib import Path
from typing import Iterable

from .errors import InputError

__all__ = ["FileSet", "check_readable", "check_target", "default_mode", "describe", "make_folder", "os_error",
           "remove_folders", "check_report", "write_file", "write_report"]

_REASONS = {
    errno.ENOSPC: ("no space left on the device", "free some space and run again"),
    getattr(errno, "EDQUOT", -1): ("the disk quota is exceeded", "free some space and run again"),
    errno.EACCES: ("permission denied", "make the file and its folder writable for you, or choose another place"),
    errno.EPERM: ("operation not permitted", "make the file and its folder writable for you, or choose another place"),
    errno.EROFS: ("the file system is read-only", "choose another place"),
    errno.ENOENT: ("no such file or folder", "check the path; create the folder first"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.EISDIR: ("it is a folder", "give the path of a file"),
    errno.EEXIST: ("it already exists", "choose another path"),
    errno.ELOOP: ("too many levels of symbolic links", "check the links on the path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EIO: ("input/output error", "check the disk"),
}


def describe(exc: OSError) -> tuple[str, str]:
    """(what went wrong, what to do) for an :class:`OSError`, in words.

    >>> describe(OSError(28, "No space left on device"))
    ('no space left on the device', 'free some space and run again')
    """
    return _REASONS.get(exc.errno or 0, ((exc.strerror or str(exc)).lower(), "check the path and its permissions"))


def os_error(path: str | os.PathLike, exc: OSError, action: str = "write", *, unchanged: bool = True) -> InputError:
    """One line for an :class:`OSError` met while writing (or reading) ``path``."""
    reason, todo = describe(exc)
    where = None
    if exc.filename and str(exc.filename) != str(path) and action != "read":
        name = Path(os.fsdecode(exc.filename))
        # a temporary file of ours: the folder is what matters to the reader
        where = f" in the folder {name.parent}" if ".connver-" in name.name else f": {name}"
    detail = f"{reason}{where}" if where else reason
    if action == "read" and exc.errno in (errno.EACCES, errno.EPERM):
        todo = "make it readable for you, or give another file"
    if unchanged and action != "read":
        todo += "; nothing was changed"
    return InputError(f"{path}: cannot {action} it: {detail}", hint=todo)


def default_mode() -> int:
    """The mode a new file gets from ``open``: ``0o666`` less the umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def check_readable(path: str | os.PathLike) -> bool:
    """Whether ``path`` exists; refuses (InputError) anything but a regular file, which a
    read could hang on (``/dev/zero``, a pipe) or fail on (a folder)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise os_error(path, exc, "read") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file", hint="give the path of a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: is not a regular file (a device, pipe or socket)",
                         hint="give the path of a regular file")
    return True


def check_target(path: str | os.PathLike, *, edit: bool = True) -> Path:
    """The file to replace when writing ``path``; refuses what cannot be replaced safely.

    ``edit`` (connver edits a file of yours: ``bump --write``, ``changelog --update``,
    ``upgrade --in-place``): a symbolic link is resolved and its target is replaced, so the
    link stays a link; a file with several hard links is refused, since a replacement would
    leave its other names with the old content. Otherwise (an output written into a folder:
    ``restore``, ``upgrade --output``) the path itself is replaced: a link there is replaced
    by the file and its target left alone, and other hard links keep the old content, as
    with any new file. Both refuse a folder, anything but a regular file, and a read-only
    file (by its mode bits, which root would ignore).
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if edit else path
    try:
        info = os.stat(target) if edit else os.lstat(target)
    except FileNotFoundError:
        _check_folder(target.parent, path)
        return target
    except OSError as exc:
        raise os_error(path, exc) from None
    if stat.S_ISLNK(info.st_mode):
        return target
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file", hint="move the folder away, or give another path")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: is not a regular file (a device, pipe or socket); connver writes only regular files",
                         hint="give the path of a regular file")
    if edit and info.st_nlink > 1:
        raise InputError(
            f"{path}: has {info.st_nlink} hard links; replacing it would leave its other names with the old "
            "content", hint=f"make it a single file first (cp {path} {path}.tmp && mv {path}.tmp {path}), "
                            "then run again")
    if not info.st_mode & 0o222:
        raise InputError(f"{path}: is a read-only file", hint="make it writable (chmod u+w) and run again")
    return target


def _check_folder(folder: Path, path: Path) -> None:
    try:
        info = os.stat(folder)
    except OSError as exc:
        raise os_error(path, exc) from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: cannot write it: {folder} is not a folder", hint="check the path")


def make_folder(folder: str | os.PathLike) -> list[Path]:
    """Create ``folder`` and its missing parents; return the folders created (outermost
    first), so that a failed write can remove them again."""
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while True:
        try:
            info = os.stat(probe)
        except FileNotFoundError:
            missing.append(probe)
            if probe.parent == probe:
                break
            probe = probe.parent
            continue
        except OSError as exc:
            raise os_error(folder, exc, "create") from None
        if not stat.S_ISDIR(info.st_mode):
            what = folder if probe == folder else probe
            raise InputError(f"{folder}: cannot create it: {what} exists and is not a folder",
                             hint="choose another folder")
        break
    created: list[Path] = []
    for item in reversed(missing):
        try:
            os.mkdir(item)
        except FileExistsError:
            continue
        except OSError as exc:
            remove_folders(created)
            raise os_error(folder, exc, "create") from None
        created.append(item)
    return created


def remove_folders(created: Iterable[Path]) -> None:
    """Remove folders :func:`make_folder` created (innermost first), when still empty."""
    for item in reversed(list(created)):
        try:
            os.rmdir(item)
        except OSError:
            pass


def write_file(path: str | os.PathLike, data: bytes, *, edit: bool = True) -> Path:
    """Replace ``path`` with ``data`` atomically (see the module and :func:`check_target`);
    return the file written."""
    target = check_target(path, edit=edit)
    files = FileSet()
    files.write(target, data, label=path)
    files.commit()
    return target


def write_report(path: str | os.PathLike, data: bytes) -> None:
    """Write a report asked for with ``-o FILE``: atomically when ``FILE`` is a regular file or
    new (see :func:`write_file`: a full disk or a kill leaves the previous report whole, so a
    later step never reads half of one), and straight through, as a shell's ``>`` would, to
    a device or pipe (``-o /dev/stdout``) or to a file with several hard links (each of its
    names then shows the new report). A symbolic link is followed."""
    if not _streamed(path):
        write_file(path, data)
        return
    try:
        with open(path, "wb") as stream:
            stream.write(data)
    except OSError as exc:
        raise os_error(path, exc, unchanged=False) from None


def check_report(path: str | os.PathLike) -> None:
    """Refuse, before the work that makes it, a report :func:`write_report` could not write."""
    if not _streamed(path):
        check_target(path)


def _streamed(path: str | os.PathLike) -> bool:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise os_error(path, exc) from None
    return not stat.S_ISDIR(info.st_mode) and not (stat.S_ISREG(info.st_mode) and info.st_nlink == 1)


_counter = itertools.count()


def _hidden(target: Path, what: str) -> Path:
    return target.with_name(f".{target.name}.connver-{what}-{os.getpid()}-{next(_counter)}")


class FileSet:
    """Files written (and removed) together: all of them, or, as far as the operating
    system allows, none. Check each target with :func:`check_target` first."""

    def __init__(self) -> None:
        self._writes: list[tuple[Path, bytes, str, int | None]] = []
        self._removes: list[tuple[Path, str]] = []

    def write(self, target: str | os.PathLike, data: bytes, *, label: str | os.PathLike | None = None,
              mode: int | None = None) -> None:
        """Write ``data`` to ``target``, with ``mode`` (default: the mode of the file it
        replaces, or ``0o666 & ~umask`` for a new file)."""
        self._writes.append((Path(target), bytes(data), str(label if label is not None else target), mode))

    def remove(self, target: str | os.PathLike, *, label: str | os.PathLike | None = None) -> None:
        self._removes.append((Path(target), str(label if label is not None else target)))

    def commit(self) -> None:
        staged: list[tuple[Path, Path, str]] = []
        try:
            for target, data, label, mode in self._writes:
                try:
                    staged.append((target, _stage(target, data, mode), label))
                except OSError as exc:
                    raise os_error(label, exc) from None
        except BaseException:
            for _, tmp, _ in staged:
                _unlink(tmp)
            raise
        done: list[tuple[Path, Path | None]] = []  # (target, where its old content is kept)
        label = ""
        try:
            for target, tmp, label in staged:
                keep = _keep(target)
                try:
                    os.replace(tmp, target)
                except BaseException:
                    if keep is not None:
                        _unlink(keep)
                    raise
                done.append((target, keep))
            for target, label in self._removes:
                keep = _hidden(target, "old")
                os.replace(target, keep)
                done.append((target, keep))
        except BaseException as exc:
            lost = _roll_back(done)
            for _, tmp, _ in staged:
                _unlink(tmp)
            if lost:
                raise InputError(
                    f"{label}: cannot write it ({exc}), and could not put back {lost[0][0]}",
                    hint=f"its old content is kept as {lost[0][1]}; move it back by hand") from None
            if isinstance(exc, OSError):
                raise os_error(label, exc) from None
            raise
        for _, keep in done:
            if keep is not None:
                _unlink(keep)
        for folder in {target.parent for target, _ in done}:
            _sync_folder(folder)


def _stage(target: Path, data: bytes, mode: int | None = None) -> Path:
    """``data`` in a temporary file beside ``target``, on disk, with the mode (and, where
    allowed, the owner) of the file it replaces."""
    try:
        old = os.lstat(target)
    except FileNotFoundError:
        old = None
    tmp = _hidden(target, "new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        elif old is not None and stat.S_ISREG(old.st_mode):
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            if hasattr(os, "chown") and (old.st_uid, old.st_gid) != _owner(tmp):
                try:
                    os.chown(tmp, old.st_uid, old.st_gid)
                except OSError:
                    pass
        else:
            os.chmod(tmp, default_mode())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _owner(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _keep(target: Path) -> Path | None:
    """A second name for ``target``'s current content (a hard link, else a copy), to put
    it back if a later file of the set cannot be written. None when there is none."""
    if not os.path.lexists(target):
        return None
    keep = _hidden(target, "old")
    try:
        os.link(target, keep, follow_symlinks=False)
    except OSError:
        import shutil

        shutil.copy2(target, keep, follow_symlinks=False)
    return keep


def _roll_back(done: list[tuple[Path, Path | None]]) -> list[tuple[Path, Path]]:
    """Put back what ``done`` replaced, newest first; returns what could not be put back."""
    lost = []
    for target, keep in reversed(done):
        try:
            if keep is None:
                os.unlink(target)
            else:
                os.replace(keep, target)
        except OSError:
            if keep is not None:
                lost.append((target, keep))
    return lost


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
