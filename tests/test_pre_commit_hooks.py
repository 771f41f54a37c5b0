"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit (``pre-commit try-repo``).

pre-commit builds the hooks' python environment from a copy of this repository (``language:
python``), with pip's ordinary configuration: no network is needed when the package index pip
uses is local. The environment is built once per session (about 30 s).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_ci_layouts import DEMO, GIT_ENV, git

pytest.importorskip("pre_commit")
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory):
    """This repository's files as one clean commit, so that pre-commit builds its env once."""
    base = tmp_path_factory.mktemp("hooks")
    copy = base / "connver"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", "build"))
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "hooks")
    return copy, base / "pre-commit-home"


def try_repo(hooks, repo: Path, *args: str) -> subprocess.CompletedProcess:
    copy, home = hooks
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([*PRE_COMMIT, "try-repo", str(copy), *args, "--color", "never"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_hooks_gate_commits_and_pushes(hooks_repo, tmp_path):
    repo = tmp_path / "team"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    (repo / "Contoso").mkdir()
    for source in (DEMO / "old").iterdir():
        shutil.copy(source, repo / "Contoso" / source.name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    for source in (DEMO / "new").iterdir():
        shutil.copy(source, repo / "Contoso" / source.name)
    git(repo, "add", "-A")  # 14 breaking changes staged, in a team's own folder

    staged = try_repo(hooks_repo, repo, "connver-audit")
    assert staged.returncode == 1, staged.stdout + staged.stderr
    assert "Failed" in staged.stdout and "Contoso" in staged.stdout and "breaking" in staged.stdout

    git(repo, "commit", "-q", "-m", "new")
    idle = try_repo(hooks_repo, repo, "connver-audit", "--all-files")  # nothing staged: not a silent pass
    assert idle.returncode == 1 and "Passed" not in idle.stdout
    assert "nothing was audited" in idle.stdout

    pushed = try_repo(hooks_repo, repo, "connver-audit-push", "--hook-stage", "pre-push",
                      "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    assert pushed.returncode == 1 and "Contoso" in pushed.stdout, pushed.stdout + pushed.stderr
    clean = try_repo(hooks_repo, repo, "connver-audit-push", "--hook-stage", "pre-push",
                     "--from-ref", "HEAD", "--to-ref", "HEAD")
    assert clean.returncode == 0 and "Passed" in clean.stdout, clean.stdout + clean.stderr
