"""Operation-level versioning: ``x-ms-api-annotation`` families and revisions, as data.

Power Platform changes an operation incompatibly by adding a new operationId in the same
``family`` with ``revision`` + 1 and marking the old one ``deprecated: true``. This module
lists a connector's families and finds where that pattern is broken or could have been
used:

* ``family-too-many-active``: more than two operations of one family are not deprecated;
* ``family-duplicate-revision``: two operations of one family share a revision;
* ``revision-predecessor-not-deprecated``: a new revision arrived but an older one was not
  deprecated;
* ``breaking-could-be-revision``: an operation was changed (or removed) incompatibly where
  a new revision would have kept existing flows working.

An operation without an annotation whose operationId is the name of an annotated family
counts as that family's revision 1 (``implied``), as in Microsoft's own example where
``GetItems`` is followed by ``GetItems_V2``. A family member without a revision counts
as revision 1, and so does one whose revision is absurdly large (beyond
:data:`MAX_REVISION`, such as a number of thousands of digits).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Mapping

from .changes import Change, Level

#: The largest revision taken at its word; real families count revisions on one hand.
MAX_REVISION = 1_000_000


def _revision(op: Any) -> int | None:
    """The operation's declared revision, or None when it has none or an absurd one.

    >>> from types import SimpleNamespace as Op
    >>> [_revision(Op(revision=r)) for r in (2, None, 0, -10 ** 4000, 10 ** 4000)]
    [2, None, 0, None, None]
    """
    revision = op.revision
    return revision if isinstance(revision, int) and abs(revision) <= MAX_REVISION else None


class FindingKind(str, Enum):
    CROWDED_FAMILY = "family-too-many-active"
    DUPLICATE_REVISION = "family-duplicate-revision"
    PREDECESSOR_NOT_DEPRECATED = "revision-predecessor-not-deprecated"
    COULD_BE_REVISION = "breaking-could-be-revision"

    def __str__(self) -> str:
        return self.value


#: Most non-deprecated operations a family should have (the latest, and one in transition).
MAX_ACTIVE = 2

_MESSAGES = {
    FindingKind.CROWDED_FAMILY:
        "family {family}: {count} operations are not deprecated ({operations}); "
        "deprecate all but the latest revision",
    FindingKind.DUPLICATE_REVISION:
        "family {family}: revision {revision} is used by {operations}; give each a different revision",
    FindingKind.PREDECESSOR_NOT_DEPRECATED:
        "family {family}: {operation} (revision {revision}) is new, but {older} (revision "
        "{older_revision}) is not deprecated; set deprecated: true on {older}",
    FindingKind.COULD_BE_REVISION:
        "{operation}: {breaking} could have been a new revision: add the changed operation as a "
        "new operationId (e.g. {suggested_id}) with x-ms-api-annotation family {family}, "
        "revision {revision}, and keep {operation} as it was with deprecated: true",
}
_RENAMED_MESSAGE = (
    "{operation}: {breaking} could have been a new revision: keep {operation} with deprecated: true "
    "beside {renamed_to} instead of renaming it, and give {renamed_to} x-ms-api-annotation family "
    "{family}, revision {revision}"
)
_REMOVED_MESSAGE = (
    "{operation}: {breaking} could have been a new revision: keep {operation} with deprecated: "
    "true instead of removing it, and add its replacement as a new operationId (e.g. "
    "{suggested_id}) with x-ms-api-annotation family {family}, revision {revision}"
)


@dataclass(frozen=True)
class Member:
    """One operation of a family. ``revision`` is the effective one (missing -> 1)."""

    operation: str
    revision: int
    declared_revision: int | None
    deprecated: bool
    visibility: str | None = None
    implied: bool = False  # no annotation; its operationId names the family

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "revision": self.revision,
            "deprecated": self.deprecated,
            "visibility": self.visibility,
            "implied": self.implied,
        }


@dataclass(frozen=True)
class Family:
    name: str
    members: tuple[Member, ...]  # by revision, then operationId

    @property
    def active(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if not m.deprecated)

    @property
    def latest(self) -> Member:
        return self.members[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.name, "members": [m.to_dict() for m in self.members]}


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    family: str | None
    operations: tuple[str, ...]
    details: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def detail(self) -> dict[str, Any]:
        return dict(self.details)

    @property
    def message(self) -> str:
        template = _MESSAGES[self.kind]
        if self.kind is FindingKind.COULD_BE_REVISION and self.detail.get("renamed_to"):
            template = _RENAMED_MESSAGE
        elif self.kind is FindingKind.COULD_BE_REVISION and self.detail.get("removed"):
            template = _REMOVED_MESSAGE
        values = {"family": self.family, "operations": ", ".join(self.operations),
                  "operation": self.operations[0] if self.operations else ""}
        values.update(self.details)
        return template.format(**values)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "family": self.family, "operations": list(self.operations),
                "details": {k: _plain(v) for k, v in self.details}, "message": self.message}


@dataclass(frozen=True)
class OperationVersions:
    """The new definition's families and what is wrong with how they are used."""

    families: tuple[Family, ...]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"families": [f.to_dict() for f in self.families],
                "findings": [f.to_dict() for f in self.findings]}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def families(operations: Mapping[str, Any]) -> tuple[Family, ...]:
    """The annotated families among ``operations`` (operationId -> Operation), by name."""
    grouped: dict[str, list[Member]] = defaultdict(list)
    for op in operations.values():
        if op.family is not None:
            declared = _revision(op)
            grouped[op.family].append(Member(op.id, 1 if declared is None else declared, declared, op.deprecated, op.visibility))
    for name, members in grouped.items():
        op = operations.get(name)
        if op is not None and op.family is None:
            members.append(Member(op.id, 1, None, op.deprecated, op.visibility, implied=True))
    return tuple(
        Family(name, tuple(sorted(members, key=lambda m: (m.revision, m.operation))))
        for name, members in sorted(grouped.items())
    )


