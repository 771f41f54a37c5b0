"""Audit a repository range: every connector whose definition files changed, diffed.

:func:`audit` finds the connector folders that changed between two commits (one
``git diff-tree``), reads their files on both sides straight from git objects (one
``git cat-file --batch`` process, see :mod:`versioning.store.gitrange`), and diffs each
connector, spreading the connectors over worker processes when that pays. Each worker gets
bytes, never a repository. The result is typed data, :class:`AuditResult`, with one
:class:`ConnectorAudit` per connector; renderers in :mod:`versioning.render` turn it into
text, markdown, json, junit or GitHub workflow commands.

A connector whose files cannot be loaded is reported with its error; the audit goes on.
With ``strict``, a connector whose new files have defects the tolerant loader recovered from
is reported the same way (status ``error``).
"""

from __future__ import annotations

import gc
import os
import time
from collections import deque
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .changes import LEVELS, Change, Level, count_levels
from .config import Config
from .errors import JSONDefectError, VersioningError
from .jsonload import LoadWarning
from .lines import Position, positions
from .model import Connector
from .sourcefiles import CONNECTOR_FILES, SETTINGS_NAME, SWAGGER_NAMES, SourceFiles
from .version import Bump, VersionCheck, bump_level, check_version

#: Version of the audit JSON contract (bumped on incompatible changes).
AUDIT_SCHEMA_VERSION = 1

#: Where connector folders live in the public repository (and most forks).
DEFAULT_PATHS: tuple[str, ...] = (
    "certified-connectors/*",
    "independent-publisher-connectors/*",
    "custom-connectors/*",
)

#: A change to one of these files makes a connector folder part of the audit
#: (settings.json is local to an environment and not part of the contract).
DEFINITION_FILES: frozenset[str] = frozenset(name for name in CONNECTOR_FILES if name != SETTINGS_NAME)

#: Below this many bytes of definitions, one process is faster than starting workers
#: (measured: see docs/audit.md, "Parallelism").
PARALLEL_MIN_BYTES = 3_000_000

#: progress(done, total, connector path)
Progress = Callable[[int, int, str], None]


class Status(str, Enum):
    """What happened to a connector folder in the range."""

    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    ERROR = "error"  # its files could not be loaded (with strict: or had a tolerated defect)

    def __str__(self) -> str:
        return self.value


