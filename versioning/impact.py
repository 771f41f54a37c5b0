"""Which changes hit what flows use: flow steps bound to a connector's operations.

:func:`bind_steps` ties the connector steps of a :class:`~versioning.flows.FlowSet` to the
operations of one connector: ``OpenApiConnection`` steps by operationId, Logic Apps
``ApiConnection`` steps by method + path template. :func:`find_impacts` then says, for each
change, which flow steps it hits and why:

* an operation-wide change (removed, renamed, hidden, trigger kind) hits every step calling
  the operation; a path or method change only hits steps bound by method + path;
* a newly required input, or a changed default, hits the steps that do **not** send it; any
  other input change hits the steps that send it (the key, a field below it, or the object
  holding it);
* an output change hits the steps whose outputs are read at that path, below it, or as a
  whole; iterating over an array is hit only when the array itself changes;
* a connection change (auth type, connection parameters) hits every flow using the connector.

Which of these applies is the ``impact`` (:class:`~versioning.rules.FlowImpact`) of the
change's rule, in the rule's row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable

from .changes import Change
from .flows import FlowSet, ReadKind, StepUsage
from .model import Connector, Operation
from .rules import FlowImpact, Kind, get_rule

__all__ = ["BoundStep", "Impact", "Reason", "bind_steps", "connector_api_names", "find_impacts", "impact_class"]


class Reason(str, Enum):
    """Why a change hits a step."""

    CALLS = "calls"          # the step calls the changed operation
    SENDS = "sends"          # the step sends the changed input
    OMITS = "omits"          # the step does not send an input that is now required
    READS = "reads"          # the step reads the changed output
    CONNECTS = "connects"    # the flow holds a connection to the connector

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class BoundStep:
    """A flow step tied to one operation of the connector (``operation`` None: no match).

    ``keys`` are the inputs the step sends, as flow keys (``name`` or ``<bodyParam>/<path>``);
    for Logic Apps steps they include the path parameters the route fills in.
    """

    usage: StepUsage
    operation: str | None
    keys: frozenset[str]

    @property
    def flow(self) -> str:
        return self.usage.flow

    @property
    def step(self) -> str:
        return self.usage.step


@dataclass(frozen=True)
class Impact:
    """One change hitting one flow step (``step`` None: the flow as a whole)."""

    change: Change
    flow: str
    step: str | None
    reason: Reason
    subject: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "reason": self.reason.value,
            "subject": self.subject,
            "rule": self.change.rule,
            "location": self.change.location,
        }

    @property
    def explanation(self) -> str:
        """Why the step is hit, as a short clause (``the step does not send it``)."""
        return {
            Reason.CALLS: "the step calls this operation",
            Reason.SENDS: f"the step sends {self.subject}",
            Reason.OMITS: f"the step does not send {self.subject}",
            Reason.READS: f"the flow reads {self.subject or 'the whole output'}",
            Reason.CONNECTS: "the flow uses a connection to this connector",
        }[self.reason]


def connector_api_names(connector: Connector, api_name: str | None = None) -> list[str]:
    """The names flows may use for ``connector``: ``api_name`` if given, else settings.json's
    connectorId; empty when neither is known."""
    if api_name:
        return [api_name]
    if connector.connector_id:
        return [connector.connector_id]
    return []


def bind_steps(flows: FlowSet, connector: Connector, api_names: Iterable[str]) -> tuple[list[BoundStep], list[str]]:
    """The steps of ``flows`` that call ``connector`` (named ``api_names``), bound to its
    operations, and a note for each step that matches no operation."""
    names = list(api_names)
    bound: list[BoundStep] = []
    notes: list[str] = []
    operations = connector.operations
    routes = _Routes(connector)
    for step in flows.steps(names):
        operation: Operation | None
        path_keys: tuple[str, ...] = ()
        if step.step_type.binds_by_path:
            operation, path_keys = routes.match(step.method, step.path)
            if operation is None:
                notes.append(f"flow '{step.flow}', step '{step.step}': {step.target} matches no operation of {connector.label}")
        else:
            operation = operations.get(step.operation_id or "")
            if operation is None:
                notes.append(f"flow '{step.flow}', step '{step.step}': calls {step.target}, which {connector.label} does not have")
        keys = set(step.parameters) | set(path_keys)
        if operation is not None and step.body_fields and operation.body is not None:
            body = operation.body.name
            keys.update(f"{body}/{p}" if p else body for p in step.body_fields)
        bound.append(BoundStep(step, operation.id if operation else None, frozenset(keys)))
    return bound, notes


class _Routes:
    """Matches a Logic Apps step's method + path against the operations' path templates."""

    def __init__(self, connector: Connector) -> None:
        base = connector.swagger.get("basePath")
        self.base = base.rstrip("/") if isinstance(base, str) else ""
        self.templates = [(op, _template(op.path)) for op in connector.operations.values()]

    def match(self, method: str | None, path: str | None) -> tuple[Operation | None, tuple[str, ...]]:
        if not method or not path:
            return None, ()
        candidates = [_segments(path)]
        if self.base and path.lower().startswith(self.base.lower() + "/"):
            candidates.append(_segments(path[len(self.base):]))
        best: tuple[int, Operation, tuple[str, ...]] | None = None
        for segments in candidates:
            for op, template in self.templates:
                if op.method != method.lower() or len(template) != len(segments):
                    continue
                names: list[str] = []
                literal = 0
                for (pattern, params), segment in zip(template, segments):
                    if not params:
                        if pattern.fullmatch(segment) is None:
                            break
                        literal += 1
                    elif pattern.fullmatch(segment) is None:
                        break
                    names.extend(params)
                else:
                    if best is None or literal > best[0]:
                        best = (literal, op, tuple(names))
        return (best[1], best[2]) if best else (None, ())


def _template(path: str) -> list[tuple[re.Pattern, tuple[str, ...]]]:
    out = []
    for segment in path.strip("/").split("/"):
        params = tuple(re.findall(r"\{([^}]*)\}", segment))
        pieces = re.split(r"\{[^}]*\}", segment)
        pattern = "(.+)".join(re.escape(p) for p in pieces)
        out.append((re.compile(pattern, re.IGNORECASE), params))
    return out


def _segments(path: str) -> list[str]:
    """Split a flow's path on ``/`` outside ``@{...}`` expressions and quoted strings."""
    out, current, depth, quoted = [], [], 0, False
    text = path.strip()
    text = text[1:] if text.startswith("/") else text
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            quoted = ch != "'"
        elif ch == "'" and depth:
            quoted = True
        elif text.startswith("@{", i):
            depth += 1
            current.append("@{")
            i += 2
            continue
        elif ch == "}" and depth:
            depth -= 1
        elif ch == "/" and not depth:
            out.append("".join(current))
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    out.append("".join(current))
    return [s for s in out if s != ""] if text.rstrip("/") else []


