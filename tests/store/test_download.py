"""``connver download`` with a fake ``paconn`` on PATH."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from storekit import git

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the fake paconn is a POSIX script")

FAKE_PACONN = '''#!{python}
"""A stand-in for paconn: writes what `paconn download` writes, or fails like it."""
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
Path(os.environ["FAKE_PACONN_LOG"]).write_text(json.dumps(args))
opts = dict(zip(args[1::2], args[2::2]))
if args[0] != "download":
    sys.exit(2)
print("Downloading connector", opts.get("--cid"), flush=True)
if os.environ.get("FAKE_PACONN_FAIL"):
    print("Please login to the Power Platform before running this command.", file=sys.stderr)
    sys.exit(1)
mode = os.environ.get("FAKE_PACONN_MODE", "")
if mode == "hang":
    pid_file = Path(os.environ["FAKE_PACONN_PID"])
    Path(str(pid_file) + ".part").write_text(str(os.getpid()))
    os.replace(str(pid_file) + ".part", pid_file)  # whole, or not there at all
    import time
    time.sleep(120)
dest = Path(opts["--dest"])
dest.mkdir(parents=True, exist_ok=True)
if mode == "nothing":
    sys.exit(0)
if mode == "subfolder":
    dest = dest / "sub"
    dest.mkdir()
version = os.environ.get("FAKE_PACONN_VERSION", "1.0")
(dest / "apiDefinition.swagger.json").write_text(json.dumps(
    {{"swagger": "2.0", "info": {{"title": "Fake", "version": version}}, "paths": {{}}}}, indent=2))
(dest / "apiProperties.json").write_text(json.dumps({{"properties": {{"connectionParameters": {{}},
    "oAuthSettings": {{"clientSecret": os.environ.get("FAKE_PACONN_SECRET", "")}}}}}}, indent=2))
(dest / "icon.png").write_bytes(bytes(range(256)))
(dest / "settings.json").write_text(json.dumps({{"connectorId": opts["--cid"], "environment": opts["--env"],
    "apiProperties": "apiProperties.json", "apiDefinition": "apiDefinition.swagger.json", "icon": "icon.png",
    "powerAppsUrl": "https://api.powerapps.com", "powerAppsApiVersion": "2016-11-01"}}, indent=2))
if mode == "broken-settings":
    (dest / "settings.json").write_text('{{"connectorId": "x", ')
print("Download complete.")
'''


@pytest.fixture
def fake_paconn(tmp_path, monkeypatch) -> Path:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "paconn"
    script.write_text(FAKE_PACONN.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "paconn-args.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PACONN_LOG", str(log))
    return log


ENV_ID = "Default-1111-2222"
CID = "shared_fake-5f0123456789abcd"


def test_download_snapshots_what_paconn_wrote_as_deployed(run, store_dir, fake_paconn):
    result = run("download", ENV_ID, CID)
    assert result.exit_code == 0, result.output
    assert f"recorded {CID}@deployed 1.0" in result.stdout
    assert "paconn: Download complete." in result.stderr
    args = json.loads(fake_paconn.read_text())
    assert args[:5] == ["download", "--env", ENV_ID, "--cid", CID] and "--overwrite" in args
    assert not Path(args[args.index("--dest") + 1]).exists(), "the temporary folder is removed"
    shown = json.loads(run("show", f"{CID}@deployed", "-f", "json").stdout)
    assert shown["environment"] == ENV_ID
    assert shown["source"] == f"paconn download --env {ENV_ID} --cid {CID}"
    assert set(shown["files"]) == {"apiDefinition.swagger.json", "apiProperties.json", "icon.png", "settings.json"}
    icon = git("--git-dir", str(store_dir), "cat-file", "-s", f"main:connectors/{CID}/deployed/icon.png")
    assert icon.strip() == "256"
    assert run("download", ENV_ID, CID).stdout.startswith("unchanged:")


def test_download_redacts_and_tags(run, store_dir, fake_paconn, monkeypatch):
    monkeypatch.setenv("FAKE_PACONN_SECRET", "downloaded-secret")
    monkeypatch.setenv("FAKE_PACONN_VERSION", "2.0")
    result = run("download", ENV_ID, CID, "--connector", "fake")
    assert "recorded fake@deployed 2.0" in result.stdout and "tagged fake/deployed/2.0" in result.stdout
    assert "redacted a secret" in result.stderr
    blob = git("--git-dir", str(store_dir), "show", "main:connectors/fake/deployed/apiProperties.json")
    assert "downloaded-secret" not in blob


def test_a_failing_paconn_gets_one_line(run, store_dir, fake_paconn, monkeypatch):
    monkeypatch.setenv("FAKE_PACONN_FAIL", "1")
    result = run("download", ENV_ID, CID)
    assert result.exit_code == 2
    error = [line for line in result.stderr.splitlines() if line.startswith("connver: error:")]
    assert error == [
        "connver: error: paconn download failed (exit status 1): Please login to the Power Platform before "
        "running this command. (check the environment and connector ids, and that `paconn login` was done)"]
    assert not (store_dir / "refs" / "heads" / "main").exists()


def test_a_missing_paconn_says_how_to_install_it(run, store_dir, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run("download", ENV_ID, CID, "--tool", "paconn")
    assert result.exit_code == 2
    assert result.stderr == ("connver: error: paconn is not installed or not on PATH "
                             "(install it with `pip install paconn`, then sign in once with `paconn login`)\n")
    result = run("download", ENV_ID, CID)  # no tool named, none installed: both are named
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("connver: error: neither paconn nor pac is installed or on PATH (")
    assert "pip install paconn" in line and "pac auth create" in line


def test_ids_that_look_like_options_are_refused(run, store_dir, fake_paconn):
    result = run("download", "--", "-e", CID)
    assert result.exit_code == 2 and "not a valid environment" in result.stderr
    assert not fake_paconn.exists()


@pytest.mark.parametrize("mode", ["broken-settings", "subfolder"])
def test_the_snapshot_is_named_after_connector_id_whatever_paconn_wrote(run, store_dir, fake_paconn, monkeypatch, mode):
    monkeypatch.setenv("FAKE_PACONN_MODE", mode)
    result = run("download", ENV_ID, CID)
    assert result.exit_code == 0, result.output
    assert f"recorded {CID}@deployed 1.0" in result.stdout
    assert run("log", "--format", "json").stdout.count(f'"connector": "{CID}"') == 1
    assert "download" not in git("--git-dir", str(store_dir), "ls-tree", "--name-only", "main:connectors").split()
    assert "sub" not in git("--git-dir", str(store_dir), "ls-tree", "--name-only", "main:connectors").split()


def test_a_download_that_wrote_no_definition_is_one_line(run, store_dir, fake_paconn, monkeypatch):
    monkeypatch.setenv("FAKE_PACONN_MODE", "nothing")
    result = run("download", ENV_ID, CID)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("connver: error:")]
    assert errors == ["connver: error: paconn download finished but wrote no apiDefinition.swagger.json "
                      "(check paconn's output above; nothing was recorded)"]
    assert not (store_dir / "refs" / "heads" / "main").exists()


def _wait_for_pid(pid_file: Path, proc, seconds: float = 30) -> int:
    """The fake's pid, once the file holds one (the fake writes it whole, but a slow machine
    may take a while to start it); fails with connver's output when it never comes."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = pid_file.read_text() if pid_file.exists() else ""
        if text.strip().isdigit():
            return int(text)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"the fake never wrote its pid: {proc.communicate(timeout=5)}")


