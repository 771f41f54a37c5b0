"""The diff engine: pairs up the nodes of two connectors and runs the rules on each pair.

Operations are paired by operationId, then leftover removed/added operations on the same
route (method + path) or with a case-only id difference are paired as probable renames;
parameters by ``(in, name)`` (a name that moved to another ``in`` stays paired); schema
nodes by property path; each operation's output response (the one the designer reads
outputs from) with the other side's, even across a status-code change; connection
parameters by key, per parameter set when both sides have sets. Subtrees that are equal
(with every ``$ref`` inside them pointing at an unchanged definition) are skipped, which
keeps large definitions fast.
"""

from __future__ import annotations

from typing import Any, Iterator

from .changes import Change
from .entries import Entry, refs_below, scan_entries
from .model import BODY_KEY, Connector, Field, Operation
from .pointers import value_at
from .rules import Hit, Kind, Rule, rules_for
from .sourcefiles import PROPERTIES_NAME

#: Schemas nested deeper than this are not compared further (real ones stay far below).
MAX_DEPTH = 64
#: Schema node pairs one diff compares in full. Past this, a pair of definitions already
#: compared at another place is not compared again (definitions shared along many paths,
#: e.g. A with two properties of type B, each with two of type C..., grow exponentially).
SCHEMA_BUDGET = 50_000


class Node:
    """Where a pair of nodes sits: what rules' hits are located against. (A plain class with
    slots: the engine makes one per pair it visits, and reads them only.)"""

    __slots__ = ("location", "operation", "file", "old_pointer", "new_pointer", "name")

    def __init__(self, location: str, operation: str | None, file: str, old_pointer: tuple | None,
                 new_pointer: tuple | None, name: str | None = None) -> None:
        self.location = location
        self.operation = operation
        self.file = file
        self.old_pointer = old_pointer
        self.new_pointer = new_pointer
        self.name = name  # the parameter's name, for messages


