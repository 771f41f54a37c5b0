"""Configuration files and the REV:PATH source, through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES

DEMO = FIXTURES / "demo"


def rules_of(output: str) -> list[str]:
    return [c["rule"] for c in json.loads(output)["changes"]]


@pytest.fixture
def project(tmp_path, monkeypatch):
    nested = tmp_path / "repo" / "connectors" / "contoso"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    return tmp_path / "repo"


def diff_json(*extra: str) -> CliRunner:
    return CliRunner().invoke(cli, ["diff", str(DEMO / "old"), str(DEMO / "new"), "-f", "json", *extra])


def test_pyproject_found_upward_changes_levels_and_silences(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.connver]\nignore = ["description-changed"]\n\n'
        '[tool.connver.rules]\npolicy-changed = "breaking"\n', encoding="utf-8")
    data = json.loads(diff_json().output)
    assert "description-changed" not in [c["rule"] for c in data["changes"]]
    assert data["ignored"] == 1
    policy = next(c for c in data["changes"] if c["rule"] == "policy-changed")
    assert policy["level"] == "breaking"


def test_connver_toml_ignores_per_operation_and_location(project):
    (project / ".connver.toml").write_text(
        'ignore = [\n'
        '  { rule = "operation-removed", operation = "ExportTasks" },\n'
        '  { rule = "response-property-*", location = "operation/ListTasks/*" },\n'
        ']\n', encoding="utf-8")
    data = json.loads(diff_json().output)
    rules = [(c["rule"], c["operation"]) for c in data["changes"]]
    assert ("operation-removed", "ExportTasks") not in rules
    assert not any(r.startswith("response-property") and op == "ListTasks" for r, op in rules)
    assert any(r.startswith("response-property") and op == "GetTask" for r, op in rules)


def test_pyproject_without_connver_section_is_not_a_config(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert "description-changed" in rules_of(diff_json().output)


def test_ignore_option_adds_to_the_file(project):
    (project / ".connver.toml").write_text('ignore = ["description-changed"]\n', encoding="utf-8")
    rules = rules_of(diff_json("--ignore", "policy-changed").output)
    assert "description-changed" not in rules and "policy-changed" not in rules


@pytest.mark.parametrize("content,message", [
    ('ignore = ["operation-remove"]\n', "unknown rule 'operation-remove'"),
    ('[rules]\noperation-removed = "severe"\n', "unknown level 'severe'"),
    ('ignore = "host-changed"\n', "ignore must be a list"),
    ('ignore = [\n', "not valid TOML"),
    ('ignre = ["host-changed"]\n', "unknown setting 'ignre' (did you mean ignore?)"),
    ('[tool]\nconnver = "x"\n', "tool.connver is a string ('x'), not a table"),
    ('[tool]\nconnver = 5\n', "tool.connver is a number (5), not a table"),
    ('ignore = [{ rule = "*", operation = 1 }]\n', "ignore entry for rule '*': operation is a number (1), not a string"),
    ('ignore = [{ rule = "host-*", location = ["a"] }]\n', "ignore entry for rule 'host-*': location is an array, not a string"),
])
def test_bad_config_is_one_line_and_exit_2(project, content, message):
    (project / ".connver.toml").write_text(content, encoding="utf-8")
    result = diff_json()
    assert result.exit_code == 2
    assert message in result.stderr and ".connver.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_tool_connver_that_is_not_a_table_in_pyproject(project):
    (project / "pyproject.toml").write_text('[tool]\nconnver = "x"\n# [tool.connver\n', encoding="utf-8")
    result = diff_json()
    assert result.exit_code == 2
    assert result.stderr == (f"connver: error: {project / 'pyproject.toml'}: tool.connver is a string ('x'), "
                             "not a table (write the settings under a [tool.connver] header)\n")


def test_an_unreadable_config_in_a_parent_folder_is_one_line(project, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.connver]\nignore = ["host-changed"]\n', encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self):  # tests run as root, where chmod 000 does not bite
        if self.name == "pyproject.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = diff_json()
    assert result.exit_code == 2
    assert result.stderr == (f"connver: error: {project / 'pyproject.toml'}: cannot read the configuration: "
                             "permission denied (make it readable, or pass --config FILE to use another file)\n")


def test_a_deleted_current_directory_means_no_config(tmp_path, monkeypatch):
    gone = tmp_path / "g"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(FileNotFoundError):
        Path.cwd()
    result = diff_json()
    assert result.exit_code == 0, result.output
    assert "description-changed" in rules_of(result.stdout)


# --- REV:PATH -----------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def clone(tmp_path):
    repo = tmp_path / "connectors"
    folder = repo / "certified-connectors" / "Contoso Tasks"
    shutil.copytree(DEMO / "old", folder)
    git(repo, "init", "-q", "-b", "master")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "old")
    git(repo, "checkout", "-q", "-b", "dev")
    shutil.rmtree(folder)
    shutil.copytree(DEMO / "new", folder)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "new")
    git(repo, "checkout", "-q", "master")  # the work tree holds the old version
    return repo


def test_rev_path_reads_git_objects_and_matches_folder_diff(clone):
    path = "certified-connectors/Contoso Tasks"
    via_git = CliRunner().invoke(cli, ["diff", f"master:{path}", f"dev:{path}", "--repo", str(clone), "-f", "json"])
    assert via_git.exit_code == 0, via_git.output
    via_folders = diff_json()
    strip = lambda out: [(c["rule"], c["location"], c["old"], c["new"]) for c in json.loads(out)["changes"]]
    assert strip(via_git.output) == strip(via_folders.output)
    assert json.loads(via_git.output)["new"]["source"] == f"dev:{path}"
    assert git(clone, "status", "--porcelain") == ""  # the work tree was not touched


def test_single_file_at_a_revision(clone):
    path = "certified-connectors/Contoso Tasks/apiDefinition.swagger.json"
    result = CliRunner().invoke(cli, ["diff", f"master:{path}", f"dev:{path}", "--repo", str(clone), "-f", "json"])
    assert result.exit_code == 0
    assert "operation-removed" in rules_of(result.output)


@pytest.mark.parametrize("spec,message", [
    ("nosuchbranch:certified-connectors/Contoso Tasks", "nosuchbranch: unknown revision"),
    ("master:certified-connectors/Nope", "no such path at master"),
    ("--upload-pack=touch pwned:certified-connectors", "is not a git revision"),
    ("master:fixtures", "no such path"),
])
def test_bad_git_sources_are_one_line_and_exit_2(clone, spec, message):
    result = CliRunner().invoke(cli, ["diff", "--repo", str(clone), "--", spec, "master:certified-connectors/Contoso Tasks"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_rev_path_outside_a_repository(tmp_path):
    result = CliRunner().invoke(cli, ["diff", "--repo", str(tmp_path), "master:x", "dev:x"])
    assert result.exit_code == 2
    assert "not a git repository" in result.stderr
