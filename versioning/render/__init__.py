"""One renderer per output format; each takes the same result object and returns text.

Renderers know nothing of the terminal: the caller says whether to use colour.
"""

from __future__ import annotations

import importlib
from enum import Enum
from typing import Any


class Format(str, Enum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    JUNIT = "junit"
    GITHUB = "github"


#: format -> "module:function" for a DiffResult. Imported on use.
DIFF_RENDERERS: dict[str, str] = {
    Format.TEXT.value: "connver.render.text:render_diff",
    Format.MARKDOWN.value: "connver.render.markdown:render_diff",
    Format.JSON.value: "connver.render.json:render_diff",
    Format.JUNIT.value: "connver.render.junit:render_diff",
    Format.GITHUB.value: "connver.render.github:render_diff",
}

#: format -> "module:function" for an AuditResult (``connver audit``).
AUDIT_RENDERERS: dict[str, str] = {
    Format.TEXT.value: "connver.render.text:render_audit",
    Format.MARKDOWN.value: "connver.render.markdown:render_audit",
    Format.JSON.value: "connver.render.json:render_audit",
    Format.JUNIT.value: "connver.render.junit:render_audit",
    Format.GITHUB.value: "connver.render.github:render_audit",
}

#: Formats that show the line of each finding (the audit computes lines only for these).
LINE_FORMATS = frozenset({Format.JUNIT.value, Format.GITHUB.value})


#: format -> "module:function" for ``connver bump`` (a DiffResult plus ``report=BumpReport``).
BUMP_RENDERERS: dict[str, str] = {
    Format.TEXT.value: "connver.render.text:render_bump",
    Format.MARKDOWN.value: "connver.render.markdown:render_bump",
    Format.JSON.value: "connver.render.json:render_bump",
}


def available(table: dict[str, str] = DIFF_RENDERERS) -> list[str]:
    return [fmt.value for fmt in Format if fmt.value in table]


def render(result: Any, fmt: str, table: dict[str, str] = DIFF_RENDERERS, **options: Any) -> str:
    """Render ``result`` in format ``fmt`` using the renderer table ``table``."""
    module_name, function = table[fmt].split(":")
    return getattr(importlib.import_module(module_name), function)(result, **options)