@dataclass
class ConnectorAudit:
    """The audit of one connector folder.

    ``changes`` are sorted most severe first; ``positions`` (when lines were asked for)
    holds one :class:`~versioning.lines.Position` per change. ``version_check`` compares
    the declared ``info.version`` with the suggested ``bump``; ``version_problem`` says why
    there is no check (an unreadable old version). ``error`` (with ``error_position``)
    replaces the findings of a connector that could not be loaded (or, in a strict audit,
    had input defects). ``warnings`` are the defects the loader tolerated, and
    ``warning_sides`` says for each whether it is in the old or the new file.
    """

    path: str
    status: Status
    title: str | None = None
    old_version: str | None = None
    new_version: str | None = None
    changes: list[Change] = field(default_factory=list)
    positions: list[Position | None] | None = None
    ignored: int = 0
    bump: Bump | None = None
    version_check: VersionCheck | None = None
    version_problem: str | None = None
    version_position: Position | None = None
    swagger_name: str = SWAGGER_NAMES[0]
    warnings: list[LoadWarning] = field(default_factory=list)
    warning_sides: list[str] = field(default_factory=list)
    error: str | None = None
    error_position: Position | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def file_path(self, name: str) -> str:
        """The repository path of one of this connector's files."""
        return f"{self.path}/{name}"

    @property
    def summary(self) -> dict[Level, int]:
        return count_levels(self.changes)

    @property
    def counts(self) -> dict[Level, int]:
        """:attr:`summary`, with a removed connector counted as one breaking change (as
        ``--fail-on`` counts it). The JSON keeps :attr:`summary`: findings only."""
        counts = self.summary
        if self.status is Status.REMOVED:
            counts[Level.BREAKING] += 1
        return counts

    def add_warning(self, warning: LoadWarning, side: str) -> None:
        self.warnings.append(warning)
        self.warning_sides.append(side)

    def sided_warnings(self) -> Iterator[tuple[str, LoadWarning]]:
        """``(side, warning)`` for each load warning; ``side`` is ``old`` or ``new``."""
        sides = self.warning_sides or ["new"] * len(self.warnings)
        return zip(sides, self.warnings)

    @property
    def worst(self) -> Level | None:
        """The most severe level found; a removed connector counts as breaking."""
        if self.status is Status.REMOVED:
            return Level.BREAKING
        return max((c.level for c in self.changes), key=lambda lv: lv.severity, default=None)

    @property
    def version_ok(self) -> bool | None:
        """Whether the declared version is enough for the changes (None: not applicable)."""
        if self.status is not Status.CHANGED:
            return None
        if self.version_check is None:
            return False if self.version_problem else None
        return self.version_check.ok

    @property
    def version_message(self) -> str | None:
        if self.version_check is not None:
            return self.version_check.message
        return self.version_problem

    @property
    def expected_version(self) -> str | None:
        return self.version_check.expected if self.version_check is not None else None

    def fails(self, threshold: Level | None, *, check_version: bool = False, strict: bool = False) -> bool:
        """True when this connector makes the audit fail: a finding at ``threshold`` or
        more severe (a removal counts as breaking, a load error as failing any threshold),
        with ``check_version`` a declared version that is not enough, and with ``strict``
        a load error (which, in a strict audit, includes a tolerated input defect)."""
        if strict and self.status is Status.ERROR:
            return True
        if threshold is not None:
            if self.status is Status.ERROR:
                return True
            worst = self.worst
            if worst is not None and worst.severity >= threshold.severity:
                return True
        return check_version and self.version_ok is False

    def position(self, index: int) -> Position | None:
        return self.positions[index] if self.positions is not None else None

    def to_dict(self, *, lines: bool = False) -> dict[str, Any]:
        from .diff import change_to_dict

        changes = []
        for index, change in enumerate(self.changes):
            entry = change_to_dict(change)
            entry["path"] = self.file_path(change.file) if change.file else None
            if lines:  # in the new file; for a removal, old_line is where it was declared
                pos = self.position(index)
                entry["line"] = pos.line if pos and pos.side == "new" else None
                entry["old_line"] = pos.old_line if pos else None
            changes.append(entry)
        check = self.version_check
        return {
            "path": self.path,
            "name": self.name,
            "status": self.status.value,
            "title": self.title,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "bump": self.bump.value if self.bump else None,
            "expected_version": self.expected_version,
            "version_ok": self.version_ok,
            "version_status": check.status.value if check else ("unreadable" if self.version_problem else None),
            "version_message": self.version_message,
            "summary": {level.value: n for level, n in self.summary.items()},
            "changes": changes,
            "ignored": self.ignored,
            "warnings": [str(w) for w in self.warnings],
            "error": self.error,
        }


