"""Concurrent snapshots, the lock, and snapshots killed at any point."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storekit import git, read_folder
from connver.store.lock import StoreLock

CONNVER = str(Path(sys.executable).parent / "connver")
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and shell wrappers")


def _env(store_dir, **extra) -> dict[str, str]:
    env = dict(os.environ, CONNVER_STORE=str(store_dir), **extra)
    return env


def _fsck_ok(store_dir) -> None:
    proc = subprocess.run(["git", "--git-dir", str(store_dir), "fsck", "--full", "--no-dangling"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stderr.lower() and "missing" not in proc.stdout.lower()


def _head(store_dir) -> str | None:
    proc = subprocess.run(["git", "--git-dir", str(store_dir), "rev-parse", "--verify", "-q", "main"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or None


def test_concurrent_snapshots_all_land_on_one_linear_history(store_dir, contoso):
    jobs = [[CONNVER, "snapshot", str(contoso["contoso-v1"]), "--channel", "dev", "--connector", f"c{i}"]
            for i in range(4)]
    jobs += [[CONNVER, "snapshot", str(contoso[v]), "--channel", "deployed", "--connector", "shared"]
             for v in ("contoso-v1", "contoso-v2")]
    procs = [subprocess.Popen(job, env=_env(store_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for job in jobs]
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert out.startswith("recorded"), out
    _fsck_ok(store_dir)
    assert git("--git-dir", str(store_dir), "rev-list", "--count", "main").strip() == "6"
    assert git("--git-dir", str(store_dir), "rev-list", "--min-parents=2", "main") == ""
    tree = git("--git-dir", str(store_dir), "ls-tree", "--name-only", "main:connectors").split()
    assert tree == ["c0", "c1", "c2", "c3", "shared"]
    assert git("--git-dir", str(store_dir), "rev-list", "--count", "main", "--", "connectors/shared").strip() == "2"


def test_a_busy_store_waits_briefly_then_fails_with_one_line(run, store_dir, contoso, monkeypatch):
    run("store", "init")
    monkeypatch.setenv("CONNVER_LOCK_TIMEOUT", "0.4")
    with StoreLock(store_dir, timeout=1):
        started = time.monotonic()
        result = run("snapshot", contoso["contoso-v1"], "--channel", "dev")
        waited = time.monotonic() - started
    assert result.exit_code == 2
    assert waited >= 0.4
    assert result.stderr.startswith("connver: error: the store ") and "busy" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr and result.stderr.count("\n") == 1
    assert _head(store_dir) is None
    # once the lock is free the same command works
    assert run("snapshot", contoso["contoso-v1"], "--channel", "dev").exit_code == 0


def test_a_waiting_writer_goes_ahead_when_the_lock_is_released(run, store_dir, contoso, monkeypatch):
    run("store", "init")
    monkeypatch.setenv("CONNVER_LOCK_TIMEOUT", "10")
    lock = StoreLock(store_dir, timeout=1)
    lock.acquire()
    threading.Timer(0.3, lock.release).start()
    result = run("snapshot", contoso["contoso-v1"], "--channel", "dev")
    assert result.exit_code == 0 and result.stdout.startswith("recorded")


def _git_wrapper(tmp_path: Path, mode: str) -> Path:
    """A ``git`` on PATH that kills its caller (connver) around ``git update-ref``.

    before: kill before the branch moves; after: let update-ref finish, then kill;
    branch-only: move only the branch (drop the tag lines), then kill: a writer killed in
    the middle of the ref transaction.
    """
    real = shutil.which("git")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "git"
    script.write_text(f"""#!/bin/sh
case "$*" in
  *update-ref*--stdin*)
    case "{mode}" in
      before) kill -9 $PPID; exit 1;;
      after) "{real}" "$@"; kill -9 $PPID; exit 0;;
      branch-only) grep -v 'refs/tags/' | "{real}" "$@"; kill -9 $PPID; exit 0;;
    esac;;
esac
exec "{real}" "$@"
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


