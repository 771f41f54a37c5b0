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
    """One annotation or test case (a named tuple: an audit can make tens of thousands).

    ``line`` and ``column`` are always in the file ``path`` names as a reviewer sees it: the
    new file. For a removal they locate ``anchor``, the removed element's nearest ancestor
    that the new file still holds, and ``old_line`` says where it was declared in the old
    file. ``side`` is ``old`` for something only the old file has (a load warning about the
    old file, a change to a file the new side no longer has): ``line`` is then given only
    when the old file has a path of its own (two folders compared), else only ``old_line``.
    """

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
    side: str = "new"  # whose file the element is in: "old" when only the old file has it
    old_line: int | None = None  # where a removed element (or an old-file defect) was, in the old file
    anchor: str | None = None  # for a removal: the JSON pointer that line and column locate

    @property
    def where(self) -> str:
        """``path:line:column``, followed by what the line is when it is not the element's own."""
        text = self.path or ""
        if text and self.line:
            text += f":{self.line}" + (f":{self.column}" if self.column else "")
        note = self.line_note
        return f"{text} ({note})" if text and note else text

    @property
    def line_note(self) -> str:
        """Why the line is not simply the element's: a removal, or a line in the old file."""
        if self.anchor is not None:
            parent = self.anchor or "the document root"
            old = f"; it was declared at line {self.old_line} of the old file" if self.old_line else ""
            return f"removed: the line is that of its nearest remaining parent, {parent}{old}"
        if self.side == "old":
            if self.line:
                return "line in the old file"
            if self.old_line:
                return f"line {self.old_line} of the old file"
        return ""

    @property
    def test_name(self) -> str:
        return f"{self.rule} {self.location}".strip()

    @property
    def text(self) -> str:
        """The message, followed by where it is when that is not the line itself:
        ``message (at LOCATION; removed: ...)``. Every CI format shows this text."""
        at = "; ".join(part for part in (f"at {self.location}" if self.location else "", self.line_note) if part)
        return self.message + (f" ({at})" if at else "")

    @property
    def severity(self) -> str:
        """``error`` (it fails, or cannot be loaded), ``warning`` (risky, deprecation, a defect,
        a version that is not enough) or ``note``: the three kinds every CI format has."""
        if self.failed or self.kind == "error":
            return "error"
        if self.kind in ("warning", "version") or self.level in (Level.RISKY, Level.DEPRECATION, Level.BREAKING):
            return "warning"
        return "note"


def change_fails(change: Change, fail_on: Level | None) -> bool:
    return change.level is Level.BREAKING or (fail_on is not None and change.level.severity >= fail_on.severity)


def _own_old_path(name: str, path_of) -> bool:
    """Whether the old file has a path of its own (two folders compared), so that a line
    in the old file can be annotated on it; in a repository range it is the same path."""
    return path_of(name, "old") != path_of(name, "new")


def _change_findings(suite: str, changes, found, path_of, fail_on: Level | None) -> Iterator[Finding]:
    from ..diff import pointer_text

    for change, position in zip(changes, found):
        failed = change_fails(change, fail_on)
        if position is None:
            side = "old" if change.side == "old" else "new"
            path = path_of(change.file, side) if change.file else None
            yield Finding(suite, "finding", change.rule, change.message, change.level, change.location, path,
                          failed=failed, side=side)
            continue
        line, column = position.line, position.column
        if position.side == "old" and not _own_old_path(position.file, path_of):
            line = column = None  # an old line on the new file would point at something else
        anchor = pointer_text(position.anchor) if position.anchor is not None else None
        yield Finding(suite, "finding", change.rule, change.message, change.level, change.location,
                      path_of(position.file, position.side), line, column, failed, side=position.side,
                      old_line=position.old_line, anchor=anchor)


def _warning_findings(suite: str, sided_warnings, path_of) -> Iterator[Finding]:
    """A finding per load warning, on the file that has the defect (the old one or the new one)."""
    for side, warning in sided_warnings:
        name = str(getattr(warning, "file", "")).rsplit("/", 1)[-1] or None
        line, column = getattr(warning, "line", None), getattr(warning, "column", None)
        old_line = line if side == "old" else None
        if side == "old" and not (name and _own_old_path(name, path_of)):
            line = column = None
        yield Finding(suite, "warning", "load-warning", str(warning),
                      path=path_of(name, side) if name else None, line=line, column=column, side=side,
                      old_line=old_line)


def file_path(src, name: str) -> str:
    """The path of the connector file ``name`` of a source, as CI formats name it: inside the
    folder (or the repository path of ``REV:PATH``), or the swagger file given itself."""
    if src.kind == "file":
        return src.meta.get("path", src.label)
    base = src.meta.get("path", src.label).replace("\\", "/").rstrip("/")
    return f"{base}/{name}" if base not in ("", ".") else name