class DiffContext:
    """What rules may ask about the two connectors beyond the pair in front of them."""

    def __init__(self, old: Connector, new: Connector) -> None:
        self.old = old
        self.new = new
        self.renamed: dict[str, str] = {}        # old operationId -> new operationId
        self.new_revisions: dict[str, str] = {}  # new operationId -> older revision's id
        self.memo: dict[Any, Any] = {}           # results rules share (computed once per diff)
        #: The operations whose parameters and outputs are being walked (old, new): output rules
        #: ask whether they read an internal helper or a webhook's registration response.
        self.pair: tuple[Operation | None, Operation | None] = (None, None)
        self.op_pairs = self._pair_operations()
        self._ref_cache: dict[int, tuple[Any, frozenset[str]]] = {}
        self._changed_refs: frozenset[str] | None = None
        self._entries: dict[str, dict[tuple[str, str], Entry]] = {}
        self.schema_visits = 0
        self.compared_pairs: set[tuple[str | None, str | None]] = set()
        self.findings: list[Change] = []  # the typed rules' findings, once they all ran

    # --- operation pairing ----------------------------------------------------------------
    def _pair_operations(self) -> list[tuple[Operation | None, Operation | None]]:
        old_ops, new_ops = self.old.operations, self.new.operations
        removed = [op for key, op in old_ops.items() if key not in new_ops]
        added = {key: op for key, op in new_ops.items() if key not in old_ops}
        pairs: list[tuple[Operation | None, Operation | None]] = [
            (op, new_ops[key]) for key, op in old_ops.items() if key in new_ops
        ]
        by_route = {op.route: op for op in added.values()}
        by_folded = {op.id.casefold(): op for op in added.values()}
        unmatched_removed = []
        for op in removed:
            match = by_folded.get(op.id.casefold()) or by_route.get(op.route)
            if match is not None and match.id in added:
                del added[match.id]
                self.renamed[op.id] = match.id
                pairs.append((op, match))
            else:
                unmatched_removed.append(op)
        pairs.extend((op, None) for op in unmatched_removed)
        for op in added.values():
            older = self._older_revision(op)
            if older is not None:
                self.new_revisions[op.id] = older.id
            pairs.append((None, op))
        return pairs

    def _older_revision(self, op: Operation) -> Operation | None:
        """An operation kept from the old version in the same family with a lower revision."""
        if op.family is None:
            return None
        revision = op.revision if op.revision is not None else 1
        best = None
        for other in self.new.operations.values():
            if other.id == op.id or other.family != op.family or other.id not in self.old.operations:
                continue
            other_revision = other.revision if other.revision is not None else 1
            if other_revision < revision and (best is None or other_revision > (best.revision or 1)):
                best = other
        return best

    # --- subtree equality -------------------------------------------------------------------
    def same(self, old: Any, new: Any) -> bool:
        """True when two raw subtrees are equal and every ``$ref`` in them is unchanged."""
        if old is new and self.old.swagger is self.new.swagger:
            return True
        if old != new:
            return False
        changed = self.changed_refs
        return not changed or not (self._refs_in(old) & changed)

    def _refs_in(self, node: Any) -> frozenset[str]:
        key = id(node)
        cached = self._ref_cache.get(key)
        if cached is not None and cached[0] is node:
            return cached[1]
        refs = frozenset(refs_below(node))
        self._ref_cache[key] = (node, refs)
        return refs

    def entries(self, side: str) -> dict[tuple[str, str], Entry]:
        """Each top-level entry's ``$ref`` strings and dynamic extensions (see
        :mod:`connver.entries`), walked once per diff; the new side shares the old side's
        :class:`Entry` for every entry that did not change."""
        found = self._entries.get(side)
        if found is None:
            if side == "old":
                found = scan_entries(self.old.swagger)
            else:
                found = scan_entries(self.new.swagger, self.old.swagger, self.entries("old"))
            self._entries[side] = found
        return found

    @property
    def changed_refs(self) -> frozenset[str]:
        """Every local ``$ref`` whose target differs, directly or through refs it contains."""
        if self._changed_refs is not None:
            return self._changed_refs
        old_doc, new_doc = self.old.swagger, self.new.swagger
        sections = ("definitions", "parameters", "responses")
        if all(old_doc.get(s) == new_doc.get(s) for s in sections):
            self._changed_refs = frozenset()
            return self._changed_refs
        old_entries, new_entries = self.entries("old"), self.entries("new")
        changed: set[str] = set()
        users: dict[str, set[str]] = {}
        targets: dict[str, tuple[Any, Any]] = {}
        for key in {**old_entries, **new_entries}:
            if key[0] not in sections:
                continue
            ref = f"#/{key[0]}/{_escape(key[1])}"
            a, b = old_entries.get(key), new_entries.get(key)
            raw = (old_doc[key[0]][key[1]] if a is not None else None, new_doc[key[0]][key[1]] if b is not None else None)
            targets[ref] = raw
            if a is not b:  # (an entry equal on both sides shares one Entry)
                changed.add(ref)
            refs = a.refs if a is not None else frozenset()
            if b is not None and b is not a:
                refs = refs | b.refs
            for target in refs:
                users.setdefault(target, set()).add(ref)
            for node, entry in zip(raw, (a, b)):  # (same() asks about whole definitions often)
                if entry is not None:
                    self._ref_cache[id(node)] = (node, entry.refs)
        for connector in (self.old, self.new):  # a discriminator base shows its subtypes' properties
            for ref, (a, b) in targets.items():
                if any(isinstance(s, dict) and isinstance(s.get("discriminator"), str) for s in (a, b)):
                    for subtype, _, _ in connector.resolver.subtypes(ref):
                        users.setdefault(subtype, set()).add(ref)
        queue = list(changed)
        while queue:
            for user in users.get(queue.pop(), ()):
                if user not in changed:
                    changed.add(user)
                    queue.append(user)
        self._changed_refs = frozenset(changed)
        return self._changed_refs


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


# --- the walk -------------------------------------------------------------------------------

