"""The residual pass: every difference between the raw documents that no finding covers.

After the typed rules, the two raw JSON documents of each file (the swagger and
apiProperties.json) are walked side by side. A differing leaf is *covered* when its JSON
pointer, on either side, is at or under the pointer of some finding in the same file
(see docs/verdicts.md). The walk descends only into subtrees that differ and hold a
finding's pointer somewhere below; a differing subtree with no finding inside it is listed
leaf by leaf, objects by this module and shallow lists by deepdiff (imported only then;
deepdiff copies its path at every node, so a deep subtree would cost it the square of its
depth). Equal subtrees cost one
``==`` and covered ones nothing, so the pass stays cheap on large definitions.

Lists are compared by content first: items equal on both sides are paired wherever they
sit, so one parameter removed from the middle of ``parameters`` is one difference (the
removed item), not a shift of every item after it, and a reordered list is no difference. The leftover items are paired by their
``name`` (and ``in``) when they have one, then objects by the members they share (as deepdiff
pairs them, so a list gives the same leaves whichever of the two walks it), then by position.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from .entries import refs_below
from .pointers import value_at

#: Pointers that count as covered without a finding: the declared version is the bump's.
ALWAYS_COVERED: dict[str, frozenset[tuple]] = {"swagger": frozenset({("info", "version")})}

_MISSING = object()


class Leaf:
    """One differing leaf: where it sits on each side (``None`` where it is absent) and its
    two values (``None`` for the absent side). (Plain slotted classes here and below: the
    pass makes many and only reads them.)"""

    __slots__ = ("old_pointer", "new_pointer", "old", "new")

    def __init__(self, old_pointer: tuple | None, new_pointer: tuple | None, old: Any, new: Any) -> None:
        self.old_pointer = old_pointer
        self.new_pointer = new_pointer
        self.old = old
        self.new = new

    def __repr__(self) -> str:
        return f"Leaf({self.old_pointer!r}, {self.new_pointer!r}, {self.old!r}, {self.new!r})"

    @property
    def pointer(self) -> tuple:
        return self.new_pointer if self.new_pointer is not None else self.old_pointer  # type: ignore[return-value]

    @property
    def side(self) -> str:
        return "new" if self.new_pointer is not None else "old"


class Residue:
    """What the pass found in one document: the uncovered leaves, and (when counted) how
    many differing leaves findings covered."""

    __slots__ = ("uncovered", "covered")

    def __init__(self, uncovered: list[Leaf], covered: int = 0) -> None:
        self.uncovered = uncovered
        self.covered = covered


def residue(old: Any, new: Any, pointers: Iterable[tuple], *, always: Iterable[tuple] = (),
            count_covered: bool = False) -> Residue:
    """The differing leaves of ``old`` and ``new`` that no pointer in ``pointers`` covers.

    >>> r = residue({"a": 1, "b": {"c": 1, "d": 2}}, {"a": 2, "b": {"c": 3, "d": 2}}, [("a",)])
    >>> [(leaf.pointer, leaf.old, leaf.new) for leaf in r.uncovered]
    [(('b', 'c'), 1, 3)]
    """
    covering = {tuple(p) for p in pointers if p} | {tuple(p) for p in always}
    above: set[tuple] = set()
    for pointer in covering:
        for end in range(len(pointer)):
            above.add(pointer[:end])
    out = Residue([])
    meaning = _Meaning(old, new, covering, above)
    _walk(old, new, (), (), covering, above, out, count_covered, meaning)
    kept = [leaf for leaf in out.uncovered if not meaning.covers(leaf)]
    out.covered += len(out.uncovered) - len(kept) if count_covered else 0
    out.uncovered = kept
    return out


def _under(pointer: tuple, covering: set) -> bool:
    return any(pointer[:end] in covering for end in range(1, len(pointer) + 1))


METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
_SECTIONS = ("definitions", "parameters", "responses")


class _Meaning:
    """Leaves whose meaning a finding elsewhere reports (see docs/verdicts.md):

    * a name in a schema's ``required`` list (or a whole list), when the finding sits at
      each property it names;
    * a ``format`` whose ``type`` has a finding (one attribute, one finding);
    * a changed ``$ref`` whose target holds a finding (the typed rules compare what
      references point to, not their spelling);
    * a definition (or shared parameter or response) present on one side only and reached
      through ``$ref`` (or as a discriminator base's subtype) from a place a finding covers on
      that side, or holding a finding itself (it came or went with the operations or fields
      that use it);
    * a path item's own keys (``parameters``, ``x-ms-notification-content``) present on one
      side only, when every operation of that path item on that side is covered;
    * a ``host`` set per environment (``@environmentVariables("...")``) on either side."""

    def __init__(self, old: Any, new: Any, covering: set, above: set) -> None:
        self.docs = {"old": old, "new": new}
        self.covering, self.above = covering, above
        self._reached: dict[str, set[tuple]] = {}

    def covers(self, leaf: Leaf) -> bool:
        one_sided = leaf.old_pointer is None or leaf.new_pointer is None
        for side, pointer, value in (("old", leaf.old_pointer, leaf.old), ("new", leaf.new_pointer, leaf.new)):
            if not pointer:
                continue
            if len(pointer) >= 2 and pointer[-2] == "required" and isinstance(value, str):
                if self._property_covered(pointer[:-2], value):
                    return True
            if pointer[-1] == "required" and isinstance(value, list) and value:
                other = leaf.new if side == "old" else leaf.old
                names = set(map(str, value)) ^ set(map(str, other)) if isinstance(other, list) else set(map(str, value))
                if names and all(self._property_covered(pointer[:-1], name) for name in names):
                    return True
            if pointer == ("host",) and (_environment_specific(leaf.old) or _environment_specific(leaf.new)):
                return True  # set per environment, like a fork's own host
            if pointer[-1] == "format" and _under(pointer[:-1] + ("type",), self.covering):
                return True
            if pointer[-1] == "$ref" and isinstance(value, str) and value.startswith("#/"):
                target = _ref_pointer(value)
                if target in self.covering or target in self.above:
                    return True
            if one_sided and len(pointer) >= 2 and pointer[0] in _SECTIONS \
                    and (pointer[:2] in self.above or pointer[:2] in self.reached(side)) \
                    and value_at(self.docs["new" if side == "old" else "old"], pointer[:2]) is None:
                return True  # in a definition that came or went with what uses it
            if one_sided and len(pointer) == 3 and pointer[0] == "paths" and pointer[2] not in METHODS:
                item = value_at(self.docs[side], pointer[:2])
                methods = [key for key in item if key in METHODS] if isinstance(item, dict) else []
                if methods and all(pointer[:2] + (m,) in self.covering for m in methods):
                    return True
        return False

    def _property_covered(self, schema: tuple, name: str) -> bool:
        return _under(schema + ("properties", name), self.covering)

    def reached(self, side: str) -> set[tuple]:
        """The ``$ref`` targets reachable on ``side`` from the places findings cover."""
        found = self._reached.get(side)
        if found is not None:
            return found
        doc = self.docs[side]
        found = set()
        queue = [node for node in (value_at(doc, p) for p in self.covering) if node is not None]
        subtypes = _subtypes(doc)
        while queue:
            node = queue.pop()
            for ref in refs_below(node):
                if not ref.startswith("#/"):
                    continue  # another file's: the platform takes the definition as one file
                target = _ref_pointer(ref)
                # a base with a discriminator stands for its subtypes too
                for reached in (target, *subtypes.get(target, ())):
                    if reached not in found:
                        found.add(reached)
                        child = value_at(doc, reached)
                        if child is not None:
                            queue.append(child)
        self._reached[side] = found
        return found


def _environment_specific(value: Any) -> bool:
    from .rules.definition import environment_specific

    return environment_specific(value)


def _subtypes(doc: Any) -> dict[tuple, list[tuple]]:
    """``("definitions", base)`` of each base with a ``discriminator`` -> its subtypes' pointers
    (the definitions whose ``allOf`` refers to it)."""
    definitions = doc.get("definitions") if isinstance(doc, dict) else None
    if not isinstance(definitions, dict):
        return {}
    out: dict[tuple, list[tuple]] = {}
    for name, schema in definitions.items():
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        for part in parts if isinstance(parts, list) else ():
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                base = _ref_pointer(ref)
                if isinstance(value_at(doc, base), dict) and "discriminator" in value_at(doc, base):
                    out.setdefault(base, []).append(("definitions", name))
    return out


def _ref_pointer(ref: str) -> tuple:
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/"))


def _walk(a: Any, b: Any, pa: tuple, pb: tuple, covering: set, above: set, out: Residue, count: bool,
          meaning: "_Meaning") -> None:
    if a is b or (type(a) is type(b) and a == b):
        return
    if pa in covering or pb in covering:
        if count:
            out.covered += count_leaves(a, b)
        return
    if pa not in above and pb not in above:
        if a is not _MISSING and b is not _MISSING:
            differing = count_leaves(a, b)  # cheap, and 0 for a list that was only reordered
            if differing == 0 or meaning.covers(Leaf(pa, pb, a, b)):
                if count:
                    out.covered += differing
                return
        out.uncovered.extend(_uncovered_leaves(a, b, pa, pb))
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            _walk(a[key], b.get(key, _MISSING), pa + (key,), pb + (key,), covering, above, out, count, meaning)
        for key in b:
            if key not in a:
                _walk(_MISSING, b[key], pa + (key,), pb + (key,), covering, above, out, count, meaning)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i, j in pair_items(a, b):
            _walk(a[i] if i is not None else _MISSING, b[j] if j is not None else _MISSING,
                  pa + (i,) if i is not None else pa + (j,), pb + (j,) if j is not None else pb + (i,),
                  covering, above, out, count, meaning)
        return
    if a is _MISSING or b is _MISSING:
        # one side lacks the whole subtree: covered only through pointers under it, per leaf
        if a is _MISSING:
            _walk_one_sided(b, pb, "new", covering, above, out, count)
        else:
            _walk_one_sided(a, pa, "old", covering, above, out, count)
        return
    out.uncovered.append(Leaf(pa, pb, a, b))


def _walk_one_sided(value: Any, pointer: tuple, side: str, covering: set, above: set,
                    out: Residue, count: bool) -> None:
    """A subtree present on one side only, with a finding somewhere inside it: each child
    is covered or reported on its own."""
    if pointer in covering:
        if count:
            out.covered += 1
        return
    items: Iterable = ()
    if pointer in above:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    items = list(items)
    if not items:
        old, new = (value, None) if side == "old" else (None, value)
        out.uncovered.append(Leaf(pointer if side == "old" else None, pointer if side == "new" else None, old, new))
        return
    for key, child in items:
        _walk_one_sided(child, pointer + (key,), side, covering, above, out, count)


def pair_items(a: list, b: list) -> list[tuple[int | None, int | None]]:
    """Index pairs of two lists: equal items first (wherever they sit), then the rest by
    ``name``/``in`` when the items have one, then objects by the members they share, then by
    position; ``None`` where one side has no partner.

    >>> pair_items([1, 2, 3], [1, 3])
    [(0, 0), (2, 1), (1, None)]
    >>> pair_items([{"name": "a", "in": "query"}, {"name": "b"}], [{"name": "b", "x": 1}])
    [(1, 0), (0, None)]
    """
    free_b = list(range(len(b)))
    buckets: dict[tuple, list[int]] = {}
    for j in free_b:
        buckets.setdefault(_identity(b[j]), []).append(j)
    pairs: list[tuple[int | None, int | None]] = []
    left_a: list[int] = []
    taken: set[int] = set()
    for i, item in enumerate(a):
        bucket = buckets.get(_identity(item))
        j = bucket.pop(0) if bucket else None
        if j is None:
            left_a.append(i)
        else:
            taken.add(j)
            pairs.append((i, j))
    free_b = [j for j in free_b if j not in taken]
    named: dict[tuple, int] = {}
    for j in free_b:
        key = _item_key(b[j])
        if key is not None:
            named.setdefault(key, j)
    rest_a = []
    for i in left_a:
        key = _item_key(a[i])
        j = named.pop(key, None) if key is not None else None
        if j is None:
            rest_a.append(i)
        else:
            free_b.remove(j)
            pairs.append((i, j))
    for i, j in _pair_by_shared_members(a, b, rest_a, free_b):
        rest_a.remove(i)
        free_b.remove(j)
        pairs.append((i, j))
    n = min(len(rest_a), len(free_b))
    pairs.extend(zip(rest_a[:n], free_b[:n]))
    pairs.extend((i, None) for i in rest_a[n:])
    pairs.extend((None, j) for j in free_b[n:])
    return pairs


#: Leftover items compared two by two at most (beyond this, they pair by position).
_SIMILARITY_BUDGET = 10_000


def _pair_by_shared_members(a: list, b: list, rest_a: list[int], free_b: list[int]) -> list[tuple[int, int]]:
    """Leftover objects paired by how many members they share (equal key and value), most
    first, ties by position: ``{"displayName": "Ada - cheapest", "value": "ada"}`` pairs with
    ``{"displayName": "Ada", "value": "ada"}`` wherever it moved, as deepdiff pairs them.
    Objects that share nothing are left to pair by position.

    >>> _pair_by_shared_members([{"v": 1, "d": "x"}, {"v": 2}], [{"v": 3}, {"v": 1, "d": "y"}], [0, 1], [0, 1])
    [(0, 1)]
    """
    if len(rest_a) * len(free_b) > _SIMILARITY_BUDGET:
        return []
    scored = []
    for i in rest_a:
        if not isinstance(a[i], dict):
            continue
        for j in free_b:
            if isinstance(b[j], dict):
                shared = sum(1 for key, value in a[i].items() if key in b[j] and b[j][key] == value)
                if shared:
                    scored.append((-shared, i, j))
    scored.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for _, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def _identity(item: Any) -> tuple:
    """A hashable key equal for equal JSON values (containers by their canonical text)."""
    if isinstance(item, (dict, list)):
        return (list, json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))
    return (type(item), item)


def _item_key(item: Any) -> tuple | None:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return (item["name"], item.get("in") if isinstance(item.get("in"), str) else None)
    return None


def _uncovered_leaves(a: Any, b: Any, pa: tuple, pb: tuple) -> list[Leaf]:
    """The differing leaves of one uncovered subtree pair: objects walked here, shallow lists
    listed by deepdiff (which pairs their items ignoring order)."""
    if a is _MISSING or b is _MISSING:
        return [Leaf(None if a is _MISSING else pa, None if b is _MISSING else pb,
                     None if a is _MISSING else a, None if b is _MISSING else b)]
    if not isinstance(a, (dict, list)) or not isinstance(b, (dict, list)) or type(a) is not type(b):
        return [Leaf(pa, pb, a, b)]
    # deepdiff copies the path of every node it visits, which is quadratic in the depth: objects
    # are walked here, and a list goes to deepdiff only when what it holds is shallow
    if isinstance(a, dict) or _deeper_than(a, _DEEPDIFF_DEPTH) or _deeper_than(b, _DEEPDIFF_DEPTH):
        if isinstance(a, dict):
            pairs = [(a[k], b.get(k, _MISSING), k, k) for k in a]
            pairs += [(_MISSING, b[k], k, k) for k in b if k not in a]
        else:
            pairs = [(a[i] if i is not None else _MISSING, b[j] if j is not None else _MISSING,
                      i if i is not None else j, j if j is not None else i) for i, j in pair_items(a, b)]
        leaves = []
        for x, y, key_a, key_b in pairs:
            if not (x is y or (type(x) is type(y) and x == y)):
                leaves.extend(_uncovered_leaves(x, y, pa + (key_a,), pb + (key_b,)))
        leaves.sort(key=lambda leaf: tuple(str(p) for p in leaf.pointer))
        return leaves
    from deepdiff import DeepDiff
    from deepdiff.helper import NotPresent

    found = DeepDiff(a, b, view="tree", verbose_level=2, ignore_order=True)
    leaves = []
    for report in found.values():
        for item in report:
            old_path = item.path(output_format="list") if not isinstance(item.t1, NotPresent) else None
            new_path = item.path(output_format="list", use_t2=True) if not isinstance(item.t2, NotPresent) else None
            leaves.append(Leaf(pa + tuple(old_path) if old_path is not None else None,
                               pb + tuple(new_path) if new_path is not None else None,
                               None if isinstance(item.t1, NotPresent) else item.t1,
                               None if isinstance(item.t2, NotPresent) else item.t2))
    leaves.sort(key=lambda leaf: tuple(str(p) for p in leaf.pointer))
    return leaves


#: Lists nested deeper than this are paired by :func:`pair_items`, not by deepdiff.
_DEEPDIFF_DEPTH = 16


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels in ``value``."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
                         if isinstance(child, (dict, list)))
    return False


def count_leaves(a: Any, b: Any) -> int:
    """How many leaves differ between two subtrees (an added or removed key is one), counted
    the way the residual pass lists them; used for the coverage figure.

    >>> count_leaves({"a": 1, "b": [1, 2], "c": {"d": 1}}, {"a": 2, "b": [1], "e": 1})
    4
    """
    if a is b or (type(a) is type(b) and a == b):
        return 0
    if a is _MISSING or b is _MISSING:
        return 1
    if isinstance(a, dict) and isinstance(b, dict):
        return (sum(count_leaves(a[k], b[k]) if k in b else 1 for k in a)
                + sum(1 for k in b if k not in a))
    if isinstance(a, list) and isinstance(b, list):
        return sum(count_leaves(a[i], b[j]) if i is not None and j is not None else 1 for i, j in pair_items(a, b))
    return 1


def documents(old: Any, new: Any) -> list[tuple[str, Any, Any, frozenset[tuple]]]:
    """The raw JSON documents the pass compares, as ``(file, old, new, always covered)``:
    the swagger, and apiProperties.json as its ``properties`` object when both sides could
    be read (the engine compares it then only, and says so in a warning otherwise)."""
    from .sourcefiles import PROPERTIES_NAME

    out = [(new.swagger_name, old.swagger, new.swagger, ALWAYS_COVERED["swagger"])]
    if old.properties_readable and new.properties_readable:
        a, b = {"properties": old.properties}, {"properties": new.properties}
        out.append((PROPERTIES_NAME, a, b, frozenset(_client_secrets(a)) | frozenset(_client_secrets(b))))
    return out


def _client_secrets(node: Any, pointer: tuple = ()) -> Iterator[tuple]:
    """Where an OAuth ``clientSecret`` sits (any casing): never compared, as paconn never
    downloads it and the store keeps a marker in its place (see docs/verdicts.md)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.casefold() == "clientsecret":
                yield pointer + (key,)
            elif isinstance(value, (dict, list)):
                yield from _client_secrets(value, pointer + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _client_secrets(value, pointer + (index,))


def pointers_by_file(changes: Iterable[Any], *, skip: str | None = None) -> dict[str, list[tuple]]:
    """The findings' pointers, per file (``skip``: a rule id whose findings do not count)."""
    out: dict[str, list[tuple]] = {}
    for change in changes:
        if change.rule != skip and change.file is not None:
            out.setdefault(change.file, []).append(tuple(change.pointer))
            for file, pointer in getattr(change, "covers", ()):
                out.setdefault(file, []).append(tuple(pointer))
    return out


def coverage(old: Any, new: Any, changes: Iterable[Any], *, skip: str | None = None) -> tuple[int, int]:
    """``(differing leaves, leaves covered by a finding)`` over both documents; ``skip``
    leaves one rule's findings out (the sweep measures the typed rules without the pass)."""
    pointers = pointers_by_file(changes, skip=skip)
    differing = covered = 0
    for file, a, b, always in documents(old, new):
        found = residue(a, b, pointers.get(file, ()), always=always, count_covered=True)
        covered += found.covered
        differing += found.covered + len(found.uncovered)
    return differing, covered
