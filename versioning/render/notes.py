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

from . import table
from .json import dumps

#: format -> "module:function" for ReleaseNotes (``connver notes``), as a pull-request
#: description, and for a Changelog: rows of the one registry (see :mod:`versioning.render`).
NOTES_RENDERERS = table("notes")
PR_RENDERERS = table("pr")
CHANGELOG_RENDERERS = table("changelog")

#: The default cap on a PR description's length (GitHub refuses more than 65,536 characters).
PR_MAX_CHARS = 60_000

# The escapers live in one module, used by every renderer; kept importable from here.
from .markup import cell, code, md  # noqa: E402,F401


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
        loader=jinja2.PackageLoader("connver", "templates"),
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

#: Which lists are cut first when a PR description is too long: the last of these. Breaking
#: changes go last; "advice" is the list of operations that could have been new revisions.
CUT_LAST_TO_FIRST: tuple[str, ...] = ("Breaking changes", "Security", "Deprecated", "Removed", "Fixed",
                                      "Changed", "Added", "advice")


def _render_fitted(name: str, notes, limit: int | None, max_chars: int) -> str:
    """Render with each list cut to ``limit`` entries (0: all), or, without ``limit``, to
    as many as keep the text within ``max_chars`` (0: no cap); see
    :func:`versioning.render.markdown.fit`."""
    from .markdown import fit

    lengths = {section.name.value: len(section.entries) for section in notes.sections}
    lengths["advice"] = len(notes.advice)
    sizes = [lengths.get(group, 0) for group in CUT_LAST_TO_FIRST]
    return fit(lambda caps: render_template(name, notes=notes, caps=dict(zip(CUT_LAST_TO_FIRST, caps))),
               sizes, limit=limit, max_chars=max_chars)


def notes_markdown(notes, *, limit: int | None = None, max_chars: int = 0, **_: Any) -> str:
    """Release notes; ``limit`` entries per section (None or 0: all)."""
    return _render_fitted("notes.md.j2", notes, limit, max_chars)


def notes_text(notes, *, limit: int | None = None, max_chars: int = 0, **_: Any) -> str:
    return _render_fitted("notes.txt.j2", notes, limit, max_chars)


def notes_json(notes, **_: Any) -> str:
    return dumps(notes.to_dict())


def pr_markdown(notes, *, limit: int | None = None, max_chars: int = PR_MAX_CHARS, **_: Any) -> str:
    """A PR description. Without ``limit`` it lists every entry unless the text would pass
    ``max_chars`` (GitHub's limit is 65,536): then the least important lists are cut first,
    each ending with "… and N more"."""
    return _render_fitted("pr.md.j2", notes, limit, max_chars)


# --------------------------------------------------------------------------- changelog

def changelog_header(changelog, **_: Any) -> str:
    """The top of a new CHANGELOG.md (written once; never touched by ``--update``)."""
    return render_template("changelog-header.md.j2", changelog=changelog)


def changelog_block(changelog, **_: Any) -> str:
    """The generated part of CHANGELOG.md: one section per version, newest first."""
    return render_template("changelog.md.j2", changelog=changelog)


def changelog_json(changelog, **_: Any) -> str:
    return dumps(changelog.to_dict())
