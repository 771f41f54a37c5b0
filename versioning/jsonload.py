"""Deprecated home of :func:`load_json` and :func:`locate`: kept for one release.

Import them from :mod:`connver.jsontext` (or ``connver`` itself for ``load_json``).
"""

from .jsontext.load import MAX_DEPTH, LoadWarning, load_json
from .jsontext.locate import locate

__all__ = ["LoadWarning", "load_json", "locate", "MAX_DEPTH"]
