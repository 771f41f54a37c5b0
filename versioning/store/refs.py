"""Names in the snapshot store: connector ids, tag names and store references.

Pure string handling, no git. A store reference is ``CONNECTOR@SPEC``:

* ``deployed`` / ``dev``: the latest snapshot on that channel;
* ``deployed~N`` / ``dev~N``: N snapshots back on that channel;
* ``~N``: N snapshots back in the connector's own history, all channels (``~0`` latest);
* a version (``1.2``, ``v1.0``): the newest snapshot whose ``info.version`` is exactly that;
* a commit id prefix (7 to 40 hex digits): that snapshot.

``CONNECTOR`` alone means the latest snapshot (``~0``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

from ..errors import InputError

CHANNELS: tuple[str, ...] = ("deployed", "dev")

#: Characters kept as they are in a connector id besides letters and digits.
_ID_EXTRA = "._-+()"
_MAX_ID = 120
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {
    f"lpt{i}" for i in range(1, 10)
}


def safe_name(text: str, *, what: str = "connector id", max_length: int = _MAX_ID) -> str:
    """Make ``text`` safe as one path component and one git ref component.

    Letters and digits (any script) and ``._-+()`` are kept; anything else (separators,
    spaces, control characters, ``@``, ``~``, ``:``...) becomes ``-``; runs of ``-`` and
    ``..`` collapse; leading and trailing dots and dashes go.

    >>> safe_name("OpenText ContentServer by One Fox")
    'OpenText-ContentServer-by-One-Fox'
    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    >>> safe_name("shared_contoso-5f2a")
    'shared_contoso-5f2a'
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch if (ch.isalnum() or ch in _ID_EXTRA) else "-" for ch in text)
    kept = re.sub(r"-{2,}", "-", kept)
    while ".." in kept:
        kept = kept.replace("..", ".")
    kept = kept.strip(".-")
    if len(kept) > max_length:
        kept = kept[:max_length].rstrip(".-")
    if kept.lower().endswith(".lock"):
        kept = kept[: -len(".lock")] + "-lock"
    if kept.split(".")[0].lower() in _WINDOWS_RESERVED:
        kept = "_" + kept
    if not kept:
        raise InputError(f"{text!r} cannot be used as a {what}: nothing is left once made safe for a path")
    return kept


def safe_connector_id(text: str) -> str:
    """The connector id as the store uses it (see :func:`safe_name`)."""
    return safe_name(text, what="connector id")


def name_key(name: str) -> str:
    """How a folder name or ``connectorId`` is recorded and compared (NFC, spaces collapsed)."""
    return unicodedata.normalize("NFC", " ".join(name.split()))


def tag_name(connector: str, channel: str, version: str | None) -> str | None:
    """``<connector>/<channel>/<version>``, or None when there is no usable version.

    >>> tag_name("timeghost", "dev", "2.0")
    'timeghost/dev/2.0'
    >>> tag_name("x", "dev", "1.0 beta")
    'x/dev/1.0-beta'
    """
    if not version or not version.strip():
        return None
    try:
        return f"{connector}/{channel}/{safe_name(version, what='version', max_length=80)}"
    except InputError:
        return None


def looks_like_store_reference(argument: str) -> bool:
    """True when a command-line source argument is a store reference, not a path.

    It is one when it does not exist on disk and has no ``/``, ``\\`` or ``:``.
    """
    if not argument or any(ch in argument for ch in "/\\:"):
        return False
    return not os.path.exists(argument)


@dataclass(frozen=True)
class StoreRef:
    """A parsed ``CONNECTOR@SPEC``.

    ``kind`` is ``channel`` (``channel`` and ``back`` set), ``back`` (``back`` set: all
    channels), or ``text`` (a version or a commit id in ``text``).
    """

    connector: str
    spec: str
    kind: str
    channel: str | None = None
    back: int = 0
    text: str | None = None

    def __str__(self) -> str:
        return f"{self.connector}@{self.spec}"


_BACK = re.compile(r"^(?:(deployed|dev))?~(\d+)$")


def parse_reference(reference: str) -> StoreRef:
    """Parse ``CONNECTOR@SPEC`` (or ``CONNECTOR`` alone, meaning ``~0``).

    >>> parse_reference("timeghost@dev~2")
    StoreRef(connector='timeghost', spec='dev~2', kind='channel', channel='dev', back=2, text=None)
    >>> parse_reference("timeghost@~1").kind, parse_reference("timeghost@~1").back
    ('back', 1)
    >>> parse_reference("timeghost@2.0").text
    '2.0'
    """
    reference = reference.strip()
    connector, at, spec = reference.partition("@")
    if not connector:
        raise InputError(f"{reference!r} is not a store reference: expected CONNECTOR@SPEC")
    if not at:
        spec = "~0"
    if not spec:
        raise InputError(
            f"{reference!r}: nothing after '@'",
            hint="use deployed, dev, a version, a commit id or ~N",
        )
    if spec in CHANNELS:
        return StoreRef(connector, spec, "channel", channel=spec)
    match = _BACK.match(spec)
    if match:
        channel, back = match.group(1), int(match.group(2))
        if channel:
            return StoreRef(connector, spec, "channel", channel=channel, back=back)
        return StoreRef(connector, spec, "back", back=back)
    if spec.startswith("~"):
        raise InputError(f"{reference!r}: expected ~N with a number N (~0 is the latest snapshot)")
    return StoreRef(connector, spec, "text", text=spec)


def is_commit_prefix(text: str) -> bool:
    """7 to 40 hex digits.

    >>> is_commit_prefix("deadbee"), is_commit_prefix("1.0"), is_commit_prefix("abc")
    (True, False, False)
    """
    return 7 <= len(text) <= 40 and all(ch in "0123456789abcdefABCDEF" for ch in text)


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return channel
