"""Three-way merge of connector documents on semantic keys.

``merge_documents(base, fork, upstream)`` merges two edits of the same parsed JSON document:
what only upstream changed is applied, what only the fork changed is kept, and an element
changed differently on both sides is a :class:`Conflict`, resolved in the fork's favour (or
upstream's with ``prefer="upstream"``).

Elements are matched semantically, not by position:

* operations by operationId, wherever their path or method is (a moved operation is one
  element whose ``path`` changed);
* parameters by ``in`` + ``name`` (or by ``$ref``); other arrays of objects by ``name``,
  ``templateId`` + ``title`` or ``id`` when those are unique; arrays of scalars (``required``,
  ``enum``, ``schemes``...) as sets;
* schema properties, connection parameters and every other object member by key.

The result keeps the fork's key order; keys new from upstream go right after the key that
precedes them upstream. Inputs are never mutated: unchanged subtrees of the result are the
very objects of the input they came from, which the writer uses to copy their text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable

from .model import HTTP_METHODS
from .pointers import value_at

__all__ = ["ABSENT", "Conflict", "ConflictKind", "Prefer", "TextMerge", "merge_documents", "merge_text",
           "semantic_location", "json_equal"]


class _Absent:
    """A missing value (the element does not exist on that side)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


class Prefer(str, Enum):
    """Whose value a conflict keeps."""

    FORK = "fork"
    UPSTREAM = "upstream"

    def __str__(self) -> str:
        return self.value


