"""Version styles, bump levels and the declared-version check (versioning.version)."""

from __future__ import annotations

import datetime as dt

import pytest

from connver.changes import Change, Level
from connver.errors import InputError, VersionError
from connver.version import (
    Bump,
    CheckStatus,
    bump_level,
    check_version,
    drivers,
    next_version,
    parse_version,
)

TODAY = dt.date(2024, 10, 23)


def change(level: Level, rule: str = "some-rule", location: str = "operation/X") -> Change:
    return Change(rule, level, location, operation="X")


# --- changes -> bump ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "levels, expected",
    [
        ((), Bump.NONE),
        ((Level.COSMETIC,), Bump.PATCH),
        ((Level.COSMETIC, Level.COSMETIC), Bump.PATCH),
        ((Level.ADDITIVE,), Bump.MINOR),
        ((Level.DEPRECATION,), Bump.MINOR),
        ((Level.RISKY,), Bump.MINOR),
        ((Level.COSMETIC, Level.ADDITIVE), Bump.MINOR),
        ((Level.BREAKING,), Bump.MAJOR),
        ((Level.COSMETIC, Level.BREAKING, Level.RISKY), Bump.MAJOR),
    ],
)
def test_bump_level(levels, expected):
    assert bump_level(change(lv) for lv in levels) is expected


def test_drivers_are_the_changes_at_the_bump_level_most_severe_first():
    changes = [
        change(Level.COSMETIC, "summary-changed", "operation/A"),
        change(Level.ADDITIVE, "operation-added", "operation/B"),
        change(Level.RISKY, "default-changed", "operation/C"),
    ]
    picked = drivers(changes, bump_level(changes))
    assert [c.rule for c in picked] == ["default-changed", "operation-added"]


# --- next version, every style and level ----------------------------------------------------

NEXT = [
    # current,        major,            minor,          patch
    ("1.0", "2.0", "1.1", "1.0.1"),
    ("1.3", "2.0", "1.4", "1.3.1"),
    ("1.0.0", "2.0.0", "1.1.0", "1.0.1"),
    ("1.0.7", "2.0.0", "1.1.0", "1.0.8"),
    ("v1", "v2", "v1.1", "v1.0.1"),
    ("v1.0", "v2.0", "v1.1", "v1.0.1"),
    ("V1.1", "V2.0", "V1.2", "V1.1.1"),
    ("1.0.0.0", "2.0.0.0", "1.1.0.0", "1.0.1.0"),
    ("8.3.4.0", "9.0.0.0", "8.4.0.0", "8.3.5.0"),
    ("1.2.3.4", "2.0.0.0", "1.3.0.0", "1.2.4.0"),
    ("2", "3", "2.1", "2.0.1"),
    ("1", "2", "1.1", "1.0.1"),
    # below 1.0: breaking bumps the minor, everything else the patch
    ("0.1", "0.2", "0.1.1", "0.1.1"),
    ("0.1.0", "0.2.0", "0.1.1", "0.1.1"),
    ("v0.9", "v0.10", "v0.9.1", "v0.9.1"),
    ("0", "0.1", "0.0.1", "0.0.1"),
    # prerelease: semver's next_version (a prerelease is released when that is enough)
    ("1.0.0-beta", "1.0.0", "1.0.0", "1.0.0"),
    ("1.2.0-rc.1", "2.0.0", "1.2.0", "1.2.0"),
    ("1.2.3-rc.1", "2.0.0", "1.3.0", "1.2.3"),
    ("2.0-beta", "2.0", "2.0", "2.0"),
    ("1.0.0.5-beta", "2.0.0.0", "1.1.0.0", "1.0.1.0"),
    # build metadata is dropped, as semver bumps do
    ("1.2.3+build.7", "2.0.0", "1.3.0", "1.2.4"),
    # a trailing commit hash is build metadata: dropped, the numbers bump
    ("2.172.b245b93e", "3.0", "2.173", "2.172.1"),
    ("2.227.915b4950", "3.0", "2.228", "2.227.1"),
    ("2.218.16783717", "3.0.0", "2.219.0", "2.218.16783718"),
    # zero padding is kept where a part had it
    ("2020.4.01", "2021.0.00", "2020.5.00", "2020.4.02"),
]


