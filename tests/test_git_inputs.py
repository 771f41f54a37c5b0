"""REV:PATH, --path and --repo oddities: submodules, paths outside the repository, symbolic
links stored in git, damaged objects and repositories git refuses ("dubious ownership").
Each is one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES

DEMO = FIXTURES / "demo"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}


@pytest.fixture(autouse=True)
def _plain_git(monkeypatch, tmp_path_factory):
    """No user or system git configuration (a safe.directory = * would hide the ownership check)."""
    config = tmp_path_factory.mktemp("gitconfig") / "config"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "protocol.file.allow=always", *args],
                          check=True, capture_output=True, text=True).stdout


def one_line(result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith("connver: error: ")
    return line


def run(*args: str):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture
def repo(tmp_path) -> Path:
    """real/ (the demo connector), sub (a submodule), ln/ (a folder whose swagger is a link to
    real's), lndir (a link to real), out (a link out of the repository), loop1 <-> loop2."""
    sub = tmp_path / "subsrc"
    shutil.copytree(DEMO / "old", sub)
    git(sub, "init", "-q", "-b", "master")
    git(sub, "add", "-A")
    git(sub, "commit", "-qm", "sub")
    repo = tmp_path / "repo"
    shutil.copytree(DEMO / "new", repo / "real")
    git(repo, "init", "-q", "-b", "master")
    git(repo, "submodule", "add", "-q", str(sub), "sub")
    (repo / "ln").mkdir()
    (repo / "ln" / "apiDefinition.swagger.json").symlink_to("../real/apiDefinition.swagger.json")
    (repo / "ln" / "apiProperties.json").symlink_to("../real/apiProperties.json")
    (repo / "lndir").symlink_to("real")
    (repo / "out").symlink_to("../../../etc")
    (repo / "loop1").symlink_to("loop2")
    (repo / "loop2").symlink_to("loop1")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "all")
    return repo


def test_a_submodule_is_one_line(repo):
    hint = f"(point at a folder inside it with --repo {repo / 'sub'} (the submodule's checkout or another clone of it))"
    for spec in ("master:sub", "master:sub/apiDefinition.swagger.json"):
        line = one_line(run("diff", "--repo", repo, "master:real", spec))
        assert line == f"connver: error: {spec}: sub is a git submodule, whose files are not in this repository {hint}"
    line = one_line(run("changelog", "--repo", repo, "--path", "sub"))
    assert line == f"connver: error: HEAD:sub: sub is a git submodule, whose files are not in this repository {hint}"


@pytest.mark.parametrize("path", ["../../", "..", "real/../../x"])
def test_a_path_outside_the_repository_is_one_line(repo, path):
    line = one_line(run("changelog", "--repo", repo, "--path", path))
    assert "outside the repository (paths are relative to the repository root" in line
    line = one_line(run("diff", "--repo", repo, "master:real", f"master:{path}"))
    assert "outside the repository" in line


@pytest.mark.parametrize("spec", ["master:ln", "master:ln/apiDefinition.swagger.json", "master:lndir",
                                  "master:lndir/apiDefinition.swagger.json"])
def test_symbolic_links_inside_the_repository_are_followed(repo, spec):
    old = "master:real/apiDefinition.swagger.json" if spec.endswith(".json") else "master:real"
    result = run("diff", "--repo", repo, old, spec, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["changes"] == [] and data["new"]["version"] == data["old"]["version"] == "1.1"
    assert data["warnings"] == []


def test_symbolic_links_out_of_the_repository_or_in_a_loop_are_refused(repo):
    line = one_line(run("diff", "--repo", repo, "master:real", "master:out/passwd"))
    assert line == ("connver: error: master:out/passwd: out is a symbolic link in git to ../../../etc, outside the "
                    "repository (point at the real folder or file)")
    line = one_line(run("diff", "--repo", repo, "master:real", "master:loop1"))
    assert line.startswith("connver: error: master:loop1: loop") and "in a loop of links" in line


def test_a_missing_object_is_one_line(repo):
    blob = git(repo, "rev-parse", "master:real/apiDefinition.swagger.json").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    line = one_line(run("diff", "--repo", repo, "master:real", "master:real"))
    assert line == (f"connver: error: {repo}: git could not read master:real: an object is missing or damaged "
                    "(run git fsck in the repository, or fetch it again)")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repository away")
def test_a_repository_owned_by_another_user_says_so(repo, tmp_path):
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 12345, 12345, follow_symlinks=False)
    expected = (f"connver: error: {repo}: git refuses to read this repository because another user owns it "
                f"(\"dubious ownership\") (if you trust it, run: git config --global --add safe.directory {repo})")
    assert one_line(run("diff", "--repo", repo, "master:real", "master:real")) == expected
    assert one_line(run("diff", "--repo", repo / "real", "master:real", "master:real")) == expected
    assert one_line(run("changelog", "--repo", repo, "--path", "real")) == expected
    assert one_line(run("audit", "--repo", repo, "master..master")) == expected
    assert one_line(run("upgrade-check", str(DEMO / "new"), "--upstream", "master:real", "--repo", repo)) == expected
