"""Version numbers: the bump the changes need, and the next version in the file's own style.

Three pure steps, kept apart (the check runs after the rules, never inside them):

* :func:`bump_level` turns the changes into a :class:`Bump` (major, minor, patch, none);
* :func:`next_version` applies a bump to the current version string and writes the result
  in the style that string already uses (``1.0`` stays two-part, ``v1`` keeps its ``v``,
  ``1.0.0.0`` keeps four parts, ``2021-10-01`` stays a date);
* :func:`check_version` compares the version the new definition declares with that
  suggestion and says whether it is fine, larger than needed, under-bumped, unchanged,
  lower, or unreadable.

The arithmetic on ``major.minor.patch`` and prerelease tags is python-semver's; this
module only reads and writes the styles real connectors use. See ``docs/bump.md``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

import semver

from .changes import Change, Level
from .errors import VersionError


class Bump(str, Enum):
    """How far a version must move for a set of changes."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Higher is bigger: major 3 ... none 0.

        >>> Bump.MAJOR.rank > Bump.PATCH.rank > Bump.NONE.rank
        True
        """
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Bump.MAJOR: 3, Bump.MINOR: 2, Bump.PATCH: 1, Bump.NONE: 0}

#: The bump each level of change needs.
LEVEL_BUMP: dict[Level, Bump] = {
    Level.BREAKING: Bump.MAJOR,
    Level.RISKY: Bump.MINOR,
    Level.DEPRECATION: Bump.MINOR,
    Level.ADDITIVE: Bump.MINOR,
    Level.COSMETIC: Bump.PATCH,
}


def bump_level(changes: Iterable[Change]) -> Bump:
    """The bump a set of changes needs: the largest one any change asks for.

    >>> from connver.changes import Change, Level
    >>> bump_level([])
    <Bump.NONE: 'none'>
    >>> bump_level([Change("x", Level.COSMETIC, "info"), Change("y", Level.RISKY, "host")]).value
    'minor'
    """
    best = Bump.NONE
    for change in changes:
        bump = LEVEL_BUMP[Level(change.level)]
        if bump.rank > best.rank:
            best = bump
    return best


def drivers(changes: Iterable[Change], bump: Bump) -> list[Change]:
    """The changes that ask for ``bump`` (the ones that drove it), most severe first."""
    picked = [c for c in changes if LEVEL_BUMP[Level(c.level)] is bump]
    return sorted(picked, key=Change.sort_key)


# --------------------------------------------------------------------------- reading

class VersionKind(str, Enum):
    NUMBERED = "numbered"  # 1, 1.0, v1.2.3, 1.0.0.0, 1.2.0-beta+build, 2.172.b245b93e
    DATE = "date"  # 2021-10-01, 2021-10-01-preview

    def __str__(self) -> str:
        return self.value


_IDENT = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_NUMBERED = re.compile(
    rf"(?P<prefix>[vV]?)(?P<nums>\d+(?:\.\d+){{0,3}})"
    rf"(?:-(?P<pre>{_IDENT}))?(?:\+(?P<build>{_IDENT}))?"
)
# 2.172.b245b93e: numbers, then a commit hash as the last dot-separated part.
_HASHED = re.compile(r"(?P<prefix>[vV]?)(?P<nums>\d+(?:\.\d+){0,2})\.(?P<hash>(?=[0-9a-f]*[a-f])[0-9a-f]{6,40})")
_DATE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:-(?P<suffix>[0-9A-Za-z][0-9A-Za-z.-]*))?")

EXAMPLES = "1.0, 1.0.0, v1, V1.1, 1.0.0.0, 2, 1.2.0-beta, 2021-10-01"
#: A number in a version with more digits than this is not a version number (and Python
#: refuses to convert more than 4300 digits). 20 digits hold any 64-bit number.
MAX_DIGITS = 20
#: A version string longer than this is not read as a version.
MAX_LENGTH = 128


@dataclass(frozen=True)
class StyledVersion:
    """A version as written: its numbers plus the style to write the next one in.

    ``parts`` are the 1 to 4 numbers (``(1, 0)`` for ``1.0``); ``widths`` the zero-padded
    width of each (``2020.4.01`` -> ``(0, 0, 2)``; 0 = not padded). ``build_sep`` is ``+``
    for semver build metadata and ``.`` for a trailing commit hash (``2.172.b245b93e``).
    """

    text: str
    kind: VersionKind = VersionKind.NUMBERED
    prefix: str = ""
    parts: tuple[int, ...] = ()
    widths: tuple[int, ...] = ()
    prerelease: str | None = None
    build: str | None = None
    build_sep: str = "+"
    date: _dt.date | None = None
    suffix: str | None = None  # date versions: 2021-10-01-preview -> "preview"

    @property
    def core(self) -> tuple[int, int, int, int]:
        """The four numbers, missing ones as 0: ``1.2`` -> ``(1, 2, 0, 0)``."""
        return tuple(self.parts + (0,) * (4 - len(self.parts)))  # type: ignore[return-value]

    @property
    def semver(self) -> semver.Version:
        """The first three numbers with prerelease and build, as a semver Version."""
        major, minor, patch, _ = self.core
        return semver.Version(major, minor, patch, self.prerelease, self.build)

    def sort_key(self) -> tuple:
        """Precedence: numbers first, then a prerelease sorts below its release.

        Build metadata (and a trailing commit hash) does not count, as semver says.
        """
        if self.kind is VersionKind.DATE:
            return (self.date, self.suffix is None, self.suffix or "")
        return (self.core, semver.Version(0, 0, 0, self.prerelease))

    def __str__(self) -> str:
        return self.text


def parse_version(text: str | None) -> StyledVersion:
    """Read a version string and its style; :class:`VersionError` when it is not one.

    >>> v = parse_version("v1.2")
    >>> v.prefix, v.parts, v.kind.value
    ('v', (1, 2), 'numbered')
    >>> parse_version("1.0.0-beta.1+exp").prerelease
    'beta.1'
    >>> parse_version("2.172.b245b93e").build
    'b245b93e'
    >>> parse_version("2021-10-01").date
    datetime.date(2021, 10, 1)
    >>> parse_version("preview")
    Traceback (most recent call last):
    ...
    versioning.errors.VersionError: cannot read 'preview' as a version (expected a form like 1.0, 1.0.0, v1, V1.1, 1.0.0.0, 2, 1.2.0-beta, 2021-10-01) (state the current version with connver bump --from VERSION)
    """
    if text is None:
        raise VersionError("no info.version declared", hint="state the current version with connver bump --from VERSION")
    raw = str(text)
    s = raw.strip()
    if len(s) > MAX_LENGTH:
        _unreadable(raw, f"longer than {MAX_LENGTH} characters")
    m = _DATE.fullmatch(s)
    if m:
        try:
            date = _dt.date.fromisoformat(m["date"])
        except ValueError:
            _unreadable(raw)
        return StyledVersion(raw, VersionKind.DATE, date=date, suffix=m["suffix"])
    m = _NUMBERED.fullmatch(s)
    build_sep = "+"
    if m:
        build = m["build"]
    else:
        m = _HASHED.fullmatch(s)
        if not m:
            _unreadable(raw)
        build, build_sep = m["hash"], "."
    texts = m["nums"].split(".")
    if any(len(t) > MAX_DIGITS for t in texts):
        _unreadable(raw, f"a number with more than {MAX_DIGITS} digits")
    parts = tuple(int(t) for t in texts)
    widths = tuple(len(t) if len(t) > 1 and t.startswith("0") else 0 for t in texts)
    version = StyledVersion(
        raw, VersionKind.NUMBERED, m["prefix"], parts, widths,
        m.groupdict().get("pre"), build, build_sep,
    )
    tail = (f"-{version.prerelease}" if version.prerelease else "") + (
        f"+{build}" if build and build_sep == "+" else "")
    try:
        semver.Version.parse("{}.{}.{}".format(*version.core[:3]) + tail)  # semver's own rules
    except ValueError:
        _unreadable(raw)
    return version


def _unreadable(text: str, why: str = ""):
    because = f": {why}" if why else ""
    raise VersionError(
        f"cannot read {shown_version(text)} as a version{because} (expected a form like {EXAMPLES})",
        hint="state the current version with connver bump --from VERSION",
    )


def shown_version(text: str) -> str:
    """A version string quoted for a message, shortened when it is absurdly long.

    >>> shown_version("1.0")
    "'1.0'"
    >>> shown_version("2." + "9" * 5000)
    "'2.99999999999999999999999999999999999999...' (5002 characters)"
    """
    if len(text) <= 60:
        return repr(text)
    return f"{text[:40] + '...'!r} ({len(text)} characters)"


# --------------------------------------------------------------------------- writing

def _effective(current: StyledVersion, bump: Bump) -> Bump:
    """Below 1.0 everything moves one place right: breaking -> minor, the rest -> patch."""
    if current.core[0] == 0 and bump is not Bump.NONE:
        return Bump.MINOR if bump is Bump.MAJOR else Bump.PATCH
    return bump


def next_version(current: str, bump: Bump | str, *, today: _dt.date | None = None) -> str:
    """The version after ``current`` for a ``bump``, written in ``current``'s style.

    >>> [next_version("1.0", b) for b in ("major", "minor", "patch", "none")]
    ['2.0', '1.1', '1.0.1', '1.0']
    >>> next_version("v1", "minor"), next_version("V1.1", "major"), next_version("2", "patch")
    ('v1.1', 'V2.0', '2.0.1')
    >>> next_version("1.0.0.0", "minor"), next_version("0.3", "major"), next_version("0.3", "minor")
    ('1.1.0.0', '0.4', '0.3.1')
    >>> next_version("1.2.0-rc.1", "minor"), next_version("2.172.b245b93e", "minor")
    ('1.2.0', '2.173')
    >>> import datetime
    >>> next_version("2021-10-01", "patch", today=datetime.date(2024, 5, 6))
    '2024-05-06'
    """
    bump = Bump(bump)
    v = parse_version(current)
    if bump is Bump.NONE:
        return v.text
    if v.kind is VersionKind.DATE:
        return _next_date(v, today or _dt.date.today())
    effective = _effective(v, bump)
    old = v.semver
    if v.core[3] and v.prerelease:
        # 1.0.0.5-beta: releasing it (1.0.0.5) is less than any bump, so bump plainly.
        new = getattr(old, f"bump_{effective.value}")()
    else:
        new = old.next_version(effective.value)
    numbers = (new.major, new.minor, new.patch, 0)  # a fourth part restarts at 0
    last_nonzero = max((i for i, n in enumerate(numbers) if n), default=0)
    count = max(len(v.parts), last_nonzero + 1)
    return _format(v, numbers[:count], new.prerelease, new.build)


def _format(v: StyledVersion, numbers: Iterable[int], prerelease: str | None, build: str | None) -> str:
    widths = v.widths
    texts = [f"{n:0{widths[i]}d}" if i < len(widths) and widths[i] else str(n) for i, n in enumerate(numbers)]
    out = v.prefix + ".".join(texts)
    if prerelease:
        out += f"-{prerelease}"
    if build:
        out += f"{v.build_sep}{build}"
    return out


def _next_date(v: StyledVersion, today: _dt.date) -> str:
    assert v.date is not None
    if today <= v.date:
        raise VersionError(
            f"date version {v.text.strip()} is not earlier than today ({today.isoformat()}): "
            "there is no later date to suggest",
            hint="state the current version with connver bump --from VERSION",
        )
    return today.isoformat() + (f"-{v.suffix}" if v.suffix else "")


# --------------------------------------------------------------------------- checking

class CheckStatus(str, Enum):
    """What :func:`check_version` found. Only ``ok`` and ``larger`` pass."""

    OK = "ok"
    LARGER = "larger"  # bumped more than the changes need: a warning
    UNDER = "under-bumped"
    UNCHANGED = "unchanged"  # the definition changed, the version did not
    LOWER = "lower"  # the version went down
    MISSING = "missing"  # the new definition declares no info.version
    UNREADABLE = "unreadable"
    INCOMPARABLE = "incomparable"  # a date against a number

    @property
    def passed(self) -> bool:
        return self in (CheckStatus.OK, CheckStatus.LARGER)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class VersionCheck:
    """The declared version against the suggestion. ``message`` says which and by how much."""

    status: CheckStatus
    current: str
    declared: str | None
    required: Bump
    expected: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status.passed

    @property
    def warning(self) -> bool:
        return self.status is CheckStatus.LARGER


_PLACE = ("major", "minor", "patch", "fourth-part")


def _step(old: StyledVersion, new: StyledVersion) -> int | None:
    """Index of the first number that differs (0 = major), None when the numbers are equal."""
    for i, (a, b) in enumerate(zip(old.core, new.core)):
        if a != b:
            return i
    return None


def _step_words(old: StyledVersion, new: StyledVersion) -> str:
    i = _step(old, new)
    if i is None:
        return "a prerelease change"
    return f"a {_PLACE[i]} step"


def check_version(
    old_declared: str | None,
    new_declared: str | None,
    required: Bump | str,
    *,
    current: str | None = None,
    today: _dt.date | None = None,
) -> VersionCheck:
    """Check the version the new definition declares against the bump its changes need.

    ``current`` (``--from``) replaces the old declared version as the starting point. An
    unreadable starting point raises :class:`VersionError`; an unreadable or missing
    declared version is a failed check. Any version at or above the suggestion whose
    step is the one required passes; a bigger step passes with a warning (``larger``).

    >>> check_version("1.0", "1.1", "major").status.value
    'under-bumped'
    >>> check_version("1.0", "1.0", "minor").message
    'unchanged: the new definition still declares 1.0 although it changed; the changes need a minor bump, to 1.1'
    >>> check_version("1.4.0", "1.0", "patch").status.value, check_version("1.0", "3.0", "minor").status.value
    ('lower', 'larger')
    >>> check_version("1.0", "1.0.1", "patch").ok, check_version("1.0", "2.0-beta", "major").ok
    (True, True)
    """
    required = Bump(required)
    start_text = current if current is not None else old_declared
    start = parse_version(start_text)
    expected_text = next_version(start.text, required, today=today)
    expected = parse_version(expected_text)
    start_shown = start.text.strip()
    below_one = (" (below 1.0 a breaking change moves the minor, anything else the patch)"
                 if start.kind is VersionKind.NUMBERED and start.core[0] == 0 and required is not Bump.NONE else "")
    need = f"the changes need a {required} bump, to {expected_text.strip()}{below_one}"
    if required is Bump.NONE:
        need = f"nothing changed, so {start_shown} would do"

    def result(status: CheckStatus, message: str) -> VersionCheck:
        return VersionCheck(status, start.text, new_declared, required, expected_text, message)

    if new_declared is None:
        return result(CheckStatus.MISSING, f"missing: the new definition declares no info.version; {need}")
    try:
        new = parse_version(new_declared)
    except VersionError:
        return result(
            CheckStatus.UNREADABLE,
            f"unreadable: the new definition declares {shown_version(new_declared)}, which is not a version; {need}",
        )
    shown = new.text.strip()
    if new.kind is not start.kind:
        return result(
            CheckStatus.INCOMPARABLE,
            f"incomparable: the new definition declares {shown}, which cannot be compared with {start_shown}",
        )
    style = f" (only the style changed from {start_shown})" if shown != start_shown else ""
    if new.sort_key() < start.sort_key():
        how = "" if new.kind is VersionKind.DATE else f" ({_step_words(new, start)} down)"
        return result(
            CheckStatus.LOWER,
            f"lower: the new definition declares {shown}, lower than {start_shown}{how}; {need}",
        )
    if new.sort_key() == start.sort_key():
        if required is Bump.NONE:
            return result(CheckStatus.OK, f"ok: no changes, and the version stays {shown}{style}")
        return result(
            CheckStatus.UNCHANGED,
            f"unchanged: the new definition still declares {shown}{style} although it changed; {need}",
        )
    if new.kind is VersionKind.DATE:
        if required is Bump.NONE:
            return result(CheckStatus.LARGER, f"larger: {shown} is newer than {start_shown} although nothing changed")
        return result(CheckStatus.OK, f"ok: the new definition declares {shown}, later than {start_shown}")

    got = _step(start, new)
    want = _step(start, expected)
    if new.core < expected.core:
        return result(
            CheckStatus.UNDER,
            f"under-bumped: the new definition declares {shown}, {_step_words(start, new)} from "
            f"{start_shown}; {need}",
        )
    if required is Bump.NONE or (got is not None and want is not None and got < want):
        what = ("nothing changed" if required is Bump.NONE
                else f"a {required} bump ({expected_text.strip()}) would do{below_one}")
        return result(
            CheckStatus.LARGER,
            f"larger: the new definition declares {shown}, {_step_words(start, new)} from {start_shown}; {what}",
        )
    return result(
        CheckStatus.OK,
        f"ok: the new definition declares {shown}, the {required} bump the changes need",
    )


__all__ = [
    "Bump",
    "LEVEL_BUMP",
    "bump_level",
    "drivers",
    "VersionKind",
    "StyledVersion",
    "parse_version",
    "next_version",
    "CheckStatus",
    "VersionCheck",
    "check_version",
]

