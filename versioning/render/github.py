"""GitHub Actions workflow commands: one annotation per finding, on its file and line.

``::error file=PATH,line=N,col=C,title=RULE::MESSAGE`` for a finding that fails (breaking,
or at ``--fail-on`` or above) and for a connector that cannot be loaded; ``::warning`` for
risky and deprecation findings, load warnings and a declared version that is not enough;
``::notice`` for the rest. Values are escaped as GitHub's runner expects
(``%``, ``\\r``, ``\\n`` everywhere; ``:`` and ``,`` in properties too).

GitHub shows an annotation on the NEW version of its file, so every line is a line of the
new file: a removal is annotated on its nearest remaining parent, and the message says so
(see :class:`~versioning.render.findings.Finding`). A last plain line sums up.
"""

from __future__ import annotations

from typing import Any

from ..changes import Level
from .findings import Finding, audit_findings, check_findings, diff_findings, upgrade_findings, upgrade_summary
from .text import audit_counts

def escape_data(text: Any) -> str:
    r"""Escape a message.

    >>> escape_data("50% done\r\nnext")
    '50%25 done%0D%0Anext'
    """
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: Any) -> str:
    """Escape a property value (file, title).

    >>> escape_property("a:b,c%")
    'a%3Ab%2Cc%25'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(item: Finding) -> str:
    """``error``, ``warning`` or ``notice`` (see :attr:`Finding.severity`)."""
    severity = item.severity
    return "notice" if severity == "note" else severity


def annotation(item: Finding, suite_label: str | None = None) -> str:
    props = []
    if item.path:
        props.append(f"file={escape_property(item.path)}")
        if item.line:
            props.append(f"line={item.line}")
            if item.column:
                props.append(f"col={item.column}")
    props.append(f"title={escape_property(item.rule)}")
    message = item.text
    if suite_label:
        message = f"{suite_label}: {message}"
    return f"::{command(item)} {','.join(props)}::{escape_data(message)}"


def annotation_lines(groups, *, label: bool) -> list[str]:
    out = []
    for suite, items in groups:
        for item in items:
            if item.kind == "version" and item.ok:
                continue  # annotate only a version that is not enough
            out.append(annotation(item, suite.rsplit("/", 1)[-1] if label else None))
    return out


#: GitHub shows at most 10 annotations of each kind (error, warning, notice) per step; the rest
#: are dropped without a word. Each kind is cut there, most severe first, and a last notice says
#: how many more there are.
CAP = 10
_ORDER = ("error", "warning", "notice")


def capped(lines: list[str], cap: int | None = CAP) -> list[str]:
    """At most ``cap`` annotations of each kind, errors first, then a notice counting the rest
    (None or 0: all of them, in that order).

    >>> capped(["::notice ::a", "::error ::b", "::error ::c", "::error ::d"], 3)
    ['::error ::b', '::error ::c', '::error ::d', '::notice ::a']
    >>> capped(["::notice ::a", "::error ::b", "::error ::c", "::error ::d"], 2)[2:]
    ['::notice ::a', '::notice title=connver::1 more annotation(s) not shown (1 error): GitHub shows 10 of each kind per step; see the full report']
    """
    by_kind: dict[str, list[str]] = {kind: [] for kind in _ORDER}
    for line in lines:
        by_kind[line[2:].split(" ", 1)[0]].append(line)
    out: list[str] = []
    left: dict[str, int] = {}
    over = bool(cap) and any(len(by_kind[kind]) > cap for kind in _ORDER)
    for kind in _ORDER:
        room = (cap - 1 if over and kind == "notice" else cap) if cap else None  # the last notice is one
        shown = by_kind[kind][:room] if room is not None else by_kind[kind]
        out.extend(shown)
        if len(by_kind[kind]) > len(shown):
            left[kind] = len(by_kind[kind]) - len(shown)
    if left:
        what = ", ".join(f"{n} {kind}" for kind, n in left.items())
        out.append(f"::notice title=connver::{sum(left.values())} more annotation(s) not shown ({what}): GitHub shows "
                   f"{CAP} of each kind per step; see the full report")
    return out


def level_counts(counts) -> str:
    """``14 breaking, 1 risky, ...`` (every level, most severe first)."""
    return ", ".join(f"{n} {level.value}" for level, n in counts.items())


def render_diff(result, *, fail_on: Level | None = None, cap: int | None = CAP, **_: Any) -> str:
    groups = diff_findings(result, fail_on)
    lines = capped(annotation_lines(groups, label=False), cap)
    items = [item for _, group in groups for item in group if item.kind == "finding"]
    failing = sum(1 for item in items if item.failed)
    warned = len(result.warnings)
    lines.append(f"connver diff {result.old.label} {result.new.label}: {len(items)} finding(s), {failing} failing; "
                 + level_counts(result.summary) + (f"; {warned} load warning(s)" if warned else ""))
    return "".join(line + "\n" for line in lines)


def render_audit(result, *, fail_on: Level | None = None, check_version: bool = False,
                 cap: int | None = CAP, **_: Any) -> str:
    groups = audit_findings(result, fail_on, check_version=check_version)
    lines = annotation_lines(groups, label=True)
    lines.extend(f"::warning file={escape_property(item.path)},title=not-audited::{escape_data(str(item))}"
                 for item in getattr(result, "unaudited", ()))
    lines = capped(lines, cap)
    failing = sum(1 for _, items in groups if any(i.failed for i in items))
    lines.append(f"connver audit {result.range.spec}: {len(result.connectors)} connector(s), {failing} failing; "
                 + audit_counts(result))
    return "".join(line + "\n" for line in lines)



def render_check(result, *, cap: int | None = CAP, **_: Any) -> str:
    groups = check_findings(result)
    lines = capped(annotation_lines(groups, label=len(groups) > 1), cap)
    lines.append(f"connver check: {len(result.reports)} connector(s), {len(result.dangling)} dangling reference(s)"
                 + (f"; {len(result.warnings)} load warning(s)" if result.warnings else ""))
    return "".join(line + "\n" for line in lines)


def render_upgrade(report, *, fail_on: Level | None = None, cap: int | None = CAP, **_: Any) -> str:
    lines = capped(annotation_lines(upgrade_findings(report, fail_on), label=False), cap)
    lines.append(upgrade_summary(report, fail_on))
    return "".join(line + "\n" for line in lines)
