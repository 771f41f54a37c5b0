"""What is a credential: the one place that decides, for the store and for every report.

A value is a secret because of the role of the field that holds it, never because of a
substring of a name (a policy parameter *named* ``keyName`` or ``retainKey`` is not one):

* ``apiProperties.json``

  - an OAuth ``clientSecret`` (any casing; a plain string, ``{"value": ...}``, or the strings
    of an array), also as an entry of ``oAuthSettings.customParameters`` whose name is a
    credential name;
  - the default of a ``securestring`` connection parameter (``defaultValue``, ``default``,
    ``value``), in ``connectionParameters`` and in ``connectionParameterSets``;
  - ``policyTemplateInstances[*].parameters``: the value of a template whose header or query
    *name* is a credential name (see :func:`is_credential_name`: ``x-api-key``,
    ``Authorization``, ``Ocp-Apim-Subscription-Key``, ``code``, ``sig``, any name ending in
    key, token, secret, password or signature). The names of the parameters themselves are
    never secrets.

* ``settings.json``: every string held, at any depth, by a key that is a credential name (or
  that holds credentials: ``credentials``, ``secrets``, ``keys``).
* Any string of either file (outside display text: ``description``, ``tooltip``, ``title``,
  ``displayName``, ``summary``): the secret query values of a URL (``code=``, ``sig=``,
  ``key=``, ``token=`` ...), the password of a URL's ``user:password@``, the secret parts of
  a connection string (``Password=``, ``AccountKey=``, ``SharedAccessSignature=`` ...) and
  the token after ``Bearer`` or ``Basic``.

A value is left alone when it is empty, already the marker, a policy expression
(``@connectionParameters(...)``...) or an obvious placeholder (``[[...]]``, ``{{...}}``,
``{...}``, ``<...>``, ``${...}``, ``%...%``). Files are read in every encoding connver reads
(UTF-8 with or without a BOM, UTF-16 with its BOM, single-byte text); only the secret's bytes
change, so a restore gives back every other byte. The swagger is not rewritten: its defaults
are part of the contract (reports still hide credentials found in it, see :func:`scrub`).

:data:`MARKER` replaces a secret in the store and in every report.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

MARKER = "<redacted by connver>"
_MARKER_BYTES = MARKER.encode("ascii")

#: An expression the platform evaluates, not a value: ``@connectionParameters('key')``, an
#: environment variable (``@environmentVariables("prefix_secret")``), any ``@function(...)``.
_EXPRESSION = re.compile(r"@(?:connectionParameters|headers|queryParameters|parameters|body|triggerBody"
                         r"|environmentVariables|\{)|^\s*@[A-Za-z_]\w*\s*\(", re.I)
_PLACEHOLDER = re.compile(r"^\s*(?:\[\[.*\]\]|\{\{.*\}\}|\{.*\}|<.*>|\$\{.*\}|%.*%)\s*$", re.S)
#: Words standing for a value to fill in: ``YOUR_CLIENT_SECRET``, ``PLACEHOLDER_API_KEY``, ``xxxx``, ``****``.
_DUMMY = re.compile(r"^\s*(?:[A-Z]+(?:[_ -][A-Z]+)+|(.)\1{3,}|.*(?i:placeholder|changeme|your[_ -]).*)\s*$", re.S)
_DUMMY_WORDS = {"test", "dummy", "secret", "password", "none", "null", "todo", "tbd", "n/a", "na", "sample", "example"}
#: Words a value made only of which names a credential or asks for one instead of being one:
#: ``dummy-value``, ``your api key here``, ``replace_me``, ``sample-token``, ``NotSet``. A real
#: secret is random text; it is never spelt out of these. (Digits are not words: ``secret-1``
#: stays a secret.)
_FILLER_WORDS = _DUMMY_WORDS | {
    "dummy", "fake", "sample", "samples", "example", "examples", "demo", "placeholder", "test", "testing",
    "your", "my", "our", "the", "a", "an", "of", "for", "to", "with", "here", "goes", "me",
    "replace", "insert", "enter", "put", "add", "fill", "change", "changeme", "set", "not", "unset", "notset",
    "default", "value", "values", "string", "text", "tmp", "temp", "xxx", "foo", "bar", "baz", "empty", "blank",
    "key", "keys", "api", "apikey", "secret", "token", "password", "passwd", "pwd", "client", "id", "access",
    "auth", "subscription", "header", "code", "credential", "credentials", "signature", "sig",
}

#: Whole names that carry a credential (lower case, separators removed).
_CREDENTIAL_NAMES = {
    "authorization", "proxyauthorization", "code", "sig", "sas", "key", "apikey", "xapikey",
    "ocpapimsubscriptionkey", "subscriptionkey", "xfunctionskey", "password", "passwd", "pwd",
    "secret", "clientsecret", "token", "accesstoken", "refreshtoken", "idtoken", "authtoken",
    "xauthtoken", "bearer", "cookie", "setcookie", "signature", "credential", "credentials",
    "privatekey", "accountkey", "sharedaccesskey", "sharedaccesssignature",
    "secrets", "passphrase",
}
#: Last words that make a compound name a credential: ``x-my-api-key``, ``ServiceToken``.
_CREDENTIAL_WORDS = {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "signature",
                     "credential", "credentials", "secrets", "passphrase", "cookie", "authorization"}
#: Last words that make a name *about* a credential, not one: ``keyName``, ``tokenType``.
_NOT_CREDENTIAL_WORDS = {"name", "names", "type", "id", "path", "url", "uri", "location", "header",
                         "param", "parameter", "length", "expiry", "expiration", "vault", "prefix"}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SETTINGS_HOLDER = {"credentials", "secrets", "keys"}

_URL_SECRET = re.compile(
    r"([?&](?:code|key|api[-_]?key|apikey|token|access[-_]?token|sig|signature|secret|client[-_]?secret|password"
    r"|pwd|subscription-key|sv_sig|sas)=)([^&#'\"\s]+)",
    re.I,
)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@\"']+:([^@/\s\"']+)@", re.I)
_BEARER = re.compile(r"\b(?:Bearer|Basic)\s+([A-Za-z0-9\-._~+/]{8,}=*)")


#: A substring each text pattern cannot match without: most strings hold none of them, and a
#: substring test costs a fraction of a regex search (a diff scrubs every value it reports).
_NEEDS = {_URL_SECRET: ("=",), _URL_PASSWORD: ("@",), _BEARER: ("Bearer", "Basic")}


def _may_match(pattern: re.Pattern, text: str) -> bool:
    """False when ``pattern`` (one of the text patterns) cannot match ``text``.

    >>> _may_match(_BEARER, "Bearer abc"), _may_match(_BEARER, "a token"), _may_match(_URL_SECRET, "x?code=1")
    (True, False, True)
    """
    return any(part in text for part in _NEEDS[pattern])


def _token_like(text: str) -> bool:
    """A credential after ``Bearer``/``Basic`` has a digit or a capital past its first
    letter (base64, a JWT); "Basic authentication" or "Bearer e-mail/password" are words.

    >>> _token_like("dXNlcjpwYXNz"), _token_like("eyJhbGciOi.J9"), _token_like("authentication")
    (True, True, False)
    """
    return any(c.isdigit() for c in text) or any(c.isupper() for c in text[1:])
#: ``key=value`` parts of a connection string whose value is a secret.
_CONNECTION_PART = re.compile(r"(?:^|(?<=;))(\s*([A-Za-z][A-Za-z0-9 _.-]*?)\s*=\s*)([^;]*)")
_CONNECTION_SECRET = re.compile(
    r"^(?:user\s*)?(?:password|pwd|passwd)$|^(?:account|sharedaccess|shared\s*access|access|api|primary|secondary"
    r"|subscription|master|client)?\s*[-_]?\s*key$|^shared\s*access\s*signature$|^(?:client\s*)?secret$"
    r"|^(?:access\s*|auth\s*|sas\s*)?token$|^sig$",
    re.I,
)
_DISPLAY_KEYS = {"description", "tooltip", "title", "displayname", "summary", "x-ms-summary"}
_SECURE_DEFAULTS = {"defaultvalue", "default", "value"}


def is_credential_name(name: str) -> bool:
    """Is ``name`` (a header, a query parameter, a settings key) one whose value is a credential?

    >>> [is_credential_name(n) for n in ("x-api-key", "Authorization", "code", "sig", "X-Service-Token")]
    [True, True, True, True, True]
    >>> [is_credential_name(n) for n in ("keyName", "tokenType", "Content-Type", "keyWithinCollectionPath")]
    [False, False, False, False]
    """
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    if not flat:
        return False
    if flat in _CREDENTIAL_NAMES:
        return True
    words = _words(name)
    if not words or words[-1] in _NOT_CREDENTIAL_WORDS:
        return False
    return words[-1] in _CREDENTIAL_WORDS


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
    >>> is_literal_secret('@environmentVariables("contoso_clientsecret")'), is_literal_secret("dummy-value")
    (False, False)
    """
    if not value.strip() or MARKER in value:
        return False
    return not (_EXPRESSION.search(value) or _PLACEHOLDER.match(value) or _DUMMY.match(value)
                or value.strip().lower() in _DUMMY_WORDS or _filler_phrase(value))


