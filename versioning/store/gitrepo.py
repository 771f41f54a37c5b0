"""Reading connector files straight from git objects (GitPython, imported lazily).

This module and the rest of ``versioning.store`` are the only places that talk to git.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import InputError, SourceNotFoundError
from ..sourcefiles import CONNECTOR_FILES


def open_repo(repo_dir: str | Path):
    """Open the git repository at ``repo_dir`` (or one of its parents)."""
    import git  # GitPython: only on code paths that need git

    path = Path(repo_dir)
    if not path.exists():
        raise SourceNotFoundError(f"{path}: no such folder", hint="pass the clone's folder with --repo DIR")
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{path}: not a git repository", hint="pass a clone with --repo DIR") from None


def check_rev(rev: str) -> None:
    """Refuse revisions git could take for an option."""
    if not rev or rev.startswith("-"):
        raise InputError(f"{rev!r} is not a git revision", hint="a revision may not be empty or start with '-'")


def resolve_commit(repo, rev: str):
    import git

    check_rev(rev)
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.BadObject):
        raise SourceNotFoundError(f"{rev}: unknown revision in {repo.working_dir}", hint="check the branch, tag or commit name") from None


def read_folder(repo_dir: str | Path, rev: str, path: str) -> dict[str, bytes]:
    """The connector files at ``rev:path`` in the repository at ``repo_dir``.

    ``path`` is a connector folder (its known files are read) or a single swagger file.
    Reads blobs only; the work tree is never touched.
    """
    repo = open_repo(repo_dir)
    try:
        commit = resolve_commit(repo, rev)
        clean = str(PurePosixPath(path.replace("\\", "/"))).strip("/")
        if clean in ("", "."):
            node = commit.tree
        else:
            try:
                node = commit.tree / clean
            except KeyError:
                raise SourceNotFoundError(f"{rev}:{path}: no such path at {rev}", hint="check the path; it is relative to the repository root") from None
        if node.type == "blob":
            return {PurePosixPath(clean).name: node.data_stream.read()}
        files = {}
        for name in CONNECTOR_FILES:
            try:
                blob = node / name
            except KeyError:
                continue
            if blob.type == "blob":
                files[name] = blob.data_stream.read()
        return files
    finally:
        repo.close()


def path_history(repo_dir: str | Path, path: str, *, rev: str = "HEAD") -> list[tuple[str, str, str]]:
    """Every commit reachable from ``rev`` that changed ``path``, oldest first, as
    ``(commit sha, ISO 8601 date, subject)``. Git's default history simplification applies
    (as in ``git log REV -- PATH``)."""
    repo = open_repo(repo_dir)
    try:
        commit = resolve_commit(repo, rev)
        clean = str(PurePosixPath(path.replace("\\", "/"))).strip("/") or "."
        history = [
            (c.hexsha, c.committed_datetime.isoformat(), c.summary if isinstance(c.summary, str) else c.summary.decode())
            for c in repo.iter_commits(commit, paths=clean)
        ]
    finally:
        repo.close()
    history.reverse()
    return history
