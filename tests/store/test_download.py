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
    result = run("download", ENV_ID, CID)
    assert result.exit_code == 2
    assert result.stderr == ("connver: error: paconn is not installed or not on PATH "
                             "(install it with `pip install paconn`, then sign in once with `paconn login`)\n")


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
