"""Does a connector refer only to things it defines? (``connver check``)

A definition can be valid JSON and valid Swagger and still be broken for the platform: a
``$ref`` to a definition that was deleted, a dropdown (``x-ms-dynamic-values``) that calls an
operation that no longer exists, a policy that reads ``@connectionParameters('region')`` after
the ``region`` parameter was removed. :func:`check_consistency` lists every such reference as a
:class:`Dangling`:

- ``unresolved-ref``: a ``$ref`` in the swagger whose target (``#/definitions/X``,
  ``#/parameters/X``, ``#/responses/X``, any JSON pointer) is not in the file, or that points
  outside it (the platform takes one file);
- ``unknown-operation``: the ``operationId`` an ``x-ms-dynamic-values``, ``-list``,
  ``-schema``, ``-properties`` or ``-tree`` extension, or an ``x-ms-capabilities`` entry
  (``testConnection``), calls is no operation's, or a policy's
  ``x-ms-apimTemplate-operationName`` (the operations it applies to) names no operation;
- ``unknown-connection-parameter``: ``@connectionParameters('X')`` (any casing of the
  function name, either quote, with or without a default argument) in a policy template
  instance's parameters names no connection parameter; the parameters of every connection
  parameter set count, ``token:tenantId`` names the parameter ``token``, and names are
  matched without regard to case, as the platform does;
- ``unknown-script-operation``: ``scriptOperations`` names no operation;
- ``duplicate-operation-id``: two operations share one operationId.

Operations are matched by operationId exactly, as flows bind them. Lines are found in the file
each reference is in, so CI formats can annotate it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Iterator
from urllib.parse import unquote

from .errors import JSONDefectError, VersioningError
from .model import HTTP_METHODS, Connector
from .sourcefiles import PROPERTIES_NAME, SourceFiles

__all__ = ["CheckResult", "Dangling", "DanglingKind", "ConsistencyReport", "MergeConsistency", "MergedDangling",
           "Origin", "RULE_ID", "check_consistency", "check_source", "check_sources", "introduced", "merge_consistency"]

#: The rule id every dangling reference is reported under (annotations, SARIF, audit).
RULE_ID = "dangling-reference"
JSON_SCHEMA_VERSION = 1


class DanglingKind(str, Enum):
    UNRESOLVED_REF = "unresolved-ref"
    UNKNOWN_OPERATION = "unknown-operation"
    UNKNOWN_CONNECTION_PARAMETER = "unknown-connection-parameter"
    UNKNOWN_SCRIPT_OPERATION = "unknown-script-operation"
    DUPLICATE_OPERATION_ID = "duplicate-operation-id"

    def __str__(self) -> str:
        return self.value


_WHAT = {
    DanglingKind.UNRESOLVED_REF: "$ref {target!r} does not resolve",
    DanglingKind.UNKNOWN_OPERATION: "{via} names operation {target!r}, which does not exist",
    DanglingKind.UNKNOWN_CONNECTION_PARAMETER: "{via} reads connection parameter {target!r}, which does not exist",
    DanglingKind.UNKNOWN_SCRIPT_OPERATION: "scriptOperations names operation {target!r}, which does not exist",
    DanglingKind.DUPLICATE_OPERATION_ID: "operationId {target!r} is used by more than one operation",
}


@dataclass(frozen=True)
class Dangling:
    """One reference that names nothing: where it is (file, JSON pointer, line), what it names."""

    kind: DanglingKind
    file: str
    pointer: str
    target: str
    via: str = ""  # the extension or policy that holds the reference
    line: int | None = None
    column: int | None = None

    @property
    def message(self) -> str:
        return _WHAT[self.kind].format(target=self.target, via=self.via or "a reference")

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the reference across versions: kind, target and its place with
        array indexes left out (an element moved in its array is the same reference)."""
        place = "/".join(part for part in self.pointer.split("/") if not part.isdigit())
        return (self.kind.value, self.target, place)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "file": self.file, "pointer": self.pointer, "target": self.target,
                "via": self.via, "line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class ConsistencyReport:
    """The dangling references of one connector, in file order."""

    label: str
    dangling: tuple[Dangling, ...]
    warnings: tuple = field(default=())
    source: SourceFiles | None = field(default=None, compare=False, repr=False)
    #: Why the connector could not be read (then nothing was checked), as one line; with
    #: ``error_at``, the ``(file, line, column)`` of a JSON defect.
    error: str | None = None
    error_at: tuple[str, int, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.dangling and self.error is None

    @property
    def exit_code(self) -> int:
        return 2 if self.error is not None else 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {"connector": self.label, "ok": self.ok, "dangling": [d.to_dict() for d in self.dangling],
                "warnings": [str(w) for w in self.warnings], "error": self.error}


@dataclass(frozen=True)
class CheckResult:
    """What ``connver check`` found in each connector it was given."""

    reports: tuple[ConsistencyReport, ...]

    @property
    def dangling(self) -> list[Dangling]:
        return [d for report in self.reports for d in report.dangling]

    @property
    def warnings(self) -> list:
        return [w for report in self.reports for w in report.warnings]

    @property
    def errors(self) -> list[ConsistencyReport]:
        """The connectors that could not be read."""
        return [report for report in self.reports if report.error is not None]

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.reports)

    @property
    def exit_code(self) -> int:
        """2 when a connector could not be read (bad input), else 1 for a dangling reference."""
        return max((report.exit_code for report in self.reports), default=0)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``connver check --format json`` (docs/check.md)."""
        return {"schema": JSON_SCHEMA_VERSION, "ok": self.ok, "dangling": len(self.dangling),
                "errors": len(self.errors), "connectors": [report.to_dict() for report in self.reports]}


def check_sources(specs: Iterable[str], *, repo=None, store=None, lines: bool = True) -> CheckResult:
    """Read each source (a folder, a swagger file, ``REV:PATH``, ``CONNECTOR@SPEC``) and check it.
    A source that cannot be read is reported with its error (see :attr:`ConsistencyReport.error`)."""
    return CheckResult(tuple(_check_spec(spec, repo, store, lines) for spec in specs))


def _check_spec(spec: str, repo, store, lines: bool) -> ConsistencyReport:
    """One source checked; one that cannot be read is reported (the others are still checked)."""
    from .sources import read_source, source_kind

    try:
        return check_source(read_source(spec, repo=repo, store=store), lines=lines)
    except VersioningError as exc:
        at = None
        if isinstance(exc, JSONDefectError):  # as a path in the repository: REV:PATH/file -> PATH/file
            file = exc.file.partition(":")[2] if source_kind(str(spec)) == "git" else exc.file
            at = (file, exc.line, exc.column)
        return ConsistencyReport(str(spec), (), error=str(exc), error_at=at)


def check_source(source: SourceFiles, *, lines: bool = True) -> ConsistencyReport:
    """:func:`check_consistency` of a connector's files."""
    return check_consistency(Connector.from_files(source), lines=lines)


