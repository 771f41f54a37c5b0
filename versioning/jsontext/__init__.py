"""JSON text as real connector files hold it: decode, scan, load, locate, write.

- :mod:`.decode`: bytes to text (BOMs, UTF-16, Windows-1252) and positions to lines.
- :mod:`.scan`: the one scanner of positions (members, items, value spans), tolerant of
  comments and stray commas.
- :mod:`.load`: :func:`load_json`, strict first, then (:mod:`.tolerant`, imported only for
  a file :func:`json.loads` refuses) a tolerant parser that warns about each defect it
  repairs and names file:line:column for the ones it cannot (:mod:`.common`: what the two
  readings share).
- :mod:`.locate`: :func:`locate`, JSON pointers to lines and columns.
- :mod:`.write`: the one byte-keeping writer: :func:`dump_like` (a new value in the file's
  own layout, unchanged parts copied byte for byte; a file with comments or trailing commas
  edited in place by :func:`edit_like`, :func:`rewrite_like` saying when neither can be
  done) and :func:`set_info_version` (one string changed in place).

>>> value, warnings = load_json(b'{"info": {"version": "1.0"},}', "x.json")
>>> value, [str(w) for w in warnings], locate(b'{"info": {"version": "1.0"},}', [("info", "version")])
({'info': {'version': '1.0'}}, ["x.json:1:28: trailing comma before '}' ignored"], {('info', 'version'): (1, 11)})
>>> from connver.jsontext import set_info_version  # the writer is imported on first use
>>> set_info_version(b'{"info": {"version": "1.0"},}', "1.1")
b'{"info": {"version": "1.1"},}'
"""

from .load import MAX_DEPTH, LoadWarning, load_json
from .locate import locate

#: The writer's names, read on first use (PEP 562): a command that only reads JSON does not
#: import it. (``locate`` stays eager: importing a submodule sets the package attribute of
#: its name, which would hide a lazily bound function of the same name.)
_LAZY = {name: "write" for name in ("JsonStyle", "Rewrite", "VersionSpan", "detect_style", "dump_like", "dump_styled",
                                    "edit_like", "find_info_version", "rewrite_like", "set_info_version",
                                    "write_info_version")}

__all__ = [
    "MAX_DEPTH", "JsonStyle", "LoadWarning", "Rewrite", "VersionSpan", "detect_style", "dump_like", "dump_styled",
    "edit_like", "find_info_version", "load_json", "locate", "rewrite_like", "set_info_version", "write_info_version",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
