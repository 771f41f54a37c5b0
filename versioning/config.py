"""User configuration: rule levels and silenced findings.

Read from ``[tool.connver]`` in a ``pyproject.toml`` or from a ``.connver.toml`` (top level,
or under ``[tool.connver]``), the first found from the current directory upward::

    [tool.connver]
    ignore = [
        "host-changed",                                     # a rule, everywhere
        { rule = "parameter-removed", operation = "GetItem" },
        { rule = "response-property-*", location = "operation/ListItems/responses/200/*" },
    ]

    [tool.connver.rules]
    policy-changed = "breaking"     # raise or lower a rule's level
    icon-changed = "ignore"         # or silence it

What a pipeline would otherwise repeat on every call (the command line wins)::

    [tool.connver]
    fail-on = "breaking"            # --fail-on
    format = "github"               # --format (of audit and diff)
    strict = true                   # --strict (audit)
    paths = ["connectors/*"]        # audit --path (default: every folder)
    exclude = ["templates/**"]      # folders audit leaves out (default: templates/**)

Rule, operation and location accept shell-style wildcards (``*``, ``?``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Iterable

from .changes import Change, Level
from .errors import ConfigError

CONFIG_FILES = (".connver.toml", "pyproject.toml")
_OFF = {"ignore", "off", "none", "silence"}


@dataclass(frozen=True)
class Ignore:
    """Silences changes whose rule (and, if given, operation and location) match."""

    rule: str
    operation: str | None = None
    location: str | None = None

    def matches(self, change: Change) -> bool:
        if not fnmatchcase(change.rule, self.rule):
            return False
        if self.operation is not None and not fnmatchcase(change.operation or "", self.operation):
            return False
        if self.location is not None and not fnmatchcase(change.location, self.location):
            return False
        return True


@dataclass(frozen=True)
class Config:
    levels: dict[str, Level] = field(default_factory=dict)
    ignore: tuple[Ignore, ...] = ()
    path: Path | None = None
    #: defaults for the command line (None: not set), see the module's docstring
    fail_on: Level | None = None
    format: str | None = None
    strict: bool | None = None
    paths: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None

    def with_ignored(self, rules: Iterable[str]) -> "Config":
        """This configuration plus ``--ignore RULE`` options."""
        extra = tuple(Ignore(rule=r) for r in rules)
        _check_rule_ids([i.rule for i in extra], "--ignore")
        return replace(self, ignore=self.ignore + extra)

    def apply(self, changes: Iterable[Change]) -> tuple[list[Change], int]:
        """Changes with levels overridden and silenced ones dropped; also how many were dropped."""
        kept: list[Change] = []
        dropped = 0
        for change in changes:
            if any(i.matches(change) for i in self.ignore):
                dropped += 1
                continue
            level = self.levels.get(change.rule)
            kept.append(change if level is None or level is change.level else replace(change, level=level))
        return kept, dropped


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``.connver.toml``, or ``pyproject.toml`` with ``[tool.connver]``.

    None when there is none, or when the current directory no longer exists (nothing to
    search from). A candidate that exists but cannot be read raises :class:`ConfigError`:
    skipping it could silently drop the settings it holds.
    """
    try:
        here = (start or Path.cwd()).resolve()
    except (FileNotFoundError, OSError):  # the current directory was deleted
        return None
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            try:
                if candidate.is_file() and (name != "pyproject.toml" or b"[tool.connver" in candidate.read_bytes()):
                    return candidate
            except OSError as exc:
                raise _unreadable(candidate, exc) from None
    return None


def _unreadable(path: Path, exc: OSError) -> ConfigError:
    reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
    return ConfigError(f"{path}: cannot read the configuration: {reason}",
                       hint="make it readable, or pass --config FILE to use another file")


def load_config(path: Path | None = None, *, search: bool = True) -> Config:
    """Load ``path``, or the nearest configuration file; an empty Config when there is none."""
    if path is None and search:
        path = find_config()
    if path is None:
        return Config()
    import tomllib
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _unreadable(Path(path), exc) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint="fix the file or remove it") from None
    table = data.get("tool", {}).get("connver") if isinstance(data.get("tool"), dict) else None
    if table is None:
        table = {} if Path(path).name == "pyproject.toml" else data
    elif not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.connver is {_kind(table)}, not a table",
                          hint="write the settings under a [tool.connver] header")
    return parse_config(table, Path(path))


