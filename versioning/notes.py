"""Release notes a connector's users can act on: the data, not the layout.

:func:`build_notes` turns one :class:`~versioning.diff.DiffResult` into
:class:`ReleaseNotes`: a version heading (the declared version, or the one connver
suggests where the declared one is missing or too low, saying so), a date, and sections in
Keep a Changelog order. Each entry names the action or trigger as the designer shows it
(its summary) with its operationId, and every breaking change carries one sentence of what
a flow owner must do (the ``todo`` of its rule's row). Templates in
``versioning/templates/`` render the data; ``to_dict`` is the JSON form.

Which section a change goes to (:func:`section_for`), first match wins:

* level **breaking** -> *Breaking changes* (whatever the rule: the level decides);
* level **deprecation** -> *Deprecated*;
* otherwise the ``section`` of the rule's row: *Security* for auth and sign-in rules,
  *Removed* for removals (only seen where a configuration lowered a breaking rule),
  *Changed* for relaxations of something that existed (became optional, constraint
  loosened, no longer deprecated), *Added*, *Changed*;
* a rule with no row (or no section): level **additive** -> *Added*, else *Changed*.

*Fixed* is never filled: a diff cannot tell a fix from a change. It is there for
hand-written text.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from string import Formatter
from typing import TYPE_CHECKING, Any, Iterable

from .changes import Change, Level
from .jsontext import LoadWarning
from .rules import Rule, Section, get_rule
from .rules import message_values as rule_message_values

if TYPE_CHECKING:  # pragma: no cover
    from .diff import DiffResult
    from .model import Connector

NOTES_SCHEMA = "connver-notes/1"


#: Sections in the order they are written.
SECTION_ORDER: tuple[Section, ...] = tuple(Section)


def section_for(change: Change) -> Section:
    """The Keep a Changelog section of a change (see the module's docstring).

    >>> from connver.changes import Change, Level
    >>> section_for(Change("operation-added", Level.ADDITIVE, "operation/X")).value
    'Added'
    >>> section_for(Change("oauth-settings-changed", Level.RISKY, "connectionParameters/t")).value
    'Security'
    >>> section_for(Change("operation-removed", Level.RISKY, "operation/X")).value
    'Removed'
    """
    level = Level(change.level)
    if level is Level.BREAKING:
        return Section.BREAKING
    if level is Level.DEPRECATION:
        return Section.DEPRECATED
    spec = _row(change.rule)
    if spec is not None and spec.section is not None and spec.section is not Section.BREAKING:
        return spec.section
    return Section.ADDED if level is Level.ADDITIVE else Section.CHANGED


def _row(rule_id: str) -> "Rule | None":
    try:
        return get_rule(rule_id)
    except KeyError:
        return None


# --------------------------------------------------------------------------- what to do

#: Used for a breaking change whose rule's row has no ``todo`` (a rule raised to breaking
#: by configuration).
GENERIC_TODO = ("Open every flow and app that uses this {kind}, check that the step still works and fix it "
                "before this version reaches them.")

#: A ``todo`` that names ``{replacement}`` when no replacement is known.
DEPRECATED_NO_REPLACEMENT = "Plan to move your flows off this {kind}: it will be removed in a later version."

#: How the entries of an internal helper operation name their operation (``kind``). A helper is
#: not in the designer: its entries go under *Changed* (never *Added* as a new action or
#: trigger, nor *Breaking changes*) without a what-to-do sentence; the dropdowns that call it
#: are reported at the calling parameter, with their own sentence.
HELPER_KIND = "internal helper"


def noun_for(rule_id: str) -> str:
    """How a folded cosmetic change is named: its row's ``noun``, else its id."""
    spec = _row(rule_id)
    return spec.noun if spec is not None and spec.noun else rule_id


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class Entry:
    """One change as a release-notes line.

    ``display`` is the designer's name of the operation (its summary), ``operation`` its
    operationId (the new one for a rename, ``was`` the old one), ``kind`` action or trigger.
    ``text`` is the change's sentence; ``todo`` what a flow owner must do (breaking changes,
    deprecations, security), or None.
    """

    rule: str
    level: Level
    section: Section
    text: str
    location: str
    operation: str | None = None
    display: str | None = None
    kind: str | None = None
    was: str | None = None
    todo: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "level": self.level.value, "section": self.section.value,
            "operation": self.operation, "display_name": self.display, "kind": self.kind,
            "was": self.was, "text": self.text, "location": self.location, "todo": self.todo,
        }


