"""Release notes, PR descriptions and changelogs, rendered from templates.

The layouts live in ``versioning/templates/`` (Jinja2), one file per format; this module
only loads them, adds a few filters (Markdown escaping, counts in words) and hands them the
data from :mod:`versioning.notes` and :mod:`versioning.changelog`. JSON is the data itself.
Jinja2 is imported here only, so ``connver diff`` never loads it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .json import dumps

#: format -> "module:function" for ReleaseNotes (``connver notes``).
NOTES_RENDERERS: dict[str, str] = {
    "markdown": "versioning.render.notes:notes_markdown",
    "text": "versioning.render.notes:notes_text",
    "json": "versioning.render.notes:notes_json",
}

#: format -> "module:function" for ReleaseNotes shaped as a pull-request description.
PR_RENDERERS: dict[str, str] = {
    "markdown": "versioning.render.notes:pr_markdown",
    "json": "versioning.render.notes:notes_json",
}

#: format -> "module:function" for a Changelog: the generated block (markdown) or the data.
CHANGELOG_RENDERERS: dict[str, str] = {
    "markdown": "versioning.render.notes:changelog_block",
    "json": "versioning.render.notes:changelog_json",
}

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


def code(text: Any) -> str:
    """Inline code that survives backticks in the text."""
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def counts(summary: dict[str, int]) -> str:
    """``2 breaking, 1 additive and 3 cosmetic changes`` (``no changes`` when empty).

    >>> counts({"breaking": 2, "risky": 0, "additive": 1, "cosmetic": 3})
    '2 breaking, 1 additive and 3 cosmetic changes'
    >>> counts({"breaking": 1})
    '1 breaking change'
    """
    parts = [f"{n} {level}" for level, n in summary.items() if n]
    if not parts:
        return "no changes"
    total = sum(summary.values())
    words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{words} change{'s' if total != 1 else ''}"


def plural(n: int, word: str) -> str:
    """``n word``, with an ``s`` unless ``n`` is 1.

    >>> plural(1, "trigger"), plural(3, "action")
    ('1 trigger', '3 actions')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("versioning", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(md=md, cell=cell, code=code, counts=counts, plural=plural)
    return env


def render_template(name: str, **data: Any) -> str:
    text = environment().get_template(name).render(**data)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


# --------------------------------------------------------------------------- notes

def notes_markdown(notes, **_: Any) -> str:
    return render_template("notes.md.j2", notes=notes)


def notes_text(notes, **_: Any) -> str:
    return render_template("notes.txt.j2", notes=notes)


def notes_json(notes, **_: Any) -> str:
    return dumps(notes.to_dict())


def pr_markdown(notes, **_: Any) -> str:
    return render_template("pr.md.j2", notes=notes)


# --------------------------------------------------------------------------- changelog

def changelog_header(changelog, **_: Any) -> str:
    """The top of a new CHANGELOG.md (written once; never touched by ``--update``)."""
    return render_template("changelog-header.md.j2", changelog=changelog)


def changelog_block(changelog, **_: Any) -> str:
    """The generated part of CHANGELOG.md: one section per version, newest first."""
    return render_template("changelog.md.j2", changelog=changelog)


def changelog_json(changelog, **_: Any) -> str:
    return dumps(changelog.to_dict())
