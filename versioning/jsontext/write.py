"""Writing JSON the way an existing file was written.

:func:`detect_style` reads a file's encoding, indentation, line endings, BOM, key separator,
trailing newline and whether non-ASCII characters are escaped. :func:`dump_like` writes a new value in
that style and copies the original text of every part that did not change, byte for byte: a
merge that touched three parameters changes three places in the file, not its layout.

A file that is not strict JSON (``//`` and ``/* */`` comments, trailing commas: files makers
edit by hand) cannot be copied from that way; :func:`edit_like` edits its text instead: only
the members and array elements that changed are rewritten, removed or inserted, and every
comment, trailing comma and odd space outside them stays. :func:`rewrite_like` picks the
writer and says when neither could keep the file's text (it is then written normalised).

The encoding is kept too: UTF-8 (with or without a BOM), UTF-16 with its BOM (little or big
endian), and a file that is not UTF-8 (Windows-1252, say), whose bytes are copied as they
are while new text is written as ``\\u`` escapes, which read the same in any encoding.

:func:`set_info_version` is the smallest such write: only the bytes between the quotes of the
top-level ``info`` object's ``version`` string change. It refuses, with one line naming
file:line:column, when the edit would not be safe: ``info`` or ``info.version`` missing,
duplicated or of the wrong type, a UTF-16/32 file, a structure the scanner cannot follow, or
a result that does not load back to the same document with only the version changed. A
missing ``info.version`` is not inserted: Swagger 2.0 requires it, so the file is already
invalid and adding one line by hand is the honest fix.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from connver.errors import InputError, JSONDefectError

from ..pointers import value_at
from .decode import BOMS, BYTES, decode_keeping, line_col
from .scan import ScanDefect, Scanner

__all__ = [
    "JsonStyle", "Rewrite", "VersionSpan", "detect_style", "dump_like", "dump_styled", "edit_like",
    "find_info_version", "rewrite_like", "set_info_version", "write_info_version",
]

_BOM = codecs.BOM_UTF8
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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
        return next((bom for bom, name in BOMS if name == self.encoding), _BOM) + data


def detect_style(data: bytes) -> JsonStyle:
    """The layout of ``data``.

    >>> detect_style(b'{\\r\\n    "a": 1\\r\\n}').indent, detect_style(b'{\\r\\n    "a": 1\\r\\n}').newline
    ('    ', '\\r\\n')
    """
    text, encoding, bom = decode_keeping(data)
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
        ascii=(bool(has_escaped) and not has_raw) or encoding == BYTES,
        encoding=encoding,
    )


def dump_styled(value: Any, style: JsonStyle) -> bytes:
    """``value`` written from scratch in ``style``."""
    return _Writer(style, "", {}, None).document(value)


def dump_like(value: Any, original: bytes, original_value: Any) -> bytes:
    """``value`` written in the style of ``original`` (whose parsed value is
    ``original_value``), reusing the original text of every unchanged part.

    When ``original`` is not strict JSON (a file the tolerant reader repaired), its text is
    edited (:func:`edit_like`), so its comments and trailing commas stay; when even that
    cannot be done, the whole value is written in the detected style. :func:`rewrite_like`
    says which happened.

    >>> dump_like({"a": 2, "b": 3}, b'{\\n  "a": 1, // one\\n}\\n', {"a": 1})
    b'{\\n  "a": 2, // one\\n  "b": 3,\\n}\\n'
    """
    return rewrite_like(value, original, original_value).data


@dataclass(frozen=True)
class Rewrite:
    """A new value written over an existing file: its bytes, and ``normalised``: empty when
    the file's own text was kept (copied or edited), else why it was written anew in its
    detected style, losing its comments and trailing commas."""

    data: bytes
    normalised: str = ""


def rewrite_like(value: Any, original: bytes, original_value: Any) -> Rewrite:
    """:func:`dump_like`, saying whether the file's text could be kept.

    >>> rewrite_like({"a": 2}, b'{"a": 1, /* one */}', {"a": 1})
    Rewrite(data=b'{"a": 2, /* one */}', normalised='')
    >>> rewrite_like({"a": 2}, b'{"a": 1, "a": 1, /* one */}', {"a": 1}).normalised
    "1:10: 'a' appears twice in one object"
    """
    style = detect_style(original)
    source = decode_keeping(original)[0]
    try:
        spans = _spans(source)
    except (ValueError, IndexError, RecursionError):
        pass
    else:
        return Rewrite(_Writer(style, source, spans, original_value).document(value))
    try:
        return Rewrite(_edit(value, original_value, style, source))
    except _CannotEdit as exc:
        return Rewrite(dump_styled(value, style), str(exc))


def edit_like(value: Any, original: bytes, original_value: Any) -> bytes:
    """``value`` as an edit of ``original``'s text (whose parsed value is ``original_value``):
    the members and array elements that changed are rewritten, removed or inserted, in the
    file's indentation; everything else (comments, trailing commas, odd whitespace, keys as
    spelled, line endings, BOM) stays byte for byte. A removed member takes its own comments
    with it: the lines just above it and the rest of its last line.

    Raises ValueError, saying why, when the text cannot be followed (a structure the
    scanner cannot walk, a key given twice) or the edit would not read back as ``value``.

    >>> edit_like({"b": 2}, b'{\\n  // a\\n  "a": 1, // one\\n  "b": 2, // two\\n}', {"a": 1, "b": 2})
    b'{\\n  "b": 2, // two\\n}'
    """
    return _edit(value, original_value, detect_style(original), decode_keeping(original)[0])


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
        kept, _ = self.kept(value, origin)
        return kept if kept is not None else self.emit_new(value, origin, depth)

    def kept(self, value: Any, origin: tuple | None) -> tuple[str | None, Any]:
        """(the original text of ``origin`` when ``value`` equals what it held, else None;
        what it held, or None where the original has no such place)."""
        if origin is None or origin not in self.spans:
            return None, None
        before = value_at(self.original, origin)
        if before is value or _identical(before, value):
            start, end = self.spans[origin]
            return self.source[start:end], before
        return None, before

    def emit_new(self, value: Any, origin: tuple | None, depth: int) -> str:
        """``value`` written out in the file's style (its parts still kept where unchanged)."""
        style = self.style
        if isinstance(value, dict) and value:
            before = value_at(self.original, origin) if origin is not None else None
            items = []
            for key, item in value.items():
                child = origin + (key,) if isinstance(before, dict) and key in before else None
                items.append(self._key(key) + style.colon + self.emit(item, child, depth + 1))
            return self._container("{", "}", items, depth)
        if isinstance(value, list) and value:
            before = value_at(self.original, origin) if origin is not None else None
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


