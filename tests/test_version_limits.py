"""Absurd version strings (thousands of digits) are unreadable versions, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES
from connver.errors import VersionError
from connver.version import CheckStatus, check_version, parse_version

BUMP = FIXTURES / "bump"
HUGE = "2." + "9" * 5000  # more digits than Python converts to an int (4300)


def with_version(tmp_path: Path, name: str, version: str) -> Path:
    target = tmp_path / name
    shutil.copytree(BUMP / name, target)
    swagger = target / "apiDefinition.swagger.json"
    document = json.loads(swagger.read_text(encoding="utf-8"))
    document["info"]["version"] = version
    swagger.write_text(json.dumps(document), encoding="utf-8")
    return target


@pytest.mark.parametrize("text, why", [
    (HUGE, "longer than 128 characters"),
    ("1." + "9" * 21, "a number with more than 20 digits"),
    ("v" + "1" * 21, "a number with more than 20 digits"),
    ("1.0.0-beta." + "x" * 130, "longer than 128 characters"),
])
def test_absurd_versions_are_unreadable(text, why):
    with pytest.raises(VersionError, match=why):
        parse_version(text)


def test_twenty_digits_still_read():
    assert parse_version("1." + "9" * 20).parts == (1, 10 ** 20 - 1)


def test_the_message_shortens_the_version():
    with pytest.raises(VersionError) as caught:
        parse_version(HUGE)
    assert str(caught.value).startswith("cannot read '2.99999999999999999999999999999999999999...' (5002 characters) "
                                        "as a version: longer than 128 characters (expected a form like")
    assert len(str(caught.value)) < 300
    check = check_version("1.0", HUGE, "minor")
    assert check.status is CheckStatus.UNREADABLE
    assert len(check.message) < 300


def test_diff_json_has_no_next_for_a_huge_old_version(tmp_path):
    old = with_version(tmp_path, "v1", HUGE)
    result = CliRunner().invoke(cli, ["diff", str(old), str(BUMP / "additive"), "--format", "json"])
    assert result.exit_code == 0, result.output
    bump = json.loads(result.stdout)["bump"]
    assert bump["next"] is None and bump["current"] == HUGE
    assert bump["message"].startswith("cannot read '2.9999")


def test_bump_and_notes_with_a_huge_version_are_one_line_or_a_note(tmp_path):
    old = with_version(tmp_path, "v1", HUGE)
    result = CliRunner().invoke(cli, ["bump", str(old), str(BUMP / "additive")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("connver: error: cannot read '2.9999") and len(line) < 400
    result = CliRunner().invoke(cli, ["bump", str(BUMP / "v1"), str(BUMP / "additive"), "--from", "1." + "9" * 5000])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("connver: error: cannot read '1.9999")
    result = CliRunner().invoke(cli, ["notes", str(old), str(BUMP / "additive")])
    assert result.exit_code == 0, result.output
    assert "connver cannot suggest a version: cannot read '2.9999" in result.stdout


def test_an_absurd_operation_revision_counts_as_none(tmp_path):
    """A revision of 4300 nines parses (Python's limit), but one more would not print."""
    for side, suffix in (("a", ""), ("b", "X")):
        folder = tmp_path / side
        shutil.copytree(FIXTURES / "demo" / "old", folder)
        swagger = folder / "apiDefinition.swagger.json"
        document = json.loads(swagger.read_text(encoding="utf-8"))
        op = document["paths"]["/tasks"]["get"]
        op["x-ms-api-annotation"] = {"family": "ListTasks", "revision": "REVISION"}
        op["operationId"] += suffix
        swagger.write_text(json.dumps(document).replace('"REVISION"', "9" * 4300), encoding="utf-8")
    result = CliRunner().invoke(cli, ["bump", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["operations"]["findings"]
    could = [f for f in findings if f["kind"] == "breaking-could-be-revision"]
    assert could and could[0]["details"]["revision"] == 2, findings
