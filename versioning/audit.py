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

import os
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .changes import LEVELS, Change, Level, count_levels
from .config import Config
from .errors import JSONDefectError, VersioningError
from . import limits
from .jsontext import LoadWarning
from .limits import max_file_size
from .consistency import Dangling, check_consistency, introduced
from .gcpause import paused_gc
from .lines import Position, positions
from .model import Connector
from .solution import solution_part, solution_source
from .sourcefiles import (CONNECTOR_FILES, ICON_NAME, SCRIPT_NAME, SETTINGS_NAME, SWAGGER_NAMES,
                          SourceFiles, connector_file_names, is_connector_file_name, is_swagger_name)
from .version import Bump, VersionCheck, bump_level, check_version

#: Version of the audit JSON contract (bumped on incompatible changes).
AUDIT_SCHEMA_VERSION = 1

#: Where connector folders are looked for: every folder of the repository, the root included,
#: so that a team's own layout (``Contoso/``, the files at the root, nested folders) needs no option.
DEFAULT_PATHS: tuple[str, ...] = ("**",)

#: Left out of the default :data:`DEFAULT_PATHS` (never out of a ``--path`` given): the public
#: repository's ``templates/`` holds connector templates, not connectors. A changed definition
#: there is still reported (see :class:`Unaudited`).
DEFAULT_EXCLUDE: tuple[str, ...] = ("templates/**",)

#: The public repository's connector folders (used in examples of the expected form).
PUBLIC_PATHS: tuple[str, ...] = (
    "certified-connectors/*",
    "independent-publisher-connectors/*",
    "custom-connectors/*",
)

#: A change to one of these files makes a connector folder part of the audit
#: (settings.json is local to an environment and not part of the contract). Any
#: ``*.swagger.json`` and a solution's connector files count too (see :func:`is_definition_file`).
DEFINITION_FILES: frozenset[str] = frozenset(name for name in CONNECTOR_FILES if name != SETTINGS_NAME)

#: A Dataverse solution's connector files (``pac solution unpack`` puts them in ``Connectors/``),
#: by suffix after ``<name>_``, with the paconn file each becomes (None: a part of
#: apiProperties.json). Each connector of such a folder is audited in the paconn form
#: (see :func:`versioning.solution.solution_source`).
SOLUTION_FILES: dict[str, str | None] = {
    "_openapidefinition.json": SWAGGER_NAMES[0],
    "_customcodeblobcontent.csx": SCRIPT_NAME,
    "_iconblob.png": ICON_NAME,
    "_connectionparameters.json": None,
    "_connectionparametersets.json": None,
    "_policytemplateinstances.json": None,
}

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
    #: The old side of a changed connector could not be read (a load warning says why): its
    #: changes are not classified and its version is not checked; the new side is checked alone.
    old_unreadable: bool = False
    #: References the new version leaves dangling that the old one did not (findings under the
    #: rule ``dangling-reference``, at the error level: they fail the audit under any --fail-on
    #: and under --strict), and those that dangled already (warnings: a pull request is not
    #: failed for what it did not break). See :mod:`versioning.consistency`.
    dangling: list[Dangling] = field(default_factory=list)
    dangling_before: list[Dangling] = field(default_factory=list)

    #: the name a file is read under -> its name in the folder, where they differ (a solution)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def file_path(self, name: str, pointer: tuple = ()) -> str:
        """The repository path of one of this connector's files (``.`` is the root).

        >>> ConnectorAudit(".", Status.CHANGED).file_path("apiProperties.json")
        'apiProperties.json'
        """
        part = pointer[1] if pointer and len(pointer) >= 2 and pointer[0] == "properties" else None
        name = self.names.get(f"{name}#{part}") or self.names.get(name, name)  # a solution keeps parts apart
        folder = self.path.split("::")[0]  # FOLDER::NAME: one connector of a solution's folder
        return name if folder in ("", ".") else f"{folder}/{name}"

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
        if strict and (self.status is Status.ERROR or self.dangling):
            return True
        if threshold is not None:
            if self.status is Status.ERROR or self.dangling:
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
            entry["path"] = self.file_path(change.file, change.pointer) if change.file else None
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
            "dangling": [{**d.to_dict(), "path": self.file_path(d.file)} for d in self.dangling],
            "dangling_before": [{**d.to_dict(), "path": self.file_path(d.file)} for d in self.dangling_before],
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
    #: changed definition files that belong to no audited connector (see :class:`Unaudited`)
    unaudited: list[Unaudited] = field(default_factory=list)

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
        if strict and self.unaudited:
            return True
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
            "unaudited": [{"path": u.path, "reason": u.reason} for u in self.unaudited],
        }


