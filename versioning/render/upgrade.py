"""Renderers for an :class:`~versioning.upgrade.UpgradeReport` (``upgrade-check``: text,
markdown, json; the CI formats junit, github, azure and sarif render it from
:func:`~versioning.render.findings.upgrade_findings` in their own modules) and an
:class:`~versioning.upgrade.UpgradeResult` (``upgrade``: text, markdown, json).

Each takes the same report and returns text; the layout follows the report's parts.
"""

from __future__ import annotations

import json
from typing import Any

from ..changes import Change
from ..merge import ABSENT, Conflict
from . import table
from .markdown import MAX_CHARS, fit
from .markup import cell, code, md_cell
from .text import _COLOURS, _DIM, _BOLD, Paint, side_line

#: The ("upgrade", format) rows of the registry: an UpgradeReport (``connver upgrade-check``).
UPGRADE_RENDERERS = table("upgrade")

#: The ("upgrade-result", format) rows: an UpgradeResult (``connver upgrade``).
RESULT_RENDERERS = table("upgrade-result")

#: Where the rows a markdown report folds away can be read in full.
MORE_HINT = "see `connver upgrade-check --format json`"

_STATUS_TEXT = {"applies": "", "in-fork": "already in your copy", "conflict": "conflicts with your edit"}


def verdict_sentence(report) -> str:
    """One line: whether updating is safe, and why not."""
    affecting, conflicts = len(report.affecting), len(report.conflicts)
    reasons = []
    if affecting:
        what = "your flows use" if report.flows_given else "your users may rely on (no flows given)"
        reasons.append(f"{affecting} breaking change{'s' if affecting != 1 else ''} hit{'s' if affecting == 1 else ''} what {what}")
    if conflicts:
        reasons.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''} with your edits")
    blocking = len(report.blocking)
    if blocking:
        reasons.append(f"{blocking} reference{'s' if blocking != 1 else ''} the update would leave dangling")
    if not reasons:
        if report.breaking:
            return f"safe to update: {len(report.breaking)} breaking change(s), none used by your flows"
        return "safe to update"
    return "not safe to update: " + "; ".join(reasons)


def incoming_count(report) -> str | None:
    """``7 changes (3 breaking)``: what updating would bring, or None when nothing is left."""
    count = len(report.incoming)
    if not count:
        return None
    return f"{count} change{'s' if count != 1 else ''} ({len(report.breaking)} breaking)"


def incoming_sentence(report) -> str:
    """How much updating would change the fork (nothing, right after ``connver upgrade``)."""
    count = incoming_count(report)
    return f"Updating brings {count}." if count else "Nothing left to apply from upstream."


def _detection(report, label=str) -> str:
    """``detected: 97.1% similar; DATE SUBJECT; next best LABEL at 90.0%``, or ``given``."""
    choice = report.base_choice
    if not choice.detected:
        return "given"
    best, second = choice.best, choice.runner_up
    text = f"detected: {best.score:.1%} similar"
    if best.candidate.date or best.candidate.subject:
        text += f"; {best.candidate.date or ''} {best.candidate.subject}".rstrip()
    if second is not None:
        text += f"; next best {label(second.candidate.label)} at {second.score:.1%}"
    return text


def base_line(report) -> str:
    return f"{side_line(report.base)}  ({_detection(report)})"


def show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def conflict_line(conflict: Conflict) -> str:
    kept = "keeps yours" if conflict.kept.value == "fork" else "takes upstream's"
    return (f"{conflict.location} ({conflict.file}): base {show(conflict.base)}, yours {show(conflict.fork)}, "
            f"upstream {show(conflict.upstream)}  [{conflict.kind.value}; the merge {kept}]")


def dangling_lines(consistency) -> list[str]:
    """``[blocks] unknown-connection-parameter: ... (from upstream) at FILE POINTER`` per reference."""
    if consistency is None:
        return []
    return [f"{'[blocks] ' if item.origin.blocks else ''}{item.dangling.kind.value}: {item.message}"
            f" at {item.dangling.file} {item.dangling.pointer}" for item in consistency.items]


def impact_line(impact) -> str:
    where = f"flow '{impact.flow}'" + (f", step '{impact.step}'" if impact.step else "")
    return f"{where}: {impact.change.message} ({impact.explanation})"


# --------------------------------------------------------------------------- text


