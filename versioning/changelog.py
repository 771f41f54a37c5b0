"""A connector's history as versions: the data behind ``connver changelog``.

A history is a list of :class:`HistoryPoint` (one per git commit that changed the
definition, or one per snapshot in the store), oldest first. :func:`build_changelog` groups
consecutive points that declare the same ``info.version`` into one :class:`VersionEntry`,
and lists for each what changed since the previous version (one diff from the previous
version's last point to this version's last point, as release notes). Versions come out
newest first, each dated by its last point.

A point whose files cannot be loaded (not valid JSON, say) is kept in its version with the
error, and skipped in diffs; its version is read from the swagger alone where that loads,
else the point's version is *unreadable*. An apiProperties.json that cannot be read is an
error of its point too, but the point's swagger is still compared. Defects repaired while
reading (trailing commas, stray whitespace...) are the version's ``warnings``.

:func:`wrap_block` and :func:`update_document` handle the markers that fence the generated
part of a ``CHANGELOG.md``, so that ``--update`` rewrites only that part and keeps every
hand-written line. The start marker carries a checksum of the block: a block edited by hand
is refused rather than overwritten (unless forced).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .errors import InputError, JSONDefectError, VersioningError
from .jsontext import LoadWarning
from .sourcefiles import ICON_NAME, PROPERTIES_NAME, SCRIPT_NAME, SWAGGER_NAMES, SourceFiles, is_swagger_name

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .model import Connector
    from .notes import ReleaseNotes

CHANGELOG_SCHEMA = "connver-changelog/1"

#: The files whose changes make a new point in a git history (settings.json and Readme
#: files are local or documentation).
DEFINITION_FILES: tuple[str, ...] = SWAGGER_NAMES + (PROPERTIES_NAME, SCRIPT_NAME, ICON_NAME)

START_MARKER = "<!-- connver:changelog:start"
END_MARKER = "<!-- connver:changelog:end -->"
_START_RE = re.compile(r"^<!-- connver:changelog:start(?: [^>]*?)?(?: sha256=(?P<sum>[0-9a-f]{12}))? -->\s*$")


@dataclass(frozen=True)
class HistoryPoint:
    """One version of the files: a commit, or a snapshot."""

    id: str
    date: _dt.date
    subject: str
    source: SourceFiles
    author: str | None = None

    @property
    def short(self) -> str:
        return self.id[:7] if re.fullmatch(r"[0-9a-f]{40}", self.id) else self.id

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date.isoformat(), "subject": self.subject, "author": self.author}


@dataclass(frozen=True)
class Step:
    """One commit (or snapshot) that made breaking changes while the declared version stayed
    the same: what it broke, against the point just before it."""

    point: HistoryPoint
    previous: HistoryPoint
    changes: tuple  # the breaking Changes, most severe first

    def to_dict(self) -> dict[str, Any]:
        from .diff import change_to_dict

        return {"commit": self.point.to_dict(), "previous": self.previous.id,
                "breaking": [change_to_dict(c) for c in self.changes]}


@dataclass(frozen=True)
class VersionEntry:
    """One section of the changelog: a declared version and what changed to reach it.

    ``version`` is the declared ``info.version`` (None when the definition declares none
    or cannot be read: ``heading`` says which). ``notes`` lists the changes since the
    previous version (None for the first version when it spans a single point, and where
    nothing could be loaded). ``initial`` is set on the oldest version: its operations.
    ``errors`` are the files its points could not read (``FILE:LINE:COLUMN: defect``);
    ``warnings`` the defects that were repaired while reading them.
    """

    heading: str
    version: str | None
    date: _dt.date
    points: tuple[HistoryPoint, ...]
    notes: "ReleaseNotes | None" = None
    note: str | None = None
    initial: dict[str, int] | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[LoadWarning, ...] = ()
    #: Commits that broke something without changing the declared version, oldest first.
    steps: tuple[Step, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "breaking_steps": [step.to_dict() for step in self.steps],
            "heading": self.heading,
            "version": self.version,
            "date": self.date.isoformat(),
            "commits": [p.to_dict() for p in self.points],
            "note": self.note,
            "initial": self.initial,
            "errors": list(self.errors),
            "warnings": [str(w) for w in self.warnings],
            "notes": self.notes.to_dict() if self.notes is not None else None,
        }


@dataclass(frozen=True)
class Changelog:
    title: str | None
    source: str
    versions: tuple[VersionEntry, ...]  # newest first
    #: Every version's read errors and repaired defects, oldest version first.
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"schema": CHANGELOG_SCHEMA, "title": self.title, "source": self.source,
                "versions": [v.to_dict() for v in self.versions], "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- histories

def git_history(repo_dir: str | Path, path: str, *, rev: str = "HEAD") -> list[HistoryPoint]:
    """Every commit reachable from ``rev`` that changed the connector at ``path``, oldest
    first, dated by its commit date (when it landed). Commits that leave the definition
    files (:data:`DEFINITION_FILES`, or another ``*.swagger.json``) byte for byte as they were, such as Readme-only
    commits, or that delete them, are left out."""
    from .git.repo import path_history, read_folder

    clean = path.replace("\\", "/").strip("/")
    if clean in ("", "."):
        raise InputError(f"{path!r}: give the connector's folder inside the repository",
                         hint="for example --path certified-connectors/NAME")
    points: list[HistoryPoint] = []
    previous: dict[str, bytes] | None = None
    for commit, date, subject in path_history(repo_dir, clean, rev=rev):
        try:
            files = read_folder(repo_dir, commit, clean)
        except InputError:  # the folder is gone at this commit
            continue
        files = {name: data for name, data in files.items() if name in DEFINITION_FILES or is_swagger_name(name)}
        if not any(is_swagger_name(name) for name in files) or files == previous:
            continue
        previous = files
        source = SourceFiles(label=f"{commit[:7]}:{clean}", files=files, kind="git",
                             meta={"rev": commit, "path": clean})
        points.append(HistoryPoint(commit, _parse_date(date), subject, source))
    if not points:
        raise InputError(f"{path}: no commit reachable from {rev} changed a connector definition there",
                         hint="give the connector's folder relative to the repository root, "
                              "e.g. certified-connectors/NAME")
    return points


def store_history(store_dir: str | Path | None, connector: str, *, channel: str | None = None) -> list[HistoryPoint]:
    """Every snapshot of ``connector`` on one channel of the store, oldest first.

    Without ``channel``, the connector's only channel is used; a connector with snapshots on
    several channels needs one named. Snapshots imported from git history keep their
    original commit, author and date.
    """
    try:
        from .store.snapshots import read_store_source, snapshot_log
    except ImportError:
        raise VersioningError("this connver has no snapshot store",
                              hint="use --repo DIR --path FOLDER to read the history from git") from None
    snaps = snapshot_log(store_dir, connector, channel)
    if channel is None:
        channels = sorted({s.channel for s in snaps})
        if len(channels) > 1:
            raise InputError(f"{connector} has snapshots on {' and '.join(channels)}",
                             hint="choose the channel whose history to write with --channel")
    if not snaps:
        where = f" on channel {channel}" if channel else ""
        raise InputError(f"{connector} has no snapshots{where} in the store", hint="take one with `connver snapshot`")
    points = []
    for snap in reversed(snaps):  # the store lists newest first
        source = read_store_source(f"{snap.connector}@{snap.commit}", store_dir)
        when = _parse_date(snap.original_date or snap.time)
        points.append(HistoryPoint(snap.original_commit or snap.commit, when, snap.original_subject or snap.subject or "", source,
                                   snap.original_author))
    return points


def _parse_date(text: str) -> _dt.date:
    """The date of an ISO 8601 timestamp, in its own offset.

    >>> _parse_date("2020-08-31T22:38:48+02:00"), _parse_date("2024-01-02")
    (datetime.date(2020, 8, 31), datetime.date(2024, 1, 2))
    """
    try:
        return _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return _dt.date.fromisoformat(text.strip()[:10])


# --------------------------------------------------------------------------- building

@dataclass
class _Loaded:
    point: HistoryPoint
    connector: "Connector | None"
    version: str | None
    state: str  # "ok", "missing" (no info.version), "unreadable"
    error: str | None = None
    warnings: tuple[LoadWarning, ...] = ()

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.state, self.version)


def _load(point: HistoryPoint) -> _Loaded:
    from .model import Connector

    try:
        connector = Connector.from_files(point.source)
    except VersioningError as exc:  # its message names FILE:LINE:COLUMN; the hint is CLI advice
        version = _version_alone(point.source)
        return _Loaded(point, None, version, "ok" if version else "unreadable", exc.message)
    version = connector.version.strip() if connector.version else None
    warnings = tuple(dict.fromkeys(connector.warnings))
    error = None
    unread = _unread_properties(point.source, connector)
    if unread is not None:  # the swagger is still compared; say what was not
        error = (f"{unread.file}:{unread.line}:{unread.column}: {unread.defect}; connection, policy and script "
                 "settings were not compared")
        warnings = tuple(w for w in warnings if (w.file, w.line, w.column) != (unread.file, unread.line, unread.column))
    return _Loaded(point, connector, version, "ok" if version else "missing", error, warnings)


def _unread_properties(source: SourceFiles, connector: "Connector") -> JSONDefectError | None:
    """The defect that kept apiProperties.json from being read (it was loaded without it)."""
    from .jsontext import load_json

    if connector.properties_readable or PROPERTIES_NAME not in source.files:
        return None
    file = next((w.file for w in connector.warnings if w.file.endswith(PROPERTIES_NAME)), PROPERTIES_NAME)
    try:
        load_json(source.files[PROPERTIES_NAME], file)
    except JSONDefectError as exc:
        return exc
    return None


def _version_alone(source: SourceFiles) -> str | None:
    """The declared version from the swagger alone (when another file is what is broken)."""
    from .model import Connector

    name = source.swagger_name
    if name is None:
        return None
    try:
        connector = Connector.from_files(SourceFiles(source.label, {name: source.files[name]}, source.kind))
    except VersioningError:
        return None
    return connector.version.strip() if connector.version else None


def build_changelog(points: Sequence[HistoryPoint], *, source: str = "", config: "Config | None" = None,
                    verbose: bool = False) -> Changelog:
    """Group a history (oldest first) into versions and list each version's changes."""
    from .diff import diff
    from .notes import build_notes

    loaded = [_load(p) for p in points]
    groups: list[list[_Loaded]] = []
    for item in loaded:
        if groups and groups[-1][-1].key == item.key:
            groups[-1].append(item)
        else:
            groups.append([item])
    entries: list[VersionEntry] = []
    previous: _Loaded | None = None  # the last loadable point before the current group
    title: str | None = None
    for group in groups:
        usable = [g for g in group if g.connector is not None]
        last = usable[-1] if usable else None
        errors = tuple(g.error for g in group if g.error)
        warnings = tuple(w for g in group for w in g.warnings)
        heading = group[0].version if group[0].state == "ok" else (
            "no version" if group[0].state == "missing" else "unreadable")
        notes = note = initial = None
        if last is not None:
            title = last.connector.title or title  # type: ignore[union-attr]
            base = previous if previous is not None else usable[0]
            if base is not last:
                result = diff(base.connector, last.connector, config=config)  # type: ignore[arg-type]
                notes = build_notes(result, date=last.point.date, verbose=verbose)
                if previous is not None:
                    note = notes.version.detail
            if previous is None:
                initial = _operation_counts(usable[0].connector)
                if notes is not None and notes.count:
                    note = (f"{heading} was kept while the definition changed after its first commit: the "
                            f"changes below came later under the same version.")
            previous = last
        steps = _breaking_steps(usable, config)
        if steps:
            named = ", ".join(step.point.short for step in steps)
            said = (f"{heading} was kept through breaking changes: commit{'s' if len(steps) != 1 else ''} "
                    f"{named} broke something without a version change (listed under Breaking steps).")
            note = f"{note} {said}" if note else said
        entries.append(VersionEntry(
            heading=heading,
            version=group[0].version,
            date=group[-1].point.date,
            points=tuple(g.point for g in group),
            notes=notes,
            note=note,
            initial=initial,
            errors=errors,
            warnings=warnings,
            steps=steps,
        ))
    warnings = tuple(e for v in entries for e in (*v.errors, *map(str, v.warnings)))
    return Changelog(title=title, source=source, versions=tuple(reversed(entries)), warnings=warnings)


