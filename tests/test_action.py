"""The GitHub action's script (action/audit.sh), run as the action runs it: a pull request's
checkout, GITHUB_BASE_REF and GITHUB_STEP_SUMMARY set, connver on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_ci_layouts import DEMO, GIT_ENV, git, place

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "action" / "audit.sh"


def connver_on_path(tmp_path: Path) -> str:
    """A PATH whose ``connver`` runs this checkout's code with this Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "connver"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m connver \"$@\"\n")
    shim.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture
def pull_request(tmp_path):
    """origin has main; the clone's branch breaks an operation of Contoso/."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    place(origin, "Contoso", "old")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "old")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    git(clone, "checkout", "-q", "-b", "feature")
    place(clone, "Contoso", "new")
    git(clone, "commit", "-q", "-am", "new")
    return clone


def run_action(clone: Path, tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess:
    summary = tmp_path / "summary.md"
    env = {**os.environ, **GIT_ENV, "PATH": connver_on_path(tmp_path), "GITHUB_BASE_REF": "main",
           "GITHUB_STEP_SUMMARY": str(summary), "CI": "true", **inputs}
    return subprocess.run(["bash", str(SCRIPT)], cwd=clone, env=env, capture_output=True, text=True, timeout=120)


def test_the_action_annotates_fails_and_writes_the_summary(pull_request, tmp_path):
    done = run_action(pull_request, tmp_path, CONNVER_FAIL_ON="breaking")
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all("file=Contoso/apiDefinition.swagger.json" in line for line in errors[:3])
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## connver audit") and "Contoso" in summary


def test_the_action_passes_what_does_not_break(pull_request, tmp_path):
    done = run_action(pull_request, tmp_path, CONNVER_PATHS="Elsewhere/*", CONNVER_ARGS="--no-strict")
    assert done.returncode == 2 and "matched no connector folder" in done.stderr  # a wrong path is no pass
    git(pull_request, "reset", "-q", "--hard", "origin/main")
    quiet = run_action(pull_request, tmp_path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr


def test_no_base_outside_a_pull_request(pull_request, tmp_path):
    done = run_action(pull_request, tmp_path, GITHUB_BASE_REF="")
    assert done.returncode == 2 and "no base to compare with" in done.stdout
