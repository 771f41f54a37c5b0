"""Sources on disk that are not what they seem: unreadable folders, a folder where a swagger
file should be, pipes, and a folder holding both swagger names."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES
from connver import load_connector, read_source

DEMO = FIXTURES / "demo"
SWAGGER = "apiDefinition.swagger.json"


def one_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith("connver: error: ")
    return line


def diff(old, new="-"):
    return CliRunner().invoke(cli, ["diff", str(old), str(DEMO / "new") if new == "-" else str(new)])


def test_an_unreadable_folder_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "dirno"
    shutil.copytree(DEMO / "old", folder)
    real_listdir, real_stat = os.listdir, Path.stat

    # what chmod 000 does for a normal user (tests run as root, where it does not bite): the
    # folder cannot be listed, and nothing inside it can be reached
    def listdir(path="."):
        if Path(path).name == "dirno":
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    def stat(self, **kwargs):
        if self.parent.name == "dirno":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(Path, "stat", stat)
    assert one_line(diff(folder)) == (f"connver: error: {folder}: cannot read folder: permission denied "
                                      "(check the folder's permissions)")


def test_a_path_below_an_unreadable_folder_is_one_line(tmp_path, monkeypatch):
    inner = tmp_path / "sub" / "inner"
    shutil.copytree(DEMO / "old", inner)
    real = Path.stat

    def stat(self, **kwargs):  # what chmod 000 sub does to sub/inner for a normal user
        if "sub" in self.parts:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    assert one_line(diff(inner)) == (f"connver: error: {inner}: cannot read: permission denied "
                                     "(check the permissions of it and of the folders above it)")


def test_an_unreadable_file_in_a_connector_folder_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    shutil.copytree(DEMO / "old", folder)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "apiProperties.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert one_line(diff(folder)) == (f"connver: error: {folder / 'apiProperties.json'}: cannot read: "
                                      "permission denied (check the file's permissions)")


def test_a_swagger_path_that_is_a_folder_says_so(tmp_path):
    odd = tmp_path / "c" / SWAGGER
    odd.mkdir(parents=True)
    assert one_line(diff(odd)) == (f"connver: error: {odd}: a folder, not a swagger file (give the swagger file "
                                   "itself, or the connector folder that holds it)")
    assert one_line(diff(odd.parent)) == (f"connver: error: {odd}: a folder, not a file (it should be the "
                                          "connector's file of that name)")


def _unblock_later(fifo: Path) -> threading.Thread:
    """Open the pipe for writing after a while, so that a reader that blocks on it fails the
    test instead of hanging it."""
    def write() -> None:
        try:
            fd = os.open(fifo, os.O_WRONLY)
            os.close(fd)
        except OSError:
            pass

    timer = threading.Timer(5.0, write)
    timer.daemon = True
    timer.start()
    return timer


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "old.json"
    os.mkfifo(fifo)
    timer = _unblock_later(fifo)
    try:
        assert one_line(diff(fifo)) == (f"connver: error: {fifo}: not a regular file (a pipe, socket or device) "
                                        "(save its contents to a file first, then give that file)")
        folder = tmp_path / "c"
        folder.mkdir()
        os.mkfifo(folder / SWAGGER)
        assert one_line(diff(folder)) == (f"connver: error: {folder / SWAGGER}: not a regular file (a pipe, "
                                          "socket or device) (save its contents to a file first, then give that file)")
    finally:
        timer.cancel()


def test_both_swagger_names_that_differ_leave_a_note(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(DEMO / "old", folder)
    shutil.copy(DEMO / "new" / SWAGGER, folder / "apiDefinition.json")
    source = read_source(folder)
    assert source.swagger_name == SWAGGER
    assert source.files[SWAGGER] == (DEMO / "old" / SWAGGER).read_bytes()
    assert source.notes == (("apiDefinition.json",
                             f"ignored: {SWAGGER} is there too, with different contents, and was read instead; "
                             "delete the stale one"),)
    # said once, at the file's own path (it was once shown as the folder twice)
    (warning,) = [str(w) for w in load_connector(folder).warnings]
    assert warning.startswith(f"{folder}/apiDefinition.json:1:1: ignored: ")
    # the same contents: nothing to say
    shutil.copy(folder / SWAGGER, folder / "apiDefinition.json")
    assert read_source(folder).notes == ()
    # naming apiDefinition.json reads that file, not its neighbour
    shutil.copy(DEMO / "new" / SWAGGER, folder / "apiDefinition.json")
    named = read_source(folder / "apiDefinition.json")
    assert named.swagger_name == "apiDefinition.json" and SWAGGER not in named.files
    assert named.files["apiDefinition.json"] == (DEMO / "new" / SWAGGER).read_bytes()
    assert named.notes == ()


def test_two_different_swagger_files_in_one_folder_are_warned_about(tmp_path):
    import shutil

    from click.testing import CliRunner

    from connver.cli.main import cli

    folder = tmp_path / "both"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    shutil.copyfile(FIXTURES / "demo" / "new" / "apiDefinition.swagger.json", folder / "apiDefinition.json")
    result = CliRunner().invoke(cli, ["diff", str(folder), str(folder)])
    assert result.exit_code == 0
    assert "apiDefinition.swagger.json" in result.stderr and "warning" in result.stderr
