"""Plain-text output for a terminal: grouped by level, most severe first."""

from __future__ import annotations

from typing import Any

from ..changes import Level, printable

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
    return printable(f"{connector.label}  [{title} {version}]")


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


# --------------------------------------------------------------------------- connver audit

_LEVEL_HEADS = {
    Level.BREAKING: "breaking",
    Level.RISKY: "risky",
    Level.DEPRECATION: "deprec.",
    Level.ADDITIVE: "additive",
    Level.COSMETIC: "cosmetic",
}


def version_cell(entry) -> str:
    """``old → new`` as declared; one side for an added or removed connector."""
    old = "?" if entry.old_unreadable else entry.old_version or "(none)"
    new = entry.new_version or "(none)"
    if entry.status.value == "added":
        return f"→ {new}"
    if entry.status.value == "removed":
        return f"{old} →"
    if entry.status.value == "error":
        return "?"
    return f"{old} → {new}"


def version_ok_cell(entry) -> str:
    """``yes``, ``yes (larger)`` or ``no (under-bumped)`` etc.; ``-`` where it does not apply."""
    ok = entry.version_ok
    if ok is None:
        return "-"
    check = entry.version_check
    status = check.status.value if check is not None else "unreadable"
    if ok:
        return "yes" if status == "ok" else f"yes ({status})"
    return f"no ({status})"


def audit_counts(result) -> str:
    """The counts of an audit's summary line: every level, a removed connector counted as
    breaking (and said so), then connectors that could not be read, load warnings and
    declared versions that are not enough."""
    removed = sum(1 for e in result.connectors if e.status.value == "removed")
    unreadable = sum(1 for e in result.connectors if e.status.value == "error")
    parts = [f"{n} {level.value}" for level, n in result.counts.items()]
    if removed:
        parts[0] += f" (incl. {removed} removed connector{'s' if removed > 1 else ''})"
    text = ", ".join(parts)
    if unreadable:
        text += f"; {unreadable} could not be read" + (" or had input defects (--strict)" if result.strict else "")
    warned = sum(len(e.warnings) for e in result.connectors)
    if warned:
        text += f"; {warned} load warning(s)"
    dangling = sum(len(e.dangling) for e in result.connectors)
    if dangling:
        text += f"; {dangling} new dangling reference(s)"
    before = sum(len(e.dangling_before) for e in result.connectors)
    if before:
        text += f"; {before} dangling reference(s) from before"
    short = sum(1 for e in result.connectors if e.version_ok is False)
    if short:
        text += f"; {short} declared version(s) not enough"
    unaudited = len(getattr(result, "unaudited", ()))
    if unaudited:
        text += f"; {unaudited} changed definition file(s) not audited"
    return text


def level_cells(entry, levels) -> list[str]:
    """The per-level counts of a table row: a removed connector shows as one breaking
    change; a connector that could not be read has no counts (``?``)."""
    if entry.status.value == "error":
        return ["?" for _ in levels]
    counts = entry.counts
    return [str(counts[level]) for level in levels]


def range_line(result) -> str:
    rng = result.range
    counts = ", ".join(f"{n} {status.value}" for status, n in result.statuses.items() if n)
    base = f", merge base {rng.old_commit[:8]}" if rng.merge_base else ""
    return (f"{rng.spec}  ({rng.from_commit[:8]}..{rng.to_commit[:8]}{base}): "
            f"{len(result.connectors)} connector(s){': ' + counts if counts else ''}")


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return out


def render_audit(result, *, color: bool = False, top: int = 3, **_: Any) -> str:
    """A summary table (one row per connector), then the most severe findings of each."""
    paint = Paint(color)
    lines = [paint("connver audit ", _BOLD) + range_line(result), ""]
    if not result.connectors:
        lines.append("No connector definitions changed in this range.")
        lines.extend(_unaudited_lines(result, paint))
        return "\n".join(lines) + "\n"
    head = ["connector", "status", "version", "bump", "version ok"] + [_LEVEL_HEADS[lv] for lv in _LEVEL_HEADS]
    rows = [head]
    for entry in result.connectors:
        rows.append([entry.path, entry.status.value, version_cell(entry), entry.bump.value if entry.bump else "-",
                     version_ok_cell(entry)] + level_cells(entry, _LEVEL_HEADS))
    table = _table(rows, right=set(range(5, len(head))))
    lines.append(paint(table[0], _BOLD))
    lines.extend(table[1:])
    lines.append("")
    details = [e for e in result.connectors
               if e.changes or e.error or e.warnings or e.dangling or e.dangling_before
               or e.status.value in ("removed", "added")]
    if details:
        lines.append(paint("Most severe findings" + (f" (up to {top} per connector)" if top else ""), _BOLD))
    for entry in details:
        lines.append(f"{entry.path}")
        if entry.error:
            lines.append("  " + paint(f"{'error':<11}", _COLOURS[Level.BREAKING]) + f" {entry.error}")
        elif entry.status.value == "removed":
            lines.append("  " + paint(f"{'breaking':<11}", _COLOURS[Level.BREAKING]) + " the connector was removed")
        elif entry.status.value == "added":
            lines.append("  " + paint(f"{'additive':<11}", _COLOURS[Level.ADDITIVE]) + " the connector was added")
        shown = entry.changes[:top] if top else entry.changes
        for change in shown:
            lines.append("  " + paint(f"{change.level.value:<11}", _COLOURS[change.level])
                         + f" {change.message}  {paint('[' + change.rule + ']', _DIM)}")
        if len(entry.changes) > len(shown):
            lines.append(paint(f"  ... and {len(entry.changes) - len(shown)} more", _DIM))
        if entry.version_ok is False and entry.version_message:
            lines.append(paint(f"  version: {entry.version_message}", _DIM))
        for item in entry.dangling:  # every one: each breaks the connector on the platform
            lines.append("  " + paint(f"{'error':<11}", _COLOURS[Level.BREAKING]) + f" {item.message}"
                         f"  {paint('[dangling-reference]', _DIM)}")
        for item in entry.dangling_before:
            lines.append("  " + paint(f"{'warning':<11}", _COLOURS[Level.RISKY]) + f" {item.message} (dangled before)"
                         f"  {paint('[dangling-reference]', _DIM)}")
        for warning in entry.warnings:  # every one: a defect can hide a part of the comparison
            lines.append("  " + paint(f"{'warning':<11}", _COLOURS[Level.RISKY]) + f" {warning}")
    if details:
        lines.append("")
    lines.extend(_unaudited_lines(result, paint))
    lines.append(paint("Summary: ", _BOLD) + audit_counts(result))
    return "\n".join(lines).rstrip("\n") + "\n"


def _unaudited_lines(result, paint) -> list[str]:
    """The changed definition files no audited connector holds: never left out silently."""
    items = getattr(result, "unaudited", ())
    if not items:
        return []
    out = [paint(f"Not audited ({len(items)} changed definition file(s))", _BOLD)]
    out.extend("  " + paint(f"{'warning':<11}", _COLOURS[Level.RISKY]) + f" {item}" for item in items)
    return out + [""]


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
