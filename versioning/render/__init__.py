"""One renderer per output format; each takes the same result object and returns text.

Renderers know nothing of the terminal: the caller says whether to use colour.

Every renderer is one row of :data:`RENDERERS`, keyed by the kind of result it renders
(``diff``, ``audit``, ``bump``...) and the format; the function is named as ``module:function``
and imported on use. A command offers :func:`available` for its kind, so a format added for a
kind shows up in every command that renders that kind, and ``tests/test_renderers.py`` renders
every row of a kind from one result with load warnings: a format that drops them fails.
Other modules add their rows with :func:`register`.
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
    AZURE = "azure"
    SARIF = "sarif"
    HTML = "html"


#: (result kind, format) -> "module:function".
RENDERERS: dict[tuple[str, str], str] = {}


def register(kind: str, fmt: str, target: str) -> None:
    """Add the renderer ``target`` ("module:function") of ``kind`` results in format ``fmt``."""
    if (kind, fmt) in RENDERERS and RENDERERS[(kind, fmt)] != target:
        raise ValueError(f"a {fmt} renderer for {kind} is registered twice")
    RENDERERS[(kind, fmt)] = target


for _fmt in ("text", "markdown", "json", "junit", "github", "azure", "sarif", "html"):
    register("diff", _fmt, f"connver.render.{_fmt}:render_diff")
    register("audit", _fmt, f"connver.render.{_fmt}:render_audit")
for _fmt in ("text", "markdown", "json"):
    register("bump", _fmt, f"connver.render.{_fmt}:render_bump")
for _fmt, _target in (("markdown", "notes_markdown"), ("text", "notes_text"), ("json", "notes_json")):
    register("notes", _fmt, f"connver.render.notes:{_target}")
for _fmt, _target in (("markdown", "pr_markdown"), ("json", "notes_json")):
    register("pr", _fmt, f"connver.render.notes:{_target}")
for _fmt, _target in (("markdown", "changelog_block"), ("json", "changelog_json")):
    register("changelog", _fmt, f"connver.render.notes:{_target}")
for _fmt in ("text", "markdown", "json"):
    register("check", _fmt, f"connver.render.check:render_{_fmt}")
for _fmt in ("github", "azure", "sarif"):
    register("check", _fmt, f"connver.render.{_fmt}:render_check")
for _fmt in ("text", "markdown", "json"):
    register("upgrade", _fmt, f"connver.render.upgrade:render_{_fmt}")
    register("upgrade-result", _fmt, f"connver.render.upgrade:render_result_{_fmt}")
for _fmt in ("junit", "github", "azure", "sarif", "html"):
    register("upgrade", _fmt, f"connver.render.{_fmt}:render_upgrade")
for _fmt in ("text", "markdown", "json"):
    register("usage", _fmt, f"connver.render.usage:render_{_fmt}")
    register("rules", _fmt, f"connver.render.rules:render_{_fmt}")
for _kind in ("list", "log", "show"):
    for _fmt in ("text", "json"):
        register(f"store-{_kind}", _fmt, f"connver.render.store:{_kind}_{_fmt}")


class _Table(dict):
    """The rows of one kind, as ``{format: "module:function"}`` (a live view of :data:`RENDERERS`)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def _rows(self) -> dict[str, str]:
        return {fmt: target for (kind, fmt), target in RENDERERS.items() if kind == self.kind}

    def __getitem__(self, fmt: str) -> str:
        return self._rows()[fmt]

    def __contains__(self, fmt: object) -> bool:
        return fmt in self._rows()

    def __iter__(self):
        return iter(self._rows())

    def __len__(self) -> int:
        return len(self._rows())

    def keys(self):
        return self._rows().keys()

    def items(self):
        return self._rows().items()

    def values(self):
        return self._rows().values()

    def get(self, fmt, default=None):
        return self._rows().get(fmt, default)


def table(kind: str) -> _Table:
    """The renderers of one kind of result, by format."""
    return _Table(kind)


#: Views kept for the commands that name a table.
DIFF_RENDERERS = table("diff")
AUDIT_RENDERERS = table("audit")
BUMP_RENDERERS = table("bump")
CHECK_RENDERERS = table("check")

#: Formats that show the line of each finding (the audit computes lines only for these).
LINE_FORMATS = frozenset({Format.JUNIT.value, Format.GITHUB.value, Format.AZURE.value, Format.SARIF.value})


def available(table: Any = DIFF_RENDERERS) -> list[str]:
    """The formats of a table (or of a kind, given by name), in :class:`Format` order."""
    rows = _Table(table) if isinstance(table, str) else table
    known = [fmt.value for fmt in Format if fmt.value in rows]
    return known + [fmt for fmt in rows if fmt not in known]


def render(result: Any, fmt: str, table: Any = DIFF_RENDERERS, **options: Any) -> str:
    """Render ``result`` in format ``fmt`` using a renderer table (or a kind, given by name)."""
    rows = _Table(table) if isinstance(table, str) else table
    module_name, function = rows[fmt].split(":")
    return getattr(importlib.import_module(module_name), function)(result, **options)