def suggest_operation_id(operation_id: str, revision: int) -> str:
    """An operationId for ``revision`` of an operation, in the ``_V2`` style Microsoft uses.

    >>> suggest_operation_id("GetItems", 2), suggest_operation_id("GetItems_V2", 3)
    ('GetItems_V2', 'GetItems_V3')
    >>> suggest_operation_id("SendMessageV2", 3)
    'SendMessageV3'
    """
    m = re.fullmatch(r"(.*?)(_?[vV])(\d+)", operation_id)
    if m and m.group(1):
        return f"{m.group(1)}{m.group(2)}{revision}"
    return f"{operation_id}_V{revision}"


def analyse(new: Any, old: Any = None, changes: Iterable[Change] = ()) -> OperationVersions:
    """Families of ``new`` and findings about them; ``old`` and ``changes`` (a diff's) let it
    tell which revisions are new and which breaking changes could have been revisions."""
    found: list[Finding] = []
    fams = families(new.operations)
    old_ids = set(old.operations) if old is not None else None
    for fam in fams:
        if len(fam.active) > MAX_ACTIVE:
            found.append(Finding(FindingKind.CROWDED_FAMILY, fam.name,
                                 tuple(m.operation for m in fam.active),
                                 (("count", len(fam.active)),)))
        by_revision: dict[int, list[str]] = defaultdict(list)
        for m in fam.members:
            by_revision[m.revision].append(m.operation)
        for revision, ops in sorted(by_revision.items()):
            if len(ops) > 1:
                found.append(Finding(FindingKind.DUPLICATE_REVISION, fam.name, tuple(ops),
                                     (("revision", revision),)))
        lowest = fam.members[0].revision
        for m in fam.members:
            is_new = (m.operation not in old_ids) if old_ids is not None else m.revision > lowest
            if not is_new or m.deprecated:
                continue
            for older in fam.members:
                if older.revision < m.revision and not older.deprecated:
                    found.append(Finding(
                        FindingKind.PREDECESSOR_NOT_DEPRECATED, fam.name, (m.operation, older.operation),
                        (("revision", m.revision), ("older", older.operation),
                         ("older_revision", older.revision)),
                    ))
    if old is not None:
        found.extend(_could_be_revisions(new, old, changes))
    return OperationVersions(fams, tuple(found))


def _could_be_revisions(new: Any, old: Any, changes: Iterable[Change]) -> list[Finding]:
    rules_by_op: dict[str, list[str]] = defaultdict(list)
    renamed: dict[str, str] = {}
    for change in changes:
        if Level(change.level) is Level.BREAKING and change.operation and change.operation in old.operations:
            if change.rule not in rules_by_op[change.operation]:
                rules_by_op[change.operation].append(change.rule)
            target = change.detail.get("renamed_to")
            if isinstance(target, str) and target in new.operations:
                renamed[change.operation] = target
    out = []
    taken = set(new.operations) | set(old.operations)
    for op_id, rules in sorted(rules_by_op.items()):
        before, after = old.operations[op_id], new.operations.get(op_id)
        family = (after.family if after is not None else None) or before.family or op_id
        revisions = [m.revision for f in families(new.operations) if f.name == family for m in f.members]
        revisions.append(1 if _revision(before) is None else _revision(before))
        revision = max(revisions) + 1
        suggested = suggest_operation_id(op_id, revision)
        while suggested in taken:  # never suggest an operationId that is already used
            revision += 1
            suggested = suggest_operation_id(op_id, revision)
        removed = after is None
        if op_id in renamed:
            suggested = renamed[op_id]
        breaking = rules[0] if len(rules) == 1 else f"{len(rules)} breaking changes ({', '.join(rules)})"
        out.append(Finding(
            FindingKind.COULD_BE_REVISION, family, (op_id,),
            (("breaking", breaking), ("rules", tuple(rules)), ("revision", revision),
             ("suggested_id", suggested), ("removed", removed)) + (
                (("renamed_to", renamed[op_id]),) if op_id in renamed else ()),
        ))
    return out


__all__ = [
    "FindingKind", "Member", "Family", "Finding", "OperationVersions", "MAX_ACTIVE",
    "families", "analyse", "suggest_operation_id",
]
