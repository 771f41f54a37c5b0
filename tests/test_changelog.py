"""`connver changelog`: a CHANGELOG.md from a real git history (golden file), grouping by
declared version, commits that do not count, unreadable commits, and `--update` (keeps
hand-written text, idempotent, refuses hand edits inside the markers, --check, --force).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import faults
from connver.cli.main import cli
from golden import check_golden
from history_repo import build_history, commit_files, folder_files, init_repo
from connver.changelog import END_MARKER, START_MARKER, update_document, wrap_block
from connver.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CONTOSO = ROOT / "fixtures" / "notes" / "contoso"
FOLDER = "certified-connectors/Contoso Notes"
HISTORY = [
    (CONTOSO / "v1", "2024-01-15T10:00:00+01:00", "Contoso Notes (#101)"),
    (CONTOSO / "v2", "2024-02-20T09:30:00+01:00", "Contoso Notes: items and messages (#140)"),
    (CONTOSO / "v3", "2024-04-02T16:45:00+02:00", "Contoso Notes: OAuth 2.0 (#188)"),
    (CONTOSO / "v4", "2024-05-10T11:00:00+02:00", "Contoso Notes: message priority (#203)"),
]


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "connectors"
    build_history(path, FOLDER, HISTORY)
    return path


def changelog(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", FOLDER, *args],
                              catch_exceptions=False)


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("## ")]


# --------------------------------------------------------------------------- output

def test_changelog_matches_golden_file(repo):
    result = changelog(repo)
    assert result.exit_code == 0, result.output
    check_golden("notes/changelog.md", result.output)


def test_one_section_per_declared_version_newest_first(repo):
    out = changelog(repo).output
    # v3 and v4 both declare 2.0: one section, dated by its last commit
    assert headings(out) == ["## [2.0] - 2024-05-10", "## [1.1] - 2024-02-20", "## [1.0] - 2024-01-15"]
    section = out.split("## [2.0] - 2024-05-10")[1].split("## [1.1]")[0]
    assert "2 commits:" in section and "OAuth 2.0 (#188)" in section and "priority (#203)" in section
    # the 2.0 section lists every change since 1.1 (v2 -> v4): the auth change and the new field
    assert "Authentication changed from apiKey" in section and "Recreate the connection" in section
    assert "Optional body field body/priority was added" in section


def test_the_declared_version_heads_a_section_and_a_too_low_one_is_flagged(repo):
    out = changelog(repo).output
    section = out.split("## [1.1] - 2024-02-20")[1].split("## [1.0]")[0]
    assert "> The new definition declares 1.1, a minor step from 1.0; the changes need a major bump, to 2.0." in section
    assert section.index("### Breaking changes") < section.index("### Added") < section.index("### Deprecated")


def test_json_lists_versions_with_commits(repo):
    data = json.loads(changelog(repo, "-f", "json").output)
    assert data["schema"] == "connver-changelog/1" and data["title"] == "Contoso Notes"
    assert [v["heading"] for v in data["versions"]] == ["2.0", "1.1", "1.0"]
    assert [len(v["commits"]) for v in data["versions"]] == [2, 1, 1]
    assert data["versions"][-1]["initial"] == {"operations": 4, "actions": 3, "triggers": 1, "helpers": 0,
                                             "deprecated": 0}
    assert data["versions"][-1]["notes"] is None


def test_commits_that_leave_the_definition_alone_do_not_count(repo):
    commit_files(repo, FOLDER, {"Readme.md": b"# Contoso Notes\n"}, "2024-05-20T10:00:00+02:00",
                 "Readme only (#210)", replace=False)
    files = folder_files(CONTOSO / "v4")
    files["apiDefinition.swagger.json"] = files["apiDefinition.swagger.json"].replace(b'"version": "2.0"', b'"version": "2.0.1"')
    commit_files(repo, FOLDER, files, "2024-06-03T10:00:00+02:00", "Contoso Notes 2.0.1 (#215)")
    out = changelog(repo).output
    assert "Readme only" not in out
    assert headings(out)[0] == "## [2.0.1] - 2024-06-03"
    assert "No changes that affect users." in out.split("## [2.0]")[0]


def test_an_unreadable_commit_is_kept_and_said(repo):
    files = folder_files(CONTOSO / "v4")
    files["apiDefinition.swagger.json"] = b'{"swagger": "2.0", "info": {"version": "2.0"\n "paths": {}}'
    commit_files(repo, FOLDER, files, "2024-06-03T10:00:00+02:00", "Broken (#216)")
    result = changelog(repo)
    assert result.exit_code == 0
    assert headings(result.output)[0] == "## [unreadable] - 2024-06-03"
    assert "> Could not be read: " in result.output
    assert "apiDefinition.swagger.json:2:2" in result.stderr and result.stderr.startswith("connver: warning: ")


def test_a_history_no_version_of_which_can_be_read_names_no_title(tmp_path):
    # a real folder of the public repository: both of its commits lack one comma
    repo = tmp_path / "connectors"
    init_repo(repo)
    broken = b'{"swagger": "2.0", "info": {"title": "Never read", "version": "1.0"\n "paths": {}}'
    for when, message in (("2024-01-15T10:00:00+01:00", "Added (#1)"), ("2024-02-20T10:00:00+01:00", "Again (#2)")):
        commit_files(repo, FOLDER, {"apiDefinition.swagger.json": broken + message.encode()}, when, message)
    result = changelog(repo)
    assert result.exit_code == 0, result.output
    assert "All notable changes to this connector, newest first" in result.output
    assert result.output.count("> Could not be read: ") == 2


def test_a_path_without_history_is_one_line_and_exit_2(repo):
    result = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", "certified-connectors/Nope"])
    assert result.exit_code == 2
    assert result.stderr.startswith("connver: error: certified-connectors/Nope: no commit")


@pytest.mark.parametrize("args,message", [
    ((), "give either CONNECTOR"),
    (("contoso", "--path", FOLDER), "give either CONNECTOR"),
    (("--path", FOLDER, "--check"), "--check and --force go with --update"),
    # the file name given to --check is read as CONNECTOR: say what --check needs, not "not both"
    (("--path", FOLDER, "--check", "CHANGELOG.md"),
     "--check is a flag that goes with --update FILE: write --update CHANGELOG.md --check"),
    (("--path", FOLDER, "--force", "CHANGELOG.md"), "--force is a flag that goes with --update FILE"),
])
def test_usage_errors(repo, args, message):
    result = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), *args])
    assert result.exit_code == 2
    assert message in result.output


# --------------------------------------------------------------------------- --update

HAND_WRITTEN = """# Changelog