def run(old: Connector, new: Connector) -> tuple[DiffContext, list[Change]]:
    """All changes between two connectors, unsorted, at their rules' default levels."""
    if not (old.properties_readable and new.properties_readable):
        old, new = old.without_properties(), new.without_properties()
    ctx = DiffContext(old, new)
    changes: list[Change] = []
    swagger = new.swagger_name
    root = Node("", None, swagger, (), ())
    _emit(changes, Kind.CONNECTOR, ctx, root, old, new)
    for old_op, new_op in ctx.op_pairs:
        op_id = (old_op or new_op).id  # type: ignore[union-attr]
        node = Node(f"operation/{op_id}", op_id, swagger,
                    old_op.pointer if old_op else None, new_op.pointer if new_op else None)
        unchanged = old_op is not None and new_op is not None and _operation_same(ctx, old_op, new_op)
        if not (unchanged and old_op.pointer == new_op.pointer):  # type: ignore[union-attr]
            # (an operation's rules read its own text, its path item's and the definitions
            # its $refs reach: equal, unmoved and with no changed $ref, it has nothing to report)
            _emit(changes, Kind.OPERATION, ctx, node, old_op, new_op)
        if old_op is not None and new_op is not None and not unchanged:
            _walk_operation(changes, ctx, node, old_op, new_op)
    _walk_connection(changes, ctx, old, new)
    ctx.findings = changes  # what the residual pass (Kind.DOCUMENT) does not report again
    _emit(changes, Kind.DOCUMENT, ctx, root, old, new)
    return ctx, changes


def _operation_same(ctx: DiffContext, old: Operation, new: Operation) -> bool:
    return (ctx.same(old.raw, new.raw)
            and ctx.same(old.path_item.get("parameters"), new.path_item.get("parameters"))
            and ctx.same(old.path_item.get("x-ms-notification-content"), new.path_item.get("x-ms-notification-content")))


def _walk_operation(changes: list[Change], ctx: DiffContext, node: Node, old: Operation, new: Operation) -> None:
    ctx.pair = (old, new)
    old_params, new_params = old.parameters, new.parameters
    for a, b in _pair_parameters(old_params, new_params):
        if a is not None and b is not None and _unchanged_node(ctx, a, b):
            continue  # parameter rules compare the two parameters only, as property rules do below
        name = (b or a).name  # type: ignore[union-attr]
        pnode = _child(node, f"/parameter/{name}", a, b, name=name)
        _emit(changes, Kind.PARAMETER, ctx, pnode, a, b)
        if a is not None and b is not None and a.location == "body" and b.location == "body":
            base = _child(node, f"/parameter/{b.name}/schema", None, None)
            _walk_schema(changes, ctx, Kind.REQUEST_PROPERTY, base, a, b, 0, root=False)
    a, b = old.output, new.output
    if a is not None or b is not None:
        code = (a or b).code  # type: ignore[union-attr]
        rnode = _child(node, f"/responses/{code}", a.pointer if a else None, b.pointer if b else None, raw=True)
        _emit(changes, Kind.RESPONSE, ctx, rnode, a, b)
        if a is not None and b is not None:
            base = _child(rnode, "/schema", None, None)
            _walk_schema(changes, ctx, Kind.RESPONSE_PROPERTY, base, a.schema, b.schema, 0, root=True)
    a_note, b_note = old.notification, new.notification
    if a_note is not None or b_note is not None:
        base = _child(node, "/x-ms-notification-content/schema", None, None)
        if a_note is not None and b_note is not None:
            _walk_schema(changes, ctx, Kind.RESPONSE_PROPERTY, base, a_note, b_note, 0, root=True)
        else:
            _emit(changes, Kind.RESPONSE_PROPERTY, ctx, _child(base, "", a_note, b_note), a_note, b_note)


def _pair_parameters(old: dict, new: dict) -> Iterator[tuple[Field | None, Field | None]]:
    """Pairs by (in, name); a name that left one ``in`` and arrived in another is a move."""
    moved_to: dict[tuple[str, str], tuple[str, str]] = {}
    arrivals = {key[1]: key for key in new if key not in old and key != BODY_KEY}
    for key in old:
        if key not in new and key != BODY_KEY and key[1] in arrivals:
            moved_to[key] = arrivals.pop(key[1])
    taken = set(moved_to.values())
    for key in old:
        yield old[key], new.get(moved_to.get(key, key))
    for key in new:
        if key not in old and key not in taken:
            yield None, new[key]


