"""Markdown output, for a pull request description or comment."""

from __future__ import annotations

from typing import Any, Callable

from ..changes import Level
from .markup import cell as pipes
from .markup import code, md
from .markup import html as _html

_TITLES = {
    Level.BREAKING: "Breaking changes",
    Level.RISKY: "Risky changes (review)",
    Level.DEPRECATION: "Deprecations",
    Level.ADDITIVE: "Additions",
    Level.COSMETIC: "Cosmetic changes",
}


def cell(text: Any) -> str:
    """Definition text (plain) safe inside a Markdown table cell: escaped, never markup."""
    return md(text)


def code_cell(text: Any) -> str:
    """Text as inline code inside a table cell (pipes escaped, which GitHub honours in code)."""
    return pipes(code(text))


def heading(result) -> str:
    def side(c) -> str:
        return f"{c.title or c.label} {c.version or '(no version)'}"

    return f"## connver: {side(result.old)} → {side(result.new)}"


#: GitHub refuses a pull-request description or comment over 65,536 characters; markdown
#: meant for one stays under this many by folding rows (see :func:`fit`).
MAX_CHARS = 60_000

#: Where the rows folded away can be read in full.
MORE_HINT = "see `connver diff --format json`"


def fit(render_at: Callable[[list[int | None]], str], sizes: list[int], *, limit: int | None = None,
        max_chars: int = MAX_CHARS) -> str:
    """``render_at(caps)`` with the rows to show per group (None: every row).

    ``sizes`` are the groups' lengths, most important group first. With ``limit``, every
    group shows that many rows (0: all, whatever the length). Otherwise every row when the
    text fits in ``max_chars`` (0: no cap); else the least important groups are cut first:
    each to the most rows that still fit, or to 1 before cutting the next group.

    >>> render = lambda caps: "".join("x" * min(n, c or n) for n, c in zip([50, 50], caps))
    >>> len(fit(render, [50, 50], max_chars=70)), len(fit(render, [50, 50], max_chars=30))
    (70, 30)
    >>> len(fit(render, [50, 50], limit=10)), len(fit(render, [50, 50], limit=0, max_chars=30))
    (20, 100)
    """
    if limit is not None:
        return render_at([limit or None] * len(sizes))
    caps: list[int | None] = [None] * len(sizes)
    text = render_at(caps)
    if not max_chars or len(text) <= max_chars:
        return text
    for i in reversed(range(len(sizes))):
        if sizes[i] <= 1:
            continue
        lo, hi, best = 1, sizes[i] - 1, None  # the most rows of group i that fit
        while lo <= hi:
            mid = (lo + hi) // 2
            candidate = render_at(caps[:i] + [mid] + caps[i + 1:])
            if len(candidate) <= max_chars:
                best, lo = (mid, candidate), mid + 1
            else:
                hi = mid - 1
        if best is not None:
            caps[i] = best[0]
            return best[1]
        caps[i] = 1
    return render_at(caps)


_escape = md


def warning_lines(warnings, *, limit: int = 20, level: str = "###") -> list[str]:
    """An "Input warnings" part: each tolerated input defect (once) with file:line:column."""
    warnings = list(dict.fromkeys(warnings))
    if not warnings:
        return []
    out = [f"{level} Input warnings ({len(warnings)})", "",
           "connver tolerated these defects in the input: what they name was repaired, or, where a file "
           "could not be read, not compared.", ""]
    for w in warnings[:limit]:
        out.append(f"- `{w.file}:{w.line}:{w.column}`: {_escape(w.message)}")
    if len(warnings) > limit:
        out.append(f"- … and {len(warnings) - limit} more ({MORE_HINT}).")
    return out + [""]


def render_diff(result, *, limit: int | None = None, max_chars: int = MAX_CHARS, **_: Any) -> str:
    """The diff as a pull-request comment.

    ``limit``: rows per level (0: all). By default every row, unless that makes more than
    ``max_chars`` characters: then each level's table is cut to as many rows as fit, and
    ends with a line saying how many more there are.
    """
    levels = list(result.by_level())  # most severe first: the last to be cut
    sizes = [len(changes) for changes in result.by_level().values()]
    return fit(lambda caps: _render_diff(result, dict(zip(levels, caps))), sizes, limit=limit, max_chars=max_chars)


def _render_diff(result, caps: dict) -> str:
    out = [heading(result), ""]
    out.extend(warning_lines(result.warnings))
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
        rows = caps.get(level)
        shown = changes[:rows] if rows else changes
        for change in shown:
            out.append(f"| {cell(change.message)} | {code_cell(change.location)} | `{change.rule}` |")
        if len(changes) > len(shown):
            out.append(f"| … and {len(changes) - len(shown)} more ({MORE_HINT}) | | |")
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

#: Where an audit's folded rows can be read in full.
AUDIT_MORE_HINT = "the full report: `connver audit --format json` or `--format html`"


def render_audit(result, *, top: int = 10, max_chars: int = MAX_CHARS, **_: Any) -> str:
    """A pull-request comment: a table of connectors, then the top findings of each, folded.

    Under ``max_chars`` characters (GitHub's comment limit; 0: no cap): when the whole report is
    longer, connectors' details are dropped from the last, then table rows, each with a line
    saying how many more there are and where to read them.
    """
    details = sum(1 for e in result.connectors if _has_details(e))
    return fit(lambda caps: _render_audit(result, top, caps[0], caps[1]), [len(result.connectors), details],
               max_chars=max_chars)