def render_text(report, *, color: bool = False, **_: Any) -> str:
    paint = Paint(color)
    lines = [
        f"fork:     {side_line(report.fork)}",
        f"upstream: {side_line(report.upstream)}",
        f"base:     {base_line(report)}",
        "",
    ]

    def changes(title: str, items: list[Change], status: bool = False) -> None:
        lines.append(paint(f"{title} ({len(items)})", _BOLD))
        if not items:
            lines.append("  none")
        for change in items:
            tag = _STATUS_TEXT.get(report.status(change).value, "") if status else ""
            suffix = f"  ({tag})" if tag else ""
            lines.append(f"  {paint(change.level.value.upper(), _COLOURS[change.level])}  {change.message}"
                         f"  {paint('[' + change.rule + ']', _DIM)}{suffix}")
        lines.append("")

    changes("1. Upstream changes since base", report.upstream_changes, status=True)
    changes("2. Your edits since base", report.local_changes)
    lines.append(paint(f"3. Conflicts ({len(report.conflicts)})", _BOLD))
    lines.extend(f"  {conflict_line(c)}" for c in report.conflicts)
    if not report.conflicts:
        lines.append("  none")
    lines.append("")

    scope = (f"{len(report.flows.flows)} flow(s), {len(report.bound)} step(s) calling this connector"
             if report.flows_given else "no flows given: every breaking change counts")
    lines.append(paint(f"4. Impact ({scope})", _BOLD))
    if not report.affecting:
        lines.append("  no breaking change hits what is used")
    for change in report.affecting:
        hits = report.impacts_of(change)
        if hits:
            lines.extend(f"  {impact_line(i)}" for i in hits)
        else:
            lines.append(f"  {change.message}  {paint('[' + change.rule + ']', _DIM)}")
    if report.unused:
        lines.append("  not used by any flow:")
        lines.extend(f"    {c.message}  {paint('[' + c.rule + ']', _DIM)}" for c in report.unused)
    lines.append("")
    found = dangling_lines(report.consistency)
    lines.append(paint(f"5. Dangling references in the result ({len(found)})", _BOLD))
    lines.extend(f"  {line}" for line in found)
    if not found:
        lines.append("  none: every reference of the updated connector resolves")
    lines.append("")
    for note in report.notes:
        lines.append(f"note: {note}")
    lines.append(incoming_sentence(report))
    lines.append(paint("Verdict: ", _BOLD) + verdict_sentence(report))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- markdown


def _md(text: str) -> str:
    return md_cell(text)


def _code(text: str) -> str:
    return cell(code(text))


def md_side(connector) -> str:
    """```label` (Title 1.0)``, the Markdown form of :func:`~versioning.render.text.side_line`."""
    return f"{_code(connector.label)} ({_md(connector.title or 'no title')} {_md(connector.version or '(no version)')})"


def md_base(report) -> str:
    """The Base line in Markdown: the base's side, then ``given`` or how it was detected."""
    return f"{md_side(report.base)}, {cell(_detection(report, label=_code))}"


def render_markdown(report, *, limit: int | None = None, max_chars: int = MAX_CHARS, **_: Any) -> str:
    """The report as a pull-request comment. ``limit``: rows per table (0: all); by default
    every row unless that makes more than ``max_chars`` characters: then the tables of your
    edits, then of upstream's changes, are cut to what fits, each saying how many more there are."""
    sizes = [len(report.upstream_changes), len(report.local_changes)]
    return fit(lambda caps: _render_markdown(report, caps), sizes, limit=limit, max_chars=max_chars)


