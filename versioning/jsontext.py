"""Writing JSON the way an existing file was written.

:func:`detect_style` reads a file's encoding, indentation, line endings, BOM, key separator,
trailing newline and whether non-ASCII characters are escaped. :func:`dump_like` writes a new value in
that style and copies the original text of every part that did not change, byte for byte: a
merge that touched three parameters changes three places in the file, not its layout.

The encoding is kept too: UTF-8 (with or without a BOM), UTF-16 with its BOM (little or big
endian), and a file that is not UTF-8 (Windows-1252, say), whose bytes are copied as they
are while new text is written as ``\\u`` escapes, which read the same in any encoding.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any

__all__ = ["JsonStyle", "detect_style", "dump_like", "dump_styled"]

_BOM = b"\xef\xbb\xbf"
#: The byte order marks connver recognises, with the encoding of the text after them.
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Stands for "not UTF-8": each byte is one character, so copied text keeps its bytes.
_BYTES = "latin-1"
_WS = re.compile(r"[ \t\r\n]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


@dataclass(frozen=True)
class JsonStyle:
    """How a JSON file is laid out. ``indent`` None: all on one line.

    ``encoding`` is ``utf-8``, ``utf-16-le``, ``utf-16-be`` or ``latin-1`` (a file that is
    not UTF-8: its bytes are kept and new text is ASCII).
    """

    indent: str | None = "  "
    newline: str = "\n"
    bom: bool = False
    colon: str = ": "
    final_newline: bool = True
    ascii: bool = False
    encoding: str = "utf-8"

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        if not self.bom:
            return data
        return next((bom for bom, name in _BOMS if name == self.encoding), _BOM) + data


def _decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, whether a BOM was there) of a JSON file's bytes.

    >>> _decode("{}".encode("utf-16")), _decode(b'"caf\\xe9"')
    (('{}', 'utf-16-le', True), ('"caf\xe9"', 'latin-1', False))
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(encoding), encoding, True
            except UnicodeDecodeError:
                return body.decode(_BYTES), _BYTES, encoding == "utf-8"
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return data.decode(_BYTES), _BYTES, False


def detect_style(data: bytes) -> JsonStyle:
    """The layout of ``data``.

    >>> detect_style(b'{\\r\\n    "a": 1\\r\\n}').indent, detect_style(b'{\\r\\n    "a": 1\\r\\n}').newline
    ('    ', '\\r\\n')
    """
    text, encoding, bom = _decode(data)
    newline = "\r\n" if "\r\n" in text else "\n"
    indent: str | None = None
    match = re.search(r"[{\[][ \t]*\r?\n([ \t]+)\S", text)
    if match:
        indent = match.group(1)
    elif "\n" in text.strip():
        indent = "  "
    colon_match = re.search(r'"(?:[^"\\\r\n]|\\.)*"([ \t]*):([ \t]*)', text)
    colon = f"{colon_match.group(1)}:{colon_match.group(2)}" if colon_match else ": "
    if indent is None and not colon_match:
        colon = ": "
    has_raw = any(ord(ch) > 127 for ch in text if ch != "\ufeff")
    has_escaped = re.search(r"\\u00[89a-fA-F][0-9a-fA-F]|\\u0[1-9a-fA-F][0-9a-fA-F]{2}|\\u[1-9a-fA-F][0-9a-fA-F]{3}", text)
    return JsonStyle(
        indent=indent,
        newline=newline,
        bom=bom,
        colon=colon,
        final_newline=text.endswith(("\n", "\r")),
        ascii=(bool(has_escaped) and not has_raw) or encoding == _BYTES,
        encoding=encoding,
    )


def dump_styled(value: Any, style: JsonStyle) -> bytes:
    """``value`` written from scratch in ``style``."""
    return _Writer(style, "", {}, None).document(value)


def dump_like(value: Any, original: bytes, original_value: Any) -> bytes:
    """``value`` written in the style of ``original`` (whose parsed value is
    ``original_value``), reusing the original text of every unchanged part.

    When ``original`` is not strict JSON (a file the tolerant reader repaired), nothing can
    be copied and the whole value is written in the detected style.
    """
    style = detect_style(original)
    source = _decode(original)[0]
    try:
        spans = _spans(source)
    except (ValueError, IndexError, RecursionError):
        return dump_styled(value, style)
    return _Writer(style, source, spans, original_value).document(value)


class _Writer:
    def __init__(self, style: JsonStyle, source: str, spans: dict[tuple, tuple[int, int]], original: Any) -> None:
        self.style = style
        self.source = source
        self.spans = spans
        self.original = original

    def document(self, value: Any) -> bytes:
        root = () if self.original is not None else None
        text = self.emit(value, root, 0)
        if self.style.final_newline:
            text += self.style.newline
        return self.style.encode(text)

    def emit(self, value: Any, origin: tuple | None, depth: int) -> str:
        """``origin``: where the counterpart of ``value`` sits in the original (same depth)."""
        if origin is not None and origin in self.spans:
            before = _at(self.original, origin)
            if before is value or _identical(before, value):
                start, end = self.spans[origin]
                return self.source[start:end]
        style = self.style
        if isinstance(value, dict) and value:
            before = _at(self.original, origin) if origin is not None else None
            items = []
            for key, item in value.items():
                child = origin + (key,) if isinstance(before, dict) and key in before else None
                items.append(self._key(key) + style.colon + self.emit(item, child, depth + 1))
            return self._container("{", "}", items, depth)
        if isinstance(value, list) and value:
            before = _at(self.original, origin) if origin is not None else None
            counterparts = _counterparts(before, value) if isinstance(before, list) else [None] * len(value)
            items = [self.emit(item, None if index is None else origin + (index,), depth + 1)
                     for item, index in zip(value, counterparts)]
            return self._container("[", "]", items, depth)
        return json.dumps(value, ensure_ascii=style.ascii)

    def _key(self, key: str) -> str:
        return json.dumps(key, ensure_ascii=self.style.ascii)

    def _container(self, open_: str, close: str, items: list[str], depth: int) -> str:
        style = self.style
        if style.indent is None:
            separator = ", " if style.colon.endswith(" ") else ","
            return open_ + separator.join(items) + close
        inner = style.newline + style.indent * (depth + 1)
        return open_ + inner + ("," + inner).join(items) + style.newline + style.indent * depth + close


def _identical(a: Any, b: Any) -> bool:
    """Same value, same types and same key order (so the original text is still right)."""
    if a is b:
        return True
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_identical(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _counterparts(before: list, after: list) -> list[int | None]:
    """For each element of ``after``, the index of the original element it continues."""
    by_identity = {id(x): i for i, x in enumerate(before)}
    keyed: dict[Any, int] = {}
    for i, x in enumerate(before):
        key = _element_key(x)
        if key is not None:
            keyed.setdefault(key, i)
    used: set[int] = set()
    out: list[int | None] = []
    for position, x in enumerate(after):
        index = by_identity.get(id(x))
        if index is None or index in used:
            key = _element_key(x)
            index = keyed.get(key) if key is not None else None
        if (index is None or index in used) and position < len(before) and position not in used \
                and type(before[position]) is type(x):
            index = position
        if index is not None and index in used:
            index = None
        if index is not None:
            used.add(index)
        out.append(index)
    return out


def _element_key(x: Any) -> Any:
    if isinstance(x, dict):
        for names in (("$ref",), ("in", "name"), ("name",), ("templateId", "title"), ("id",)):
            if all(isinstance(x.get(n), str) for n in names):
                return names + tuple(x[n] for n in names)
        return None
    if x is None or isinstance(x, (str, int, float, bool)):
        return ("scalar", type(x).__name__, x)
    return None


def _at(doc: Any, pointer: tuple) -> Any:
    node = doc
    for key in pointer:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _spans(text: str) -> dict[tuple, tuple[int, int]]:
    """Start and end offset of every value in strict JSON ``text``, by pointer."""
    spans: dict[tuple, tuple[int, int]] = {}

    def value(i: int, pointer: tuple) -> int:
        i = _WS.match(text, i).end()
        start = i
        ch = text[i]
        if ch == "{":
            i = _WS.match(text, i + 1).end()
            if text[i] == "}":
                i += 1
            else:
                while True:
                    if text[i] != '"':
                        raise ValueError(f"expected a key at {i}")
                    key, i = scanstring(text, i + 1)
                    i = _WS.match(text, i).end()
                    if text[i] != ":":
                        raise ValueError(f"expected ':' at {i}")
                    i = _WS.match(text, value(i + 1, pointer + (key,))).end()
                    if text[i] == ",":
                        i = _WS.match(text, i + 1).end()
                        continue
                    if text[i] != "}":
                        raise ValueError(f"expected '}}' at {i}")
                    i += 1
                    break
        elif ch == "[":
            i = _WS.match(text, i + 1).end()
            if text[i] == "]":
                i += 1
            else:
                index = 0
                while True:
                    i = _WS.match(text, value(i, pointer + (index,))).end()
                    index += 1
                    if text[i] == ",":
                        i += 1
                        continue
                    if text[i] != "]":
                        raise ValueError(f"expected ']' at {i}")
                    i += 1
                    break
        elif ch == '"':
            _, i = scanstring(text, i + 1)
        else:
            match = _SCALAR.match(text, i)
            if not match:
                raise ValueError(f"unexpected {ch!r} at {i}")
            i = match.end()
        spans[pointer] = (start, i)
        return i

    end = value(0, ())
    if text[_WS.match(text, end).end():].strip():
        raise ValueError("extra data after the document")
    return spans
