"""GitHub Actions workflow commands: one annotation per finding, on its file and line.

``::error file=PATH,line=N,col=C,title=RULE::MESSAGE`` for a finding that fails (breaking,
or at ``--fail-on`` or above) and for a connector that cannot be loaded; ``::warning`` for
risky and deprecation findings, load warnings and a declared version that is not enough;
``::notice`` for the rest. Values are escaped as GitHub's runner expects
(``%``, ``\\r``, ``\\n`` everywhere; ``:`` and ``,`` in properties too).
"""

from __future__ import annotations

from typing import Any

from ..changes import Level
from .findings import Finding, audit_findings, diff_findings

_COMMANDS = {
    Level.BREAKING: "error",
    Level.RISKY: "warning",
    Level.DEPRECATION: "warning",
    Level.ADDITIVE: "notice",
    Level.COSMETIC: "notice",
}


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
    if item.failed or item.kind == "error":
        return "error"
    if item.kind in ("warning", "version"):
        return "warning"
    return _COMMANDS.get(item.level, "notice") if item.level else "notice"


def annotation(item: Finding, suite_label: str | None = None) -> str:
    props = []
    if item.path:
        props.append(f"file={escape_property(item.path)}")
        if item.line:
            props.append(f"line={item.line}")
            if item.column:
                props.append(f"col={item.column}")
    props.append(f"title={escape_property(item.rule)}")
    at = ", ".join(part for part in (item.location, "line in the old file" if item.line and item.side == "old" else "")
                   if part)
    message = item.message + (f" (at {at})" if at else "")
    if suite_label:
        message = f"{suite_label}: {message}"
    return f"::{command(item)} {','.join(props)}::{escape_data(message)}"


def _lines(groups, *, label: bool) -> list[str]:
    out = []
    for suite, items in groups:
        for item in items:
            if item.kind == "version" and item.ok:
                continue  # annotate only a version that is not enough
            out.append(annotation(item, suite.rsplit("/", 1)[-1] if label else None))
    return out


def render_diff(result, *, fail_on: Level | None = None, **_: Any) -> str:
    lines = _lines(diff_findings(result, fail_on), label=False)
    return "".join(line + "\n" for line in lines)


def render_audit(result, *, fail_on: Level | None = None, check_version: bool = False, **_: Any) -> str:
    groups = audit_findings(result, fail_on, check_version=check_version)
    lines = _lines(groups, label=True)
    failing = sum(1 for _, items in groups if any(i.failed for i in items))
    lines.append(f"connver audit {result.range.spec}: {len(result.connectors)} connector(s), "
                 f"{failing} failing; " + ", ".join(f"{n} {lv.value}" for lv, n in result.summary.items()))
    return "".join(line + "\n" for line in lines)