def _breaking_steps(usable: list[_Loaded], config: "Config | None") -> tuple[Step, ...]:
    """The consecutive points of one version where a breaking change was made: a version's
    net change hides those a later commit undid, though they were deployed meanwhile."""
    from .changes import Level
    from .diff import diff

    if len(usable) < 2:
        return ()
    steps = []
    for before, after in zip(usable, usable[1:]):
        if before.point.source.files == after.point.source.files:
            continue
        result = diff(before.connector, after.connector, config=config)  # type: ignore[arg-type]
        breaking = tuple(c for c in result.changes if c.level is Level.BREAKING)
        if breaking:
            steps.append(Step(after.point, before.point, breaking))
    return tuple(steps)


def _operation_counts(connector: "Connector") -> dict[str, int]:
    ops = connector.operations.values()
    helpers = sum(1 for op in ops if op.visibility == "internal")  # not in the designer
    triggers = sum(1 for op in ops if op.trigger and op.visibility != "internal")
    return {"operations": len(ops), "actions": len(ops) - triggers - helpers, "triggers": triggers,
            "helpers": helpers, "deprecated": sum(1 for op in ops if op.deprecated)}


# --------------------------------------------------------------------------- the file

def checksum(block: str) -> str:
    """A short checksum of a generated block (line endings ignored).

    >>> checksum("## [1.0] - 2024-01-01\\n") == checksum("## [1.0] - 2024-01-01\\r\\n")
    True
    """
    return hashlib.sha256(block.replace("\r\n", "\n").encode("utf-8")).hexdigest()[:12]