@dataclass
class AuditResult:
    """Every connector that changed in a range, sorted by path."""

    range: Any  # versioning.store.gitrange.Range
    connectors: list[ConnectorAudit]
    jobs: int = 1
    seconds: float = 0.0
    lines: bool = False
    strict: bool = False
    #: ``paths`` patterns that match no connector folder on either side of the range.
    unmatched_paths: list[PathMiss] = field(default_factory=list)

    @property
    def summary(self) -> dict[Level, int]:
        counts = {level: 0 for level in LEVELS}
        for entry in self.connectors:
            for level, n in entry.summary.items():
                counts[level] += n
        return counts

    @property
    def counts(self) -> dict[Level, int]:
        """:attr:`summary` plus one breaking change per removed connector."""
        counts = {level: 0 for level in LEVELS}
        for entry in self.connectors:
            for level, n in entry.counts.items():
                counts[level] += n
        return counts

    @property
    def statuses(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for entry in self.connectors:
            counts[entry.status] += 1
        return counts

    def fails(self, threshold: Level | None, *, check_version: bool = False, strict: bool | None = None) -> bool:
        """Whether any connector fails (see :meth:`ConnectorAudit.fails`); ``strict``
        defaults to whether the audit was strict."""
        strict = self.strict if strict is None else strict
        return any(c.fails(threshold, check_version=check_version, strict=strict) for c in self.connectors)

    def to_dict(self, *, lines: bool | None = None) -> dict[str, Any]:
        """The documented JSON contract (see docs/audit.md)."""
        lines = self.lines if lines is None else lines
        rng = self.range
        return {
            "schema": AUDIT_SCHEMA_VERSION,
            "range": {
                "spec": rng.spec,
                "from": rng.from_rev,
                "to": rng.to_rev,
                "from_commit": rng.from_commit,
                "to_commit": rng.to_commit,
                "old_commit": rng.old_commit,
                "merge_base": rng.merge_base,
            },
            "summary": {
                "connectors": len(self.connectors),
                **{status.value: n for status, n in self.statuses.items()},
                "levels": {level.value: n for level, n in self.summary.items()},
                "version_not_enough": sum(1 for c in self.connectors if c.version_ok is False),
            },
            "connectors": [c.to_dict(lines=lines) for c in self.connectors],
        }


# --------------------------------------------------------------------------- finding folders

def _match(segments: Sequence[str], pattern: Sequence[str]) -> bool:
    """Segment-wise glob match; ``**`` stands for any number of segments."""
    if not pattern:
        return not segments
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(segments[i:], rest) for i in range(len(segments) + 1))
    return bool(segments) and fnmatchcase(segments[0], head) and _match(segments[1:], rest)


def _clean_pattern(pattern: str) -> tuple[str, ...]:
    text = pattern.replace("\\", "/").strip()
    while text.startswith("./"):
        text = text[2:]
    return tuple(part for part in text.strip("/").split("/") if part)


def connector_folders(paths: Iterable[str], patterns: Sequence[str] = DEFAULT_PATHS) -> list[str]:
    """The connector folders (matching ``patterns``) in which a definition file changed.

    >>> connector_folders(["certified-connectors/A/apiProperties.json",
    ...                    "certified-connectors/A/Readme.md", "certified-connectors/B/Readme.md",
    ...                    "custom-connectors/C/script.csx", "schemas/apiDefinition.json"])
    ['certified-connectors/A', 'custom-connectors/C']
    """
    compiled = [_clean_pattern(p) for p in patterns]
    found: set[str] = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if name not in DEFINITION_FILES or not folder or folder in found:
            continue
        segments = folder.split("/")
        if any(_match(segments, pattern) for pattern in compiled):
            found.add(folder)
    return sorted(found)


@dataclass(frozen=True)
class PathMiss:
    """A ``paths`` pattern that matches no connector folder on either side of a range,
    with an example of what was probably meant."""

    pattern: str
    sides: str  # "master or dev"
    example: str

    def __str__(self) -> str:
        return (f"--path {self.pattern!r} matches no connector folder in {self.sides} (a pattern names "
                f"connector folders relative to the repository root, e.g. {self.example!r})")


def _unmatched_paths(root: Path, rng: Any, patterns: Sequence[str], changed: Sequence[str]) -> list[PathMiss]:
    """The patterns that match no connector folder (a folder directly holding a definition
    file) at either end of the range. Patterns that matched a changed folder cost nothing;
    for the others, both trees are listed once."""
    from .git import range as gitrange

    misses = [p for p in dict.fromkeys(patterns)
              if not any(_match(folder.split("/"), _clean_pattern(p)) for folder in changed)]
    if not misses:
        return []
    existing: set[str] = set()
    for commit in dict.fromkeys((rng.old_commit, rng.to_commit)):
        for path in gitrange.tree_paths(root, commit):
            folder, _, name = path.rpartition("/")
            if folder and name in DEFINITION_FILES:
                existing.add(folder)
    folders = sorted(existing)
    sides = f"{rng.old_label} or {rng.to_rev}"
    return [PathMiss(p, sides, _example(_clean_pattern(p), folders)) for p in misses
            if not any(_match(f.split("/"), _clean_pattern(p)) for f in folders)]


