"""`connver notes`: release notes and PR descriptions (golden files), the section mapping,
the what-to-do table, the version heading, and keeping Jinja2 off the diff path.

Fixtures: fixtures/notes/contoso/v1..v4. v1 -> v2 has every level, a rename, a deprecation
with a new revision (GetItem -> GetItemV2) and declares a version that is too low; v2 -> v3
changes the authentication; v3 -> v4 changes OAuth scopes (Security) and keeps 2.0.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from golden import check_golden
from connver import diff, load_connector
from connver.changes import Change, Level
from connver.notes import (
    GENERIC_TODO,
    SECTION_ORDER,
    Section,
    build_notes,
    section_for,
    template_fields,
    todo_for,
)
from connver.rules import all_rules, get_rule

ROOT = Path(__file__).resolve().parent.parent
CONTOSO = "fixtures/notes/contoso"
DATE = "2024-06-01"


@pytest.fixture
def run(monkeypatch):
    monkeypatch.chdir(ROOT)

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def notes_for(old: str, new: str, **options):
    result = diff(load_connector(str(ROOT / CONTOSO / old)), load_connector(str(ROOT / CONTOSO / new)))
    return build_notes(result, date=dt.date(2024, 6, 1), **options)


# --------------------------------------------------------------------------- golden files

@pytest.mark.parametrize("pair,args,name", [
    (("v1", "v2"), (), "v1-v2.md"),
    (("v1", "v2"), ("--verbose",), "v1-v2-verbose.md"),
    (("v1", "v2"), ("-f", "text"), "v1-v2.txt"),
    (("v1", "v2"), ("-f", "json"), "v1-v2.json"),
    (("v1", "v2"), ("--pr",), "v1-v2-pr.md"),
    (("v2", "v3"), (), "v2-v3-auth.md"),
    (("v2", "v3"), ("--pr",), "v2-v3-auth-pr.md"),
    (("v3", "v4"), (), "v3-v4-security.md"),
    (("v3", "v4"), ("--pr",), "v3-v4-security-pr.md"),
])
def test_notes_match_golden_files(run, pair, args, name):
    old, new = pair
    result = run("notes", f"{CONTOSO}/{old}", f"{CONTOSO}/{new}", "--date", DATE, *args)
    assert result.exit_code == 0, result.output
    check_golden(f"notes/{name}", result.output)


# --------------------------------------------------------------------------- what the notes say

def test_breaking_section_comes_first_and_sections_follow_keep_a_changelog_order():
    notes = notes_for("v1", "v2")
    names = [s.name for s in notes.sections]
    assert names[0] is Section.BREAKING
    assert names == sorted(names, key=SECTION_ORDER.index)
    assert names == [Section.BREAKING, Section.ADDED, Section.CHANGED, Section.DEPRECATED]


def test_entries_name_the_operation_as_the_designer_shows_it_with_its_id():
    notes = notes_for("v1", "v2")
    by_rule = {e.rule: e for s in notes.sections for e in s.entries}
    renamed = by_rule["operation-renamed"]
    assert (renamed.display, renamed.operation, renamed.was, renamed.kind) == (
        "Send a message", "PostMessage", "SendMessage", "action")
    # a change inside the renamed operation is shown under its new id too
    assert by_rule["response-property-removed"].operation == "PostMessage"
    assert by_rule["response-property-removed"].was == "SendMessage"
    assert by_rule["operation-new-revision"].operation == "GetItemV2"


def test_every_breaking_change_says_what_to_do():
    notes = notes_for("v1", "v2")
    breaking = notes.section(Section.BREAKING).entries
    assert len(breaking) == 3
    assert all(e.todo for e in breaking)
    todo = {e.rule: e.todo for e in breaking}
    assert todo["parameter-added-required"] == "Fill the new required field folder in every step that uses this action."
    assert "Re-add the action" in todo["operation-renamed"] and "PostMessage" in todo["operation-renamed"]


def test_a_deprecation_points_to_its_new_revision():
    entry = notes_for("v1", "v2").section(Section.DEPRECATED).entries[0]
    assert entry.operation == "GetItem"
    assert entry.todo == "Move your flows to GetItemV2 before this action is removed."


def test_an_auth_change_says_to_recreate_the_connection():
    notes = notes_for("v2", "v3")
    auth = next(e for e in notes.breaking if e.rule == "auth-type-changed")
    assert auth.todo.startswith("Recreate the connection")
    assert auth.operation is None and auth.display is None


def test_cosmetic_changes_fold_into_one_line_unless_verbose():
    folded = notes_for("v1", "v2").section(Section.CHANGED)
    assert len(folded.folded) == 3
    assert all(e.level is Level.COSMETIC for e in folded.folded)
    assert not any(e.level is Level.COSMETIC for e in folded.entries)
    assert folded.folded_line == "3 cosmetic changes (connector description, operation names and descriptions)"
    verbose = notes_for("v1", "v2", verbose=True).section(Section.CHANGED)
    assert verbose.folded == () and len(verbose.entries) == 4


def test_security_section_holds_oauth_changes():
    notes = notes_for("v3", "v4")
    security = notes.section(Section.SECURITY)
    assert [e.rule for e in security.entries] == ["oauth-settings-changed"]
    assert security.entries[0].todo == "Check that existing connections still sign in; recreate any that fail."


# --------------------------------------------------------------------------- the version heading

def test_a_too_low_declared_version_is_replaced_by_the_suggestion_saying_so():
    version = notes_for("v1", "v2").version
    assert (version.declared, version.suggested, version.heading, version.status) == ("1.1", "2.0", "2.0", "under-bumped")
    assert version.note.startswith("Version 2.0 is connver's suggestion: the new definition declares 1.1")


def test_a_fine_declared_version_heads_the_notes_without_a_note():
    version = notes_for("v2", "v3").version
    assert (version.heading, version.status, version.note) == ("2.0", "ok", None)


def test_an_unchanged_version_is_replaced_by_the_suggestion():
    version = notes_for("v3", "v4").version
    assert (version.declared, version.heading, version.status) == ("2.0", "2.1", "unchanged")


def test_a_missing_declared_version_gets_the_suggestion(tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    doc = json.loads((ROOT / CONTOSO / "v2" / "apiDefinition.swagger.json").read_text())
    del doc["info"]["version"]
    (new / "apiDefinition.swagger.json").write_text(json.dumps(doc))
    result = diff(load_connector(str(ROOT / CONTOSO / "v1")), load_connector(str(new)))
    version = build_notes(result, date=dt.date(2024, 6, 1)).version
    assert (version.declared, version.heading, version.status) == (None, "2.0", "missing")
    assert "declares no info.version" in version.note


def with_version(tmp_path: Path, source: str, version: str | None) -> Path:
    """A copy of fixture ``source`` declaring ``version`` (None: no info.version)."""
    folder = tmp_path / f"{source}-{version}"
    shutil.copytree(ROOT / CONTOSO / source, folder)
    doc = json.loads((folder / "apiDefinition.swagger.json").read_text())
    if version is None:
        del doc["info"]["version"]
    else:
        doc["info"]["version"] = version
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(doc))
    return folder


@pytest.mark.parametrize("declared,opening", [
    # the declared version opens the PR; a differing suggestion is named in the same sentence
    ("1.0", "and declares `1.0` (unchanged); connver suggests `2.0`."),
    ("1.1", "and declares `1.1` (too small a step for these changes); connver suggests `2.0`."),
    ("0.9", "and declares `0.9` (lower than `1.0`); connver suggests `2.0`."),
    (None, "and declares no version; connver suggests `2.0`."),
    # a bigger major step passes the check, but the suggestion still differs
    ("3.0", "and declares `3.0`; connver suggests `2.0`."),
])
def test_the_pr_opens_with_the_declared_version_and_names_a_differing_suggestion(run, tmp_path, declared, opening):
    new = with_version(tmp_path, "v2", declared)
    result = run("notes", "--pr", f"{CONTOSO}/v1", str(new), "--date", DATE)
    assert result.exit_code == 0, result.output
    first = result.stdout.split("\n\n")[1]
    assert first.startswith("Updates **Contoso Notes** from `1.0` with 3 breaking, ")
    assert first.endswith(opening)
    assert "to `2.0`" not in first


def test_the_pr_names_a_larger_step_than_needed(run, tmp_path):
    new = with_version(tmp_path, "v4", "3.0")  # v3 -> v4 needs a minor bump, to 2.1
    result = run("notes", "--pr", f"{CONTOSO}/v3", str(new), "--date", DATE)
    assert result.stdout.split("\n\n")[1] == (
        "Updates **Contoso Notes** from `2.0` with 1 risky and 1 additive changes, and declares `3.0` "
        "(a larger step than these changes need); connver suggests `2.1`.")


def test_the_pr_opens_with_old_and_new_when_the_declared_version_is_right(run):
    result = run("notes", "--pr", f"{CONTOSO}/v2", f"{CONTOSO}/v3", "--date", DATE)
    assert result.stdout.split("\n\n")[1] == "Updates **Contoso Notes** from `1.1` to `2.0`: 1 breaking change."


def test_an_unreadable_old_version_keeps_the_declared_one_and_says_why(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    doc = json.loads((ROOT / CONTOSO / "v1" / "apiDefinition.swagger.json").read_text())
    doc["info"]["version"] = "preview"
    (old / "apiDefinition.swagger.json").write_text(json.dumps(doc))
    result = diff(load_connector(str(old)), load_connector(str(ROOT / CONTOSO / "v2")))
    version = build_notes(result, date=dt.date(2024, 6, 1)).version
    assert (version.heading, version.status, version.suggested) == ("1.1", "no-suggestion", None)
    assert "cannot suggest a version" in version.note and "'preview'" in version.note
    assert "--from" not in version.note and "connver bump" not in version.note  # CLI advice is not notes text
    # --from gives a starting point
    version = build_notes(result, date=dt.date(2024, 6, 1), current="1.0").version
    assert (version.heading, version.status) == ("2.0", "under-bumped")


def test_an_unreadable_old_version_gives_the_from_hint_on_stderr_not_in_the_notes(run, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    doc = json.loads((ROOT / CONTOSO / "v1" / "apiDefinition.swagger.json").read_text())
    doc["info"]["version"] = "preview"
    (old / "apiDefinition.swagger.json").write_text(json.dumps(doc))
    for args in ((), ("--pr",), ("-f", "text")):
        result = run("notes", str(old), f"{CONTOSO}/v2", "--date", DATE, *args)
        assert result.exit_code == 0
        assert "cannot read 'preview' as a version" in result.stdout
        assert "--from" not in result.stdout and "connver bump" not in result.stdout
        assert result.stderr.splitlines() == [
            "connver: warning: cannot suggest a version: cannot read 'preview' as a version (expected a form like "
            "1.0, 1.0.0, v1, V1.1, 1.0.0.0, 2, 1.2.0-beta, 2021-10-01); state the current version with --from VERSION"]
    result = run("notes", str(old), f"{CONTOSO}/v2", "--date", DATE, "--from", "1.0")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.startswith("## [2.0] - 2024-06-01\n")


def test_no_changes_say_so(run):
    result = run("notes", f"{CONTOSO}/v1", f"{CONTOSO}/v1", "--date", DATE)
    assert result.exit_code == 0
    assert "No changes that affect users." in result.output
    assert result.output.startswith("## [1.0] - 2024-06-01\n")


# --------------------------------------------------------------------------- the rows

def test_a_rule_raised_to_breaking_gets_the_generic_sentence():
    change = Change("script-changed", Level.BREAKING, "script.csx", details=(("what", "changed"),))
    assert get_rule("script-changed").todo is None
    assert todo_for(change) == GENERIC_TODO.format(kind="connector")
    assert todo_for(Change("script-changed", Level.RISKY, "script.csx")) is None


@pytest.mark.parametrize("rule,level,section", [
    ("operation-removed", Level.BREAKING, Section.BREAKING),
    ("auth-type-changed", Level.BREAKING, Section.BREAKING),
    ("operation-added", Level.ADDITIVE, Section.ADDED),
    ("operation-new-revision", Level.ADDITIVE, Section.ADDED),
    ("parameter-became-optional", Level.ADDITIVE, Section.CHANGED),
    ("operation-undeprecated", Level.ADDITIVE, Section.CHANGED),
    ("host-changed", Level.RISKY, Section.CHANGED),
    ("operation-summary-changed", Level.COSMETIC, Section.CHANGED),
    ("operation-deprecated", Level.DEPRECATION, Section.DEPRECATED),
    ("operation-removed", Level.RISKY, Section.REMOVED),  # lowered by configuration
    ("oauth-settings-changed", Level.RISKY, Section.SECURITY),
    ("auth-type-changed", Level.RISKY, Section.SECURITY),  # lowered by configuration
])
def test_section_mapping(rule, level, section):
    assert section_for(Change(rule, level, "x")) is section


def test_fixed_is_never_filled_automatically():
    for rule in all_rules():
        assert section_for(Change(rule.id, rule.level, "x")) is not Section.FIXED


# --------------------------------------------------------------------------- the CLI

def test_json_is_the_data(run):
    data = json.loads(run("notes", f"{CONTOSO}/v1", f"{CONTOSO}/v2", "--date", DATE, "-f", "json").output)
    assert data["schema"] == "connver-notes/1"
    assert data["date"] == DATE and data["version"]["heading"] == "2.0"
    assert [s["name"] for s in data["sections"]] == ["Breaking changes", "Added", "Changed", "Deprecated"]
    assert data["affects_users"] == "breaking"


def test_pr_with_text_format_is_a_usage_error(run):
    result = run("notes", f"{CONTOSO}/v1", f"{CONTOSO}/v2", "--pr", "-f", "text")
    assert result.exit_code == 2
    assert "--pr writes markdown or json" in result.output


def test_bad_date_is_a_usage_error(run):
    result = run("notes", f"{CONTOSO}/v1", f"{CONTOSO}/v2", "--date", "June 1st")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_missing_source_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["notes", str(tmp_path / "nope"), str(ROOT / CONTOSO / "v1")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("connver: error: ")


def test_default_date_is_today(run):
    result = run("notes", f"{CONTOSO}/v2", f"{CONTOSO}/v3")
    assert result.output.startswith(f"## [2.0] - {dt.date.today().isoformat()}\n")


def test_jinja2_stays_off_the_diff_path_and_out_of_the_core():
    code = (
        "import sys\n"
        "import connver.notes, connver.changelog\n"
        "assert 'jinja2' not in sys.modules and 'click' not in sys.modules, 'core'\n"
        "from click.testing import CliRunner\n"
        "from connver.cli.main import cli\n"
        f"r = CliRunner().invoke(cli, ['diff', {str(ROOT / CONTOSO / 'v1')!r}, {str(ROOT / CONTOSO / 'v2')!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('jinja2' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
