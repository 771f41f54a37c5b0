"""The snapshot store's git repository (the one module, with its siblings, that uses git).

Layout: a *bare* git repository whose branch ``main`` (``HEAD``) holds
``connectors/<connector-id>/<channel>/<files>``. Every snapshot is one commit on ``main``
that replaces one ``<connector>/<channel>`` folder; its facts are in trailers (see
:mod:`versioning.store.records`). When ``info.version`` changes, a lightweight tag
``<connector>/<channel>/<version>`` marks the commit. The store's config has
``connver.store = 1``, which is how connver recognises one.

Writing is crash-safe: blobs, trees and the commit are written first as loose objects
(each to a ``tmp_obj_*`` file renamed into place), then ``main`` moves in one
``git update-ref`` transaction that checks its old value. A journal file written just before
the transaction lets the next writer finish or undo the tags of a writer killed inside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping

from ..errors import InputError, SourceNotFoundError, StoreError
from ..git import runner as gitrunner
from .lock import StoreLock
from .records import TRAILER_KEYS, Snapshot
from .refs import CHANNELS, StoreRef, is_commit_prefix, name_key, safe_name, tag_name

BRANCH = "refs/heads/main"
ROOT_DIR = "connectors"
JOURNAL = "connver-journal.json"
FORMAT = "1"
ZERO = "0" * 40
COMMITTER = ("connver", "connver@localhost")
_SEP_REC = "\x1e"
_SEP_FIELD = "\x1f"


# -- opening --------------------------------------------------------------------------


def _run_git(args: list[str], git_dir: str, input: bytes | None) -> subprocess.CompletedProcess:
    try:
        return gitrunner.run(args, git_dir=git_dir, input=input)
    except InputError as exc:
        raise StoreError(exc.message, hint=exc.hint) from None


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


_OTHER_STORE = "or use another store (--store DIR or CONNVER_STORE)"


def store_os_error(path: Path, exc: OSError, action: str = "write to") -> StoreError:
    """One line for an :class:`OSError` met while using the store at ``path``."""
    import errno

    from ..safefile import describe

    reason, _ = describe(exc)
    where = ""
    if exc.filename and str(exc.filename) != str(path):
        name = Path(os.fsdecode(exc.filename))
        where = f" in the folder {name.parent}" if name.name.startswith(".connver-") else f" on {name}"
    code = exc.errno or 0
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = ("make the folder and its parents readable for you, " if action == "read"
                else "make the folder writable for you, ") + _OTHER_STORE
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        hint = "free some space and run again; the store keeps what it had before this command"
    elif code == errno.EISDIR and exc.filename:
        reason, where = f"{exc.filename} is a folder where connver keeps a file", ""
        hint = "move that folder away and run again; `connver store check` tells whether the rest is healthy"
    else:
        hint = f"run `connver store check`, {_OTHER_STORE}"
    return StoreError(f"cannot {action} the store at {path}: {reason}{where}", hint=hint)


@contextmanager
def _os_errors(path: Path, action: str = "write to") -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise store_os_error(path, exc, action) from None


def init_store(path: Path) -> bool:
    """Create a store at ``path``; False when one is already there.

    The repository is built in a temporary sibling folder and renamed into place, so a
    store is either complete or absent.
    """
    path = Path(path)
    with _os_errors(path, "read"):
        occupied = path.exists() and not _is_empty_dir(path)
    if occupied:
        SnapshotStore.open(path).close()  # raises a clear StoreError when it is not one
        return False
    git = gitrunner.gitpython()

    with _os_errors(path, "create"):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".connver-store-", dir=path.parent))
    try:
        repo = git.Repo.init(tmp, bare=True, initial_branch="main")
        with repo.config_writer() as cfg:
            cfg.set_value("connver", "store", FORMAT)
            cfg.set_value("core", "logAllRefUpdates", "true")
        repo.close()
        (tmp / "description").write_text("connver snapshot store\n", encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise store_os_error(path, exc, "create") from None
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        os.rename(tmp, path)  # atomic; replaces an empty folder on POSIX
        return True
    except OSError:
        if _is_empty_dir(path):  # Windows does not rename onto a folder
            try:
                path.rmdir()
                os.rename(tmp, path)
                return True
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    # another process created it first: fine when it is a store
    SnapshotStore.open(path).close()
    return False


class SnapshotStore:
    """An open store. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, repo) -> None:
        self.path = path
        self.repo = repo
        self._objects = Path(repo.git_dir) / "objects"

    # -- lifecycle ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> "SnapshotStore":
        path = Path(path).expanduser()
        with _os_errors(path, "read"):
            missing = not path.exists() or _is_empty_dir(path)
        if missing:
            if not create:
                raise StoreError(f"no snapshot store at {path}", hint="`connver snapshot` creates one")
            init_store(path)
        with _os_errors(path, "read"):
            if not path.is_dir():
                raise StoreError(f"{path} is not a connver store: it is not a directory")
        git = gitrunner.gitpython()

        try:
            repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise StoreError(f"{path} is not a connver store: it is not a git repository") from None
        except Exception as exc:  # configparser errors from a broken config, OSError...
            raise StoreError(f"the store at {path} is damaged: it cannot be opened ({_first_line(exc)})") from None
        try:
            reader = repo.config_reader(config_level="repository")
            marker = reader.get_value("connver", "store") if reader.has_option("connver", "store") else None
            bare = repo.bare
        except Exception as exc:  # configparser errors and friends
            repo.close()
            raise StoreError(f"the store at {path} is damaged: its git config cannot be read ({_first_line(exc)})") from None
        # git run by GitPython (cat-file for packed objects) must read this repository's
        # objects even inside a git hook that exported GIT_OBJECT_DIRECTORY for another one
        # (GitPython itself sets GIT_DIR)
        repo.git.update_environment(GIT_OBJECT_DIRECTORY=str(Path(repo.git_dir) / "objects"))
        if marker is None or not bare:
            repo.close()
            raise StoreError(
                f"{path} is a git repository but not a connver store (no connver.store in its config)",
                hint="point --store or CONNVER_STORE at another folder",
            )
        return cls(path, repo)

    def close(self) -> None:
        self.repo.close()

    def __enter__(self) -> "SnapshotStore":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close()
        if isinstance(exc, OSError):  # reading or writing the store's files
            raise store_os_error(self.path, exc, "use") from None

    # -- low level ---------------------------------------------------------------------

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        proc = _run_git(list(args), self.repo.git_dir, input)
        if check and proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise StoreError(
                f"the store at {self.path} is damaged or unreadable: git {args[0]} failed"
                + (f": {detail[-1]}" if detail else ""),
                hint=f"`git -C {self.path} fsck` tells more",
            )
        return proc.stdout

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn GitPython's and git's errors about broken objects into one StoreError."""
        git = gitrunner.gitpython()
        BadName, BadObject = gitrunner.object_errors()

        try:
            yield
        except (BadName, BadObject, git.GitCommandError, ValueError, AssertionError, zlib.error) as exc:
            raise StoreError(
                f"the store at {self.path} is damaged: {_first_line(exc)}",
                hint=f"`git -C {self.path} fsck` tells more",
            ) from None

    def read_object(self, hexsha: str) -> tuple[str, bytes]:
        """(type, data) of an object: loose objects are read directly, packed ones via git."""
        loose = self._objects / hexsha[:2] / hexsha[2:]
        try:
            raw = zlib.decompress(loose.read_bytes())
        except FileNotFoundError:
            raw = None
        except (OSError, zlib.error) as exc:
            raise StoreError(
                f"the store at {self.path} is damaged: object {hexsha[:12]} cannot be read ({_first_line(exc)})",
                hint=f"`git -C {self.path} fsck` tells more",
            ) from None
        if raw is not None:
            header, nul, data = raw.partition(b"\0")
            kind, _, size = header.decode("ascii", "replace").partition(" ")
            if not nul or not size.isdigit() or int(size) != len(data):
                raise StoreError(
                    f"the store at {self.path} is damaged: object {hexsha[:12]} is truncated",
                    hint=f"`git -C {self.path} fsck` tells more",
                )
            return kind, data
        with self._guard():
            stream = self.repo.odb.stream(bytes.fromhex(hexsha))
            kind = stream.type.decode() if isinstance(stream.type, bytes) else stream.type
            return kind, stream.read()

    def write_object(self, kind: str, data: bytes) -> str:
        """Write a loose object (temp file renamed into place); return its id."""
        header = f"{kind} {len(data)}\0".encode()
        sha = hashlib.sha1(header)
        sha.update(data)
        hexsha = sha.hexdigest()
        folder = self._objects / hexsha[:2]
        target = folder / hexsha[2:]
        if target.exists():
            return hexsha
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                comp = zlib.compressobj(1)
                fh.write(comp.compress(header))
                fh.write(comp.compress(data))
                fh.write(comp.flush())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        except BaseException:
            with _suppress():
                os.unlink(tmp)
            raise
        return hexsha

    def _refs(self, prefix: str) -> dict[str, str]:
        """Refs under ``prefix`` read straight from the files (loose refs win over packed)."""
        git_dir = Path(self.repo.git_dir)
        refs: dict[str, str] = {}
        packed = git_dir / "packed-refs"
        if packed.exists():
            for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
                sha, _, name = line.partition(" ")
                if len(sha) == 40 and name.startswith(prefix):
                    refs[name] = sha
        base = git_dir / prefix.rstrip("/")
        if base.is_file():
            refs[prefix.rstrip("/")] = base.read_text(encoding="ascii", errors="replace").strip()
        elif base.is_dir():
            for path in base.rglob("*"):
                if path.is_file() and not path.name.endswith(".lock"):
                    refs[path.relative_to(git_dir).as_posix()] = path.read_text(encoding="ascii", errors="replace").strip()
        for name, sha in refs.items():
            if len(sha) != 40 or any(ch not in "0123456789abcdef" for ch in sha):
                raise StoreError(
                    f"the store at {self.path} is damaged: {name} holds {sha[:40]!r}, not a commit id",
                    hint=f"`git -C {self.path} fsck` tells more",
                )
        return refs

    def ref(self, name: str = BRANCH) -> str | None:
        """The commit ``name`` points to (None when it does not exist yet)."""
        sha = self._refs(name).get(name)
        if sha is not None and not self.has_object(sha):
            raise StoreError(
                f"the store at {self.path} is damaged: {name} points to a missing commit {sha[:12]}",
                hint=f"`git -C {self.path} fsck` tells more",
            )
        return sha

    def has_object(self, hexsha: str) -> bool:
        if (self._objects / hexsha[:2] / hexsha[2:]).exists():
            return True
        BadName, BadObject = gitrunner.object_errors()

        try:
            self.repo.odb.info(bytes.fromhex(hexsha))  # packed objects: asks git cat-file
            return True
        except (BadName, BadObject, ValueError):
            return False

    def tags(self) -> dict[str, str]:
        return {name[len("refs/tags/") :]: sha for name, sha in self._refs("refs/tags/").items()}

    # -- trees -------------------------------------------------------------------------

    def tree_entries(self, hexsha: str | None) -> dict[str, tuple[str, str]]:
        """name -> (mode, id) of a tree (empty for None)."""
        if hexsha is None:
            return {}
        kind, raw = self.read_object(hexsha)
        if kind != "tree":
            raise StoreError(f"the store at {self.path} is damaged: {hexsha[:12]} is a {kind}, not a tree")
        return parse_tree(raw)

    def commit_tree(self, commit: str) -> str:
        kind, raw = self.read_object(commit)
        if kind != "commit" or not raw.startswith(b"tree "):
            raise StoreError(f"the store at {self.path} is damaged: {commit[:12]} is not a commit")
        return raw[5:45].decode()

    def subtree(self, tree: str | None, *parts: str) -> str | None:
        for part in parts:
            if tree is None:
                return None
            entry = self.tree_entries(tree).get(part)
            tree = entry[1] if entry and entry[0] == "40000" else None
        return tree

    def read_files(self, tree: str, prefix: str = "") -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for name, (mode, sha) in self.tree_entries(tree).items():
            if mode == "40000":
                files.update(self.read_files(sha, f"{prefix}{name}/"))
            else:
                kind, data = self.read_object(sha)
                files[prefix + name] = data
        return files

    # -- reading snapshots -------------------------------------------------------------

    def history(
        self, connector: str | None = None, channel: str | None = None, rev: str | None = None, limit: int | None = None
    ) -> list[Snapshot]:
        """Snapshots, newest first; of one connector (and channel) when given."""
        start = rev or self.ref()
        if start is None:
            return []
        args = ["log", f"--format=%H{_SEP_FIELD}%B{_SEP_REC}"]
        if limit:
            args.append(f"--max-count={limit}")
        args.append(start)
        if connector:
            args += ["--", f"{ROOT_DIR}/{connector}/" + (f"{channel}/" if channel else "")]
        out = self.git(*args).decode("utf-8", "replace")
        snapshots = []
        for record in out.split(_SEP_REC):
            record = record.strip("\n")
            if not record:
                continue
            commit, _, message = record.partition(_SEP_FIELD)
            snap = parse_message(commit.strip(), message)
            if snap is None:
                continue
            if connector and snap.connector != connector:
                continue
            if channel and snap.channel != channel:
                continue
            snapshots.append(snap)
        return snapshots

    def connector_names(self) -> list[str]:
        head = self.ref()
        if head is None:
            return []
        root = self.subtree(self.commit_tree(head), ROOT_DIR)
        return sorted(self.tree_entries(root)) if root else []

    def find_connector(self, name: str) -> str:
        names = self.connector_names()
        if not names:
            raise SourceNotFoundError(
                f"{name}: the store at {self.path} has no snapshots yet", hint="take one with `connver snapshot`"
            )
        if name in names:
            return name
        try:
            safe = safe_name(name)
        except InputError:
            safe = name
        if safe in names:  # "OpenText ContentServer by One Fox" finds OpenText-ContentServer-by-One-Fox
            return safe
        folded = [n for n in names if n.casefold() in (name.casefold(), safe.casefold())]
        if len(folded) == 1:
            return folded[0]
        import difflib

        close = difflib.get_close_matches(name, names, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`connver list` shows the connectors in the store"
        raise SourceNotFoundError(f"no connector {name!r} in the store at {self.path}", hint=hint)

    def resolve(self, ref: StoreRef) -> Snapshot:
        connector = self.find_connector(ref.connector)
        if ref.kind in ("channel", "back"):
            snaps = self.history(connector, ref.channel)
            where = f"on channel {ref.channel}" if ref.channel else "in all"
            if not snaps:
                have = sorted({s.channel for s in self.history(connector)})
                raise SourceNotFoundError(
                    f"{ref}: {connector} has no snapshot {where}",
                    hint=f"it has {', '.join(have)}" if have else None,
                )
            if ref.back >= len(snaps):
                raise SourceNotFoundError(
                    f"{ref}: {connector} has only {len(snaps)} snapshot(s) {where}"
                    + ("" if ref.channel else " channels"),
                    hint=f"~0 to ~{len(snaps) - 1}",
                )
            return snaps[ref.back]
        text = ref.text or ""
        snaps = self.history(connector)
        for snap in snaps:
            if snap.version == text:
                return snap
        if is_commit_prefix(text):
            hits = [s for s in snaps if s.commit.startswith(text.lower())]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise InputError(f"{ref}: commit prefix {text} is ambiguous; give more digits")
        versions = list(dict.fromkeys(s.version for s in snaps if s.version))
        raise SourceNotFoundError(
            f"{ref}: no snapshot of {connector} has version or commit {text!r}",
            hint=f"versions in the store: {', '.join(versions[:12])}" if versions else "use deployed, dev or ~N",
        )

    def snapshot_files(self, snap: Snapshot) -> dict[str, bytes]:
        tree = self.subtree(self.commit_tree(snap.commit), ROOT_DIR, snap.connector, snap.channel)
        if tree is None:
            raise StoreError(
                f"the store at {self.path} is damaged: commit {snap.short} has no {ROOT_DIR}/{snap.connector}/{snap.channel}"
            )
        return self.read_files(tree)

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator["Writer"]:
        """Take the lock, finish a crashed writer's work, and yield a :class:`Writer`.

        Pending snapshots are committed (``main`` moved) on :meth:`Writer.flush` and when
        the block ends without an exception.
        """
        with _os_errors(self.path), StoreLock(self.path):
            self.recover()
            writer = Writer(self)
            yield writer
            writer.flush()

    def recover(self) -> bool:
        """Finish or roll back a ref transaction a killed writer left (under the lock)."""
        journal = self.path / JOURNAL
        with _suppress():
            journal.with_suffix(".tmp").unlink()  # killed while writing the journal itself
        if not journal.exists():
            return False
        plan = _read_journal(journal, self.path)
        git_dir = Path(self.repo.git_dir)
        for name in [BRANCH] + [f"refs/tags/{t}" for t, _ in plan["tags"]]:
            with _suppress():
                (git_dir / f"{name}.lock").unlink()
        with _suppress():
            (git_dir / "packed-refs.lock").unlink()
        current = self.ref()
        existing = self.tags()
        lines = []
        if current == plan["new"]:
            lines = [f"create refs/tags/{t} {sha}" for t, sha in plan["tags"] if t not in existing]
        elif current == (plan["old"] or None):
            lines = [f"delete refs/tags/{t} {sha}" for t, sha in plan["tags"] if existing.get(t) == sha]
        if lines:
            self.git("update-ref", "--stdin", input=("\n".join(lines) + "\n").encode())
        journal.unlink()
        return True

    def move_branch(self, old: str | None, new: str, tags: list[tuple[str, str]]) -> None:
        journal = self.path / JOURNAL
        tmp = journal.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"old": old, "new": new, "tags": tags}))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
        lines = ["start", f"update {BRANCH} {new} {old or ZERO}"]
        lines += [f"create refs/tags/{t} {sha}" for t, sha in tags]
        lines += ["prepare", "commit"]
        proc = _run_git(["update-ref", "--stdin"], self.repo.git_dir,
                        ("\n".join(lines) + "\n").encode("utf-8"))
        if proc.returncode != 0:
            journal.unlink()
            detail = proc.stderr.decode("utf-8", "replace").strip()
            raise StoreError(f"could not record the snapshot in {self.path}: {detail.splitlines()[-1] if detail else 'git update-ref failed'}")
        journal.unlink()


def _read_journal(journal: Path, store: Path) -> dict:
    """The plan a writer recorded before moving ``main``: ``old`` (a commit id or None),
    ``new`` (a commit id) and ``tags`` ([name, commit id] pairs). Anything else is refused:
    connver cannot tell what the interrupted writer did."""
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
    except ValueError:  # not JSON, not UTF-8
        plan = None
    if _is_plan(plan):
        return plan  # type: ignore[return-value]
    raise StoreError(
        f"the store at {store} is damaged: {journal.name}, the record of an interrupted write, is not one "
        "connver wrote",
        hint=f"`git -C {store} fsck` checks the rest; when it finds nothing wrong, delete {journal} and run again")


def _is_plan(plan: object) -> bool:
    def sha(value: object) -> bool:
        return isinstance(value, str) and len(value) == 40 and all(c in "0123456789abcdef" for c in value)

    return (isinstance(plan, dict) and (plan.get("old") is None or sha(plan.get("old"))) and sha(plan.get("new"))
            and isinstance(plan.get("tags"), list)
            and all(isinstance(t, list) and len(t) == 2 and _tag_ok(t[0]) and sha(t[1]) for t in plan["tags"]))


def _tag_ok(name: object) -> bool:
    """A tag name connver could have made (no way out of refs/tags/, one line)."""
    return (isinstance(name, str) and bool(name) and not name.startswith("/") and ".." not in name
            and not any(ch.isspace() or ch in "\\\0" for ch in name))


class Writer:
    """Builds snapshot commits on top of ``main`` and moves ``main`` on :meth:`flush`."""

    def __init__(self, store: SnapshotStore) -> None:
        self.store = store
        self.base = store.ref()
        self.head = self.base
        self.pending_tags: list[tuple[str, str]] = []
        self._latest: dict[tuple[str, str], Snapshot | None] = {}
        self._indexed = False
        self._originals: set[tuple[str, str, str]] = set()
        self._tags: dict[str, str] | None = None
        self._trees: dict[str, dict[str, tuple[str, str]]] = {}
        self._names: dict[str, str | None] = {}

    # what is there ------------------------------------------------------------------

    def preload(self) -> None:
        """Read the whole history once (for imports: many connectors, original commits)."""
        if self._indexed:
            return
        self._indexed = True
        for snap in reversed(self.store.history(rev=self.head) if self.head else []):
            self._latest[(snap.connector, snap.channel)] = snap
            if snap.connector_name:
                self._names[snap.connector] = snap.connector_name
            if snap.original_commit:
                self._originals.add((snap.connector, snap.channel, snap.original_commit))

    def latest(self, connector: str, channel: str) -> Snapshot | None:
        key = (connector, channel)
        if key not in self._latest and not self._indexed and self.head:
            found = self.store.history(connector, channel, rev=self.head, limit=1)
            self._latest[key] = found[0] if found else None  # type: ignore[assignment]
        return self._latest.get(key)

    def has_original(self, connector: str, channel: str, commit: str) -> bool:
        self.preload()
        return (connector, channel, commit) in self._originals

    def recorded_name(self, connector: str) -> str | None:
        """The name the connector's newest snapshot was made from (None: given as an id)."""
        if connector not in self._names:
            found = None
            if not self._indexed and self.head:
                found = next((s.connector_name for s in self.store.history(connector, rev=self.head)
                              if s.connector_name), None)
            self._names[connector] = found
        return self._names[connector]

    def check_id(self, connector: str, name: str | None, existing) -> None:
        """Refuse an id that would end up as one connector with a different one.

        ``existing`` are the store's connector ids. Ids differing only in case are refused
        (git refs and folders fold them on case-insensitive filesystems); a ``name`` (the
        folder name, ``connectorId`` or ``--connector`` text the id was made from) must be the
        one the connector was recorded with, so ``x y`` and ``x-y``, or ``../x`` and ``x``,
        never share one connector. ``name`` None is an id given exactly as the store keeps
        it (``--connector x``), which adds to that connector as it is. Snapshots from before
        names were recorded accept any name.
        """
        for other in existing:
            if other != connector and other.casefold() == connector.casefold():
                raise InputError(
                    f"connector id {connector!r} differs from {other!r}, already in the store, only in case: "
                    "they cannot be kept apart on a case-insensitive filesystem",
                    hint="give --connector with a distinct id",
                )
        if name is None or connector not in existing:
            return
        name = name_key(name)
        recorded = self.recorded_name(connector)
        if recorded is not None and recorded != name:
            raise InputError(
                f"{name!r} would be stored as connector {connector!r}, which holds {recorded!r}: "
                "two different names cannot share one connector",
                hint=f"give --connector ID to store it apart (or --connector {connector} to add to it)",
            )

    def _entries(self, tree: str | None) -> dict[str, tuple[str, str]]:
        if tree is None:
            return {}
        if tree not in self._trees:
            self._trees[tree] = self.store.tree_entries(tree)
        return dict(self._trees[tree])

    def _write_tree(self, entries: Mapping[str, tuple[str, str]]) -> str:
        sha = self.store.write_object("tree", format_tree(entries))
        self._trees[sha] = dict(entries)
        return sha

    def _files_tree(self, files: Mapping[str, bytes]) -> str:
        nested: dict = {}
        for name, data in files.items():
            parts = name.split("/")
            if any(p in ("", ".", "..", ".git") for p in parts):
                raise InputError(f"cannot store a file named {name!r}")
            node = nested
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise InputError(f"cannot store {name!r}: {part} is both a file and a folder")
            node[parts[-1]] = data

        def build(node: dict) -> str:
            entries = {}
            for key, value in node.items():
                if isinstance(value, dict):
                    entries[key] = ("40000", build(value))
                else:
                    entries[key] = ("100644", self.store.write_object("blob", value))
            return self._write_tree(entries)

        return build(nested)

    # adding -------------------------------------------------------------------------

    def add(
        self,
        connector: str,
        channel: str,
        files: Mapping[str, bytes],
        *,
        version: str | None,
        trailers: Mapping[str, str | list[str] | None],
        body: str | None = None,
        author: tuple[str, str, str] | None = None,
        when: datetime | None = None,
        name: str | None = None,
    ) -> tuple[Snapshot, bool, str | None]:
        """Add one snapshot; return (snapshot, created, tag).

        ``name`` is what the id was made from (see :meth:`check_id`); None when the id was
        given as it is.

        When the files equal the channel's latest snapshot nothing is written and that
        snapshot comes back with ``created`` False. ``author`` is (name, email, ISO date)
        for imported history.
        """
        if channel not in CHANNELS:
            raise InputError(f"unknown channel {channel!r}")
        if not files:
            raise InputError(f"{connector}: there are no files to snapshot")
        new_tree = self._files_tree(files)
        root_tree = self.store.commit_tree(self.head) if self.head else None
        root = self._entries(root_tree)
        connectors = self._entries(root.get(ROOT_DIR, (None, None))[1])
        self.check_id(connector, name, connectors)
        # an id given exactly keeps the connector's recorded name (its own id when it is new)
        recorded = name_key(name) if name else (
            (self.recorded_name(connector) if connector in connectors else None) or connector)
        channels = self._entries(connectors.get(connector, (None, None))[1])
        previous = self.latest(connector, channel)
        if channels.get(channel, (None, None))[1] == new_tree and previous is not None:
            return previous, False, None

        channels[channel] = ("40000", new_tree)
        connectors[connector] = ("40000", self._write_tree(channels))
        root[ROOT_DIR] = ("40000", self._write_tree(connectors))
        tree = self._write_tree(root)

        when = when or now()
        stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        all_trailers: dict[str, str | list[str] | None] = {
            "Connector": connector,
            "Connector-Name": recorded,
            "Channel": channel,
            "Version": version,
        }
        all_trailers.update(trailers)
        all_trailers["Snapshot-Time"] = stamp
        all_trailers = {key: all_trailers.get(key) for key in TRAILER_KEYS}
        message = format_message(f"{connector} {channel} {version or '(no version)'}", body, all_trailers)
        committer = _signature(*COMMITTER, when)
        author_line = _signature(author[0], author[1], _parse_date(author[2]) or when) if author else committer
        lines = [f"tree {tree}"]
        if self.head:
            lines.append(f"parent {self.head}")
        lines += [f"author {author_line}", f"committer {committer}", "", message]
        commit = self.store.write_object("commit", "\n".join(lines).encode("utf-8"))
        self.head = commit

        snap = parse_message(commit, message)
        assert snap is not None
        self._latest[(connector, channel)] = snap
        self._names[connector] = recorded
        if snap.original_commit:
            self._originals.add((connector, channel, snap.original_commit))
        tag = None
        if version and (previous is None or previous.version != version):
            candidate = tag_name(connector, channel, version)
            if self._tags is None:
                self._tags = self.store.tags()
            if candidate and candidate not in self._tags and not any(
                candidate == t or candidate.startswith(t + "/") or t.startswith(candidate + "/") for t in self._tags
            ):
                self._tags[candidate] = commit
                self.pending_tags.append((candidate, commit))
                tag = candidate
        return snap, True, tag

    def flush(self) -> None:
        if self.head == self.base:
            return
        self.store.move_branch(self.base, self.head, self.pending_tags)  # type: ignore[arg-type]
        self.base = self.head
        self.pending_tags = []


