"""Environment problems while the store is written or a snapshot restored: one clear line,
exit status 2, and nothing half-written. Tests run as root, which ignores permission bits,
so unwritable folders and full disks are simulated by patching the ``os`` calls."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import faults
from storekit import git


def _one_line(result, *needles: str) -> None:
    faults.one_line_error(result, *needles)


def _snapshot(run, contoso, version="contoso-v1", channel="dev"):
    return run("snapshot", contoso[version], "--channel", channel, "--connector", "c")


def _head(store_dir: Path) -> str:
    return git("--git-dir", str(store_dir), "rev-parse", "main").strip()


def _healthy(run) -> None:
    check = run("store", "check")
    assert check.exit_code == 0, check.output


# --------------------------------------------------------------------------- the store


def test_a_store_whose_lock_cannot_be_opened(run, store_dir, contoso, monkeypatch):
    assert _snapshot(run, contoso).exit_code == 0
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if Path(path).name == "connver.lock":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    _one_line(_snapshot(run, contoso, "contoso-v2"), f"cannot write to the store at {store_dir}: permission denied on "
              f"{store_dir / 'connver.lock'}", "make the folder writable for you", "--store DIR or CONNVER_STORE")
    assert run("log").exit_code == 0  # readers need no lock


def test_a_store_that_cannot_be_created_in_its_parent(run, tmp_path, contoso, monkeypatch):
    parent = tmp_path / "readonly"
    parent.mkdir()
    store = parent / "store"
    faults.deny_create(monkeypatch, parent)
    result = run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--store", store)
    _one_line(result, f"cannot create the store at {store}: permission denied in the folder {parent}")
    assert list(parent.iterdir()) == []
    _one_line(run("store", "init", "--store", store), "cannot create the store at")


def test_a_store_under_a_folder_you_cannot_read(run, tmp_path, contoso, monkeypatch):
    private = tmp_path / "private"
    store = private / "store"
    assert run("store", "init", "--store", store).exit_code == 0
    real_stat = os.stat

    def stat_(path, *args, **kwargs):
        if str(os.fspath(path)).startswith(str(private) + os.sep):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_)
    for args in (("list",), ("log",), ("show", "c@dev"), ("diff", "c@deployed", "c@dev"), ("restore", "c@dev",
                 tmp_path / "out"), ("store", "init"), ("store", "check"),
                 ("snapshot", contoso["contoso-v1"], "--channel", "dev")):
        _one_line(run(*args, "--store", store), f"cannot read the store at {store}: permission denied",
                  "make the folder and its parents readable for you")


def test_a_full_disk_mid_snapshot_leaves_the_store_as_it_was(run, store_dir, contoso, monkeypatch):
    assert _snapshot(run, contoso).exit_code == 0
    before = _head(store_dir)
    real_replace = os.replace
    calls = []

    def replace(src, dst, *args, **kwargs):
        if Path(src).name.startswith("tmp_obj_"):
            calls.append(dst)
            if len(calls) > 2:  # some objects made it, then the disk fills up
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    _one_line(_snapshot(run, contoso, "contoso-v2"), f"cannot write to the store at {store_dir}: no space left",
              "the store keeps what it had")
    monkeypatch.setattr(os, "replace", real_replace)
    assert len(calls) == 3 and _head(store_dir) == before
    assert not list(store_dir.glob("objects/??/tmp_obj_*"))
    _healthy(run)
    assert _snapshot(run, contoso, "contoso-v2").exit_code == 0


def test_a_lock_that_is_a_folder(run, store_dir, contoso):
    assert run("store", "init").exit_code == 0
    (store_dir / "connver.lock").mkdir()
    _one_line(_snapshot(run, contoso), f"{store_dir / 'connver.lock'} is a folder where connver keeps a file",
              "move that folder away")


@pytest.mark.parametrize("journal", [
    '{"old":"zz","new":5,"tags":"x"}',
    '{"old": null, "new": "' + "a" * 40 + '", "tags": [["../../HEAD", "' + "b" * 40 + '"]]}',
    "not json at all",
])
def test_a_journal_connver_did_not_write(run, store_dir, contoso, journal):
    assert _snapshot(run, contoso).exit_code == 0
    before = _head(store_dir)
    path = store_dir / "connver-journal.json"
    path.write_text(journal)
    _one_line(_snapshot(run, contoso, "contoso-v2"), "is damaged: connver-journal.json", "is not one connver wrote",
              f"delete {path} and run again")
    assert path.read_text() == journal and _head(store_dir) == before
    check = run("store", "check")
    assert check.exit_code == 1 and "is not one connver wrote" in check.stdout
    path.unlink()
    assert _snapshot(run, contoso, "contoso-v2").exit_code == 0


# --------------------------------------------------------------------------- restore


@pytest.fixture
def stored(run, store_dir, contoso):
    assert _snapshot(run, contoso).exit_code == 0
    return store_dir


@pytest.mark.parametrize("inside", [".", "refs", "objects/new-folder"])
def test_restore_refuses_a_destination_inside_the_store(run, stored, inside, tmp_path, monkeypatch):
    before = sorted(p.relative_to(stored) for p in stored.rglob("*"))
    _one_line(run("restore", "c@dev", stored / inside), "is inside the snapshot store", "outside the store")
    monkeypatch.chdir(stored)  # also when given relative to the current folder
    _one_line(run("restore", "c@dev", inside), "is inside the snapshot store")
    assert sorted(p.relative_to(stored) for p in stored.rglob("*")) == before
    _healthy(run)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_restored_files_get_the_usual_mode(run, stored, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        assert run("restore", "c@dev", tmp_path / "out").exit_code == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert modes and set(modes.values()) == {mode}, modes


def test_restore_force_keeps_the_mode_of_a_replaced_file(run, stored, tmp_path):
    out = tmp_path / "out"
    assert run("restore", "c@dev", out).exit_code == 0
    (out / "apiProperties.json").chmod(0o600)
    (out / "apiProperties.json").write_text("mine")
    assert run("restore", "c@dev", out, "--force").exit_code == 0
    assert (out / "apiProperties.json").stat().st_mode & 0o777 == 0o600
    assert (out / "apiProperties.json").read_text() != "mine"


def test_restore_over_a_folder_is_one_line_and_writes_nothing(run, stored, tmp_path):
    out = tmp_path / "out2"
    (out / "apiDefinition.swagger.json").mkdir(parents=True)
    _one_line(run("restore", "c@dev", out, "--force"), "apiDefinition.swagger.json: is a folder, not a file")
    assert [p.name for p in out.iterdir()] == ["apiDefinition.swagger.json"]


def test_restore_into_a_folder_that_cannot_be_written(run, stored, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    faults.deny_create(monkeypatch, ro)
    _one_line(run("restore", "c@dev", ro), "cannot write it: permission denied", "nothing was changed")
    _one_line(run("restore", "c@dev", ro / "sub"), f"{ro / 'sub'}: cannot create it: permission denied")
    assert list(ro.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
def test_restore_into_proc_is_one_line(run, stored):
    _one_line(run("restore", "c@dev", "/proc/connver-restore"), "/proc/connver-restore: cannot create it")


def test_restore_on_a_full_disk_writes_no_file(run, stored, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_write = os.write
    faults.disk_full(monkeypatch, tmp_path, after=50)
    _one_line(run("restore", "c@dev", out), "no space left on the device")
    monkeypatch.setattr(os, "write", real_write)
    assert not out.exists()  # the folder it made is removed again


def test_restore_fails_midway_and_puts_back_what_it_replaced(run, stored, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("restore", "c@dev", out).exit_code == 0
    for path in out.iterdir():
        path.write_text(f"my edit of {path.name}")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    names = sorted(before)
    faults.fail_replace(monkeypatch, names[-1])
    _one_line(run("restore", "c@dev", out, "--force"), "permission denied")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert faults.hidden_leftovers(out) == []
