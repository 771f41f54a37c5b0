"""Where a connector comes from: a folder, a swagger file, ``REV:PATH`` in git, or the store.

An argument is read as:

1. a path on disk, if it exists (a connector folder or a single swagger file);
2. ``REV:PATH`` when it contains ``:`` (read from git objects of ``repo``);
3. a store reference ``CONNECTOR@SPEC`` (or a bare ``CONNECTOR``) when it holds no ``/``,
   ``\\`` or ``:``.

Anything else is a missing path.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError, SourceNotFoundError
from .sourcefiles import CONNECTOR_FILES, SWAGGER_NAMES, SourceFiles

_STORE_REF = re.compile(r"^[^/\\:]+$")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def source_kind(spec: str) -> str:
    """``folder``, ``file``, ``git`` or ``store`` for a source argument.

    >>> source_kind("master:certified-connectors/Encodian")
    'git'
    >>> source_kind("encodian@deployed")
    'store'
    """
    path = Path(spec)
    if path.is_dir():
        return "folder"
    if path.exists():
        return "file"
    if ":" in spec and not _WINDOWS_DRIVE.match(spec):
        return "git"
    if _STORE_REF.match(spec) and not spec.startswith((".", "~")):
        return "store"
    return "missing"


def read_source(spec: str | Path, *, repo: str | Path | None = None, store: str | Path | None = None) -> SourceFiles:
    """Read the files of one connector from any source connver accepts."""
    spec = str(spec)
    kind = source_kind(spec)
    if kind == "folder":
        return read_folder(Path(spec))
    if kind == "file":
        return read_file(Path(spec))
    if kind == "git":
        rev, _, path = spec.partition(":")
        from .store.gitrepo import read_folder as read_git_folder

        files = read_git_folder(repo or ".", rev, path)
        _require_swagger(files, spec)
        return SourceFiles(label=spec, files=files, kind="git", meta={"rev": rev, "path": path})
    if kind == "store":
        try:
            from .store.snapshots import read_store_source
        except ImportError:  # pragma: no cover - the store ships with connver
            pass
        else:
            return read_store_source(spec, store)
    raise SourceNotFoundError(
        f"{spec}: no such file or folder",
        hint="give a connector folder, a swagger file, REV:PATH (with --repo) or CONNECTOR@SPEC from the store",
    )


def read_folder(path: Path) -> SourceFiles:
    files = {}
    for name in CONNECTOR_FILES:
        candidate = path / name
        if candidate.is_file():
            files[name] = _read_bytes(candidate)
    _require_swagger(files, str(path))
    return SourceFiles(label=str(path), files=files, kind="folder", meta={"path": str(path)})


def read_file(path: Path) -> SourceFiles:
    """A single swagger file; ``apiProperties.json`` etc. are read from beside it when the
    file has one of the standard names."""
    if path.name in SWAGGER_NAMES:
        return read_folder(path.parent)
    return SourceFiles(label=str(path), files={SWAGGER_NAMES[0]: _read_bytes(path)}, kind="file", meta={"path": str(path)})


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", hint="check the file's permissions") from None


def _require_swagger(files: dict, where: str) -> None:
    if not any(name in files for name in SWAGGER_NAMES):
        raise SourceNotFoundError(
            f"{where}: no apiDefinition.swagger.json or apiDefinition.json there",
            hint="point at a connector folder (as written by paconn download) or at a swagger file",
        )
