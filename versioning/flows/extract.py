"""One parsed flow document to its connector steps: operation, parameters sent, outputs read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from .model import FlowUsage, OutputRead, ReadKind, StepType, StepUsage



def extract_flows(document: Any, *, name: str, source: str) -> list[FlowUsage]:
    """The flows held in one parsed JSON document.

    Recognised shapes: a solution workflow or legacy ``definition.json``
    (``properties.definition``), Logic Apps code view (``definition``), a bare definition
    (``triggers`` / ``actions``) and an ARM template of ``Microsoft.Logic/workflows``.
    """
    if not isinstance(document, dict):
        return []
    if isinstance(document.get("resources"), list):  # ARM template
        flows = []
        for resource in document["resources"]:
            if isinstance(resource, dict) and str(resource.get("type", "")).lower() == "microsoft.logic/workflows":
                props = resource.get("properties") or {}
                label = resource.get("name") if isinstance(resource.get("name"), str) else name
                flows.extend(_flow_from(props, props.get("definition"), label, source, outer=props))
        if flows:
            return flows
    props = document.get("properties")
    if isinstance(props, dict) and isinstance(props.get("definition"), dict):
        return _flow_from(props, props["definition"], name, source, outer=document)
    if isinstance(document.get("definition"), dict):
        return _flow_from(document, document["definition"], name, source, outer=document)
    if "triggers" in document or "actions" in document:
        return _flow_from({}, document, name, source, outer=document)
    return []


def _flow_from(props: dict, definition: Any, name: str, source: str, *, outer: dict) -> list[FlowUsage]:
    if not isinstance(definition, dict) or not ("triggers" in definition or "actions" in definition):
        return []
    display = props.get("displayName") if isinstance(props.get("displayName"), str) else None
    connections = _connection_apis(props, definition, outer)
    steps = _Extractor(display or name, definition, connections).run()
    return [FlowUsage(display or name, source, tuple(steps))]


def _connection_apis(props: dict, definition: dict, outer: dict) -> dict[str, str]:
    """Connection (reference) name -> api name, from every place exports keep them."""
    apis: dict[str, str] = {}
    refs = props.get("connectionReferences")
    if isinstance(refs, dict):
        for key, ref in refs.items():
            if not isinstance(ref, dict):
                continue
            api = _dig(ref, "api", "name") or ref.get("apiName") or ref.get("id") or _dig(ref, "api", "id")
            if isinstance(api, str) and api:
                apis[key.lower()] = api
    for holder in (
        _dig(definition, "parameters", "$connections", "defaultValue"),
        _dig(props, "parameters", "$connections", "value"),
        _dig(outer, "parameters", "$connections", "value"),
    ):
        if isinstance(holder, dict):
            for key, value in holder.items():
                api = value.get("id") if isinstance(value, dict) else None
                if isinstance(api, str) and api:
                    apis.setdefault(key.lower(), api)
    return apis


# --------------------------------------------------------------------------- steps


_CONNECTOR_TYPES = {t.value.lower(): t for t in StepType}
_CONNECTION_KEY = re.compile(r"\$connections'\)\s*\[\s*'([^']+)'\s*\]")


@dataclass
class _Step:
    name: str
    step_type: StepType
    api: str
    trigger: bool
    operation_id: str | None
    method: str | None
    path: str | None
    parameters: set[str]
    body_fields: set[str]
    reads: set[OutputRead] = field(default_factory=set)


class _Extractor:
    """Walks one definition: connector steps first, then every expression for output reads."""

    def __init__(self, flow: str, definition: dict, connections: dict[str, str]) -> None:
        self.flow = flow
        self.definition = definition
        self.connections = connections
        self.steps: dict[str, _Step] = {}  # lowercased step name -> step
        self.trigger: _Step | None = None
        self.trigger_prefix: tuple[str, ...] = ()

    def run(self) -> list[StepUsage]:
        triggers = self.definition.get("triggers")
        if isinstance(triggers, dict):
            for name, trigger in triggers.items():
                if isinstance(trigger, dict):
                    step = self._step(name, trigger, trigger=True)
                    if step is not None:
                        self.trigger = step
        for name, action in _walk_actions(self.definition.get("actions")):
            self._step(name, action, trigger=False)

        if isinstance(triggers, dict):
            for trigger in triggers.values():
                if isinstance(trigger, dict) and isinstance(trigger.get("splitOn"), str):
                    ref = _parse_ref(trigger["splitOn"], {}, ())
                    if ref is not None and ref[0] is _TRIGGER:
                        self.trigger_prefix = ref[1] + ("items",)
                        self._record(_TRIGGER, ref[1], ReadKind.ITERATE)
            for trigger in triggers.values():
                if isinstance(trigger, dict):
                    self._scan({k: v for k, v in trigger.items() if k != "splitOn"}, ())
        self._scan_actions(self.definition.get("actions"), ())
        self._scan(self.definition.get("outputs"), ())

        return [
            StepUsage(
                flow=self.flow,
                step=s.name,
                step_type=s.step_type,
                api=s.api,
                trigger=s.trigger,
                operation_id=s.operation_id,
                method=s.method,
                path=s.path,
                parameters=tuple(sorted(s.parameters)),
                body_fields=tuple(sorted(s.body_fields)),
                reads=tuple(sorted(s.reads)),
            )
            for s in self.steps.values()
        ]

    # -- connector steps

    def _step(self, name: str, node: dict, *, trigger: bool) -> _Step | None:
        step_type = _CONNECTOR_TYPES.get(str(node.get("type", "")).lower())
        if step_type is None:
            return None
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        host = inputs.get("host") if isinstance(inputs.get("host"), dict) else {}
        if step_type.binds_by_path:
            step = _Step(
                name, step_type, self._api_of_connection(host), trigger, None,
                str(inputs.get("method") or "").lower() or None,
                inputs.get("path") if isinstance(inputs.get("path"), str) else None,
                {k for section in ("queries", "headers") for k in _keys(inputs.get(section))},
                set(_body_paths(inputs["body"])) if "body" in inputs else set(),
            )
        else:
            operation_id = host.get("operationId") if isinstance(host.get("operationId"), str) else None
            step = _Step(
                name, step_type, self._api_of_host(host), trigger, operation_id, None, None,
                set(_parameter_keys(inputs.get("parameters"))), set(),
            )
        self.steps[name.lower()] = step
        return step

    def _api_of_host(self, host: dict) -> str:
        api_id = host.get("apiId")
        if isinstance(api_id, str) and api_id:
            return api_id
        connection = host.get("connectionName") or _dig(host, "connection", "referenceName") or _dig(host, "connection", "name")
        if isinstance(connection, str) and connection:
            return self.connections.get(connection.lower(), connection)
        return ""

    def _api_of_connection(self, host: dict) -> str:
        reference = _dig(host, "connection", "referenceName")
        name = _dig(host, "connection", "name")
        key = reference if isinstance(reference, str) else None
        if key is None and isinstance(name, str):
            match = _CONNECTION_KEY.search(name)
            key = match.group(1) if match else name
        if not key:
            return ""
        return self.connections.get(key.lower(), key)

    # -- output reads

    def _scan_actions(self, actions: Any, loops: tuple) -> None:
        if not isinstance(actions, dict):
            return
        for name, action in actions.items():
            if not isinstance(action, dict):
                continue
            inner_loops = loops
            kind = str(action.get("type", "")).lower()
            if kind == "foreach" and isinstance(action.get("foreach"), str):
                binding = self._iterate(action["foreach"], loops)
                inner_loops = loops + ((name.lower(), binding),)
                rest = {k: v for k, v in action.items() if k not in ("foreach", "actions")}
                self._scan(rest, loops)
            elif kind in ("query", "select", "table") and isinstance(action.get("inputs"), dict):
                inputs = action["inputs"]
                binding = self._iterate(inputs.get("from"), loops) if isinstance(inputs.get("from"), str) else None
                rest = {k: v for k, v in inputs.items() if k != "from"}
                self._scan(rest, loops + ((name.lower(), binding),))
                self._scan({k: v for k, v in action.items() if k not in ("inputs", "actions")}, loops)
            else:
                self._scan({k: v for k, v in action.items() if k not in ("actions", "else", "cases", "default")}, loops)
            self._scan_actions(action.get("actions"), inner_loops)
            self._scan_actions(_dig(action, "else", "actions"), loops)
            self._scan_actions(_dig(action, "default", "actions"), loops)
            cases = action.get("cases")
            if isinstance(cases, dict):
                for case in cases.values():
                    self._scan_actions(_dig(case, "actions"), loops)

    def _iterate(self, expression: str, loops: tuple) -> tuple | None:
        ref = _parse_ref(expression, dict(loops), self.trigger_prefix)
        if ref is None:
            return None
        self._record(ref[0], ref[1], ReadKind.ITERATE)
        return (ref[0], ref[1] + ("items",))

    def _scan(self, node: Any, loops: tuple) -> None:
        if isinstance(node, str):
            if "(" in node:
                for target, path in _find_refs(node, dict(loops), self.trigger_prefix):
                    self._record(target, path, ReadKind.FIELD)
        elif isinstance(node, dict):
            for value in node.values():
                self._scan(value, loops)
        elif isinstance(node, list):
            for value in node:
                self._scan(value, loops)

    def _record(self, target: Any, path: tuple[str, ...], kind: ReadKind) -> None:
        step = self.trigger if target is _TRIGGER else self.steps.get(str(target).lower())
        if step is not None:
            step.reads.add(OutputRead("/".join(path), kind))


def _walk_actions(actions: Any) -> Iterator[tuple[str, dict]]:
    """Every action at any depth: Scope/Foreach/Until/If (actions, else) and Switch cases."""
    if not isinstance(actions, dict):
        return
    for name, action in actions.items():
        if not isinstance(action, dict):
            continue
        yield name, action
        yield from _walk_actions(action.get("actions"))
        yield from _walk_actions(_dig(action, "else", "actions"))
        yield from _walk_actions(_dig(action, "default", "actions"))
        cases = action.get("cases")
        if isinstance(cases, dict):
            for case in cases.values():
                yield from _walk_actions(_dig(case, "actions"))


def _keys(value: Any) -> list[str]:
    return [k for k in value] if isinstance(value, dict) else []


def _parameter_keys(parameters: Any) -> Iterator[str]:
    """Flat parameter keys; an object value also yields ``key/sub`` for each nested key."""
    if not isinstance(parameters, dict):
        return
    for key, value in parameters.items():
        yield key
        yield from (f"{key}/{sub}" for sub in _object_paths(value))


def _body_paths(body: Any) -> list[str]:
    return [""] + list(_object_paths(body))


def _object_paths(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from (f"{key}/{sub}" for sub in _object_paths(inner))


# --------------------------------------------------------------------------- expressions

_TRIGGER = object()  # reads of the flow's trigger

_REF = re.compile(
    r"(?P<wrap>\b(?:first|last)\(\s*)?"
    r"\b(?P<fn>body|outputs|items|triggerBody|triggerOutputs|item)\(\s*(?:'(?P<arg>(?:[^']|'')*)')?\s*\)",
    re.IGNORECASE,
)
_ACCESSOR = re.compile(r"\s*\??\s*(?:\[\s*(?:'(?P<key>(?:[^']|'')*)'|(?P<index>\d+))\s*\]|\.(?P<prop>[A-Za-z_]\w*))")


def _chain(text: str, pos: int) -> tuple[list[str], int]:
    segments: list[str] = []
    while True:
        match = _ACCESSOR.match(text, pos)
        if not match:
            return segments, pos
        if match.group("index") is not None:
            segments.append("\0index")
        else:
            segments.append((match.group("key") if match.group("key") is not None else match.group("prop")).replace("''", "'"))
        pos = match.end()


def _find_refs(text: str, loops: dict, trigger_prefix: tuple) -> Iterator[tuple[Any, tuple[str, ...]]]:
    for match in _REF.finditer(text):
        resolved = _resolve(match, text, loops, trigger_prefix)
        if resolved is not None:
            yield resolved


def _parse_ref(expression: str, loops: dict, trigger_prefix: tuple) -> tuple[Any, tuple[str, ...]] | None:
    """The single output reference an iteration source names (``@body('X')?['value']``)."""
    match = _REF.search(expression)
    return _resolve(match, expression, loops, trigger_prefix) if match else None


def _resolve(match: re.Match, text: str, loops: dict, trigger_prefix: tuple) -> tuple[Any, tuple[str, ...]] | None:
    fn = match.group("fn").lower()
    arg = (match.group("arg") or "").replace("''", "'")
    segments, end = _chain(text, match.end())
    if match.group("wrap"):
        close = re.match(r"\s*\)", text[end:])
        if close:  # first(ref[...]) / last(ref[...]): one element of the array, then more accessors
            more, _ = _chain(text, end + close.end())
            segments = segments + ["\0index"] + more

    if fn == "body":
        target, base = arg, ()
    elif fn == "outputs":
        if not segments:
            target, base = arg, ()
        else:
            head = segments[0].split("/")
            if head[0] != "body":
                return None  # headers, statusCode
            target, base, segments = arg, (), [p for p in head[1:] if p] + segments[1:]
    elif fn == "triggerbody":
        target, base = _TRIGGER, trigger_prefix
    elif fn == "triggeroutputs":
        if not segments:
            return (_TRIGGER, trigger_prefix)
        head = segments[0].split("/")
        if head[0] != "body":
            return None
        target, base, segments = _TRIGGER, trigger_prefix, [p for p in head[1:] if p] + segments[1:]
    elif fn in ("items", "item"):
        key = arg.lower() if fn == "items" else (next(reversed(loops)) if loops else None)
        binding = loops.get(key) if key is not None else None
        if binding is None:
            return None
        target, base = binding
    else:  # pragma: no cover - the regex admits nothing else
        return None
    path = tuple(base) + tuple("items" if s == "\0index" else s for s in segments)
    return (target, path)


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value