def _render_markdown(report, caps: list[int | None]) -> str:
    lines = [
        "# Upgrade check",
        "",
        f"- **Fork:** {md_side(report.fork)}",
        f"- **Upstream:** {md_side(report.upstream)}",
        f"- **Base:** {md_base(report)}",
        f"- **Verdict:** {verdict_sentence(report)}",
        f"- **Updating brings:** {incoming_count(report) or 'nothing left to apply from upstream'}",
        "",
    ]

    def changes_table(title: str, items: list[Change], cap: int | None, status: bool = False) -> None:
        lines.extend([f"## {title} ({len(items)})", ""])
        if not items:
            lines.extend(["None.", ""])
            return
        header = "| Level | Change | Location | Rule |" + (" Status |" if status else "")
        lines.extend([header, "|---|---|---|---|" + ("---|" if status else "")])
        shown = items[:cap] if cap else items
        for c in shown:
            row = f"| {c.level.value} | {_md(c.message)} | {_code(c.location)} | `{c.rule}` |"
            if status:
                row += f" {report.status(c).value} |"
            lines.append(row)
        if len(shown) < len(items):
            lines.extend(["", f"… and {len(items) - len(shown)} more ({MORE_HINT})."])
        lines.append("")

    changes_table("1. Upstream changes since base", report.upstream_changes, caps[0], status=True)
    changes_table("2. Your edits since base", report.local_changes, caps[1])
    lines.extend([f"## 3. Conflicts ({len(report.conflicts)})", ""])
    if report.conflicts:
        lines.extend(["| Location | Base | Yours | Upstream | Kept |", "|---|---|---|---|---|"])
        for c in report.conflicts:
            lines.append(f"| {_code(c.location)} | {_md(show(c.base))} | {_md(show(c.fork))} | {_md(show(c.upstream))} | {c.kept.value} |")
    else:
        lines.append("None.")
    lines.extend(["", "## 4. Impact", ""])
    if not report.flows_given:
        lines.extend(["No flows given: every breaking change counts as affecting.", ""])
    if not report.affecting:
        lines.append("No breaking change hits what is used.")
    for change in report.affecting:
        hits = report.impacts_of(change)
        if hits:
            lines.extend(f"- flow **{_md(i.flow)}**" + (f", step {_code(i.step)}" if i.step else "")
                         + f": {_md(change.message)} ({i.explanation})" for i in hits)
        else:
            lines.append(f"- {_md(change.message)} (`{change.rule}`)")
    if report.unused:
        lines.extend(["", "Not used by any flow:", ""])
        lines.extend(f"- {_md(c.message)} (`{c.rule}`)" for c in report.unused)
    found = dangling_lines(report.consistency)
    lines.extend(["", f"## 5. Dangling references in the result ({len(found)})", ""])
    lines.extend(f"- {_md(line)}" for line in found)
    if not found:
        lines.append("None: every reference of the updated connector resolves.")
    if report.notes:
        lines.extend(["", "Notes:", ""])
        lines.extend(f"- {_md(n)}" for n in report.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- json


def render_json(report, **_: Any) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


# --------------------------------------------------------------------------- connver upgrade


def _result_summary(result) -> str:
    if result.refused:
        count = len(result.refused)
        return (f"nothing written: the result would leave {count} reference{'s' if count != 1 else ''} dangling "
                "that your copy does not (pass --force to write it anyway)")
    count = len(result.conflicts)
    if not count:
        return f"merged cleanly into {result.dest}"
    kept = "yours" if result.prefer.value == "fork" else "upstream's"
    markers = f"; conflict markers in {', '.join(result.marked)}" if getattr(result, "marked", ()) else ""
    return (f"merged into {result.dest} with {count} conflict{'s' if count != 1 else ''} (kept {kept}{markers}); "
            f"see {result.dest / 'connver-conflicts.json'}")


def render_result_text(result, *, color: bool = False, **_: Any) -> str:
    paint = Paint(color)
    report = result.report
    lines = [
        f"fork:     {side_line(report.fork)}",
        f"upstream: {side_line(report.upstream)}",
        f"base:     {base_line(report)}",
        "",
        paint(f"Applied from upstream ({len(report.incoming)})", _BOLD),
    ]
    lines.extend(f"  {paint(c.level.value.upper(), _COLOURS[c.level])}  {c.message}  {paint('[' + c.rule + ']', _DIM)}"
                 for c in report.incoming)
    if not report.incoming:
        lines.append("  nothing: your copy already has every upstream change")
    lines.extend(["", paint(f"Conflicts ({len(result.conflicts)})", _BOLD)])
    lines.extend(f"  {conflict_line(c)}" for c in result.conflicts)
    if not result.conflicts:
        lines.append("  none")
    found = dangling_lines(report.consistency)
    if found:
        lines.extend(["", paint(f"Dangling references in the result ({len(found)})", _BOLD)])
        lines.extend(f"  {line}" for line in found)
    lines.extend(["", "Wrote:"])
    lines.extend(f"  {path}" for path in result.written)
    lines.extend(f"note: {note}" for note in report.notes)
    if not result.written:
        lines.append("  nothing (refused)" if result.refused else "  nothing (already up to date)")
    lines.extend(["", paint("Result: ", _BOLD) + _result_summary(result)])
    return "\n".join(lines) + "\n"


def render_result_markdown(result, **_: Any) -> str:
    report = result.report
    lines = ["# Upgrade", "", f"- **Fork:** {md_side(report.fork)}", f"- **Upstream:** {md_side(report.upstream)}",
             f"- **Base:** {md_base(report)}", f"- **Result:** {_md(_result_summary(result))}", "",
             f"## Applied from upstream ({len(report.incoming)})", ""]
    lines.extend(f"- **{c.level.value}** {_md(c.message)} (`{c.rule}`)" for c in report.incoming)
    if not report.incoming:
        lines.append("Nothing: your copy already has every upstream change.")
    lines.extend(["", f"## Conflicts ({len(result.conflicts)})", ""])
    lines.extend(f"- {_md(conflict_line(c))}" for c in result.conflicts)
    if not result.conflicts:
        lines.append("None.")
    found = dangling_lines(report.consistency)
    if found:
        lines.extend(["", f"## Dangling references in the result ({len(found)})", ""])
        lines.extend(f"- {_md(line)}" for line in found)
    lines.extend(["", "## Files written", ""])
    lines.extend(f"- {_code(p)}" for p in result.written)
    if report.notes:
        lines.extend(["", "## Notes", ""])
        lines.extend(f"- {_md(n)}" for n in report.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_result_json(result, **_: Any) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
