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


#: Escaped UTF-16 surrogates (a lone one cannot be written out again as UTF-8): the strict
#: path looks for them only in a file that holds a ``\\u`` escape at all.
SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def duplicate_notes(text: str) -> list[tuple[int, str]]:
    """A note at each key that repeats one of the same object. The last value is the one
    read, as the platform reads it (JSON.NET's default, DuplicatePropertyNameHandling.Replace)."""
    from .scan import Scanner  # (only a file with a repeated key, or one the strict parser refused, needs it)

    lines = LineIndex(text)
    return [(dup.key_pos, "duplicate key {} in one object (also at line {}, column {}): the last value is read, "
             "as the platform does".format(json.dumps(dup.key), *lines.at(dup.earlier_pos)))
            for dup in Scanner(text).duplicates()]

