"""Where JSON pointers sit in a file: the line and column each element starts at.

Lines are counted at ``\\n`` (as git, GitHub and :mod:`json` count them, so CRLF files are
fine); columns are 1-based and count characters, after the byte order mark if there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .decode import LineIndex, decode_lenient

if TYPE_CHECKING:
    from .scan import Scanner

__all__ = ["locate"]


def locate(data: bytes, pointers: Iterable[tuple]) -> dict[tuple, tuple[int, int]]:
    """Return the 1-based ``(line, column)`` where each pointer's element starts in ``data``.

    A pointer is a tuple of keys: ``str`` for object members, ``int`` for array indexes. An
    object member is placed at its key, an array item (and the root ``()``) at its value.
    Pointers that are not in the document are left out. The same defects as in
    :func:`~versioning.jsontext.load_json` are tolerated; on one that is not, the pointers
    found before it are returned. With duplicate keys the last one counts, as in
    :func:`json.loads`.

    >>> locate(b'{\\r\\n  "a": [10,\\r\\n    20]\\r\\n}', [("a",), ("a", 1), ("b",), ()])
    {(): (1, 1), ('a',): (2, 3), ('a', 1): (3, 5)}
    """
    root = _Trie(())
    for pointer in pointers:
        node = root
        for key in pointer:
            node = node.child(key)
        node.wanted = True
    if not root.wanted and not root.children:
        return {}
    text = decode_lenient(data)
    if text is None:
        return {}
    from .scan import Scanner  # (imported when a location is asked for: a diff that prints none never needs it)

    found = _walk(Scanner(text), root)
    lines = LineIndex(text)
    return {pointer: lines.at(pos) for pointer, pos in sorted(found.items(), key=lambda item: item[1])}


class _Trie:
    """The wanted pointers as a tree of keys; ``wanted`` marks a node that is itself a pointer."""

    __slots__ = ("path", "children", "wanted")

    def __init__(self, path: tuple) -> None:
        self.path = path
        self.children: dict[Any, _Trie] = {}
        self.wanted = False

    def child(self, key: Any) -> _Trie:
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = _Trie((*self.path, key))
        return node

    def paths(self) -> Iterable[tuple]:
        yield self.path
        for child in self.children.values():
            yield from child.paths()


def _walk(scanner: Scanner, root: _Trie) -> dict[tuple, int]:
    """One pass over the text, descending only into subtrees that hold a wanted pointer."""
    from .scan import ScanDefect

    found: dict[tuple, int] = {}

    def value(i: int, node: _Trie) -> int:
        char = scanner.text[i:i + 1]
        if node.children and char == "{":
            seen: set[str] = set()

            def member(key: str, key_pos: int, start: int) -> int:
                child = node.children.get(key)
                if child is None:
                    return scanner.skip(start)
                if key in seen:  # a duplicate key: the last one counts
                    for path in child.paths():
                        found.pop(path, None)
                seen.add(key)
                if child.wanted:
                    found[child.path] = key_pos
                return value(start, child)

            return scanner.object(i, member)
        if node.children and char == "[":
            def item(index: int, start: int) -> int:
                child = node.children.get(index)
                if child is None:
                    return scanner.skip(start)
                if child.wanted:
                    found[child.path] = start
                return value(start, child)

            return scanner.array(i, item)
        return scanner.skip(i)

    try:
        start = scanner.ws(0)
        if start >= len(scanner.text):
            return {}
        if root.wanted:
            found[()] = start
        value(start, root)
    except (ScanDefect, RecursionError):
        pass
    return found
