"""Where a change sits in its file: the line (and column) of the element it is about.

A :class:`~versioning.changes.Change` names its file, a JSON pointer into it and the side
that holds the element (the new file, or the old one for a removal). :func:`positions`
turns a list of changes into line numbers with one :func:`versioning.jsonload.locate` call
per file. Only the formats that show lines (junit, github, json on request) ask for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .changes import Change

#: Files whose contents are JSON (a pointer into them can be located).
JSON_SUFFIX = ".json"


@dataclass(frozen=True)
class Position:
    """A file (its name inside the connector folder, e.g. ``apiProperties.json``), the side
    it was read from (``new`` or ``old``) and the 1-based line and column, when known."""

    file: str
    side: str = "new"
    line: int | None = None
    column: int | None = None


def locate_pointers(data: bytes, pointers: Sequence[tuple]) -> dict[tuple, tuple[int, int]]:
    """Line and column of each pointer; a pointer that is not in the document is given the
    position of its nearest ancestor that is (the document itself at worst)."""
    from .jsonload import locate

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


def positions(changes: Sequence[Change], old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[Position | None]:
    """One :class:`Position` per change (None when the change names no file); each file
    is scanned once.

    ``old`` and ``new`` map file names to bytes, as :class:`~versioning.SourceFiles` does.
    """
    wanted: dict[tuple[str, str], set[tuple]] = {}
    for change in changes:
        if change.file and change.file.endswith(JSON_SUFFIX):
            wanted.setdefault((_side(change), change.file), set()).add(tuple(change.pointer))
    located: dict[tuple[str, str], dict[tuple, tuple[int, int]]] = {}
    for (side, name), pointers in wanted.items():
        data = (old if side == "old" else new).get(name)
        located[(side, name)] = locate_pointers(data, sorted(pointers, key=len)) if data is not None else {}
    out: list[Position | None] = []
    for change in changes:
        if not change.file:
            out.append(None)
            continue
        side = _side(change)
        line_col = located.get((side, change.file), {}).get(tuple(change.pointer))
        line, column = line_col if line_col else (None, None)
        out.append(Position(change.file, side, line, column))
    return out


def _side(change: Change) -> str:
    return "old" if change.side == "old" else "new"
