"""Rules on references between operations.

``x-ms-dynamic-values``, ``-list``, ``-schema``, ``-properties``, ``-tree`` and
``x-ms-operation-context`` make the designer call another (often internal) operation, by
operationId, to fill a dropdown or to build dynamic fields, passing some of the step's own
inputs as that operation's parameters. The called operation and the parameter mapping are
contract too: a reference that worked against the old definition and no longer does breaks
the designer for every step that uses it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator, Mapping

from ..changes import Level
from ..entries import Entries
from ..pointers import value_at
from . import FlowImpact, Hit, Kind, Section, rule

C = Kind.CONNECTOR

_NAME_DEPTH = 8  # how deep body property names are collected for the source-parameter check


class DynamicRef:
    """One call from a dynamic extension to another operation (compared by identity: the
    rules key their findings by the call object)."""

    __slots__ = ("owner", "where", "key", "sub", "pointer", "target", "mapping", "raw")

    def __init__(self, owner: str | None, where: str, key: str, sub: tuple[str, ...], pointer: tuple, target: str,
                 mapping: Mapping[str, Any], raw: Mapping[str, Any]) -> None:
        self.owner = owner        # operationId holding the extension; None in shared definitions
        self.where = where        # location of the holding node below the owner (or absolute)
        self.key = key            # the extension, e.g. x-ms-dynamic-values
        self.sub = sub            # ("open",) / ("browse",) inside x-ms-dynamic-tree, else ()
        self.pointer = pointer    # JSON pointer of the call in the swagger
        self.target = target      # the operationId called
        self.mapping = mapping    # its "parameters" object
        self.raw = raw            # the call as written

    def __repr__(self) -> str:
        return f"DynamicRef({self.location!r} -> {self.target!r})"

    @property
    def location(self) -> str:
        base = f"operation/{self.owner}/{self.where}" if self.owner else self.where
        return "/".join(p for p in (base.strip("/"), self.key, *self.sub) if p)

    @property
    def match_key(self) -> tuple:
        return (self.owner, self.where, self.key, self.sub)


def dynamic_references(connector, entries: Entries) -> list[DynamicRef]:
    """Every dynamic call in a definition, from its entries (see :mod:`connver.entries`): in
    path items, shared definitions, shared parameters and shared responses (a response's
    ``x-ms-dynamic-schema`` builds a step's outputs as a parameter's builds its inputs)."""
    owners = {(op.path, op.method): op.id for op in connector.operations.values()}
    found: list[DynamicRef] = []
    for key, entry in entries.items():
        section = key[0]
        for pointer, name, value in entry.dynamic:
            owner = owners.get(pointer[1:3]) if section == "paths" and len(pointer) >= 3 else None
            where = _where(connector, pointer, owner)
            for sub, call in _calls(value):
                mapping = call.get("parameters")
                found.append(DynamicRef(owner, where, name, sub, pointer + (name,) + sub, call["operationId"],
                                        mapping if isinstance(mapping, dict) else {}, call))
    return found


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
        ctx.memo[key] = dynamic_references(ctx.old if side == "old" else ctx.new, ctx.entries(side))
    return ctx.memo[key]


def callers(ctx, op_id: str | None) -> str:
    """The x-ms-dynamic-* references (old definition) that call ``op_id``, for messages."""
    found = sorted({ref.location for ref in references(ctx, "old") if ref.target == op_id})
    return ", ".join(found) if found else "no reference in this definition"


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
            "{kind} ({problem}): type values in by hand when you edit them."),
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


def kept_calls(ctx) -> list[tuple[DynamicRef, DynamicRef]]:
    """(old, new) of each call both definitions make from the same place (following operation
    renames), leaving out those :func:`new_problems` reports as broken."""
    if "dynamic-kept" in ctx.memo:
        return ctx.memo["dynamic-kept"]
    before = {}
    for ref in references(ctx, "old"):
        owner = ctx.renamed.get(ref.owner, ref.owner) if ref.owner else None
        before[(owner,) + ref.match_key[1:]] = ref
    broken = new_problems(ctx)
    pairs = [(before[ref.match_key], ref) for ref in references(ctx, "new")
             if ref.match_key in before and ref not in broken]
    ctx.memo["dynamic-kept"] = pairs
    return pairs


@rule("dynamic-reference-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="An x-ms-dynamic-* call changed (operation called, parameters passed, value or item paths).",
      why="Dropdowns may offer other values and dynamic fields other properties: values saved in existing steps may no "
          "longer be offered, or mean something else. Open an existing step in the designer to check.",
      message="{location} changed (calls {target})",
      example=('"x-ms-dynamic-values": {"operationId": "ListFolders", "value-path": "id"}',
               '"x-ms-dynamic-values": {"operationId": "ListFolders", "value-path": "path"}'))
def dynamic_reference_changed(ctx, old, new):
    for was, ref in kept_calls(ctx):
        if was.raw != ref.raw:
            yield Hit(old=dict(was.raw), new=dict(ref.raw), location=ref.location, operation=ref.owner,
                      pointer=ref.pointer, side="new", details=(("target", ref.target),))


# --- the output paths a call reads -----------------------------------------------------------
#
# A call reads the helper's success response: x-ms-dynamic-values takes the array at
# value-collection (the response itself when absent) and, in each item, value-path and
# value-title; x-ms-dynamic-list and x-ms-dynamic-tree take itemsPath and, per item,
# itemValuePath, itemTitlePath, itemFullTitlePath and itemIsParent; x-ms-dynamic-schema reads the
# schema at value-path, x-ms-dynamic-properties at itemValuePath (both from the response root).

_COLLECTION = {"x-ms-dynamic-values": "value-collection", "x-ms-dynamic-list": "itemsPath",
               "x-ms-dynamic-tree": "itemsPath"}
_ITEM_PATHS = {"x-ms-dynamic-values": ("value-path", "value-title"),
               "x-ms-dynamic-list": ("itemValuePath", "itemTitlePath", "itemFullTitlePath", "itemIsParent"),
               "x-ms-dynamic-tree": ("itemValuePath", "itemTitlePath", "itemFullTitlePath", "itemIsParent")}
_ROOT_PATHS = {"x-ms-dynamic-schema": ("value-path",), "x-ms-dynamic-properties": ("itemValuePath",)}


def read_paths(ref: DynamicRef) -> list[tuple[str, tuple[str, ...]]]:
    """(key, path below the response root) for each output path ``ref`` reads.

    >>> ref = DynamicRef("A", "parameter/p", "x-ms-dynamic-values", (), (), "L", {},
    ...                  {"operationId": "L", "value-collection": "value", "value-path": "id"})
    >>> read_paths(ref)
    [('value-collection', ('value',)), ('value-path', ('value', 'items', 'id'))]
    """
    raw = ref.raw
    out: list[tuple[str, tuple[str, ...]]] = []
    for key in _ROOT_PATHS.get(ref.key, ()):
        path = _split(raw.get(key))
        if path:
            out.append((key, path))
    if ref.key in _ITEM_PATHS:
        collection_key = _COLLECTION[ref.key]
        collection = _split(raw.get(collection_key)) or ()
        if collection:
            out.append((collection_key, collection))
        for key in _ITEM_PATHS[ref.key]:
            path = _split(raw.get(key))
            if path:
                out.append((key, collection + ("items",) + path))
    return out


def _split(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, str) or not value.strip() or "{" in value or "@" in value:
        return None
    return tuple(part for part in value.strip().strip("/").split("/") if part)


def _find(op, path: tuple[str, ...]):
    """The output schema node at ``path`` of ``op``'s success response, ``False`` when the
    response declares properties but not that one, None when it declares nothing to judge by."""
    response = op.output
    if response is None:
        return False  # no outputs at all
    node = response.schema
    for segment in path:
        children = node.children()
        if segment in children:
            node = children[segment]
        elif not children or node.schema.get("additionalProperties") not in (None, False):
            return None  # a free-form object: anything may be there
        else:
            return False
    return node


@rule("dynamic-reference-path-broken", Level.BREAKING, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      todo=("Existing steps keep their values, but the designer can no longer fill the dropdown or dynamic fields "
            "of this {kind} (it reads {key} {path} of {target}: {problem}): type values in by hand when you edit "
            "them."),
      description="An output path an x-ms-dynamic-* call reads from the operation it calls (value-collection, "
                  "value-path, value-title, itemsPath, itemValuePath, itemTitlePath...) disappeared or changed type.",
      why="The designer builds the dropdown or the dynamic fields from that path of the called operation's response, "
          "which is usually an internal helper: the helper's outputs are no flow's dynamic content, but the paths "
          "its callers read are contract. The break shows at the parameter that calls it, so it is reported there.",
      message="{location} reads {key} {path} of {target}: {problem}",
      example=('"ListProjects": {"x-ms-visibility": "internal", "responses": {"200": {"schema": {"type": "array", '
               '"items": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}',
               '"ListProjects": {"x-ms-visibility": "internal", "responses": {"200": {"schema": {"type": "array", '
               '"items": {"type": "object", "properties": {"projectId": {"type": "string"}}}}}}}'))
def dynamic_reference_path_broken(ctx, old, new):
    for was, ref in kept_calls(ctx):
        old_target = ctx.old.operations.get(was.target)
        new_target = ctx.new.operations.get(ref.target)
        if old_target is None or new_target is None:
            continue
        old_paths = dict(read_paths(was))
        for key, path in read_paths(ref):
            then = _find(old_target, old_paths.get(key, path))
            if not then:
                continue  # not declared before: nothing the call could rely on
            now = _find(new_target, path)
            if now is None:
                continue
            if now is False:
                problem = "the path is no longer in its response"
            else:
                before_type, after_type = then.type, now.type
                if before_type is None or after_type is None or before_type == after_type:
                    continue
                problem = f"its type changed from {before_type} to {after_type}"
            yield Hit(old=then.type, new=None if now is False else now.type, location=ref.location,
                      operation=ref.owner, pointer=ref.pointer, side="new",
                      details=(("key", key), ("path", "/".join(p for p in path if p != "items") or "(root)"),
                               ("problem", problem), ("target", ref.target)))


# --- dynamic extensions appearing or vanishing ------------------------------------------------

_PICKERS = ("x-ms-dynamic-values", "x-ms-dynamic-list", "x-ms-dynamic-tree", "x-ms-operation-context")
_SCHEMAS = ("x-ms-dynamic-schema", "x-ms-dynamic-properties")


def _on_output(ref: DynamicRef) -> bool:
    return ref.where.startswith("responses/") or "x-ms-notification-content" in ref.pointer


def _appeared_or_vanished(ctx) -> tuple[list[DynamicRef], list[DynamicRef]]:
    """(vanished, appeared): extensions of operations kept on both sides, by the node holding
    them (an operation added or removed is an operation rule's)."""
    key = "dynamic-moves"
    if key in ctx.memo:
        return ctx.memo[key]
    reverse = {new: old for old, new in ctx.renamed.items()}
    before = {}
    for ref in references(ctx, "old"):
        owner = ctx.renamed.get(ref.owner, ref.owner) if ref.owner else None
        before.setdefault((owner, ref.where, ref.key), ref)
    after = {}
    for ref in references(ctx, "new"):
        after.setdefault((ref.owner, ref.where, ref.key), ref)
    vanished = [ref for k, ref in before.items()
                if k not in after and _holder_kept(ctx.new, ctx.renamed.get(k[0], k[0]) if k[0] else None, ref)]
    appeared = [ref for k, ref in after.items()
                if k not in before and _holder_kept(ctx.old, reverse.get(k[0], k[0]) if k[0] else None, ref)]
    ctx.memo[key] = (vanished, appeared)
    return vanished, appeared


def _holder_kept(connector, owner: str | None, ref: DynamicRef) -> bool:
    """The node holding an extension exists on the other side too (a new or removed
    operation, parameter, property or definition is another rule's): its parameter, by name,
    for an operation's parameter; the node at the same JSON pointer otherwise."""
    if owner is not None:
        op = connector.operations.get(owner)
        if op is None:
            return False
        parts = ref.where.split("/")
        if parts[0] == "parameter" and len(parts) > 1:
            kept = [field for field in op.parameters.values() if field.name == parts[1]]
            if not kept or len(parts) == 2 or kept[0].location != "body":
                return bool(kept)  # (a body field below: at the same pointer, as below)
    return _lookup(connector.swagger, ref.pointer[:-1 - len(ref.sub)])


def _lookup(doc: Any, pointer: tuple) -> bool:
    return isinstance(value_at(doc, pointer), dict)


def _move_hit(ref: DynamicRef, side: str) -> Hit:
    return Hit(old=ref.key if side == "old" else None, new=ref.key if side == "new" else None,
               location=ref.location, operation=ref.owner, pointer=ref.pointer, side=side,
               details=(("key", ref.key), ("target", ref.target)))


@rule("dynamic-values-removed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="An input lost its dropdown or picker (x-ms-dynamic-values, -list, -tree, x-ms-operation-context).",
      why="Values saved in existing steps stay valid, but the designer no longer offers a list to pick from: users "
          "type values in, and a mistyped value is only caught when the flow runs.",
      message="{location} no longer calls {target} (the {key} was removed)",
      example=('{"name": "folder", "in": "query", "type": "string", "x-ms-dynamic-values": {"operationId": '
               '"ListFolders", "value-path": "id"}}', '{"name": "folder", "in": "query", "type": "string"}'))
def dynamic_values_removed(ctx, old, new):
    for ref in _appeared_or_vanished(ctx)[0]:
        if ref.key in _PICKERS:
            yield _move_hit(ref, "old")


@rule("dynamic-values-added", Level.ADDITIVE, C,
      impact=FlowImpact.CONNECTS, section=Section.ADDED,
      description="An existing input got a dropdown or picker (x-ms-dynamic-values, -list, -tree, "
                  "x-ms-operation-context).",
      why="The designer now offers values to pick from; values saved in existing steps stay valid.",
      message="{location} now calls {target} ({key} added)",
      example=('{"name": "folder", "in": "query", "type": "string"}',
               '{"name": "folder", "in": "query", "type": "string", "x-ms-dynamic-values": {"operationId": '
               '"ListFolders", "value-path": "id"}}'))
def dynamic_values_added(ctx, old, new):
    for ref in _appeared_or_vanished(ctx)[1]:
        if ref.key in _PICKERS:
            yield _move_hit(ref, "new")


@rule("dynamic-output-schema-removed", Level.BREAKING, C,
      impact=FlowImpact.CALLS, section=Section.REMOVED,
      todo=("Check the later steps that read the outputs of this {kind}: its dynamic outputs ({key} calling "
            "{target}) are gone, and only the static schema's fields remain."),
      description="A response (or webhook payload) whose schema was dynamic (x-ms-dynamic-schema or "
                  "-properties) is now static, or no longer has one.",
      why="The dynamic outputs were built at design time from the call's answer; flows read them as dynamic "
          "content. With a static schema only its declared fields remain: every other output reads as empty.",
      message="{location} no longer calls {target}: the dynamic outputs are gone",
      example=('"schema": {"type": "object", "x-ms-dynamic-schema": {"operationId": "GetTableSchema", '
               '"value-path": "schema"}}', '"schema": {"type": "object", "properties": {"id": {"type": "string"}}}'))
def dynamic_output_schema_removed(ctx, old, new):
    for ref in _appeared_or_vanished(ctx)[0]:
        if ref.key in _SCHEMAS and _on_output(ref):
            yield _move_hit(ref, "old")


@rule("dynamic-input-schema-removed", Level.RISKY, C,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="A body schema (or input) whose fields were dynamic (x-ms-dynamic-schema or -properties) is now "
                  "static.",
      why="Existing steps keep the values they send, but the designer now shows the static fields only: values "
          "sent under dynamic field names may no longer be editable, and the service must still accept them.",
      message="{location} no longer calls {target}: the input fields are static now",
      example=('"schema": {"type": "object", "x-ms-dynamic-schema": {"operationId": "GetTableSchema", '
               '"value-path": "schema"}}', '"schema": {"type": "object", "properties": {"id": {"type": "string"}}}'))
def dynamic_input_schema_removed(ctx, old, new):
    for ref in _appeared_or_vanished(ctx)[0]:
        if ref.key in _SCHEMAS and not _on_output(ref):
            yield _move_hit(ref, "old")


@rule("dynamic-schema-added", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="A static schema became dynamic (x-ms-dynamic-schema or -properties added).",
      why="The designer now builds the fields from what the call returns, which may differ from the static fields "
          "existing steps were built with: open an existing step to check its inputs and outputs are still offered.",
      message="{location} now calls {target} ({key} added)",
      example=('"schema": {"type": "object", "properties": {"id": {"type": "string"}}}',
               '"schema": {"type": "object", "x-ms-dynamic-schema": {"operationId": "GetTableSchema", '
               '"value-path": "schema"}}'))
def dynamic_schema_added(ctx, old, new):
    for ref in _appeared_or_vanished(ctx)[1]:
        if ref.key in _SCHEMAS:
            # the static properties it kept are placeholders, not compared: it speaks for the schema
            yield replace(_move_hit(ref, "new"), covers=((new.swagger_name, tuple(ref.pointer[:-1])),))