def _filler_phrase(value: str) -> bool:
    """A value spelt only out of :data:`_FILLER_WORDS` (split at separators and case changes).

    >>> [_filler_phrase(v) for v in ("dummy-value", "Your API key here", "replace_me", "NotSet", "sample-token")]
    [True, True, True, True, True]
    >>> [_filler_phrase(v) for v in ("array-secret-1", "FpKJbpy5NuSY==", "hunter2", "correct-horse", "key")]
    [False, False, False, False, True]
    """
    if len(value) > 64 or any(c.isdigit() for c in value):
        return False
    words = _words(value)
    return bool(words) and all(w in _FILLER_WORDS for w in words)


def _words(text: str) -> list[str]:
    """``text``'s words in lower case, split at separators and case changes.

    >>> _words("x-MyAPIKey_2")
    ['x', 'my', 'api', 'key', '2']
    """
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", text) for w in _WORD.findall(part)]


def redact_files(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Redaction]]:
    """Return the files with secrets replaced by :data:`MARKER`, and what was replaced."""
    out = dict(files)
    found: list[Redaction] = []
    for name, data, spans in _secret_spans(files):
        out[name] = _replace(data, spans, name, files[name])
        found.extend(Redaction(name, pointer, what) for _, _, pointer, what in spans)
    return out, found