def check_consistency(connector: Connector, *, lines: bool = True) -> ConsistencyReport:
    """Every reference of ``connector`` that names nothing (see the module's docstring)."""
    swagger_name = connector.swagger_name
    found: list[tuple[DanglingKind, str, tuple, str, str]] = []  # kind, file, pointer, target, via
    swagger = connector.swagger
    operations = _operation_ids(swagger)
    for target, pointers in operations.items():
        if len(pointers) > 1:
            found.extend((DanglingKind.DUPLICATE_OPERATION_ID, swagger_name, p, target, "") for p in pointers[1:])
    refs, calls = _scan(swagger)
    for pointer, ref in refs:
        if not _resolves(swagger, ref):
            found.append((DanglingKind.UNRESOLVED_REF, swagger_name, pointer, ref, ""))
    for pointer, target, via in calls:
        if target not in operations:
            found.append((DanglingKind.UNKNOWN_OPERATION, swagger_name, pointer, target, via))
    properties = connector.properties
    parameters = _connection_parameters(properties)
    base = ("properties",)
    for pointer, name, via in _policy_references(properties):
        if name.split(":", 1)[0].casefold() not in parameters:
            found.append((DanglingKind.UNKNOWN_CONNECTION_PARAMETER, PROPERTIES_NAME, base + pointer, name, via))
    for pointer, name, via in _policy_operations(properties):
        if name not in operations:
            found.append((DanglingKind.UNKNOWN_OPERATION, PROPERTIES_NAME, base + pointer, name, via))
    script = properties.get("scriptOperations")
    if isinstance(script, list):
        for index, name in enumerate(script):
            if isinstance(name, str) and name not in operations:
                found.append((DanglingKind.UNKNOWN_SCRIPT_OPERATION, PROPERTIES_NAME,
                              base + ("scriptOperations", index), name, "scriptOperations"))
    positions = _positions(connector.source, found) if lines else {}
    dangling = [Dangling(kind, file, _pointer_text(pointer), target, via, *positions.get((file, pointer), (None, None)))
                for kind, file, pointer, target, via in found]
    dangling.sort(key=lambda d: (d.file != swagger_name, d.line or 0, d.pointer, d.target))
    return ConsistencyReport(connector.label, tuple(dangling), tuple(connector.warnings), connector.source)


