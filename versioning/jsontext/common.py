"""What the strict and the tolerant reading of JSON share (:mod:`.load`, :mod:`.tolerant`):
the nesting limit, the warning type, and the notes for repeated keys."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .decode import LineIndex

#: Deepest nesting the tolerant parser accepts (real definitions stay below 40).
MAX_DEPTH = 500


@dataclass(frozen=True)
class LoadWarning:
    """A defect :func:`load_json` tolerated, at a 1-based line and column.

    >>> str(LoadWarning("a.json", 3, 7, "trailing comma before '}' ignored"))
    "a.json:3:7: trailing comma before '}' ignored"
    """

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def holds_unicode_escape(data: bytes) -> bool:
    r"""Whether the JSON text ``data`` holds a ``\u`` escape (not counting an escaped
    backslash followed by ``u``).

    It jumps from backslash to backslash (``bytes.find`` of one byte runs at memory speed,
    and definitions hold few backslashes: 34 in the largest public one), where a search
    for the two bytes costs about 1 ms per megabyte; past 256 backslashes, it searches the
    rest for the two bytes.

    >>> holds_unicode_escape(b'{"a": "x\\u00e9"}'), holds_unicode_escape(b'{"a": "C:\\\\users"}')
    (True, False)
    >>> holds_unicode_escape(b'"' + b'\\\\n' * 300 + b'\\u00e9"'), holds_unicode_escape(b'"' + b'\\\\n' * 300 + b'"')
    (True, False)
    """
    at = data.find(b"\\")
    for _ in range(256):
        if at < 0:
            return False
        if data[at + 1:at + 2] in (b"u", b"U"):
            return True
        at = data.find(b"\\", at + 2)
    return at >= 0 and (b"\\u" in data[at:] or b"\\U" in data[at:])


#: Escaped UTF-16 surrogates (a lone one cannot be written out again as UTF-8): the strict
#: path looks for them only in a file that holds a ``\\u`` escape at all (:func:`holds_unicode_escape`).
SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def duplicate_notes(text: str) -> list[tuple[int, str]]:
    """A note at each key that repeats one of the same object. The last value is the one
    read, as the platform reads it (JSON.NET's default, DuplicatePropertyNameHandling.Replace)."""
    from .scan import Scanner  # (only a file with a repeated key, or one the strict parser refused, needs it)

    lines = LineIndex(text)
    return [(dup.key_pos, "duplicate key {} in one object (also at line {}, column {}): the last value is read, "
             "as the platform does".format(json.dumps(dup.key), *lines.at(dup.earlier_pos)))
            for dup in Scanner(text).duplicates()]