def _has_details(entry) -> bool:
    return bool(entry.changes or entry.error or entry.warnings or entry.dangling or entry.dangling_before
                or entry.version_ok is False)


def _render_audit(result, top: int, rows: int | None, detailed: int | None) -> str:
    from .text import audit_counts, level_cells, version_cell, version_ok_cell

    rng = result.range
    out = [f"## connver audit: {code_cell(rng.spec)}", ""]
    base = f", merge base `{rng.old_commit[:8]}`" if rng.merge_base else ""
    out.append(f"`{rng.from_commit[:8]}..{rng.to_commit[:8]}`{base}: {len(result.connectors)} connector(s) with "
               "changed definition files"
               + "".join(f", {n} {status.value}" for status, n in result.statuses.items() if n) + ".")
    out.append("")
    if not result.connectors:
        out.extend(_unaudited_lines(result))
        return "\n".join(out).rstrip("\n") + "\n"
    out.append(f"Summary: {cell(audit_counts(result))}.")
    out.append("")
    levels = list(_TITLES)
    out.append("| Connector | Status | Version | Bump | Version enough? | " + " | ".join(lv.value for lv in levels) + " |")
    out.append("|---|---|---|---|---|" + "---:|" * len(levels))
    listed = result.connectors[:rows] if rows else result.connectors
    for entry in listed:
        out.append(f"| {code_cell(entry.path)} | {entry.status.value} | {cell(version_cell(entry))} | "
                   f"{entry.bump.value if entry.bump else '-'} | {cell(version_ok_cell(entry))} | "
                   + " | ".join(level_cells(entry, levels)) + " |")
    if len(listed) < len(result.connectors):
        out.append(f"| … and {len(result.connectors) - len(listed)} more connector(s) ({AUDIT_MORE_HINT}) |"
                   + " |" * (4 + len(levels)))
    out.append("")
    shown_details = 0
    total_details = sum(1 for e in result.connectors if _has_details(e))
    for entry in result.connectors:
        if not _has_details(entry):
            continue
        if detailed is not None and shown_details >= detailed:
            out.append(f"_… the findings of {total_details - shown_details} more connector(s) are folded away "
                       f"to stay under GitHub's comment limit: see {AUDIT_MORE_HINT}._")
            out.append("")
            break
        shown_details += 1
        counts = ", ".join(f"{n} {lv.value}" for lv, n in entry.summary.items() if n)
        label = "could not be loaded" if entry.error else counts or entry.status.value
        if entry.warnings:
            label += f", {len(entry.warnings)} load warning(s)"
        out.append(f"<details><summary><code>{_html(entry.path)}</code>: {_html(label)}</summary>")
        out.append("")
        if entry.error:
            out.append(f"Error: {code_cell(entry.error)}")
            out.append("")
        if entry.version_ok is False and entry.version_message:
            out.append(f"Version: {cell(entry.version_message)}")
            out.append("")
        if entry.changes:
            shown = entry.changes[:top] if top else entry.changes
            out.append("| Level | Change | Location | Rule |")
            out.append("|---|---|---|---|")
            for change in shown:
                out.append(f"| {change.level.value} | {cell(change.message)} | {code_cell(change.location)} | "
                           f"`{change.rule}` |")
            if len(entry.changes) > len(shown):
                out.append("")
                out.append(f"_... and {len(entry.changes) - len(shown)} more (see `connver diff`)._")
            out.append("")
        for item in entry.dangling:
            out.append(f"- **error** (`dangling-reference`): {cell(item.message)} at {code_cell(item.file + ' ' + item.pointer)}")
        for item in entry.dangling_before:
            out.append(f"- warning (`dangling-reference`, dangled before): {cell(item.message)}")
        for warning in entry.warnings:
            out.append(f"- warning: {code_cell(warning)}")
        if entry.warnings or entry.dangling or entry.dangling_before:
            out.append("")
        out.append("</details>")
        out.append("")
    out.extend(_unaudited_lines(result))
    return "\n".join(out).rstrip("\n") + "\n"


def _unaudited_lines(result) -> list[str]:
    items = getattr(result, "unaudited", ())
    if not items:
        return []
    out = [f"### Not audited ({len(items)} changed definition file(s))", ""]
    out.extend(f"- {code_cell(item.path)}: changed, but {md(item.reason)}" for item in items[:50])
    if len(items) > 50:
        out.append(f"- … and {len(items) - 50} more ({AUDIT_MORE_HINT}).")
    return out + [""]


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
    out.append(f"| Current | {code_cell(report.current or '(none)')} |")
    if report.next is None:
        out.append(f"| Next | cannot tell: {cell(report.error)} |")
    else:
        verdict = "ok" if report.ok and not report.check.warning else ("warning" if report.ok else "**fails**")
        out.append(f"| Next | {code_cell(report.next)} |")
        out.append(f"| Declared | {code_cell(report.declared or '(none)')} |")
        out.append(f"| Check | {verdict}: {cell(report.message)} |")
    out.append("")
    if report.drivers:
        shown = report.drivers if limit <= 0 else report.drivers[:limit]
        out += [f"### Changes that drove it ({len(report.drivers)})", "",
                "| Level | Change | Location | Rule |", "|---|---|---|---|"]
        for change in shown:
            out.append(f"| {change.level.value} | {cell(change.message)} | {code_cell(change.location)} "
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