@dataclass(frozen=True)
class NotesSection:
    """A Keep a Changelog section: its entries, and the cosmetic ones folded into one line."""

    name: Section
    entries: tuple[Entry, ...]
    folded: tuple[Entry, ...] = ()

    @property
    def folded_line(self) -> str | None:
        """``3 cosmetic changes (input descriptions, icon)`` or None."""
        if not self.folded:
            return None
        nouns: list[str] = []
        for entry in self.folded:
            noun = noun_for(entry.rule)
            if noun not in nouns:
                nouns.append(noun)
        n = len(self.folded)
        return f"{n} cosmetic change{'s' if n != 1 else ''} ({', '.join(nouns)})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name.value, "entries": [e.to_dict() for e in self.entries],
                "folded": [e.to_dict() for e in self.folded], "folded_line": self.folded_line}


@dataclass(frozen=True)
class VersionHeading:
    """The version the notes are headed by, and why.

    ``heading`` is ``declared`` when that is fine, else ``suggested``; ``note`` says why
    (or what is odd about the declared version), ``status`` is the version check's status
    (``ok``, ``larger``, ``under-bumped``, ``unchanged``, ``lower``, ``missing``,
    ``unreadable``, ``incomparable``), or ``no-suggestion`` when the previous version
    cannot be read; ``detail`` is the check's sentence about the declared version (None
    when it is fine).
    """

    heading: str
    declared: str | None
    previous: str | None
    suggested: str | None
    bump: str
    status: str
    detail: str | None
    note: str | None
    reasons: tuple[str, ...] = ()
    more_reasons: int = 0  # drivers beyond the three in ``reasons``

    @property
    def is_suggested(self) -> bool:
        return self.suggested is not None and self.heading == self.suggested and self.heading != self.declared

    def to_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "declared": self.declared, "previous": self.previous,
                "suggested": self.suggested, "bump": self.bump, "status": self.status,
                "suggested_heading": self.is_suggested, "detail": self.detail, "note": self.note,
                "reasons": list(self.reasons), "more_reasons": self.more_reasons}


@dataclass(frozen=True)
class ReleaseNotes:
    """Release notes for one step from an old to a new connector version."""

    title: str | None
    version: VersionHeading
    date: _dt.date
    sections: tuple[NotesSection, ...]
    summary: dict[str, int]
    old: str
    new: str
    ignored: int = 0
    advice: tuple[str, ...] = ()  # how breaking operation changes could have been new revisions
    verbose: bool = False
    #: Input defects tolerated while loading either side (each once), such as an
    #: apiProperties.json that could not be read and so was not compared.
    warnings: tuple[LoadWarning, ...] = ()

    @property
    def breaking(self) -> tuple[Entry, ...]:
        for section in self.sections:
            if section.name is Section.BREAKING:
                return section.entries
        return ()

    @property
    def count(self) -> int:
        return sum(self.summary.values())

    @property
    def affects_users(self) -> str:
        """``breaking``, ``review`` (risky changes), ``deprecation`` or ``no``."""
        if self.breaking:
            return "breaking"
        if self.summary.get(Level.RISKY.value) or self.summary.get(Level.BREAKING.value):
            return "review"  # (breaking changes of internal helpers only: listed under Changed)
        if self.summary.get(Level.DEPRECATION.value):
            return "deprecation"
        return "no"

    def section(self, name: Section | str) -> NotesSection | None:
        for section in self.sections:
            if section.name is Section(name):
                return section
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": NOTES_SCHEMA,
            "title": self.title,
            "old": self.old,
            "new": self.new,
            "date": self.date.isoformat(),
            "version": self.version.to_dict(),
            "summary": dict(self.summary),
            "affects_users": self.affects_users,
            "sections": [s.to_dict() for s in self.sections],
            "ignored": self.ignored,
            "advice": list(self.advice),
            "warnings": [str(w) for w in self.warnings],
        }


# --------------------------------------------------------------------------- building

def build_notes(
    result: "DiffResult",
    *,
    date: _dt.date | None = None,
    current: str | None = None,
    verbose: bool = False,
) -> ReleaseNotes:
    """Release notes for one diff.

    ``date`` heads the notes (default: today); ``current`` overrides the old version the
    suggestion starts from (``--from``); ``verbose`` keeps cosmetic changes as entries
    instead of folding them into one line.
    """
    from .bump import bump_report

    report = bump_report(result, current=current, today=date)
    return ReleaseNotes(
        title=result.new.title or result.old.title,
        version=version_heading(report),
        date=date or _dt.date.today(),
        sections=build_sections(result.changes, result.old, result.new, verbose=verbose),
        summary={level.value: n for level, n in result.summary.items()},
        old=result.old.label,
        new=result.new.label,
        ignored=result.ignored,
        advice=_advice(report),
        verbose=verbose,
        warnings=tuple(dict.fromkeys(result.warnings)),  # the same folder on both sides warns twice
    )


