"""The rule catalogue: one small function per rule, one row per rule in :data:`RULES`.

A rule is registered with :func:`rule` and looks at one kind of node (:class:`Kind`): it
receives the old and the new node (either may be ``None`` for an addition or a removal)
and yields :class:`Hit` objects. The engine turns hits into :class:`~versioning.changes.Change`
objects, filling in the rule id, level, location, operation and file position. A function
may back several rows (the same check for parameters and for body fields), which is why a
rule never names its own id.

Everything about a rule sits in its row, so nothing else keeps a list of rule ids:

* ``level``, ``kind``, ``description``, ``why``, ``message``, ``example``: what it finds and
  why that matters (``connver explain ID`` prints them);
* ``impact`` (:class:`FlowImpact`): which flow steps a change hits (:mod:`versioning.impact`);
* ``section`` (:class:`Section`): the release-notes section the change goes to when its level
  does not decide it (a breaking change is always under *Breaking changes*, a deprecation
  under *Deprecated*; the row's section is used at the rule's own level otherwise, and when a
  configuration lowers a breaking rule, e.g. *Removed* for a removal);
* ``todo``: what a flow owner must do, one sentence with the message's placeholders plus
  ``{kind}`` and ``{replacement}`` (breaking, deprecation and security changes show it);
* ``noun``: how a folded cosmetic change is named in release notes ("input descriptions").

``tests/test_rule_rows.py`` fails when a row lacks what its level requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable

from ..changes import Change, Level, printable, set_message_renderer


class Kind(str, Enum):
    """The kinds of node rules look at."""

    CONNECTOR = "connector"            # the whole definition (+ apiProperties, script, icon)
    OPERATION = "operation"            # operations matched by operationId (or as a rename)
    PARAMETER = "parameter"            # parameters matched by in + name (body: by position)
    REQUEST_PROPERTY = "request-property"    # body schema nodes, by property path
    RESPONSE = "response"              # responses matched by status code
    RESPONSE_PROPERTY = "response-property"  # response / webhook payload schema nodes
    CONNECTION_PARAMETER = "connection-parameter"  # apiProperties connectionParameters, by key
    DOCUMENT = "document"              # the raw documents, after every other kind (the residual pass)


class Section(str, Enum):
    """Keep a Changelog's sections, with breaking changes first (release notes)."""

    BREAKING = "Breaking changes"
    ADDED = "Added"
    CHANGED = "Changed"
    DEPRECATED = "Deprecated"
    REMOVED = "Removed"
    FIXED = "Fixed"
    SECURITY = "Security"

    def __str__(self) -> str:
        return self.value


class FlowImpact(str, Enum):
    """Which flow steps a change of a rule hits (see :mod:`versioning.impact`)."""

    CONNECTS = "connects"    # every flow holding a connection; the steps calling the operation if one is named
    CALLS = "calls"          # every step calling the operation
    ROUTE = "route"          # steps bound to the operation's method + path (Logic Apps)
    SENDS = "sends"          # steps that send the input (the key, a field below it, or the object holding it)
    OMITS = "omits"          # steps that do not send the input (newly required, default changed)
    READS = "reads"          # steps that read the output at the change's path (any output when it names none)
    READS_ANY = "reads-any"  # steps that read any output of the operation
    NONE = "none"            # nothing flows hold on to

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Hit:
    """What a rule found. ``at`` is appended to the node's location (e.g. ``"/type"``);
    ``location``, ``operation``, ``pointer``, ``side`` and ``file`` override the node's own
    (used by connector-wide rules that report on many places); ``covers`` names other places
    the finding speaks for."""

    old: Any = None
    new: Any = None
    at: str = ""
    details: tuple[tuple[str, Any], ...] = ()
    location: str | None = None
    operation: str | None = None
    pointer: tuple | None = None
    side: str | None = None
    file: str | None = None
    #: Other places this finding reports, as ``(file, pointer)``: the residual pass counts
    #: differences there as covered (an auth switch covers the credential parameters swapped with it).
    covers: tuple[tuple[str, tuple], ...] = ()
    #: Like ``at``: other places under the node the finding speaks for (added to ``covers``).
    speaks_for: tuple[str, ...] = ()


