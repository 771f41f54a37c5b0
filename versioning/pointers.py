"""Parsed JSON as connver walks it. Pointers are tuples of keys, ``str`` for object members
and ``int`` for array items (``("paths", "/items", "get", "parameters", 0)``).

:func:`holds_containers` tells the walkers which objects they need not look into: it is
False when a dict holds no dict or list (only strings, numbers, booleans and None, as half
of a definition's objects do), True when it may hold one. It is CPython's
``gc.is_tracked``: the collector stops tracking a dict while it holds only atomic values
(the ``gc`` module documents it), and a dict or list inserted makes it tracked again, so
False always means "no container inside". Where an interpreter tracks every dict the answer
is True and walkers look inside, as they would without it. (The C function itself, not a
wrapper: walkers call it once per object.)

>>> holds_containers({"type": "string"}), holds_containers({"a": []}), holds_containers({"a": {}})
(False, True, True)
"""

from __future__ import annotations

from gc import is_tracked as holds_containers
from typing import Any, Iterable

__all__ = ["holds_containers", "value_at"]


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
