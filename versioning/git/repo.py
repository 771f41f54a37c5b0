"""Reading connector files straight from git objects (GitPython, imported lazily).

This module and the rest of ``versioning.store`` are the only places that talk to git.
Every git failure becomes one :class:`~versioning.errors.InputError` line: an unknown
revision, a path outside the repository or inside a submodule, a symbolic link that leaves
the repository, and a repository git refuses to read because another user owns it.
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

from ..errors import InputError, SourceNotFoundError
from ..sourcefiles import CONNECTOR_FILES, SWAGGER_NAMES, connector_file_names, is_swagger_name
from ..limits import check_size, max_file_size
from .runner import GitFailed, apply_policy, batch_reader, gitpython, is_git_dir, ownership_error

#: Git's mode for a symbolic link; the blob holds the link's target.
LINK_MODE = 0o120000
#: How many symbolic links one path may go through (as the kernel's ELOOP limit).
_MAX_LINKS = 40


def git_failure(exc: Exception, repo_dir: str | Path, what: str) -> InputError:
    """One line for a failed git command (a GitPython ``GitCommandError``, or the broken
    pipe of a git helper process that died)."""
    stderr = str(getattr(exc, "stderr", "") or "")
    dubious = ownership_error(repo_dir, stderr)
    if dubious is not None:
        return dubious
    if isinstance(exc, ValueError):  # GitPython: `git cat-file` said an object is missing
        return InputError(f"{repo_dir}: git could not {what}: an object is missing or damaged",
                          hint="run git fsck in the repository, or fetch it again")
    if not stderr:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return InputError(f"{repo_dir}: git could not {what}: {reason}", hint="check the repository, revision and path")
    lines = [line.strip().strip("'\"").strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line and not line.startswith("stderr:")] or [
        line.split("stderr:", 1)[1].strip().strip("'\"") for line in stderr.splitlines() if "stderr:" in line]
    message = next((line for line in reversed(lines) if line.startswith(("fatal:", "error:"))),
                   lines[-1] if lines and lines[-1] else f"exit status {getattr(exc, 'status', '?')}")
    return InputError(f"{repo_dir}: git could not {what}: {message}", hint="check the repository, revision and path")


def open_repo(repo_dir: str | Path):
    """Open the git repository at ``repo_dir`` (or one of its parents)."""
    git = gitpython()  # GitPython: only on code paths that need git

    path = Path(repo_dir)
    if not path.exists():
        raise SourceNotFoundError(f"{path}: no such folder", hint="pass the clone's folder with --repo DIR")
    try:
        if is_git_dir(path):  # a bare repository, with or without its config file
            repo = git.Repo(path)
            apply_policy(repo, path)
            repo._working_tree_dir = None  # no config: GitPython would take the parent for a work tree
            repo.git._working_dir = str(path)
            return repo
        repo = git.Repo(path, search_parent_directories=True)
        apply_policy(repo)
        return repo
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ownership_error(path) or InputError(f"{path}: not a git repository", hint="pass a clone with --repo DIR") from None
    except git.GitCommandError as exc:
        raise git_failure(exc, path, "open the repository") from None


def check_rev(rev: str) -> None:
    """Refuse revisions git could take for an option."""
    if not rev or rev.startswith("-"):
        raise InputError(f"{rev!r} is not a git revision", hint="a revision may not be empty or start with '-'")


def resolve_commit(repo, rev: str):
    git = gitpython()

    check_rev(rev)
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.BadObject, git.GitCommandError, OSError):
        # OSError: GitPython's `git cat-file` helper died (a broken pipe), as when git
        # refuses the repository
        where = repo.working_dir or repo.git_dir
        raise ownership_error(where) or SourceNotFoundError(
            f"{rev}: unknown revision in {where}", hint="check the branch, tag or commit name") from None


def clean_path(path: str) -> str:
    """``path`` relative to the repository root, normalised (``"."`` for the root);
    :class:`InputError` when it leaves the repository.

    >>> clean_path("certified-connectors/X/"), clean_path("/a/./b/../c"), clean_path("")
    ('certified-connectors/X', 'a/c', '.')
    >>> clean_path("../../")
    Traceback (most recent call last):
    ...
    versioning.errors.InputError: '../../': outside the repository (paths are relative to the repository root, e.g. certified-connectors/NAME)
    """
    text = path.replace("\\", "/")
    clean = posixpath.normpath(text.lstrip("/")) if text.strip("/") else "."
    if clean == ".." or clean.startswith("../"):
        raise InputError(f"{path!r}: outside the repository",
                         hint="paths are relative to the repository root, e.g. certified-connectors/NAME")
    return clean


def _submodule(spec: str, path: str, repo) -> InputError:
    where = Path(repo.working_dir) / path if repo.working_dir else Path(path)
    return InputError(
        f"{spec}: {path} is a git submodule, whose files are not in this repository",
        hint=f"point at a folder inside it with --repo {where} (the submodule's checkout or another clone of it)",
    )


def _lookup(commit, clean: str, spec: str):
    """The tree, blob or submodule at ``clean`` in ``commit``, following symbolic links
    stored in git whose targets stay inside the repository."""
    root = commit.tree
    parts = [] if clean == "." else clean.split("/")
    node, index, links = root, 0, 0
    while index < len(parts):
        here = "/".join(parts[:index])
        if node.type == "submodule":
            raise _submodule(spec, here, commit.repo)
        if node.type != "tree":
            raise SourceNotFoundError(f"{spec}: {here} is a file, not a folder", hint="check the path")
        try:
            child = node / parts[index]
        except KeyError:
            raise SourceNotFoundError(f"{spec}: no such path at {spec.split(':', 1)[0]}",
                                      hint="check the path; it is relative to the repository root") from None
        if child.type == "blob" and child.mode == LINK_MODE:
            name = "/".join(parts[:index + 1])
            target = child.data_stream.read().decode("utf-8", "surrogateescape")
            links += 1
            joined = posixpath.normpath(posixpath.join(here, target, *parts[index + 1:]))
            if links > _MAX_LINKS:
                raise InputError(f"{spec}: {name} is a symbolic link in git, in a loop of links",
                                 hint="point at the real folder or file")
            if posixpath.isabs(target) or joined == ".." or joined.startswith("../"):
                raise InputError(f"{spec}: {name} is a symbolic link in git to {target}, outside the repository",
                                 hint="point at the real folder or file")
            parts, node, index = ([] if joined == "." else joined.split("/")), root, 0
            continue
        node, index = child, index + 1
    if node.type == "submodule":
        raise _submodule(spec, clean, commit.repo)
    return node


def read_folder(repo_dir: str | Path, rev: str, path: str) -> dict[str, bytes]:
    """The connector files at ``rev:path`` in the repository at ``repo_dir``.

    ``path`` is a connector folder (its known files are read) or a single swagger file.
    Symbolic links stored in git are followed while they stay inside the repository.
    Reads blobs only; the work tree is never touched.
    """
    clean = clean_path(path)
    check_rev(rev)
    fast = _read_folder_batch(repo_dir, rev, clean)
    if fast is not None:
        return fast
    git = gitpython()

    spec = f"{rev}:{path}"
    repo = open_repo(repo_dir)
    try:
        commit = resolve_commit(repo, rev)
        node = _lookup(commit, clean, spec)
        if node.type == "blob":
            check_size(spec, node.size)
            return {PurePosixPath(clean).name: node.data_stream.read()}
        folder = "" if clean == "." else f"{clean}/"
        files = {}
        found, _ = connector_file_names(item.name for item in node)  # Script.csx counts (see there)
        for name, actual in found.items():
            entry = node / actual
            if entry.type == "blob" and entry.mode == LINK_MODE:
                entry = _lookup(commit, clean_path(folder + actual), spec)
            if entry.type == "blob":
                check_size(f"{rev}:{folder}{actual}", entry.size)
                files[name] = entry.data_stream.read()
        return files
    except (git.GitCommandError, OSError, ValueError) as exc:
        raise git_failure(exc, repo_dir, f"read {spec}") from None
    finally:
        repo.close()


def _read_folder_batch(repo_dir: str | Path, rev: str, clean: str) -> dict[str, bytes] | None:
    """The common case of :func:`read_folder` in one ``git cat-file --batch`` process (no
    GitPython start-up): ``rev:path`` is a folder and its files are plain blobs. None for
    anything else (a file, a link, a missing path, a bad revision): the caller then takes
    the path that explains it."""
    if "\n" in rev or "\n" in clean or not Path(repo_dir).is_dir():
        return None
    prefix = "" if clean == "." else f"{clean}/"
    wanted = [f"{rev}:{clean if clean != '.' else ''}"] + [f"{rev}:{prefix}{name}" for name in CONNECTOR_FILES]
    try:
        answers = batch_reader(repo_dir).request(wanted, limit=max_file_size(), labels=wanted)
    except GitFailed:
        return None
    files, present = {}, set()
    for index, answer in enumerate(answers):
        if answer is None:
            if index == 0 or CONNECTOR_FILES[index - 1] in present:
                return None  # not there, or a tree entry whose object is missing: the slow path says which
            continue
        kind, data = answer
        if index == 0:
            present = _names(data) if kind == b"tree" else set()
            if kind != b"tree" or present is None:
                return None
        elif kind == b"blob":
            files[CONNECTOR_FILES[index - 1]] = data
        else:
            return None
    return files


def _names(tree: bytes) -> set[str] | None:
    """The connector file names a raw tree holds; None when one is a symbolic link or a
    submodule (the slow path follows or reports those)."""
    at, names, found = 0, set(CONNECTOR_FILES), set()
    cases = {name.lower() for name in CONNECTOR_FILES if name not in SWAGGER_NAMES}
    while at < len(tree):
        space = tree.index(b" ", at)
        nul = tree.index(b"\0", space)
        mode, name = tree[at:space], tree[space + 1:nul].decode("utf-8", "replace")
        at = nul + 21
        if name in names:
            if mode in (b"120000", b"160000"):
                return None
            found.add(name)
        elif name.lower() in cases or is_swagger_name(name):  # Script.csx, De-Lijn-Zoek.swagger.json:
            return None  # the slow path reads them as connector_file_names says
    return found


def path_history(repo_dir: str | Path, path: str, *, rev: str = "HEAD") -> list[tuple[str, str, str]]:
    """Every commit reachable from ``rev`` that changed ``path``, oldest first, as
    ``(commit sha, ISO 8601 date, subject)``. Git's default history simplification applies
    (as in ``git log REV -- PATH``)."""
    git = gitpython()

    clean = clean_path(path)
    repo = open_repo(repo_dir)
    try:
        commit = resolve_commit(repo, rev)
        try:
            node = commit.tree / clean if clean != "." else commit.tree
        except KeyError:
            node = None  # not there at rev: its history may still be
        if node is not None and node.type == "submodule":
            raise _submodule(f"{rev}:{path}", clean, repo)
        history = [
            (c.hexsha, c.committed_datetime.isoformat(), c.summary if isinstance(c.summary, str) else c.summary.decode())
            for c in repo.iter_commits(commit, paths=clean)
        ]
    except (git.GitCommandError, OSError, ValueError) as exc:
        raise git_failure(exc, repo_dir, f"list the history of {path}") from None
    finally:
        repo.close()
    history.reverse()
    return history
