"""Read real-world JSON: strict when it can be, tolerant where intent is unambiguous.

:func:`load_json` parses a file with :func:`json.loads` first (valid files pay nothing extra).
Only when that fails does a second, tolerant parser run. It accepts a UTF-8 byte order mark,
Windows-1252 bytes, trailing commas, ``//`` and ``/* */`` comments, raw control characters
inside strings and Unicode whitespace (U+00A0, U+2003...) between tokens, and reports each
one as a :class:`LoadWarning`. Anything else raises
:class:`~versioning.errors.JSONDefectError` naming the line and column of the defect.

:func:`locate` maps JSON pointers (tuples of keys and indexes) to the line and column where
each element starts, so findings can be shown on the right line of a file.

Lines are counted at ``\\n`` (as git, GitHub and :mod:`json` count them, so CRLF files are
fine); columns are 1-based and count characters, after the byte order mark if there is one.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from connver.errors import JSONDefectError

__all__ = ["LoadWarning", "load_json", "locate", "MAX_DEPTH"]

#: Deepest nesting the tolerant parser accepts (real definitions stay below 40).
MAX_DEPTH = 500

_HINT = "fix the JSON and run again"
_WINDOW = 1 << 16  # characters the tolerant parser hands the C scanner at a time

_decoder = json.JSONDecoder()
#: The C scanner behind json.loads: parses one value at an index, returns (value, end).
_scan_once = _decoder.scan_once
_scanstring = json.decoder.scanstring

_WS = re.compile(r"[ \t\n\r]*")
_OTHER_SPACE = re.compile(r"[^\S \t\n\r]+")  # whitespace JSON does not allow: U+00A0, U+2003...
_WS_OR_COMMENTS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)
_CONTROL = re.compile(r"[\x00-\x1f]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_PLAIN_STRING = re.compile(r'"[^"\\]*"')
_LAX_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SKIP_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|//[^\n]*|/\*.*?\*/|[{}\[\]]', re.S)
_WORD = re.compile(r"[A-Za-z0-9_.+\-]{1,20}")

_CLOSER = {"{": "}", "[": "]"}
_NAME = {"{": "object", "[": "array", "}": "object", "]": "array"}
_CONTROL_NAMES = {"\n": "line break", "\r": "carriage return", "\t": "tab"}


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in cp1252
        return chr(byte)


_CP1252 = {0xDC00 + b: _cp1252_char(b) for b in range(0x80, 0x100)}


@dataclass(frozen=True)
class LoadWarning:
    """A defect :func:`load_json` tolerated, at a 1-based line and column.

    >>> str(LoadWarning("a.json", 3, 7, "trailing comma before '}' ignored"))
    "a.json:3:7: trailing comma before '}' ignored"
    """

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def load_json(data: bytes, file: str) -> tuple[Any, list[LoadWarning]]:
    """Parse ``data`` (the bytes of ``file``) into a value and the defects tolerated.

    Valid UTF-8 JSON gives exactly :func:`json.loads`' result and no warnings. Recoverable
    defects give the value the author evidently meant plus one warning each, in file order.
    Anything else raises :class:`JSONDefectError` at the defect's line and column.

    >>> load_json(b'{"a": [1, 2,]}', "x.json")
    ({'a': [1, 2]}, [LoadWarning(file='x.json', line=1, column=12, message="trailing comma before ']' ignored")])
    """
    try:
        value, warnings = json.loads(data.decode("utf-8")), []
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        value = None
        text, notes = _decode(data, file)
        parser = _Parser(text, file)
        value = parser.parse()
        notes.extend(parser.notes)
        notes.sort(key=lambda note: note[0])
        lines = _Lines(text)
        warnings = [LoadWarning(file, *lines.at(pos), message) for pos, message in notes]
    if _deeper_than_limit(value):  # the C scanner goes as deep as the interpreter's stack
        raise _too_deep(data, file)
    if _suspect(data):  # rare: only then walk the value
        value = _sanitize(value, data, file, warnings)
    return value, warnings


def _deeper_than_limit(value: Any) -> bool:
    """True when containers nest deeper than :data:`MAX_DEPTH` (the tolerant parser's limit,
    so both paths accept the same documents and every walker can rely on it). The stack
    holds one iterator per level: memory follows the depth, not the size."""
    if not isinstance(value, (dict, list)):
        return False
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, dict) or isinstance(child, list):
                if len(stack) >= MAX_DEPTH:
                    return True
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()
    return False


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|[\[\]{}]', re.S)


def _too_deep(data: bytes, file: str) -> JSONDefectError:
    """The error at the first container opened deeper than :data:`MAX_DEPTH`."""
    text, _notes = _decode(data, file)
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _line_col(text, match.start())
                return JSONDefectError(file, line, column, f"nesting deeper than {MAX_DEPTH} levels",
                                       hint=f"connver reads JSON nested up to {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1
    return JSONDefectError(file, 1, 1, f"nesting deeper than {MAX_DEPTH} levels",
                           hint=f"connver reads JSON nested up to {MAX_DEPTH} levels")


#: Bytes that may hide values JSON does not allow: NaN/Infinity literals, and escaped
#: UTF-16 surrogates (a lone one cannot be written out again as UTF-8).
_CONSTANT = re.compile(rb"[:\[,]\s*-?(?:NaN|Infinity)")
_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def _suspect(data: bytes) -> bool:
    """Substring tests first: they run at memory speed, a regex over a megabyte does not."""
    if (b"NaN" in data or b"Infinity" in data) and _CONSTANT.search(data):
        return True
    return b"\\u" in data and _SURROGATE.search(data) is not None


def _sanitize(value: Any, data: bytes, file: str, warnings: list[LoadWarning]) -> Any:
    """Replace NaN/Infinity by strings and lone surrogates by U+FFFD, with a warning each."""
    found = {"constant": False, "surrogate": False}

    def fix(node: Any) -> Any:
        if isinstance(node, float) and (node != node or node in (float("inf"), float("-inf"))):
            found["constant"] = True
            return "NaN" if node != node else ("Infinity" if node > 0 else "-Infinity")
        if isinstance(node, str):
            return fix_text(node)
        if isinstance(node, dict):
            return {fix_text(k): fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    def fix_text(text: str) -> str:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            found["surrogate"] = True
            return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    value = fix(value)
    text = data.decode("utf-8", "replace")
    lines = _Lines(text)
    if found["constant"]:
        match = re.search(r"(?<=[:\[,])\s*-?(NaN|Infinity)", text)
        where = lines.at(match.start()) if match else (1, 1)
        warnings.append(LoadWarning(file, *where, "NaN or Infinity is not JSON: read as a string"))
    if found["surrogate"]:
        match = re.search(r"\\[uU][dD][89a-fA-F]", text)
        where = lines.at(match.start()) if match else (1, 1)
        warnings.append(LoadWarning(file, *where, "an unpaired UTF-16 surrogate escape: read as U+FFFD"))
    return value


def locate(data: bytes, pointers: Iterable[tuple]) -> dict[tuple, tuple[int, int]]:
    """Return the 1-based ``(line, column)`` where each pointer's element starts in ``data``.

    A pointer is a tuple of keys: ``str`` for object members, ``int`` for array indexes. An
    object member is placed at its key, an array item (and the root ``()``) at its value.
    Pointers that are not in the document are left out. The same defects as in
    :func:`load_json` are tolerated; on one that is not, the pointers found before it are
    returned. With duplicate keys the last one counts, as in :func:`json.loads`.

    >>> locate(b'{\\r\\n  "a": [10,\\r\\n    20]\\r\\n}', [("a",), ("a", 1), ("b",), ()])
    {(): (1, 1), ('a',): (2, 3), ('a', 1): (3, 5)}
    """
    root = _Trie(())
    for pointer in pointers:
        node = root
        for key in pointer:
            node = node.child(key)
        node.wanted = True
    if not root.wanted and not root.children:
        return {}
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text, _ = _decode(data, "")
        except JSONDefectError:
            return {}
    found = _Locator(text).run(root)
    lines = _Lines(text)
    return {pointer: lines.at(pos) for pointer, pos in sorted(found.items(), key=lambda item: item[1])}


# -- positions -------------------------------------------------------------------------------


def _line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of index ``pos`` in ``text``; lines end at ``\\n``.

    >>> _line_col("ab\\r\\ncd", 5)
    (2, 2)
    >>> _line_col("", 0)
    (1, 1)
    """
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


