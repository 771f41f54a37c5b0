"""The one JSON text scanner: where each member and item sits, without building values.

:class:`Scanner` walks JSON text and reports positions: a member's key and where its value
starts and ends, an array item's start and end. It is what :func:`~versioning.jsontext.locate`
(pointers to lines), :func:`~versioning.jsontext.dump_like` (copying unchanged text) and
:func:`~versioning.jsontext.find_info_version` (a one-string edit) stand on.

It is tolerant the way real definition files need (as the loader is): ``//`` and ``/* */``
comments, trailing commas, raw control characters in strings, Unicode whitespace. A value
it can jump over in one go is handed to the C scanner behind :func:`json.loads`; only text
the C scanner rejects is walked here. Text it cannot follow raises :class:`ScanDefect` with
its index. Building values and explaining defects is the loader's job
(:mod:`versioning.jsontext.load`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

__all__ = ["MAX_SCAN_DEPTH", "Duplicate", "Member", "ScanDefect", "Scanner"]

#: Deepest nesting the scanner follows.
MAX_SCAN_DEPTH = 512

_scan_once = json.JSONDecoder().scan_once
_scanstring = json.decoder.scanstring
_WS_OR_COMMENTS = re.compile(r"(?:[\s\ufeff]+|//[^\n]*|/\*.*?\*/)*", re.S)
_PLAIN_STRING = re.compile(r'"[^"\\]*"')
_LAX_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BARE = re.compile(r'[^\s,:\[\]{}"/]+')


class ScanDefect(Exception):
    """Text the scanner cannot walk past, at index ``pos``."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


@dataclass(frozen=True)
class Member:
    """An object member: its key, where the key's opening quote is, the kind of its value
    (``object``, ``array``, ``string``, ``scalar``) and the value's ``[start, end)``."""

    key: str
    key_pos: int
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Duplicate:
    """A key given twice in one object: where the later one is, and where the one before it is."""

    key: str
    key_pos: int
    earlier_pos: int


_KINDS = {"{": "object", "[": "array", '"': "string"}

#: ``visit(key, key_pos, start) -> end`` for a member, ``visit(index, start) -> end`` for an item.
MemberVisit = Callable[[str, int, int], int]
ItemVisit = Callable[[int, int], int]


