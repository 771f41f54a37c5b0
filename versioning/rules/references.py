"""Rules on references between operations.

``x-ms-dynamic-values``, ``-list``, ``-schema``, ``-properties``, ``-tree`` and
``x-ms-operation-context`` make the designer call another (often internal) operation, by
operationId, to fill a dropdown or to build dynamic fields, passing some of the step's own
inputs as that operation's parameters. The called operation and the parameter mapping are
contract too: a reference that worked against the old definition and no longer does breaks
the designer for every step that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ..changes import Level
from . import FlowImpact, Hit, Kind, Section, rule

C = Kind.CONNECTOR

DYNAMIC_KEYS = ("x-ms-dynamic-values", "x-ms-dynamic-list", "x-ms-dynamic-schema",
                "x-ms-dynamic-properties", "x-ms-dynamic-tree", "x-ms-operation-context")
_DYNAMIC = frozenset(DYNAMIC_KEYS)
_SECTIONS = ("paths", "definitions", "parameters")
_NAME_DEPTH = 8  # how deep body property names are collected for the source-parameter check


@dataclass(frozen=True, eq=False)
class DynamicRef:
    """One call from a dynamic extension to another operation."""

    owner: str | None           # operationId holding the extension; None in shared definitions
    where: str                  # location of the holding node below the owner (or absolute)
    key: str                    # the extension, e.g. x-ms-dynamic-values
    sub: tuple[str, ...]        # ("open",) / ("browse",) inside x-ms-dynamic-tree, else ()
    pointer: tuple              # JSON pointer of the call in the swagger
    target: str                 # the operationId called
    mapping: Mapping[str, Any]  # its "parameters" object
    raw: Mapping[str, Any]      # the call as written

    @property
    def location(self) -> str:
        base = f"operation/{self.owner}/{self.where}" if self.owner else self.where
        return "/".join(p for p in (base.strip("/"), self.key, *self.sub) if p)

    @property
    def match_key(self) -> tuple:
        return (self.owner, self.where, self.key, self.sub)


def dynamic_references(connector, scans: dict | None = None, before: Any = None) -> list[DynamicRef]:
    """Every dynamic call in a definition.

    ``scans`` collects the raw findings per top-level entry (a path item, a definition);
    given the ``before`` document and its ``scans``, entries equal on both sides are not
    walked again."""
    owners = {(op.path, op.method): op.id for op in connector.operations.values()}
    found: list[DynamicRef] = []
    reuse = scans.get("reuse", {}) if scans is not None else {}
    mine: dict[tuple, list] = {}
    for section in _SECTIONS:
        entries = connector.swagger.get(section)
        if not isinstance(entries, dict):
            continue
        earlier = before.get(section) if isinstance(before, dict) else None
        for name, entry in entries.items():
            cached = reuse.get((section, name))
            if cached is not None and isinstance(earlier, dict) and earlier.get(name) == entry:
                hits = cached
            else:
                hits = list(_scan(entry, (section, name)))
            mine[(section, name)] = hits
            for pointer, key, value in hits:
                owner = owners.get(pointer[1:3]) if section == "paths" and len(pointer) >= 3 else None
                where = _where(connector, pointer, owner)
                for sub, call in _calls(value):
                    mapping = call.get("parameters")
                    found.append(DynamicRef(owner, where, key, sub, pointer + (key,) + sub, call["operationId"],
                                            mapping if isinstance(mapping, dict) else {}, call))
    if scans is not None:
        scans["mine"] = mine
    return found


def _scan(root: Any, base: tuple) -> Iterator[tuple[tuple, str, dict]]:
    """(pointer of the holder, extension name, extension) for every dynamic extension below
    ``root``. The walk touches every node of large definitions, so it keeps parent links and
    builds a pointer only for the few nodes that hold an extension."""
    if not isinstance(root, (dict, list)):
        return
    links: list[tuple[int, Any]] = [(-1, None)]
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, at = stack.pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            kind = type(value)
            if kind is dict and key in _DYNAMIC:
                yield base + _trail(links, at), key, value
            elif kind is dict or kind is list:
                links.append((at, key))
                stack.append((value, len(links) - 1))


def _trail(links: list[tuple[int, Any]], at: int) -> tuple:
    keys = []
    while at > 0:
        at, key = links[at]
        keys.append(key)
    return tuple(reversed(keys))


def _calls(ext: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    if isinstance(ext.get("operationId"), str):
        yield (), ext
    for key in ("open", "browse"):  # x-ms-dynamic-tree
        sub = ext.get(key)
        if isinstance(sub, dict) and isinstance(sub.get("operationId"), str):
            yield (key,), sub


def _where(connector, pointer: tuple, owner: str | None) -> str:
    """A checker-style location for the node at ``pointer`` (below its operation, if any)."""
    if owner is None:
        return "/".join(str(p) for p in pointer if p != "properties")
    rest = pointer[3:]
    if rest[:1] == ("parameters",) and len(rest) >= 2:
        listing = connector.operations[owner].raw.get("parameters") or []
        index = rest[1]
        item = listing[index] if isinstance(index, int) and index < len(listing) else None
        name = item.get("name") if isinstance(item, dict) else None
        tail = [str(p) for p in rest[2:] if p != "properties"]
        return "/".join(["parameter", str(name if name is not None else index), *tail])
    return "/".join(str(p) for p in rest if p != "properties")


# --- what makes a call fail ----------------------------------------------------------------

def _filled_by_platform(field) -> bool:
    return field.visibility == "internal" and field.has_default


def _input_names(op, deep: bool = False) -> set[str]:
    """Parameter names and body property names (top level, or at any depth with ``deep``)."""
    names = {field.name for field in op.parameters.values()}
    body = op.body
    if body is not None:
        stack = [(body, 0)]
        while stack:
            field, depth = stack.pop()
            for name, child in field.children().items():
                names.add(name)
                if deep and depth < _NAME_DEPTH:
                    stack.append((child, depth + 1))
    return names


def _sources(mapping: Mapping[str, Any]) -> Iterator[str]:
    """The step inputs a mapping passes on (``{"parameter": X}``, ``{"parameterReference": X}``)."""
    for value in mapping.values():
        if isinstance(value, dict):
            for key in ("parameter", "parameterReference"):
                if isinstance(value.get(key), str):
                    yield value[key]


def _problems(ref: DynamicRef, connector, owner: str | None, target: str) -> set[tuple[str, str]]:
    """Why ``ref`` would fail against ``connector`` (with owner and target ids as given)."""
    op = connector.operations.get(target)
    if op is None:
        return {("target", target)}
    out: set[tuple[str, str]] = set()
    names = _input_names(op)
    out.update(("param", k) for k in ref.mapping if k.split("/")[0] not in names)
    for field in op.parameters.values():
        if (field.location != "body" and field.required and not _filled_by_platform(field)
                and field.name not in ref.mapping):
            out.add(("unsupplied", field.name))
    holder = connector.operations.get(owner) if owner else None
    if holder is not None:
        own = _input_names(holder, deep=True)
        out.update(("source", s) for s in _sources(ref.mapping) if s.split("/")[0] not in own)
    return out


def references(ctx, side: str) -> list[DynamicRef]:
    """The dynamic calls of one side, computed once per diff (the new side reuses the old
    side's walk for every path item and definition that did not change)."""
    key = ("dynamic-references", side)
    if key not in ctx.memo:
        if side == "old":
            scans: dict = {}
            ctx.memo[key] = dynamic_references(ctx.old, scans)
            ctx.memo["dynamic-scans"] = scans["mine"]
        else:
            references(ctx, "old")
            ctx.memo[key] = dynamic_references(ctx.new, {"reuse": ctx.memo["dynamic-scans"]}, ctx.old.swagger)
    return ctx.memo[key]


def new_problems(ctx) -> dict[DynamicRef, list[tuple[str, str]]]:
    """References of the new definition that fail where the old definition let them work.

    A reference is judged against both definitions (following operation renames), so a
    call that was already broken is not reported, and one inside an operation that did not
    exist before breaks nobody."""
    if "dynamic-problems" in ctx.memo:
        return ctx.memo["dynamic-problems"]
    reverse = {new: old for old, new in ctx.renamed.items()}
    out: dict[DynamicRef, list[tuple[str, str]]] = {}
    for ref in references(ctx, "new"):
        old_owner = reverse.get(ref.owner, ref.owner) if ref.owner else None
        if ref.owner and old_owner not in ctx.old.operations:
            continue
        now = _problems(ref, ctx.new, ref.owner, ref.target)
        if now:
            fresh = now - _problems(ref, ctx.old, old_owner, reverse.get(ref.target, ref.target))
            if fresh:
                out[ref] = sorted(fresh)
    ctx.memo["dynamic-problems"] = out
    return out


def _describe(ctx, ref: DynamicRef, kind: str, name: str) -> str:
    if kind == "target":
        renamed = ctx.renamed.get(name)
        return f"{name} was removed" + (f" (renamed to {renamed}?)" if renamed else "")
    if kind == "param":
        return f"{ref.target} no longer has parameter {name}"
    if kind == "unsupplied":
        return f"{ref.target} now requires parameter {name}, which the call does not pass"
    return f"the call passes {name}, which {ref.owner} no longer has"


@rule("dynamic-reference-broken", Level.BREAKING, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      todo=("Existing steps keep their values, but the designer can no longer fill the dropdowns of this "
            "{kind} ({target} {problem}): type values in by hand when you edit them."),
      description="An x-ms-dynamic-* call no longer works: the operation it calls was removed or renamed, lost a "
                  "parameter the call passes, now requires one it does not pass, or an input it passes on is gone.",
      why="The designer fills dropdowns and dynamic fields by calling that operation: they now fail, and steps using "
          "them cannot be edited. Internal helper operations are part of the contract.",
      message="{location} calls {target}: {problem}",
      example=('"parameters": [{"name": "folder", "in": "query", "type": "string", "x-ms-dynamic-values": '
               '{"operationId": "ListFolders", "value-path": "id"}}], "/folders": {"get": {"operationId": "ListFolders", '
               '"x-ms-visibility": "internal", "parameters": []}}',
               '"parameters": [{"name": "folder", "in": "query", "type": "string", "x-ms-dynamic-values": '
               '{"operationId": "ListFolders", "value-path": "id"}}], "/folders": {"get": {"operationId": "ListFolders", '
               '"x-ms-visibility": "internal", "parameters": [{"name": "site", "in": "query", "type": "string", '
               '"required": true}]}}'))
def dynamic_reference_broken(ctx, old, new):
    for ref, problems in new_problems(ctx).items():
        for kind, name in problems:
            yield Hit(old=name, new=None, location=ref.location, operation=ref.owner, pointer=ref.pointer,
                      side="new", details=(("problem", _describe(ctx, ref, kind, name)), ("target", ref.target)))


@rule("dynamic-reference-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="An x-ms-dynamic-* call changed (operation called, parameters passed, value or item paths).",
      why="Dropdowns may offer other values and dynamic fields other properties: values saved in existing steps may no "
          "longer be offered, or mean something else. Open an existing step in the designer to check.",
      message="{location} changed (calls {target})",
      example=('"x-ms-dynamic-values": {"operationId": "ListFolders", "value-path": "id"}',
               '"x-ms-dynamic-values": {"operationId": "ListFolders", "value-path": "path"}'))
def dynamic_reference_changed(ctx, old, new):
    before = {}
    for ref in references(ctx, "old"):
        owner = ctx.renamed.get(ref.owner, ref.owner) if ref.owner else None
        before[(owner,) + ref.match_key[1:]] = ref
    broken = new_problems(ctx)
    for ref in references(ctx, "new"):
        was = before.get(ref.match_key)
        if was is not None and was.raw != ref.raw and ref not in broken:
            yield Hit(old=dict(was.raw), new=dict(ref.raw), location=ref.location, operation=ref.owner,
                      pointer=ref.pointer, side="new", details=(("target", ref.target),))
