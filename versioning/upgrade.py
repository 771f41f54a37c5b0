"""Upgrade checks and merges for forked copies of a connector.

Three versions take part: BASE (the upstream version the fork was copied from), FORK (the
copy, with its own edits) and UPSTREAM (the newer upstream version). :func:`check_upgrade`
builds an :class:`UpgradeReport` with four parts:

1. ``upstream_changes``: BASE -> UPSTREAM, classified as ``connver diff`` does;
2. ``local_changes``: BASE -> FORK, the fork's own edits;
3. ``conflicts``: elements both sides changed differently (see :mod:`versioning.merge`);
4. ``incoming`` and ``impacts``: what updating actually brings to the fork (FORK -> the merge
   result, conflicts resolved in the fork's favour), and which flow steps its breaking
   changes hit (see :mod:`versioning.impact`).

The verdict is :attr:`Verdict.SAFE` unless a breaking incoming change hits something used
(without flows: any breaking incoming change), there is a conflict, or the merge result has
references that dangle where the fork's do not (:attr:`UpgradeReport.consistency`, see
:func:`versioning.consistency.merge_consistency`): then :func:`apply_upgrade` refuses to write
it unless forced.

:func:`merge_upgrade` performs the same three-way merge on the files and
:func:`write_upgrade` writes the result, keeping the fork's formatting.
"""

from __future__ import annotations

import dataclasses

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

from .basedetect import Candidate, Match, detect_base
from .changes import Change, Level
from .config import Config
from .consistency import MergeConsistency, MergedDangling, merge_consistency
from .diff import change_to_dict, diff
from .errors import InputError
from .flows import FlowSet
from .impact import BoundStep, Impact, bind_steps, connector_api_names, find_impacts
from .jsontext import load_json
from .jsontext import detect_style, dump_styled, rewrite_like
from .merge import ABSENT, Conflict, ConflictKind, Prefer, json_equal, merge_documents, merge_text
from .model import Connector
from .sourcefiles import ICON_NAME, PROPERTIES_NAME, SCRIPT_NAME, SETTINGS_NAME, SWAGGER_NAMES, SourceFiles

__all__ = [
    "BaseChoice", "ChangeStatus", "MergeOutcome", "UpgradeReport", "Verdict", "CONFLICTS_FILE",
    "UpgradeResult", "apply_upgrade", "check_upgrade", "choose_base", "in_place_folder", "merge_upgrade",
    "upstream_history",
    "write_upgrade",
]

#: Written beside a merge result that has conflicts.
CONFLICTS_FILE = "connver-conflicts.json"
JSON_SCHEMA_VERSION = 1


class Verdict(str, Enum):
    """Whether updating the fork to upstream is safe."""

    SAFE = "safe"
    BREAKS_USED = "breaks-used"
    CONFLICTS = "conflicts"
    BREAKS_USED_AND_CONFLICTS = "breaks-used-and-conflicts"
    INCONSISTENT = "inconsistent"  # nothing else wrong, but the result would have dangling references

    def __str__(self) -> str:
        return self.value

    @property
    def exit_code(self) -> int:
        return 0 if self is Verdict.SAFE else 1


class ChangeStatus(str, Enum):
    """What becomes of one upstream change when the fork is updated."""

    APPLIES = "applies"        # updating brings it to the fork
    IN_FORK = "in-fork"        # the fork already has it (or has no such element to change)
    CONFLICT = "conflict"      # the fork changed the same element differently

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class BaseChoice:
    """Which BASE was used: given by the user, or detected from upstream's history."""

    label: str
    detected: bool
    matches: tuple[Match, ...] = ()

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def runner_up(self) -> Match | None:
        return self.matches[1] if len(self.matches) > 1 else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.label, "detected": self.detected}
        if self.detected:
            out["candidates"] = [m.to_dict() for m in self.matches[:5]]
        return out


@dataclass(frozen=True)
class MergeOutcome:
    """The merged files (fork's file names), the conflicts, and which files differ from the fork."""

    files: dict[str, bytes]
    conflicts: tuple[Conflict, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...] = ()
    #: text files with overlapping hunks, as written with conflict markers (``--conflict-markers``)
    marked: dict[str, bytes] = field(default_factory=dict)
    #: fork files with comments or trailing commas whose text could not be edited, so they
    #: are written normalised (losing them): file name -> why
    normalised: dict[str, str] = field(default_factory=dict)


