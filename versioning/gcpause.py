"""Cyclic garbage collection paused while connver builds large acyclic structures.

Parsing a definition allocates tens of thousands of dicts and lists, and a diff as many
model nodes and findings again. Python's cyclic collector runs every few hundred container
allocations, and each full collection walks everything still alive, so while a megabyte of
JSON is being built it walks the growing tree again and again, for nothing: parsed JSON holds
no cycles and reference counting frees it (measured on the largest public pair: about 10 of
the ~140 ms a ``connver diff`` process takes). Over many connectors it is worse, as the
results pile up: before ``audit`` paused it, the collector's share grew with the number of
connectors (27 ms of the run at 43 connectors, 430 ms, an eighth of it, at 387). The same
reasoning, for the same kind of work, as Mercurial's ``util.nogc``.

Only a caller that found the collector enabled turns it back on, so nested and concurrent
uses never leave it disabled: at worst one collection runs during another thread's load.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block (or the decorated function); the collector's
    state is restored afterwards.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
