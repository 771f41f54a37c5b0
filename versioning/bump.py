"""The bump report: what a diff means for the version number.

:func:`bump_report` puts together, for one :class:`~versioning.diff.DiffResult`, the bump
its changes need (:func:`~versioning.version.bump_level`), the next version in the style
of the old one (:func:`~versioning.version.next_version`), how the version the new
definition declares compares (:func:`~versioning.version.check_version`), the changes that
drove the bump, and the operation families (:mod:`versioning.opversions`). It never
raises for an unreadable version: ``error`` says why there is no next version.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .changes import Change
from .errors import InputError, VersionError
from .version import Bump, VersionCheck, bump_level, check_version, drivers

if TYPE_CHECKING:  # pragma: no cover
    from .diff import DiffResult
    from .model import Connector
    from .opversions import OperationVersions


@dataclass(frozen=True)
class BumpReport:
    """The version verdict for one diff.

    ``current`` is where the bump starts (the old definition's ``info.version``, or the
    one stated with ``--from``); ``next`` the suggestion (None when ``current`` cannot be
    read, with ``error`` saying why); ``declared`` the new definition's ``info.version``;
    ``check`` how ``declared`` compares with the suggestion.
    """

    level: Bump
    current: str | None
    next: str | None
    declared: str | None
    check: VersionCheck | None
    error: str | None
    drivers: tuple[Change, ...]
    operations: OperationVersions | None = None

    @property
    def ok(self) -> bool | None:
        """True when the declared version is fine (maybe larger than needed), None when
        there is no suggestion to compare with."""
        return self.check.ok if self.check is not None else None

    @property
    def status(self) -> str | None:
        return self.check.status.value if self.check is not None else None

    @property
    def message(self) -> str:
        return self.check.message if self.check is not None else (self.error or "")

    def to_dict(self) -> dict[str, Any]:
        """The ``bump`` object of the JSON output (``connver diff`` and ``connver bump``)."""
        return {
            "current": self.current,
            "level": self.level.value,
            "next": self.next,
            "declared": self.declared,
            "ok": self.ok,
            "status": self.status,
            "message": self.message,
        }

    # hooks the diff renderers call for the entries of DiffResult.extra
    def text_lines(self) -> list[str]:
        from .render.text import bump_summary_lines

        return bump_summary_lines(self)

    def markdown_lines(self) -> list[str]:
        from .render.markdown import bump_summary_lines

        return bump_summary_lines(self)


def bump_report(
    result: "DiffResult",
    *,
    current: str | None = None,
    today: _dt.date | None = None,
    operations: bool = True,
) -> BumpReport:
    """The bump report for a diff. ``current`` (``--from``) overrides the old version;
    ``today`` is the date a date-style version moves to; ``operations`` adds the
    operation-family analysis."""
    level = bump_level(result.changes)
    start = current if current is not None else result.old.version
    declared = result.new.version
    check: VersionCheck | None = None
    error: str | None = None
    try:
        check = check_version(result.old.version, declared, level, current=current, today=today)
    except VersionError as exc:
        error = str(exc)
    ops = None
    if operations:  # (every diff carries a bump report, without this part: only then is it imported)
        from .opversions import analyse

        ops = analyse(result.new, result.old, result.changes)
    return BumpReport(
        level=level,
        current=start,
        next=check.expected if check is not None else None,
        declared=declared,
        check=check,
        error=error,
        drivers=tuple(drivers(result.changes, level)),
        operations=ops,
    )


def swagger_path(connector: "Connector") -> Path:
    """The swagger file on disk behind ``connector``; InputError for git or store sources."""
    source = connector.source
    if source.kind == "solution" and not source.meta.get("zip"):  # the solution's own definition file
        return Path(source.meta["path"]) / source.meta[f"file:{connector.swagger_name}"]
    if source.kind not in ("folder", "file") or "path" not in source.meta:
        raise InputError(
            f"{source.label}: cannot write a version into a {source.kind} source",
            hint="--write needs NEW as a connector folder or swagger file on disk",
        )
    path = Path(source.meta["path"])
    return path / connector.swagger_name if source.kind == "folder" else path


__all__ = ["BumpReport", "bump_report", "swagger_path"]