def wrap_block(block: str) -> str:
    """The generated block between its markers; the start marker carries its checksum."""
    block = block if block.endswith("\n") else block + "\n"
    return (f"{START_MARKER} generated by connver: edit outside these markers sha256={checksum(block)} -->\n"
            f"{block}{END_MARKER}\n")


def document(header: str, block: str) -> str:
    """A new CHANGELOG.md: the header, then the fenced generated block."""
    return header.rstrip("\n") + "\n\n" + wrap_block(block)


def update_document(existing: str, block: str, *, header: str = "# Changelog\n", force: bool = False,
                    name: str = "CHANGELOG.md") -> str:
    """``existing`` with only its generated block replaced by ``block``.

    Every line outside the markers is kept byte for byte, its line ending included; the
    generated lines take the file's dominant line ending. Without markers, the block goes
    before the first ``## `` heading that is not ``Unreleased`` (or at the end), and an
    empty file gets ``header`` first. Headings and markers inside fenced code blocks
    (```` ``` ```` or ``~~~``) do not count. A block whose checksum shows it was edited by
    hand, or whose start marker carries no checksum and which is not empty, is refused
    with :class:`InputError` unless ``force``.
    """
    newline = _dominant_newline(existing)
    lines = re.split(r"(?<=\n)", existing)
    if lines and lines[-1] == "":
        lines.pop()
    bodies = [line.rstrip("\r\n") for line in lines]
    fenced = _fenced(bodies)
    starts = [i for i, body in enumerate(bodies) if body.startswith(START_MARKER) and not fenced[i]]
    ends = [i for i, body in enumerate(bodies) if body.strip() == END_MARKER and not fenced[i]]
    wrapped = [line + newline for line in wrap_block(block).rstrip("\n").split("\n")]
    if not starts and not ends:
        if not existing.strip():
            return document(header, block).replace("\n", newline)
        at = _insert_at(bodies, fenced)
        before, after = lines[:at], lines[at:]
        if before and not before[-1].endswith("\n"):  # the last line had no line ending
            before[-1] += newline
        pad_before = [newline] if before and before[-1].strip() else []
        pad_after = [newline] if after and after[0].strip() else []
        return "".join(before + pad_before + wrapped + pad_after + after)
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise InputError(f"{name}: the connver markers are broken ({len(starts)} start, {len(ends)} end)",
                         hint=f"keep exactly one '{START_MARKER} ... -->' line and one '{END_MARKER}' line after it")
    start, end = starts[0], ends[0]
    match = _START_RE.match(bodies[start])
    old_block = "".join(lines[start + 1:end]).replace("\r\n", "\n")
    if not old_block.endswith("\n"):
        old_block += "\n"
    if not force:
        if match is None or not match.group("sum"):
            if old_block.strip():
                raise InputError(
                    f"{name}: the connver start marker on line {start + 1} carries no checksum, so "
                    f"{_lines(start + 2, end)} between the markers may have been written by hand",
                    hint="move hand-written text outside the markers, or pass --force to overwrite it")
        elif checksum(old_block) != match.group("sum"):
            raise InputError(f"{name}: {_lines(start + 2, end)} between the connver markers were edited by hand",
                             hint="move hand-written text outside the markers, or pass --force to overwrite it")
    ending = lines[end][len(bodies[end]):]  # the end marker keeps its own line ending (or none)
    wrapped[-1] = wrapped[-1][:-len(newline)] + ending
    return "".join(lines[:start] + wrapped + lines[end + 1:])


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first >= last else f"lines {first}-{last}"


