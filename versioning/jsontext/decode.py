"""Bytes to text for JSON files, and text positions to lines and columns.

Two readings of the same bytes: :func:`decode_for_load` says what it tolerated (a byte
order mark, UTF-16, Windows-1252 bytes) so the loader can warn; :func:`decode_keeping`
says how to write the file back (encoding, BOM) so the writer changes nothing else.
"""

from __future__ import annotations

import codecs
import re

from connver.errors import JSONDefectError

__all__ = ["HINT", "LineIndex", "decode_for_load", "decode_keeping", "decode_lenient", "line_col"]

HINT = "fix the JSON and run again"
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
#: The byte order marks connver recognises, with the encoding of the text after them.
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Stands for "not UTF-8": each byte is one character, so copied text keeps its bytes.
BYTES = "latin-1"


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in cp1252
        return chr(byte)


_CP1252 = {0xDC00 + b: _cp1252_char(b) for b in range(0x80, 0x100)}


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of index ``pos`` in ``text``; lines end at ``\\n``.

    >>> line_col("ab\\r\\ncd", 5)
    (2, 2)
    >>> line_col("", 0)
    (1, 1)
    """
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


class LineIndex:
    """Line and column for increasing positions in one pass over the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> tuple[int, int]:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line, pos - self.text.rfind("\n", 0, pos)


def decode_for_load(data: bytes, file: str) -> tuple[str, list[tuple[int, str]]]:
    """Text of ``data`` and the encoding defects tolerated, as (index, message).

    >>> decode_for_load(b"\\xef\\xbb\\xbf{}", "f")
    ('{}', [(0, 'UTF-8 byte order mark at the start of the file ignored')])
    >>> decode_for_load(b'"caf\\xe9 \\xc3\\xa9 \\x81"', "f")
    ('"café é \\x81"', [(4, 'not UTF-8: 2 bytes read as Windows-1252, the first is 0xE9')])
    """
    notes: list[tuple[int, str]] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        notes.append((0, "UTF-8 byte order mark at the start of the file ignored"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise JSONDefectError(
                file, 1, 1, "starts with a UTF-16 byte order mark but is not valid UTF-16", hint=HINT
            ) from None
        return text, [(0, "file is UTF-16, not UTF-8; read as UTF-16")]
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")  # each bad byte becomes one U+DC80..U+DCFF
    bad = _ESCAPED_BYTE.findall(text)
    first = _ESCAPED_BYTE.search(text)
    assert first is not None
    byte = ord(first.group()) - 0xDC00
    notes.append((
        first.start(),
        f"not UTF-8: {len(bad)} byte{'s' if len(bad) > 1 else ''} read as Windows-1252, "
        f"the first is 0x{byte:02X}",
    ))
    return _ESCAPED_BYTE.sub(lambda m: _CP1252[ord(m.group())], text), notes


def decode_lenient(data: bytes) -> str | None:
    """The text the loader would read (columns count after a BOM), or None when there is none."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return decode_for_load(data, "")[0]
        except JSONDefectError:
            return None


def decode_keeping(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, whether a BOM was there) of a JSON file's bytes, for writing it back.

    >>> decode_keeping("{}".encode("utf-16")), decode_keeping(b'"caf\\xe9"')
    (('{}', 'utf-16-le', True), ('"caf\xe9"', 'latin-1', False))
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(encoding), encoding, True
            except UnicodeDecodeError:
                return body.decode(BYTES), BYTES, encoding == "utf-8"
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return data.decode(BYTES), BYTES, False
