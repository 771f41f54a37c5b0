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