def _dominant_newline(text: str) -> str:
    """``\\r\\n`` when most lines end with it, else ``\\n``.

    >>> _dominant_newline("a\\r\\nb\\r\\nc\\n"), _dominant_newline("a\\nb\\nc\\r\\n")
    ('\\r\\n', '\\n')
    """
    crlf = text.count("\r\n")
    return "\r\n" if crlf > text.count("\n") - crlf else "\n"


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _fenced(bodies: list[str]) -> list[bool]:
    """For each line, whether it is inside (or is a fence of) a fenced code block.

    >>> _fenced(["## a", "```md", "## b", "```", "## c", "~~~~", "## d", "~~~", "~~~~", "## e"])
    [False, True, True, True, False, True, True, True, True, False]
    """
    out: list[bool] = []
    fence: str | None = None
    for body in bodies:
        match = _FENCE_RE.match(body)
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                out.append(True)
            else:
                out.append(False)
        else:
            out.append(True)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not match.group(2).strip():
                fence = None
    return out


def _insert_at(bodies: list[str], fenced: list[bool]) -> int:
    for i, body in enumerate(bodies):
        if body.startswith("## ") and "unreleased" not in body.lower() and not fenced[i]:
            return i
    end = len(bodies)
    while end and not bodies[end - 1].strip():
        end -= 1
    return end