def secret_values(files: Mapping[str, bytes]) -> set[str]:
    """The secret strings the store would redact in ``files`` (as decoded text)."""
    values: set[str] = set()
    for _, data, spans in _secret_spans(files):
        for start, end, _, _ in spans:
            raw = data[start:end]
            try:
                values.add(json.loads(b'"' + raw + b'"', strict=False))
            except ValueError:
                pass
            values.add(raw.decode("utf-8", "replace"))
    return {v for v in values if v.strip()}


def scrub(value: Any, secrets: set[str] | frozenset[str] = frozenset()) -> Any:
    """``value`` (any JSON value) as a report may print it: every string in ``secrets`` and
    every credential a string's own text shows (a URL's key, a connection string's password,
    a Bearer token) is replaced by :data:`MARKER`.

    >>> scrub({"u": "https://f.net/api?code=abc123&x=1", "h": "Bearer eyJhbGciOi.J9"})
    {'u': 'https://f.net/api?code=<redacted by connver>&x=1', 'h': 'Bearer <redacted by connver>'}
    """
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(v, secrets) for v in value)
    return value


def _scrub_text(text: str, secrets) -> str:
    if MARKER in text and text.replace(MARKER, "") == "":
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        if secret == text or (len(secret) >= 6 and secret in text):
            text = text.replace(secret, MARKER)
    for pattern in (_URL_SECRET, _URL_PASSWORD, _BEARER):
        if _may_match(pattern, text):
            text = pattern.sub(lambda m: _hide_group(m, m.lastindex or 1, pattern), text)
    return text


