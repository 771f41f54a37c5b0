"""One walk of a swagger's top-level entries (each path item, definition, shared parameter and
shared response): the ``$ref`` strings each entry holds and where its ``x-ms-dynamic-*``
extensions sit.

The engine's changed-reference closure and the dynamic-reference rules both need these facts
for every entry, and large definitions hold tens of thousands of nodes: a diff walks the old
document once and, on the new side, only the entries that differ (an equal entry shares the
old side's :class:`Entry` object, so ``is`` tells equal entries apart from changed ones).
"""

from __future__ import annotations

from typing import Any, Mapping

from .pointers import holds_containers

SECTIONS = ("paths", "definitions", "parameters", "responses")
DYNAMIC_KEYS = ("x-ms-dynamic-values", "x-ms-dynamic-list", "x-ms-dynamic-schema",
                "x-ms-dynamic-properties", "x-ms-dynamic-tree", "x-ms-operation-context")
_DYNAMIC = frozenset(DYNAMIC_KEYS)


class Entry:
    """What one walk of an entry found."""

    __slots__ = ("refs", "dynamic")

    def __init__(self, refs: frozenset[str], dynamic: tuple[tuple[tuple, str, dict], ...]) -> None:
        #: every ``$ref`` string at any depth, the entry's own included
        self.refs = refs
        #: (pointer of the holder, extension name, extension) of each dynamic extension; an
        #: extension inside another one is part of it, not a call of its own
        self.dynamic = dynamic


Entries = Mapping[tuple[str, str], Entry]


def scan_entries(doc: Any, before: Any = None, earlier: Entries | None = None) -> dict[tuple[str, str], Entry]:
    """``(section, name) -> Entry`` for every entry of ``doc``. Given the ``before`` document
    and its ``earlier`` entries, an entry equal on both sides is not walked again: it gets
    the earlier :class:`Entry` itself.

    >>> doc = {"paths": {"/a": {"get": {"parameters": [{"$ref": "#/parameters/p"}]}}},
    ...        "parameters": {"p": {"name": "p", "in": "query", "type": "string",
    ...                             "x-ms-dynamic-values": {"operationId": "List"}}}}
    >>> found = scan_entries(doc)
    >>> sorted(found[("paths", "/a")].refs), found[("parameters", "p")].dynamic[0][:2]
    (['#/parameters/p'], (('parameters', 'p'), 'x-ms-dynamic-values'))
    """
    out: dict[tuple[str, str], Entry] = {}
    if not isinstance(doc, dict):
        return out
    for section in SECTIONS:
        entries = doc.get(section)
        if not isinstance(entries, dict):
            continue
        was = before.get(section) if isinstance(before, dict) and earlier is not None else None
        if not isinstance(was, dict):
            was = None
        for name, value in entries.items():
            key = (section, name)
            if was is not None and key in earlier and name in was and was[name] == value:  # type: ignore[operator]
                out[key] = earlier[key]  # type: ignore[index]
            else:
                out[key] = _walk(value, key)
    return out


def _walk(root: Any, base: tuple) -> Entry:
    """The entry's ``$ref`` strings, and where its dynamic extensions sit. Most entries hold
    none (8 of 350 in the largest public definition): one quick pass finds the refs and
    whether an object holds an extension key; only then is the entry walked again, keeping
    parent links so that a pointer is built for the few nodes that hold one."""
    refs, dynamic = _collect(root)
    if not dynamic:
        return Entry(frozenset(refs), ())
    hits: list[tuple[tuple, str, dict]] = []
    links: list[tuple[int, Any]] = [(-1, None)]
    stack: list[tuple[Any, int]] = [(root, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, at = pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            kind = type(value)
            if kind is dict:
                if key in _DYNAMIC:
                    hits.append((base + _trail(links, at), key, value))
                    continue
                if not holds_containers(value):
                    continue
            elif kind is not list:
                continue
            links.append((at, key))
            push((value, len(links) - 1))
    return Entry(frozenset(refs), tuple(hits))


def _trail(links: list[tuple[int, Any]], at: int) -> tuple:
    keys = []
    while at > 0:
        at, key = links[at]
        keys.append(key)
    return tuple(reversed(keys))


def refs_below(node: Any) -> set[str]:
    """Every ``$ref`` string at or below ``node``.

    >>> sorted(refs_below({"$ref": "#/a", "items": [{"$ref": "#/b"}, {"x": {"$ref": "#/c"}}]}))
    ['#/a', '#/b', '#/c']
    """
    return _collect(node)[0]


def _collect(node: Any) -> tuple[set[str], bool]:
    """The ``$ref`` strings at or below ``node``, and whether an object below holds a key
    named like a dynamic extension. (Plain dicts and lists, as parsed, so ``type() is``
    stands for ``isinstance``; an object holding no container has only its own ``$ref`` to
    give and is not pushed.)"""
    found: set[str] = set()
    dynamic = False
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            ref = item.get("$ref")
            if type(ref) is str:
                found.add(ref)
            if not dynamic and not _DYNAMIC.isdisjoint(item):
                dynamic = True
            children = item.values()
        elif kind is list:
            children = item
        else:
            continue
        for child in children:
            kind = type(child)
            if kind is dict:
                if holds_containers(child):
                    push(child)
                else:
                    ref = child.get("$ref")
                    if type(ref) is str:
                        found.add(ref)
            elif kind is list:
                push(child)
    return found, dynamic
