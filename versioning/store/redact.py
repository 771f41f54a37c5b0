"""Keep secrets out of the snapshot store.

Before a snapshot is committed, these places are scanned and a secret found there is
replaced by :data:`MARKER`, in the raw bytes (everything else stays byte for byte):

* ``apiProperties.json``: every ``clientSecret`` (OAuth settings in ``connectionParameters``
  and ``connectionParameterSets``; a plain string, ``{"value": ...}``, or the strings of an
  array in either place);
* ``apiProperties.json`` ``policyTemplateInstances[*].parameters``: the value of a
  ``setheader`` / ``setqueryparameter`` template whose header or query name looks like a
  credential (key, token, secret, password, auth, signature, credential, cookie); any
  parameter whose own name looks like one (a string, or the strings of an array); and
  credential query values (``code=``, ``key=``, ``token=``, ``sig=`` ...) inside URLs such as
  ``dynamichosturl`` templates;
* ``settings.json``: any string whose key looks like a credential (secret, password, token,
  api key, access key, private key, subscription key, ``key``, credential), also inside an
  array held by such a key (``"secrets": ["..."]``);
* both files: the secret parts of connection strings in any string value
  (``Password=``, ``Pwd=``, ``AccountKey=``, ``SharedAccessKey=``, ``SharedAccessSignature=``,
  ``ClientSecret=``, ``Token=``, ``ApiKey=``... between ``;``), except in display text
  (``description``, ``tooltip``, ``title``, ``displayName``, ``summary``).

A value is left alone when it is empty, already the marker, a policy expression
(``@connectionParameters(...)``, ``@headers(...)``...) or an obvious placeholder
(``[[...]]``, ``{{...}}``, ``{...}``, ``<...>``, ``${...}``, ``%...%``).
The swagger is not rewritten: its parameter defaults are part of the contract.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator, Mapping

MARKER = "<redacted by connver>"
_MARKER_BYTES = MARKER.encode("ascii")

_EXPRESSION = re.compile(r"@(?:connectionParameters|headers|queryParameters|parameters|body|triggerBody|\{)", re.I)
_PLACEHOLDER = re.compile(r"^\s*(?:\[\[.*\]\]|\{\{.*\}\}|\{.*\}|<.*>|\$\{.*\}|%.*%)\s*$", re.S)
_POLICY_NAME = re.compile(r"key|token|secret|passw|pwd|auth|signature|credential|cookie", re.I)
_SETTINGS_KEY = re.compile(
    r"secret|passw|pwd|token|api[-_]?key|access[-_]?key|private[-_]?key|subscription[-_]?key|^key$|credential",
    re.I,
)
_URL_SECRET = re.compile(
    r"([?&](?:code|key|api[-_]?key|apikey|token|access[-_]?token|sig|signature|secret|password|subscription-key)=)"
    r"([^&#'\"\s]+)",
    re.I,
)
#: ``key=value`` parts of a connection string whose value is a secret.
_CONNECTION_PART = re.compile(r"(?:^|(?<=;))(\s*([A-Za-z][A-Za-z0-9 _.-]*?)\s*=\s*)([^;]*)")
_CONNECTION_SECRET = re.compile(
    r"^(?:user\s*)?(?:password|pwd|passwd)$|^(?:account|sharedaccess|shared\s*access|access|api|primary|secondary"
    r"|subscription|master|client)?\s*[-_]?\s*key$|^shared\s*access\s*signature$|^(?:client\s*)?secret$"
    r"|^(?:access\s*|auth\s*|sas\s*)?token$|^sig$",
    re.I,
)
_DISPLAY_KEYS = {"description", "tooltip", "title", "displayname", "summary", "x-ms-summary"}
_STRUCTURAL_PARAMS = {
    "x-ms-apimtemplateparameter.name",
    "x-ms-apimtemplateparameter.value",
    "x-ms-apimtemplateparameter.existsaction",
    "x-ms-apimtemplate-policysection",
    "x-ms-apimtemplate-operationname",
}


@dataclass(frozen=True)
class Redaction:
    """One secret replaced: the file, a JSON pointer to the value, and what it was."""

    file: str
    pointer: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer} ({self.what})"


def is_literal_secret(value: str) -> bool:
    """Would ``value`` be a real secret (not empty, not an expression or placeholder)?

    >>> is_literal_secret("FpKJbpy5NuSY=="), is_literal_secret("@connectionParameters('k')")
    (True, False)
    >>> is_literal_secret("[[DUMMY]]"), is_literal_secret(""), is_literal_secret(MARKER)
    (False, False, False)
    """
    if not value.strip() or MARKER in value:
        return False
    return not (_EXPRESSION.search(value) or _PLACEHOLDER.match(value))


def redact_files(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Redaction]]:
    """Return the files with secrets replaced by :data:`MARKER`, and what was replaced."""
    out = dict(files)
    found: list[Redaction] = []
    for name, scanner in (("apiProperties.json", _scan_properties), ("settings.json", _scan_settings)):
        data = files.get(name)
        if data is None:
            continue
        strings = list(_strings(data))
        spans = list(scanner(strings, data)) + list(_connection_string_secrets(strings, data))
        spans = _outermost(spans)
        if spans:
            out[name] = _replace(data, spans)
            found.extend(Redaction(name, pointer, what) for _, _, pointer, what in spans)
    return out, found


# -- scanners ---------------------------------------------------------------------------

_Str = tuple  # (path: tuple, value: str, start: int, end: int)


def _key_path(path: tuple) -> tuple:
    """``path`` without the array indices at its end: ``("clientSecret", 0)`` is held by
    ``clientSecret``."""
    end = len(path)
    while end and not isinstance(path[end - 1], str):
        end -= 1
    return path[:end]


def _scan_properties(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    by_path = {path: (value, start, end) for path, value, start, end in strings}
    for path, value, start, end in strings:
        keys = _key_path(path)
        if not keys:
            continue
        last = keys[-1]
        # OAuth client secret: "clientSecret": "...", {"value": "..."}, or an array of them
        if last.lower() == "clientsecret" or (
            len(keys) >= 2 and last == "value" and isinstance(keys[-2], str) and keys[-2].lower() == "clientsecret"
        ):
            if is_literal_secret(value):
                yield start, end, _pointer(path), "OAuth clientSecret"
            continue
        # policy template parameters (a string, or the strings of an array)
        if len(path) >= 5 and path[:2] == ("properties", "policyTemplateInstances") and path[3] == "parameters" \
                and len(keys) == 5:
            pname = str(keys[4])
            if pname.lower() == "x-ms-apimtemplateparameter.value":
                header = _name_of(by_path, path[:4])
                if header and _POLICY_NAME.search(header) and is_literal_secret(value):
                    yield start, end, _pointer(path), f"policy template value for {header!r}"
                    continue
            elif pname.lower() not in _STRUCTURAL_PARAMS and _POLICY_NAME.search(pname):
                if is_literal_secret(value):
                    yield start, end, _pointer(path), "policy template parameter"
                    continue
            yield from _url_secrets(data, path, value, start, end)


def _name_of(by_path: dict, parameters: tuple) -> str | None:
    """The header or query name of a policy template (a string, or an array's first)."""
    for suffix in ((), (0,)):
        found = by_path.get(parameters + ("x-ms-apimTemplateParameter.name",) + suffix)
        if found:
            return found[0]
    return None


def _scan_settings(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    for path, value, start, end in strings:
        keys = _key_path(path)
        last = keys[-1] if keys else None
        if isinstance(last, str) and _SETTINGS_KEY.search(last) and is_literal_secret(value):
            yield start, end, _pointer(path), "secret in settings.json"


def _connection_string_secrets(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    """The secret values of ``Key=Value;`` parts in any string outside display text."""
    for path, value, start, end in strings:
        keys = _key_path(path)
        if (keys and str(keys[-1]).lower() in _DISPLAY_KEYS) or "=" not in value:
            continue
        if ";" not in value and not re.match(r"\s*[A-Za-z][A-Za-z0-9 _.-]*\s*=", value):
            continue  # one Key=Value part must start the string
        raw = data[start:end].decode("latin-1")  # offsets in the raw bytes, escapes and all
        for match in _CONNECTION_PART.finditer(raw):
            secret = match.group(3).strip()
            if not secret or not _CONNECTION_SECRET.match(match.group(2).strip()):
                continue
            if is_literal_secret(secret) and not raw.startswith(MARKER, match.start(3)):
                left = match.start(3) + (len(match.group(3)) - len(match.group(3).lstrip()))
                right = match.end(3) - (len(match.group(3)) - len(match.group(3).rstrip()))
                yield start + left, start + right, _pointer(path), f"{match.group(2).strip()} in a connection string"


def _url_secrets(data: bytes, path: tuple, value: str, start: int, end: int) -> Iterator[tuple[int, int, str, str]]:
    text = data[start:end].decode("latin-1")
    for match in _URL_SECRET.finditer(text):
        secret = match.group(2)
        if is_literal_secret(secret) and not text.startswith(MARKER, match.start(2)):
            yield start + match.start(2), start + match.end(2), _pointer(path), "credential in a URL query"


# -- a tolerant JSON walker over raw bytes -----------------------------------------------


def _strings(data: bytes) -> Iterator[_Str]:
    """Yield ``(path, decoded value, start, end)`` for every string *value* in ``data``.

    ``start:end`` is the byte span between the quotes. Works on UTF-8 and single-byte
    encodings alike (structural characters are ASCII) and tolerates comments, trailing
    commas and stray bytes: it only tracks structure, it does not validate.
    """
    n = len(data)
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    # stack entries: [kind, path, key, expecting_key, index]
    stack: list[list] = []

    def value_path() -> tuple:
        if not stack:
            return ()
        top = stack[-1]
        return top[1] + ((top[2],) if top[0] == "obj" else (top[4],))

    def value_done() -> None:
        if stack:
            top = stack[-1]
            if top[0] == "obj":
                top[3] = True
            else:
                top[4] += 1

    while i < n:
        ch = data[i]
        if ch in b" \t\r\n,:":
            i += 1
        elif ch == 0x2F and data[i : i + 2] == b"//":
            j = data.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif ch == 0x2F and data[i : i + 2] == b"/*":
            j = data.find(b"*/", i + 2)
            i = n if j < 0 else j + 2
        elif ch in b"{[":
            path = value_path()
            stack.append(["obj" if ch == 0x7B else "arr", path, None, True, 0])
            i += 1
        elif ch in b"}]":
            if stack:
                stack.pop()
            value_done()
            i += 1
        elif ch == 0x22:  # '"'
            j = i + 1
            while j < n and data[j] != 0x22:
                j += 2 if data[j] == 0x5C else 1
            if j >= n:
                return
            text = _decode(data[i : j + 1])
            top = stack[-1] if stack else None
            if top is not None and top[0] == "obj" and top[3]:
                top[2] = text
                top[3] = False
            else:
                yield value_path(), text, i + 1, j
                value_done()
            i = j + 1
        else:  # number, true, false, null or a stray byte
            j = i
            while j < n and data[j] not in b" \t\r\n,:]}\"":
                j += 1
            i = max(j, i + 1)
            value_done()


def _decode(quoted: bytes) -> str:
    for encoding in ("utf-8", "latin-1"):
        try:
            return json.loads(quoted.decode(encoding), strict=False)
        except (UnicodeDecodeError, ValueError):
            continue
    return quoted[1:-1].decode("latin-1")


def _outermost(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """The spans sorted, without those inside another (a whole secret string wins over a
    part of it found by another scan)."""
    kept: list[tuple[int, int, str, str]] = []
    for span in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if kept and span[0] < kept[-1][1]:  # starts inside the previous kept span
            continue
        kept.append(span)
    return kept


def _replace(data: bytes, spans: list[tuple[int, int, str, str]]) -> bytes:
    out = bytearray(data)
    for start, end, _, _ in sorted(_outermost(spans), reverse=True):
        out[start:end] = _MARKER_BYTES
    return bytes(out)


def _pointer(path: tuple) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)
