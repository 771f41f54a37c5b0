"""How a schema's declared type reads, compared by meaning: the helpers the type rules of
inputs and outputs share.

* ``type: object`` added to (or dropped from) a schema that has properties changes nothing:
  a schema with properties is an object either way;
* a type change that also changes the format is one change;
* an enum whose values only changed spelling (``[1, 2]`` to ``["1", "2"]``) is part of the
  type change, not "values removed" beside "values added";
* an input that now accepts more (a format dropped, ``int32`` to ``int64``, ``integer`` to
  ``number``, the type dropped) is widened, not broken.
"""

from __future__ import annotations

from typing import Any

from ..rules import show_value

#: Format moves after which every value that fitted before still fits.
_WIDER_FORMATS = {("int32", "int64"), ("float", "double"), ("int32", "double"), ("int32", "float"),
                  ("int64", "double")}


def type_form(field) -> tuple[Any, Any]:
    """(type, format) as declared, ``object`` for a schema that has properties but no type."""
    kind, fmt = field.declared("type"), field.declared("format")
    if kind is None and _has_properties(field):
        kind = "object"
    return kind, fmt


def _has_properties(field) -> bool:
    schema = field.schema
    return isinstance(schema.get("properties"), dict) and bool(schema["properties"]) or (
        isinstance(schema.get("allOf"), list) and bool(field.expand()))


def respelled_enum(old, new) -> bool:
    """Both enums hold the same values once written as text, but not as written (a number
    enum became a string enum, or back)."""
    a, b = old.enum, new.enum
    if a is None or b is None or a == b:
        return False
    text = lambda values: sorted({str(v).lower() if isinstance(v, bool) else str(v) for v in values})  # noqa: E731
    return text(a) == text(b) and sorted(map(repr, a)) != sorted(map(repr, b))


def type_change(old, new) -> dict[str, Any] | None:
    """The one change of declared type/format (and enum spelling) between two nodes, as hit
    fields (``old``, ``new``, ``at``, ``attribute``, ``also``), or None."""
    (t0, f0), (t1, f1) = type_form(old), type_form(new)
    respelled = respelled_enum(old, new)
    also = f"; allowed values {show_value(old.enum)} are now {_quoted(new.enum)}" if respelled else ""
    if t0 != t1 and f0 != f1:
        return dict(old=_both(t0, f0), new=_both(t1, f1), at="/type", attribute="type and format", also=also)
    if t0 != t1:
        return dict(old=t0, new=t1, at="/type", attribute="type", also=also)
    if f0 != f1:
        return dict(old=f0, new=f1, at="/format", attribute="format", also=also)
    if respelled:
        return dict(old=_quoted(old.enum), new=_quoted(new.enum), at="/enum", attribute="type of the allowed values",
                    also="")
    return None


def input_widened(old, new) -> bool:
    """True when every value an input accepted still fits after its type change."""
    (t0, f0), (t1, f1) = type_form(old), type_form(new)
    if respelled_enum(old, new):
        return False
    if t1 is None and f1 is None:
        return True  # nothing declared any more: anything is accepted
    if t0 == t1 or (t0, t1) == ("integer", "number"):
        return f1 is None or f0 == f1 or (f0, f1) in _WIDER_FORMATS
    return False


def _both(kind: Any, fmt: Any) -> str:
    if fmt is None:
        return show_value(kind)
    return f"{show_value(kind)} ({fmt})"


def _quoted(values: list | None) -> str:
    if values is None:
        return show_value(values)
    return ", ".join(f'"{v}"' if isinstance(v, str) else show_value(v) for v in values)
