"""Where a connector comes from: a folder, a swagger file, ``REV:PATH`` in git, or the store.

An argument is read as:

1. a path on disk, if it exists (a connector folder or a single swagger file), or a
   Dataverse solution: an unpacked folder, its ``Connectors/`` folder or a solution ``.zip``,
   optionally as ``SOLUTION::NAME`` to pick one of its connectors (see :mod:`versioning.solution`);
2. ``REV:PATH`` when it contains ``:`` (read from git objects of ``repo``);
3. a store reference ``CONNECTOR@SPEC`` (or a bare ``CONNECTOR``) when it holds no ``/``,
   ``\\`` or ``:``.

Anything else is a missing path.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath

from .errors import InputError, SourceNotFoundError
from .limits import DEFAULT_MAX_FILE_SIZE, max_file_size, too_large  # noqa: F401  (re-exported)
from .sourcefiles import CONNECTOR_FILES, SWAGGER_NAMES, SourceFiles, connector_file_names, is_swagger_name, split_spec

_STORE_REF = re.compile(r"^[^/\\:]+$")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def source_kind(spec: str) -> str:
    """``folder``, ``file``, ``solution`` (``SOLUTION::NAME``), ``git``, ``store`` or ``missing``
    for a source argument.

    Anything on disk that is not a folder is a ``file`` (reading refuses pipes and devices).
    A path that cannot be reached for lack of permission raises :class:`InputError`.

    >>> source_kind("master:certified-connectors/Encodian")
    'git'
    >>> source_kind("encodian@deployed")
    'store'
    """
    path = Path(spec)
    info = _stat(path)
    if info is not None:
        return "folder" if stat.S_ISDIR(info.st_mode) else "file"
    where, name = split_spec(spec)
    if name is not None and _stat(Path(where)) is not None:  # SOLUTION::NAME
        return "solution"
    if ":" in spec and not _WINDOWS_DRIVE.match(spec):
        return "git"
    if _STORE_REF.match(spec) and not spec.startswith((".", "~")):
        return "store"
    return "missing"


def _stat(path: Path) -> os.stat_result | None:
    """``path``'s status (following links); None when there is nothing there (or a broken or
    looping link, or a name the system refuses); :class:`InputError` for permission denied."""
    try:
        return path.stat()
    except PermissionError:
        raise InputError(f"{path}: cannot read: permission denied",
                         hint="check the permissions of it and of the folders above it") from None
    except (OSError, ValueError):
        return None


def read_source(spec: str | Path, *, repo: str | Path | None = None, store: str | Path | None = None) -> SourceFiles:
    """Read the files of one connector from any source connver accepts."""
    spec = str(spec)
    where, name = split_spec(spec)
    if name is not None and _stat(Path(where)) is not None:
        return read_solution(Path(where), name)
    kind = source_kind(spec)
    if kind == "folder":
        if not _has_swagger(Path(spec)):
            from .solution import is_solution_folder  # (imported only for a folder that may be a solution)

            if is_solution_folder(Path(spec)):
                return read_solution(Path(spec))
        return read_folder(Path(spec))
    if kind == "file":
        if _is_zip(Path(spec)):
            return read_solution(Path(spec))
        if Path(spec).name.lower().endswith("_openapidefinition.json"):  # one connector's files in a solution
            return read_solution(Path(spec).parent, Path(spec).name[: -len("_openapidefinition.json")])
        return read_file(Path(spec))
    if kind == "git":
        rev, _, path = spec.partition(":")
        from .git.repo import read_folder as read_git_folder

        files = read_git_folder(repo or ".", rev, path)
        name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if set(files) == {name} and name not in CONNECTOR_FILES or (set(files) == {name} and is_swagger_name(name)):
            return _git_file(spec, rev, path, name, files[name], repo)
        _require_swagger(files, spec)
        _, notes = connector_file_names(files)  # (another *.swagger.json: said as for a folder)
        if all(name in files for name in SWAGGER_NAMES):
            notes += _both_swaggers(files)
        return SourceFiles(label=spec, files=files, kind="git", meta={"rev": rev, "path": path}, notes=notes)
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


def _has_swagger(path: Path) -> bool:
    """Whether a folder holds a swagger (True when it cannot be told: read_folder says why)."""
    try:
        return any(is_swagger_name(name) for name in os.listdir(path))
    except OSError:
        return True


def _is_zip(path: Path) -> bool:
    """A .zip by name, or a file that starts like one (a solution export under another name)."""
    if path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _git_file(spec: str, rev: str, path: str, name: str, data: bytes, repo) -> SourceFiles:
    """A swagger file given as REV:PATH, as the same file on disk would be read: under any name,
    with the connector files beside it (apiProperties.json...)."""
    from .store.gitrepo import read_folder as read_git_folder

    if not is_swagger_name(name):  # any other name: the file alone, as read_file does
        return SourceFiles(label=spec, files={SWAGGER_NAMES[0]: data}, kind="file", meta={"rev": rev, "path": path})
    parent = path.replace("\\", "/").rstrip("/").rpartition("/")[0] or "."
    beside = read_git_folder(repo or ".", rev, parent)
    files = {k: v for k, v in beside.items() if k not in SWAGGER_NAMES}
    files[name] = data
    return SourceFiles(label=spec, files=files, kind="git", meta={"rev": rev, "path": parent})


def read_folder(path: Path, *, swagger: str | None = None) -> SourceFiles:
    """A connector folder's files. ``swagger`` names the swagger file to read when the user
    named one; otherwise ``apiDefinition.swagger.json`` wins over ``apiDefinition.json``, with
    a note when both are there and differ."""
    try:
        present = set(os.listdir(path))
    except PermissionError:
        raise InputError(f"{path}: cannot read folder: permission denied", hint="check the folder's permissions") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read folder ({exc.strerror or exc})") from None
    files = {}
    found, cased = connector_file_names(present)
    for name, actual in found.items():
        if swagger is not None and name in SWAGGER_NAMES and name != swagger:
            continue
        _refuse_escape(path / actual, path)
        files[name] = _read_bytes(path / actual)
    notes = tuple((actual, note) for actual, note in cased)
    if swagger is None and all(name in files for name in SWAGGER_NAMES):
        notes += _both_swaggers(files)
    if not any(is_swagger_name(name) for name in files) and path.suffix.lower() == ".json":
        raise SourceNotFoundError(
            f"{path}: a folder, not a swagger file",
            hint="give the swagger file itself, or the connector folder that holds it",
        )
    _require_swagger(files, str(path))
    meta = {"path": str(path), **{f"file:{name}": actual for name, actual in found.items() if actual != name}}
    return SourceFiles(label=str(path), files=files, kind="folder", meta=meta, notes=notes)


def _both_swaggers(files: dict[str, bytes]) -> tuple[tuple[str, str], ...]:
    """A note when a connector holds both swagger names with different contents."""
    first, second = SWAGGER_NAMES
    if files[first] == files[second]:
        return ()
    return ((second, f"ignored: {first} is there too, with different contents, and was read instead; "
                    f"delete the stale one"),)


def read_file(path: Path) -> SourceFiles:
    """A single swagger file; ``apiProperties.json`` etc. are read from beside it when the
    file has one of the standard names."""
    if path.name in SWAGGER_NAMES:
        return read_folder(path.parent, swagger=path.name)
    if is_swagger_name(path.name):  # De-Lijn-Zoek.swagger.json: the connector files beside it too
        beside = read_folder_files(path.parent)
        beside[path.name] = _read_bytes(path)
        return SourceFiles(label=str(path.parent), files=beside, kind="folder", meta={"path": str(path.parent)})
    return SourceFiles(label=str(path), files={SWAGGER_NAMES[0]: _read_bytes(path)}, kind="file", meta={"path": str(path)})


def read_folder_files(path: Path) -> dict[str, bytes]:
    """The connector files but the swagger in a folder (none when it cannot be listed)."""
    try:
        present = set(os.listdir(path))
    except OSError:
        return {}
    found, _ = connector_file_names(present)
    return {name: _read_bytes(path / actual) for name, actual in found.items() if not is_swagger_name(name)}


def _refuse_escape(file: Path, folder: Path) -> None:
    """A symbolic link that leads out of the connector folder is never followed."""
    if not file.is_symlink():
        return
    try:
        target = file.resolve(strict=False)
        inside = target.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
        target = file
    if not inside:
        raise InputError(f"{file}: a symbolic link out of the connector folder (to {target}); not followed",
                         hint="copy the file into the folder instead of linking to it")


def _read_bytes(path: Path) -> bytes:
    """A regular file's bytes; one-line :class:`InputError` for anything else."""
    info = _stat(path)
    if info is None:
        raise SourceNotFoundError(f"{path}: a broken symbolic link", hint="fix the link, or replace it with the file")
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: a folder, not a file", hint="it should be the connector's file of that name")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a pipe, socket or device)",
                         hint="save its contents to a file first, then give that file")
    limit = max_file_size()
    if info.st_size > limit:
        raise too_large(str(path), info.st_size, limit)
    try:
        data = path.read_bytes()
        if len(data) > limit:  # a file that grew, or one whose size the system does not tell (/proc)
            raise too_large(str(path), None, limit)
        return data
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        raise InputError(f"{path}: cannot read: {reason}", hint="check the file's permissions") from None