@pytest.mark.parametrize("mode", ["before", "after", "branch-only"])
def test_killed_at_the_commit_point_leaves_the_store_before_or_after(run, store_dir, contoso, tmp_path, mode):
    assert run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c").exit_code == 0
    before = _head(store_dir)
    bin_dir = _git_wrapper(tmp_path, mode)
    env = _env(store_dir, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([CONNVER, "snapshot", str(contoso["contoso-v2"]), "--channel", "dev", "--connector", "c"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    _fsck_ok(store_dir)
    after = _head(store_dir)
    log = run("log", "c")
    assert log.exit_code == 0
    if mode == "before":
        assert after == before and len(log.stdout.splitlines()) == 1
    else:
        assert after != before and len(log.stdout.splitlines()) == 2
        assert git("--git-dir", str(store_dir), "rev-parse", "main~1").strip() == before
        restored = tmp_path / "restored"
        assert run("restore", "c@dev", restored).exit_code == 0
        assert read_folder(restored) == read_folder(contoso["contoso-v2"])
    tags_now = set(git("--git-dir", str(store_dir), "tag").split())
    assert ("c/dev/1.1" in tags_now) == (mode == "after")
    check = run("store", "check")  # the journal of the killed writer is still there
    assert check.exit_code == 1 and "interrupted" in check.stdout
    # the next writer finishes (or undoes) what the killed one left, and goes on
    assert run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--connector", "c").exit_code == 0
    tags = set(git("--git-dir", str(store_dir), "tag").split())
    assert ("c/dev/1.1" in tags) == (mode != "before")
    assert not (store_dir / "connver-journal.json").exists()
    _fsck_ok(store_dir)
    assert run("store", "check").exit_code == 0


def _kill_when(proc, seen, timeout=30.0) -> bool:
    """SIGKILL ``proc`` as soon as ``seen()`` is true; False when it ended first."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if seen(proc):
            proc.send_signal(signal.SIGKILL)
            break
    return proc.wait(timeout=60) == -signal.SIGKILL


def test_snapshots_killed_at_any_moment(run, store_dir, corpus, tmp_path):
    """SIGKILL real snapshots of ~1 MB files while objects are written, between the objects
    and the branch move, and at spread-out moments; the store is always before or after."""
    folders = sorted((corpus / "history" / "encodian").glob("0*_*"))
    assert len(folders) == 4
    env = _env(store_dir)

    def snapshot(folder):
        return subprocess.Popen([CONNVER, "snapshot", str(folder), "--channel", "dev", "--connector", "enc"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    assert snapshot(folders[0]).wait(timeout=60) == 0
    started = time.monotonic()
    assert snapshot(folders[1]).wait(timeout=60) == 0  # a warm run, for its duration
    duration = time.monotonic() - started

    def object_being_written(proc):
        """The process holds a ``tmp_obj_*`` file open (Linux: /proc/PID/fd)."""
        fd_dir = f"/proc/{proc.pid}/fd"
        if not os.path.isdir("/proc/self/fd"):
            return any(store_dir.glob("objects/??/tmp_obj_*"))
        try:
            for fd in os.listdir(fd_dir):
                if "tmp_obj_" in os.readlink(f"{fd_dir}/{fd}"):
                    return True
        except OSError:
            pass
        return False

    def between_objects_and_branch(proc):
        return (store_dir / "connver-journal.json").exists()

    # big (16 MB) definitions keep the object-writing window wide enough to hit every time
    big = []
    for i in range(3):
        folder = tmp_path / f"big{i}" / "enc"
        folder.mkdir(parents=True)
        pad = os.urandom(8 * 1024 * 1024).hex()
        (folder / "apiDefinition.swagger.json").write_text(
            f'{{"swagger": "2.0", "info": {{"title": "big", "version": "9.{i}"}}, "paths": {{}}, "x-pad": "{pad}"}}')
        big.append(folder)

    moments = [object_being_written] * 3 + [between_objects_and_branch] * 3
    moments += [duration * f for f in (0.3, 0.6, 0.8, 0.9)]
    outcomes = []
    current = folders[1]
    for i, moment in enumerate(moments):
        folder = folders[(folders.index(current) + 1 + i % 3) % 4]  # never the stored one
        if moment is object_being_written:
            folder = big[i]
        before = _head(store_dir)
        proc = snapshot(folder)
        if callable(moment):
            killed = _kill_when(proc, moment)
            for _ in range(4):  # a busy machine can let the window pass unseen: try again
                if killed or moment is object_being_written:
                    break
                _fsck_ok(store_dir)
                folder = folders[(folders.index(folder) + 1) % 4] if folder in folders else folder
                before = _head(store_dir)
                proc = snapshot(folder)
                killed = _kill_when(proc, moment)
        else:
            time.sleep(moment)
            proc.send_signal(signal.SIGKILL)
            killed = proc.wait(timeout=60) == -signal.SIGKILL
        _fsck_ok(store_dir)
        now = _head(store_dir)
        assert now == before or git("--git-dir", str(store_dir), "rev-parse", "main~1").strip() == before
        if now != before:  # after: the whole snapshot is there
            out = tmp_path / f"r{i}"
            assert run("restore", "enc@dev", out).exit_code == 0
            assert read_folder(out) == read_folder(folder)
            current = folder if folder in folders else current
        assert run("log", "enc").exit_code == 0
        outcomes.append((getattr(moment, "__name__", "delay"), killed, now != before))
    assert all(killed for name, killed, _ in outcomes if name != "delay"), outcomes
    # killed between the objects and the branch move: the branch had not moved
    assert not any(moved for name, killed, moved in outcomes if name == "object_being_written"), outcomes
    # and the store still takes snapshots, finishing what a killed writer left
    result = run("snapshot", folders[0], "--channel", "dev", "--connector", "enc")
    assert result.exit_code == 0, result.output
    assert not (store_dir / "connver-journal.json").exists()
    _fsck_ok(store_dir)
    assert run("store", "check").exit_code == 0