# --------------------------------------------------------------------------- impacts

#: The impact class of a rule whose row declares none, by the kind of node it looks at.
_BY_KIND = {
    Kind.CONNECTOR: FlowImpact.CONNECTS, Kind.CONNECTION_PARAMETER: FlowImpact.CONNECTS,
    Kind.OPERATION: FlowImpact.CALLS, Kind.PARAMETER: FlowImpact.SENDS, Kind.REQUEST_PROPERTY: FlowImpact.SENDS,
    Kind.RESPONSE: FlowImpact.READS_ANY, Kind.RESPONSE_PROPERTY: FlowImpact.READS,
}


def impact_class(rule_id: str) -> FlowImpact:
    """The flow-impact class in a rule's row (by its kind when the row has none; an unknown
    rule, e.g. from a newer connver, hits like a connector-wide change)."""
    try:
        spec = get_rule(rule_id)
    except KeyError:
        return FlowImpact.CONNECTS
    return spec.impact or _BY_KIND[spec.kind]


def find_impacts(changes: Iterable[Change], bound: list[BoundStep]) -> list[Impact]:
    """Every (change, step) pair where the change hits what the step uses."""
    by_operation: dict[str, list[BoundStep]] = {}
    flows: dict[str, None] = {}
    for step in bound:
        flows.setdefault(step.flow)
        if step.operation is not None:
            by_operation.setdefault(step.operation, []).append(step)
    impacts: list[Impact] = []
    for change in changes:
        reach = impact_class(change.rule)
        if reach is FlowImpact.NONE:
            continue
        if change.operation is None:
            if reach is FlowImpact.CONNECTS:
                impacts.extend(Impact(change, flow, None, Reason.CONNECTS) for flow in flows)
            continue
        for step in by_operation.get(change.operation, ()):
            impact = _impact(change, reach, step)
            if impact is not None:
                impacts.append(impact)
    return impacts


def _impact(change: Change, reach: FlowImpact, step: BoundStep) -> Impact | None:
    detail = change.detail
    if reach in (FlowImpact.SENDS, FlowImpact.OMITS):
        key = detail.get("key") or detail.get("name")
        if not isinstance(key, str):
            return Impact(change, step.flow, step.step, Reason.CALLS, change.operation or "")
        if reach is FlowImpact.OMITS:
            if key in step.keys or _inside_unsent_object(key, step.keys):
                return None
            return Impact(change, step.flow, step.step, Reason.OMITS, key)
        sent = sorted(k for k in step.keys if _related(k, key))
        return Impact(change, step.flow, step.step, Reason.SENDS, sent[0]) if sent else None
    if reach in (FlowImpact.READS, FlowImpact.READS_ANY):
        reads = step.usage.reads
        if reach is FlowImpact.READS_ANY or "path" not in detail:
            return Impact(change, step.flow, step.step, Reason.READS, reads[0].path) if reads else None
        path = detail["path"] if detail["path"] != "(body)" else ""
        for read in reads:
            if read.kind is ReadKind.ITERATE:
                hit = path == read.path or _below(read.path, path) or path == f"{read.path}/items"
            else:
                hit = read.path == "" or _related(read.path, path)
            if hit:
                return Impact(change, step.flow, step.step, Reason.READS, read.path)
        return None
    if reach is FlowImpact.ROUTE and not step.usage.step_type.binds_by_path:
        return None  # flows bind to the operationId; only Logic Apps steps follow the route
    return Impact(change, step.flow, step.step, Reason.CALLS, change.operation or "")


def _related(a: str, b: str) -> bool:
    """Same path, or one inside the other (``body/a`` and ``body/a/b``)."""
    return a == b or a == "" or b == "" or a.startswith(b + "/") or b.startswith(a + "/")


def _below(path: str, ancestor: str) -> bool:
    return ancestor == "" or path.startswith(ancestor + "/")


def _inside_unsent_object(key: str, keys: frozenset[str]) -> bool:
    """A required field inside a nested object the step does not send at all."""
    parts = key.split("/")
    if len(parts) < 3:  # a parameter, or a top-level field of the body
        return False
    parent = "/".join(parts[:-1])
    return not any(_related(k, parent) for k in keys)