def diff_findings(result, fail_on: Level | None = None) -> list[tuple[str, list[Finding]]]:
    """One group (the new side's label) with a finding per change of a diff."""
    from ..lines import positions

    old_src, new_src = result.old.source, result.new.source

    def path_of(name: str, side: str) -> str:
        return file_path(old_src if side == "old" else new_src, name)

    suite = new_src.meta.get("path", new_src.label)
    found = positions(result.changes, old_src.files, new_src.files, docs=source_docs(result.old, result.new))
    items = list(_change_findings(suite, result.changes, found, path_of, fail_on))
    sided = [*(("old", w) for w in result.old.warnings), *(("new", w) for w in result.new.warnings)]
    items.extend(_warning_findings(suite, sided, path_of))
    return [(suite, items)]


def source_docs(old, new) -> dict[tuple[str, str], object]:
    """The swagger documents both connectors already parsed, for :func:`versioning.lines.positions`."""
    return {("old", old.swagger_name): old.swagger, ("new", new.swagger_name): new.swagger}


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
            old_side = pos is not None and pos.side == "old"  # the same path: a new-file line would mislead
            items.append(Finding(suite, "error", "load-error", entry.error or "cannot be loaded",
                                 path=entry.file_path(pos.file) if pos else swagger,
                                 line=pos.line if pos and not old_side else None,
                                 column=pos.column if pos and not old_side else None,
                                 failed=True, side=pos.side if pos else "new",
                                 old_line=pos.line if old_side else None))
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
        items.extend(dangling_findings(suite, entry.dangling, entry.file_path))
        items.extend(dangling_findings(suite, entry.dangling_before, entry.file_path, failed=False))
        items.extend(_warning_findings(suite, entry.sided_warnings(), path_of))
        groups.append((suite, items))
    return groups


def dangling_findings(suite: str, dangling, path_of, *, failed: bool = True) -> Iterator[Finding]:
    """A finding per dangling reference (see :mod:`versioning.consistency`), on its line."""
    from ..consistency import RULE_ID

    for item in dangling:
        text = f"{item.message} [{item.kind.value}]" + ("" if failed else " (dangled before this change)")
        yield Finding(suite, "finding" if failed else "warning", RULE_ID, text,
                      location=item.pointer, path=path_of(item.file), line=item.line, column=item.column,
                      failed=failed)


def check_findings(result) -> list[tuple[str, list[Finding]]]:
    """One group per connector ``connver check`` read: its dangling references (each fails)
    and its load warnings."""
    groups = []
    for report in result.reports:
        src = report.source
        suite = src.meta.get("path", src.label) if src is not None else report.label

        def path_of(name: str, side: str = "new", src=src) -> str:
            return file_path(src, name) if src is not None else name

        items = list(dangling_findings(suite, report.dangling, path_of))
        items.extend(_warning_findings(suite, [("new", w) for w in report.warnings], path_of))
        if report.error is not None:  # it could not be read: nothing else was checked
            file, line, column = report.error_at or (report.label, None, None)
            items.append(Finding(suite, "error", "load-error", report.error, path=file, line=line, column=column,
                                 failed=True))
        groups.append((suite, items))
    return groups


def upgrade_findings(report, fail_on: Level | None = None) -> list[tuple[str, list[Finding]]]:
    """One group (the fork) for ``connver upgrade-check``: each change updating brings (failing
    when it breaks something used, or is at ``fail_on`` or above), each conflict (failing),
    each reference the result would leave dangling (failing where the fork's files do not
    have it, a warning where they do), and the fork's load warnings. The files are the fork's:
    what a reviewer of the fork's repository sees."""
    src = report.fork.source
    suite = src.meta.get("path", src.label)

    def path_of(name: str, side: str = "new") -> str:
        return file_path(src, name)

    failing = {id(c) for c in report.affecting} | {id(c) for c in report.failing(fail_on)}
    items = [Finding(suite, "finding", c.rule, c.message, c.level, c.location, path_of(c.file or report.fork.swagger_name),
                     failed=id(c) in failing) for c in report.incoming]
    for conflict in report.conflicts:
        items.append(Finding(suite, "finding", "upgrade-conflict",
                             f"your edit and upstream's change collide ({conflict.kind.value}); the merge keeps "
                             + ("yours" if conflict.kept.value == "fork" else "upstream's"),
                             location=conflict.location, path=path_of(conflict.file), failed=True))
    if report.consistency is not None:
        from ..consistency import RULE_ID

        for item in report.consistency.items:
            blocks = item.origin.blocks
            items.append(Finding(suite, "finding" if blocks else "warning", RULE_ID,
                                 f"{item.message} [{item.dangling.kind.value}]", location=item.dangling.pointer,
                                 path=path_of(item.dangling.file), failed=blocks))
    items.extend(_warning_findings(suite, [("new", w) for w in report.fork.warnings], path_of))
    return [(suite, items)]


def upgrade_summary(report, fail_on=None) -> str:
    """``connver upgrade-check FORK: not safe to update: ...; 7 incoming, 1 conflict(s), 0 dangling``."""
    from .upgrade import verdict_sentence

    dangling = len(report.consistency.items) if report.consistency is not None else 0
    return (f"connver upgrade-check {report.fork.label}: {verdict_sentence(report)}; {len(report.incoming)} incoming "
            f"change(s), {len(report.conflicts)} conflict(s), {dangling} dangling reference(s)")