def _require_swagger(files: dict, where: str) -> None:
    if not any(is_swagger_name(name) for name in files):
        raise SourceNotFoundError(
            f"{where}: no apiDefinition.swagger.json, apiDefinition.json or other *.swagger.json there",
            hint="point at a connector folder (as written by paconn download) or at a swagger file",
        )


# --------------------------------------------------------------------------- solutions


def solution_folder_members(path: Path) -> tuple[Path, dict[str, bytes]]:
    """The solution root and its connector files and customizations.xml, by path inside it.

    ``path`` may be the root or its ``Connectors/`` folder (then the root is its parent)."""
    from .solution import CONNECTOR_FOLDERS, solution_part

    root = path.parent if path.name.lower() in CONNECTOR_FOLDERS else path
    members: dict[str, bytes] = {}
    folders = [root / n for n in _solution_listdir(root) if n.lower() in CONNECTOR_FOLDERS and (root / n).is_dir()]
    if not folders and path == root:  # a folder holding the connector files themselves
        folders = [root]
        root = path
    for folder in folders:
        for name in sorted(_solution_listdir(folder)):
            file = folder / name
            if solution_part(name) is None or not _is_regular(file):
                continue
            _refuse_escape(file, root)
            members[file.relative_to(root).as_posix()] = _read_bytes(file)
    for candidate in ("customizations.xml", "Customizations.xml", "Other/Customizations.xml", "Other/customizations.xml"):
        file = root / candidate
        if _is_regular(file) and not any(k.lower() == candidate.lower() for k in members):
            _refuse_escape(file, root)
            members[candidate] = _read_bytes(file)
    return root, members


