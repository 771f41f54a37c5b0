"""Escaping for every renderer that writes markup: Markdown (pull-request comments, release
notes, step summaries) and HTML. Definition text (descriptions, enum values, summaries) is
written by someone else: it must come out as text, never as markup.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def md(text: Any) -> str:
    """Text safe in Markdown prose (no accidental emphasis, links, HTML or tables).

    >>> md("Send_WhatsApp: *new* <b>")
    'Send_WhatsApp: \\\\*new\\\\* \\\\<b\\\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def cell(text: Any) -> str:
    r"""Markdown made safe inside a table cell: pipes not yet escaped get a backslash.

    >>> print(cell(r"`a|b` and a \| c"))
    `a\|b` and a \| c
    """
    return re.sub(r"(?<!\\)\|", r"\\|", str(text)).replace("\n", " ")


def md_cell(text: Any) -> str:
    """Plain text as a Markdown table cell (escaped, then its pipes).

    >>> md_cell('enum value "<img src=x onerror=alert(1)>" | added')
    'enum value "\\\\<img src=x onerror=alert(1)\\\\>" \\\\| added'
    """
    return md(text)


def code(text: Any) -> str:
    """Inline code that survives backticks in the text (newlines become spaces).

    >>> code("a`b")
    '`` a`b ``'
    """
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html(text: Any) -> str:
    """Text safe in HTML content and in quoted attribute values.

    >>> html('<img src="x"> & co')
    '&lt;img src=&quot;x&quot;&gt; &amp; co'
    """
    return _html.escape(str(text), quote=True)