def _example(pattern: tuple[str, ...], folders: Sequence[str]) -> str:
    """A connector folder the pattern probably meant, or the expected form.

    >>> _example(("allGeo",), ["certified-connectors/allGeo", "custom-connectors/B"])
    'certified-connectors/allGeo'
    >>> _example(("certified-connectors",), ["certified-connectors/allGeo"])
    'certified-connectors/*'
    >>> _example(("nothing", "here"), [])
    'certified-connectors/here'
    """
    for candidate in (("**",) + pattern, pattern + ("*",)):
        if any(_match(f.split("/"), candidate) for f in folders):
            found = next(f for f in folders if _match(f.split("/"), candidate))
            return found if candidate[0] == "**" else "/".join(candidate)
    return f"{DEFAULT_PATHS[0].split('/')[0]}/{pattern[-1] if pattern else '<connector folder>'}"


# --------------------------------------------------------------------------- one connector

@dataclass(frozen=True)
class ConnectorTask:
    """What a worker needs to audit one connector: bytes on each side (None: absent)."""

    path: str
    old: Mapping[str, bytes] | None
    new: Mapping[str, bytes] | None
    old_rev: str = "old"
    new_rev: str = "new"
    #: Connector file names that are not regular files on the new side: (name, what it is).
    odd: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return sum(len(b) for side in (self.old, self.new) if side for b in side.values())


def _source(task: ConnectorTask, side: str) -> SourceFiles | None:
    files = task.old if side == "old" else task.new
    if not files or not any(name in files for name in SWAGGER_NAMES):
        return None
    rev = task.old_rev if side == "old" else task.new_rev
    return SourceFiles(label=f"{rev}:{task.path}", files=dict(files), kind="git",
                       meta={"rev": rev, "path": task.path})


def audit_connector(task: ConnectorTask, config: Config | None = None, *, lines: bool = False,
                    strict: bool = False) -> ConnectorAudit | None:
    """Audit one connector from its files; None when neither side holds a definition.

    With ``strict``, a connector (changed or added) whose new files have defects the tolerant
    loader recovered from gets status ``error``, as one whose files cannot be loaded; the old
    files' defects stay warnings (a change that fixes one must not fail for it)."""
    from .diff import diff

    old_src, new_src = _source(task, "old"), _source(task, "new")
    if old_src is None and new_src is None and not task.odd:
        return None
    status = Status.CHANGED if old_src and new_src else (Status.ADDED if new_src else Status.REMOVED)
    entry = ConnectorAudit(task.path, status)
    if task.odd and (old_src is not None or new_src is not None):
        name, what = task.odd[0]
        entry.status = Status.ERROR
        entry.error = (f"{name} is {what} at {task.new_rev}, not a file: connectors hold their files themselves "
                       f"(the platform reads no links, folders or submodules)")
        entry.error_position = Position(name, "new", None, None)
        return entry
    loaded: dict[str, Connector] = {}
    for side, src in (("old", old_src), ("new", new_src)):
        if src is None:
            continue
        try:
            loaded[side] = Connector.from_files(src)
        except VersioningError as exc:
            if status is Status.REMOVED:  # gone anyway: say what it was, if we can
                pos = _error_position(exc, src, side)
                entry.add_warning(LoadWarning(f"{src.label}/{pos.file}", pos.line or 1, pos.column or 1,
                                              f"the removed connector could not be read: {exc}"), side)
                continue
            entry.status = Status.ERROR
            entry.error = str(exc)
            entry.error_position = _error_position(exc, src, side)
            return entry
    old, new = loaded.get("old"), loaded.get("new")
    shown = new or old
    if shown is not None:
        entry.title = shown.title
        entry.swagger_name = shown.swagger_name
    entry.old_version = old.version if old else None
    entry.new_version = new.version if new else None
    for side, connector in loaded.items():
        for warning in connector.warnings:
            entry.add_warning(warning, side)
    defects = [w for side, w in entry.sided_warnings() if side == "new"]
    if strict and defects:  # the old side's defects stay warnings: a change that fixes one must pass
        first = defects[0]
        entry.status = Status.ERROR
        name = str(first.file).rsplit("/", 1)[-1]
        entry.error = (f"--strict: {len(defects)} input defect(s) that are otherwise tolerated, the first in "
                       f"{name} at line {first.line}, column {first.column} (see the load warnings)")
        entry.error_position = Position(name, "new", first.line, first.column)
        return entry
    if old is None or new is None:
        return entry
    result = diff(old, new, config=config)
    entry.changes = result.changes
    entry.ignored = result.ignored
    entry.bump = bump_level(result.changes)
    try:
        entry.version_check = check_version(old.version, new.version, entry.bump)
    except VersioningError as exc:
        entry.version_problem = f"cannot check the version: {exc.message}"
    if lines:  # the version's line comes from the same scan of the new swagger
        version = Change("declared-version", Level.COSMETIC, "info/version", file=new.swagger_name,
                         pointer=("info", "version"))
        docs = {("old", old.swagger_name): old.swagger, ("new", new.swagger_name): new.swagger}
        found = positions([*result.changes, version], old.source.files, new.source.files, docs=docs)
        entry.positions, entry.version_position = found[:-1], found[-1]
    return entry


