"""connver's versioning core: load Power Platform connector definitions, diff them
semantically, and classify every change by what it does to the connector's users.

    from connver import load_connector, diff
    result = diff(load_connector("old/"), load_connector("new/"))
    for change in result.changes:          # most severe first
        print(change.level, change.rule, change.location, change.message)

The core never imports click and never prints; ``cli`` is the command-line front end.
"""

from typing import TYPE_CHECKING

from .changes import LEVELS, Change, Level
from .config import Config, Ignore, load_config
from .diff import DiffResult, diff, load_connector
from .errors import (
    ConfigError,
    InputError,
    JSONDefectError,
    SourceNotFoundError,
    StoreError,
    VersionError,
    VersioningError,
)
from .jsontext import LoadWarning, load_json
from .depth import make_room as _make_room
from .model import Connector, Field, Operation, Response
from .rules import Kind, Rule, all_rules, get_rule
from .sourcefiles import SourceFiles
from .sources import read_source

_make_room()  # walkers reach the loader's depth limit without a RecursionError (see .depth)

#: Exported names whose modules are imported on first use, so that ``connver diff``
#: does not pay for the audit's process pool, the release-notes templates and the like.
_LAZY = {
    "AuditResult": "audit", "ConnectorAudit": "audit", "audit": "audit",
    "BumpReport": "bump", "bump_report": "bump",
    "ConsistencyReport": "consistency", "Dangling": "consistency", "check_consistency": "consistency",
    "Changelog": "changelog", "HistoryPoint": "changelog", "VersionEntry": "changelog",
    "build_changelog": "changelog", "git_history": "changelog", "store_history": "changelog",
    "ReleaseNotes": "notes", "Section": "notes", "build_notes": "notes",
    "OperationVersions": "opversions", "analyse_operation_versions": ("opversions", "analyse"),
    "set_info_version": "jsontext", "write_info_version": "jsontext",
    "Bump": "version", "CheckStatus": "version", "VersionCheck": "version", "bump_level": "version",
    "check_version": "version", "next_version": "version", "parse_version": "version",
}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'connver' has no attribute {name!r}")
    import importlib

    module_name, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(f".{module_name}", __name__), attr)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .audit import AuditResult, ConnectorAudit, audit
    from .bump import BumpReport, bump_report
    from .consistency import ConsistencyReport, Dangling, check_consistency
    from .changelog import Changelog, HistoryPoint, VersionEntry, build_changelog, git_history, store_history
    from .notes import ReleaseNotes, Section, build_notes
    from .opversions import OperationVersions
    from .opversions import analyse as analyse_operation_versions
    from .jsontext import set_info_version, write_info_version
    from .version import Bump, CheckStatus, VersionCheck, bump_level, check_version, next_version, parse_version

__all__ = [
    "LEVELS", "Change", "Config", "ConfigError", "Connector", "DiffResult", "Field", "Ignore",
    "InputError", "JSONDefectError", "Kind", "Level", "LoadWarning", "Operation", "Response",
    "Rule", "SourceFiles", "SourceNotFoundError", "StoreError", "VersionError", "VersioningError",
    "all_rules", "diff", "get_rule", "load_config", "load_connector", "load_json", "read_source",
    # versions (connver bump)
    "Bump", "BumpReport", "CheckStatus", "OperationVersions", "VersionCheck", "analyse_operation_versions",
    "bump_level", "bump_report", "check_version", "next_version", "parse_version", "set_info_version",
    "write_info_version",
    # consistency (connver check)
    "ConsistencyReport", "Dangling", "check_consistency",
    # repository ranges (connver audit)
    "AuditResult", "ConnectorAudit", "audit",
    # release notes and changelogs (connver notes, connver changelog)
    "Changelog", "HistoryPoint", "ReleaseNotes", "Section", "VersionEntry", "build_changelog", "build_notes",
    "git_history", "store_history",
]
