"""How much connver reads: one size limit per connector file, wherever the file comes from.

A folder on disk, a blob read from git (``REV:PATH``, ``audit``, ``import``, the store) and a
zip member all go through :func:`check_size`, so the same ``CONNVER_MAX_FILE_SIZE`` gives the
same one-line refusal (exit 2) before the bytes are read.
"""

from __future__ import annotations

import os

from .errors import InputError

#: The largest connector file read (bytes): ``CONNVER_MAX_FILE_SIZE`` (a number of bytes, or
#: with a ``K``, ``M`` or ``G`` suffix) changes it. Loading and diffing a definition peaks at
#: about 10 times its size (``benchmarks/memory.py``); 100 MB is 20 times the largest public
#: definition.
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024

HINT = "raise it with CONNVER_MAX_FILE_SIZE (for example 500M) if the file is right"


def max_file_size() -> int:
    """The size limit per connector file (see :data:`DEFAULT_MAX_FILE_SIZE`)."""
    text = os.environ.get("CONNVER_MAX_FILE_SIZE", "").strip().upper()
    if not text:
        return DEFAULT_MAX_FILE_SIZE
    factor = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(text[-1:], 1)
    try:
        value = int(text[:-1] if factor != 1 else text) * factor
    except ValueError:
        raise InputError(f"CONNVER_MAX_FILE_SIZE={text!r} is not a size",
                         hint="give a number of bytes, for example 200M") from None
    if value <= 0:
        raise InputError(f"CONNVER_MAX_FILE_SIZE={text!r} is not a size", hint="give a positive size, like 200M")
    return value


def too_large(label: str, size: int | None, limit: int) -> InputError:
    """The one-line refusal of ``label`` (``size`` bytes, None when unknown)."""
    told = f"{size:,} bytes, more" if size is not None else "more"
    return InputError(f"{label}: {told} than the limit of {limit:,} bytes per connector file", hint=HINT)


def check_size(label: str, size: int) -> None:
    """Refuse a connector file of ``size`` bytes above :func:`max_file_size`."""
    limit = max_file_size()
    if size > limit:
        raise too_large(label, size, limit)


__all__ = ["DEFAULT_MAX_FILE_SIZE", "check_size", "max_file_size", "too_large"]