def _error_position(exc: VersioningError, src: SourceFiles, side: str) -> Position:
    if isinstance(exc, JSONDefectError):
        name = exc.file.rsplit("/", 1)[-1]
        return Position(name, side, exc.line, exc.column)
    return Position(src.swagger_name or SWAGGER_NAMES[0], side)


def _run_batch(tasks: Sequence[ConnectorTask], config: Config | None, lines: bool,
               strict: bool = False) -> list[ConnectorAudit | None]:
    with _paused_gc():
        return [audit_connector(task, config, lines=lines, strict=strict) for task in tasks]


@contextmanager
def _paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while connectors are audited.

    The work allocates millions of small, acyclic objects (parsed JSON, model nodes,
    changes) that reference counting frees; meanwhile the results pile up, and every full
    collection walks all of them again, which made the time per connector grow with the
    number of connectors (measured: 27 ms of the run at 43 connectors, 430 ms, an eighth of
    it, at 387). The collector is restored, and runs as usual, afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- the whole range

def default_jobs(total_bytes: int) -> int:
    """Processes to use for this much definition data: 1 below
    :data:`PARALLEL_MIN_BYTES`, else one per core (this one and ``cores - 1`` workers)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if total_bytes < PARALLEL_MIN_BYTES else max(1, cores)


def audit(
    repo: str | Path = ".",
    spec: str = "master..dev",
    *,
    merge_base: bool = False,
    staged: bool = False,
    paths: Sequence[str] | None = None,
    config: Config | None = None,
    lines: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit every connector folder whose definition files changed in ``spec``.

    ``spec`` is ``FROM..TO`` (``FROM...TO`` or ``merge_base=True``: TO against the merge
    base, as in a pull request); ``staged=True`` compares ``HEAD`` with the index instead
    (what the next commit would change: the pre-commit hook). ``paths`` are folder globs (default
    :data:`DEFAULT_PATHS`); a given pattern that matches no connector folder on either side is
    listed in :attr:`AuditResult.unmatched_paths`. ``lines`` adds the line of every finding.
    ``strict`` reports a connector whose new files have tolerated input defects as an error. ``jobs`` is the number
    of processes, this one included (None: decided by the amount of data; 1: this one only).
    ``progress`` is called after each connector.
    """
    from .git import range as gitrange

    started = time.perf_counter()
    root = gitrange.repo_root(repo)
    rng = gitrange.staged_range(root) if staged else gitrange.resolve_range(root, spec, merge_base=merge_base)
    folders = connector_folders(gitrange.changed_paths(root, rng.old_commit, rng.to_commit), paths or DEFAULT_PATHS)
    unmatched = _unmatched_paths(root, rng, paths, folders) if paths else []
    old_blobs = gitrange.folder_blobs(root, rng.old_commit, folders)
    odd: dict[str, dict[str, str]] = {}
    new_blobs = gitrange.folder_blobs(root, rng.to_commit, folders, odd)
    wanted = [sha for blobs in (old_blobs, new_blobs) for files in blobs.values()
              for name, sha in files.items() if name in DEFINITION_FILES]
    data = gitrange.read_blobs(root, wanted)

    def files(listing: Mapping[str, str] | None) -> dict[str, bytes] | None:
        if listing is None:
            return None
        return {name: data[sha] for name, sha in listing.items() if name in DEFINITION_FILES}

    old_rev = rng.from_rev if not rng.merge_base else rng.old_commit[:12]
    tasks = [ConnectorTask(folder, files(old_blobs.get(folder)), files(new_blobs.get(folder)), old_rev, rng.to_rev,
                           tuple(sorted((n, w) for n, w in odd.get(folder, {}).items() if n in DEFINITION_FILES)))
             for folder in folders]
    if jobs is None:
        jobs = default_jobs(sum(t.size for t in tasks))
    jobs = max(1, min(jobs, len(tasks) or 1))
    entries = _run(tasks, config, lines, jobs, progress, strict)
    entries = sorted((e for e in entries if e is not None), key=lambda e: e.path)
    return AuditResult(rng, entries, jobs=jobs, seconds=time.perf_counter() - started, lines=lines, strict=strict,
                       unmatched_paths=unmatched)