def update_file(path: str | Path, block: str, *, header: str = "# Changelog\n", force: bool = False,
                check: bool = False) -> tuple[str, bool]:
    """:func:`update_document` on the file ``path`` (created when missing).

    Returns (the state, whether the file existed): ``"up to date"``, ``"out of date"``
    (with ``check``: nothing is written) or ``"written"``. The file is replaced atomically
    and keeps its mode; a symbolic link is followed. Anything but a regular file, a file
    with several hard links and a read-only file are refused before anything is read or
    written (see :mod:`versioning.safefile`).
    """
    from .safefile import check_readable, check_target, os_error, write_file

    exists = check_readable(path)
    existing = ""
    if exists:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise os_error(path, exc, "read") from None
        try:
            existing = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: cannot read it as UTF-8 text (byte {exc.start + 1} is not UTF-8)",
                             hint="save it as UTF-8, or give another file") from None
    text = update_document(existing, block, header=header, force=force, name=str(path))
    if text == existing:
        return "up to date", exists
    if check:
        return "out of date", exists
    check_target(path)
    write_file(path, text.encode("utf-8"))
    return "written", exists


__all__ = [
    "CHANGELOG_SCHEMA", "Changelog", "DEFINITION_FILES", "END_MARKER", "HistoryPoint", "START_MARKER",
    "VersionEntry", "build_changelog", "checksum", "document", "git_history", "store_history",
    "update_document", "update_file", "wrap_block",
]