def _credential(pattern: re.Pattern, secret: str) -> bool:
    """Whether ``secret``, found by one of the text patterns, is a credential to hide."""
    return is_literal_secret(secret) and (pattern is not _BEARER or _token_like(secret))


def _hide_group(match: re.Match, group: int, pattern: re.Pattern) -> str:
    whole, start = match.group(0), match.start(group) - match.start(0)
    secret = match.group(group)
    if not _credential(pattern, secret):
        return whole
    return whole[:start] + MARKER + whole[start + len(secret):]


# -- finding the secrets of a file --------------------------------------------------------

_Str = tuple  # (path: tuple, value: str, start: int, end: int)


def _secret_spans(files: Mapping[str, bytes]) -> Iterator[tuple[str, bytes, list]]:
    """For each file holding secrets: its name, its bytes as UTF-8 (what the spans index)
    and the spans of its secrets."""
    for name, scanner, prefix in _secret_files(files):
        original = files[name]
        data = _as_utf8(original)
        strings = [(prefix + path, value, start, end) for path, value, start, end in _strings(data)]
        spans = list(scanner(strings, data)) + list(_text_secrets(strings, data))
        if prefix:  # pointers name the file's own members
            spans = [(start, end, _pointer(_unprefixed(pointer, prefix)), what) for start, end, pointer, what in spans]
        spans = _outermost(spans)
        if spans:
            yield name, data, spans


#: A solution's parts of apiProperties.json (see :mod:`versioning.solution`): file-name
#: ending -> where the file's document sits inside apiProperties.json.
_SOLUTION_PARTS = {
    "_connectionparameters.json": ("properties", "connectionParameters"),
    "_connectionparametersets.json": ("properties", "connectionParameterSets"),
    "_policytemplateinstances.json": ("properties", "policyTemplateInstances"),
}


def _secret_files(files: Mapping[str, bytes]) -> Iterator[tuple[str, Any, tuple]]:
    """(file name, scanner, path prefix) for each file that may hold secrets: apiProperties.json,
    settings.json, and a solution's connection parameters and policies (read as the parts of
    apiProperties.json they are)."""
    for name, scanner in (("apiProperties.json", _scan_properties), ("settings.json", _scan_settings)):
        if name in files:
            yield name, scanner, ()
    for name in sorted(files):
        lower = name.lower()
        prefix = next((p for suffix, p in _SOLUTION_PARTS.items() if lower.endswith(suffix)), None)
        if prefix is not None:
            yield name, _scan_properties, prefix


def _unprefixed(pointer: str, prefix: tuple) -> tuple:
    """A pointer's path without the solution part's place in apiProperties.json."""
    parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])
    return parts[len(prefix):]


def _utf16(data: bytes) -> str | None:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return encoding
    return None


def _as_utf8(data: bytes) -> bytes:
    """The bytes the scanner reads: UTF-16 (with its BOM) is read as the UTF-8 of its text."""
    encoding = _utf16(data)
    if encoding is None:
        return data
    try:
        return data[2:].decode(encoding).encode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data[2:].decode(encoding, "replace").encode("utf-8")


def _key_path(path: tuple) -> tuple:
    """``path`` without the array indices at its end: ``("clientSecret", 0)`` is held by
    ``clientSecret``."""
    end = len(path)
    while end and not isinstance(path[end - 1], str):
        end -= 1
    return path[:end]


def _lower(path: tuple) -> tuple:
    return tuple(p.lower() if isinstance(p, str) else p for p in path)