class _Lines:
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


# -- decoding --------------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> tuple[str, list[tuple[int, str]]]:
    """Text of ``data`` and the encoding defects tolerated, as (index, message).

    >>> _decode(b"\\xef\\xbb\\xbf{}", "f")
    ('{}', [(0, 'UTF-8 byte order mark at the start of the file ignored')])
    >>> _decode(b'"caf\\xe9 \\xc3\\xa9 \\x81"', "f")
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
                file, 1, 1, "starts with a UTF-16 byte order mark but is not valid UTF-16", hint=_HINT
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


# -- the tolerant parser ---------------------------------------------------------------------


class _Frame:
    """An object or array the tolerant parser has opened and not yet closed."""

    __slots__ = ("opener", "pos", "closer", "value", "key")

    def __init__(self, opener: str, pos: int) -> None:
        self.opener = opener
        self.pos = pos
        self.closer = _CLOSER[opener]
        self.value: Any = {} if opener == "{" else []
        self.key: str | None = None

    def add(self, value: Any) -> None:
        if self.opener == "{":
            self.value[self.key] = value
        else:
            self.value.append(value)


def _other_space_message(run: str) -> str:
    """Warning for a run of whitespace characters JSON does not allow.

    >>> _other_space_message("\u2003\u2003")
    '2 non-JSON whitespace characters (U+2003 EM SPACE) ignored'
    >>> _other_space_message("\xa0")
    'non-JSON whitespace character (U+00A0 NO-BREAK SPACE) ignored'
    """
    first = f"U+{ord(run[0]):04X} {unicodedata.name(run[0], 'control character')}"
    if len(run) == 1:
        return f"non-JSON whitespace character ({first}) ignored"
    kinds = first if len(set(run)) == 1 else f"the first {first}"
    return f"{len(run)} non-JSON whitespace characters ({kinds}) ignored"


def _found(text: str, i: int) -> str:
    """How the text at ``i`` is shown in an error message.

    >>> _found('x: True,', 3), _found("{}", 1), _found("a", 1), _found("\\xa0", 0)
    ("'True'", "'}'", 'the end of the file', 'U+00A0')
    """
    if i >= len(text):
        return "the end of the file"
    word = _WORD.match(text, i)
    if word:
        return f"'{word.group()}'"
    char = text[i]
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


class _Parser:
    """Parse one document, delegating every well-formed value to the C scanner.

    Containers the C scanner rejects are walked here, iteratively, so that each defect is
    either tolerated (and noted) or reported with its exact position.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.notes: list[tuple[int, str]] = []
        self.stack: list[_Frame] = []
        self.multiline: list[tuple[int, int]] = []  # strings with raw line breaks: (start, end)
        self.defect = -1  # where the C scanner last failed (a hint: only speed depends on it)

    # errors

    def error(self, pos: int, defect: str) -> JSONDefectError:
        line, column = _line_col(self.text, pos)
        for start, end in reversed(self.multiline):
            if _line_col(self.text, end)[0] == line:
                at = "line {}, column {}".format(*_line_col(self.text, start))
                defect += f" (the string at {at} runs over several lines: is its closing '\"' missing?)"
                break
        return JSONDefectError(self.file, line, column, defect, hint=_HINT)

    def opened_at(self, frame: _Frame) -> str:
        line, column = _line_col(self.text, frame.pos)
        return f"'{frame.opener}' opened at line {line}, column {column}"

    def end_of_file(self) -> JSONDefectError:
        return self.error(
            len(self.text),
            f"file ends before the document is complete (unclosed {self.opened_at(self.stack[-1])})",
        )

    def wrong_closer(self, pos: int) -> JSONDefectError:
        char = self.text[pos]
        frame = self.stack[-1] if self.stack else None
        if frame is not None and any(f.closer == char for f in self.stack):
            return self.error(pos, f"unexpected '{char}': the {self.opened_at(frame)} is not closed")
        return self.error(pos, f"unexpected '{char}': no {_NAME[char]} is open here")

    # lexical pieces

    def ws(self, i: int) -> int:
        """Skip whitespace and comments from ``i``, noting comments and non-JSON whitespace."""
        text = self.text
        i = _WS.match(text, i).end()
        while True:
            other = _OTHER_SPACE.match(text, i)
            if other:
                end = other.end()
                self.notes.append((i, _other_space_message(other.group())))
            elif not text.startswith("/", i):
                return i
            elif text.startswith("//", i):
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                self.notes.append((i, "'//' comment ignored"))
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    line, column = _line_col(text, i)
                    raise self.error(
                        len(text), f"file ends inside the comment opened at line {line}, column {column}"
                    )
                end += 2
                self.notes.append((i, "'/* */' comment ignored"))
            else:
                raise self.error(i, "unexpected '/': comments start with '//' or '/*'")
            i = _WS.match(text, end).end()

    def string(self, i: int) -> tuple[str, int]:
        """The string whose opening quote is at ``i``, and the index after its closing quote."""
        text = self.text
        try:
            return _scanstring(text, i + 1, True)
        except json.JSONDecodeError as strict_error:
            if not _CONTROL.match(text, strict_error.pos):
                raise self.string_error(i, strict_error) from None
        try:
            value, end = _scanstring(text, i + 1, False)
        except json.JSONDecodeError as lax_error:
            raise self.string_error(i, lax_error) from None
        controls = _CONTROL.findall(text, i + 1, end - 1)
        first = _CONTROL.search(text, i + 1, end - 1)
        assert first is not None
        name = _CONTROL_NAMES.get(first.group(), f"control character U+{ord(first.group()):04X}")
        if len(controls) == 1:
            message = f"raw {name} inside a string, read as if escaped"
        else:
            message = f"{len(controls)} raw control characters inside a string (the first a {name}), read as if escaped"
        self.notes.append((first.start(), message))
        if "\n" in controls:
            self.multiline.append((i, end))
        return value, end

    def string_error(self, start: int, error: json.JSONDecodeError) -> JSONDefectError:
        text, pos = self.text, error.pos
        if pos == start:  # the C scanner reports an unterminated string at its opening quote
            line, column = _line_col(text, start)
            return self.error(len(text), f"file ends inside the string that starts at line {line}, column {column}")
        if text.startswith("u", pos) and text.startswith("\\", pos - 1):  # json points at the 'u', not the '\\'
            pos -= 1
        if text.startswith("\\u", pos):
            return self.error(pos, "invalid '\\u' escape in a string (it needs four hex digits)")
        return self.error(pos, f"invalid escape '{text[pos:pos + 2]}' in a string")

    def scan_container(self, i: int) -> tuple[Any, int]:
        """The strict value of the container at ``i`` and its end, or (None, -1).

        A container that parses in a slice of the text parses the same in the whole text, so
        all but the first scan look only at a slice: up to where an enclosing scan failed
        (this container ends before that point or holds the defect), else a window. A
        failure then costs the slice, not the file (JSONDecodeError counts lines from 0).
        """
        text = self.text
        if i < self.defect:
            limit = self.defect
        elif self.defect < 0:
            limit = len(text)
        else:
            limit = i + _WINDOW
        try:
            if limit >= len(text):
                return _scan_once(text, i)
            value, end = _scan_once(text[i:limit], 0)
            return value, i + end
        except json.JSONDecodeError as error:
            self.defect = error.pos + (i if limit < len(text) else 0)
        except (StopIteration, ValueError, RecursionError):  # ValueError: int()'s digit limit
            self.defect = max(self.defect, i + 1)
        return None, -1

    def value(self, i: int) -> tuple[Any, int, bool]:
        """Parse the value at ``i``: (value, end, False), or (None, i + 1, True) for an opened container."""
        text = self.text
        char = text[i:i + 1]
        if char == "":
            raise self.end_of_file()
        if char == '"':
            return (*self.string(i), False)
        if char in "{[":
            value, end = self.scan_container(i)
            if end >= 0:
                return value, end, False
        else:
            try:
                value, end = _scan_once(text, i)
                return value, end, False
            except StopIteration:
                pass
            except ValueError:  # int()'s digit limit
                raise self.error(i, "number with too many digits to read") from None
        if char in "{[":
            if len(self.stack) >= MAX_DEPTH:
                raise self.error(i, f"nesting deeper than {MAX_DEPTH} levels")
            self.stack.append(_Frame(char, i))
            return None, i + 1, True
        if char in "}]":
            if self.stack and char == self.stack[-1].closer:
                raise self.error(i, f"expected a value, found '{char}'")
            raise self.wrong_closer(i)
        if char == "'":
            raise self.error(i, "strings must be in double quotes, not single quotes")
        raise self.error(i, f"expected a value, found {_found(text, i)}")

    def key(self, i: int, frame: _Frame) -> int:
        """Read a member name and its ':' at ``i``; return where its value starts."""
        text = self.text
        char = text[i:i + 1]
        if char != '"':
            if char == "":
                raise self.end_of_file()
            if char == "]":
                raise self.wrong_closer(i)
            if char == "'":
                raise self.error(i, "member names must be in double quotes, not single quotes")
            raise self.error(i, f"expected a member name in double quotes, found {_found(text, i)}")
        frame.key, i = self.string(i)
        i = self.ws(i)
        if not text.startswith(":", i):
            if i >= len(text):
                raise self.end_of_file()
            raise self.error(i, f"missing ':' after the member name, found {_found(text, i)}")
        return self.ws(i + 1)

    # the document

    def parse(self) -> Any:
        text, stack = self.text, self.stack
        i = self.ws(0)
        if i >= len(text):
            raise self.error(i, "file is empty" if not text.strip() else "file holds no JSON value, only comments")
        while True:
            value, i, opened = self.value(i)  # i: where a value starts
            if opened:
                frame = stack[-1]
                i = self.ws(i)
                if not text.startswith(frame.closer, i):
                    if frame.opener == "{":
                        i = self.key(i, frame)
                    continue
                value, i = stack.pop().value, i + 1
            while True:  # a complete value ends at i
                if not stack:
                    end = i
                    i = self.ws(i)
                    if i < len(text):
                        line, column = _line_col(text, end - 1)
                        raise self.error(
                            i, f"extra data after the document, which ends at line {line}, column {column}: "
                            f"{_found(text, i)}",
                        )
                    return value
                frame = stack[-1]
                frame.add(value)
                i = self.ws(i)
                char = text[i:i + 1]
                if char == ",":
                    comma, i = i, self.ws(i + 1)
                    if text.startswith(frame.closer, i):
                        self.notes.append((comma, f"trailing comma before '{frame.closer}' ignored"))
                        value, i = stack.pop().value, i + 1
                        continue
                    if frame.opener == "{":
                        i = self.key(i, frame)
                    break
                if char == frame.closer:
                    value, i = stack.pop().value, i + 1
                    continue
                raise self.after_value_error(i, frame)

    def after_value_error(self, i: int, frame: _Frame) -> JSONDefectError:
        char = self.text[i:i + 1]
        if char == "":
            return self.end_of_file()
        if char in "}]":
            return self.wrong_closer(i)
        if frame.opener == "{":
            if char == '"':
                return self.error(i, "missing ',' between members")
            return self.error(i, f"expected ',' or '}}' after a member, found {_found(self.text, i)}")
        if char in '"{[-0123456789tfnNI':
            return self.error(i, "missing ',' between array items")
        return self.error(i, f"expected ',' or ']' after an array item, found {_found(self.text, i)}")


