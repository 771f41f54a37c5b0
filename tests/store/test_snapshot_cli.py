"""Snapshot, log, list, show and restore through the real CLI, on small fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storekit import git, read_folder


def test_first_snapshot_creates_the_store_and_records_trailers_and_a_tag(run, store_dir, contoso):
    result = run("snapshot", contoso["contoso-v1"], "--channel", "deployed")
    assert result.exit_code == 0, result.output
    assert "recorded shared_contoso-5f1a2b3c@deployed 1.0" in result.stdout
    assert "tagged shared_contoso-5f1a2b3c/deployed/1.0" in result.stdout
    # any git tool reads it: a bare repository, files at connectors/<id>/<channel>/
    body = git("--git-dir", str(store_dir), "log", "-1", "--format=%B")
    trailers = dict(line.split(": ", 1) for line in body.strip().split("\n\n")[-1].splitlines())
    assert trailers["Connector"] == "shared_contoso-5f1a2b3c"
    assert trailers["Channel"] == "deployed"
    assert trailers["Version"] == "1.0"
    assert trailers["Environment"] == "Default-0000-1111"
    assert trailers["Source"] == str(contoso["contoso-v1"].resolve())
    assert trailers["Snapshot-Time"] == "2023-11-14T22:13:20Z"
    listed = git("--git-dir", str(store_dir), "ls-tree", "-r", "--name-only", "main").split()
    assert listed == [f"connectors/shared_contoso-5f1a2b3c/deployed/{n}"
                      for n in ("apiDefinition.swagger.json", "apiProperties.json", "settings.json")]
    assert git("--git-dir", str(store_dir), "tag").split() == ["shared_contoso-5f1a2b3c/deployed/1.0"]


def test_identical_snapshot_makes_no_commit_and_says_so(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev")
    head = git("--git-dir", str(store_dir), "rev-parse", "main")
    again = run("snapshot", contoso["contoso-v1"], "--channel", "dev")
    assert again.exit_code == 0
    assert again.stdout.startswith("unchanged:") and "no snapshot made" in again.stdout
    assert git("--git-dir", str(store_dir), "rev-parse", "main") == head
    # the same files on the other channel are a new snapshot
    other = run("snapshot", contoso["contoso-v1"], "--channel", "deployed")
    assert other.stdout.startswith("recorded")


def test_tag_only_when_the_version_changes(run, store_dir, contoso, tmp_path):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev")
    changed = tmp_path / "edit" / "contoso"
    changed.mkdir(parents=True)
    for name, data in read_folder(contoso["contoso-v1"]).items():
        (changed / name).write_bytes(data.replace(b"Get a ticket", b"Get one ticket"))
    assert "tagged" not in run("snapshot", changed, "--channel", "dev").stdout
    assert "tagged shared_contoso-5f1a2b3c/dev/1.1" in run("snapshot", contoso["contoso-v2"], "--channel", "dev").stdout
    tags = git("--git-dir", str(store_dir), "tag").split()
    assert tags == ["shared_contoso-5f1a2b3c/dev/1.0", "shared_contoso-5f1a2b3c/dev/1.1"]


def test_connector_id_from_option_settings_or_folder(run, store_dir, contoso, tmp_path):
    # --connector wins over settings.json
    assert "recorded tickets@dev" in run("snapshot", contoso["contoso-v1"], "--channel", "dev",
                                         "--connector", "tickets").stdout
    # without settings.json: the folder name
    bare = tmp_path / "My Tickets"
    bare.mkdir()
    (bare / "apiDefinition.swagger.json").write_bytes(
        (contoso["contoso-v1"] / "apiDefinition.swagger.json").read_bytes())
    assert "recorded My-Tickets@dev" in run("snapshot", bare, "--channel", "dev").stdout
    names = run("list", "-f", "json")
    assert [c["connector"] for c in json.loads(names.stdout)] == ["My-Tickets", "tickets"]


@pytest.mark.parametrize("unsafe,expected", [
    ("../../../etc/passwd", "etc-passwd"),
    ("..\\..\\windows", "windows"),
    ("a/b\x00c\x1bd", "a-b-c-d"),
    ("x@dev:~1", "x-dev-1"),
    ("evil.lock", "evil-lock"),
    ("CON", "_CON"),
])
def test_unsafe_connector_ids_from_settings_json_are_made_safe(run, store_dir, contoso, unsafe, expected):
    folder = contoso["contoso-v1"]
    (folder / "settings.json").write_text(json.dumps({"connectorId": unsafe}), encoding="utf-8")
    result = run("snapshot", folder, "--channel", "dev")
    assert result.exit_code == 0, result.output
    assert f"recorded {expected}@dev" in result.stdout
    files = git("--git-dir", str(store_dir), "ls-tree", "-r", "--name-only", "main").split("\n")
    assert all(f.startswith(f"connectors/{expected}/dev/") for f in files if f)
    assert not (store_dir.parent / "etc").exists()


def test_a_connector_id_with_nothing_safe_left_is_refused(run, store_dir, contoso):
    result = run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "../..")
    assert result.exit_code == 2
    assert result.stderr.startswith("connver: error: ") and "cannot be used as a connector id" in result.stderr
    assert not store_dir.exists() or not list(store_dir.glob("refs/heads/main"))


def test_log_list_show_and_spec_forms(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--connector", "c")
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c")
    run("snapshot", contoso["contoso-v2"], "--channel", "dev", "--connector", "c")
    log = run("log", "c").stdout.splitlines()
    assert [line.split()[0] for line in log] == ["~0", "~1", "~2"]
    assert [line.split()[4] for line in log] == ["1.1", "1.0", "1.0"]
    assert len(run("log").stdout.splitlines()) == 3
    assert len(run("log", "c", "--channel", "dev").stdout.splitlines()) == 2
    listing = run("list").stdout
    assert "deployed 1.0" in listing and "dev 1.1" in listing and "3 snapshot(s)" in listing

    def version(spec):
        return json.loads(run("show", f"c@{spec}", "-f", "json").stdout)["version"]

    assert version("dev") == "1.1"
    assert version("deployed") == "1.0"
    assert version("dev~1") == "1.0"
    assert version("~0") == "1.1"
    assert version("~2") == "1.0"
    assert version("1.1") == "1.1"
    commit = json.loads(run("show", "c@~2", "-f", "json").stdout)["commit"]
    shown = json.loads(run("show", f"c@{commit[:8]}", "-f", "json").stdout)
    assert shown["commit"] == commit and shown["channel"] == "deployed"
    raw = run("show", "c@dev", "--file", "apiDefinition.swagger.json")
    assert raw.stdout_bytes == (contoso["contoso-v2"] / "apiDefinition.swagger.json").read_bytes()


@pytest.mark.parametrize("reference,message", [
    ("nope@dev", "no connector 'nope'"),
    ("c@~9", "has only 1 snapshot(s)"),
    ("c@dev", "has no snapshot on channel dev"),
    ("c@9.9", "no snapshot of c has version or commit '9.9'"),
    ("c@", "nothing after '@'"),
    ("c@~x", "expected ~N"),
])
def test_bad_references_get_one_clear_line(run, store_dir, contoso, reference, message):
    run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--connector", "c")
    result = run("show", reference)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("connver: error: ")
    assert message in result.stderr


def test_restore_writes_bytes_back_and_refuses_to_overwrite(run, store_dir, contoso, tmp_path):
    run("snapshot", contoso["contoso-v1"], "--channel", "deployed")
    dest = tmp_path / "out"
    ok = run("restore", "shared_contoso-5f1a2b3c@deployed", dest)
    assert ok.exit_code == 0 and "restored 3 file(s)" in ok.stdout
    assert read_folder(dest) == read_folder(contoso["contoso-v1"])  # CRLF settings.json too
    (dest / "apiProperties.json").write_bytes(b"local edit")
    refused = run("restore", "shared_contoso-5f1a2b3c@deployed", dest)
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert (dest / "apiProperties.json").read_bytes() == b"local edit"
    forced = run("restore", "shared_contoso-5f1a2b3c@deployed", dest, "--force")
    assert forced.exit_code == 0
    assert read_folder(dest) == read_folder(contoso["contoso-v1"])


def test_rev_path_sources_record_the_commit(run, store_dir, contoso, tmp_path):
    clone = tmp_path / "clone"
    git("init", "-q", "-b", "dev", str(clone))
    target = clone / "certified-connectors" / "Contoso"
    target.mkdir(parents=True)
    for name in ("apiDefinition.swagger.json", "apiProperties.json"):
        (target / name).write_bytes((contoso["contoso-v2"] / name).read_bytes())
    git("-C", str(clone), "add", ".")
    git("-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "add")
    sha = git("-C", str(clone), "rev-parse", "HEAD").strip()
    result = run("snapshot", "dev:certified-connectors/Contoso", "--repo", clone, "--channel", "dev")
    assert "recorded Contoso@dev 1.1" in result.stdout, result.output
    shown = json.loads(run("show", "Contoso@dev", "-f", "json").stdout)
    assert shown["original_commit"] == sha
    assert shown["source"].startswith("dev:certified-connectors/Contoso in ")


def test_store_references_work_as_diff_sources(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--connector", "c")
    run("snapshot", contoso["contoso-v2"], "--channel", "dev", "--connector", "c")
    direct = json.loads(run("diff", contoso["contoso-v1"], contoso["contoso-v2"], "-f", "json").stdout)
    pair = json.loads(run("diff", "c@deployed", "c@dev", "-f", "json").stdout)
    alone = json.loads(run("diff", "c", "-f", "json").stdout)
    assert direct["changes"], "the fixture pair must differ"
    assert pair["changes"] == direct["changes"] == alone["changes"]
    assert pair["old"]["source"] == "c@deployed" and alone["new"]["source"] == "c@dev"


def test_store_commands_take_store_option_over_the_environment(run, store_dir, contoso, tmp_path):
    other = tmp_path / "other-store"
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--store", other)
    assert (other / "HEAD").is_file() and not store_dir.exists()
    assert "shared_contoso-5f1a2b3c" in run("list", "--store", other).stdout
    assert run("store", "path", "--store", other).stdout.strip() == str(other)
    assert run("store", "path").stdout.strip() == str(store_dir)


def test_store_init_is_optional_and_idempotent(run, store_dir):
    assert "created an empty store" in run("store", "init").stdout
    assert "already exists" in run("store", "init").stdout
    assert git("--git-dir", str(store_dir), "config", "connver.store").strip() == "1"
    assert run("log").stdout == ""
    assert run("store", "check").exit_code == 0


def test_end_to_end_with_the_installed_command(store_dir, contoso, tmp_path):
    exe = Path(sys.executable).parent / "connver"
    env_run = lambda *a: subprocess.run([str(exe), *map(str, a)], capture_output=True, text=True)  # noqa: E731
    first = env_run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--store", store_dir)
    assert first.returncode == 0, first.stderr
    missing = env_run("restore", "nothing@dev", tmp_path / "x", "--store", store_dir)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("connver: error: no connector 'nothing'")


def test_a_snapshot_can_promote_another_snapshot_and_names_are_forgiving(run, store_dir, contoso):
    run("snapshot", contoso["contoso-v2"], "--channel", "dev", "--connector", "Contoso Tickets")
    promoted = run("snapshot", "Contoso-Tickets@dev", "--channel", "deployed")
    assert "recorded Contoso-Tickets@deployed 1.1" in promoted.stdout, promoted.output
    assert json.loads(run("show", "contoso tickets@deployed", "-f", "json").stdout)["version"] == "1.1"
    assert json.loads(run("diff", "Contoso-Tickets", "-f", "json").stdout)["changes"] == []


def test_the_store_still_works_after_git_gc_packs_it(run, store_dir, contoso, tmp_path):
    run("snapshot", contoso["contoso-v1"], "--channel", "deployed", "--connector", "c")
    run("snapshot", contoso["contoso-v2"], "--channel", "dev", "--connector", "c")
    git("--git-dir", str(store_dir), "gc", "--quiet", "--prune=now")
    assert not list(store_dir.glob("objects/??/*")) and (store_dir / "packed-refs").exists()
    assert run("restore", "c@deployed", tmp_path / "out").exit_code == 0
    assert read_folder(tmp_path / "out") == read_folder(contoso["contoso-v1"])
    assert [line.split()[4] for line in run("log", "c").stdout.splitlines()] == ["1.1", "1.0"]
    assert run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c").stdout.startswith("recorded")
    assert run("store", "check").exit_code == 0


def test_a_git_dir_exported_by_a_git_hook_does_not_redirect_the_store(run, store_dir, contoso, tmp_path, monkeypatch):
    run("snapshot", contoso["contoso-v1"], "--channel", "dev", "--connector", "c")
    git("--git-dir", str(store_dir), "gc", "--quiet", "--prune=now")  # objects now need git to read
    other = tmp_path / "other"
    git("init", "-q", str(other))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other / ".git" / "objects"))
    assert run("restore", "c@dev", tmp_path / "out").exit_code == 0
    assert read_folder(tmp_path / "out") == read_folder(contoso["contoso-v1"])
