"""JSON pointers as connver keeps them: tuples of keys, ``str`` for object members and
``int`` for array items (``("paths", "/items", "get", "parameters", 0)``)."""

from __future__ import annotations

from typing import Any, Iterable

__all__ = ["value_at"]


def value_at(doc: Any, pointer: Iterable, default: Any = None) -> Any:
    """The value at ``pointer`` in ``doc``, or ``default`` where the pointer leads nowhere
    (a missing member, an index out of range, a key into a scalar).

    >>> doc = {"a": [{"b": 1}]}
    >>> value_at(doc, ("a", 0, "b")), value_at(doc, ("a", 1)), value_at(doc, ("a", -1)), value_at(doc, ("a", "0"))
    (1, None, None, None)
    """
    node = doc
    for key in pointer:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return default
    return node
