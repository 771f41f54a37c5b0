"""One self-contained HTML page (``--format html``) per diff or audit, for people.

No network and no external assets: the style is inline, sections fold with ``<details>``
(no script). A summary per connector, breaking first; findings grouped by operation with the
old → new values. Every piece of definition text goes through :func:`~versioning.render.markup.html`.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..changes import LEVELS, Level
from .markup import html as esc

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#1f2328;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0;width:100%}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.n{text-align:right}code{font:12px ui-monospace,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.breaking{color:#cf222e;font-weight:600}.risky{color:#9a6700;font-weight:600}.deprecation{color:#8250df}
.additive{color:#1a7f37}.cosmetic{color:#57606a}.old{color:#cf222e}.new{color:#1a7f37}
details{margin:.4em 0 .8em}summary{cursor:pointer;font-weight:600}.warn{color:#9a6700}
"""


def _page(title: str, body: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width\"><title>{esc(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _counts(counts: dict[Level, int]) -> str:
    return ", ".join(f'<span class="{lv.value}">{n} {lv.value}</span>' for lv, n in counts.items() if n) or "no changes"


def _value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"<code>{esc(text[:300] + ('…' if len(text) > 300 else ''))}</code>"


def _changes(changes, *, fold_after: int = 20) -> list[str]:
    """Findings grouped by operation, most severe first within each, long groups folded."""
    groups: dict[str, list] = {}
    for change in sorted(changes, key=lambda c: -c.level.severity):
        groups.setdefault(change.operation or "(the connector)", []).append(change)
    out = []
    for operation, items in groups.items():
        worst = items[0].level.value
        out.append(f'<details{" open" if len(items) <= fold_after else ""}><summary>'
                   f'<span class="{worst}">{esc(operation)}</span>: {len(items)} change(s)</summary>')
        out.append("<table><tr><th>level</th><th>change</th><th>old → new</th><th>rule</th></tr>")
        for c in items:
            values = f"{_value(c.old)} → {_value(c.new)}" if (c.old is not None or c.new is not None) else ""
            out.append(f'<tr><td class="{c.level.value}">{c.level.value}</td><td>{esc(c.message)}<br>'
                       f'<code>{esc(c.location)}</code></td><td>{values}</td><td><code>{esc(c.rule)}</code></td></tr>')
        out.append("</table></details>")
    return out


def _warnings(warnings) -> list[str]:
    warnings = list(dict.fromkeys(str(w) for w in warnings))
    if not warnings:
        return []
    return [f"<details open><summary class=\"warn\">Input warnings ({len(warnings)})</summary><ul>",
            *(f"<li class=\"warn\"><code>{esc(w)}</code></li>" for w in warnings), "</ul></details>"]


def render_diff(result, **_: Any) -> str:
    def side(c) -> str:
        return f"{c.title or c.label} {c.version or '(no version)'}"

    title = f"connver: {side(result.old)} → {side(result.new)}"
    body = [f"<h1>{esc(title)}</h1>", f"<p>{esc(result.old.label)} → {esc(result.new.label)}: "
            f"{_counts(result.summary)}</p>"]
    body.extend(_warnings(result.warnings))
    body.extend(_changes(result.changes) if result.changes else ["<p>No changes.</p>"])
    return _page(title, body)


def render_audit(result, **_: Any) -> str:
    from .text import audit_counts, version_cell, version_ok_cell

    title = f"connver audit {result.range.spec}"
    body = [f"<h1>{esc(title)}</h1>", f"<p>{len(result.connectors)} connector(s): {esc(audit_counts(result))}</p>"]
    order = sorted(result.connectors, key=lambda e: (-(e.worst.severity if e.worst else -1), e.path))
    body.append("<table><tr><th>connector</th><th>status</th><th>version</th><th>version ok</th>"
                + "".join(f"<th>{lv.value}</th>" for lv in LEVELS) + "</tr>")
    for entry in order:
        counts = entry.counts
        body.append(f"<tr><td><a href=\"#c{order.index(entry)}\">{esc(entry.path)}</a></td><td>{esc(entry.status.value)}"
                    f"</td><td>{esc(version_cell(entry))}</td><td>{esc(version_ok_cell(entry))}</td>"
                    + "".join(f'<td class="n {lv.value if counts[lv] else ""}">{counts[lv]}</td>' for lv in LEVELS)
                    + "</tr>")
    body.append("</table>")
    for n, entry in enumerate(order):
        body.append(f"<h2 id=\"c{n}\">{esc(entry.path)} <small>({esc(entry.status.value)}; "
                    f"{_counts(entry.counts)})</small></h2>")
        if entry.error:
            body.append(f"<p class=\"breaking\">cannot be loaded: <code>{esc(entry.error)}</code></p>")
        if entry.version_ok is False and entry.version_message:
            body.append(f"<p class=\"risky\">version: {esc(entry.version_message)}</p>")
        body.extend(_changes(entry.changes))
        body.extend(f"<p class=\"breaking\">dangling reference: {esc(d.message)} <code>{esc(d.file)} {esc(d.pointer)}</code></p>"
                    for d in entry.dangling)
        body.extend(f"<p class=\"risky\">dangling reference (before): {esc(d.message)}</p>" for d in entry.dangling_before)
        body.extend(_warnings(entry.warnings))
    unaudited = getattr(result, "unaudited", ())
    if unaudited:
        body.append(f"<h2>Not audited ({len(unaudited)} changed definition file(s))</h2><ul>")
        body.extend(f"<li class=\"warn\">{esc(item)}</li>" for item in unaudited)
        body.append("</ul>")
    return _page(title, body)


def render_upgrade(report, **_: Any) -> str:
    """``connver upgrade-check --format html``: the verdict, then the report's five parts."""
    from ..changes import count_levels
    from .upgrade import conflict_line, dangling_lines, impact_line, verdict_sentence

    title = f"connver upgrade-check {report.fork.label}"
    verdict_class = "new" if report.verdict.value == "safe" else "breaking"
    body = [f"<h1>{esc(title)}</h1>",
            f"<p>fork <code>{esc(report.fork.label)}</code>, upstream <code>{esc(report.upstream.label)}</code>, "
            f"base <code>{esc(report.base.label)}</code></p>",
            f"<p class=\"{verdict_class}\">{esc(verdict_sentence(report))}</p>"]
    body.extend(_warnings(report.fork.warnings))
    for heading, changes in (("1. Upstream changes since base", report.upstream_changes),
                             ("2. Your edits since base", report.local_changes),
                             ("Updating brings", report.incoming)):
        body.append(f"<h2>{esc(heading)} <small>({_counts(count_levels(changes))})</small></h2>")
        body.extend(_changes(changes) if changes else ["<p>None.</p>"])
    sections = (("3. Conflicts", [conflict_line(c) for c in report.conflicts]),
                ("4. Breaking changes that hit what is used", [impact_line(i) for i in report.impacts]
                 or [c.message for c in report.affecting]),
                ("5. Dangling references in the result", dangling_lines(report.consistency)))
    for heading, items in sections:
        body.append(f"<h2>{esc(heading)} ({len(items)})</h2>")
        body.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>" if items else "<p>None.</p>")
    return _page(title, body)
