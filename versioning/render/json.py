"""JSON output: the documented, stable contract (``DiffResult.to_dict``, ``AuditResult.to_dict``)."""

from __future__ import annotations

import json
from typing import Any


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render_diff(result, *, lines: bool = False, **_: Any) -> str:
    """``lines=True`` adds each change's ``line`` in the new file (for a removal: that of its
    nearest remaining parent) and ``old_line``, where a removed element was in the old file."""
    data = result.to_dict()
    if lines:
        from ..lines import positions
        from .findings import source_docs

        found = positions(result.changes, result.old.source.files, result.new.source.files,
                          docs=source_docs(result.old, result.new))
        for entry, position in zip(data["changes"], found):
            entry["line"] = position.line if position and position.side == "new" else None
            entry["old_line"] = position.old_line if position else None
    return dumps(data)


def render_audit(result, *, lines: bool | None = None, **_: Any) -> str:
    return dumps(result.to_dict(lines=lines))


def render_bump(result, *, report, **_: Any) -> str:
    from ..diff import change_to_dict

    data = result.to_dict()
    return dumps({
        "schema": data["schema"],
        "old": data["old"],
        "new": data["new"],
        "bump": report.to_dict(),
        "drivers": [change_to_dict(c) for c in report.drivers],
        "operations": report.operations.to_dict() if report.operations is not None else None,
        "summary": data["summary"],
        "warnings": data["warnings"],
    })
