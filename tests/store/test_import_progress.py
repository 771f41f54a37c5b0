"""``import`` shows a progress bar like ``audit``: ``--progress/--no-progress``, by default
only on a terminal and never in CI."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "ppc"
    for name in ("Alpha", "Beta"):
        shutil.copytree(FIXTURES / "demo" / "old", repo / "certified-connectors" / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "master"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "two connectors"], cwd=repo, check=True)
    return repo


def _import(repo, store, *args, env=None):
    result = CliRunner().invoke(cli, ["import", str(repo), "--store", str(store), *args], env=env)
    assert result.exit_code == 0, result.output
    assert "imported 2 snapshot(s) of 2 connector(s)" in result.stdout
    return result


@pytest.mark.parametrize("args,env,shown", [
    (("--progress",), None, True),
    (("--no-progress",), None, False),
    (("-q",), None, False),
    (("--quiet", "--progress"), None, True),  # the last one given wins
    ((), None, False),                      # not a terminal
    (("--progress",), {"CI": "true"}, True),  # asked for: shown even in CI
])
def test_the_progress_bar_follows_the_option(repo, tmp_path, args, env, shown):
    result = _import(repo, tmp_path / "store", *args, env=env)
    assert ("importing" in result.stderr) is shown, result.stderr


def test_audit_and_import_share_the_option():
    for command in ("audit", "import"):
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert "--progress / -q, --no-progress, --quiet" in help_text and "never in CI" in help_text
