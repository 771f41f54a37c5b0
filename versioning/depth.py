"""How deep connver walks: as deep as the loader reads, never into a RecursionError.

The loader (:mod:`versioning.jsonload`) refuses JSON nested deeper than
:data:`~versioning.jsonload.MAX_DEPTH` levels, with one ``file:line:column`` error. Every
walker over a loaded document (model, engine, merge, secrets, impact, flows, renderers)
either walks with its own stack or recurses with at most :data:`FRAMES_PER_LEVEL` Python
frames per level of nesting; :func:`make_room` raises the interpreter's recursion limit so
that a document at the loader's limit fits, with room for the caller's own frames.

Since Python 3.11 a Python-to-Python call uses no C stack, so the raised limit costs no
native stack; C-level recursion (comparing or encoding nested values) is bounded by the
loader's limit itself.
"""

from __future__ import annotations

import sys

from .jsontext.load import MAX_DEPTH

#: The most Python frames a recursive walker spends per level of JSON nesting.
FRAMES_PER_LEVEL = 4
#: Frames left for everything around the walk (click, the command, the renderer).
HEADROOM = 1000


def needed_frames() -> int:
    """The recursion limit a document at the loader's limit needs.

    >>> needed_frames() == MAX_DEPTH * FRAMES_PER_LEVEL + HEADROOM
    True
    """
    return MAX_DEPTH * FRAMES_PER_LEVEL + HEADROOM


def make_room() -> None:
    """Raise the recursion limit to :func:`needed_frames` (never lower it)."""
    if sys.getrecursionlimit() < needed_frames():
        sys.setrecursionlimit(needed_frames())


__all__ = ["FRAMES_PER_LEVEL", "HEADROOM", "make_room", "needed_frames"]
