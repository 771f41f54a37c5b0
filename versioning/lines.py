"""Where a change sits in its file: the line (and column) of the element it is about.

A :class:`~versioning.changes.Change` names its file, a JSON pointer into it and the side
that holds the element (the new file, or the old one for a removal). :func:`positions`
turns a list of changes into line numbers with one :func:`versioning.jsontext.locate` call
per file. Only the formats that show lines (junit, github, json on request) ask for them.

Every line is a line of the NEW file, because that is the file a pull request's "Files
changed" view (and a reviewer) shows. A removed element is no longer there: its position
is that of its nearest ancestor that the new file still holds (the parent schema, the path
item or ``paths`` for a removed operation, the ``parameters`` list...), see
:func:`surviving_ancestor`; where it used to be declared stays available as ``old_line``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .changes import Change

#: Files whose contents are JSON (a pointer into them can be located).
JSON_SUFFIX = ".json"


@dataclass(frozen=True)
class Position:
    """A file (its name inside the connector folder, e.g. ``apiProperties.json``), the side
    whose file ``line`` and ``column`` are in, and those 1-based line and column, when known.

    ``side`` is ``new`` except for a change whose file the new side does not have at all.
    For a removal, ``anchor`` is the JSON pointer (a tuple) of the element's nearest ancestor
    in the new file, which ``line`` and ``column`` locate, and ``old_line``/``old_column``
    say where the removed element was declared in the old file.
    """

    file: str
    side: str = "new"
    line: int | None = None
    column: int | None = None
    old_line: int | None = None
    old_column: int | None = None
    anchor: tuple | None = None

    @property
    def removal(self) -> bool:
        return self.anchor is not None


def locate_pointers(data: bytes, pointers: Sequence[tuple]) -> dict[tuple, tuple[int, int]]:
    """Line and column of each pointer; a pointer that is not in the document is given the
    position of its nearest ancestor that is (the document itself at worst)."""
    from .jsontext import locate

    try:
        found = locate(data, pointers)
        missing = [p for p in pointers if p not in found]
        if not missing:
            return found
        known = locate(data, {p[:i] for p in missing for i in range(len(p))})
    except Exception:  # a file that cannot be read has no lines to show
        return {}
    for pointer in missing:
        for i in range(len(pointer) - 1, -1, -1):
            if pointer[:i] in known:
                found[pointer] = known[pointer[:i]]
                break
    return found


def _identity(item: Any) -> tuple | None:
    """What identifies an array item across versions: a ``$ref``, a parameter's ``name``
    and ``in``, a policy's template and title; a plain value is its own identity; None for
    an object with no such key."""
    if isinstance(item, dict):
        if "$ref" in item:
            return ("$ref", item["$ref"])
        if "name" in item:
            return ("name", item["name"], item.get("in"))
        if "templateId" in item:
            return ("policy", item["templateId"], item.get("title"))
        return None
    if isinstance(item, list):
        return None
    return ("value", type(item).__name__, item)


def _same_item(item: Any, index: int, items: list) -> int | None:
    """The index in ``items`` (the new array) of the item that is ``item`` (at ``index`` of
    the old array), or None when the new array does not hold it."""
    ident = _identity(item)
    if ident is not None:
        return next((j for j, other in enumerate(items) if _identity(other) == ident), None)
    exact = next((j for j, other in enumerate(items) if other == item), None)
    if exact is not None:
        return exact
    # An anonymous object (an allOf member...): the same slot, if the new array has it and
    # holds an anonymous object there too.
    if index < len(items) and isinstance(items[index], type(item)) and _identity(items[index]) is None:
        return index
    return None


def surviving_ancestor(pointer: Sequence, old_doc: Any, new_doc: Any) -> tuple:
    """The pointer, in ``new_doc``, of the nearest ancestor of the element at ``pointer``
    in ``old_doc`` that ``new_doc`` still holds (``()``, the document, at worst).

    Object members are matched by key; array items by what identifies them (a parameter by
    name and location, a ``$ref``, a value), never by index alone, so that a removed
    parameter is not placed on another parameter that moved into its slot.

    >>> old = {"paths": {"/a": {"get": {"parameters": [{"name": "x", "in": "query"},
    ...                                                 {"name": "y", "in": "query"}]}}}}
    >>> new = {"paths": {"/a": {"get": {"parameters": [{"name": "y", "in": "query"}]}}}}
    >>> surviving_ancestor(("paths", "/a", "get", "parameters", 0, "required"), old, new)
    ('paths', '/a', 'get', 'parameters')
    >>> surviving_ancestor(("paths", "/a", "get", "parameters", 1, "enum"), old, new)
    ('paths', '/a', 'get', 'parameters', 0)
    >>> surviving_ancestor(("paths", "/b", "get"), old, new)
    ('paths',)
    """
    out: list = []
    a, b = old_doc, new_doc
    for key in pointer:
        if isinstance(a, dict) and isinstance(b, dict) and isinstance(key, str):
            if key not in a or key not in b:
                break
            a, b = a[key], b[key]
            out.append(key)
        elif isinstance(a, list) and isinstance(b, list) and isinstance(key, int) and 0 <= key < len(a):
            j = _same_item(a[key], key, b)
            if j is None:
                break
            a, b = a[key], b[j]
            out.append(j)
        else:
            break
    return tuple(out)


def _until_first_index(pointer: tuple) -> tuple:
    """Without the documents, an array index cannot be trusted across versions."""
    for i, key in enumerate(pointer):
        if isinstance(key, int):
            return pointer[:i]
    return pointer


def positions(changes: Sequence[Change], old: Mapping[str, bytes], new: Mapping[str, bytes], *,
              docs: Mapping[tuple[str, str], Any] | None = None) -> list[Position | None]:
    """One :class:`Position` per change (None when the change names no file); each file
    is scanned once.

    ``old`` and ``new`` map file names to bytes, as :class:`~versioning.SourceFiles` does.
    ``docs`` may hold the parsed documents, keyed by ``(side, file name)``, to spare a
    second parse; the others a removal needs are parsed from the bytes.
    """
    docs = dict(docs or {})
    wanted: dict[tuple[str, str], set[tuple]] = {}
    anchors: dict[tuple[str, tuple], tuple] = {}
    for change in changes:
        if not (change.file and change.file.endswith(JSON_SUFFIX)):
            continue
        pointer = tuple(change.pointer)
        if _side(change) == "new":
            wanted.setdefault(("new", change.file), set()).add(pointer)
            continue
        wanted.setdefault(("old", change.file), set()).add(pointer)
        if change.file in new and (change.file, pointer) not in anchors:
            found = _anchor(pointer, change.file, old, new, docs)
            anchors[(change.file, pointer)] = found
            wanted.setdefault(("new", change.file), set()).add(found)
    located: dict[tuple[str, str], dict[tuple, tuple[int, int]]] = {}
    for (side, name), pointers in wanted.items():
        data = (old if side == "old" else new).get(name)
        located[(side, name)] = locate_pointers(data, sorted(pointers, key=len)) if data is not None else {}
    out: list[Position | None] = []
    for change in changes:
        if not change.file:
            out.append(None)
            continue
        pointer = tuple(change.pointer)
        if _side(change) == "new":
            line, column = located.get(("new", change.file), {}).get(pointer, (None, None))
            out.append(Position(change.file, "new", line, column))
            continue
        old_line, old_column = located.get(("old", change.file), {}).get(pointer, (None, None))
        anchor = anchors.get((change.file, pointer))
        if anchor is None:  # the new side has no such file: only the old one can say where
            out.append(Position(change.file, "old", old_line, old_column, old_line, old_column))
            continue
        line, column = located.get(("new", change.file), {}).get(anchor, (None, None))
        out.append(Position(change.file, "new", line, column, old_line, old_column, anchor))
    return out


def _anchor(pointer: tuple, name: str, old: Mapping[str, bytes], new: Mapping[str, bytes],
            docs: dict[tuple[str, str], Any]) -> tuple:
    parsed = [_document(side, name, old if side == "old" else new, docs) for side in ("old", "new")]
    if any(doc is _UNREADABLE for doc in parsed):
        return _until_first_index(pointer)
    return surviving_ancestor(pointer, *parsed)


_UNREADABLE = object()


def _document(side: str, name: str, files: Mapping[str, bytes], docs: dict[tuple[str, str], Any]) -> Any:
    key = (side, name)
    if key not in docs:
        from .jsontext import load_json

        try:
            docs[key] = load_json(files[name], name)[0]
        except Exception:  # no document, no ancestors to match: see _until_first_index
            docs[key] = _UNREADABLE
    return docs[key]


def _side(change: Change) -> str:
    return "old" if change.side == "old" else "new"