@dataclass
class UpgradeReport:
    """The four parts of an upgrade check and its verdict."""

    fork: Connector
    upstream: Connector
    base: Connector
    base_choice: BaseChoice
    upstream_changes: list[Change]
    local_changes: list[Change]
    conflicts: list[Conflict]
    incoming: list[Change]
    impacts: list[Impact]
    statuses: dict[int, ChangeStatus]
    flows: FlowSet | None = None
    bound: list[BoundStep] = field(default_factory=list)
    api_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outcome: MergeOutcome | None = None
    consistency: MergeConsistency | None = None

    # --- the verdict ----------------------------------------------------------------------
    @property
    def warnings(self) -> list:
        """The defects the loader tolerated in the fork, upstream and base files (each names its file)."""
        return [w for side in (self.fork, self.upstream, self.base) for w in side.warnings]

    @property
    def flows_given(self) -> bool:
        return self.flows is not None

    @property
    def breaking(self) -> list[Change]:
        """Breaking changes updating would bring to the fork."""
        return [c for c in self.incoming if c.level is Level.BREAKING]

    @property
    def affecting(self) -> list[Change]:
        """Breaking incoming changes that hit something used (all of them without flows)."""
        if not self.flows_given:
            return self.breaking
        hit = {id(i.change) for i in self.impacts}
        return [c for c in self.breaking if id(c) in hit]

    @property
    def unused(self) -> list[Change]:
        """Breaking incoming changes no flow step depends on."""
        if not self.flows_given:
            return []
        hit = {id(i.change) for i in self.impacts}
        return [c for c in self.breaking if id(c) not in hit]

    def impacts_of(self, change: Change) -> list[Impact]:
        return [i for i in self.impacts if i.change is change]

    def status(self, change: Change) -> ChangeStatus:
        return self.statuses.get(id(change), ChangeStatus.IN_FORK)

    @property
    def blocking(self) -> list[MergedDangling]:
        """References the merge result leaves dangling that the fork's files do not."""
        return self.consistency.blocking if self.consistency is not None else []

    @property
    def verdict(self) -> Verdict:
        breaks, conflicts = bool(self.affecting), bool(self.conflicts)
        if breaks and conflicts:
            return Verdict.BREAKS_USED_AND_CONFLICTS
        if breaks:
            return Verdict.BREAKS_USED
        if conflicts:
            return Verdict.CONFLICTS
        if self.blocking:
            return Verdict.INCONSISTENT
        return Verdict.SAFE

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def failing(self, fail_on: Level | None = None) -> list[Change]:
        """Incoming changes at ``fail_on`` or more severe, as ``--fail-on`` counts them for
        diff and audit; with flows given, a breaking change no flow uses does not count."""
        if fail_on is None:
            return []
        unused = {id(c) for c in self.unused}
        return [c for c in self.incoming if c.level.severity >= fail_on.severity and id(c) not in unused]

    def fails(self, fail_on: Level | None = None) -> bool:
        """Exit status 1: the verdict is not safe, or an incoming change is at ``fail_on`` or above."""
        return self.exit_code != 0 or bool(self.failing(fail_on))

    @property
    def pending(self) -> list[Change]:
        """Upstream changes not yet in the fork (empty right after ``connver upgrade``)."""
        return list(self.incoming)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``connver upgrade-check --format json`` (docs/upgrade.md)."""
        return {
            "schema": JSON_SCHEMA_VERSION,
            "fork": _side(self.fork),
            "upstream": _side(self.upstream),
            "base": {**_side(self.base), **self.base_choice.to_dict()},
            "verdict": self.verdict.value,
            "upstream_changes": [{**change_to_dict(c), "status": self.status(c).value} for c in self.upstream_changes],
            "local_changes": [change_to_dict(c) for c in self.local_changes],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "incoming": [change_to_dict(c) for c in self.incoming],
            "impact": {
                "flows_given": self.flows_given,
                "api_names": self.api_names,
                "flows": [f.name for f in self.flows.flows] if self.flows else [],
                "steps_bound": len(self.bound),
                "affecting": [
                    {**change_to_dict(c), "hits": [i.to_dict() for i in self.impacts_of(c)]} for c in self.affecting
                ],
                "unused": [change_to_dict(c) for c in self.unused],
            },
            "consistency": self.consistency.to_dict() if self.consistency is not None else None,
            "notes": list(self.notes),
        }


def _side(connector: Connector) -> dict[str, Any]:
    return {"source": connector.label, "title": connector.title, "version": connector.version,
            "warnings": [str(w) for w in connector.warnings]}


# --------------------------------------------------------------------------- base


def choose_base(fork: Connector, candidates: Iterable[Candidate]) -> tuple[SourceFiles, BaseChoice]:
    """The candidate most similar to ``fork``, its files, and the ranking."""
    matches = detect_base(fork, candidates)
    best = matches[0].candidate
    files = best.load() if best.load else None
    if files is None:  # pragma: no cover - detect_base only keeps loadable candidates
        raise InputError(f"{best.label}: cannot be read")
    return files, BaseChoice(best.label, True, tuple(matches))


# --------------------------------------------------------------------------- history


def upstream_history(upstream: str, *, upstream_repo: str | Path | None = None, path: str | None = None,
                     repo: str | Path | None = None, store: str | Path | None = None) -> list[Candidate] | None:
    """Upstream's earlier versions to look for the base in, or None when none is known.

    ``upstream_repo`` + ``path``: every commit that changed ``path``. Without them, an
    UPSTREAM given as ``REV:PATH`` brings its own history: the commits up to ``REV`` that
    changed ``PATH`` in ``upstream_repo`` (or ``repo``, or the current directory); an UPSTREAM
    from the snapshot store brings that connector's snapshots.
    """
    from .basedetect import git_candidates
    from .sources import source_kind

    kind = source_kind(upstream)
    rev, spec_path = "HEAD", None
    if kind == "git":
        rev, _, spec_path = upstream.partition(":")
    if path is not None or upstream_repo is not None or kind == "git":
        history_path = path or spec_path
        if not history_path:
            raise InputError("--upstream-repo needs --path P (the connector's folder in that repository)")
        repo_dir = upstream_repo or repo or "."
        return git_candidates(str(repo_dir), history_path, rev=rev)
    if kind == "store":
        return _store_candidates(upstream, store)
    return None


def _store_candidates(upstream: str, store: str | Path | None) -> list[Candidate] | None:
    try:
        from .store.snapshots import read_store_source, snapshot_log
    except ImportError:  # the snapshot store is not part of this build
        return None
    connector = upstream.split("@", 1)[0]
    snapshots = list(reversed(snapshot_log(store, connector)))

    def loader(reference: str):
        return lambda: read_store_source(reference, store)

    return [
        Candidate(f"{snap.connector}@{snap.commit[:10]}", snap.commit, snap.original_date or snap.time,
                  snap.subject or (snap.version or ""), loader(f"{snap.connector}@{snap.commit}"))
        for snap in snapshots
    ]


# --------------------------------------------------------------------------- check


def check_upgrade(fork: SourceFiles, upstream: SourceFiles, base: SourceFiles | None = None, *,
                  candidates: Iterable[Candidate] | None = None, flows: FlowSet | None = None,
                  api_name: str | None = None, config: Config | None = None,
                  prefer: Prefer = Prefer.FORK) -> UpgradeReport:
    """The upgrade report for ``fork`` against ``upstream``.

    Without ``base``, the base is detected among ``candidates`` (upstream's history); one of
    the two is required. With ``flows``, the impact part names the affected flows and steps;
    the connector is recognised in them by ``api_name`` or settings.json's connectorId.
    ``prefer`` decides conflicts in the merge the report is computed from (and that
    :attr:`UpgradeReport.outcome` holds, ready for :func:`write_upgrade`).
    """
    fork_conn = Connector.from_files(fork)
    upstream_conn = Connector.from_files(upstream)
    if base is None:
        if candidates is None:
            raise InputError("no base version", hint="pass --base, or upstream's history with --upstream-repo DIR --path P")
        base, choice = choose_base(fork_conn, candidates)
    else:
        choice = BaseChoice(base.label, False)
    base_conn = Connector.from_files(base)

    upstream_changes = diff(base_conn, upstream_conn, config=config).changes
    local_changes = diff(base_conn, fork_conn, config=config).changes
    outcome = merge_upgrade(base, fork, upstream, prefer)
    merged_conn = Connector.from_files(SourceFiles(f"{fork.label} (updated)", outcome.files, kind="merge"))
    incoming = diff(fork_conn, merged_conn, config=config).changes
    consistency = merge_consistency(base_conn, fork_conn, upstream_conn, merged_conn)

    notes: list[str] = []
    impacts: list[Impact] = []
    bound: list[BoundStep] = []
    names: list[str] = []
    if flows is not None:
        names = connector_api_names(fork_conn, api_name)
        if not names:
            used = ", ".join(flows.apis) or "none"
            raise InputError(
                f"{fork.label}: cannot tell which flow steps call this connector (no connectorId in settings.json)",
                hint=f"pass --api-name; the flows use: {used}",
            )
        bound, binding_notes = bind_steps(flows, fork_conn, names)
        notes.extend(binding_notes)
        notes.extend(flows.warnings)
        if not bound:
            notes.append(f"no flow step calls {names[0]} (the flows use: {', '.join(flows.apis) or 'no connectors'})")
        impacts = find_impacts(incoming, bound)

    return UpgradeReport(
        fork=fork_conn, upstream=upstream_conn, base=base_conn, base_choice=choice,
        upstream_changes=upstream_changes, local_changes=local_changes,
        conflicts=_shown_conflicts(outcome.conflicts, base, fork, upstream), incoming=incoming, impacts=impacts,
        statuses=_statuses(upstream_changes, incoming, outcome.conflicts,
                           diff(fork_conn, upstream_conn, config=config).changes),
        flows=flows, bound=bound, api_names=names, notes=notes, outcome=outcome, consistency=consistency,
    )


def _shown_conflicts(conflicts: Iterable[Conflict], *sides: SourceFiles) -> list[Conflict]:
    """The conflicts as reports may print them (credentials replaced by the marker)."""
    from .secrets import redact_conflict, report_secrets

    secrets = report_secrets(*sides)
    return [redact_conflict(c, secrets) for c in conflicts]


def _statuses(upstream: list[Change], incoming: list[Change], conflicts: Iterable[Conflict],
              fork_to_upstream: list[Change]) -> dict[int, ChangeStatus]:
    """What becomes of each upstream change. ``in-fork`` only where the fork already has
    upstream's result (FORK and UPSTREAM do not differ there); a change that neither arrives
    nor is already there collides with the fork's own edit of that element."""
    arriving = {(c.rule, c.location) for c in incoming}
    places = [c.location for c in conflicts]
    differing = [c.location for c in fork_to_upstream]
    out: dict[int, ChangeStatus] = {}
    for change in upstream:
        if any(_overlaps(change.location, place) for place in places):
            out[id(change)] = ChangeStatus.CONFLICT
        elif (change.rule, change.location) in arriving:
            out[id(change)] = ChangeStatus.APPLIES
        elif any(_overlaps(change.location, place) for place in differing):
            out[id(change)] = ChangeStatus.CONFLICT
        else:
            out[id(change)] = ChangeStatus.IN_FORK
    return out


def _overlaps(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


# --------------------------------------------------------------------------- merge

_JSON_FILES = ((PROPERTIES_NAME, "properties"),)
_BYTE_FILES = (SCRIPT_NAME, ICON_NAME)
#: merged by lines (git merge-file); the others, and a text file with NUL bytes (UTF-16), whole
_TEXT_FILES = (SCRIPT_NAME,)


def merge_upgrade(base: SourceFiles, fork: SourceFiles, upstream: SourceFiles,
                  prefer: Prefer = Prefer.FORK) -> MergeOutcome:
    """Three-way merge of the connector files. The result uses the fork's file names and,
    for every file it rewrites, the fork's formatting; settings.json stays the fork's."""
    prefer = Prefer(prefer)
    swagger_name = fork.swagger_name or SWAGGER_NAMES[0]
    files: dict[str, bytes] = {}
    conflicts: list[Conflict] = []
    changed: list[str] = []
    removed: list[str] = []
    normalised: dict[str, str] = {}

    plan = [(swagger_name, "swagger", (base.swagger_name, fork.swagger_name, upstream.swagger_name))]
    plan += [(name, kind, (name, name, name)) for name, kind in _JSON_FILES]
    for out_name, kind, names in plan:
        raw = [side.files.get(n) if n else None for side, n in zip((base, fork, upstream), names)]
        values = [_parse(data, f"{side.label}/{n}") if data is not None else ABSENT
                  for side, n, data in zip((base, fork, upstream), names, raw)]
        merged, found = merge_documents(*values, file=out_name, kind=kind, prefer=prefer)
        conflicts.extend(found)
        fork_raw, fork_value = raw[1], values[1]
        if merged is ABSENT:
            if fork_raw is not None:
                removed.append(out_name)
            continue
        if fork_raw is not None and _same_text(fork_value, merged):
            files[out_name] = fork_raw
            continue
        if fork_raw is not None:
            rewrite = rewrite_like(merged, fork_raw, fork_value)
            files[out_name] = rewrite.data
            if rewrite.normalised:
                normalised[out_name] = rewrite.normalised
        elif raw[2] is not None and _same_text(values[2], merged):
            files[out_name] = raw[2]
        else:
            style_source = fork.files.get(swagger_name) or raw[2] or b"{\n  }"
            files[out_name] = dump_styled(merged, detect_style(style_source))
        changed.append(out_name)

    marked: dict[str, bytes] = {}
    for name in _BYTE_FILES:
        b, f, u = (side.files.get(name) for side in (base, fork, upstream))
        if f == u or u == b:
            value = f
        elif f == b:
            value = u
        elif name in _TEXT_FILES and f is not None and u is not None and not _binary(b, f, u):
            text = merge_text(b, f, u, file=name, prefer=prefer)
            conflicts.extend(text.conflicts)
            value = text.text
            if text.conflicts:
                marked[name] = text.marked
        else:
            kind = (ConflictKind.FORK_REMOVED if f is None else ConflictKind.UPSTREAM_REMOVED if u is None
                    else ConflictKind.BOTH_ADDED if b is None else ConflictKind.BOTH_CHANGED)
            conflicts.append(Conflict(name, name, kind, _digest(b), _digest(f), _digest(u), prefer, (), "fork"))
            value = f if prefer is Prefer.FORK else u
        if value is not None:
            files[name] = value
            if value != f:
                changed.append(name)
        elif f is not None:
            removed.append(name)

    if SETTINGS_NAME in fork.files:
        files[SETTINGS_NAME] = fork.files[SETTINGS_NAME]
    return MergeOutcome(files, tuple(conflicts), tuple(changed), tuple(removed), marked, normalised)


def _binary(*sides: bytes | None) -> bool:
    """Whether a file is not line text on some side (a NUL byte: binary, or UTF-16): merged whole."""
    return any(data is not None and b"\0" in data for data in sides)


def _parse(data: bytes, label: str) -> Any:
    value, _ = load_json(data, label)
    return value


def _same_text(a: Any, b: Any) -> bool:
    """Equal values with the same key order: the original bytes can be kept as they are."""
    if not json_equal(a, b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_text(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return all(_same_text(x, y) for x, y in zip(a, b))
    return True


def _digest(data: bytes | None) -> Any:
    if data is None:
        return ABSENT
    return f"sha256:{hashlib.sha256(data).hexdigest()[:12]}"


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class UpgradeResult:
    """What ``connver upgrade`` did: the report it merged from and the files it wrote."""

    report: UpgradeReport
    dest: Path
    written: tuple[Path, ...]
    in_place: bool = False
    prefer: Prefer = Prefer.FORK
    #: The dangling references that kept the result from being written (nothing was).
    refused: tuple[MergedDangling, ...] = ()
    #: text files written with conflict markers where both sides changed the same lines
    marked: tuple[str, ...] = ()

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """The conflicts as reports print them (credentials replaced by the marker)."""
        return tuple(self.report.conflicts)

    @property
    def exit_code(self) -> int:
        return 1 if self.conflicts or self.refused else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": JSON_SCHEMA_VERSION,
            "fork": _side(self.report.fork),
            "upstream": _side(self.report.upstream),
            "base": {**_side(self.report.base), **self.report.base_choice.to_dict()},
            "output": str(self.dest),
            "in_place": self.in_place,
            "prefer": self.prefer.value,
            "applied": [change_to_dict(c) for c in self.report.incoming],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "conflict_markers": list(self.marked),
            "written": [str(p) for p in self.written],
            "refused": bool(self.refused),
            "notes": list(self.report.notes),
            "consistency": self.report.consistency.to_dict() if self.report.consistency is not None else None,
        }


def apply_upgrade(report: UpgradeReport, dest: Path, *, in_place: bool = False, force: bool = False,
                  conflict_markers: bool = False) -> UpgradeResult:
    """Write the merge held by ``report`` (see :func:`check_upgrade`) into ``dest``.

    A result with references dangling that the fork's do not (:attr:`UpgradeReport.blocking`)
    is not written, unless ``force``: the returned result lists them in ``refused``. In place,
    a fork file whose text cannot be edited (it would be written normalised, losing its
    comments) is refused before anything is written, unless ``force``.
    A text file (script.csx) whose hunks overlap gets, in each overlapping hunk, the
    preferred side's lines; with ``conflict_markers``, git's conflict markers with both
    sides' lines instead. Either way the conflict is listed with its line ranges."""
    outcome = report.outcome
    if outcome is None:  # pragma: no cover - check_upgrade always merges
        raise InputError("the report holds no merge result")
    prefer = outcome.conflicts[0].kept if outcome.conflicts else Prefer.FORK
    if report.blocking and not force:
        return UpgradeResult(report, Path(dest), (), in_place, prefer, refused=tuple(report.blocking))
    if in_place and outcome.normalised and not force:  # said up front: nothing is written
        name, why = next(iter(outcome.normalised.items()))
        more = f" (and {len(outcome.normalised) - 1} more file(s))" if len(outcome.normalised) > 1 else ""
        raise InputError(f"{name}: its text cannot be edited in place ({why}), so writing it would lose its "
                         f"comments and trailing commas{more}",
                         hint="fix the file and run again, or pass --force to write it normalised "
                              "(your file is kept beside it as a .orig backup)")
    for name, why in outcome.normalised.items():
        kept = "; your file is kept beside it as a .orig backup" if in_place else ""
        report.notes.append(f"{name}: written normalised, its comments and trailing commas are lost "
                            f"(its text could not be edited: {why}){kept}")
    marked: tuple[str, ...] = ()
    if conflict_markers and outcome.marked:
        marked = tuple(outcome.marked)
        outcome = MergeOutcome({**outcome.files, **outcome.marked}, outcome.conflicts,
                               tuple(dict.fromkeys((*outcome.changed, *marked))), outcome.removed, outcome.marked,
                               outcome.normalised)
    if report.fork.source.kind == "solution":  # written back in the solution's own layout
        outcome = _in_solution_layout(outcome, report)
    elif in_place:  # back into the files the fork has (Script.csx stays Script.csx: no second copy)
        outcome = _under_fork_names(outcome, report.fork.source)
    shown = dataclasses.replace(outcome, conflicts=tuple(report.conflicts))  # a report: no credential in it
    document = conflicts_document(shown, fork=report.fork.label, upstream=report.upstream.label,
                                  base=report.base.label, prefer=prefer)
    document["conflict_markers"] = list(marked)
    written = write_upgrade(outcome, Path(dest), conflicts_doc=document, in_place=in_place)
    return UpgradeResult(report, Path(dest), tuple(written), in_place, prefer, marked=marked)


def _under_fork_names(outcome: MergeOutcome, fork: SourceFiles) -> MergeOutcome:
    """The outcome with each file under the name the fork's folder gives it (see
    :func:`~versioning.sourcefiles.connector_file_names`)."""
    names = fork.own_names
    if not names:
        return outcome

    def rename(name: str) -> str:
        return names.get(name, name)

    return MergeOutcome({rename(k): v for k, v in outcome.files.items()}, outcome.conflicts,
                        tuple(map(rename, outcome.changed)), tuple(map(rename, outcome.removed)),
                        {rename(k): v for k, v in outcome.marked.items()},
                        {rename(k): v for k, v in outcome.normalised.items()})


def in_place_folder(report: UpgradeReport) -> Path:
    """The folder ``upgrade --in-place`` rewrites: the fork's folder, or the root of the
    unpacked solution that holds it (its files are named from there)."""
    source = report.fork.source
    if source.kind == "solution":
        if source.meta.get("zip"):
            raise InputError(f"{source.label}: --in-place cannot rewrite a solution .zip",
                             hint="use --output DIR, or unpack the solution (pac solution unpack) first")
        return Path(source.meta["path"])
    return Path(source.meta.get("path") or source.label)


def _in_solution_layout(outcome: MergeOutcome, report: UpgradeReport) -> MergeOutcome:
    """The merge result as the fork's solution files (see :func:`versioning.solution.to_solution_files`);
    apiProperties.json keys a solution has no place for become notes."""
    from .solution import to_solution_files, unmapped_properties

    fork = report.fork.source
    files, removed = to_solution_files(outcome.files, fork, report.notes)
    if PROPERTIES_NAME in outcome.files:
        doc, _ = load_json(outcome.files[PROPERTIES_NAME], PROPERTIES_NAME)
        props = doc.get("properties") if isinstance(doc, dict) else None
        for key in unmapped_properties(props if isinstance(props, dict) else {}):
            report.notes.append(f"{key}: upstream's apiProperties.json has it, a solution has no place for it; "
                                "not written (set it in the maker portal if you need it)")
    changed = tuple(path for path, data in files.items() if fork.raw.get(path) != data)
    return MergeOutcome(files, outcome.conflicts, changed, tuple(removed), outcome.marked, outcome.normalised)


def conflicts_document(outcome: MergeOutcome, *, fork: str, upstream: str, base: str, prefer: Prefer) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA_VERSION,
        "fork": fork,
        "upstream": upstream,
        "base": base,
        "prefer": Prefer(prefer).value,
        "conflicts": [c.to_dict() for c in outcome.conflicts],
    }


def write_upgrade(outcome: MergeOutcome, dest: Path, *, conflicts_doc: dict[str, Any],
                  in_place: bool = False) -> list[Path]:
    """Write the merged files into ``dest``; with ``in_place`` each rewritten or removed file
    is first kept as ``<name>.orig`` (``.orig.1``... when that exists). Writes
    :data:`CONFLICTS_FILE` when there are conflicts (and removes a stale one otherwise).
    Returns the paths written.

    All or nothing, as far as the operating system allows: every target is checked first
    (see :func:`versioning.safefile.check_target`; in place, symbolic links are followed and hard links refused),
    every new file (backups included) is staged in a temporary file beside its target, and
    only then are the files replaced; when one cannot be, those already replaced are put
    back. An ``OSError`` is one :class:`InputError` line.
    """
    from .safefile import FileSet, check_target, make_folder, os_error, remove_folders

    dest = Path(dest)
    created = [] if in_place else make_folder(dest)
    try:
        files = FileSet()
        written: list[Path] = []

        def back_up(path: Path, target: Path) -> None:
            try:
                data, mode = target.read_bytes(), stat.S_IMODE(target.stat().st_mode)
            except OSError as exc:
                raise os_error(path, exc, "read") from None
            backup = _backup_name(path)
            files.write(backup, data, label=backup, mode=mode)

        for name, data in outcome.files.items():
            path = dest / name
            if path.parent != dest:  # a solution's Connectors/, Other/
                created += make_folder(path.parent)
            target = check_target(path, edit=in_place)
            if in_place and os.path.lexists(target):
                try:
                    same = target.read_bytes() == data
                except OSError as exc:
                    raise os_error(path, exc, "read") from None
                if same:
                    continue
                back_up(path, target)
            files.write(target, data, label=path)
            written.append(path)
        for name in outcome.removed:
            path = dest / name
            if os.path.lexists(path):
                target = check_target(path, edit=in_place)
                if in_place:
                    back_up(path, target)
                files.remove(target, label=path)
        report = dest / CONFLICTS_FILE
        if outcome.conflicts:
            text = json.dumps(conflicts_doc, indent=2, ensure_ascii=False, default=str) + "\n"
            files.write(check_target(report, edit=False), text.encode("utf-8"), label=report)
            written.append(report)
        elif os.path.lexists(report):
            files.remove(check_target(report, edit=False), label=report)
        files.commit()
    except BaseException:
        remove_folders(created)
        raise
    return written


def _backup_name(path: Path) -> Path:
    candidate = path.with_name(path.name + ".orig")
    number = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.orig.{number}")
        number += 1
    return candidate
