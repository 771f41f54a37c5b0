"""Findings with a file and line, for the formats CI systems read (junit, github).

Both a :class:`~versioning.diff.DiffResult` and an :class:`~versioning.audit.AuditResult`
are flattened into :class:`Finding` objects grouped by connector, so that each of those
renderers has one code path. A finding *fails* when it is breaking, or at ``fail_on`` or
above; a load error always fails; a declared version that is not enough fails only with
``check_version``.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

from ..changes import Change, Level


class Finding(NamedTuple):
    """One annotation or test case (a named tuple: an audit can make tens of thousands)."""

    suite: str  # the connector: its folder in the repository, or its label
    kind: str  # finding | error | warning | version | added | removed
    rule: str
    message: str
    level: Level | None = None
    location: str = ""
    path: str | None = None  # the file, as a path in the repository
    line: int | None = None
    column: int | None = None
    failed: bool = False
    ok: bool | None = None  # for a version check: whether the declared version is enough
    side: str = "new"  # whose file the line is in: "old" for a removal

    @property
    def where(self) -> str:
        """``path:line:column``, with `` (old file)`` for a line in the old version."""
        text = self.path or ""
        if text and self.line:
            text += f":{self.line}" + (f":{self.column}" if self.column else "")
        return text + (" (old file)" if text and self.line and self.side == "old" else "")

    @property
    def test_name(self) -> str:
        return f"{self.rule} {self.location}".strip()


def change_fails(change: Change, fail_on: Level | None) -> bool:
    return change.level is Level.BREAKING or (fail_on is not None and change.level.severity >= fail_on.severity)


def _change_findings(suite: str, changes, found, path_of, fail_on: Level | None) -> Iterator[Finding]:
    for change, position in zip(changes, found):
        side = position.side if position else ("old" if change.side == "old" else "new")
        path = path_of(change.file, side) if change.file else None
        yield Finding(suite, "finding", change.rule, change.message, change.level, change.location, path,
                      position.line if position else None, position.column if position else None,
                      change_fails(change, fail_on), side=side)


def _warning_findings(suite: str, warnings, path_of) -> Iterator[Finding]:
    for warning in warnings:
        name = str(getattr(warning, "file", "")).rsplit("/", 1)[-1] or None
        yield Finding(suite, "warning", "load-warning", str(warning),
                      path=path_of(name, "new") if name else None,
                      line=getattr(warning, "line", None), column=getattr(warning, "column", None))


def diff_findings(result, fail_on: Level | None = None) -> list[tuple[str, list[Finding]]]:
    """One group (the new side's label) with a finding per change of a diff."""
    from ..lines import positions

    old_src, new_src = result.old.source, result.new.source

    def path_of(name: str, side: str) -> str:
        src = old_src if side == "old" else new_src
        if src.kind == "file":
            return src.meta.get("path", src.label)
        base = src.meta.get("path", src.label).replace("\\", "/").rstrip("/")
        return f"{base}/{name}" if base not in ("", ".") else name

    suite = new_src.meta.get("path", new_src.label)
    found = positions(result.changes, old_src.files, new_src.files)
    items = list(_change_findings(suite, result.changes, found, path_of, fail_on))
    items.extend(_warning_findings(suite, result.warnings, path_of))
    return [(suite, items)]


def audit_findings(result, fail_on: Level | None = None, *,
                   check_version: bool = False) -> list[tuple[str, list[Finding]]]:
    """One group per connector of an audit: its load error, removal or addition, its
    changes, its version check and its load warnings."""
    groups = []
    for entry in result.connectors:
        def path_of(name: str, side: str, entry=entry) -> str:
            return entry.file_path(name)

        suite = entry.path
        swagger = entry.file_path(entry.swagger_name)
        items: list[Finding] = []
        status = entry.status.value
        if status == "error":
            pos = entry.error_position
            items.append(Finding(suite, "error", "load-error", entry.error or "cannot be loaded",
                                 path=entry.file_path(pos.file) if pos else swagger,
                                 line=pos.line if pos else None, column=pos.column if pos else None,
                                 failed=True))
        elif status == "removed":
            items.append(Finding(suite, "removed", "connector-removed", "the connector was removed",
                                 Level.BREAKING, path=swagger, failed=True))
        elif status == "added":
            version = f" (version {entry.new_version})" if entry.new_version else ""
            items.append(Finding(suite, "added", "connector-added", f"the connector was added{version}",
                                 Level.ADDITIVE, path=swagger))
        found = entry.positions if entry.positions is not None else [None] * len(entry.changes)
        items.extend(_change_findings(suite, entry.changes, found, path_of, fail_on))
        if entry.version_ok is not None:
            pos = entry.version_position
            items.append(Finding(suite, "version", "declared-version", entry.version_message or "",
                                 location="info/version", path=swagger, line=pos.line if pos else None,
                                 column=pos.column if pos else None,
                                 failed=check_version and entry.version_ok is False, ok=entry.version_ok))
        items.extend(_warning_findings(suite, entry.warnings, path_of))
        groups.append((suite, items))
    return groups
