"""One git layer: nothing outside ``versioning/git/`` runs git, and git never runs a program
the repository names."""

from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
from pathlib import Path

from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from connver.cli.main import cli


def _sources():
    for folder in ("versioning", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if (ROOT / "versioning" / "git") not in path.parents:
                yield path


def test_nothing_outside_the_git_layer_runs_git():
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("git", "gitdb") for a in node.names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {node.names[0].name}")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in ("git", "gitdb"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess":
                text = ast.unparse(node)
                if "git" in text.lower() and "paconn" not in text:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:60]}")
    assert offenders == []
    assert any(p.name == "paconn.py" for p in _sources())  # the scan sees the whole package


def _repo_with_traps(tmp_path) -> tuple[Path, Path]:
    """A repository whose config names programs that leave a mark when they run."""
    repo = tmp_path / "repo"
    mark = tmp_path / "ran"
    trap = tmp_path / "trap.sh"
    trap.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {mark}\nexit 1\n", encoding="utf-8")
    trap.chmod(trap.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.invalid",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.invalid"}

    def git(*args):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    subprocess.run(["git", "init", "-q", "-b", "master", str(repo)], check=True)
    shutil.copytree(FIXTURES / "demo" / "old", repo / "c")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    shutil.copy(FIXTURES / "demo" / "new" / "apiDefinition.swagger.json", repo / "c" / "apiDefinition.swagger.json")
    git("commit", "-q", "-am", "two")
    for key in ("core.fsmonitor", "gpg.program", "diff.external", "core.pager", "core.sshCommand"):
        git("config", key, str(trap))
    git("config", "log.showSignature", "true")
    git("config", "core.hooksPath", str(tmp_path))
    (tmp_path / "post-checkout").write_bytes(trap.read_bytes())
    (tmp_path / "post-checkout").chmod(0o755)
    return repo, mark


def test_audit_import_and_diff_never_run_the_repositorys_programs(tmp_path, monkeypatch):
    repo, mark = _repo_with_traps(tmp_path)
    monkeypatch.setenv("CONNVER_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    for args in (["audit", "HEAD~1..HEAD", "--repo", str(repo)],
                 ["diff", "HEAD~1:c", "HEAD:c", "--repo", str(repo)],
                 ["import", str(repo), "--path", "c", "--history"],
                 ["changelog", "--repo", str(repo), "--path", "c"]):
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, 1), (args, result.output)
    assert not mark.exists(), mark.read_text()
    # the traps are armed: plain git runs them
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True)
    assert mark.exists()


def test_a_bare_repository_without_config_reads_like_any_other(tmp_path):
    repo, _ = _repo_with_traps(tmp_path)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    (bare / "config").unlink()
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "HEAD~1:c", "HEAD:c", "--repo", str(bare), "-f", "json"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["audit", "HEAD~1..HEAD", "--repo", str(bare)])
    assert result.exit_code in (0, 1), result.output
    result = runner.invoke(cli, ["import", str(bare), "--ref", "master", "--path", "c",
                                 "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "imported 1 snapshot" in result.output


def test_audit_uses_the_git_that_GIT_PYTHON_GIT_EXECUTABLE_names(tmp_path, monkeypatch):
    repo, _ = _repo_with_traps(tmp_path)
    real = shutil.which("git")
    monkeypatch.setenv("GIT_PYTHON_GIT_EXECUTABLE", real)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for args in (["audit", "HEAD~1..HEAD", "--repo", str(repo)], ["diff", "HEAD~1:c", "HEAD:c", "--repo", str(repo)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "operation" in result.output.lower() or "change" in result.output.lower()


def test_import_takes_the_channel_from_the_ref(tmp_path):
    repo, _ = _repo_with_traps(tmp_path)
    subprocess.run(["git", "-C", str(repo), "branch", "dev"], check=True)
    subprocess.run(["git", "-C", str(repo), "branch", "feature"], check=True)
    store = str(tmp_path / "store")
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(repo), "--ref", "dev", "--path", "c", "--store", store])
    assert result.exit_code == 0 and "into dev" in result.output, result.output
    result = runner.invoke(cli, ["import", str(repo), "--path", "c", "--store", store])
    assert result.exit_code == 0 and "into deployed" in result.output, result.output
    result = runner.invoke(cli, ["import", str(repo), "--ref", "feature", "--path", "c", "--store", store])
    assert result.exit_code == 2 and "pass --channel" in result.stderr
    result = runner.invoke(cli, ["import", str(repo), "--ref", "feature", "--channel", "dev", "--path", "c",
                                 "--store", store])
    assert result.exit_code == 0, result.output


def _commit_all(repo, message):
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.invalid",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.invalid"}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def test_audit_reports_a_file_that_became_a_link_or_a_folder_and_fails(tmp_path):
    repo, _ = _repo_with_traps(tmp_path)
    (repo / "c" / "script.csx").write_text("public class Script {}\n", encoding="utf-8")
    _commit_all(repo, "script")
    (repo / "c" / "script.csx").unlink()
    (repo / "c" / "script.csx").symlink_to("../elsewhere.csx")
    _commit_all(repo, "script becomes a link")
    result = CliRunner().invoke(cli, ["audit", "HEAD~1..HEAD", "--repo", str(repo), "--path", "c", "--fail-on", "breaking"])
    assert result.exit_code == 1, result.output
    assert "script.csx is a symbolic link" in result.output
    swagger = repo / "c" / "apiDefinition.swagger.json"
    data = swagger.read_bytes()
    swagger.unlink()
    swagger.mkdir()
    (swagger / "x.json").write_bytes(data)
    _commit_all(repo, "definition becomes a folder")
    result = CliRunner().invoke(cli, ["audit", "HEAD~1..HEAD", "--repo", str(repo), "--path", "c", "-f", "json",
                                      "--fail-on", "breaking"])
    assert result.exit_code == 1, result.output
    assert "apiDefinition.swagger.json is a folder" in result.output and '"status": "removed"' not in result.output
