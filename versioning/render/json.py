"""JSON output: the documented, stable contract (``DiffResult.to_dict``)."""

from __future__ import annotations

import json
from typing import Any


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render_diff(result, **_: Any) -> str:
    return dumps(result.to_dict())
