"""JSON output: the documented, stable contract (``DiffResult.to_dict``)."""

from __future__ import annotations

import json
from typing import Any


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render_diff(result, **_: Any) -> str:
    return dumps(result.to_dict())


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