def version_heading(report) -> VersionHeading:
    """The version to head notes with, from a :class:`~versioning.bump.BumpReport`."""
    declared = report.declared.strip() if isinstance(report.declared, str) else None
    previous = report.current.strip() if isinstance(report.current, str) else None
    suggested = report.next.strip() if isinstance(report.next, str) else None
    reasons = tuple(_sentence(c.message, period=True) for c in report.drivers[:3])
    more = max(0, len(report.drivers) - len(reasons))
    bump = report.level.value
    if report.check is None:
        detail = f"connver cannot suggest a version: {_version_problem(report)}."
        return VersionHeading(declared or "Unreleased", declared, previous, None, bump, "no-suggestion",
                              detail, detail, reasons, more)
    status = report.check.status.value
    detail = None if status == "ok" else _sentence(_strip_status(report.check.message)) + "."
    if report.check.ok or status == "incomparable":
        return VersionHeading(declared or suggested or "Unreleased", declared, previous, suggested, bump, status,
                              detail, detail, reasons, more)
    note = f"Version {suggested} is connver's suggestion: {_strip_status(report.check.message)}."
    return VersionHeading(suggested or declared or "Unreleased", declared, previous, suggested, bump, status,
                          detail, note, reasons, more)


def _version_problem(report) -> str:
    """Why there is no suggestion, without the error's CLI advice (``bump --from``): notes
    are read by a connector's users, and the option is the caller's to name."""
    from .errors import VersionError
    from .version import next_version, parse_version

    try:
        next_version(parse_version(report.current).text, report.level)
    except VersionError as exc:
        return exc.message
    return report.error or "the old version cannot be read"


def build_sections(changes: Iterable[Change], old: "Connector", new: "Connector", *,
                   verbose: bool = False) -> tuple[NotesSection, ...]:
    """The non-empty sections, in Keep a Changelog order, for a list of changes."""
    changes = list(changes)
    context = Context.of(changes, new)
    grouped: dict[Section, list[Entry]] = {s: [] for s in SECTION_ORDER}
    folded: dict[Section, list[Entry]] = {s: [] for s in SECTION_ORDER}
    for change in changes:
        entry = make_entry(change, old, new, context)
        if Level(change.level) is Level.COSMETIC and not verbose:
            folded[entry.section].append(entry)
        else:
            grouped[entry.section].append(entry)
    return tuple(
        NotesSection(s, tuple(grouped[s]), tuple(folded[s]))
        for s in SECTION_ORDER if grouped[s] or folded[s]
    )


@dataclass(frozen=True)
class Context:
    """What entries need to know from the whole list of changes: ``renames`` (old
    operationId -> new) and ``replacements`` (deprecated operationId -> its replacement)."""

    renames: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, changes: list[Change], new: "Connector") -> "Context":
        renames = {c.operation: c.detail["renamed_to"] for c in changes
                   if c.rule == "operation-renamed" and c.operation and isinstance(c.detail.get("renamed_to"), str)}
        return cls(renames, _replacements(changes, new))


def make_entry(change: Change, old: "Connector", new: "Connector", context: Context | None = None) -> Entry:
    """One entry: the operation as users see it, the sentence, and what to do."""
    context = context or Context()
    section = section_for(change)
    level = Level(change.level)
    op_id, was = change.operation, None
    if op_id in context.renames:  # the rename itself, and changes inside the renamed operation
        op_id, was = context.renames[op_id], op_id
    elif change.rule in ("operation-added", "operation-new-revision") and isinstance(change.new, str):
        op_id = change.new
    op = None
    if op_id is not None:
        op = new.operations.get(op_id) or old.operations.get(op_id)
    kind = _kind(op) if op is not None else None
    if op is not None and _helper(old.operations.get(change.operation or ""), new.operations.get(op_id or "")):
        # not in the designer: not a new action or trigger, not a break flow owners act on
        # (the dropdowns that call it are reported at the calling parameter)
        kind = HELPER_KIND
        if section is not Section.SECURITY:
            section = Section.CHANGED
    todo = _todo(change, level, section, kind, context.replacements.get(change.operation or ""))
    return Entry(
        rule=change.rule,
        level=level,
        section=section,
        text=_sentence(change.message, period=True),
        location=change.location,
        operation=op_id,
        display=op.display_name if op is not None else None,
        kind=kind,
        was=was,
        todo=todo,
    )