# -- formats ------------------------------------------------------------------------------


def parse_tree(raw: bytes) -> dict[str, tuple[str, str]]:
    entries: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(raw):
        space = raw.index(b" ", i)
        nul = raw.index(b"\0", space)
        mode = raw[i:space].decode()
        name = raw[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries[name] = (mode, raw[nul + 1 : nul + 21].hex())
        i = nul + 21
    return entries


def format_tree(entries: Mapping[str, tuple[str, str]]) -> bytes:
    def key(name: str) -> bytes:
        raw = name.encode("utf-8", "surrogateescape")
        return raw + b"/" if entries[name][0] == "40000" else raw

    out = bytearray()
    for name in sorted(entries, key=key):
        mode, sha = entries[name]
        out += mode.encode() + b" " + name.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(sha)
    return bytes(out)


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def format_message(subject: str, body: str | None, trailers: Mapping[str, str | list[str] | None]) -> str:
    parts = [_one_line(subject)]
    if body and body.strip():
        parts.append(body.strip())
    lines = []
    for key, value in trailers.items():
        if value is None or value == "" or value == []:
            continue
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key}: {_one_line(item)}")
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def parse_message(commit: str, message: str) -> Snapshot | None:
    """The snapshot a commit message describes, or None when it is not a snapshot."""
    message = message.strip("\n")
    paragraphs = message.split("\n\n")
    values: dict[str, list[str]] = {}
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            values.setdefault(key.strip(), []).append(value.strip())
    if "Connector" not in values or "Channel" not in values:
        return None

    def one(key: str) -> str | None:
        return values.get(key, [None])[0]

    return Snapshot(
        commit=commit,
        connector=one("Connector") or "",
        channel=one("Channel") or "",
        version=one("Version"),
        time=one("Snapshot-Time") or "",
        source=one("Source"),
        environment=one("Environment"),
        redacted=tuple(values.get("Redacted", ())),
        original_commit=one("Original-Commit"),
        original_author=one("Original-Author"),
        original_date=one("Original-Date"),
        original_subject=one("Original-Subject"),
        connector_name=one("Connector-Name"),
        subject=paragraphs[0].splitlines()[0] if paragraphs else "",
    )


def now() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible snapshots and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _signature(name: str, email: str, when: datetime) -> str:
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    clean_name = _one_line(name).replace("<", "").replace(">", "") or "unknown"
    clean_email = _one_line(email).replace("<", "").replace(">", "")
    return f"{clean_name} <{clean_email}> {int(when.timestamp())} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


@contextmanager
def _suppress() -> Iterator[None]:
    try:
        yield
    except OSError:
        pass


__all__ = ["SnapshotStore", "Writer", "init_store", "parse_message", "format_message", "now"]