# --------------------------------------------------------------------------- finding connectors

def _solution_suffix(name: str) -> str | None:
    lower = name.lower()
    return next((suffix for suffix in SOLUTION_FILES if lower.endswith(suffix) and len(lower) > len(suffix)), None)


def is_definition_file(name: str) -> bool:
    """Whether a change to a file of this name can change a connector.

    >>> [is_definition_file(n) for n in ("apiProperties.json", "De-Lijn-Zoek.swagger.json",
    ...                                  "Contoso_openapidefinition.json", "settings.json", "Readme.md")]
    [True, True, True, False, False]
    """
    return (is_connector_file_name(name) and name.lower() != SETTINGS_NAME) or _solution_suffix(name) is not None


def _reportable(name: str) -> bool:
    """A definition file whose change must not go unaudited (a script or an icon alone in a
    folder is no connector's)."""
    return name.lower() not in (SCRIPT_NAME, ICON_NAME) and is_definition_file(name)


@dataclass(frozen=True)
class Layout:
    """How the files of one folder make up a connector.

    ``files`` maps the name each file is read under to its name in the folder (the same name
    for a paconn folder; ``apiDefinition.swagger.json`` for a solution's
    ``<name>_openapidefinition.json``); ``notes`` are ``(file name, warning)`` pairs about the
    choice (a swagger with another name, files that are not compared).
    """

    files: Mapping[str, str]
    notes: tuple[tuple[str, str], ...] = ()
    #: A Dataverse solution's folder: the schema names of its connectors (``files`` then holds
    #: their files under their own names; :func:`versioning.solution.solution_source` maps them).
    connectors: tuple[str, ...] = ()

    def folder_name(self, name: str) -> str:
        """The folder's own name of the file read as ``name``."""
        return self.files.get(name, name)


def connector_layout(names: Iterable[str]) -> Layout | None:
    """The connector that the file names of one folder make up; None when they hold no definition.

    This is the one place that says what a connector folder is, for every layout: a paconn
    or pac folder (``apiDefinition.swagger.json`` or ``apiDefinition.json``), another
    ``*.swagger.json`` (read with a warning that names it), or a Dataverse solution's
    ``Connectors/`` files. A new layout is one more branch here.

    >>> connector_layout(["apiProperties.json", "De-Lijn-Zoek.swagger.json", "Readme.md"]).files
    {'De-Lijn-Zoek.swagger.json': 'De-Lijn-Zoek.swagger.json', 'apiProperties.json': 'apiProperties.json'}
    >>> connector_layout(["Contoso_openapidefinition.json", "Contoso_iconblob.Png"]).connectors
    ('Contoso',)
    >>> connector_layout(["Readme.md", "script.csx"]) is None
    True
    """
    names = sorted(names)
    found, said = connector_file_names(names)
    files = {read_as: name for read_as, name in found.items() if read_as != SETTINGS_NAME}
    if any(is_swagger_name(name) for name in files):
        return Layout(dict(sorted(files.items())), tuple((n, note) for n, note in said if n in files.values()))
    return _solution_layout(names)