def _solution_listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except PermissionError:
        raise InputError(f"{path}: cannot read folder: permission denied", hint="check the folder's permissions") from None
    except OSError:
        return []


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def solution_zip_members(path: Path) -> dict[str, bytes]:
    """A solution .zip's connector files and customizations.xml (read, never extracted)."""
    import zipfile  # imported here: only a solution .zip needs it

    from .solution import is_solution_member

    limit = max_file_size()
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if info.is_dir() or name.startswith(("/", "\\")) or ".." in PurePosixPath(name).parts:
                    continue
                if not is_solution_member(name):
                    continue
                if info.file_size > limit:
                    raise InputError(f"{path}!{name}: {info.file_size:,} bytes, more than the limit of {limit:,} "
                                     "bytes per connector file",
                                     hint="raise it with CONNVER_MAX_FILE_SIZE (for example 500M) if the file is right")
                with archive.open(info) as stream:
                    data = stream.read(limit + 1)
                if len(data) > limit:
                    raise InputError(f"{path}!{name}: more than the limit of {limit:,} bytes per connector file")
                members[name] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise InputError(f"{path}: not a readable solution .zip ({exc})", hint="export the solution again") from None
    return members


def read_solution(path: Path, name: str | None = None) -> SourceFiles:
    """One connector of an unpacked solution folder or a solution .zip."""
    from .solution import solution_source  # (the solution module is imported only for a solution)

    if path.is_dir():
        root, members = solution_folder_members(path)
        return solution_source(str(path), members, name, kind="solution", meta={"path": str(root)})
    return solution_source(str(path), solution_zip_members(path), name, kind="solution", meta={"path": str(path), "zip": "1"})


def solution_flow_paths(source: SourceFiles) -> tuple[Path, ...]:
    """The flows kept in the same solution as a solution connector: the solution's folder (or
    .zip) when it holds ``Workflows/*.json``; nothing for every other source."""
    if source.kind != "solution" or not source.meta.get("path"):
        return ()
    where = Path(source.meta["path"])
    if source.meta.get("zip"):
        import zipfile

        try:
            with zipfile.ZipFile(where) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return ()
        found = any(_is_workflow(name) for name in names)
    else:
        found = any(_is_workflow(f"{entry}/{name}") for entry in _solution_listdir(where)
                    if entry.lower() == "workflows" and (where / entry).is_dir()
                    for name in _solution_listdir(where / entry))
    return (where,) if found else ()


def _is_workflow(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return len(parts) == 2 and parts[0].lower() == "workflows" and parts[1].lower().endswith(".json")
