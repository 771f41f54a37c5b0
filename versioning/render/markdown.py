"""Markdown output, for a pull request description or comment."""

from __future__ import annotations

from typing import Any

from ..changes import Level

_TITLES = {
    Level.BREAKING: "Breaking changes",
    Level.RISKY: "Risky changes (review)",
    Level.DEPRECATION: "Deprecations",
    Level.ADDITIVE: "Additions",
    Level.COSMETIC: "Cosmetic changes",
}


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def heading(result) -> str:
    def side(c) -> str:
        return f"{c.title or c.label} {c.version or '(no version)'}"

    return f"## connver: {side(result.old)} → {side(result.new)}"


def render_diff(result, **_: Any) -> str:
    out = [heading(result), ""]
    if not result.changes:
        out.append("No changes.")
        return "\n".join(out) + "\n"
    out.append("| Level | Changes |")
    out.append("|---|---:|")
    for level, n in result.summary.items():
        out.append(f"| {level.value} | {n} |")
    out.append("")
    for level, changes in result.by_level().items():
        if not changes:
            continue
        fold = level is Level.COSMETIC
        if fold:
            out.append(f"<details><summary>{_TITLES[level]} ({len(changes)})</summary>")
            out.append("")
        else:
            out.append(f"### {_TITLES[level]} ({len(changes)})")
            out.append("")
        out.append("| Change | Location | Rule |")
        out.append("|---|---|---|")
        for change in changes:
            out.append(f"| {cell(change.message)} | `{cell(change.location)}` | `{change.rule}` |")
        out.append("")
        if fold:
            out.append("</details>")
            out.append("")
    if result.ignored:
        out.append(f"_{result.ignored} change(s) ignored by configuration._")
        out.append("")
    for value in result.extra.values():
        if hasattr(value, "markdown_lines"):
            out.extend(value.markdown_lines())
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- connver audit

def render_audit(result, *, top: int = 10, **_: Any) -> str:
    """A pull-request comment: a table of connectors, then the top findings of each, folded."""
    from .text import audit_counts, level_cells, version_cell, version_ok_cell

    rng = result.range
    out = [f"## connver audit: `{cell(rng.spec)}`", ""]
    base = f", merge base `{rng.old_commit[:8]}`" if rng.merge_base else ""
    out.append(f"`{rng.from_commit[:8]}..{rng.to_commit[:8]}`{base}: {len(result.connectors)} connector(s) with "
               "changed definition files"
               + "".join(f", {n} {status.value}" for status, n in result.statuses.items() if n) + ".")
    out.append("")
    if not result.connectors:
        return "\n".join(out).rstrip("\n") + "\n"
    out.append(f"Summary: {cell(audit_counts(result))}.")
    out.append("")
    levels = list(_TITLES)
    out.append("| Connector | Status | Version | Bump | Version enough? | " + " | ".join(lv.value for lv in levels) + " |")
    out.append("|---|---|---|---|---|" + "---:|" * len(levels))
    for entry in result.connectors:
        out.append(f"| `{cell(entry.path)}` | {entry.status.value} | {cell(version_cell(entry))} | "
                   f"{entry.bump.value if entry.bump else '-'} | {cell(version_ok_cell(entry))} | "
                   + " | ".join(level_cells(entry, levels)) + " |")
    out.append("")
    for entry in result.connectors:
        if not (entry.changes or entry.error or entry.warnings or entry.version_ok is False):
            continue
        counts = ", ".join(f"{n} {lv.value}" for lv, n in entry.summary.items() if n)
        label = "could not be loaded" if entry.error else counts or entry.status.value
        if entry.warnings:
            label += f", {len(entry.warnings)} load warning(s)"
        out.append(f"<details><summary><code>{_html(entry.path)}</code>: {_html(label)}</summary>")
        out.append("")
        if entry.error:
            out.append(f"Error: `{cell(entry.error)}`")
            out.append("")
        if entry.version_ok is False and entry.version_message:
            out.append(f"Version: {cell(entry.version_message)}")
            out.append("")
        if entry.changes:
            shown = entry.changes[:top] if top else entry.changes
            out.append("| Level | Change | Location | Rule |")
            out.append("|---|---|---|---|")
            for change in shown:
                out.append(f"| {change.level.value} | {cell(change.message)} | `{cell(change.location)}` | "
                           f"`{change.rule}` |")
            if len(entry.changes) > len(shown):
                out.append("")
                out.append(f"_... and {len(entry.changes) - len(shown)} more (see `connver diff`)._")
            out.append("")
        for warning in entry.warnings:
            out.append(f"- warning: `{cell(warning)}`")
        if entry.warnings:
            out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- connver bump ---------------------------------------------------------------------------

def bump_summary_lines(report) -> list[str]:
    """The version paragraph ``connver diff`` adds at the end."""
    if report.next is None:
        return [f"**Version:** {report.level.value} bump; no next version: {cell(report.error)}", ""]
    return [f"**Version:** {report.level.value} bump, `{report.current}` → `{report.next}`; "
            f"declared `{report.declared or '(none)'}`: {report.status}", ""]


def render_bump(result, *, report, limit: int = 10, **_: Any) -> str:
    from .text import bump_counts

    def side(c) -> str:
        return f"{c.title or c.label} {c.version or '(no version)'}"

    counts = bump_counts(report)
    out = [f"## connver bump: {side(result.old)} → {side(result.new)}", ""]
    out += ["| | |", "|---|---|"]
    out.append(f"| Bump | **{report.level.value}**" + (f" ({counts})" if counts else "") + " |")
    out.append(f"| Current | `{cell(report.current or '(none)')}` |")
    if report.next is None:
        out.append(f"| Next | cannot tell: {cell(report.error)} |")
    else:
        verdict = "ok" if report.ok and not report.check.warning else ("warning" if report.ok else "**fails**")
        out.append(f"| Next | `{cell(report.next)}` |")
        out.append(f"| Declared | `{cell(report.declared or '(none)')}` |")
        out.append(f"| Check | {verdict}: {cell(report.message)} |")
    out.append("")
    if report.drivers:
        shown = report.drivers if limit <= 0 else report.drivers[:limit]
        out += [f"### Changes that drove it ({len(report.drivers)})", "",
                "| Level | Change | Location | Rule |", "|---|---|---|---|"]
        for change in shown:
            out.append(f"| {change.level.value} | {cell(change.message)} | `{cell(change.location)}` "
                       f"| `{change.rule}` |")
        if len(shown) < len(report.drivers):
            out.append(f"| | … and {len(report.drivers) - len(shown)} more | | |")
        out.append("")
    ops = report.operations
    if ops is not None and (ops.families or ops.findings):
        out += [f"### Operation families ({len(ops.families)})", ""]
        if not ops.families:
            out.append("- none (no `x-ms-api-annotation` family)")
        for family in ops.families:
            members = ", ".join(
                f"`{m.operation}` r{m.revision}" + (" (deprecated)" if m.deprecated else "") for m in family.members)
            out.append(f"- **{cell(family.name)}**: {members}")
        findings = ops.findings if limit <= 0 else ops.findings[:limit]
        if findings:
            out += ["", f"### Operation versioning warnings ({len(ops.findings)})", ""]
        for finding in findings:
            out.append(f"- {cell(finding.message)} (`{finding.kind.value}`)")
        if len(findings) < len(ops.findings):
            out.append(f"- … and {len(ops.findings) - len(findings)} more warnings")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
