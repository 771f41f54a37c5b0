"""Write a new ``info.version`` into a swagger file with a minimal text edit.

Only the bytes between the quotes of the top-level ``info`` object's ``version`` string
change; key order, indentation, line endings, a BOM, the trailing newline, and any bytes
in other encodings stay exactly as they were. The file is scanned as text (strings and
escapes respected, ``//`` and ``/* */`` comments, trailing or missing commas and odd
whitespace tolerated), never re-serialised.

It refuses, with one line naming file:line:column, when the edit would not be safe:
``info`` or ``info.version`` missing, duplicated or of the wrong type, a UTF-16/32 file,
a structure the scanner cannot follow, or a result that does not load back to the same
document with only the version changed. A missing ``info.version`` is not inserted:
Swagger 2.0 requires it, so the file is already invalid and adding one line by hand is
the honest fix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from .errors import InputError, JSONDefectError

_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class VersionSpan:
    """Where the ``info.version`` string's characters sit: ``data[start:end]`` (bytes,
    without the quotes), and the value it holds."""

    start: int
    end: int
    value: str


class _Defect(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


@dataclass(frozen=True)
class _Member:
    key: str
    key_pos: int
    kind: str  # object, array, string, scalar
    start: int  # value start (for a string: the opening quote)
    end: int  # value end, exclusive


class _Scanner:
    """Just enough of a JSON reader to find members and their value spans."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)

    def skip_ws(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n:
            ch = s[i]
            if ch.isspace() or ch == "\ufeff":
                i += 1
            elif s.startswith("//", i):
                j = s.find("\n", i)
                i = n if j < 0 else j + 1
            elif s.startswith("/*", i):
                j = s.find("*/", i + 2)
                if j < 0:
                    raise _Defect(i, "unterminated /* comment")
                i = j + 2
            else:
                break
        return i

    def string_end(self, i: int) -> int:
        """``i`` at an opening quote; returns the index just past the closing one."""
        s, n = self.s, self.n
        j = i + 1
        while j < n:
            ch = s[j]
            if ch == "\\":
                j += 2
                continue
            if ch == '"':
                return j + 1
            j += 1
        raise _Defect(i, "unterminated string")

    def value_end(self, i: int, depth: int = 0) -> tuple[str, int]:
        if depth > 512:
            raise _Defect(i, "nesting too deep")
        if i >= self.n:
            raise _Defect(i, "unexpected end of file")
        ch = self.s[i]
        if ch == '"':
            return "string", self.string_end(i)
        if ch == "{":
            return "object", self._container_end(i, "}", depth, keyed=True)
        if ch == "[":
            return "array", self._container_end(i, "]", depth, keyed=False)
        j = i
        while j < self.n and not (self.s[j].isspace() or self.s[j] in ',:]}[{"/'):
            j += 1
        if j == i:
            raise _Defect(i, f"unexpected {ch!r}")
        return "scalar", j

    def _container_end(self, i: int, close: str, depth: int, *, keyed: bool) -> int:
        if keyed:
            return self.members(i, depth)[1]
        j = self.skip_ws(i + 1)
        while True:
            if j >= self.n:
                raise _Defect(i, "unclosed array")
            if self.s[j] == close:
                return j + 1
            if self.s[j] == ",":
                j = self.skip_ws(j + 1)
                continue
            _, j = self.value_end(j, depth + 1)
            j = self.skip_ws(j)

    def members(self, i: int, depth: int = 0) -> tuple[list[_Member], int]:
        """``i`` at ``{``: the object's members and the index just past its ``}``."""
        out: list[_Member] = []
        j = self.skip_ws(i + 1)
        while True:
            if j >= self.n:
                raise _Defect(i, "unclosed object")
            ch = self.s[j]
            if ch == "}":
                return out, j + 1
            if ch == ",":
                j = self.skip_ws(j + 1)
                continue
            if ch != '"':
                raise _Defect(j, f"expected a quoted member name, found {ch!r}")
            key_end = self.string_end(j)
            key = _decode_string(self.s[j:key_end])
            k = self.skip_ws(key_end)
            if k >= self.n or self.s[k] != ":":
                raise _Defect(k, f"expected ':' after {key!r}")
            start = self.skip_ws(k + 1)
            kind, end = self.value_end(start, depth + 1)
            out.append(_Member(key, j, kind, start, end))
            j = self.skip_ws(end)


def _decode_string(quoted: str) -> str:
    try:
        return json.loads(quoted, strict=False)
    except ValueError:
        return quoted[1:-1]


def _decode(data: bytes) -> tuple[str, int, str]:
    """Text, the BOM's length, and the codec whose character offsets map back to bytes."""
    if data.startswith(_WIDE_BOMS) or b"\x00" in data[:4]:
        raise _Defect(0, "UTF-16/32 files are not edited")
    bom = len(_BOM) if data.startswith(_BOM) else 0
    body = data[bom:]
    try:
        return body.decode("utf-8"), bom, "utf-8"
    except UnicodeDecodeError:
        # cp1252 / latin-1 files: every byte is one character, so offsets are byte offsets.
        return body.decode("latin-1"), bom, "latin-1"


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def find_info_version(data: bytes, file: str = "apiDefinition.swagger.json") -> VersionSpan:
    """Locate the top-level ``info.version`` string in ``data``, or refuse with InputError.

    >>> raw = b'{"info": {"title": "x", "version": "1.0"}, "x": {"version": "9"}}'
    >>> span = find_info_version(raw)
    >>> raw[span.start:span.end], span.value
    (b'1.0', '1.0')
    """
    try:
        text, bom, codec = _decode(data)
    except _Defect as exc:
        raise InputError(f"{file}: cannot edit info.version: {exc.message}") from None
    scanner = _Scanner(text)

    def refuse(index: int, message: str) -> InputError:
        line, column = _position(text, index)
        return InputError(f"{file}:{line}:{column}: cannot edit info.version safely: {message}")

    try:
        start = scanner.skip_ws(0)
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
    except _Defect as exc:
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
    from .jsonload import load_json  # the tolerant reader the loader uses

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
    refused before anything is written; see :mod:`versioning.safefile`.
    """
    from .safefile import FileSet, check_target, os_error

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


__all__ = ["VersionSpan", "find_info_version", "set_info_version", "write_info_version"]
