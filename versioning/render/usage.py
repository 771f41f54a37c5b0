"""Renderers for flow usage (:class:`~versioning.flows.FlowSet`): text, markdown and json.

``operations`` optionally maps ``(flow, step)`` to the operationId a Logic Apps step was
bound to (``connver usage --connector``).
"""

from __future__ import annotations

import json
from typing import Any

from . import table

USAGE_RENDERERS = table("usage")  # rows of the one registry (see versioning.render)


def _calls(step, operations: dict | None) -> str:
    bound = (operations or {}).get((step.flow, step.step))
    if step.operation_id:
        return step.operation_id
    return f"{step.target} -> {bound}" if bound else step.target


def _reads(step) -> list[str]:
    return [(r.path or "(whole output)") + (" (iterated)" if r.kind.value == "iterate" else "") for r in step.reads]


def render_text(flows, *, operations: dict | None = None, **_: Any) -> str:
    lines: list[str] = []
    for flow in flows.flows:
        lines.append(f"flow '{flow.name}'  ({flow.source})")
        if not flow.steps:
            lines.append("  no connector steps")
        for step in flow.steps:
            kind = "trigger" if step.trigger else "action"
            lines.append(f"  {step.step}: {_calls(step, operations)}  [{kind}, {step.step_type.value}, {step.api_name}]")
            if step.parameters or step.body_fields:
                sent = list(step.parameters) + [f"(body) {p}" if p else "(body)" for p in step.body_fields]
                lines.append(f"      sends: {', '.join(sent)}")
            if step.reads:
                lines.append(f"      reads: {', '.join(_reads(step))}")
        lines.append("")
    if not flows.flows:
        lines.append("No flows found.")
    for warning in flows.warnings:
        lines.append(f"note: {warning}")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(flows, *, operations: dict | None = None, **_: Any) -> str:
    lines = ["# Flow usage", ""]
    for flow in flows.flows:
        lines.extend([f"## {flow.name}", "", f"Source: `{flow.source}`", ""])
        if not flow.steps:
            lines.extend(["No connector steps.", ""])
            continue
        lines.extend(["| Step | Calls | Connector | Sends | Reads |", "|---|---|---|---|---|"])
        for step in flow.steps:
            sent = ", ".join(f"`{k}`" for k in step.parameters)
            reads = ", ".join(f"`{r}`" for r in _reads(step))
            lines.append(f"| `{step.step}` | `{_calls(step, operations)}` | `{step.api_name}` | {sent} | {reads} |")
        lines.append("")
    if not flows.flows:
        lines.append("No flows found.")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(flows, *, operations: dict | None = None, **_: Any) -> str:
    data = flows.to_dict()
    if operations:
        for flow in data["flows"]:
            for step in flow["steps"]:
                step["bound_operation"] = operations.get((flow["name"], step["step"]))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