def todo_for(change: Change, kind: str | None = None, replacement: str | None = None) -> str | None:
    """What a flow owner must do about ``change`` (None where nothing is needed)."""
    level = Level(change.level)
    return _todo(change, level, section_for(change), kind, replacement)


def _todo(change: Change, level: Level, section: Section, kind: str | None, replacement: str | None) -> str | None:
    if level not in (Level.BREAKING, Level.DEPRECATION) and section is not Section.SECURITY:
        return None
    if kind == HELPER_KIND:
        return None
    spec = _row(change.rule)
    template = spec.todo if spec is not None else None
    if template is not None and "replacement" in template_fields(template) and not replacement:
        template = DEPRECATED_NO_REPLACEMENT
    if template is None:
        if level is not Level.BREAKING:
            return None
        template = GENERIC_TODO
    values = message_values(change)
    values["kind"] = kind or ("connector" if change.operation is None else "operation")
    values["replacement"] = replacement or ""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return GENERIC_TODO.format(kind=values["kind"])


def message_values(change: Change) -> dict[str, str]:
    """The placeholders a rule's message (and its row's ``todo``) may use."""
    values = rule_message_values(change)
    values.setdefault("key", values["name"])
    return values


def template_fields(template: str) -> set[str]:
    """The placeholder names of a ``str.format`` template.

    >>> sorted(template_fields("Fill {key} in every step of this {kind}."))
    ['key', 'kind']
    """
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _replacements(changes: list[Change], new: "Connector") -> dict[str, str]:
    """operationId -> the operation that replaces it (new revision, or the annotation)."""
    out: dict[str, str] = {}
    for change in changes:
        if change.rule == "operation-new-revision" and isinstance(change.new, str):
            replaces = change.detail.get("replaces")
            if isinstance(replaces, str):
                out[replaces] = change.new
        if change.rule == "operation-deprecated" and change.operation:
            named = change.detail.get("replacement")
            if isinstance(named, str) and named:
                out[change.operation] = named
    for op in new.operations.values():  # the latest revision of a deprecated member's family
        if op.deprecated and op.family and op.id not in out:
            later = [o for o in new.operations.values()
                     if o.family == op.family and not o.deprecated and (o.revision or 1) > (op.revision or 1)]
            if later:
                out[op.id] = max(later, key=lambda o: (o.revision or 1, o.id)).id
    return out


def _advice(report) -> tuple[str, ...]:
    ops = report.operations
    if ops is None:
        return ()
    return tuple(_sentence(f.message) + "." for f in ops.findings if f.kind.value == "breaking-could-be-revision")


def _helper(before, after) -> bool:
    """An internal helper operation: internal on every side that has it (one that became
    internal, or stopped being so, was an action or trigger that flows could use)."""
    sides = [op for op in (before, after) if op is not None]
    return bool(sides) and all(op.visibility == "internal" for op in sides)


def _kind(op) -> str:
    kind = op.kind
    return "trigger" if kind.endswith("trigger") else kind


def _strip_status(message: str) -> str:
    """``under-bumped: the new ...`` -> ``the new ...``."""
    head, sep, rest = message.partition(": ")
    return rest if sep and " " not in head else message


def _sentence(text: str, *, period: bool = False) -> str:
    """Capitalised, and ending with a full stop when ``period``.

    >>> _sentence("operation X was removed", period=True)
    'Operation X was removed.'
    >>> _sentence("basePath changed from / to /v2")
    'basePath changed from / to /v2'
    """
    text = text.strip()
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # not identifiers such as x-ms-capabilities, basePath
        text = text[:1].upper() + text[1:]
    if period and text and text[-1] not in ".!?":
        text += "."
    return text


__all__ = [
    "DEPRECATED_NO_REPLACEMENT", "Entry", "GENERIC_TODO", "HELPER_KIND", "NOTES_SCHEMA", "NotesSection",
    "ReleaseNotes", "SECTION_ORDER", "Section", "VersionHeading",
    "Context", "build_notes", "build_sections", "make_entry", "message_values", "noun_for", "section_for",
    "template_fields", "todo_for", "version_heading",
]
