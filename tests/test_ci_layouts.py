"""A CI gate that never passes silently: any repository layout, reports of what is left out,
the GitHub annotation cap and step summary, and definition text never rendered as markup."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"  # old -> new breaks ListTasks (a parameter became required...)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "connver tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "connver tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env={**os.environ, **GIT_ENV}).stdout.decode()


def place(repo: Path, folder: str, side: str, names: dict[str, str] | None = None) -> None:
    """Copy the demo's ``side`` files into ``folder`` (``""``: the root), renamed by ``names``."""
    target = repo / folder if folder else repo
    target.mkdir(parents=True, exist_ok=True)
    for source in (DEMO / side).iterdir():
        shutil.copy(source, target / (names or {}).get(source.name, source.name))


def breaking_repo(tmp_path: Path, folder: str, names: dict[str, str] | None = None) -> Path:
    """master holds the demo's old definition in ``folder``; dev breaks an operation."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "master")
    place(repo, folder, "old", names)
    (repo / "README.md").write_text("# our connectors\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "checkout", "-q", "-b", "dev")
    place(repo, folder, "new", names)
    git(repo, "commit", "-q", "-am", "new")
    return repo


def audit(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["audit", *args], catch_exceptions=False, env=env)


SOLUTION = {"apiDefinition.swagger.json": "contoso_5Fdemo_openapidefinition.json",
            "apiProperties.json": "contoso_5Fdemo_connectionparameters.json"}


@pytest.mark.parametrize("folder,names,shown", [
    ("Contoso", None, "Contoso"),                                   # a team's own top folder
    ("", None, "."),                                                # the files at the root
    ("src/connectors/contoso-demo", None, "src/connectors/contoso-demo"),  # nested
    ("certified-connectors/Demo", None, "certified-connectors/Demo"),      # the public layout
    ("independent-publisher-connectors/De Lijn", {"apiDefinition.swagger.json": "De-Lijn-Zoek.swagger.json"},
     "independent-publisher-connectors/De Lijn"),                   # another swagger name
    ("solution/Connectors", SOLUTION, "solution/Connectors"),       # a Dataverse solution, unpacked
])
def test_a_breaking_change_fails_the_gate_in_every_layout(tmp_path, folder, names, shown):
    repo = breaking_repo(tmp_path, folder, names)
    result = audit("--repo", str(repo), "master..dev", "--fail-on", "breaking", "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    (entry,) = data["connectors"]
    assert entry["path"] == shown and entry["status"] == "changed"
    assert entry["summary"]["breaking"] >= 1
    assert {c["rule"] for c in entry["changes"]} >= {"parameter-became-required"}
    swagger = (names or {}).get("apiDefinition.swagger.json", "apiDefinition.swagger.json")
    assert any(c["path"] == (f"{folder}/{swagger}" if folder else swagger) for c in entry["changes"])
    text = audit("--repo", str(repo), "master..dev", "--fail-on", "breaking")
    assert text.exit_code == 1 and shown in text.stdout


def test_another_swagger_name_is_read_with_a_warning_that_names_it(tmp_path):
    repo = breaking_repo(tmp_path, "Contoso", {"apiDefinition.swagger.json": "apiDefination.swagger.json"})
    data = json.loads(audit("--repo", str(repo), "-f", "json").stdout)
    warnings = data["connectors"][0]["warnings"]
    assert any("Contoso/apiDefination.swagger.json" in w and "rename it" in w for w in warnings), warnings
    assert audit("--repo", str(repo), "--strict").exit_code == 1  # a tolerated defect, under --strict


def test_path_dot_is_the_root(tmp_path):
    repo = breaking_repo(tmp_path, "")
    data = json.loads(audit("--repo", str(repo), "--path", ".", "-f", "json").stdout)
    assert [c["path"] for c in data["connectors"]] == ["."]


def test_changed_definitions_outside_the_audit_are_reported_and_fail_strict(tmp_path):
    repo = breaking_repo(tmp_path, "Contoso")
    (repo / "templates/T").mkdir(parents=True)
    (repo / "templates/T/apiDefinition.swagger.json").write_text('{"swagger": "2.0", "paths": {}}\n')
    (repo / "orphans").mkdir()
    (repo / "orphans/apiProperties.json").write_text('{"properties": {}}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    data = json.loads(audit("--repo", str(repo), "-f", "json").stdout)
    assert [c["path"] for c in data["connectors"]] == ["Contoso"]  # templates/ is left out by default
    assert [u["path"] for u in data["unaudited"]] == ["orphans/apiProperties.json",
                                                       "templates/T/apiDefinition.swagger.json"]
    text = audit("--repo", str(repo))
    assert text.exit_code == 0 and "Not audited (2 changed definition file(s))" in text.stdout
    assert "templates/T/apiDefinition.swagger.json: changed, but its folder is excluded by default" in text.stdout
    assert audit("--repo", str(repo), "--strict").exit_code == 1
    only = audit("--repo", str(repo), "--path", "templates/*", "-f", "json")
    assert [c["path"] for c in json.loads(only.stdout)["connectors"]] == ["templates/T"]


def test_staged_in_a_bare_repository_is_refused(tmp_path):
    repo = breaking_repo(tmp_path, "Contoso")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True, capture_output=True)
    result = audit("--repo", str(bare), "--staged")
    assert result.exit_code == 2
    assert "a bare repository has no index" in result.stderr and "Traceback" not in result.output


def many_breaking_repo(tmp_path: Path, count: int) -> Path:
    """``count`` connectors, each with the demo's breaking change."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    for n in range(count):
        place(repo, f"connectors/C{n:02d}", "old")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "checkout", "-q", "-b", "dev")
    for n in range(count):
        place(repo, f"connectors/C{n:02d}", "new")
    git(repo, "commit", "-q", "-am", "new")
    return repo