Hand-written introduction: we publish this connector for Contoso.

## [Unreleased]

- Fixed: a typo in the Send a message description (not yet released).

## Older history

Versions before 1.0 were private previews.
"""


def test_update_creates_the_file(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    result = changelog(repo, "--update", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"{target}: written (3 versions)\n"
    assert target.read_text() == changelog(repo).output


def test_update_keeps_hand_written_text_and_is_idempotent(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    assert changelog(repo, "--update", str(target)).exit_code == 0
    first = target.read_bytes()
    text = first.decode()
    for line in HAND_WRITTEN.splitlines():
        assert line in text.splitlines()
    # the block goes after Unreleased and before the first older heading
    assert text.index("## [Unreleased]") < text.index(START_MARKER) < text.index("## [2.0]") \
        < text.index(END_MARKER) < text.index("## Older history")
    again = changelog(repo, "--update", str(target))
    assert again.exit_code == 0 and again.output == f"{target}: up to date\n"
    assert target.read_bytes() == first


def test_update_rewrites_only_between_the_markers(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    changelog(repo, "--update", str(target))
    edited = target.read_text().replace("Hand-written introduction", "Edited introduction") + "\nA footer.\n"
    target.write_text(edited)
    # a new commit with a new version
    files = folder_files(CONTOSO / "v4")
    files["apiDefinition.swagger.json"] = files["apiDefinition.swagger.json"].replace(b'"version": "2.0"', b'"version": "2.0.1"')
    commit_files(repo, FOLDER, files, "2024-06-03T10:00:00+02:00", "Contoso Notes 2.0.1 (#215)")
    assert changelog(repo, "--update", str(target)).exit_code == 0
    text = target.read_text()
    assert "Edited introduction" in text and text.endswith("\nA footer.\n")
    assert headings(text)[:3] == ["## [Unreleased]", "## [2.0.1] - 2024-06-03", "## [2.0] - 2024-05-10"]
    outside = [line for line in edited.splitlines() if not _inside(edited, line)]
    assert all(line in text.splitlines() for line in outside)


def _inside(text: str, line: str) -> bool:
    start, end = text.index(START_MARKER), text.index(END_MARKER)
    return line.strip() and line in text[start:end + len(END_MARKER)]


def test_check_exits_1_when_out_of_date_and_0_when_current(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    result = changelog(repo, "--update", str(target), "--check")
    assert result.exit_code == 1
    assert target.read_text() == HAND_WRITTEN  # --check writes nothing
    changelog(repo, "--update", str(target))
    assert changelog(repo, "--update", str(target), "--check").exit_code == 0


def test_a_hand_edited_block_is_refused_unless_forced(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    changelog(repo, "--update", str(target))
    edited = target.read_text().replace("First version in this history", "Our first release")
    target.write_text(edited)
    result = changelog(repo, "--update", str(target))
    assert result.exit_code == 2
    assert "between the connver markers were edited by hand" in result.stderr
    assert target.read_text() == edited
    assert changelog(repo, "--update", str(target), "--force").exit_code == 0
    assert "Our first release" not in target.read_text()


def test_update_document_keeps_crlf_and_rejects_broken_markers():
    block = "## [1.0] - 2024-01-01\n\nFirst version.\n"
    existing = "# Changelog\r\n\r\nIntro.\r\n"
    out = update_document(existing, block)
    assert out.startswith(existing) and "\r\n" + START_MARKER in out and "\n" not in out.replace("\r\n", "")
    assert update_document(out, block) == out
    with pytest.raises(InputError, match="markers are broken"):
        update_document(wrap_block(block) + END_MARKER + "\n", block)


def _one_line(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("connver: error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_a_full_disk_leaves_the_file_whole(repo, tmp_path, monkeypatch):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    failed = faults.disk_full(monkeypatch, tmp_path, after=100)
    result = changelog(repo, "--update", str(target))
    _one_line(result, str(target), "no space left", "nothing was changed")
    assert failed and target.read_text() == HAND_WRITTEN
    assert faults.hidden_leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_one_line(repo, tmp_path, monkeypatch):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    faults.deny_create(monkeypatch, tmp_path)
    _one_line(changelog(repo, "--update", str(target)), str(target), f"permission denied in the folder {tmp_path}")
    assert target.read_text() == HAND_WRITTEN


def test_a_missing_folder_is_one_line(repo, tmp_path):
    target = tmp_path / "nonexist" / "dir" / "C.md"
    _one_line(changelog(repo, "--update", str(target)), str(target), "no such file or folder")
    assert not (tmp_path / "nonexist").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_device_is_refused_before_it_is_read(repo):
    _one_line(changelog(repo, "--update", "/dev/full"), "/dev/full: is not a regular file")
    _one_line(changelog(repo, "--update", "/dev/full", "--check"), "is not a regular file")


def test_read_only_and_hard_linked_files_are_refused(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(HAND_WRITTEN)
    target.chmod(0o444)
    _one_line(changelog(repo, "--update", str(target)), "is a read-only file", "chmod u+w")
    assert target.read_text() == HAND_WRITTEN
    assert changelog(repo, "--update", str(target), "--check").exit_code == 1  # reading is fine
    target.chmod(0o644)
    other = tmp_path / "other-name.md"
    os.link(target, other)
    _one_line(changelog(repo, "--update", str(target)), "has 2 hard links")
    assert target.read_text() == HAND_WRITTEN == other.read_text()


def test_a_symlink_stays_a_link_and_the_mode_is_kept(repo, tmp_path):
    real = tmp_path / "docs" / "CHANGELOG.md"
    real.parent.mkdir()
    real.write_text(HAND_WRITTEN)
    real.chmod(0o640)
    link = tmp_path / "CHANGELOG.md"
    link.symlink_to(Path("docs") / "CHANGELOG.md")
    assert changelog(repo, "--update", str(link)).exit_code == 0
    assert link.is_symlink() and START_MARKER in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_usual_mode(repo, tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "CHANGELOG.md"
        assert changelog(repo, "--update", str(target)).exit_code == 0
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


MARKED = "# Changelog\n\n{start}\n{inside}{end}\nA footer.\n"


def test_a_block_without_checksum_is_refused_unless_forced(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    for start in ("<!-- connver:changelog:start -->", "<!-- connver:changelog:start sha256=xyz -->"):
        text = MARKED.format(start=start, inside="my notes\n", end=END_MARKER)
        target.write_text(text)
        _one_line(changelog(repo, "--update", str(target)), "carries no checksum",
                  "line 4 between the markers may have been written by hand", "--force")
        assert target.read_text() == text
    assert changelog(repo, "--update", str(target), "--force").exit_code == 0
    assert "my notes" not in target.read_text() and target.read_text().endswith("\nA footer.\n")


def test_empty_markers_placed_by_hand_are_filled(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(MARKED.format(start="<!-- connver:changelog:start -->", inside="", end=END_MARKER))
    assert changelog(repo, "--update", str(target)).exit_code == 0
    text = target.read_text()
    assert text.startswith("# Changelog\n\n" + START_MARKER + " generated") and "## [2.0]" in text
    assert text.endswith(END_MARKER + "\nA footer.\n")


def test_one_crlf_line_keeps_every_hand_written_line_byte_for_byte(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    original = HAND_WRITTEN.encode() + b"A line pasted from Windows.\r\n"
    target.write_bytes(original)
    assert changelog(repo, "--update", str(target)).exit_code == 0
    data = target.read_bytes()
    assert data.count(b"\r\n") == 1  # the generated lines take the dominant LF
    start, end = data.index(START_MARKER.encode()), data.index(END_MARKER.encode()) + len(END_MARKER) + 1
    outside = data[:start] + data[end:]
    assert outside.replace(b"\n\n## Older", b"\n## Older") == original  # plus the blank line before the block
    assert changelog(repo, "--update", str(target)).output.endswith("up to date\n")


def test_a_crlf_file_stays_crlf_and_a_lone_lf_line_stays_lf(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    original = HAND_WRITTEN.replace("\n", "\r\n").encode() + b"An LF line.\n"
    target.write_bytes(original)
    assert changelog(repo, "--update", str(target)).exit_code == 0
    data = target.read_bytes()
    assert data.count(b"\n") - data.count(b"\r\n") == 1 and data.endswith(b"An LF line.\n")


FENCED = """# Changelog