def _solution_layout(names: Sequence[str]) -> Layout | None:
    """A Dataverse solution's connector files: every connector that has a definition."""
    parts = {name: solution_part(name) for name in names}
    connectors = sorted({got[0] for got in parts.values() if got and got[1] == "swagger"})
    if not connectors:
        return None
    files = {name: name for name, got in parts.items() if got and got[0] in connectors}
    return Layout(dict(sorted(files.items())), (), tuple(connectors))


def _match(segments: Sequence[str], pattern: Sequence[str]) -> bool:
    """Segment-wise glob match; ``**`` stands for any number of segments."""
    if not pattern:
        return not segments
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(segments[i:], rest) for i in range(len(segments) + 1))
    return bool(segments) and fnmatchcase(segments[0], head) and _match(segments[1:], rest)


def _clean_pattern(pattern: str) -> tuple[str, ...]:
    """A ``--path`` pattern as segments; ``.``, ``./`` and ``/`` are the repository's root.

    >>> _clean_pattern("./Contoso/"), _clean_pattern("."), _clean_pattern("/")
    (('Contoso',), (), ())
    """
    text = pattern.replace("\\", "/").strip()
    return tuple(part for part in text.split("/") if part and part != ".")


def _segments(folder: str) -> list[str]:
    return folder.split("/") if folder else []


def _matches(folder: str, patterns: Sequence[tuple[str, ...]]) -> bool:
    return any(_match(_segments(folder), pattern) for pattern in patterns)


def display_path(folder: str) -> str:
    """A folder as shown: ``.`` for the repository's root."""
    return folder or "."


