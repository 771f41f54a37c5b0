"""Golden-file comparison. Regenerate with ``CONNVER_REGEN_GOLDEN=1 pytest``, then review
the change with ``git diff tests/golden``."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CONNVER_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden file {path}; run with CONNVER_REGEN_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (CONNVER_REGEN_GOLDEN=1 to accept, then review git diff)"
