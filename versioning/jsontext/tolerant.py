"""The tolerant reading of a JSON file that :func:`json.loads` refused (see :mod:`.load`).

It accepts a UTF-8 byte order mark, Windows-1252 bytes, trailing commas, ``//`` and
``/* */`` comments, raw control characters inside strings and Unicode whitespace (U+00A0,
U+2003...) between tokens, noting each one, and raises
:class:`~versioning.errors.JSONDefectError` at the line and column of anything else: a
merge-conflict marker, an HTML page or a YAML document is named as such. Its patterns and
tables live here so that reading a valid file never compiles or loads them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from connver.errors import JSONDefectError

from .decode import HINT, LineIndex, decode_for_load, line_col
from .common import MAX_DEPTH, SURROGATE_ESCAPE, LoadWarning, duplicate_notes


def read_tolerant(data: bytes, file: str) -> tuple[Any, list[LoadWarning], bool]:
    """The value ``data`` evidently means, a warning for each defect tolerated (in file
    order), and whether the value may hold NaN/Infinity or a lone surrogate (see
    :func:`sanitize`)."""
    text, notes = decode_for_load(data, file)
    parser = _Parser(text, file)
    try:
        value = parser.parse()
    except JSONDefectError as defect:
        raise _not_json(text, file) or defect from None
    notes.extend(parser.notes)
    notes.extend(duplicate_notes(text))
    notes.sort(key=lambda note: note[0])
    lines = LineIndex(text)
    warnings = [LoadWarning(file, *lines.at(pos), message) for pos, message in notes]
    return value, warnings, _suspect(data)


_WINDOW = 1 << 16  # characters the tolerant parser hands the C scanner at a time

_decoder = json.JSONDecoder()
#: The C scanner behind json.loads: parses one value at an index, returns (value, end).
_scan_once = _decoder.scan_once
_scanstring = json.decoder.scanstring

_WS = re.compile(r"[ \t\n\r]*")
_OTHER_SPACE = re.compile(r"[^\S \t\n\r]+")  # whitespace JSON does not allow: U+00A0, U+2003...
_CONTROL = re.compile(r"[\x00-\x1f]")
_WORD = re.compile(r"[A-Za-z0-9_.+\-]{1,20}")

_CLOSER = {"{": "}", "[": "]"}
_NAME = {"{": "object", "[": "array", "}": "object", "]": "array"}
_CONTROL_NAMES = {"\n": "line break", "\r": "carriage return", "\t": "tab"}



_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|[\[\]{}]', re.S)


def too_deep(data: bytes, file: str) -> JSONDefectError:
    """The error at the first container opened deeper than :data:`MAX_DEPTH`."""
    text, _notes = decode_for_load(data, file)
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, column = line_col(text, match.start())
                return JSONDefectError(file, line, column, f"nesting deeper than {MAX_DEPTH} levels",
                                       hint=f"connver reads JSON nested up to {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1
    return JSONDefectError(file, 1, 1, f"nesting deeper than {MAX_DEPTH} levels",
                           hint=f"connver reads JSON nested up to {MAX_DEPTH} levels")



_CONFLICT = re.compile(r"^<{7}(?: |\r?$)", re.M)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.I)
_YAML = re.compile(r"(?:#[^\n]*\n\s*)*(?:---|%YAML|[A-Za-z_$\\'\"][^\n{}\[\]]*?:(?:[ \t]|\r?$))", re.M)


def _not_json(text: str, file: str) -> JSONDefectError | None:
    """The error for a file that is plainly something else than JSON: one holding
    merge-conflict markers, an HTML page, a YAML document. None when it is JSON gone wrong."""
    conflict = _CONFLICT.search(text)
    if conflict:
        return JSONDefectError(file, *line_col(text, conflict.start()),
                               "holds merge-conflict markers ('<<<<<<<'), not JSON",
                               hint="resolve the conflict and run again")
    start = len(text) - len(text.lstrip())
    if text.startswith("<", start) and _HTML.search(text, start, start + 4096):
        return JSONDefectError(file, *line_col(text, start), "is an HTML page, not JSON",
                               hint="save the definition itself, not the web page that shows it")
    if not text.startswith(("{", "[", '"'), start) and _YAML.match(text, start):
        return JSONDefectError(file, *line_col(text, start), "is YAML, not JSON",
                               hint="connector definitions are Swagger 2.0 in JSON: convert the file to JSON")
    return None


#: Bytes that may hide values JSON does not allow: NaN/Infinity literals (and the escaped
#: UTF-16 surrogates of :data:`.common.SURROGATE_ESCAPE`).
_CONSTANT = re.compile(rb"[:\[,]\s*-?(?:NaN|Infinity)")


def _suspect(data: bytes) -> bool:
    """Whether a file the tolerant parser read may hold NaN/Infinity or a lone surrogate
    (the strict path is told by the parser itself). Substring tests first: they run at
    memory speed, a regex over a megabyte does not."""
    if (b"NaN" in data or b"Infinity" in data) and _CONSTANT.search(data):
        return True
    return b"\\u" in data and SURROGATE_ESCAPE.search(data) is not None


def sanitize(value: Any, data: bytes, file: str, warnings: list[LoadWarning]) -> Any:
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
    lines = LineIndex(text)
    if found["constant"]:
        match = re.search(r"(?<=[:\[,])\s*-?(NaN|Infinity)", text)
        where = lines.at(match.start()) if match else (1, 1)
        warnings.append(LoadWarning(file, *where, "NaN or Infinity is not JSON: read as a string"))
    if found["surrogate"]:
        match = re.search(r"\\[uU][dD][89a-fA-F]", text)
        where = lines.at(match.start()) if match else (1, 1)
        warnings.append(LoadWarning(file, *where, "an unpaired UTF-16 surrogate escape: read as U+FFFD"))
    return value


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
        line, column = line_col(self.text, pos)
        for start, end in reversed(self.multiline):
            if line_col(self.text, end)[0] == line:
                at = "line {}, column {}".format(*line_col(self.text, start))
                defect += f" (the string at {at} runs over several lines: is its closing '\"' missing?)"
                break
        return JSONDefectError(self.file, line, column, defect, hint=HINT)

    def opened_at(self, frame: _Frame) -> str:
        line, column = line_col(self.text, frame.pos)
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
                    line, column = line_col(text, i)
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
            line, column = line_col(text, start)
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
                        line, column = line_col(text, end - 1)
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