class Scanner:
    """Positions in one JSON text (already decoded)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0

    def ws(self, i: int) -> int:
        """Index of the first character at or after ``i`` that is not whitespace or a comment."""
        j = _WS_OR_COMMENTS.match(self.text, i).end()
        if self.text.startswith("/*", j):
            raise ScanDefect(j, "unterminated /* comment")
        return j

    def kind(self, i: int) -> str:
        return _KINDS.get(self.text[i:i + 1], "scalar")

    def skip(self, i: int) -> int:
        """Index just past the value that starts at ``i``."""
        try:
            return _scan_once(self.text, i)[1]
        except (StopIteration, ValueError, RecursionError):  # ValueError: int()'s digit limit
            pass
        text = self.text
        char = text[i:i + 1]
        if char == '"':
            match = _LAX_STRING.match(text, i)
            if match is None:
                raise ScanDefect(i, "unterminated string")
            return match.end()
        if char == "{":
            return self.object(i)
        if char == "[":
            return self.array(i)
        if char == "":
            raise ScanDefect(i, "unexpected end of file")
        bare = _BARE.match(text, i)
        if bare is None:
            raise ScanDefect(i, f"unexpected {char!r}")
        return bare.end()

    def key(self, i: int) -> tuple[str, int]:
        """The member name whose opening quote is at ``i``, and the index after it."""
        plain = _PLAIN_STRING.match(self.text, i)
        if plain:
            return self.text[i + 1:plain.end() - 1], plain.end()
        match = _LAX_STRING.match(self.text, i)
        if match is None:
            raise ScanDefect(i, "unterminated string")
        try:
            return _scanstring(self.text, i + 1, False)
        except ValueError:
            return self.text[i + 1:match.end() - 1], match.end()

    def _enter(self, i: int) -> None:
        self.depth += 1
        if self.depth > MAX_SCAN_DEPTH:
            raise ScanDefect(i, "nesting too deep")

    def object(self, i: int, visit: MemberVisit | None = None) -> int:
        """Walk the object whose ``{`` is at ``i``; ``visit`` each member (default: skip its
        value) and return the index just past the ``}``."""
        text, ws = self.text, self.ws
        self._enter(i)
        j = ws(i + 1)
        while True:
            char = text[j:j + 1]
            if char == "}":
                self.depth -= 1
                return j + 1
            if char == "":
                raise ScanDefect(i, "unclosed object")
            if char != '"':
                raise ScanDefect(j, f"expected a quoted member name, found {char!r}")
            key_pos = j
            key, j = self.key(j)
            j = ws(j)
            if not text.startswith(":", j):
                raise ScanDefect(j, f"expected ':' after {key!r}")
            start = ws(j + 1)
            if start >= len(text):
                raise ScanDefect(i, "unclosed object")
            j = self._after(ws(visit(key, key_pos, start) if visit is not None else self.skip(start)), "}", i)

    def array(self, i: int, visit: ItemVisit | None = None) -> int:
        """Walk the array whose ``[`` is at ``i``; ``visit`` each item and return the index
        just past the ``]``."""
        text, ws = self.text, self.ws
        self._enter(i)
        j = ws(i + 1)
        index = 0
        while True:
            char = text[j:j + 1]
            if char == "]":
                self.depth -= 1
                return j + 1
            if char == "":
                raise ScanDefect(i, "unclosed array")
            j = self._after(ws(visit(index, j) if visit is not None else self.skip(j)), "]", i)
            index += 1

    def _after(self, j: int, closer: str, opened: int) -> int:
        """After a member or item: past its ``,`` (a trailing one is fine), or at ``closer``."""
        char = self.text[j:j + 1]
        if char == ",":
            return self.ws(j + 1)
        if char == closer:
            return j
        if char == "":
            raise ScanDefect(opened, "unclosed object" if closer == "}" else "unclosed array")
        raise ScanDefect(j, f"expected ',' or {closer!r}, found {char!r}")

    def members(self, i: int) -> tuple[list[Member], int]:
        """The members of the object at ``i`` (each value skipped) and the index past its ``}``."""
        out: list[Member] = []

        def visit(key: str, key_pos: int, start: int) -> int:
            end = self.skip(start)
            out.append(Member(key, key_pos, self.kind(start), start, end))
            return end

        return out, self.object(i, visit)

    def spans(self, keys: dict[tuple, int] | None = None) -> dict[tuple, tuple[int, int]]:
        """``[start, end)`` of every value in the document, by pointer; with ``keys``, also
        where each object member's key (its opening quote) is, by the member's pointer."""
        spans: dict[tuple, tuple[int, int]] = {}

        def member(pointer: tuple, key: str, key_pos: int, at: int) -> int:
            if keys is not None:
                keys[pointer + (key,)] = key_pos
            return walk(at, pointer + (key,))

        def walk(start: int, pointer: tuple) -> int:
            char = self.text[start:start + 1]
            if char == "{":
                end = self.object(start, lambda key, pos, at: member(pointer, key, pos, at))
            elif char == "[":
                end = self.array(start, lambda index, at: walk(at, pointer + (index,)))
            else:
                end = self.skip(start)
            spans[pointer] = (start, end)
            return end

        start = self.ws(0)
        end = self.ws(walk(start, ()))
        if end < len(self.text):
            raise ScanDefect(end, "extra data after the document")
        return spans

    def duplicates(self) -> list[Duplicate]:
        """Every key that repeats a key of the same object, in file order (up to a defect)."""
        text, out = self.text, []

        def walk(start: int) -> int:
            char = text[start:start + 1]
            if char == "{":
                seen: dict[str, int] = {}

                def member(key: str, key_pos: int, at: int) -> int:
                    if key in seen:
                        out.append(Duplicate(key, key_pos, seen[key]))
                    seen[key] = key_pos
                    return walk(at)

                return self.object(start, member)
            if char == "[":
                return self.array(start, lambda _index, at: walk(at))
            return self.skip(start)

        try:
            walk(self.ws(0))
        except (ScanDefect, RecursionError):
            pass
        return out
