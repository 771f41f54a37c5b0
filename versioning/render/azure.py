"""Azure Pipelines logging commands (the public repository's CI).

``##vso[task.logissue type=error;sourcepath=PATH;linenumber=N;columnnumber=C;code=RULE]MESSAGE``
for a finding that fails and a connector that cannot be loaded, ``type=warning`` for risky
and deprecation findings, load warnings, a declared version that is not enough and a changed
definition file no connector holds; additive and cosmetic findings are plain lines. The last
line is ``##vso[task.complete result=Succeeded|Failed;]`` with the summary. Values are
escaped as the agent expects (``%`` as ``%AZP25``, ``\\r``, ``\\n``; ``;`` and ``]`` in properties).
"""

from __future__ import annotations

from typing import Any

from ..changes import Level
from .findings import Finding, audit_findings, check_findings, diff_findings, upgrade_findings, upgrade_summary
from .github import level_counts
from .text import audit_counts


def escape_data(text: Any) -> str:
    r"""Escape a message.

    >>> escape_data("50% done\r\nnext]")
    '50%AZP25 done%0D%0Anext]'
    """
    return str(text).replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: Any) -> str:
    """Escape a property value.

    >>> escape_property("a;b]c")
    'a%3Bb%5Dc'
    """
    return escape_data(text).replace(";", "%3B").replace("]", "%5D")


def issue_type(item: Finding) -> str | None:
    """``error`` or ``warning`` (see :attr:`Finding.severity`); None for a plain line."""
    severity = item.severity
    return None if severity == "note" else severity


def logissue(kind: str, message: str, *, path: str | None = None, line: int | None = None,
             column: int | None = None, code: str | None = None) -> str:
    props = [f"type={kind}"]
    if path:
        props.append(f"sourcepath={escape_property(path)}")
        if line:
            props.append(f"linenumber={line}")
            if column:
                props.append(f"columnnumber={column}")
    if code:
        props.append(f"code={escape_property(code)}")
    return f"##vso[task.logissue {';'.join(props)}]{escape_data(message)}"


def _lines(groups, *, label: bool) -> list[str]:
    out = []
    for suite, items in groups:
        for item in items:
            if item.kind == "version" and item.ok:
                continue
            message = item.text
            if label:
                message = f"{suite.rsplit('/', 1)[-1]}: {message}"
            kind = issue_type(item)
            if kind is None:
                level = item.level.value if item.level else "notice"
                out.append(escape_data(f"{level}: {item.where or suite}: {message} [{item.rule}]"))
            else:
                out.append(logissue(kind, message, path=item.path, line=item.line, column=item.column, code=item.rule))
    return out


def _complete(failed: bool, summary: str) -> str:
    return f"##vso[task.complete result={'Failed' if failed else 'Succeeded'};]{escape_data(summary)}"


def render_diff(result, *, fail_on: Level | None = None, **_: Any) -> str:
    lines = _lines(diff_findings(result, fail_on), label=False)
    summary = (f"connver diff {result.old.label} {result.new.label}: " + level_counts(result.summary)
               + (f"; {len(result.warnings)} load warning(s)" if result.warnings else ""))
    lines.append(_complete(result.fails(fail_on), summary))
    return "".join(line + "\n" for line in lines)


def render_audit(result, *, fail_on: Level | None = None, check_version: bool = False, **_: Any) -> str:
    lines = _lines(audit_findings(result, fail_on, check_version=check_version), label=True)
    lines.extend(logissue("warning", str(item), path=item.path, code="not-audited")
                 for item in getattr(result, "unaudited", ()))
    summary = f"connver audit {result.range.spec}: {len(result.connectors)} connector(s); " + audit_counts(result)
    lines.append(_complete(result.fails(fail_on, check_version=check_version), summary))
    return "".join(line + "\n" for line in lines)


def render_check(result, **_: Any) -> str:
    groups = check_findings(result)
    lines = _lines(groups, label=len(groups) > 1)
    summary = (f"connver check: {len(result.reports)} connector(s), {len(result.dangling)} dangling reference(s)"
               + (f"; {len(result.warnings)} load warning(s)" if result.warnings else ""))
    lines.append(_complete(not result.ok, summary))
    return "".join(line + "\n" for line in lines)


def render_upgrade(report, *, fail_on: Level | None = None, **_: Any) -> str:
    lines = _lines(upgrade_findings(report, fail_on), label=False)
    lines.append(_complete(report.fails(fail_on), upgrade_summary(report, fail_on)))
    return "".join(line + "\n" for line in lines)