How an entry looks:

```markdown
## [1.0] - 2024-01-01
<!-- connver:changelog:end -->
```

## Older history
"""


def test_headings_and_markers_inside_a_code_fence_do_not_count(repo, tmp_path):
    target = tmp_path / "CHANGELOG.md"
    target.write_text(FENCED)
    assert changelog(repo, "--update", str(target)).exit_code == 0
    text = target.read_text()
    fence_end = text.index("```\n", text.index("```markdown") + 3)
    assert fence_end < text.index(START_MARKER) < text.index("## [2.0]") < text.index("## Older history")
    assert text.replace(text[text.index(START_MARKER):text.rindex(END_MARKER) + len(END_MARKER) + 2], "") == FENCED


# --------------------------------------------------------------------------- from the store

def test_changelog_from_the_store_matches_the_one_from_git(repo, tmp_path):
    importer = pytest.importorskip("connver.store.importer", reason="the snapshot store has not landed")
    store = tmp_path / "store"
    plan = importer.plan_import(repo, ref="main", paths=[FOLDER], history=True)
    importer.run_import(plan, channel="dev", store_dir=store)
    connector = plan.connectors[FOLDER]
    from_store = CliRunner().invoke(cli, ["changelog", connector, "--store", str(store)], catch_exceptions=False)
    assert from_store.exit_code == 0, from_store.output
    from_git = changelog(repo).output
    assert headings(from_store.output) == headings(from_git)
    # the same versions, dates and changes; commits named by their original ids
    commit_lines = [line for line in from_git.splitlines() if " commit" in line and line[0].isdigit()]
    for line in commit_lines:
        for short in re.findall(r"`([0-9a-f]{7})`", line):
            assert f"`{short}`" in from_store.output
    assert from_store.output.count("- **What to do:**") == from_git.count("- **What to do:**")


def test_changelog_from_a_store_channel_that_does_not_exist_is_exit_2(repo, tmp_path):
    importer = pytest.importorskip("connver.store.importer", reason="the snapshot store has not landed")
    store = tmp_path / "store"
    plan = importer.plan_import(repo, ref="main", paths=[FOLDER], history=True)
    importer.run_import(plan, channel="dev", store_dir=store)
    result = CliRunner().invoke(cli, ["changelog", plan.connectors[FOLDER], "--store", str(store),
                                      "--channel", "deployed"])
    assert result.exit_code == 2
    assert result.stderr.startswith("connver: error: ") and result.stderr.count("\n") == 1


# --------------------------------------------------------------------------- input defects (real data)

ZOHO = "certified-connectors/ZohoSign"


def test_read_errors_and_repairs_are_said_per_version(corpus, tmp_path):
    """Zoho Sign's first commit has an apiProperties.json that cannot be read, its last
    commit's swagger needed repairs (em spaces between tokens); a broken commit is added."""
    history = corpus / "history" / "zohosign"
    folders = [history / name for name in ("01_17a7977f", "02_9798ca47", "08_b39edbcd")]
    if not all(f.is_dir() for f in folders):
        pytest.skip("the zohosign history is not in this corpus")
    repo = tmp_path / "connectors"
    dates = ["2021-06-09T07:56:00+05:30", "2021-08-26T01:41:40+05:30", "2024-05-02T13:48:00+05:30"]
    shas = build_history(repo, ZOHO, [(f, d, f"Zoho Sign {f.name}") for f, d in zip(folders, dates)])
    broken = folder_files(folders[-1])
    broken["apiDefinition.swagger.json"] = broken["apiDefinition.swagger.json"][:500]  # truncated
    shas.append(commit_files(repo, ZOHO, broken, "2024-06-01T10:00:00+02:00", "Truncated"))
    first, last, cut = (s[:7] for s in (shas[0], shas[2], shas[3]))

    result = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", ZOHO], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.stdout
    props = f"{first}:{ZOHO}/apiProperties.json:36:5: missing ',' between members"
    # the apiProperties.json nobody could read: a "Could not be read" line, and a warning
    assert (f"> Could not be read: {props}; connection, policy and script settings were not compared"
            in out)
    assert f"connver: warning: {props}" in result.stderr
    # the repaired swagger: a short note in its section, and warnings
    assert (f"> Repaired when read: `{last}:{ZOHO}/apiDefinition.swagger.json:14:1`: 2 non-JSON whitespace "
            "characters (U+2003 EM SPACE) ignored; ") in out
    assert f"connver: warning: {last}:{ZOHO}/apiDefinition.swagger.json:29:1: " in result.stderr
    # the swagger nobody could read
    assert headings(out)[0] == "## [unreadable] - 2024-06-01"
    assert f"> Could not be read: {cut}:{ZOHO}/apiDefinition.swagger.json:" in out
    assert "(fix the JSON" not in out  # CLI advice stays out of the changelog

    data = json.loads(CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", ZOHO, "-f", "json"]).stdout)
    assert any(w.startswith(props) for w in data["warnings"])
    assert sum("non-JSON whitespace" in w for w in data["warnings"]) == 2
    assert [len(v["errors"]) for v in data["versions"]] == [1, 1]
    assert [len(v["warnings"]) for v in data["versions"]] == [0, 2]