def test_sigterm_stops_paconn_and_removes_the_temporary_folder(store_dir, fake_paconn, tmp_path):
    import signal
    import subprocess
    import time

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    pid_file = tmp_path / "paconn.pid"
    env = dict(os.environ, TMPDIR=str(tmp), FAKE_PACONN_MODE="hang", FAKE_PACONN_PID=str(pid_file),
               CONNVER_STORE=str(store_dir))
    connver = str(Path(sys.executable).parent / "connver")
    proc = subprocess.Popen([connver, "download", ENV_ID, CID], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    child = _wait_for_pid(pid_file, proc)
    assert [p.name for p in tmp.iterdir()][0].startswith("connver-download-")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == "connver: error: download stopped by SIGTERM; nothing was recorded"
    assert "Traceback" not in err
    assert list(tmp.iterdir()) == []  # no connver-download-* left behind
    with pytest.raises(ProcessLookupError):  # paconn was stopped (and reaped), not orphaned
        os.kill(child, 0)
    assert not (store_dir / "refs" / "heads" / "main").exists()


FAKE_PAC = '''#!{python}
"""A stand-in for the Power Platform CLI: `pac connector download` writes apiDefinition.json
and apiProperties.json into --outputDirectory (the current folder without it)."""
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
Path(os.environ["FAKE_PAC_LOG"]).write_text(json.dumps(args))
if args[:2] != ["connector", "download"]:
    sys.exit(2)
opts = dict(zip(args[2::2], args[3::2]))
print("Connected as maker@contoso.com", flush=True)
if os.environ.get("FAKE_PAC_FAIL"):
    print("Error: The connector was not found in the environment.")
    sys.exit(1)
dest = Path(opts.get("--outputDirectory", "."))
dest.mkdir(parents=True, exist_ok=True)
(dest / "apiDefinition.json").write_text(json.dumps(
    {{"swagger": "2.0", "info": {{"title": "Fake", "version": "3.0"}}, "paths": {{}}}}, indent=2))
(dest / "apiProperties.json").write_text(json.dumps({{"properties": {{"connectionParameters": {{}}}}}}, indent=2))
print("Connector downloaded to", dest)
'''


@pytest.fixture
def fake_pac(tmp_path, monkeypatch) -> Path:
    bin_dir = tmp_path / "fake-pac-bin"
    bin_dir.mkdir()
    script = bin_dir / "pac"
    script.write_text(FAKE_PAC.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "pac-args.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PAC_LOG", str(log))
    return log


PAC_ID = "3f6a1d2e-0b4c-4d5e-9f8a-7b6c5d4e3f2a"


def test_download_with_pac_snapshots_what_pac_wrote(run, store_dir, fake_pac, tmp_path, monkeypatch):
    import shutil

    git_dir = str(Path(shutil.which("git")).parent)  # the store needs git; nothing else from PATH
    if shutil.which("paconn", path=git_dir):
        pytest.skip("a real paconn sits beside git")
    monkeypatch.setenv("PATH", f"{fake_pac.parent / 'fake-pac-bin'}{os.pathsep}{git_dir}")
    result = run("download", ENV_ID, PAC_ID, "--connector", "contoso")  # only pac installed: pac is used
    assert result.exit_code == 0, result.output
    args = json.loads(fake_pac.read_text())
    assert args[:6] == ["connector", "download", "--connector-id", PAC_ID, "--environment", ENV_ID]
    assert args[6] == "--outputDirectory" and not Path(args[7]).exists()
    assert "pac: Connector downloaded to" in result.stderr
    assert "recorded contoso@deployed 3.0" in result.stdout
    shown = json.loads(run("show", "contoso@deployed", "-f", "json").stdout)
    assert set(shown["files"]) == {"apiDefinition.json", "apiProperties.json"}
    assert shown["source"] == f"pac connector download --environment {ENV_ID} --connector-id {PAC_ID}"
    assert shown["environment"] == ENV_ID


def test_tool_picks_pac_over_paconn(run, store_dir, fake_paconn, fake_pac):
    result = run("download", ENV_ID, PAC_ID, "--connector", "contoso", "--tool", "pac")
    assert result.exit_code == 0, result.output
    assert fake_pac.exists() and not fake_paconn.exists()
    result = run("download", ENV_ID, CID)  # both installed, none named: paconn, as before
    assert result.exit_code == 0 and fake_paconn.exists()


def test_a_failing_pac_gets_one_line(run, store_dir, fake_pac, monkeypatch):
    monkeypatch.setenv("FAKE_PAC_FAIL", "1")
    result = run("download", ENV_ID, PAC_ID, "--tool", "pac")
    assert result.exit_code == 2
    error = [line for line in result.stderr.splitlines() if line.startswith("connver: error:")]
    assert error == ["connver: error: pac connector download failed (exit status 1): Error: The connector was not "
                     "found in the environment. (check the environment and connector ids, and that "
                     "`pac auth create` was done)"]
