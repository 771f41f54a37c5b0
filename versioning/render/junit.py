"""JUnit XML, the test-report format Azure Pipelines (PublishTestResults), GitLab, Jenkins
and most CI servers read.

One ``<testsuite>`` per connector, one ``<testcase>`` per finding (rule + location; several
changes with the same rule at the same location share one), with a ``<failure>`` when the
finding fails (breaking, or at ``--fail-on`` or above) and an ``<error>`` for a connector
that could not be loaded. An audit adds a ``declared-version`` test per changed connector
(failing with ``--check-version``). ``file`` and ``line`` attributes name the element, in
the new file: for a removal, its nearest remaining parent (the text says so and gives the
line in the old file).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..changes import Level
from .findings import Finding, audit_findings, diff_findings, upgrade_findings

# Characters XML 1.0 cannot carry, even escaped.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _INVALID.sub("?", str(text))


def _details(items: list[Finding]) -> str:
    lines = []
    for item in items:
        where = item.where
        level = item.level.value if item.level else item.kind
        lines.append(f"{level}: {item.message}")
        lines.append(f"  rule: {item.rule}" + (f"; location: {item.location}" if item.location else ""))
        if where:
            lines.append(f"  at: {where}")
    return "\n".join(lines)


def _suite(name: str, items: list[Finding]) -> ET.Element:
    cases: dict[str, list[Finding]] = {}
    for item in items:
        cases.setdefault(item.test_name, []).append(item)
    suite = ET.Element("testsuite", name=_clean(name))
    failures = errors = 0
    for test, group in cases.items():
        first = group[0]
        attrs = {"name": _clean(test), "classname": _clean(name)}
        if first.path:
            attrs["file"] = _clean(first.path)
        if first.line:
            attrs["line"] = str(first.line)
        case = ET.SubElement(suite, "testcase", attrs)
        message = _clean("; ".join(dict.fromkeys(i.message for i in group)))
        if any(i.kind == "error" for i in group):
            errors += 1
            ET.SubElement(case, "error", message=message, type="load-error").text = _clean(_details(group))
        elif any(i.failed for i in group):
            failures += 1
            worst = max((i.level for i in group if i.level), key=lambda lv: lv.severity, default=None)
            kind = worst.value if worst else first.kind
            ET.SubElement(case, "failure", message=message, type=kind).text = _clean(_details(group))
        else:
            ET.SubElement(case, "system-out").text = _clean(_details(group))
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite


def _document(title: str, groups: list[tuple[str, list[Finding]]]) -> str:
    root = ET.Element("testsuites", name=_clean(title))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for name, items in groups:
        suite = _suite(name, items)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_diff(result, *, fail_on: Level | None = None, **_: Any) -> str:
    return _document(f"connver diff {result.old.label} {result.new.label}", diff_findings(result, fail_on))


def render_audit(result, *, fail_on: Level | None = None, check_version: bool = False, **_: Any) -> str:
    return _document(f"connver audit {result.range.spec}",
                     audit_findings(result, fail_on, check_version=check_version))


def render_upgrade(report, *, fail_on: Level | None = None, **_: Any) -> str:
    return _document(f"connver upgrade-check {report.fork.label} {report.upstream.label}",
                     upgrade_findings(report, fail_on))