@pytest.mark.parametrize("current, major, minor, patch", NEXT)
def test_next_version_keeps_the_style(current, major, minor, patch):
    assert next_version(current, Bump.MAJOR) == major
    assert next_version(current, Bump.MINOR) == minor
    assert next_version(current, Bump.PATCH) == patch
    assert next_version(current, Bump.NONE) == current


@pytest.mark.parametrize("current", [row[0] for row in NEXT])
def test_next_version_is_always_higher(current):
    now = parse_version(current).sort_key()
    for bump in (Bump.MAJOR, Bump.MINOR, Bump.PATCH):
        assert parse_version(next_version(current, bump)).sort_key() > now


@pytest.mark.parametrize(
    "current, expected",
    [("2021-10-01", "2024-10-23"), ("2021-10-01-preview", "2024-10-23-preview")],
)
def test_date_versions_move_to_today(current, expected):
    for bump in (Bump.MAJOR, Bump.MINOR, Bump.PATCH):
        assert next_version(current, bump, today=TODAY) == expected
    assert next_version(current, Bump.NONE, today=TODAY) == current


def test_date_version_not_before_today_is_refused():
    with pytest.raises(VersionError, match="not earlier than today"):
        next_version("2024-10-23", Bump.MINOR, today=TODAY)


def test_accepts_bump_as_text():
    assert next_version("1.0", "major") == "2.0"


@pytest.mark.parametrize(
    "text",
    ["preview", "latest", "", "   ", "1.0.0.0.0", "1.x", "v", "2021-13-45", "1.0.0-", "version 1", "1..0",
     "1.0.0-01", "2.172.zzz"],
)
def test_unreadable_versions_get_a_clear_message_and_no_guess(text):
    with pytest.raises(VersionError) as info:
        next_version(text, Bump.MINOR)
    message = str(info.value)
    assert repr(text) in message
    assert "--from" in message
    assert isinstance(info.value, InputError)


def test_missing_version_is_a_version_error():
    with pytest.raises(VersionError, match="no info.version"):
        next_version(None, Bump.MINOR)  # type: ignore[arg-type]


def test_parse_keeps_the_style():
    v = parse_version("V1.1")
    assert (v.prefix, v.parts, v.prerelease, v.build) == ("V", (1, 1), None, None)
    v = parse_version("1.2.0-beta.2+exp.sha")
    assert (v.parts, v.prerelease, v.build, v.build_sep) == ((1, 2, 0), "beta.2", "exp.sha", "+")
    v = parse_version("2.172.b245b93e")
    assert (v.parts, v.build, v.build_sep) == ((2, 172), "b245b93e", ".")
    assert parse_version("2021-10-01").kind.value == "date"


def test_precedence_ignores_build_and_orders_prereleases():
    key = lambda s: parse_version(s).sort_key()  # noqa: E731
    assert key("1.0") == key("1.0.0") == key("1.0.0+abc") == key("v1")
    assert key("1.0.0-alpha") < key("1.0.0-beta") < key("1.0.0")
    assert key("1.0.0.6-beta") > key("1.0.0.5")
    assert key("2.172.b245b93e") < key("2.218.16783717") < key("2.227.915b4950")


# --- the declared version against the suggestion --------------------------------------------