def _kind(value: Any) -> str:
    """How a TOML value is described in messages.

    >>> _kind("x"), _kind(5), _kind([1]), _kind(True)
    ("a string ('x')", 'a number (5)', 'an array', 'a boolean (true)')
    """
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # dates and times


#: Top-level keys of ``[tool.connver]``.
KNOWN_KEYS = {"rules", "ignore", "fail-on", "format", "strict", "paths", "exclude"}


def parse_config(table: dict[str, Any], path: Path | None = None) -> Config:
    where = str(path) if path else "configuration"
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        from difflib import get_close_matches

        close = get_close_matches(unknown[0], sorted(KNOWN_KEYS), n=1)
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r}",
                          hint=f"did you mean {close[0]}?" if close else
                          "the settings are " + ", ".join(sorted(KNOWN_KEYS)))
    levels: dict[str, Level] = {}
    ignore: list[Ignore] = []
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: [tool.connver.rules] must be a table of rule = \"level\"")
    for rule_id, value in rules.items():
        text = str(value).strip().lower()
        if text in _OFF:
            ignore.append(Ignore(rule=rule_id))
            continue
        try:
            levels[rule_id] = Level.parse(text)
        except ValueError as exc:
            raise ConfigError(f"{where}: rules.{rule_id}: {exc} or \"ignore\"") from None
    entries = table.get("ignore", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: ignore must be a list of rule ids or {{ rule = ..., operation = ..., location = ... }}")
    for entry in entries:
        if isinstance(entry, str):
            ignore.append(Ignore(rule=entry))
        elif isinstance(entry, dict) and isinstance(entry.get("rule", "*"), str):
            unknown = set(entry) - {"rule", "operation", "location"}
            if unknown:
                raise ConfigError(f"{where}: ignore entry has unknown keys {sorted(unknown)}; use rule, operation, location")
            for key in ("operation", "location"):
                if key in entry and not isinstance(entry[key], str):
                    raise ConfigError(
                        f"{where}: ignore entry for rule {entry.get('rule', '*')!r}: {key} is {_kind(entry[key])}, "
                        "not a string", hint=f'write {key} = "NAME" (wildcards allowed)')
            ignore.append(Ignore(rule=entry.get("rule", "*"), operation=entry.get("operation"), location=entry.get("location")))
        else:
            raise ConfigError(f"{where}: ignore entries are rule ids or tables with rule/operation/location")
    _check_rule_ids([*levels, *(i.rule for i in ignore)], where)
    return Config(levels=levels, ignore=tuple(ignore), path=path, **_pipeline_settings(table, where))


def _pipeline_settings(table: dict[str, Any], where: str) -> dict[str, Any]:
    """``fail-on``, ``format``, ``strict``, ``paths`` and ``exclude``, checked."""
    out: dict[str, Any] = {}
    if "fail-on" in table:
        try:
            out["fail_on"] = Level.parse(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{where}: fail-on: {exc}") from None
    if "format" in table:
        if not isinstance(table["format"], str):
            raise ConfigError(f"{where}: format is {_kind(table['format'])}, not a string", hint='write format = "github"')
        out["format"] = table["format"]
    if "strict" in table:
        if not isinstance(table["strict"], bool):
            raise ConfigError(f"{where}: strict is {_kind(table['strict'])}, not a boolean", hint="write strict = true")
        out["strict"] = table["strict"]
    for key in ("paths", "exclude"):
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key} must be a list of folder patterns",
                                  hint=f'write {key} = ["connectors/*"]')
            out[key] = tuple(value)
    return out


def _check_rule_ids(ids: Iterable[str], where: str) -> None:
    from .rules import RULES, all_rules

    all_rules()
    for rule_id in ids:
        if not any(fnmatchcase(known, rule_id) for known in RULES):
            from difflib import get_close_matches

            close = get_close_matches(rule_id, list(RULES), n=1)
            hint = f"did you mean {close[0]}?" if close else "run `connver rules` for the list"
            raise ConfigError(f"{where}: unknown rule {rule_id!r}", hint=hint)
