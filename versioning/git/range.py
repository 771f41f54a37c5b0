"""Reading what changed between two commits, straight from git objects.

Used by ``connver audit``. Four git processes per audit, whatever the size of the range:
``rev-parse`` (and ``merge-base``) to resolve the range, one ``diff-tree`` to list the
changed paths, one ``ls-tree`` per side (in chunks of folders) to find the blobs of the
changed folders, and ONE ``git cat-file --batch`` process that streams every blob.
No checkout, no temporary copies, no GitPython start-up cost.

Like :mod:`versioning.store.gitrepo`, this module is one of the few places that talk to git.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import InputError, SourceNotFoundError
from .repo import check_rev
from .runner import ownership_error, popen

#: How many folder pathspecs go on one ``ls-tree`` command line.
_CHUNK = 200
#: The tree of a repository with no commit yet (what a first commit is compared with).
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#: ``to_commit`` of a range that ends at the index (``--staged``).
INDEX = "index"
_BLOB_MODES = {"100644", "100755"}


@dataclass(frozen=True)
class Range:
    """A resolved range: the commits compared and how they were named.

    ``old_commit`` is ``FROM`` itself, or the merge base of ``FROM`` and ``TO`` when
    ``merge_base`` is set (what a pull request shows).
    """

    spec: str
    from_rev: str
    to_rev: str
    from_commit: str
    to_commit: str
    old_commit: str
    merge_base: bool = False

    @property
    def old_label(self) -> str:
        return self.from_rev if not self.merge_base else f"merge-base({self.from_rev}, {self.to_rev})"


def _git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    from .runner import run

    done = run(["--literal-pathspecs", *args], repo=repo, input=input)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        dubious = ownership_error(repo, stderr)
        if dubious is not None:
            raise dubious
        message = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
        raise _GitFailed(args[0], message[-1] if message else f"exit status {done.returncode}")
    return done.stdout


class _GitFailed(InputError):
    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"git {command} failed: {message}")


def repo_root(repo_dir: str | Path) -> Path:
    """The top of the work tree (or the git dir of a bare repository) holding ``repo_dir``."""
    path = Path(repo_dir)
    if not path.exists():
        raise SourceNotFoundError(f"{path}: no such folder", hint="pass the clone's folder with --repo DIR")
    try:
        out = _git(path, "rev-parse", "--absolute-git-dir")
    except _GitFailed:
        raise InputError(f"{path}: not a git repository", hint="pass a clone with --repo DIR") from None
    git_dir = Path(out.decode().strip())
    try:
        top = _git(path, "rev-parse", "--show-toplevel").decode().strip()
    except _GitFailed:  # bare repository
        return git_dir
    return Path(top) if top else git_dir


def resolve_commit(repo: Path, rev: str) -> str:
    check_rev(rev)
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except _GitFailed:
        raise SourceNotFoundError(f"{rev}: unknown revision in {repo}", hint="check the branch, tag or commit name") from None


def parse_range(spec: str) -> tuple[str, str, bool]:
    """``FROM..TO`` (``FROM...TO`` compares with the merge base); a single ``REV`` is
    ``REV..HEAD``; an empty side is ``HEAD``, as in git.

    >>> parse_range("master..dev"), parse_range("origin/dev...HEAD"), parse_range("v1.0")
    (('master', 'dev', False), ('origin/dev', 'HEAD', True), ('v1.0', 'HEAD', False))
    """
    text = spec.strip()
    for sep, merge_base in (("...", True), ("..", False)):
        if sep in text:
            old, _, new = text.partition(sep)
            return old or "HEAD", new or "HEAD", merge_base
    if not text:
        raise InputError("empty range", hint="give FROM..TO, e.g. master..dev")
    return text, "HEAD", False


def resolve_range(repo: Path, spec: str, *, merge_base: bool = False) -> Range:
    """Resolve ``spec`` in ``repo``; ``merge_base`` (or ``FROM...TO``) compares ``TO`` with
    the merge base of the two, as a pull request does."""
    from_rev, to_rev, triple = parse_range(spec)
    merge_base = merge_base or triple
    from_commit = resolve_commit(repo, from_rev)
    to_commit = resolve_commit(repo, to_rev)
    old_commit = from_commit
    if merge_base:
        try:
            old_commit = _git(repo, "merge-base", from_commit, to_commit).decode().split()[0]
        except (_GitFailed, IndexError):
            raise InputError(f"{from_rev} and {to_rev} have no common ancestor", hint="drop --merge-base") from None
    return Range(spec, from_rev, to_rev, from_commit, to_commit, old_commit, merge_base)


def staged_range(repo: Path) -> Range:
    """``HEAD`` against the index: what the next commit would change (for a pre-commit hook).
    Refused in a bare repository: it has no index (read as empty, every connector would look removed)."""
    if _git(repo, "rev-parse", "--is-bare-repository").decode().strip() == "true":
        raise InputError(f"{repo}: a bare repository has no index, so there is nothing staged to audit",
                         hint="run --staged in a clone with a work tree, or give a range FROM..TO")
    try:
        head = resolve_commit(repo, "HEAD")
    except SourceNotFoundError:  # no commit yet: everything staged is added
        head = EMPTY_TREE
    return Range("HEAD..index", "HEAD", "index", head, INDEX, head)


def changed_paths(repo: Path, old_commit: str, new_commit: str) -> list[str]:
    """Every file path that differs between two commits, or between a commit and the index
    (``new_commit`` = :data:`INDEX`). Renames count as delete + add."""
    if new_commit == INDEX:
        out = _git(repo, "diff-index", "--cached", "-r", "-z", "--no-renames", "--name-only", old_commit)
    else:
        out = _git(repo, "diff-tree", "-r", "-z", "--no-renames", "--name-only", old_commit, new_commit)
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def tree_paths(repo: Path, commit: str) -> list[str]:
    """Every file path at ``commit``, or in the index (:data:`INDEX`). Used only to explain
    a ``--path`` pattern that matched nothing."""
    if commit == INDEX:
        out = _git(repo, "ls-files", "-z")
    else:
        out = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit)
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


#: What a tree entry that is not a regular file is, by its mode.
ODD_MODES = {"120000": "a symbolic link", "160000": "a submodule", "040000": "a folder"}


def folder_blobs(repo: Path, commit: str, folders: Iterable[str],
                 odd: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """``{folder: {file name: blob id}}`` for the files directly inside each folder at
    ``commit`` or in the index (:data:`INDEX`); folders that do not exist there are absent.
    ``odd``, when given, receives ``{folder: {name: what}}`` for the entries that are not
    regular files (links, submodules, folders: see :data:`ODD_MODES`)."""
    folders = list(folders)
    wanted = set(folders)
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(folders), _CHUNK):
        chunk = folders[start:start + _CHUNK]
        if commit == INDEX:  # "<mode> <sha> <stage>\t<path>", recursive
            out = _git(repo, "ls-files", "-s", "-z", "--", *(f"{f}/" if f else "." for f in chunk))
        else:  # "<mode> <type> <sha>\t<path>", the folder's own entries
            out = _git(repo, "ls-tree", "-z", commit, "--", *(f"{f}/" if f else "." for f in chunk))
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            fields = meta.decode().split()
            mode, sha = fields[0], fields[1] if commit == INDEX else fields[2]
            folder, _, name = path.decode("utf-8", "surrogateescape").rpartition("/")
            if odd is not None and mode in ODD_MODES:
                if folder in wanted:
                    odd.setdefault(folder, {})[name] = ODD_MODES[mode]
                elif commit == INDEX and folder.rpartition("/")[0] in wanted:  # a file inside a folder
                    odd.setdefault(folder.rpartition("/")[0], {})[folder.rpartition("/")[2]] = "a folder"
            elif odd is not None and commit == INDEX and folder.rpartition("/")[0] in wanted:
                odd.setdefault(folder.rpartition("/")[0], {})[folder.rpartition("/")[2]] = "a folder"
            if mode not in _BLOB_MODES or (commit == INDEX and fields[2] != "0"):
                continue
            if folder in wanted:
                found.setdefault(folder, {})[name] = sha
    return found


def read_blobs(repo: Path, shas: Iterable[str], *, limit: int | None = None,
               oversized: dict[str, int] | None = None) -> dict[str, bytes]:
    """The contents of many blobs through one ``git cat-file --batch`` process.

    Requests are written by a thread while this one reads, so the pipes never fill up. A
    blob above ``limit`` bytes is skipped without keeping its bytes and its size goes into
    ``oversized`` (sha -> size).
    """
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    oversized = {} if oversized is None else oversized
    proc = popen(["cat-file", "--batch", "--buffer"], repo=repo)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        try:
            proc.stdin.write("".join(f"{sha}\n" for sha in wanted).encode())
        except BrokenPipeError:  # git died; reported below
            pass
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    blobs: dict[str, bytes] = {}
    try:
        for sha, data in _parse_batch(proc.stdout, len(wanted), limit, oversized):
            blobs[sha] = data
    finally:
        writer.join()
        proc.stdout.close()
        error = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        status = proc.wait()
    if status != 0 or len(blobs) + len(oversized) != len(wanted):
        dubious = ownership_error(repo, error)
        if dubious is not None:
            raise dubious
        missing = [s for s in wanted if s not in blobs and s not in oversized]
        raise InputError(f"git cat-file could not read {len(missing)} object(s) ({error or 'missing objects'})")
    return blobs


def _parse_batch(stream, count: int, limit: int | None = None,
                 oversized: dict[str, int] | None = None) -> Iterator[tuple[str, bytes]]:
    read, readline = stream.read, stream.readline
    for _ in range(count):
        header = readline()
        if not header:
            return
        parts = header.split()
        if len(parts) != 3:  # "<sha> missing"
            continue
        size = int(parts[2])
        if limit is not None and size > limit:
            left = size + 1
            while left > 0:  # drained, never held
                chunk = read(min(left, 1 << 20))
                if not chunk:
                    return
                left -= len(chunk)
            if oversized is not None:
                oversized[parts[0].decode()] = size
            continue
        data = read(size)
        read(1)  # the newline after the contents
        yield parts[0].decode(), data