def _scan_properties(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    by_path = {path: (value, start, end) for path, value, start, end in strings}
    for path, value, start, end in strings:
        keys = _key_path(path)
        if not keys or not is_literal_secret(value):
            continue
        low = _lower(keys)
        last = low[-1]
        # OAuth client secret: "clientSecret": "...", {"value": "..."}, or an array of them
        if last == "clientsecret" or (len(low) >= 2 and last == "value" and low[-2] == "clientsecret"):
            yield start, end, _pointer(path), "OAuth clientSecret"
            continue
        # oAuthSettings.customParameters.NAME(.value)
        if "customparameters" in low:
            at = low.index("customparameters")
            if len(keys) > at + 1 and is_credential_name(str(keys[at + 1])):
                yield start, end, _pointer(path), f"OAuth custom parameter {keys[at + 1]!r}"
                continue
        # the default of a securestring connection parameter
        if last in _SECURE_DEFAULTS and _secure_parameter(by_path, path):
            yield start, end, _pointer(path), "securestring default"
            continue
        # policy template parameters: the value of a credential header or query parameter
        if len(path) >= 5 and path[:2] == ("properties", "policyTemplateInstances") and path[3] == "parameters" \
                and len(keys) == 5 and str(keys[4]).lower() == "x-ms-apimtemplateparameter.value":
            header = _name_of(by_path, path[:4])
            if header and is_credential_name(header):
                yield start, end, _pointer(path), f"policy template value for {header!r}"


def _secure_parameter(by_path: dict, path: tuple) -> bool:
    """Is ``path`` inside a connection parameter whose ``type`` is ``securestring``?"""
    for cut in range(len(path) - 1, 0, -1):
        found = by_path.get(path[:cut] + ("type",))
        if found and found[0].lower() == "securestring":
            return True
    return False


def _name_of(by_path: dict, parameters: tuple) -> str | None:
    """The header or query name of a policy template (a string, or an array's first)."""
    for key in ("x-ms-apimTemplateParameter.name", "x-ms-apimtemplateparameter.name"):
        for suffix in ((), (0,)):
            found = by_path.get(parameters + (key,) + suffix)
            if found:
                return found[0]
    return None


def _scan_settings(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    for path, value, start, end in strings:
        keys = [k for k in _key_path(path) if isinstance(k, str)]
        if not keys or not is_literal_secret(value):
            continue
        if is_credential_name(keys[-1]) or any(k.lower() in _SETTINGS_HOLDER or is_credential_name(k)
                                                for k in keys[:-1]):
            yield start, end, _pointer(path), "secret in settings.json"


def _text_secrets(strings: list[_Str], data: bytes) -> Iterator[tuple[int, int, str, str]]:
    """Secrets a string shows by its own text: connection strings, URLs, Bearer tokens."""
    for path, value, start, end in strings:
        keys = _key_path(path)
        if keys and str(keys[-1]).lower() in _DISPLAY_KEYS:
            continue
        raw = data[start:end].decode("latin-1")  # offsets in the raw bytes, escapes and all
        for pattern, what in ((_URL_SECRET, "credential in a URL query"), (_URL_PASSWORD, "password in a URL"),
                              (_BEARER, "token after Bearer/Basic")):
            if not _may_match(pattern, raw):
                continue
            for match in pattern.finditer(raw):
                group = match.lastindex or 1
                if _credential(pattern, match.group(group)) and not raw.startswith(MARKER, match.start(group)):
                    yield start + match.start(group), start + match.end(group), _pointer(path), what
        if "=" not in value:
            continue
        if ";" not in value and not re.match(r"\s*[A-Za-z][A-Za-z0-9 _.-]*\s*=", value):
            continue  # one Key=Value part must start the string
        if "://" in raw and ";" not in raw:
            continue  # a URL, not a connection string
        for match in _CONNECTION_PART.finditer(raw):
            secret = match.group(3).strip()
            if not secret or not _CONNECTION_SECRET.match(match.group(2).strip()):
                continue
            if is_literal_secret(secret) and not raw.startswith(MARKER, match.start(3)):
                left = match.start(3) + (len(match.group(3)) - len(match.group(3).lstrip()))
                right = match.end(3) - (len(match.group(3)) - len(match.group(3).rstrip()))
                yield start + left, start + right, _pointer(path), f"{match.group(2).strip()} in a connection string"


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


def _replace(data: bytes, spans: list[tuple[int, int, str, str]], name: str, original: bytes) -> bytes:
    """``data`` with the spans replaced, written back in the encoding of ``original``."""
    out = bytearray(data)
    for start, end, _, _ in sorted(_outermost(spans), reverse=True):
        out[start:end] = _MARKER_BYTES
    encoding = _utf16(original)
    if encoding is None:
        return bytes(out)
    return original[:2] + bytes(out).decode("utf-8", "surrogatepass").encode(encoding, "surrogatepass")


def _pointer(path: tuple) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


# -- what reports print --------------------------------------------------------------------

_VALUE_ENDS = {"default", "enum", "x-example", "example", "examples", "x-ms-test-value", "value"}


def report_secrets(*sides: Any) -> frozenset[str]:
    """The secret strings of the connectors (or :class:`SourceFiles`) a report shows."""
    found: set[str] = set()
    for side in sides:
        source = getattr(side, "source", side)
        files = getattr(source, "files", None)
        if files:
            cached = getattr(source, "secrets", None)  # SourceFiles keeps them (a cached property)
            found |= cached if isinstance(cached, frozenset) else secret_values(files)
    return frozenset(found)


def _credential_location(location: str) -> bool:
    """A default or example of a parameter or property whose name is a credential name
    (``operation/Get/parameter/x-api-key/default``)."""
    parts = location.split("/")
    if not parts or parts[-1].lower() not in _VALUE_ENDS:
        return False
    return any(is_credential_name(part) for part in parts[:-1] if part not in ("operation", "parameter"))


def redact_change(change: Any, secrets: frozenset[str]) -> Any:
    """``change`` (a :class:`~versioning.changes.Change`) with its values as reports may
    print them. The one place reports are redacted: every format renders these values."""
    from dataclasses import replace

    if _credential_location(change.location or ""):
        old = MARKER if isinstance(change.old, str) and is_literal_secret(change.old) else scrub(change.old, secrets)
        new = MARKER if isinstance(change.new, str) and is_literal_secret(change.new) else scrub(change.new, secrets)
    else:
        old, new = scrub(change.old, secrets), scrub(change.new, secrets)
    details = tuple((key, scrub(value, secrets)) for key, value in change.details)
    if old == change.old and new == change.new and details == change.details:
        return change
    return replace(change, old=old, new=new, details=details)


def redact_changes(changes: list, *sides: Any) -> list:
    """The changes between ``sides`` as reports may print them. A change whose two values
    are the same once redacted, one of them holding the store's marker (a secret against
    the marker that stands for it), is not shown: the store cannot tell it from no change.
    A secret that changed between two real values is shown, both values as the marker."""
    secrets = report_secrets(*sides)
    out = []
    for change in changes:
        shown = redact_change(change, secrets)
        if shown is not change and shown.old == shown.new and shown.old is not None \
                and (_holds_marker(change.old) or _holds_marker(change.new)):
            continue
        out.append(shown)
    return out


def marker_for_secret(old: Any, new: Any, secrets: frozenset[str]) -> bool:
    """Whether one side holds the store's marker where the other holds the secret it stands
    for: the same once redacted, and not a change anyone can tell from none (the residual
    pass's test; :func:`redact_changes` compares the values as :func:`redact_change` shows them)."""
    return (_holds_marker(old) or _holds_marker(new)) and scrub(old, secrets) == scrub(new, secrets)


def _holds_marker(value: Any) -> bool:
    if isinstance(value, str):
        return MARKER in value
    if isinstance(value, dict):
        return any(_holds_marker(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_marker(v) for v in value)
    return False


def redact_conflict(conflict: Any, secrets: frozenset[str]) -> Any:
    """A merge conflict with its three values as reports may print them."""
    from dataclasses import replace

    values = {name: scrub(getattr(conflict, name), secrets) if getattr(conflict, name) else getattr(conflict, name)
              for name in ("base", "fork", "upstream")}
    if _credential_location(conflict.location or ""):
        values = {k: MARKER if isinstance(v, str) and is_literal_secret(v) else v for k, v in values.items()}
    return replace(conflict, **values)
