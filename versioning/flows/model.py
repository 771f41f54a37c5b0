"""What flows use of a connector, as frozen records: per flow, per step, a :class:`StepUsage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

class StepType(str, Enum):
    """The kinds of flow step that call a custom or certified connector."""

    OPENAPI = "OpenApiConnection"
    OPENAPI_WEBHOOK = "OpenApiConnectionWebhook"
    API = "ApiConnection"
    API_WEBHOOK = "ApiConnectionWebhook"

    def __str__(self) -> str:
        return self.value

    @property
    def binds_by_path(self) -> bool:
        """Logic Apps steps name method + path, not an operationId."""
        return self in (StepType.API, StepType.API_WEBHOOK)


class ReadKind(str, Enum):
    """How a flow reads an output: a field's value, or iterating over an array."""

    FIELD = "field"
    ITERATE = "iterate"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class OutputRead:
    """One output path a flow reads from a step (``""`` is the whole body)."""

    path: str
    kind: ReadKind = ReadKind.FIELD


@dataclass(frozen=True)
class StepUsage:
    """One connector step of one flow and what it uses.

    ``api`` is the connector's name as the flow refers to it (``shared_contoso-20invoices``
    or, for Logic Apps, the managed/custom API name). ``parameters`` are the keys sent
    (OpenApiConnection's flat keys; for ApiConnection the query and header names);
    ``body_fields`` are the body paths an ApiConnection step sends (``""``: the whole body),
    which become ``<bodyParam>/<path>`` once bound to an operation.
    """

    flow: str
    step: str
    step_type: StepType
    api: str
    trigger: bool = False
    operation_id: str | None = None
    method: str | None = None
    path: str | None = None
    parameters: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = ()
    reads: tuple[OutputRead, ...] = ()

    @property
    def api_name(self) -> str:
        """The last segment of ``api`` (``shared_contoso`` for ``/providers/.../apis/shared_contoso``)."""
        return self.api.rstrip("/").rsplit("/", 1)[-1]

    @property
    def target(self) -> str:
        """What the step calls: the operationId, or ``METHOD /path`` for Logic Apps."""
        if self.operation_id:
            return self.operation_id
        return f"{(self.method or '?').upper()} {self.path or '?'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "type": self.step_type.value,
            "trigger": self.trigger,
            "api": self.api,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "parameters": list(self.parameters),
            "body_fields": list(self.body_fields),
            "reads": [{"path": r.path, "kind": r.kind.value} for r in self.reads],
        }


@dataclass(frozen=True)
class FlowUsage:
    """One flow: its display name, where it came from, and its connector steps."""

    name: str
    source: str
    steps: tuple[StepUsage, ...] = ()

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(sorted({s.api for s in self.steps}))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "steps": [s.to_dict() for s in self.steps]}


@dataclass(frozen=True)
class FlowSet:
    """Every flow read from the given paths, plus what was skipped and why."""

    flows: tuple[FlowUsage, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(sorted({a for f in self.flows for a in f.apis}))

    def steps(self, api_names: Iterable[str] | None = None) -> list[StepUsage]:
        """Every connector step, or only those calling one of ``api_names``."""
        names = list(api_names) if api_names is not None else None
        return [
            s
            for f in self.flows
            for s in f.steps
            if names is None or any(api_matches(s.api, n) for n in names)
        ]

    def only(self, api_names: Iterable[str]) -> "FlowSet":
        """The same flows with only the steps that call one of ``api_names``."""
        names = list(api_names)
        flows = tuple(
            FlowUsage(f.name, f.source, tuple(s for s in f.steps if any(api_matches(s.api, n) for n in names)))
            for f in self.flows
        )
        return FlowSet(flows, self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {"flows": [f.to_dict() for f in self.flows], "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- api names


def _api_key(name: str) -> str:
    last = name.rstrip("/").rsplit("/", 1)[-1].strip().lower()
    return last[len("shared_"):] if last.startswith("shared_") else last


def api_matches(api: str, identity: str) -> bool:
    """Whether a flow's api reference names the connector ``identity``.

    Both may be full ids (``/providers/Microsoft.PowerApps/apis/shared_x``) or bare names, with
    or without the ``shared_`` prefix; the comparison ignores case.

    >>> api_matches("/providers/Microsoft.PowerApps/apis/shared_contoso", "contoso")
    True
    >>> api_matches("shared_contoso", "shared_contoso2")
    False
    """
    return bool(api) and bool(identity) and _api_key(api) == _api_key(identity)
