"""Renderers for the rule catalogue (``connver rules``): text, markdown and json."""

from __future__ import annotations

import json
from typing import Any

from .markup import md_cell


def render_text(catalogue, **_: Any) -> str:
    width = max((len(r.id) for r in catalogue), default=0)
    return "".join(f"{r.id:<{width}}  {r.level.value:<11}  {r.description}\n" for r in catalogue)


def render_markdown(catalogue, **_: Any) -> str:
    lines = ["| Rule | Level | Description |", "|---|---|---|"]
    lines += [f"| `{r.id}` | {r.level.value} | {md_cell(r.description)} |" for r in catalogue]
    return "\n".join(lines) + "\n"


def render_json(catalogue, **_: Any) -> str:
    return json.dumps([{"id": r.id, "level": r.level.value, "kind": r.kind.value, "description": r.description}
                       for r in catalogue], indent=2) + "\n"
