"""A store that is not a connver store, or is damaged, gets one clear line, not a traceback."""

from __future__ import annotations

import os

import pytest

from storekit import git


def _one_error_line(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("connver: error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr


@pytest.mark.parametrize("command", [("log",), ("list",), ("show", "x@dev"), ("snapshot", "{src}", "--channel", "dev")])
def test_a_folder_that_is_not_a_git_repository(run, tmp_path, contoso, command):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    args = [a.replace("{src}", str(contoso["contoso-v1"])) for a in command]
    _one_error_line(run(*args, "--store", folder), "is not a connver store", "not a git repository")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_a_plain_git_repository_is_not_taken_over(run, tmp_path, contoso):
    repo = tmp_path / "project"
    git("init", "-q", str(repo))
    _one_error_line(run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--store", repo),
                    "is a git repository but not a connver store")
    bare = tmp_path / "bare.git"
    git("init", "-q", "--bare", str(bare))
    _one_error_line(run("log", "--store", bare), "not a connver store")
    assert git("--git-dir", str(bare), "for-each-ref") == ""


def test_a_file_where_the_store_should_be(run, tmp_path):
    path = tmp_path / "store"
    path.write_text("x")
    result = run("list", "--store", path)  # click refuses it as a usage error
    assert result.exit_code == 2 and "is a file" in result.stderr and "Traceback" not in result.output
    assert path.read_text() == "x"


def test_no_store_yet(run, store_dir):
    _one_error_line(run("log"), "no snapshot store at")
    _one_error_line(run("diff", "c@deployed", "c@dev"), "no snapshot store at")


def _loose(store_dir, sha):
    path = store_dir / "objects" / sha[:2] / sha[2:]
    os.chmod(path, 0o644)
    return path


def test_a_corrupt_commit_object(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c")
    head = git("--git-dir", str(store_dir), "rev-parse", "main").strip()
    _loose(store_dir, head).write_bytes(b"garbage, not zlib")
    for args in (("log",), ("list",), ("show", "c@dev"), ("diff", "c@~0", "c@~0")):
        _one_error_line(run(*args), "damaged")
    check = run("store", "check")
    assert check.exit_code == 1 and "damaged" in check.stdout


def test_a_branch_pointing_at_a_missing_commit(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c")
    (store_dir / "refs" / "heads" / "main").write_text("1234567890123456789012345678901234567890\n")
    _one_error_line(run("log"), "damaged")
    _one_error_line(run("snapshot", contoso["contoso-v2"], "--channel", "dev", "--connector", "c"), "damaged")


def test_a_missing_file_blob(run, store_dir, contoso, tmp_path):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c")
    blob = git("--git-dir", str(store_dir), "rev-parse", "main:connectors/c/dev/apiProperties.json").strip()
    _loose(store_dir, blob).unlink()
    _one_error_line(run("restore", "c@dev", tmp_path / "out"), "damaged")
    _one_error_line(run("show", "c@dev"), "damaged")
    assert run("log").exit_code == 0  # the history itself is intact


def test_a_broken_config(run, store_dir, contoso):
    run("store", "init")
    (store_dir / "config").write_text("[core\nthis is not a config")
    _one_error_line(run("log"))