CHECKS = [
    # old,       new,        required, status
    ("1.0", "2.0", Bump.MAJOR, CheckStatus.OK),
    ("1.0", "2.0.0", Bump.MAJOR, CheckStatus.OK),
    ("1.0", "2.1", Bump.MAJOR, CheckStatus.OK),
    ("1.0", "1.1", Bump.MAJOR, CheckStatus.UNDER),
    ("1.0", "1.0.1", Bump.MINOR, CheckStatus.UNDER),
    ("1.0", "1.0", Bump.MAJOR, CheckStatus.UNCHANGED),
    ("1.0", "1.0.0", Bump.PATCH, CheckStatus.UNCHANGED),
    ("v1.0", "1.0", Bump.MAJOR, CheckStatus.UNCHANGED),
    ("1.4.0", "1.0", Bump.PATCH, CheckStatus.LOWER),
    ("1.0", "1.1", Bump.MINOR, CheckStatus.OK),
    ("1.0", "1.0.1", Bump.PATCH, CheckStatus.OK),
    ("1.0", "1.1", Bump.PATCH, CheckStatus.LARGER),
    ("1.5", "3.0", Bump.MINOR, CheckStatus.LARGER),
    ("1.0", "1.0", Bump.NONE, CheckStatus.OK),
    ("1.0", "1.1", Bump.NONE, CheckStatus.LARGER),
    ("1.0", "0.9", Bump.NONE, CheckStatus.LOWER),
    ("1.0", None, Bump.MINOR, CheckStatus.MISSING),
    ("1.0", "preview", Bump.MINOR, CheckStatus.UNREADABLE),
    ("1.0", "2021-10-01", Bump.MINOR, CheckStatus.INCOMPARABLE),
    # four parts: the third is the patch; a fourth-part step is less than one
    ("1.0.0.0", "1.0.1.0", Bump.PATCH, CheckStatus.OK),
    ("1.0.0.0", "1.0.0.1", Bump.PATCH, CheckStatus.UNDER),
    ("1.0.0.0", "1.1.0.0", Bump.MINOR, CheckStatus.OK),
    # below 1.0 a breaking change needs the minor
    ("0.1", "0.2", Bump.MAJOR, CheckStatus.OK),
    ("0.1", "0.1.1", Bump.MAJOR, CheckStatus.UNDER),
    ("0.1", "1.0", Bump.MAJOR, CheckStatus.LARGER),
    ("0.1", "0.1.1", Bump.MINOR, CheckStatus.OK),
    # prereleases: a prerelease of the needed version is enough
    ("1.0", "2.0.0-beta", Bump.MAJOR, CheckStatus.OK),
    ("1.0.0-beta", "1.0.0-rc.1", Bump.MAJOR, CheckStatus.OK),
    ("1.0.0-beta", "1.0.0-beta", Bump.MAJOR, CheckStatus.UNCHANGED),
    ("1.0.0", "1.0.0-rc.1", Bump.PATCH, CheckStatus.LOWER),
    # odd styles
    ("2.172.b245b93e", "2.218.16783717", Bump.MINOR, CheckStatus.OK),
    ("2.172.b245b93e", "2.172.c0ffee00", Bump.PATCH, CheckStatus.UNCHANGED),
    ("2020.4.01", "1.3.0", Bump.MINOR, CheckStatus.LOWER),
    ("2021-10-01", "2022-01-01", Bump.MAJOR, CheckStatus.OK),
    ("2021-10-01", "2021-10-01", Bump.PATCH, CheckStatus.UNCHANGED),
    ("2021-10-01", "2021-09-01", Bump.PATCH, CheckStatus.LOWER),
]


@pytest.mark.parametrize("old, new, required, status", CHECKS)
def test_check_version(old, new, required, status):
    result = check_version(old, new, required, today=TODAY)
    assert result.status is status
    assert result.ok is status.passed
    assert result.message.startswith(status.value)


def test_check_messages_say_by_how_much():
    under = check_version("1.0", "1.1", Bump.MAJOR)
    assert under.message == (
        "under-bumped: the new definition declares 1.1, a minor step from 1.0; "
        "the changes need a major bump, to 2.0"
    )
    assert under.expected == "2.0" and not under.ok and not under.warning
    lower = check_version("1.4.0", "1.0", Bump.PATCH)
    assert "lower than 1.4.0 (a minor step down)" in lower.message
    larger = check_version("1.5", "3.0", Bump.MINOR)
    assert larger.ok and larger.warning
    assert "a major step from 1.5; a minor bump (1.6) would do" in larger.message
    pre = check_version("0.1", "2.0", Bump.MAJOR)
    assert pre.message == ("larger: the new definition declares 2.0, a major step from 0.1; a major bump (0.2) "
                           "would do (below 1.0 a breaking change moves the minor, anything else the patch)")
    style = check_version("v1.0", "1.0", Bump.MINOR)
    assert "only the style changed from v1.0" in style.message


def test_from_version_replaces_the_old_declared_one():
    result = check_version("preview", "1.1", Bump.MINOR, current="1.0")
    assert result.status is CheckStatus.OK and result.current == "1.0"


def test_unreadable_starting_point_raises():
    with pytest.raises(VersionError, match="'preview'"):
        check_version("preview", "1.1", Bump.MINOR)
    with pytest.raises(VersionError, match="'latest'"):
        check_version("1.0", "1.1", Bump.MINOR, current="latest")