@dataclass(frozen=True)
class Unaudited:
    """A changed definition file that belongs to no audited connector: outside the audited
    paths, or in a folder whose files make up no connector. Reported, never ignored; it fails
    a strict audit."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: changed, but {self.reason}"


def connector_folders(paths: Iterable[str], patterns: Sequence[str] = DEFAULT_PATHS,
                      exclude: Sequence[str] = ()) -> list[str]:
    """The connector folders (matching ``patterns`` and none of ``exclude``) in which a
    definition file changed; ``""`` is the repository's root.

    >>> connector_folders(["certified-connectors/A/apiProperties.json",
    ...                    "certified-connectors/A/Readme.md", "certified-connectors/B/Readme.md",
    ...                    "custom-connectors/C/script.csx", "apiDefinition.json", "templates/T/x.swagger.json"],
    ...                   exclude=DEFAULT_EXCLUDE)
    ['', 'certified-connectors/A', 'custom-connectors/C']
    """
    return _select(paths, patterns, exclude)[0]


def _select(paths: Iterable[str], patterns: Sequence[str], exclude: Sequence[str]) -> tuple[list[str], list[Unaudited]]:
    """The changed connector folders to audit, and the changed definition files outside them."""
    compiled = [_clean_pattern(p) for p in patterns]
    left_out = [_clean_pattern(p) for p in exclude]
    found: set[str] = set()
    outside: list[Unaudited] = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        if not is_definition_file(name):
            continue
        if folder in found:
            continue
        if _matches(folder, compiled) and not _matches(folder, left_out):
            found.add(folder)
        elif _reportable(name):
            why = "excluded by default" if _matches(folder, compiled) else "outside the audited --path patterns"
            outside.append(Unaudited(path, f"its folder is {why} (give --path {display_path(folder)!r} to audit it)"))
    return sorted(found), outside


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
              if not any(_match(_segments(folder), _clean_pattern(p)) for folder in changed)]
    if not misses:
        return []
    listed: dict[str, list[str]] = {}
    for commit in dict.fromkeys((rng.old_commit, rng.to_commit)):
        for path in gitrange.tree_paths(root, commit):
            folder, _, name = path.rpartition("/")
            listed.setdefault(folder, []).append(name)
    folders = sorted(folder for folder, names in listed.items() if connector_layout(names) is not None)
    sides = f"{rng.old_label} or {rng.to_rev}"
    return [PathMiss(p, sides, _example(_clean_pattern(p), folders)) for p in misses
            if not any(_match(_segments(f), _clean_pattern(p)) for f in folders)]


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
        if any(_match(_segments(f), candidate) for f in folders):
            found = next(f for f in folders if _match(_segments(f), candidate))
            return display_path(found) if candidate[0] == "**" else "/".join(candidate)
    return f"{PUBLIC_PATHS[0].split('/')[0]}/{pattern[-1] if pattern else '<connector folder>'}"


# --------------------------------------------------------------------------- one connector

@dataclass(frozen=True)
class ConnectorTask:
    """What a worker needs to audit one connector: bytes on each side (None: absent)."""

    path: str
    old: Mapping[str, bytes] | None
    new: Mapping[str, bytes] | None
    old_rev: str = "old"
    new_rev: str = "new"
    #: the name each file is read under -> its name in the folder (see :class:`Layout`)
    names: Mapping[str, str] = field(default_factory=dict)
    #: ``(side, file name, warning)`` about how the files were picked
    notes: tuple[tuple[str, str, str], ...] = ()
    #: Connector file names that are not regular files on the new side: (name, what it is).
    odd: tuple[tuple[str, str], ...] = ()
    #: Connector files above the size limit, not read: (side, file name, size).
    too_large: tuple[tuple[str, str, int], ...] = ()
    limit: int = 0

    @property
    def size(self) -> int:
        return sum(len(b) for side in (self.old, self.new) if side for b in side.values())


def _source(task: ConnectorTask, side: str) -> SourceFiles | None:
    files = task.old if side == "old" else task.new
    if not files or not any(is_swagger_name(name) for name in files):
        return None
    rev = task.old_rev if side == "old" else task.new_rev
    notes = tuple((name, text) for note_side, name, text in task.notes if note_side == side)
    return SourceFiles(label=f"{rev}:{task.path}", files=dict(files), kind="git",
                       meta={"rev": rev, "path": task.path}, notes=notes)


def audit_connector(task: ConnectorTask, config: Config | None = None, *, lines: bool = False,
                    strict: bool = False) -> ConnectorAudit | None:
    """Audit one connector from its files; None when neither side holds a definition.

    With ``strict``, a connector (changed or added) whose new files have defects the tolerant
    loader recovered from gets status ``error``, as one whose files cannot be loaded; the old
    files' defects stay warnings (a change that fixes one must not fail for it)."""
    from .diff import diff

    old_src, new_src = _source(task, "old"), _source(task, "new")
    if old_src is None and new_src is None and not task.odd and not task.too_large:
        return None
    status = Status.CHANGED if old_src and new_src else (Status.ADDED if new_src else Status.REMOVED)
    entry = ConnectorAudit(task.path, status, names=dict(task.names))
    if task.odd and (old_src is not None or new_src is not None):
        name, what = task.odd[0]
        entry.status = Status.ERROR
        entry.error = (f"{name} is {what} at {task.new_rev}, not a file: connectors hold their files themselves "
                       f"(the platform reads no links, folders or submodules)")
        entry.error_position = Position(name, "new", None, None)
        return entry
    if task.too_large:
        side, name, size = task.too_large[0]
        rev = task.old_rev if side == "old" else task.new_rev
        entry.status = Status.ERROR
        entry.error = str(limits.too_large(f"{rev}:{task.path}/{name}", size, task.limit))
        entry.error_position = Position(name, side, None, None)
        return entry
    loaded: dict[str, Connector] = {}
    for side, src in (("old", old_src), ("new", new_src)):
        if src is None:
            continue
        try:
            loaded[side] = Connector.from_files(src)
        except VersioningError as exc:
            if side == "old":  # gone, or replaced by files that load: the range is not to blame
                pos = _error_position(exc, src, side)
                what = (f"the removed connector could not be read: {exc}" if status is Status.REMOVED else
                        f"the previous version could not be read, so this change is not classified (the new "
                        f"version is checked on its own): {getattr(exc, 'defect', exc.message)}")
                entry.add_warning(LoadWarning(f"{src.label}/{pos.file}", pos.line or 1, pos.column or 1, what), side)
                entry.old_unreadable = status is Status.CHANGED
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
    if new is not None:
        _check_references(entry, old, new, lines=lines)
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


