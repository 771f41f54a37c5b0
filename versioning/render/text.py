"""Plain-text output for a terminal: grouped by level, most severe first."""

from __future__ import annotations

from typing import Any

from ..changes import Level

_COLOURS = {
    Level.BREAKING: "\x1b[1;31m",
    Level.RISKY: "\x1b[33m",
    Level.DEPRECATION: "\x1b[35m",
    Level.ADDITIVE: "\x1b[32m",
    Level.COSMETIC: "\x1b[2m",
}
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"


class Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text


def side_line(connector) -> str:
    title = connector.title or "(no title)"
    version = connector.version or "(no version)"
    return f"{connector.label}  [{title} {version}]"


def summary_line(summary: dict[Level, int]) -> str:
    return ", ".join(f"{n} {level.value}" for level, n in summary.items())


def render_diff(result, *, color: bool = False, **_: Any) -> str:
    paint = Paint(color)
    lines = [f"old: {side_line(result.old)}", f"new: {side_line(result.new)}", ""]
    if not result.changes:
        lines.append("No changes." if not result.ignored else f"No changes ({result.ignored} ignored by configuration).")
    for level, changes in result.by_level().items():
        if not changes:
            continue
        lines.append(paint(f"{level.value.upper()} ({len(changes)})", _COLOURS[level]))
        for change in changes:
            lines.append(f"  {change.message}  {paint('[' + change.rule + ']', _DIM)}")
            lines.append(paint(f"      at {change.location}", _DIM))
        lines.append("")
    if result.changes:
        extra = f"; {result.ignored} ignored by configuration" if result.ignored else ""
        lines.append(paint("Summary: ", _BOLD) + summary_line(result.summary) + extra)
    for key, value in result.extra.items():
        if hasattr(value, "text_lines"):
            lines.extend(value.text_lines())
    return "\n".join(lines).rstrip("\n") + "\n"


# --- connver bump ---------------------------------------------------------------------------

def bump_counts(report) -> str:
    """``146 breaking`` / ``2 additive, 1 risky`` for the changes that drove a bump."""
    if not report.drivers:
        return "no changes" if report.level.value == "none" else ""
    counts: dict[str, int] = {}
    for change in report.drivers:
        counts[change.level.value] = counts.get(change.level.value, 0) + 1
    return ", ".join(f"{n} {level}" for level, n in counts.items())


def bump_summary_lines(report) -> list[str]:
    """The version lines ``connver diff`` adds below its summary."""
    if report.next is None:
        return ["", f"Version: {report.level.value} bump; no next version: {report.error}"]
    return ["", f"Version: {report.level.value} bump, {report.current} -> {report.next}; "
                f"declared {report.declared or '(none)'}: {report.status}"]


def render_bump(result, *, report, limit: int = 10, color: bool = False, **_: Any) -> str:
    paint = Paint(color)
    counts = bump_counts(report)
    lines = [f"old: {side_line(result.old)}", f"new: {side_line(result.new)}", ""]
    lines.append(paint("Bump:     ", _BOLD) + report.level.value + (f" ({counts})" if counts else ""))
    lines.append(paint("Current:  ", _BOLD) + (report.current or "(none)"))
    if report.next is None:
        lines.append(paint("Next:     ", _BOLD) + f"cannot tell: {report.error}")
    else:
        lines.append(paint("Next:     ", _BOLD) + report.next)
        lines.append(paint("Declared: ", _BOLD) + (report.declared or "(none)"))
        status_colour = "\x1b[32m" if report.ok and not report.check.warning else (
            "\x1b[33m" if report.ok else "\x1b[1;31m")
        lines.append(paint("Check:    ", _BOLD) + paint(report.message, status_colour))
    if report.drivers:
        shown = report.drivers if limit <= 0 else report.drivers[:limit]
        lines += ["", f"Changes that drove it ({len(report.drivers)}, most severe first):"]
        for change in shown:
            lines.append(f"  {paint(change.level.value, _COLOURS[change.level])}  {change.message}  "
                         f"{paint('[' + change.rule + ']', _DIM)}")
            lines.append(paint(f"      at {change.location}", _DIM))
        if len(shown) < len(report.drivers):
            lines.append(f"  ... and {len(report.drivers) - len(shown)} more (--limit 0 shows all)")
    ops = report.operations
    if ops is not None and (ops.families or ops.findings):
        lines += ["", f"Operation families ({len(ops.families)}):" if ops.families
                  else "Operation families: none (no x-ms-api-annotation family)"]
        for family in ops.families:
            members = ", ".join(
                f"{m.operation} r{m.revision}" + (" deprecated" if m.deprecated else "") for m in family.members)
            lines.append(f"  {family.name}: {members}")
        findings = ops.findings if limit <= 0 else ops.findings[:limit]
        if findings:
            lines += ["", f"Operation versioning warnings ({len(ops.findings)}):"]
        for finding in findings:
            lines.append(paint(f"  warning: {finding.message}  [{finding.kind.value}]", "\x1b[33m"))
        if len(findings) < len(ops.findings):
            lines.append(f"  ... and {len(ops.findings) - len(findings)} more warnings (--limit 0 shows all)")
    return "\n".join(lines) + "\n"
