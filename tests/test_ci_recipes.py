"""The CI recipes docs/audit.md gives, run as their CI would run them.

Each YAML block is read from the document itself (so the documentation cannot drift from what
is tested), its install step is left out (connver is already on PATH, this checkout's code), the
CI's variables are set as that CI sets them for a merge or pull request, and the script runs in
a real clone whose branch breaks an operation.
"""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

from test_action import connver_on_path, pull_request  # noqa: E402,F401  (a fixture)
from test_ci_layouts import GIT_ENV, git  # noqa: E402

DOC = Path(__file__).resolve().parent.parent / "docs" / "audit.md"


def recipe(heading: str) -> dict | list:
    """The first ```yaml block under ``### heading`` in docs/audit.md, parsed."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, f"no yaml block under {heading}"
    return yaml.safe_load(block.group(1))


def run_steps(lines: list[str], cwd: Path, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a CI script's lines in one bash, stopping at the first failing line, as runners do."""
    steps = [line for line in lines if not line.lstrip().startswith("pip install")]
    assert steps, "the recipe has nothing but its install step"
    script = "set -e\n" + "\n".join(steps) + "\n"
    full = {**os.environ, **GIT_ENV, "PATH": connver_on_path(tmp_path), "CI": "true", **env}
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=full, capture_output=True, text=True, timeout=180)


GITLAB_MR = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}


def test_the_gitlab_job_fails_a_breaking_merge_request_and_leaves_its_junit_report(pull_request, tmp_path):
    job = recipe("GitLab CI")["connver"]
    assert job["variables"]["GIT_DEPTH"] == 0  # the merge base needs the history
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    done = run_steps(job["script"], pull_request, tmp_path, GITLAB_MR)
    assert done.returncode == 1, done.stdout + done.stderr
    report = pull_request / job["artifacts"]["reports"]["junit"]
    suites = ET.parse(report).getroot()
    assert int(suites.get("failures")) >= 1
    failing = [case.get("name") for case in suites.iter("testcase") if case.find("failure") is not None]
    assert failing and all(case.get("classname") == "Contoso" for case in suites.iter("testcase"))


def test_the_gitlab_job_passes_a_merge_request_that_breaks_nothing(pull_request, tmp_path):
    git(pull_request, "reset", "-q", "--hard", "origin/main")
    (pull_request / "README.md").write_text("a change outside every connector\n")
    git(pull_request, "add", "README.md")
    git(pull_request, "commit", "-q", "-m", "docs")
    job = recipe("GitLab CI")["connver"]
    done = run_steps(job["script"], pull_request, tmp_path, GITLAB_MR)
    assert done.returncode == 0, done.stdout + done.stderr
    suites = ET.parse(pull_request / job["artifacts"]["reports"]["junit"]).getroot()
    assert suites.get("failures") == "0"


def azure_script(step: dict, variables: dict[str, str]) -> str:
    """A ``script`` step with its ``$(Name)`` macros expanded, as Azure does before running it."""
    def expand(match: re.Match) -> str:
        name = match.group(1)
        assert name in variables, f"the recipe uses $({name}), which this test does not set"
        return variables[name]
    return re.sub(r"\$\(([A-Za-z_][\w.]*)\)", expand, step["script"]).strip()


AZURE_PR = {"System.PullRequest.TargetBranchName": "main"}


def test_the_azure_pipelines_steps_file_issues_and_fail_the_task(pull_request, tmp_path):
    steps = recipe("Azure Pipelines (the public connectors repository's CI)")["steps"]
    assert steps[0] == {"checkout": "self", "fetchDepth": 0}
    scripts = [azure_script(step, AZURE_PR) for step in steps if "script" in step]
    done = run_steps(scripts, pull_request, tmp_path, {"TF_BUILD": "True"})
    assert done.returncode == 1, done.stdout + done.stderr
    issues = [line for line in done.stdout.splitlines() if line.startswith("##vso[task.logissue type=error;")]
    assert issues and all("sourcepath=Contoso/apiDefinition.swagger.json" in line for line in issues)
    last = done.stdout.rstrip().splitlines()[-1]
    assert last.startswith("##vso[task.complete result=Failed;]") and "breaking" in last


def test_the_azure_pipelines_steps_succeed_when_nothing_breaks(pull_request, tmp_path):
    git(pull_request, "reset", "-q", "--hard", "origin/main")
    steps = recipe("Azure Pipelines (the public connectors repository's CI)")["steps"]
    scripts = [azure_script(step, AZURE_PR) for step in steps if "script" in step]
    done = run_steps(scripts, pull_request, tmp_path, {"TF_BUILD": "True"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "##vso[task.complete result=Succeeded;]" in done.stdout
