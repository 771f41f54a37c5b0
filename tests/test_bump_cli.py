"""``connver bump`` through the real CLI, and the ``bump`` object of ``connver diff``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import faults
from connver.cli.main import cli

from .conftest import FIXTURES

BUMP = FIXTURES / "bump"
SWAGGER = "apiDefinition.swagger.json"


def run(*args: str):
    return CliRunner().invoke(cli, ["bump", *map(str, args)])


def variant(tmp_path: Path, name: str, version: str | None = None, *, crlf=False, bom=False) -> Path:
    """A copy of fixtures/bump/<name> in tmp_path, with its info.version (and bytes) adjusted."""
    target = tmp_path / f"{name}-{version}-{int(crlf)}{int(bom)}"
    shutil.copytree(BUMP / name, target)
    path = target / SWAGGER
    data = path.read_bytes()
    if version is not None:
        data = data.replace(b'"version": "1.0"', b'"version": ' + json.dumps(version).encode(), 1)
        data = data.replace(b'"version": "1.1"', b'"version": ' + json.dumps(version).encode(), 1)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return target


@pytest.mark.parametrize(
    "new, declared, code, status, level, nxt",
    [
        ("breaking", "1.1", 1, "under-bumped", "major", "2.0"),
        ("breaking", "2.0", 0, "ok", "major", "2.0"),
        ("breaking", "1.0", 1, "unchanged", "major", "2.0"),
        ("additive", "1.1", 0, "ok", "minor", "1.1"),
        ("additive", "1.0", 1, "unchanged", "minor", "1.1"),
        ("additive", "0.9", 1, "lower", "minor", "1.1"),
        ("additive", "2.0", 0, "larger", "minor", "1.1"),
        ("cosmetic", "1.0.1", 0, "ok", "patch", "1.0.1"),
        ("cosmetic", "1.0", 1, "unchanged", "patch", "1.0.1"),
        ("revision", "1.1", 0, "ok", "minor", "1.1"),
        ("v1", "1.0", 0, "ok", "none", "1.0"),
        ("additive", "preview", 1, "unreadable", "minor", "1.1"),
    ],
)
def test_check_table(tmp_path, new, declared, code, status, level, nxt):
    result = run(BUMP / "v1", variant(tmp_path, new, declared), "--check", "--format", "json")
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert data["bump"]["status"] == status
    assert data["bump"]["level"] == level
    assert data["bump"]["next"] == nxt
    assert data["bump"]["declared"] == declared
    assert data["bump"]["current"] == "1.0"
    assert data["bump"]["ok"] is (code == 0)


def test_text_output_shows_level_next_and_the_changes_that_drove_it():
    result = run(BUMP / "v1", BUMP / "breaking")
    assert result.exit_code == 0  # without --check the verdict is information only
    out = result.stdout
    assert "Bump:     major (1 breaking)" in out
    assert "Next:     2.0" in out
    assert "Check:    under-bumped: the new definition declares 1.1, a minor step from 1.0; " \
           "the changes need a major bump, to 2.0" in out
    assert "operation DeleteItem was removed  [operation-removed]" in out
    assert "DeleteItem_V2" in out  # how it could have been a new revision


def test_drivers_most_severe_first_and_only_those_at_the_bump_level():
    data = json.loads(run(BUMP / "v1", BUMP / "revision", "-f", "json").stdout)
    assert [(d["level"], d["rule"]) for d in data["drivers"]] == [
        ("deprecation", "operation-deprecated"), ("additive", "operation-new-revision")]
    (family,) = data["operations"]["families"]
    assert family["family"] == "GetItems"
    assert [(m["operation"], m["revision"], m["deprecated"]) for m in family["members"]] == [
        ("GetItems", 1, True), ("GetItems_V2", 2, False)]
    assert data["operations"]["findings"] == []


def test_markdown_output():
    out = run(BUMP / "v1", BUMP / "breaking", "-f", "markdown").stdout
    assert out.startswith("## connver bump: Bump Sample 1.0 → Bump Sample 1.1\n")
    assert "| Bump | **major** (1 breaking) |" in out
    assert "| Next | `2.0` |" in out
    assert "| Check | **fails**: under-bumped" in out
    assert "| breaking | operation DeleteItem was removed | `operation/DeleteItem` | `operation-removed` |" in out


def test_limit_caps_the_listed_changes(tmp_path):
    out = run(BUMP / "v1", BUMP / "revision", "--limit", "1").stdout
    assert "... and 1 more (--limit 0 shows all)" in out
    assert "operation-new-revision" not in out


def test_larger_bump_is_a_warning_not_a_failure(tmp_path):
    result = run(BUMP / "v1", variant(tmp_path, "additive", "3.0"), "--check")
    assert result.exit_code == 0
    assert "connver: warning: larger: the new definition declares 3.0, a major step from 1.0; " \
           "a minor bump (1.1) would do" in result.stderr


def test_unreadable_current_version_needs_from(tmp_path):
    old = variant(tmp_path, "v1", "preview")
    result = run(old, BUMP / "additive", "--check")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == ("connver: error: cannot read 'preview' as a version (expected a form like 1.0, 1.0.0, "
                    "v1, V1.1, 1.0.0.0, 2, 1.2.0-beta, 2021-10-01) (state the current version with connver bump --from VERSION)")
    assert "Traceback" not in result.output
    stated = run(old, variant(tmp_path, "additive", "1.1"), "--check", "--from", "1.0")
    assert stated.exit_code == 0, stated.output
    assert "Next:     1.1" in stated.stdout


def test_date_versions_use_the_given_date(tmp_path):
    old = variant(tmp_path, "v1", "2021-10-01")
    new = variant(tmp_path, "additive", "2021-10-01")
    result = run(old, new, "--date", "2024-10-23", "-f", "json")
    assert json.loads(result.stdout)["bump"]["next"] == "2024-10-23"
    bad = run(old, new, "--date", "yesterday")
    assert bad.exit_code == 2 and "not a date in the form YYYY-MM-DD" in bad.stderr


@pytest.mark.parametrize("crlf, bom", [(False, False), (True, False), (True, True)])
def test_write_edits_only_the_version(tmp_path, crlf, bom):
    new = variant(tmp_path, "breaking", "1.1", crlf=crlf, bom=bom)
    before = (new / SWAGGER).read_bytes()
    result = run(BUMP / "v1", new, "--write")
    assert result.exit_code == 0, result.output
    assert f"connver: wrote version 2.0 to {new / SWAGGER} (was 1.1)" in result.stderr
    assert (new / SWAGGER).read_bytes() == before.replace(b'"version": "1.1"', b'"version": "2.0"', 1)
    # now the check passes, and writing again changes nothing
    assert run(BUMP / "v1", new, "--check").exit_code == 0
    again = run(BUMP / "v1", new, "--write")
    assert again.exit_code == 0 and "unchanged: it already declares 2.0" in again.stderr
    assert (new / SWAGGER).read_bytes() == before.replace(b'"version": "1.1"', b'"version": "2.0"', 1)


def test_write_a_single_swagger_file(tmp_path):
    new = variant(tmp_path, "additive", "1.0")
    single, old = tmp_path / "my-connector.json", tmp_path / "old.json"
    shutil.copy(new / SWAGGER, single)
    shutil.copy(BUMP / "v1" / SWAGGER, old)
    result = run(old, single, "--write")
    assert result.exit_code == 0, result.output
    assert json.loads(single.read_bytes())["info"]["version"] == "1.1"


def test_write_refuses_a_file_it_cannot_edit_safely(tmp_path):
    new = variant(tmp_path, "breaking")
    path = new / SWAGGER
    path.write_bytes(path.read_bytes().replace(b'"version": "1.1"', b'"version": 1.1', 1))
    before = path.read_bytes()
    result = run(BUMP / "v1", new, "--write")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("cannot edit info.version safely: info.version is 1.1, not a string")
    assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def _one_line(result, *needles: str) -> None:
    faults.one_line_error(result, *needles)


def test_write_through_a_symlink_keeps_the_link(tmp_path):
    """A link inside the connector folder is followed and kept; one out of it is never read."""
    new = variant(tmp_path, "breaking", "1.1")
    real = new / "versions" / "swagger.json"
    real.parent.mkdir()
    (new / SWAGGER).rename(real)
    (new / SWAGGER).symlink_to(real)
    assert run(BUMP / "v1", new, "--write").exit_code == 0
    assert (new / SWAGGER).is_symlink() and (new / SWAGGER).resolve() == real.resolve()
    assert json.loads(real.read_bytes())["info"]["version"] == "2.0"
    outside = tmp_path / "elsewhere.json"
    real.rename(outside)
    (new / SWAGGER).unlink()
    (new / SWAGGER).symlink_to(outside)
    refused = run(BUMP / "v1", new, "--write")
    assert refused.exit_code == 2 and "symbolic link out of the connector folder" in refused.stderr


def test_write_refuses_hard_links_and_read_only_files(tmp_path):
    new = variant(tmp_path, "breaking", "1.1")
    path = new / SWAGGER
    before = path.read_bytes()
    other = tmp_path / "another-name.json"
    os.link(path, other)
    result = run(BUMP / "v1", new, "--write")
    _one_line(result, f"{path}: has 2 hard links")
    assert result.stdout == ""  # refused before the report
    assert path.read_bytes() == before == other.read_bytes()
    other.unlink()
    path.chmod(0o444)
    _one_line(run(BUMP / "v1", new, "--write"), f"{path}: is a read-only file", "make it writable")
    assert path.read_bytes() == before


def test_write_into_a_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    new = variant(tmp_path, "breaking", "1.1")
    before = (new / SWAGGER).read_bytes()
    faults.deny_create(monkeypatch, new)
    _one_line(run(BUMP / "v1", new, "--write"), f"{new / SWAGGER}: cannot write it: permission denied")
    assert (new / SWAGGER).read_bytes() == before


def test_write_on_a_full_disk_leaves_the_file_whole(tmp_path, monkeypatch):
    new = variant(tmp_path, "breaking", "1.1")
    before = (new / SWAGGER).read_bytes()
    faults.disk_full(monkeypatch, new, after=10)
    _one_line(run(BUMP / "v1", new, "--write"), "no space left on the device", "nothing was changed")
    assert (new / SWAGGER).read_bytes() == before and faults.hidden_leftovers(new) == []


def test_write_refuses_git_sources(tmp_path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(BUMP / "breaking", repo / "conn")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(tmp_path), "PATH": os.defpath}
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([git, *args], cwd=repo, check=True, env=env)
    result = run(BUMP / "v1", "HEAD:conn", "--repo", repo, "--write")
    assert result.exit_code == 2
    assert "HEAD:conn: cannot write a version into a git source" in result.stderr
    checked = run(BUMP / "v1", "HEAD:conn", "--repo", repo, "--check")
    assert checked.exit_code == 1 and "under-bumped" in checked.stdout


def test_check_and_write_together_is_a_usage_error():
    result = run(BUMP / "v1", BUMP / "breaking", "--check", "--write")
    assert result.exit_code == 2 and "use --check or --write, not both" in result.stderr


def test_diff_output_carries_the_bump():
    result = CliRunner().invoke(cli, ["diff", str(BUMP / "v1"), str(BUMP / "breaking"), "-f", "json"])
    bump = json.loads(result.stdout)["bump"]
    assert {k: bump[k] for k in ("current", "level", "next", "declared", "ok")} == {
        "current": "1.0", "level": "major", "next": "2.0", "declared": "1.1", "ok": False}
    text = CliRunner().invoke(cli, ["diff", str(BUMP / "v1"), str(BUMP / "breaking")]).stdout
    assert "Version: major bump, 1.0 -> 2.0; declared 1.1: under-bumped" in text
    markdown = CliRunner().invoke(cli, ["diff", str(BUMP / "v1"), str(BUMP / "breaking"), "-f", "markdown"]).stdout
    assert "**Version:** major bump, `1.0` → `2.0`; declared `1.1`: under-bumped" in markdown


def test_diff_with_an_unreadable_version_still_diffs(tmp_path):
    result = CliRunner().invoke(cli, ["diff", str(variant(tmp_path, "v1", "preview")), str(BUMP / "additive"),
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    bump = json.loads(result.stdout)["bump"]
    assert (bump["current"], bump["level"], bump["next"], bump["ok"]) == ("preview", "minor", None, None)
    assert bump["message"].startswith("cannot read 'preview' as a version")


def test_the_core_does_not_import_click():
    code = ("import sys, connver.version, connver.bump, connver.rewrite, connver.opversions; "
            "print('click' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.e2e
def test_installed_command(tmp_path):
    exe = shutil.which("connver") or str(Path(sys.executable).parent / "connver")
    if not Path(exe).exists():
        pytest.skip("the connver command is not installed")
    done = subprocess.run([exe, "bump", str(BUMP / "v1"), str(BUMP / "breaking"), "--check"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "under-bumped" in done.stdout and done.stderr == ""


# --- the corpus: every consecutive pair -----------------------------------------------------

def consecutive_pairs(corpus: Path):
    for slug in sorted(p for p in (corpus / "history").iterdir() if p.is_dir()):
        versions = sorted(p for p in slug.iterdir() if p.is_dir())
        yield from ((slug.name, a, b) for a, b in zip(versions, versions[1:]))


@pytest.mark.corpus
def test_check_runs_on_every_corpus_pair(corpus):
    outcomes: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for slug, a, b in consecutive_pairs(corpus):
        result = run(a, b, "--check", "-f", "json")
        assert result.exit_code in (0, 1), (slug, a.name, b.name, result.output)
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
            (slug, a.name, b.name, result.exception)
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
        status = json.loads(result.stdout)["bump"]["status"]
        statuses[status] = statuses.get(status, 0) + 1
        assert (result.exit_code == 0) == (status in ("ok", "larger")), (slug, status)
    assert sum(outcomes.values()) == 145
    # most real edits did not bump the version they needed (see docs/bump.md)
    assert statuses["unchanged"] >= 100 and statuses["under-bumped"] >= 10


@pytest.mark.corpus
def test_the_readme_example_is_caught(corpus):
    history = corpus / "history" / "tyntec-wa"
    result = run(history / "01_415f1176", history / "02_5bd9f8d4", "--check")
    assert result.exit_code == 1
    assert "Check:    under-bumped: the new definition declares 1.1, a minor step from 1.0; " \
           "the changes need a major bump, to 2.0" in result.stdout
    assert "operation Send_WhatsApp was renamed to SendWhatsApp" in result.stdout