def _check_references(entry: ConnectorAudit, old: Connector | None, new: Connector, *, lines: bool) -> None:
    """Fill ``entry.dangling`` (new in this range) and ``entry.dangling_before`` (pre-existing).
    The old version is checked only when the new one has dangling references (most have none)."""
    after = check_consistency(new, lines=lines)
    if after.ok:
        return
    before = [check_consistency(old, lines=False)] if old is not None else []
    new_keys = {d.key for d in introduced(after, *before)}
    entry.dangling = [d for d in after.dangling if d.key in new_keys]
    entry.dangling_before = [d for d in after.dangling if d.key not in new_keys]


def _error_position(exc: VersioningError, src: SourceFiles, side: str) -> Position:
    if isinstance(exc, JSONDefectError):
        name = exc.file.rsplit("/", 1)[-1]
        return Position(name, side, exc.line, exc.column)
    return Position(src.swagger_name or SWAGGER_NAMES[0], side)


def _run_batch(tasks: Sequence[ConnectorTask], config: Config | None, lines: bool,
               strict: bool = False) -> list[ConnectorAudit | None]:
    with paused_gc():
        return [audit_connector(task, config, lines=lines, strict=strict) for task in tasks]


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
    exclude: Sequence[str] | None = None,
    config: Config | None = None,
    lines: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit every connector folder whose definition files changed in ``spec``.

    ``spec`` is ``FROM..TO`` (``FROM...TO`` or ``merge_base=True``: TO against the merge
    base, as in a pull request); ``staged=True`` compares ``HEAD`` with the index instead
    (what the next commit would change: the pre-commit hook; refused in a bare repository). ``paths``
    are folder globs (default :data:`DEFAULT_PATHS`: every folder; ``.`` is the root); ``exclude``
    are folder globs left out (default: :data:`DEFAULT_EXCLUDE` when ``paths`` is not given, else
    none). Changed definition files outside them are listed in :attr:`AuditResult.unaudited`. A given pattern that matches no connector folder on either side is
    listed in :attr:`AuditResult.unmatched_paths`. ``lines`` adds the line of every finding.
    ``strict`` reports a connector whose new files have tolerated input defects as an error. ``jobs`` is the number
    of processes, this one included (None: decided by the amount of data; 1: this one only).
    ``progress`` is called after each connector.
    """
    from .git import range as gitrange

    started = time.perf_counter()
    root = gitrange.repo_root(repo)
    rng = gitrange.staged_range(root) if staged else gitrange.resolve_range(root, spec, merge_base=merge_base)
    changed = gitrange.changed_paths(root, rng.old_commit, rng.to_commit)
    patterns = list(paths) if paths else list(DEFAULT_PATHS)
    folders, unaudited = _select(changed, patterns, exclude if exclude is not None else
                                 (() if paths else DEFAULT_EXCLUDE))
    unmatched = _unmatched_paths(root, rng, paths, folders) if paths else []
    old_blobs = gitrange.folder_blobs(root, rng.old_commit, folders)
    odd: dict[str, dict[str, str]] = {}
    new_blobs = gitrange.folder_blobs(root, rng.to_commit, folders, odd)
    layouts = {(side, folder): connector_layout(listing) for side, blobs in (("old", old_blobs), ("new", new_blobs))
               for folder, listing in blobs.items()}
    wanted = [blobs[folder][name] for (side, folder), layout in layouts.items() if layout is not None
              for blobs in [old_blobs if side == "old" else new_blobs] for name in layout.files.values()]
    oversized: dict[str, int] = {}
    limit = max_file_size()
    data = gitrange.read_blobs(root, wanted, limit=limit, oversized=oversized)

    def files(side: str, folder: str) -> dict[str, bytes] | None:
        layout = layouts.get((side, folder))
        if layout is None:
            return None
        listing = (old_blobs if side == "old" else new_blobs)[folder]
        return {read_as: data[listing[name]] for read_as, name in layout.files.items() if listing[name] in data}

    def too_large(folder: str) -> tuple[tuple[str, str, int], ...]:
        return tuple((side, name, oversized[sha]) for side, blobs in (("old", old_blobs), ("new", new_blobs))
                     for name, sha in blobs.get(folder, {}).items() if sha in oversized)

    def solution_side(side: str, folder: str, connector: str) -> SourceFiles | None:
        layout = layouts.get((side, folder))
        if layout is None or connector not in layout.connectors:
            return None
        return _solution_files(folder, files(side, folder) or {}, connector)

    old_rev = rng.from_rev if not rng.merge_base else rng.old_commit[:12]
    tasks = []
    for folder in folders:
        shown = layouts.get(("new", folder)) or layouts.get(("old", folder))
        if shown is None:  # neither side makes a connector of it
            unaudited.extend(Unaudited(path, "its folder holds no connector definition (no apiDefinition.swagger.json, "
                                             "apiDefinition.json or *.swagger.json)")
                             for path in changed if path.rpartition("/")[0] == folder and _reportable(path.rpartition("/")[2]))
            continue
        notes = tuple((side, name, text) for side in ("old", "new") for layout in [layouts.get((side, folder))]
                      if layout is not None for name, text in layout.notes)
        odd_files = tuple(sorted((n, w) for n, w in odd.get(folder, {}).items() if n in DEFINITION_FILES))
        solution = sorted({c for side in ("old", "new") for layout in [layouts.get((side, folder))] if layout
                           for c in layout.connectors})
        if solution:  # one task per connector of a solution's folder, in the paconn form
            for connector in solution:
                old_side, new_side = solution_side("old", folder, connector), solution_side("new", folder, connector)
                mapped = new_side or old_side
                names = mapped.own_names if mapped else {}
                shown_path = display_path(folder) + (f"::{connector}" if len(solution) > 1 else "")
                tasks.append(ConnectorTask(shown_path, old_side.files if old_side else None,
                                           new_side.files if new_side else None, old_rev, rng.to_rev, names,
                                           notes, odd_files))
            continue
        names = {read_as: name for read_as, name in shown.files.items() if read_as != name}
        tasks.append(ConnectorTask(display_path(folder), files("old", folder), files("new", folder), old_rev,
                                   rng.to_rev, names, notes,
                                   tuple(sorted((n, w) for n, w in odd.get(folder, {}).items()
                                                if n in DEFINITION_FILES)), too_large(folder), limit))
    if jobs is None:
        jobs = default_jobs(sum(t.size for t in tasks))
    jobs = max(1, min(jobs, len(tasks) or 1))
    entries = _run(tasks, config, lines, jobs, progress, strict)
    entries = sorted((e for e in entries if e is not None), key=lambda e: e.path)
    return AuditResult(rng, entries, jobs=jobs, seconds=time.perf_counter() - started, lines=lines, strict=strict,
                       unmatched_paths=unmatched, unaudited=sorted(unaudited, key=lambda u: u.path))


def _solution_files(folder: str, found: Mapping[str, bytes], connector: str) -> SourceFiles:
    """One connector of a solution's folder, from its files as read from git."""
    own = {name: data for name, data in found.items() if (solution_part(name) or ("",))[0] == connector}
    return solution_source(folder, own, connector)


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
        with paused_gc():
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