class _CannotEdit(ValueError):
    """The text cannot be edited safely (the message says why)."""


#: Spaces and comments that end a member's line: what a removed member takes with it.
_SAME_LINE = re.compile(r"(?:[ \t]+|//[^\r\n]*|/\*.*?\*/)*", re.S)


def _edit(value: Any, original_value: Any, style: JsonStyle, source: str) -> bytes:
    scanner = Scanner(source)
    keys: dict[tuple, int] = {}
    try:
        spans = scanner.spans(keys)
        duplicates = Scanner(source).duplicates()
    except ScanDefect as defect:
        line, column = line_col(source, defect.pos)
        raise _CannotEdit(f"{line}:{column}: {defect.message}") from None
    except RecursionError:
        raise _CannotEdit("nested too deeply to follow") from None
    if duplicates:
        line, column = line_col(source, duplicates[0].key_pos)
        raise _CannotEdit(f"{line}:{column}: {duplicates[0].key!r} appears twice in one object")
    start, end = spans[()]
    try:
        body = _Editor(style, source, spans, original_value, keys, scanner).emit(value, (), 0)
    except ScanDefect as defect:  # pragma: no cover - spans() walked the same text
        line, column = line_col(source, defect.pos)
        raise _CannotEdit(f"{line}:{column}: {defect.message}") from None
    except RecursionError:
        raise _CannotEdit("nested too deeply to follow") from None
    data = style.encode(source[:start] + body + source[end:])
    _check_edit(data, value)
    return data


def _check_edit(data: bytes, value: Any) -> None:
    """The edited text must read back as exactly ``value`` (types and key order too)."""
    from .load import load_json

    try:
        back, _warnings = load_json(data, "edited")
    except (InputError, JSONDefectError, ValueError) as exc:
        raise _CannotEdit(f"the edited text would not read back: {exc}") from None
    if not _identical(back, value):
        raise _CannotEdit("the edited text would not read back as the new value")