# -- locating pointers -----------------------------------------------------------------------


class _Trie:
    """The wanted pointers as a tree of keys; ``wanted`` marks a node that is itself a pointer."""

    __slots__ = ("path", "children", "wanted")

    def __init__(self, path: tuple) -> None:
        self.path = path
        self.children: dict[Any, _Trie] = {}
        self.wanted = False

    def child(self, key: Any) -> _Trie:
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = _Trie((*self.path, key))
        return node

    def paths(self) -> Iterable[tuple]:
        yield self.path
        for child in self.children.values():
            yield from child.paths()


class _Stop(Exception):
    """The locator met text it cannot walk past."""


class _Locator:
    """One pass over the text, descending only into subtrees that hold a wanted pointer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[tuple, int] = {}

    def run(self, root: _Trie) -> dict[tuple, int]:
        start = self.ws(0)
        if start >= len(self.text):
            return {}
        if root.wanted:
            self.found[()] = start
        try:
            self.value(start, root)
        except (_Stop, RecursionError):
            pass
        return self.found

    def ws(self, i: int) -> int:
        return _WS_OR_COMMENTS.match(self.text, i).end()

    def value(self, i: int, node: _Trie) -> int:
        char = self.text[i:i + 1]
        if node.children and char == "{":
            return self.object(i, node)
        if node.children and char == "[":
            return self.array(i, node)
        return self.skip(i)

    def object(self, i: int, node: _Trie) -> int:
        text, found, ws, children = self.text, self.found, self.ws, node.children
        seen: set[str] = set()
        i = ws(i + 1)
        if text.startswith("}", i):
            return i + 1
        while True:
            plain = _PLAIN_STRING.match(text, i)
            if plain:
                j = plain.end()
                key = text[i + 1:j - 1]
            elif text.startswith('"', i):
                try:
                    key, j = _scanstring(text, i + 1, False)
                except ValueError:
                    raise _Stop from None
            else:
                raise _Stop
            j = ws(j)
            if not text.startswith(":", j):
                raise _Stop
            j = ws(j + 1)
            child = children.get(key)
            if child is None:
                j = self.skip(j)
            else:
                if key in seen:  # a duplicate key: the last one counts
                    for path in child.paths():
                        found.pop(path, None)
                seen.add(key)
                if child.wanted:
                    found[child.path] = i
                j = self.value(j, child)
            j = ws(j)
            char = text[j:j + 1]
            if char == ",":
                i = ws(j + 1)
                if text.startswith("}", i):
                    return i + 1
            elif char == "}":
                return j + 1
            else:
                raise _Stop

    def array(self, i: int, node: _Trie) -> int:
        text, found, ws, children = self.text, self.found, self.ws, node.children
        i = ws(i + 1)
        if text.startswith("]", i):
            return i + 1
        index = 0
        while True:
            child = children.get(index)
            if child is None:
                j = self.skip(i)
            else:
                if child.wanted:
                    found[child.path] = i
                j = self.value(i, child)
            j = ws(j)
            char = text[j:j + 1]
            if char == ",":
                i = ws(j + 1)
                index += 1
                if text.startswith("]", i):
                    return i + 1
            elif char == "]":
                return j + 1
            else:
                raise _Stop

    def skip(self, i: int) -> int:
        """Index after the value at ``i``: the C scanner when it is strict JSON, else a lax scan."""
        try:
            return _scan_once(self.text, i)[1]
        except (StopIteration, ValueError, RecursionError):
            pass
        text = self.text
        char = text[i:i + 1]
        if char == '"':
            match = _LAX_STRING.match(text, i)
            if match is None:
                raise _Stop
            return match.end()
        if char in "{[":
            depth = 0
            for match in _SKIP_TOKEN.finditer(text, i):
                token = match.group()
                if token in "{[":
                    depth += 1
                elif token in "}]":
                    depth -= 1
                    if depth == 0:
                        return match.end()
            raise _Stop
        word = _WORD.match(text, i)
        if word is None:
            raise _Stop
        return word.end()