def _walk_schema(changes: list[Change], ctx: DiffContext, kind: Kind, base: Node,
                 old: Field, new: Field, depth: int, *, root: bool,
                 seen: frozenset = frozenset()) -> None:
    """Run ``kind`` rules on a pair of schema nodes, then on their children.

    Recursion through ``$ref`` is followed as long as the two sides recurse differently
    (one side points back at an ancestor, the other at a new definition), and stops when
    the same pair of definitions comes round again: every pair is compared once."""
    if root and not _unchanged_node(ctx, old, new):
        _emit(changes, kind, ctx, _child(base, "", old, new), old, new)
    if depth > MAX_DEPTH or (ctx.same(old.schema, new.schema) and (old.ref is None or old.ref not in ctx.changed_refs)):
        return  # (a definition equal as written changed when a discriminator subtype of it did)
    if _dynamic(new):
        # The designer replaces this schema's static properties with what the dynamic call
        # returns: they are placeholders, and changes to the call (or its appearing) are a
        # reference rule's.
        return
    pair = (old.ref, new.ref)
    if old.cyclic or new.cyclic:
        if (old.cyclic and new.cyclic and old.ref == new.ref) or pair in seen:
            return
    if old.ref is not None or new.ref is not None:
        if ctx.schema_visits > SCHEMA_BUDGET and pair in ctx.compared_pairs:
            return
        ctx.compared_pairs.add(pair)
        seen = seen | {pair}
    ctx.schema_visits += 1
    old_children, new_children = old.expand(), new.expand()
    for name in _union(old_children, new_children):
        a, b = old_children.get(name), new_children.get(name)
        if a is not None and b is not None and _unchanged(ctx, a, b):
            continue  # property rules compare the two nodes only: nothing to find here or below
        segments = (b or a).segments  # type: ignore[union-attr]
        cnode = _child(base, "/" + "/".join(segments), a, b)
        _emit(changes, kind, ctx, cnode, a, b)
        if a is not None and b is not None:
            _walk_schema(changes, ctx, kind, base, a, b, depth + 1, root=False, seen=seen)


_DYNAMIC_SCHEMA = ("x-ms-dynamic-schema", "x-ms-dynamic-properties")


def _dynamic(field: Field) -> bool:
    """A schema whose properties come from a call at design time (x-ms-dynamic-schema)."""
    return any(isinstance(field.schema.get(key), dict) for key in _DYNAMIC_SCHEMA)


def _unchanged(ctx: DiffContext, a: Field, b: Field) -> bool:
    """Two schema nodes that are equal as written and as resolved, with the same
    requiredness, and whose ``$ref`` targets did not change."""
    return a.required == b.required and a.raw == b.raw and ctx.same(a.schema, b.schema)


def _unchanged_node(ctx: DiffContext, a: Field, b: Field) -> bool:
    """A parameter or a root schema that the rules of its kind, which compare the two nodes
    only, have nothing to find in: unchanged (see :func:`_unchanged`), under the same
    ``$ref``, and with no changed definition behind that ``$ref``."""
    return a.ref == b.ref and _unchanged(ctx, a, b) and (a.ref is None or a.ref not in ctx.changed_refs)


def _walk_connection(changes: list[Change], ctx: DiffContext, old: Connector, new: Connector) -> None:
    """Connection parameters by key.

    Connections are created either with the plain ``connectionParameters`` or, when the
    connector has ``connectionParameterSets``, with one of the sets: plain parameters are
    compared when the old version had no sets; the parameters inside each set kept on both
    sides are compared when both have sets (sets added or removed are connector rules)."""
    from .rules.connection import parameter_sets, set_positions

    old_sets, new_sets = parameter_sets(old), parameter_sets(new)
    groups = []
    if not old_sets:
        base = ("properties", "connectionParameters")
        groups.append(("", base, base, old.section("connectionParameters"), new.section("connectionParameters")))
    elif new_sets:
        old_index, new_index = set_positions(old), set_positions(new)
        for name in old_sets:
            if name in new_sets:
                a, b = old_sets[name].get("parameters"), new_sets[name].get("parameters")
                groups.append((f"{name}/",
                               ("properties", "connectionParameterSets", "values", old_index[name], "parameters"),
                               ("properties", "connectionParameterSets", "values", new_index[name], "parameters"),
                               a if isinstance(a, dict) else {}, b if isinstance(b, dict) else {}))
    for prefix, old_base, new_base, old_params, new_params in groups:
        if old_params == new_params:
            continue
        for key in _union(old_params, new_params):
            a, b = old_params.get(key), new_params.get(key)
            node = Node(f"connection/{prefix}{key}", None, PROPERTIES_NAME,
                        old_base + (key,) if a is not None else None, new_base + (key,) if b is not None else None,
                        name=key)
            _emit(changes, Kind.CONNECTION_PARAMETER, ctx, node, a, b)


