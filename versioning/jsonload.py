"""JSON loading (strict only for now; the tolerant reader replaces this module)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import JSONDefectError


@dataclass(frozen=True)
class LoadWarning:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def load_json(data: bytes, file: str) -> tuple[Any, list[LoadWarning]]:
    try:
        return json.loads(data.decode("utf-8-sig")), []
    except json.JSONDecodeError as exc:
        raise JSONDefectError(file, exc.lineno, exc.colno, exc.msg) from None
    except UnicodeDecodeError as exc:
        raise JSONDefectError(file, 1, exc.start + 1, "not UTF-8") from None