class _Editor(_Writer):
    """Writes a changed container by editing its original text: each member (or element)
    is a unit of text, from the line after the previous one's last line (the comments
    just above it) to the end of its own last line (its comma and the comment after it).
    Kept units keep their text; a changed one is written again in place; a removed one goes
    with its comments; a new one gets the indentation of its neighbours."""

    def __init__(self, style: JsonStyle, source: str, spans: dict[tuple, tuple[int, int]], original: Any,
                 keys: dict[tuple, int], scanner: Scanner) -> None:
        super().__init__(style, source, spans, original)
        self.keys = keys
        self.scanner = scanner

    def emit(self, value: Any, origin: tuple | None, depth: int) -> str:
        kept, before = self.kept(value, origin)
        if kept is not None:
            return kept
        if origin is not None and origin in self.spans:
            if isinstance(value, dict) and value and isinstance(before, dict) and before:
                return self._edit_object(origin, before, value, depth)
            if isinstance(value, list) and value and isinstance(before, list) and before:
                return self._edit_array(origin, before, value, depth)
            if value and type(before) is type(value) and not before and isinstance(value, (dict, list)):
                start, end = self.spans[origin]
                if self.source[start + 1:end - 1].strip():  # an empty container holding a comment
                    return self._fill(origin, value, depth)
        return self.emit_new(value, origin, depth)

    def _fill(self, origin: tuple, value: dict | list, depth: int) -> str:
        """The empty container at ``origin``, its comments kept, holding ``value``'s members."""
        src, style = self.source, self.style
        start, end = self.spans[origin]
        close = end - 1
        line_start = src.rfind("\n", start, close) + 1
        items = list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
        if not line_start or src[line_start:close].strip(" \t") or style.indent is None:
            inner = ", ".join((self._key(key) + style.colon if key is not None else "") + self.emit(item, None, depth + 1)
                              for key, item in items)
            return src[start:close].rstrip(" \t") + " " + inner + " " + src[close:end]
        indent = src[line_start:close] + style.indent
        child = len(indent) // len(style.indent)
        inner = ("," + style.newline).join(
            indent + (self._key(key) + style.colon if key is not None else "") + self.emit(item, None, child)
            for key, item in items)
        return src[start:line_start] + inner + style.newline + src[line_start:end]

    def _edit_object(self, origin: tuple, before: dict, value: dict, depth: int) -> str:
        heads = []
        for key in before:
            pointer = origin + (key,)
            if pointer not in self.keys or pointer not in self.spans:
                raise _CannotEdit(f"lost track of {key!r} in the text")
            heads.append((self.keys[pointer], *self.spans[pointer]))
        order = sorted(range(len(heads)), key=lambda n: heads[n][0])
        if order != list(range(len(heads))):
            raise _CannotEdit("the members are not in the order they were read in")
        names = list(before)
        index = {key: n for n, key in enumerate(names)}
        entries: list[tuple[int | None, Callable[[int], str]]] = []
        for key, item in value.items():
            n = index.get(key)
            if n is not None:
                entries.append((n, lambda d, n=n, key=key, item=item:
                                self.source[heads[n][0]:heads[n][1]] + self.emit(item, origin + (key,), d)))
            else:
                entries.append((None, lambda d, key=key, item=item:
                                self._key(key) + self.style.colon + self.emit(item, None, d)))
        return self._rebuild(origin, heads, entries, depth)

    def _edit_array(self, origin: tuple, before: list, value: list, depth: int) -> str:
        heads = []
        for n in range(len(before)):
            if origin + (n,) not in self.spans:
                raise _CannotEdit("lost track of an array element in the text")
            start, end = self.spans[origin + (n,)]
            heads.append((start, start, end))
        entries: list[tuple[int | None, Callable[[int], str]]] = []
        for item, n in zip(value, _counterparts(before, value)):
            pointer = None if n is None else origin + (n,)
            entries.append((n, lambda d, item=item, pointer=pointer: self.emit(item, pointer, d)))
        return self._rebuild(origin, heads, entries, depth)

    def _rebuild(self, origin: tuple, heads: list[tuple[int, int, int]],
                 entries: list[tuple[int | None, Callable[[int], str]]], depth: int) -> str:
        """The container at ``origin`` from its units. ``heads``: each original member's
        (start of its key or value, start of its value, end of its value); ``entries``: the
        new members in order, each (the original it continues or None, its text at a depth)."""
        src, style = self.source, self.style
        start, end = self.spans[origin]
        close = end - 1
        cuts = [self._line_cut(start + 1)]
        commas: list[int | None] = []
        for _head, _value, value_end in heads:
            j = self.scanner.ws(value_end)
            comma = j if j < close and src.startswith(",", j) else None
            commas.append(comma)
            cuts.append(self._line_cut(comma + 1 if comma is not None else value_end))
        gaps = [src[start + 1:heads[0][0]], src[heads[-1][2]:close]]
        gaps += [src[heads[n][2]:heads[n + 1][0]] for n in range(len(heads) - 1)]
        multiline = style.indent is not None and any("\n" in gap for gap in gaps)
        trailing = commas[-1] is not None
        indent = self._indent_before(heads[0][0])
        if indent is None:
            indent = (style.indent or "") * (depth + 1)
        new_depth = len(indent) // len(style.indent) if style.indent else depth + 1
        space = " " if style.colon.endswith(" ") else ""

        out = [src[start:cuts[0]]]
        previous = -1  # the original member the text so far ends with (-1: the opening)
        for position, (n, text) in enumerate(entries):
            last = position == len(entries) - 1
            if n is not None:
                head, _value, value_end = heads[n]
                own = self._indent_before(head)
                leader = src[cuts[n]:head]
                body = text(len(own) // len(style.indent) if own is not None and style.indent else new_depth)
                sep = src[value_end:cuts[n + 1]]
                comma = None if commas[n] is None else commas[n] - value_end
            else:
                body = text(new_depth)
                if multiline:
                    leader, sep, comma = indent, "," + style.newline, 0
                else:
                    leader = space if out[-1].endswith(",") else ""
                    sep, comma = ("," + space, 0) if not last else ("," if trailing else "", 0 if trailing else None)
            moved = n is None or n != previous + 1
            if multiline and moved and not out[-1].endswith("\n"):
                leader = style.newline + (leader or indent)
            previous = n if n is not None else -2
            want = trailing if last else True
            if comma is None and want:
                sep = ("," + space if not multiline and not sep else ",") + sep
            elif comma is not None and not want:
                sep = sep[:comma] + sep[comma + 1:]
                if not multiline:
                    sep = sep.rstrip(" \t")
            out += [leader, body, sep]
        tail = src[cuts[-1]:end]
        if multiline and out[-1].endswith("\n") and cuts[-1] == close:
            tail = (self._indent_before(start, line=True) or "") + tail
        out.append(tail)
        return "".join(out)

    def _line_cut(self, i: int) -> int:
        """Past the spaces and comments ending the line at ``i``, and its line break."""
        j = _SAME_LINE.match(self.source, i).end()
        if self.source.startswith("\r\n", j):
            return j + 2
        if self.source.startswith("\n", j):
            return j + 1
        return j

    def _indent_before(self, pos: int, *, line: bool = False) -> str | None:
        """The spaces before ``pos`` on its line when nothing else is (with ``line``: the
        spaces starting that line, whatever follows them)."""
        line_start = self.source.rfind("\n", 0, pos) + 1
        lead = self.source[line_start:pos]
        if line:
            return lead[:len(lead) - len(lead.lstrip(" \t"))]
        return lead if lead.strip(" \t") == "" else None


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


def _spans(text: str) -> dict[tuple, tuple[int, int]]:
    """Start and end offset of every value in strict JSON ``text``, by pointer; ValueError
    when ``text`` is not strict JSON (then nothing of it is copied)."""
    json.loads(text, parse_constant=_no_constant)
    try:
        return Scanner(text).spans()
    except ScanDefect as defect:
        raise ValueError(defect.message) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# -- one string in place: info.version ------------------------------------------------


@dataclass(frozen=True)
class VersionSpan:
    """Where the ``info.version`` string's characters sit: ``data[start:end]`` (bytes,
    without the quotes), and the value it holds."""

    start: int
    end: int
    value: str


def _decode_string(quoted: str) -> str:
    try:
        return json.loads(quoted, strict=False)
    except ValueError:
        return quoted[1:-1]


def _decode_for_edit(data: bytes) -> tuple[str, int, str]:
    """Text, the BOM's length, and the codec whose character offsets map back to bytes."""
    if data.startswith(_WIDE_BOMS) or b"\x00" in data[:4]:
        raise ScanDefect(0, "UTF-16/32 files are not edited")
    bom = len(_BOM) if data.startswith(_BOM) else 0
    body = data[bom:]
    try:
        return body.decode("utf-8"), bom, "utf-8"
    except UnicodeDecodeError:
        # cp1252 / latin-1 files: every byte is one character, so offsets are byte offsets.
        return body.decode("latin-1"), bom, "latin-1"


def find_info_version(data: bytes, file: str = "apiDefinition.swagger.json") -> VersionSpan:
    """Locate the top-level ``info.version`` string in ``data``, or refuse with InputError.

    >>> raw = b'{"info": {"title": "x", "version": "1.0"}, "x": {"version": "9"}}'
    >>> span = find_info_version(raw)
    >>> raw[span.start:span.end], span.value
    (b'1.0', '1.0')
    """
    try:
        text, bom, codec = _decode_for_edit(data)
    except ScanDefect as exc:
        raise InputError(f"{file}: cannot edit info.version: {exc.message}") from None
    scanner = Scanner(text)

    def refuse(index: int, message: str) -> InputError:
        line, column = line_col(text, index)
        return InputError(f"{file}:{line}:{column}: cannot edit info.version safely: {message}")

    try:
        start = scanner.ws(0)
        if start >= len(text) or text[start] != "{":
            raise refuse(start, "the file does not start with a JSON object")
        top, _ = scanner.members(start)
        infos = [m for m in top if m.key == "info"]
        if not infos:
            raise refuse(start, "there is no top-level info object")
        if len(infos) > 1:
            raise refuse(infos[1].key_pos, "info appears more than once")
        info = infos[0]
        if info.kind != "object":
            raise refuse(info.start, "info is not an object")
        members, _ = scanner.members(info.start)
        versions = [m for m in members if m.key == "version"]
        if not versions:
            raise refuse(info.start, 'info has no version member; add one (e.g. "version": "1.0") by hand')
        if len(versions) > 1:
            raise refuse(versions[1].key_pos, "info.version appears more than once")
        version = versions[0]
        if version.kind != "string":
            shown = text[version.start:version.end][:40]
            raise refuse(version.start, f"info.version is {shown}, not a string")
    except ScanDefect as exc:
        raise refuse(exc.pos, exc.message) from None

    first, last = version.start + 1, version.end - 1  # inside the quotes
    if codec == "latin-1":
        byte_start, byte_end = bom + first, bom + last
        value = data[byte_start:byte_end].decode("cp1252", errors="replace")
    else:
        byte_start = bom + len(text[:first].encode("utf-8"))
        byte_end = byte_start + len(text[first:last].encode("utf-8"))
        value = text[first:last]
    return VersionSpan(byte_start, byte_end, _decode_string(f'"{value}"'))


def set_info_version(data: bytes, version: str, file: str = "apiDefinition.swagger.json") -> bytes:
    """``data`` with its ``info.version`` string replaced by ``version``; nothing else changes.

    >>> set_info_version(b'{\\r\\n  "info": {"version": "v1.0"}\\r\\n}\\r\\n', "v1.1")
    b'{\\r\\n  "info": {"version": "v1.1"}\\r\\n}\\r\\n'
    """
    span = find_info_version(data, file)
    encoded = json.dumps(version)[1:-1].encode("ascii")  # escapes quotes; ASCII is safe anywhere
    result = data[:span.start] + encoded + data[span.end:]
    _verify(data, result, version, file)
    return result


def _verify(before: bytes, after: bytes, version: str, file: str) -> None:
    """The edited file must load to the same document with only info.version changed."""
    old_doc = _load(before, file)
    new_doc = _load(after, file)
    expected = dict(old_doc)
    expected["info"] = dict(old_doc["info"], version=version)
    if new_doc != expected:
        raise InputError(f"{file}: cannot edit info.version safely: the edit would change more than the version")


def _load(data: bytes, file: str) -> dict:
    from .load import load_json  # the tolerant reader the loader uses

    try:
        doc, _warnings = load_json(data, file)
    except JSONDefectError as exc:
        raise InputError(
            f"{exc.file}:{exc.line}:{exc.column}: cannot edit info.version safely: "
            f"the file is not recoverable JSON: {exc.defect}") from None
    except InputError as exc:
        raise InputError(f"{file}: cannot edit info.version safely: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("info"), dict):
        raise InputError(f"{file}: cannot edit info.version safely: it does not load as an object with info")
    return doc


def write_info_version(path: str | os.PathLike, version: str) -> tuple[str, str]:
    """Rewrite ``path``'s ``info.version`` in place (atomically); returns (old, new) values.

    A symbolic link is followed: its target gets the new version and the link stays. A
    file with several hard links, a read-only file and anything but a regular file are
    refused before anything is written; see :mod:`connver.safefile`.
    """
    from connver.safefile import FileSet, check_target, os_error

    target = check_target(path)
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise os_error(path, exc, "read") from None
    old = find_info_version(data, str(path)).value
    result = set_info_version(data, version, str(path))
    files = FileSet()
    files.write(target, result, label=path)
    files.commit()
    return old, version