class ConflictKind(str, Enum):
    """How both sides touched the same element."""

    BOTH_CHANGED = "both-changed"          # changed differently on both sides
    BOTH_ADDED = "both-added"              # added on both sides with different values
    FORK_REMOVED = "fork-removed"          # the fork removed it; upstream changed it
    UPSTREAM_REMOVED = "upstream-removed"  # the fork changed it; upstream removed it

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Conflict:
    """One element both sides changed differently. Values are ``ABSENT`` where missing.

    ``location`` is semantic (``operation/GetInvoice/parameter/tenant/default``); ``pointer``
    points into the file on ``side`` (the fork's, unless the fork no longer has it).
    """

    file: str
    location: str
    kind: ConflictKind
    base: Any
    fork: Any
    upstream: Any
    kept: Prefer
    pointer: tuple = ()
    side: str = "fork"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "location": self.location, "kind": self.kind.value}
        for name in ("base", "fork", "upstream"):
            value = getattr(self, name)
            if value is not ABSENT:
                out[name] = value
        out["kept"] = self.kept.value
        out["pointer"] = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.pointer)
        out["side"] = self.side
        return out


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values that tells ``true`` from ``1`` (Python's ``==`` does not).

    >>> json_equal({"a": [1, True]}, {"a": [1, 1]})
    False
    >>> json_equal({"a": 1, "b": 2}, {"b": 2, "a": 1.0})
    True
    """
    if a is b:
        return True
    if a != b:
        return False
    return _same_types(a, b)


def _same_types(a: Any, b: Any) -> bool:
    """Given ``a == b``: do the two also agree on bool/number/string at every depth?
    (Iterative: documents nest as deep as the loader allows.)"""
    stack = [(a, b)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, dict):
            if not isinstance(b, dict):
                return False
            stack.extend((v, b[k]) for k, v in a.items())
        elif isinstance(a, list):
            if not isinstance(b, list):
                return False
            stack.extend(zip(a, b))
        elif isinstance(a, bool) != isinstance(b, bool) or isinstance(a, str) != isinstance(b, str):
            return False
    return True


Pointers = tuple  # (base pointer | None, fork pointer | None, upstream pointer | None)


def merge_documents(base: Any, fork: Any, upstream: Any, *, file: str, kind: str = "json",
                    prefer: Prefer = Prefer.FORK) -> tuple[Any, list[Conflict]]:
    """Merge one document (``ABSENT`` where a side lacks the file).

    ``kind`` is ``swagger`` (operations matched by operationId), ``properties``
    (apiProperties.json) or ``json``. Returns the merged value and the conflicts, with
    semantic locations.
    """
    merger = _Merger(file, kind, prefer, (base, fork, upstream))
    value = merger.node(base, fork, upstream, ((), (), ()))
    return value, merger.conflicts


class _Merger:
    def __init__(self, file: str, kind: str, prefer: Prefer, docs: tuple) -> None:
        self.file = file
        self.kind = kind
        self.prefer = Prefer(prefer)
        self.docs = docs
        self.conflicts: list[Conflict] = []

    # -- the three-way rule

    def node(self, b: Any, f: Any, u: Any, ptrs: Pointers) -> Any:
        if json_equal(f, u):
            return f
        if json_equal(f, b):
            return u
        if json_equal(u, b):
            return f
        if (f is ABSENT) != (u is ABSENT) and b is not ABSENT and _collection(b, f if u is ABSENT else u, ptrs):
            # one side removed a whole keyed collection: it removed each element it had, nothing more
            return self.node_elements(b, f, u, ptrs)
        if f is not ABSENT and u is not ABSENT:
            if isinstance(f, dict) and isinstance(u, dict) and (b is ABSENT or isinstance(b, dict)):
                return self.mapping(b if b is not ABSENT else {}, f, u, ptrs, added=b is ABSENT)
            if isinstance(f, list) and isinstance(u, list) and (b is ABSENT or isinstance(b, list)):
                merged = self.sequence(b if b is not ABSENT else [], f, u, ptrs)
                if merged is not ABSENT:
                    return merged
        if f is ABSENT:
            kind = ConflictKind.FORK_REMOVED
        elif u is ABSENT:
            kind = ConflictKind.UPSTREAM_REMOVED
        elif b is ABSENT:
            kind = ConflictKind.BOTH_ADDED
        else:
            kind = ConflictKind.BOTH_CHANGED
        return self.conflict(kind, b, f, u, ptrs)

    def node_elements(self, b: Any, f: Any, u: Any, ptrs: Pointers) -> Any:
        """Merge a collection one side removed as a whole, element by element (ABSENT when
        nothing is left of it)."""
        empty: Any = {} if isinstance(b, dict) else []
        f_side, u_side = (empty if f is ABSENT else f), (empty if u is ABSENT else u)
        if isinstance(b, dict):
            merged = self.mapping(b, f_side, u_side, ptrs, added=False)
        else:
            merged = self.sequence(b, f_side, u_side, ptrs)
        return merged if merged else ABSENT

    def conflict(self, kind: ConflictKind, b: Any, f: Any, u: Any, ptrs: Pointers, suffix: str = "") -> Any:
        side, pointer = next(((name, p) for name, p in (("fork", ptrs[1]), ("upstream", ptrs[2]), ("base", ptrs[0]))
                              if p is not None), ("fork", ()))
        doc = self.docs[{"base": 0, "fork": 1, "upstream": 2}[side]]
        self.conflicts.append(Conflict(
            file=self.file,
            location=semantic_location(doc, pointer, self.kind) + (f"/{suffix}" if suffix else ""),
            kind=kind, base=b, fork=f, upstream=u, kept=self.prefer, pointer=pointer, side=side,
        ))
        return f if self.prefer is Prefer.FORK else u

    # -- objects

    def mapping(self, b: dict, f: dict, u: dict, ptrs: Pointers, *, added: bool) -> dict:
        if self.kind == "swagger" and ptrs[1] == () and ptrs[2] == ():
            special = {"paths": self.paths}
        else:
            special = {}
        values: dict[str, Any] = {}
        for key in _union(f, u, b):
            bv, fv, uv = b.get(key, ABSENT), f.get(key, ABSENT), u.get(key, ABSENT)
            child = _child(ptrs, key, bv, fv, uv)
            if key in special and all(isinstance(v, dict) or v is ABSENT for v in (bv, fv, uv)):
                value = special[key](bv or {}, fv or {}, uv or {}, child) if not json_equal(fv, uv) else fv
                if value == {} and fv is ABSENT and uv is ABSENT:
                    value = ABSENT
            else:
                value = self.node(bv, fv, uv, child)
            if value is not ABSENT:
                values[key] = value
        return {key: values[key] for key in arrange(list(f), list(u), values)}

    # -- arrays

    def sequence(self, b: list, f: list, u: list, ptrs: Pointers) -> Any:
        keyer = _keyer(b, f, u)
        if keyer is None:
            if all(_scalar(x) for x in (*b, *f, *u)):
                return _merge_set(b, f, u)
            return ABSENT  # merged as a whole: a conflict
        bk, fk, uk = ({keyer(x): (i, x) for i, x in enumerate(side)} for side in (b, f, u))
        values: dict[Any, Any] = {}
        for key in _union(fk, uk, bk):
            bi, bv = bk.get(key, (None, ABSENT))
            fi, fv = fk.get(key, (None, ABSENT))
            ui, uv = uk.get(key, (None, ABSENT))
            child = (_extend(ptrs[0], bi), _extend(ptrs[1], fi), _extend(ptrs[2], ui))
            value = self.node(bv, fv, uv, child)
            if value is not ABSENT:
                values[key] = value
        return [values[key] for key in arrange(list(fk), list(uk), values)]

    # -- swagger paths: operations by operationId

    def paths(self, b: dict, f: dict, u: dict, ptrs: Pointers) -> dict:
        bo, fo, uo = _operations(b), _operations(f), _operations(u)
        ops: dict[str, tuple[str, str, Any]] = {}
        for op_id in _union(fo, uo, bo):
            sides = [side.get(op_id) for side in (bo, fo, uo)]
            child = tuple(None if s is None else ("paths", s[0], s[1]) for s in sides)
            value = self.node(*(ABSENT if s is None else s[2] for s in sides), child)
            if value is ABSENT:
                continue
            pb, pf, pu = (None if s is None else (s[0], s[1]) for s in sides)
            if pf is None or pu is None:
                place = pf or pu
            elif pf == pu or pu == pb:
                place = pf
            elif pf == pb:
                place = pu
            else:  # moved differently on both sides
                shown = [ABSENT if p is None else f"{p[1].upper()} {p[0]}" for p in (pb, pf, pu)]
                kept = self.conflict(ConflictKind.BOTH_CHANGED, *shown, child, suffix="route")
                place = pf if kept == shown[1] else pu
            ops[op_id] = (place[0], place[1], value)
        # what lives beside the operations (path-level parameters, x-ms-notification-content)
        items: dict[str, dict] = {}
        for path in _union(f, u, b):
            sides = [_path_extras(side.get(path)) for side in (b, f, u)]
            child = tuple(None if side.get(path) is None else ("paths", path) for side in (b, f, u))
            merged = self.node(*sides, child)
            if isinstance(merged, dict) and merged:
                items[path] = merged
        # rebuild, in the fork's order
        members: dict[str, dict[str, Any]] = {path: dict(extra) for path, extra in items.items()}
        for path, method, value in ops.values():
            members.setdefault(path, {})[method] = value
        out: dict[str, Any] = {}
        for path in arrange(list(f), list(u), members):
            fork_keys = list(f[path]) if isinstance(f.get(path), dict) else []
            up_keys = list(u[path]) if isinstance(u.get(path), dict) else []
            item = members[path]
            if isinstance(f.get(path), dict) and json_equal(f[path], item) and list(f[path]) == list(item):
                out[path] = f[path]
            else:
                out[path] = {key: item[key] for key in arrange(fork_keys, up_keys, item)}
        return out


def _operations(paths: dict) -> dict[str, tuple[str, str, Any]]:
    ops: dict[str, tuple[str, str, Any]] = {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                op_id = op.get("operationId")
                key = op_id if isinstance(op_id, str) and op_id else f"{method.upper()} {path}"
                ops[key] = (path, method, op)
    return ops


def _path_extras(item: Any) -> Any:
    if not isinstance(item, dict):
        return ABSENT if item is None else item
    return {k: v for k, v in item.items() if not (k in HTTP_METHODS and isinstance(v, dict))}


# --------------------------------------------------------------------------- text files


@dataclass(frozen=True)
class TextMerge:
    """A three-way line merge of one text file: the result (each overlapping hunk resolved
    with the preferred side's lines), the same merge with conflict markers where the hunks
    overlap (equal to ``text`` when there are none), and the conflicts."""

    text: bytes
    marked: bytes
    conflicts: tuple[Conflict, ...]


def merge_text(base: bytes | None, fork: bytes, upstream: bytes, *, file: str,
               prefer: Prefer = Prefer.FORK) -> TextMerge:
    """Merge two edits of a text file by lines, with git's semantics (``git merge-file``):
    hunks that do not overlap are all applied; each overlapping hunk is a :class:`Conflict`
    whose ``base``, ``fork`` and ``upstream`` hold that side's line range (1-based, ``end``
    inclusive; ``end < start`` for no lines) and text."""
    from .git import merge_file

    prefer = Prefer(prefer)
    base = base if base is not None else b""
    labels = ("yours", "base", "upstream")
    marked, count = merge_file(fork, base, upstream, labels=labels)
    if not count:
        return TextMerge(marked, marked, ())
    favor = "ours" if prefer is Prefer.FORK else "theirs"
    text, _ = merge_file(fork, base, upstream, labels=labels, favor=favor)
    hunks = _overlapping_hunks(base, fork, upstream)
    if not hunks:  # git saw an overlap the line matcher did not: the whole file, both texts recorded
        whole = [(0, len(side.splitlines(True))) for side in (base, fork, upstream)]
        hunks = [(whole[0], whole[1], whole[2])]
    conflicts = []
    sides = [side.splitlines(True) for side in (base, fork, upstream)]
    for ranges in hunks:
        b_range = ranges[0]
        first, last = b_range[0] + 1, b_range[1]
        location = (f"lines/{first}" if last == first else f"lines/{first}-{last}" if last > first
                    else f"lines/after-{b_range[0]}")
        values = [{"lines": [lo + 1, hi], "text": b"".join(lines[lo:hi]).decode("utf-8", "replace")}
                  for (lo, hi), lines in zip(ranges, sides)]
        conflicts.append(Conflict(file, location, ConflictKind.BOTH_CHANGED, *values, kept=prefer,
                                  pointer=(), side="fork"))
    return TextMerge(text, marked, tuple(conflicts))


def _overlapping_hunks(base: bytes, fork: bytes, upstream: bytes) -> list[tuple[tuple[int, int], ...]]:
    """The base line ranges both sides changed (overlapping or touching hunks, as git counts
    them) with the matching fork and upstream ranges, where the two sides differ."""
    from difflib import SequenceMatcher

    b_lines = base.splitlines(True)
    sides = [side.splitlines(True) for side in (fork, upstream)]
    codes = [SequenceMatcher(None, b_lines, lines, autojunk=False).get_opcodes() for lines in sides]
    hunks = sorted((i1, i2, n) for n, ops in enumerate(codes) for tag, i1, i2, _, _ in ops if tag != "equal")
    clusters: list[list] = []
    for i1, i2, n in hunks:
        if clusters and i1 <= clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], i2)
            clusters[-1][2].add(n)
        else:
            clusters.append([i1, i2, {n}])
    out = []
    for lo, hi, who in clusters:
        if who != {0, 1}:
            continue
        ranges = [(_position(ops, lo, start=True), _position(ops, hi, start=False)) for ops in codes]
        texts = [lines[a:b] for (a, b), lines in zip(ranges, sides)]
        if texts[0] != texts[1]:
            out.append(((lo, hi), *ranges))
    return out


def _position(opcodes: list, pos: int, *, start: bool) -> int:
    """Where base line offset ``pos`` (a hunk edge or inside an unchanged run) falls on the other side."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal" and (i1 == pos if start else i2 == pos):
            return j1 if start else j2
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" and i1 <= pos <= i2:
            return j1 + pos - i1
    return opcodes[-1][4] if opcodes else 0


# --------------------------------------------------------------------------- helpers


def arrange(fork_keys: list, upstream_keys: list, present: Iterable) -> list:
    """The fork's order for the keys kept; each key new from upstream goes right after the
    key that precedes it upstream (or first, when none does).

    >>> arrange(["a", "c", "x"], ["a", "b", "c", "d"], {"a", "b", "c", "d", "x"})
    ['a', 'b', 'c', 'd', 'x']
    """
    keep = set(present)
    out = [k for k in fork_keys if k in keep]
    placed = set(out)
    for index, key in enumerate(upstream_keys):
        if key in placed or key not in keep:
            continue
        position = 0
        for previous in reversed(upstream_keys[:index]):
            if previous in placed:
                position = out.index(previous) + 1
                break
        out.insert(position, key)
        placed.add(key)
    out.extend(k for k in keep if k not in placed)  # only base keys could be left: none kept
    return out


def _union(*mappings: Iterable) -> list:
    seen: dict[Any, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key)
    return list(seen)


def _child(ptrs: Pointers, key: Any, *values: Any) -> Pointers:
    return tuple(None if p is None or v is ABSENT else p + (key,) for p, v in zip(ptrs, values))


def _extend(pointer: tuple | None, index: int | None) -> tuple | None:
    return None if pointer is None or index is None else pointer + (index,)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _merge_set(b: list, f: list, u: list) -> list:
    """Scalar arrays as sets: upstream's removals and additions applied to the fork's list."""

    def key(x: Any) -> tuple:
        return (type(x).__name__ == "bool", x)

    removed = {key(x) for x in b} - {key(x) for x in u}
    added = [x for x in u if key(x) not in {key(y) for y in b}]
    out = [x for x in f if key(x) not in removed]
    have = {key(x) for x in out}
    fork_order = [key(x) for x in out]
    up_order = [key(x) for x in u]
    values = {key(x): x for x in (*out, *added)}
    keys = arrange(fork_order, up_order, set(fork_order) | {key(x) for x in added if key(x) not in have})
    return [values[k] for k in keys]


def _element_key(x: Any) -> Any:
    if not isinstance(x, dict):
        return None
    if isinstance(x.get("$ref"), str):
        return ("$ref", x["$ref"])
    name = x.get("name")
    if isinstance(name, str) and isinstance(x.get("in"), str):
        return ("param", x["in"], name)
    if isinstance(name, str):
        return ("name", name)
    if isinstance(x.get("templateId"), str):
        return ("template", x["templateId"], str(x.get("title", "")))
    if isinstance(x.get("id"), str):
        return ("id", x["id"])
    return None


def _policy_key(x: Any) -> Any:
    """A policy template instance by template, title and what it acts on (the header, query
    parameter or property it sets, the policy section and the operations it runs for)."""
    key = _element_key(x)
    if not (isinstance(key, tuple) and key[0] == "template"):
        return key
    params = x.get("parameters") if isinstance(x.get("parameters"), dict) else {}
    target = tuple(json.dumps(params.get(name), sort_keys=True) for name in _POLICY_TARGET)
    return key + target


_POLICY_TARGET = ("x-ms-apimTemplateParameter.name", "x-ms-apimTemplate-policySection",
                  "x-ms-apimTemplate-operationName")


def _keyer(*sides: list) -> Callable[[Any], Any] | None:
    """The element key for arrays of objects, when every element has a unique one (policy
    template instances that share template and title are told apart by what they act on)."""
    if not any(sides):
        return None
    for keyer in (_element_key, _policy_key):
        if all(_unique_keys(side, keyer) for side in sides):
            return keyer
    return None


def _unique_keys(side: list, keyer: Callable[[Any], Any]) -> bool:
    keys = [keyer(x) for x in side]
    return not any(k is None for k in keys) and len(set(keys)) == len(keys)


#: Objects whose members are independent elements (merged one by one even when the other
#: side removed the whole object): connection parameters, schema properties, definitions...
_KEYED_OBJECTS = frozenset({"connectionParameters", "connectionParameterSets", "properties", "definitions",
                            "parameters", "responses", "paths", "securityDefinitions"})
#: Arrays of scalars that are sets of independent elements (unlike ``enum``, whose removal
#: lifts a constraint).
_SET_ARRAYS = frozenset({"scriptOperations", "required"})


def _collection(b: Any, other: Any, ptrs: Pointers) -> bool:
    """Whether ``b`` (and the side that kept it, ``other``) is a keyed collection whose
    elements merge one by one when a side removed it as a whole."""
    pointer = next((p for p in ptrs if p), ())
    name = pointer[-1] if pointer else None
    if isinstance(b, dict) and isinstance(other, dict):
        if name == "properties" and len(pointer) == 1:
            return False  # apiProperties.json's top-level object, not a schema's properties
        return name in _KEYED_OBJECTS
    if isinstance(b, list) and isinstance(other, list):
        if name in _SET_ARRAYS:
            return all(_scalar(x) for x in (*b, *other))
        return _keyer(b, other) is not None
    return False


# --------------------------------------------------------------------------- locations


def semantic_location(doc: Any, pointer: tuple, kind: str = "json") -> str:
    """A checker-style location for a raw JSON pointer into ``doc``.

    >>> doc = {"paths": {"/i": {"get": {"operationId": "GetI", "parameters": [{"name": "t", "in": "query"}]}}}}
    >>> semantic_location(doc, ("paths", "/i", "get", "parameters", 0, "default"), "swagger")
    'operation/GetI/parameter/t/default'
    """
    parts = list(pointer)
    if kind == "swagger" and len(parts) >= 3 and parts[0] == "paths" and parts[2] in HTTP_METHODS:
        op = value_at(doc, parts[:3])
        op_id = op.get("operationId") if isinstance(op, dict) else None
        name = op_id if isinstance(op_id, str) and op_id else f"{str(parts[2]).upper()} {parts[1]}"
        return "/".join(["operation", name] + _operation_rest(op, parts[3:]))
    if kind == "swagger" and len(parts) >= 2 and parts[0] == "paths":
        return "/".join(["path", str(parts[1])] + _operation_rest(value_at(doc, parts[:2]), parts[2:]))
    if kind == "swagger" and len(parts) >= 2 and parts[0] in ("definitions", "parameters", "responses"):
        return "/".join([str(parts[0]), str(parts[1])] + _schema_rest(parts[2:]))
    if kind == "properties" and parts[:1] == ["properties"]:
        rest = parts[1:]
        if rest[:1] == ["connectionParameters"] and len(rest) >= 2:
            return "/".join(["connection", str(rest[1])] + [str(p) for p in rest[2:]])
        if rest[:2] == ["connectionParameterSets", "values"] and len(rest) >= 3:
            item = value_at(doc, parts[:4])
            name = item.get("name") if isinstance(item, dict) else rest[2]
            tail = rest[3:]
            if tail[:1] == ["parameters"] and len(tail) >= 2:
                return "/".join(["connection", f"{name}/{tail[1]}"] + [str(p) for p in tail[2:]])
            return "/".join(["connection-set", str(name)] + [str(p) for p in tail])
        return "/".join(str(p) for p in rest) or "properties"
    return "/".join(str(p) for p in parts) or "(document)"


def _operation_rest(node: Any, rest: list) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(rest):
        key = rest[i]
        if key == "parameters" and i + 1 < len(rest) and isinstance(rest[i + 1], int):
            param = value_at(node, ["parameters", rest[i + 1]])
            name = param.get("name") if isinstance(param, dict) else None
            if not isinstance(name, str):
                name = param.get("$ref", str(rest[i + 1])) if isinstance(param, dict) else str(rest[i + 1])
            out += ["parameter", str(name)]
            tail = rest[i + 2:]
            if tail[:1] == ["schema"]:
                return out + ["schema"] + _schema_rest(tail[1:])
            return out + [str(p) for p in tail]
        if key == "responses" and i + 1 < len(rest):
            out += ["responses", str(rest[i + 1])]
            tail = rest[i + 2:]
            if tail[:1] == ["schema"]:
                return out + ["schema"] + _schema_rest(tail[1:])
            return out + [str(p) for p in tail]
        if key == "x-ms-notification-content" and rest[i + 1:i + 2] == ["schema"]:
            return out + ["x-ms-notification-content", "schema"] + _schema_rest(rest[i + 2:])
        out.append(str(key))
        i += 1
    return out


def _schema_rest(rest: list) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i] == "properties" and i + 1 < len(rest):
            out.append(str(rest[i + 1]))
            i += 2
        else:
            out.append(str(rest[i]))
            i += 1
    return out


