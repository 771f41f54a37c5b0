"""The size limit per connector file holds for blobs read from git too (REV:PATH, audit,
import), in one line before the bytes are read; running out of memory is one line, exit 2.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES

LIMIT = 16384


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """HEAD~1: a small connector; HEAD: its swagger grown past LIMIT (still valid JSON)."""
    path = tmp_path / "repo"
    folder = path / "certified-connectors" / "contoso"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    _git("init", "-q", "-b", "master", cwd=path)
    _git("add", "-A", cwd=path)
    _git("commit", "-qm", "small", cwd=path)
    swagger = folder / "apiDefinition.swagger.json"
    doc = json.loads(swagger.read_text("utf-8"))
    doc["info"]["description"] = "x" * (2 * LIMIT)
    swagger.write_text(json.dumps(doc), "utf-8")
    _git("commit", "-qam", "big", cwd=path)
    return path


def _cli(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="connver", env=env)


def _one_line(result):
    assert result.exit_code == 2, result.output
    assert "this is a bug" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "bytes per connector file" in line and f"{LIMIT:,}" in line, line
    assert "CONNVER_MAX_FILE_SIZE" in line
    return line


def test_a_blob_above_the_limit_is_refused_as_rev_path(repo, monkeypatch):
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", str(LIMIT))
    line = _one_line(_cli("diff", "HEAD~1:certified-connectors/contoso", "HEAD:certified-connectors/contoso",
                          "--repo", repo))
    assert "HEAD:certified-connectors/contoso/apiDefinition.swagger.json" in line
    single = _one_line(_cli("diff", "HEAD~1:certified-connectors/contoso/apiDefinition.swagger.json",
                            "HEAD:certified-connectors/contoso/apiDefinition.swagger.json", "--repo", repo))
    assert "HEAD:certified-connectors/contoso/apiDefinition.swagger.json" in single
    # under the limit both read, through the same kept git process
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", "1M")
    ok = _cli("diff", "HEAD~1:certified-connectors/contoso", "HEAD:certified-connectors/contoso", "--repo", repo)
    assert ok.exit_code == 0, ok.output


def test_the_kept_git_process_sees_new_commits(repo):
    from connver.git.repo import read_folder

    before = read_folder(repo, "HEAD", "certified-connectors/contoso")
    (repo / "certified-connectors" / "contoso" / "apiProperties.json").write_text('{"properties": {}}', "utf-8")
    _git("commit", "-qam", "later", cwd=repo)
    after = read_folder(repo, "HEAD", "certified-connectors/contoso")
    assert before["apiProperties.json"] != after["apiProperties.json"] == b'{"properties": {}}'


def test_audit_reports_a_connector_above_the_limit_as_an_error(repo, monkeypatch):
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", str(LIMIT))
    result = _cli("audit", "HEAD~1..HEAD", "--repo", repo, "-f", "json", "--fail-on", "breaking")
    assert "this is a bug" not in result.output
    assert result.exit_code == 1, result.output
    (entry,) = json.loads(result.stdout)["connectors"]
    assert entry["status"] == "error"
    assert "bytes per connector file" in entry["error"] and f"{LIMIT:,}" in entry["error"]
    assert "HEAD:certified-connectors/contoso/apiDefinition.swagger.json" in entry["error"]


def test_import_refuses_a_file_above_the_limit(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", str(LIMIT))
    line = _one_line(_cli("import", repo, "--history", "--store", tmp_path / "store"))
    assert "certified-connectors/contoso/apiDefinition.swagger.json at " in line
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", "1M")
    assert _cli("import", repo, "--history", "--store", tmp_path / "store").exit_code == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS behaves so on Linux")
def test_running_out_of_memory_is_one_line(tmp_path):
    folder = tmp_path / "big"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    doc = json.loads((folder / "apiDefinition.swagger.json").read_text("utf-8"))
    doc["definitions"] = {f"D{i}": {"type": "object", "properties": {f"p{j}": {"type": "string"} for j in range(40)}}
                          for i in range(15000)}
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(doc), "utf-8")  # ~ 25 MB of small objects

    env = dict(os.environ, CONNVER_MAX_FILE_SIZE="1G")
    code = ("import sys; from connver.cli.main import cli; "
            "cli.main(sys.argv[1:], prog_name='connver')")
    done = subprocess.run([sys.executable, "-c", f"import connver.cli.main; {_CAP}; {code}",
                           "diff", str(folder), str(FIXTURES / "demo" / "new")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("connver: error: out of memory:"), line
    assert "CONNVER_MAX_FILE_SIZE" in line


#: run inside the child: cap its address space at what it has now plus 150 MB
_CAP = ("import resource; vm = [int(l.split()[1]) * 1024 for l in open('/proc/self/status') "
        "if l.startswith('VmSize:')][0]; resource.setrlimit(resource.RLIMIT_AS, (vm + 150 * 2**20,) * 2)")
