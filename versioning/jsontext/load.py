"""Read real-world JSON: strict when it can be, tolerant where intent is unambiguous.

:func:`load_json` parses a file with :func:`json.loads` first (valid files pay nothing extra,
and import nothing more). Only when that fails does the tolerant parser of
:mod:`.tolerant` run. It accepts a UTF-8 byte order mark, Windows-1252 bytes, trailing
commas, ``//`` and ``/* */`` comments, raw control characters inside strings and Unicode
whitespace (U+00A0, U+2003...) between tokens, and reports each one as a
:class:`LoadWarning`. Anything else raises :class:`~versioning.errors.JSONDefectError`
naming the line and column of the defect.

Lines are counted at ``\\n`` (as git, GitHub and :mod:`json` count them, so CRLF files are
fine); columns are 1-based and count characters, after the byte order mark if there is one.
"""

from __future__ import annotations

import json
from typing import Any

from ..pointers import holds_containers
from .common import MAX_DEPTH, SURROGATE_ESCAPE, LoadWarning, duplicate_notes, holds_unicode_escape
from .decode import LineIndex

__all__ = ["LoadWarning", "load_json", "MAX_DEPTH"]


def load_json(data: bytes, file: str) -> tuple[Any, list[LoadWarning]]:
    """Parse ``data`` (the bytes of ``file``) into a value and the defects tolerated.

    Valid UTF-8 JSON gives exactly :func:`json.loads`' result and no warnings. Recoverable
    defects give the value the author evidently meant plus one warning each, in file order.
    Anything else raises :class:`JSONDefectError` at the defect's line and column.

    >>> load_json(b'{"a": [1, 2,]}', "x.json")
    ({'a': [1, 2]}, [LoadWarning(file='x.json', line=1, column=12, message="trailing comma before ']' ignored")])
    """
    repeated: list[bool] = []
    constants: list[str] = []

    def constant(name: str) -> float:  # NaN, Infinity, -Infinity: not JSON, read as strings below
        constants.append(name)
        return float(name)

    def pairs(items: list[tuple[str, Any]]) -> dict:
        obj = dict(items)  # the last of two equal keys wins, as in json.loads and JSON.NET
        if len(obj) != len(items):
            repeated.append(True)
        return obj

    try:
        text = data.decode("utf-8")
        value, warnings = json.loads(text, object_pairs_hook=pairs, parse_constant=constant), []
        suspect = bool(constants) or (holds_unicode_escape(data) and SURROGATE_ESCAPE.search(data) is not None)
        if repeated:
            warnings = [LoadWarning(file, *lines.at(pos), message)
                        for lines in [LineIndex(text)] for pos, message in duplicate_notes(text)]
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        from .tolerant import read_tolerant  # (only a file json.loads refuses needs it)

        value, warnings, suspect = read_tolerant(data, file)
    if _deeper_than_limit(value):  # the C scanner goes as deep as the interpreter's stack
        from .tolerant import too_deep

        raise too_deep(data, file)
    if suspect:  # rare: only then walk the value
        from .tolerant import sanitize

        value = sanitize(value, data, file, warnings)
    return value, warnings


def _deeper_than_limit(value: Any) -> bool:
    """True when containers nest deeper than :data:`MAX_DEPTH` (the tolerant parser's limit,
    so both paths accept the same documents and every walker can rely on it). The stack
    holds one iterator per level: memory follows the depth, not the size. (Both parsers
    build plain dicts and lists, so ``type() is`` stands for ``isinstance``: it runs once per
    value of every file read.) A dict that holds no container is not looked into (see
    :func:`~versioning.pointers.holds_containers`): about half of a definition's objects.

    >>> _deeper_than_limit([[{"a": 1}]]), _deeper_than_limit({"a": [{"b": {}}] * 3})
    (False, False)
    >>> nested = {}
    >>> for _ in range(MAX_DEPTH):
    ...     nested = {"x": nested}
    >>> _deeper_than_limit(nested["x"]), _deeper_than_limit(nested), _deeper_than_limit([nested["x"]])
    (False, True, True)
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return False
    stack = [iter(value.values() if kind is dict else value)]
    push, pop = stack.append, stack.pop
    while stack:
        for child in stack[-1]:
            kind = type(child)
            if kind is dict or kind is list:
                if len(stack) >= MAX_DEPTH:
                    return True
                if kind is list:
                    push(iter(child))
                    break
                if holds_containers(child):
                    push(iter(child.values()))
                    break
        else:
            pop()
    return False