def _run(tasks: list[ConnectorTask], config: Config | None, lines: bool, jobs: int,
         progress: Progress | None, strict: bool = False) -> list[ConnectorAudit | None]:
    """Audit the tasks in this process, helped by ``jobs - 1`` worker processes.

    Batches go out largest first so that no one is left with a big connector at the end;
    this process takes the smallest remaining batch itself whenever the workers have
    enough queued, so its share costs no pickling at all.
    """
    total = len(tasks)
    out: list[ConnectorAudit | None] = []

    def finished(batch: Sequence[ConnectorTask], results: list[ConnectorAudit | None]) -> None:
        out.extend(results)
        if progress:
            progress(len(out), total, batch[-1].path)

    if jobs <= 1:
        with _paused_gc():
            for task in tasks:
                finished([task], [audit_connector(task, config, lines=lines, strict=strict)])
        return out
    workers = jobs - 1
    pending = deque(_batches(sorted(tasks, key=lambda t: -t.size), jobs))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        running: dict[Future, Sequence[ConnectorTask]] = {}
        while pending or running:
            while pending and len(running) < 2 * workers:
                batch = pending.popleft()
                running[pool.submit(_run_batch, batch, config, lines, strict)] = batch
            if pending:
                batch = pending.pop()
                finished(batch, _run_batch(batch, config, lines, strict))
                ready = [future for future in running if future.done()]
            else:
                ready = list(wait(running, return_when=FIRST_COMPLETED).done)
            for future in ready:
                finished(running.pop(future), future.result())
    return out


def _batches(tasks: list[ConnectorTask], jobs: int) -> list[list[ConnectorTask]]:
    """Batches of about equal bytes, ~8 per worker, never splitting a connector."""
    target = max(1, sum(t.size for t in tasks) // (jobs * 8))
    batches: list[list[ConnectorTask]] = []
    current: list[ConnectorTask] = []
    size = 0
    for task in tasks:
        current.append(task)
        size += task.size
        if size >= target:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def _context():
    """``fork`` on Linux (workers inherit the loaded modules: no start-up imports); the
    platform's default (spawn) elsewhere, where fork is unsafe or missing."""
    import multiprocessing
    import sys

    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