def hit(old: Any = None, new: Any = None, at: str = "", speaks_for: tuple[str, ...] = (), **details: Any) -> Hit:
    return Hit(old=old, new=new, at=at, details=tuple(sorted(details.items())), speaks_for=speaks_for)


Check = Callable[[Any, Any, Any], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One row of the catalogue."""

    id: str
    level: Level
    kind: Kind
    description: str
    why: str
    message: str
    example: tuple[str, str]
    check: Check = field(repr=False, compare=False)
    impact: FlowImpact | None = None
    section: Section | None = None
    todo: str | None = None
    noun: str | None = None


#: The catalogue, in registration order. Ids are stable: tests and ignore lists use them.
RULES: dict[str, Rule] = {}


def rule(id: str, level: Level, kind: Kind, *, description: str, why: str, message: str,
         example: tuple[str, str] = ("", ""), impact: FlowImpact | None = None, section: Section | None = None,
         todo: str | None = None, noun: str | None = None) -> Callable[[Check], Check]:
    """Register ``check`` as rule ``id``. Stack it to register one function for several ids.

    ``impact``, ``section``, ``todo`` and ``noun`` are the row's fields for flow impact,
    release notes and changelogs (see the module's docstring)."""

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(id, level, kind, description, why, message, example, check,
                         impact=impact, section=section, todo=todo, noun=noun)
        return check

    return register


def rules_for(kind: Kind) -> list[Rule]:
    """The rules of one kind, in registration order (cached: the engine asks per node; the
    cache is kept while the catalogue has the same size and the same last row, so a row
    registered after another was removed is seen)."""
    _load()
    cached = _BY_KIND.get(kind)
    state = (len(RULES), RULES[next(reversed(RULES))] if RULES else None)
    if cached is None or cached[0] != state[0] or cached[1] is not state[1]:
        cached = _BY_KIND[kind] = (state[0], state[1], [r for r in RULES.values() if r.kind is kind])
    return cached[2]


_BY_KIND: dict[Kind, tuple[int, Rule | None, list[Rule]]] = {}


def get_rule(rule_id: str) -> Rule:
    _load()
    return RULES[rule_id]


def all_rules() -> list[Rule]:
    _load()
    return list(RULES.values())


def render_message(change: Change) -> str:
    """The one-line sentence for a change, from its rule's message template."""
    _load()
    spec = RULES.get(change.rule)
    if spec is None:
        return change.rule
    values = message_values(change)
    try:
        return printable(spec.message.format(**values))
    except (KeyError, IndexError, ValueError):
        return printable(f"{spec.description} ({change.location})")


set_message_renderer(render_message)


def message_values(change: Change) -> dict[str, str]:
    """The placeholders a rule's message template may use: operation, location, old, new,
    name (the last location segment, or the parameter's name) and the change's details."""
    values = {
        "operation": change.operation or "",
        "location": change.location,
        "old": show_value(change.old),
        "new": show_value(change.new),
        "name": change.location.rsplit("/", 1)[-1],
    }
    values.update({k: v if isinstance(v, str) else show_value(v) for k, v in change.details})
    return values


def show_value(value: Any) -> str:
    """A value as it reads in a message.

    >>> show_value(None), show_value(True), show_value(["a", "b"]), show_value([])
    ('(not set)', 'true', 'a, b', '[] (empty)')
    >>> show_value({"testConnection": {"operationId": "Ping"}})
    '{"testConnection": {"operationId": "Ping"}}'
    """
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value) or "[] (empty)"
    if isinstance(value, dict):
        import json

        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 120 else text[:117] + "..."
    return str(value)


_loaded = False


def _load() -> None:
    """Import every module of this package (each registers its rules): a new rules module
    needs no list to be kept anywhere."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