def test_github_shows_at_most_ten_of_each_kind_and_the_summary_gets_everything(tmp_path):
    repo = many_breaking_repo(tmp_path, 4)
    summary = tmp_path / "summary.md"
    result = audit("--repo", str(repo), "-f", "github", "--fail-on", "breaking",
                   env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    kinds = [line[2:].split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert kinds.count("error") == 10 and kinds.count("warning") <= 10 and kinds.count("notice") <= 10
    assert kinds == sorted(kinds, key=["error", "warning", "notice"].index)  # most severe first
    everything = audit("--repo", str(repo), "-f", "github", "--annotations", "0").stdout.splitlines()
    errors = sum(1 for line in everything if line.startswith("::error "))
    assert errors > 10
    last = [line for line in lines if line.startswith("::")][-1]
    assert last.startswith("::notice title=connver::") and f"({errors - 10} error" in last
    report = summary.read_text()
    assert report.startswith("## connver audit") and all(f"connectors/C{n:02d}" in report for n in range(4))


def test_definition_text_never_becomes_markup(tmp_path):
    """An enum value that is HTML comes out as text in every markdown report."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEMO / "old", old)
    shutil.copytree(DEMO / "old", new)
    swagger = new / "apiDefinition.swagger.json"
    text = swagger.read_text()
    assert '"enum": ["low", "normal", "high"]' in text
    swagger.write_text(text.replace('"enum": ["low", "normal", "high"]',
                                    '"enum": ["low", "normal", "high", "<img src=x onerror=alert(1)>"]'))
    out = CliRunner().invoke(cli, ["diff", str(old), str(new), "-f", "markdown"], catch_exceptions=False).stdout
    assert "img src=x" in out  # the change is reported...
    assert re.search(r"(?<!\\)<img", out) is None  # ...as text (escaped), never as markup
    assert "\\<img src=x onerror=alert(1)\\>" in out


def test_the_configuration_sets_what_a_pipeline_repeats_and_the_command_line_wins(tmp_path, monkeypatch):
    repo = breaking_repo(tmp_path, "Contoso")
    (repo / "Other").mkdir()
    (repo / "Other/apiProperties.json").write_text('{"properties": {}}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "other")
    (repo / ".connver.toml").write_text('fail-on = "breaking"\nformat = "json"\nstrict = true\n'
                                        'paths = ["Contoso"]\n')
    monkeypatch.chdir(repo)
    result = audit()
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # format from the file
    assert [c["path"] for c in data["connectors"]] == ["Contoso"]
    assert [u["path"] for u in data["unaudited"]] == ["Other/apiProperties.json"]
    text = audit("-f", "text", "--fail-on", "cosmetic", "--no-strict", "--path", "Other")
    assert text.stdout.startswith("connver audit") and text.exit_code == 0  # every option from the command line
    assert "Other/apiProperties.json: changed, but its folder holds no connector definition" in text.stdout
    assert audit("-f", "text", "--no-strict").exit_code == 1  # fail-on breaking, from the file
    (repo / ".connver.toml").write_text('format = "yaml"\n')
    bad = audit()
    assert bad.exit_code == 2 and "format 'yaml' is not a format of connver audit" in bad.stderr


def test_audit_markdown_stays_under_the_comment_limit_and_points_to_the_rest(tmp_path):
    repo = many_breaking_repo(tmp_path, 12)
    full = audit("--repo", str(repo), "-f", "markdown").stdout
    from connver.audit import audit as run_audit
    from connver.render import render

    result = run_audit(repo, "master..dev")
    limit = len(full) // 2
    folded = render(result, "markdown", "audit", max_chars=limit)
    assert len(folded) <= limit < len(full)
    assert "more connector(s) are folded away" in folded and "connver audit --format json" in folded
    assert "connectors/C00" in folded  # the first connectors keep their findings


def test_a_swagger_file_as_rev_path_reads_like_the_same_file_on_disk(tmp_path):
    repo = breaking_repo(tmp_path, "De Lijn", {"apiDefinition.swagger.json": "De-Lijn-Zoek.swagger.json"})
    from connver import load_connector

    on_disk = load_connector(str(repo / "De Lijn" / "De-Lijn-Zoek.swagger.json"))
    in_git = load_connector("dev:De Lijn/De-Lijn-Zoek.swagger.json", repo=repo)
    assert "apiProperties.json" in in_git.source.files and "apiProperties.json" in on_disk.source.files
    assert in_git.properties == on_disk.properties and in_git.properties
    standard = breaking_repo(tmp_path / "s", "Contoso")
    beside = load_connector("dev:Contoso/apiDefinition.swagger.json", repo=standard)
    assert "apiProperties.json" in beside.source.files
    result = CliRunner().invoke(cli, ["diff", "--repo", str(repo), "master:De Lijn/De-Lijn-Zoek.swagger.json",
                                      "dev:De Lijn/De-Lijn-Zoek.swagger.json", "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0 and "parameter-became-required" in result.stdout
