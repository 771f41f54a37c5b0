"""Text, Markdown and JSON for a :class:`~versioning.consistency.CheckResult` (``connver check``).

The CI formats (github, azure, sarif) render it from :func:`~versioning.render.findings.check_findings`
in their own modules, as they do diffs and audits.
"""

from __future__ import annotations

from typing import Any

from .json import dumps
from .markup import code, md, md_cell


def _where(item) -> str:
    place = item.file + (f":{item.line}" + (f":{item.column}" if item.column else "") if item.line else "")
    return f"{place} {item.pointer}"


def summary(result) -> str:
    count = len(result.dangling)
    unread = len(result.errors)
    tail = f"; {unread} could not be read" if unread else ""
    if not count:
        checked = len(result.reports) - unread
        if not checked:
            return f"no connector checked: {unread} could not be read"
        return f"{checked} connector(s) checked: every reference resolves" + tail
    bad = sum(1 for report in result.reports if report.dangling)
    return f"{count} dangling reference(s) in {bad} of {len(result.reports)} connector(s)" + tail


def render_text(result, **_: Any) -> str:
    lines = []
    for report in result.reports:
        if report.error is not None:
            lines.append(f"{report.label}: error: {report.error}")
            continue
        lines.append(f"{report.label}: " + ("consistent" if report.ok else f"{len(report.dangling)} dangling reference(s)"))
        for warning in report.warnings:
            lines.append(f"  warning: {warning}")
        for item in report.dangling:
            lines.append(f"  {item.kind.value}: {item.message}")
            lines.append(f"    at {_where(item)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def render_markdown(result, **_: Any) -> str:
    lines = ["# Consistency check", "", f"**{md(summary(result))}**", ""]
    for report in result.reports:
        lines.extend([f"## {md(report.label)}", ""])
        if report.error is not None:
            lines.extend([f"- error: {md(report.error)}", ""])
            continue
        for warning in report.warnings:
            lines.append(f"- warning: {md(warning)}")
        if report.ok:
            lines.extend(["Every reference resolves.", ""])
            continue
        lines.extend(["| Kind | Reference | File | Line | Pointer |", "|---|---|---|---|---|"])
        for item in report.dangling:
            lines.append(f"| `{item.kind.value}` | {md_cell(item.message)} | {md_cell(item.file)} | "
                         f"{item.line or ''} | {code(item.pointer).replace('|', chr(92) + '|')} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(result, **_: Any) -> str:
    return dumps(result.to_dict())
