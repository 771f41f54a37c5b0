"""The public diff API: load two connectors, compare them, get typed changes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .changes import LEVELS, Change, Level, count_levels, pointer_text
from .config import Config
from .gcpause import paused_gc
from .jsontext import LoadWarning
from .model import Connector
from .sources import read_source

#: Version of the JSON output contract (bumped on incompatible changes).
JSON_SCHEMA_VERSION = 1


def load_connector(spec: str | Path, *, repo: str | Path | None = None, store: str | Path | None = None) -> Connector:
    """Load a connector from a folder, a swagger file, ``REV:PATH`` (in ``repo``) or a
    store reference ``CONNECTOR@SPEC``."""
    return Connector.from_files(read_source(spec, repo=repo, store=store))


@dataclass
class DiffResult:
    """The changes between two connector versions, most severe first."""

    old: Connector
    new: Connector
    changes: list[Change]
    ignored: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[LoadWarning]:
        return [*self.old.warnings, *self.new.warnings]

    @property
    def summary(self) -> dict[Level, int]:
        return count_levels(self.changes)

    @property
    def worst(self) -> Level | None:
        return max((c.level for c in self.changes), key=lambda lv: lv.severity, default=None)

    def fails(self, threshold: Level | None) -> bool:
        """True when a change at ``threshold`` or more severe was found."""
        return threshold is not None and any(c.level.severity >= threshold.severity for c in self.changes)

    def by_level(self) -> dict[Level, list[Change]]:
        groups: dict[Level, list[Change]] = {level: [] for level in LEVELS}
        for change in self.changes:
            groups[change.level].append(change)
        return groups

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON contract (see docs/json.md)."""
        out = {
            "schema": JSON_SCHEMA_VERSION,
            "old": _side(self.old),
            "new": _side(self.new),
            "summary": {level.value: n for level, n in self.summary.items()},
            "changes": [change_to_dict(c) for c in self.changes],
            "ignored": self.ignored,
            "warnings": [str(w) for w in self.warnings],
        }
        out.update({key: value.to_dict() if hasattr(value, "to_dict") else value
                    for key, value in self.extra.items()})
        return out


def _side(connector: Connector) -> dict[str, Any]:
    return {"source": connector.label, "title": connector.title, "version": connector.version}


def change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "rule": change.rule,
        "level": change.level.value,
        "operation": change.operation,
        "location": change.location,
        "message": change.message,
        "old": change.old,
        "new": change.new,
        "file": change.file,
        "pointer": pointer_text(change.pointer),
        "side": change.side,
        **({"details": dict(change.details)} if change.details else {}),
    }


def diff(old: Connector, new: Connector, *, config: Config | None = None) -> DiffResult:
    """Compare two loaded connectors. ``config`` changes levels and silences findings."""
    from .bump import bump_report
    from .engine import run
    from .secrets import redact_changes

    with paused_gc():  # the walks build many small acyclic objects (see .gcpause)
        _, changes = run(old, new)
        changes = redact_changes(changes, old, new)  # every report prints these values
        ignored = 0
        if config is not None:
            changes, ignored = config.apply(changes)
        changes.sort(key=Change.sort_key)
        result = DiffResult(old=old, new=new, changes=changes, ignored=ignored)
        result.extra["bump"] = bump_report(result, operations=False)  # `bump` in every diff's output
    return result