def _child(node: Node, suffix: str, a: Any, b: Any, raw: bool = False, name: str | None = None) -> Node:
    old_pointer = a if raw else (a.pointer if a is not None else None)
    new_pointer = b if raw else (b.pointer if b is not None else None)
    return Node(node.location + suffix, node.operation, node.file, old_pointer, new_pointer, name)


_NOWHERE = object()  # value_at's answer where a pointer leads nowhere


def _refine(ctx: DiffContext, file: str, side: str, pointer: tuple, at: str) -> tuple:
    """The node's pointer extended by the hit's ``at`` segments as far as they exist in the
    side's document (``/summary`` of an operation points at its summary), so the finding
    covers what it reports and not its whole node (the residual pass reads pointers)."""
    connector = ctx.new if side == "new" else ctx.old
    if file == PROPERTIES_NAME:
        doc: Any = {"properties": connector.properties}
    elif file == connector.swagger_name or file == ctx.new.swagger_name:
        doc = connector.swagger
    else:
        return pointer
    doc = value_at(doc, pointer, _NOWHERE)
    if doc is _NOWHERE:
        return pointer
    for segment in at.strip("/").split("/"):
        if isinstance(doc, dict) and segment in doc:
            doc = doc[segment]
            pointer += (segment,)
        else:
            break
    return pointer


def _union(a: dict, b: dict) -> Iterator:
    yield from a
    yield from (key for key in b if key not in a)


def _emit(changes: list[Change], kind: Kind, ctx: DiffContext, node: Node, old: Any, new: Any) -> None:
    for spec in rules_for(kind):
        found = spec.check(ctx, old, new)  # a rule returns an iterable of hits, or nothing
        if found:
            for one in found:
                changes.append(_to_change(spec, node, one, ctx))


def _to_change(spec: Rule, node: Node, found: Hit, ctx: DiffContext | None = None) -> Change:
    side = found.side or ("new" if node.new_pointer is not None else "old")
    if found.pointer is not None:
        pointer = found.pointer
    else:
        pointer = (node.new_pointer if side == "new" else node.old_pointer) or ()
        base = tuple(pointer)
        if ctx is not None and found.at.startswith("/") and pointer:
            pointer = _refine(ctx, found.file or node.file, side, base, found.at)
    covers = found.covers
    if found.pointer is None and ctx is not None and node.old_pointer and node.new_pointer \
            and node.old_pointer != node.new_pointer:
        # a node paired across a move (an operation under another path): the finding speaks
        # for the same place on the other side
        other = node.old_pointer if side == "new" else node.new_pointer
        file = found.file or node.file
        at = found.at if found.at.startswith("/") else ""
        covers += ((file, _refine(ctx, file, "old" if side == "new" else "new", tuple(other), at) if at else tuple(other)),)
    if found.speaks_for and ctx is not None and found.pointer is None:
        file = found.file or node.file
        for at in found.speaks_for:
            place = _refine(ctx, file, side, base, at)
            if len(place) == len(base) + len(at.strip("/").split("/")):  # only a place that exists
                covers += ((file, place),)
    location = found.location if found.location is not None else node.location + found.at
    details = found.details
    if node.name is not None and not any(key == "name" for key, _ in details):
        details = (("name", node.name),) + details
    return Change(
        rule=spec.id,
        level=spec.level,
        location=location.lstrip("/"),
        operation=found.operation if found.operation is not None else node.operation,
        old=found.old,
        new=found.new,
        file=found.file or node.file,
        pointer=tuple(pointer),
        side=side,
        details=details,
        covers=covers,
    )
