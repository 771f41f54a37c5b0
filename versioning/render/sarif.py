"""SARIF 2.1.0 (``--format sarif``), for GitHub code scanning and other SARIF viewers.

One run; its driver lists one rule per rule id that has a result (with the catalogue's
description as ``shortDescription``, its "why" as ``fullDescription`` and ``help``, and its
default level), plus connver's own ids (``load-error``, ``load-warning``, ``declared-version``,
``connector-removed``, ``connector-added``, ``not-audited``). A result carries its level
(``error`` when it fails, ``warning`` for risky and deprecation findings and defects,
``note`` otherwise), its message, and a region on the line of the new file (see
:class:`~versioning.render.findings.Finding`). Paths are relative to the repository root.
"""

from __future__ import annotations

import json
from typing import Any

from ..changes import Level
from .findings import Finding, audit_findings, check_findings, diff_findings, upgrade_findings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_OWN_RULES = {
    "load-error": ("A connector's files cannot be loaded", "Nothing of the connector could be compared: fix the file."),
    "load-warning": ("An input defect was tolerated", "The file was read as its author evidently meant; fix it."),
    "declared-version": ("The declared info.version is not enough for the changes",
                         "Bump info.version as the changes require (see connver bump)."),
    "connector-removed": ("A connector was removed", "Every flow that uses it breaks."),
    "connector-added": ("A connector was added", "Nothing breaks."),
    "not-audited": ("A changed definition file belongs to no audited connector",
                    "Give --path to audit its folder, or move it into a connector folder."),
    "upgrade-conflict": ("Your edit and upstream's change collide",
                         "Both sides changed the same element differently: the merge keeps one value; "
                         "check that it is the one you want (connver-conflicts.json records both)."),
    "dangling-reference": ("A reference names something the connector does not define",
                           "A $ref, a dynamic extension's or policy's operation, a policy's connection "
                           "parameter or a script operation that names nothing breaks the connector on the "
                           "platform: restore what it names, or remove the reference (see connver check)."),
}
_LEVELS = {Level.BREAKING: "error", Level.RISKY: "warning", Level.DEPRECATION: "warning",
           Level.ADDITIVE: "note", Level.COSMETIC: "note"}


def _rule(rule_id: str) -> dict[str, Any]:
    from ..rules import RULES, all_rules

    all_rules()
    spec = RULES.get(rule_id)
    if spec is not None:
        short, full, level = spec.description, spec.why or spec.description, _LEVELS[spec.level]
    else:
        short, full = _OWN_RULES.get(rule_id, (rule_id, rule_id))
        level = ("error" if rule_id in ("load-error", "connector-removed", "dangling-reference", "upgrade-conflict")
                 else "warning")
    return {"id": rule_id, "name": rule_id, "shortDescription": {"text": short}, "fullDescription": {"text": full},
            "help": {"text": f"{short}. {full}"}, "defaultConfiguration": {"level": level}}


def _result(item: Finding, rule_index: int, label: str | None) -> dict[str, Any]:
    text = item.text
    out: dict[str, Any] = {"ruleId": item.rule, "ruleIndex": rule_index, "level": item.severity,
                           "message": {"text": f"{label}: {text}" if label else text}}
    if item.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": item.path.replace("\\", "/").lstrip("/")}}
        if item.line:
            location["region"] = {"startLine": item.line, **({"startColumn": item.column} if item.column else {})}
        out["locations"] = [{"physicalLocation": location}]
    return out


def _document(groups, *, label: bool, extra: list[Finding] = ()) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("connver")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout that is not installed
        __version__ = "0"
    items = [(suite, item) for suite, group in groups for item in group if not (item.kind == "version" and item.ok)]
    items.extend(("", item) for item in extra)
    ids = list(dict.fromkeys(item.rule for _, item in items))
    index = {rule_id: n for n, rule_id in enumerate(ids)}
    results = [_result(item, index[item.rule], suite.rsplit("/", 1)[-1] if label and suite else None)
               for suite, item in items]
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "connver", "version": __version__,
                            "informationUri": "https://pypi.org/project/connver/",
                            "rules": [_rule(rule_id) for rule_id in ids]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_diff(result, *, fail_on: Level | None = None, **_: Any) -> str:
    return _document(diff_findings(result, fail_on), label=False)


def render_audit(result, *, fail_on: Level | None = None, check_version: bool = False, **_: Any) -> str:
    extra = [Finding("", "warning", "not-audited", str(item), path=item.path)
             for item in getattr(result, "unaudited", ())]
    return _document(audit_findings(result, fail_on, check_version=check_version), label=True, extra=extra)


def render_check(result, **_: Any) -> str:
    groups = check_findings(result)
    return _document(groups, label=len(groups) > 1)


def render_upgrade(report, *, fail_on: Level | None = None, **_: Any) -> str:
    return _document(upgrade_findings(report, fail_on), label=False)