def introduced(after: ConsistencyReport, *before: ConsistencyReport) -> list[Dangling]:
    """The references dangling in ``after`` that dangle in none of ``before``."""
    known = {d.key for report in before for d in report.dangling}
    return [d for d in after.dangling if d.key not in known]


# --------------------------------------------------------------------------- the swagger


def _operation_ids(swagger: dict) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    paths = swagger.get("paths")
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                out.setdefault(operation["operationId"], []).append(("paths", path, method, "operationId"))
    return out


#: Subtrees that hold sample data, not definitions: a "$ref" there refers to nothing.
_DATA_KEYS = frozenset({"example", "examples", "x-example", "x-ms-examples", "default", "enum"})


#: Maps whose keys are names (a property called "example" is a schema, not sample data).
_NAME_MAPS = frozenset({"properties", "definitions", "parameters", "responses", "paths"})


def _walk(node: Any, pointer: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        named = bool(pointer) and pointer[-1] in _NAME_MAPS
        for key, value in node.items():
            if named or key not in _DATA_KEYS:
                yield from _walk(value, pointer + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, pointer + (index,))


def _scan(swagger: dict) -> tuple[list[tuple[tuple, str]], list[tuple[tuple, str, str]]]:
    """One pass over the swagger: ``(pointer, target)`` of every ``$ref``, and ``(pointer of
    the operationId, operationId, extension)`` of every operation an extension calls. Only
    objects and arrays are visited and a pointer is built only for a hit (an audit checks
    every changed connector)."""
    refs: list[tuple[tuple, str]] = []
    calls: list[tuple[tuple, str, str]] = []
    path: list = []

    def visit(node: Any, named: bool) -> None:
        if type(node) is dict:
            for key, value in node.items():
                kind = type(value)
                if kind is str:
                    if key == "$ref":
                        refs.append(((*path, key), value))
                    continue
                if kind is not dict and kind is not list:
                    continue
                if not named:  # in a map of names, "x-ms-capabilities" is a property so called
                    if key in _DATA_KEYS:
                        continue
                    if kind is dict and key in _DYNAMIC:
                        calls.extend((inner, target, key) for inner, target in _operation_ids_in(value, (*path, key)))
                path.append(key)
                visit(value, key in _NAME_MAPS and not named)
                path.pop()
        else:
            for index, value in enumerate(node):
                kind = type(value)
                if kind is dict or kind is list:
                    path.append(index)
                    visit(value, False)
                    path.pop()

    visit(swagger, False)
    return refs, calls


def _resolves(swagger: dict, ref: str) -> bool:
    if not ref.startswith("#"):
        return False  # another file: the platform takes the definition as one file
    for fragment in (ref[1:], unquote(ref[1:])):
        if _lookup(swagger, fragment):
            return True
    return False


def _lookup(doc: Any, fragment: str) -> bool:
    if fragment in ("", "/"):
        return True
    node = doc
    for raw in fragment.lstrip("/").split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


_DYNAMIC = frozenset({"x-ms-dynamic-values", "x-ms-dynamic-list", "x-ms-dynamic-schema", "x-ms-dynamic-properties",
                      "x-ms-dynamic-tree", "x-ms-capabilities"})


def _operation_ids_in(node: Any, pointer: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "operationId" and isinstance(value, str):
                yield pointer + (key,), value
            elif key != "parameters":  # a dynamic call's parameter values are data
                yield from _operation_ids_in(value, pointer + (key,))


# --------------------------------------------------------------------------- apiProperties.json

#: ``@connectionParameters('name')`` or ``("name", 'default')``; the platform's expressions are
#: case-insensitive in the function name (``@ConnectionParameters`` occurs in real connectors).
_CONNECTION_PARAMETER = re.compile(r"""@connectionParameters\(\s*(['"])(.*?)\1""", re.IGNORECASE)


def _connection_parameters(properties: dict) -> set[str]:
    """Every connection parameter's name, casefolded: the platform matches them without regard
    to case (certified connectors read ``@connectionParameters('HostUrl')`` of ``hostUrl``)."""
    names = set()
    plain = properties.get("connectionParameters")
    if isinstance(plain, dict):
        names.update(plain)
    sets = properties.get("connectionParameterSets")
    values = sets.get("values") if isinstance(sets, dict) else None
    for entry in values if isinstance(values, list) else ():
        parameters = entry.get("parameters") if isinstance(entry, dict) else None
        if isinstance(parameters, dict):
            names.update(parameters)
    return {name.casefold() for name in names}


def _policies(properties: dict) -> Iterator[tuple[int, dict, str]]:
    policies = properties.get("policyTemplateInstances")
    for index, policy in enumerate(policies if isinstance(policies, list) else ()):
        if isinstance(policy, dict):
            title = policy.get("title")
            yield index, policy, f"policy {policy.get('templateId', '?')}" + (f" ({title})" if title else "")


#: The policy parameter that restricts a policy to some operations, by operationId.
POLICY_OPERATIONS = "x-ms-apimTemplate-operationName"


def _policy_operations(properties: dict) -> Iterator[tuple[tuple, str, str]]:
    for index, policy, via in _policies(properties):
        parameters = policy.get("parameters")
        names = parameters.get(POLICY_OPERATIONS) if isinstance(parameters, dict) else None
        for n, name in enumerate(names if isinstance(names, list) else ()):
            if isinstance(name, str):
                yield ("policyTemplateInstances", index, "parameters", POLICY_OPERATIONS, n), name, via


def _policy_references(properties: dict) -> Iterator[tuple[tuple, str, str]]:
    for index, policy, via in _policies(properties):
        for pointer, node in _walk(policy.get("parameters"), ("policyTemplateInstances", index, "parameters")):
            if isinstance(node, str):
                for match in _CONNECTION_PARAMETER.finditer(node):
                    yield pointer, match.group(2), via


# --------------------------------------------------------------------------- lines


def _pointer_text(pointer: Iterable) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def _positions(source: SourceFiles, found) -> dict[tuple[str, tuple], tuple[int, int]]:
    from .lines import locate_pointers

    out: dict[tuple[str, tuple], tuple[int, int]] = {}
    by_file: dict[str, list[tuple]] = {}
    for _, file, pointer, _, _ in found:
        by_file.setdefault(file, []).append(pointer)
    for file, pointers in by_file.items():
        data = source.files.get(file)
        if data is None:
            continue
        for pointer, position in locate_pointers(data, pointers).items():
            out[(file, pointer)] = position
    return out


# --------------------------------------------------------------------------- merges


class Origin(str, Enum):
    """Which side of a three-way merge a reference dangling in the result comes from."""

    BASE = "base"          # it dangled in the version the fork was copied from, and still does in the fork
    FORK = "fork"          # the fork's own edits made it dangle
    UPSTREAM = "upstream"  # upstream's version has it (and the fork did not)
    MERGE = "merge"        # neither side has it: the merge itself combined the two into it

    def __str__(self) -> str:
        return self.value

    @property
    def blocks(self) -> bool:
        """Whether writing the merge would make the fork worse: the fork does not have it yet."""
        return self in (Origin.UPSTREAM, Origin.MERGE)


@dataclass(frozen=True)
class MergedDangling:
    dangling: Dangling
    origin: Origin

    @property
    def message(self) -> str:
        return f"{self.dangling.message} (from {_ORIGIN_TEXT[self.origin]})"

    def to_dict(self) -> dict[str, Any]:
        return {**self.dangling.to_dict(), "origin": self.origin.value, "blocks": self.origin.blocks}


_ORIGIN_TEXT = {
    Origin.BASE: "the base: it dangled before either side changed it",
    Origin.FORK: "your edits",
    Origin.UPSTREAM: "upstream",
    Origin.MERGE: "the merge: your edit and upstream's change combined",
}


@dataclass(frozen=True)
class MergeConsistency:
    """The dangling references of a merge result, each with the side that introduced it.

    :attr:`blocking` are those the fork does not have yet: ``connver upgrade`` writes the
    result only without them (or with ``--force``); those the fork already has are listed.
    """

    items: tuple[MergedDangling, ...]

    @property
    def blocking(self) -> list[MergedDangling]:
        return [item for item in self.items if item.origin.blocks]

    @property
    def ok(self) -> bool:
        return not self.items

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "blocking": len(self.blocking), "dangling": [item.to_dict() for item in self.items]}


def merge_consistency(base: Connector, fork: Connector, upstream: Connector, merged: Connector) -> MergeConsistency:
    """Check ``merged`` and say, for each dangling reference, which side introduced it: a
    reference is the same on every side when its kind, target and place match (array
    indexes left out, see :attr:`Dangling.key`)."""
    result = check_consistency(merged)
    if result.ok:
        return MergeConsistency(())
    keys = {name: {d.key for d in check_consistency(side, lines=False).dangling}
            for name, side in (("base", base), ("fork", fork), ("upstream", upstream))}
    items = []
    for item in result.dangling:
        if item.key in keys["fork"]:
            origin = Origin.BASE if item.key in keys["base"] else Origin.FORK
        else:
            origin = Origin.UPSTREAM if item.key in keys["upstream"] else Origin.MERGE
        items.append(MergedDangling(item, origin))
    return MergeConsistency(tuple(items))
