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
