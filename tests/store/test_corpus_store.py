"""The whole corpus history through the store: import, log, restore and diff give back
exactly the corpus files and the same diffs as the folders."""

from __future__ import annotations

import json
import re

import pytest

from storekit import build_corpus_repo, connector_paths, corpus_versions, git, read_folder
from connver.sourcefiles import SourceFiles
from connver.store.importer import plan_import, run_import
from connver.store.redact import MARKER
from connver.store.snapshots import read_store_source, snapshot_log, take_snapshot


@pytest.fixture(scope="module")
def corpus_repo(corpus, tmp_path_factory):
    repo = tmp_path_factory.mktemp("corpus-repo") / "PowerPlatformConnectors"
    commits = build_corpus_repo(corpus, repo)
    return repo, commits


@pytest.fixture(scope="module")
def imported(corpus_repo, tmp_path_factory):
    """The store after `connver import REPO --history` (through the real CLI)."""
    from click.testing import CliRunner

    from connver.cli.main import cli

    repo, _ = corpus_repo
    store = tmp_path_factory.mktemp("imported") / "store"
    result = CliRunner().invoke(cli, ["import", str(repo), "--history", "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return store, result


def _ids(corpus) -> dict[str, str]:
    """slug -> the connector id the import gives it (the folder name made safe)."""
    return {slug: re.sub(r"-+", "-", path.rsplit("/", 1)[-1].replace(" ", "-"))
            for slug, path in connector_paths(corpus).items()}


def _expected(restored: dict[str, bytes], original: dict[str, bytes], redacted: list[str]) -> dict[str, bytes]:
    """The corpus files with the values the snapshot says it redacted replaced by the marker."""
    expected = dict(original)
    for item in redacted:
        file, pointer = item.split(" ", 1)[0].split("#", 1)
        value = json.loads(original[file])
        for part in pointer.strip("/").split("/"):
            value = value[int(part)] if isinstance(value, list) else value[part.replace("~1", "/").replace("~0", "~")]
        expected[file] = expected[file].replace(json.dumps(value)[1:-1].encode(), MARKER.encode())
    return expected


def test_import_reports_every_version_of_every_connector(corpus, imported):
    store, result = imported
    versions = corpus_versions(corpus)
    total = sum(len(v) for v in versions.values())
    assert total == 167 and len(versions) == 22
    assert f"imported {total} snapshot(s) of 22 connector(s) into deployed; 0 already in the store" in result.stdout
    assert result.stderr.count("redacted a secret") == 5  # timeghost 03..07 carry a function key
    assert git("--git-dir", str(store), "rev-list", "--count", "main").strip() == str(total)
    proc = git("--git-dir", str(store), "fsck", "--full", "--no-dangling")
    assert "error" not in proc


def test_log_and_restore_give_back_exactly_the_corpus_files(run, corpus, corpus_repo, imported, tmp_path):
    store, _ = imported
    _, commits = corpus_repo
    ids = _ids(corpus)
    redacted_files = 0
    for slug, folders in corpus_versions(corpus).items():
        log = run("log", ids[slug], "--store", store, "-f", "json")
        snaps = json.loads(log.stdout)
        assert len(snaps) == len(folders), slug
        # oldest last; each snapshot names the commit it came from, with its author and date
        assert [s["original_commit"] for s in reversed(snaps)] == commits[slug]
        assert all(s["original_author"] == f"Publisher {slug} <{slug}@example.invalid>" for s in snaps)
        subjects = [row for row in (corpus / "history" / slug / "versions.tsv").read_text(encoding="utf-8").splitlines()[1:]]
        assert [s["original_subject"] for s in reversed(snaps)] == [" ".join(r.split("\t")[3].split()) for r in subjects]
        for back, folder in enumerate(reversed(folders)):
            dest = tmp_path / slug / str(back)
            result = run("restore", f"{ids[slug]}@~{back}", dest, "--store", store)
            assert result.exit_code == 0, result.output
            restored, original = read_folder(dest), read_folder(folder)
            redacted = snaps[back]["redacted"]
            redacted_files += bool(redacted)
            assert restored == _expected(restored, original, redacted), f"{slug} ~{back}"
            if not redacted:
                assert restored == original
    assert redacted_files == 5


def _diff_json(run, *args):
    result = run("diff", *map(str, args), "-f", "json")
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else result.stderr)


def test_diff_of_the_last_two_snapshots_equals_the_folder_diff(run, corpus, imported):
    store, _ = imported
    ids = _ids(corpus)
    compared = 0
    for slug, folders in corpus_versions(corpus).items():
        code_f, folder_diff = _diff_json(run, folders[-2], folders[-1])
        code_s, store_diff = _diff_json(run, f"{ids[slug]}@~1", f"{ids[slug]}@~0", "--store", store)
        assert code_s == code_f, slug
        if code_f != 0:  # zohosign's last swagger is not valid JSON: the same error, named the same way
            assert store_diff.split("apiDefinition.swagger.json", 1)[1] == folder_diff.split("apiDefinition.swagger.json", 1)[1]
            continue
        assert store_diff["changes"] == folder_diff["changes"], slug
        assert store_diff["summary"] == folder_diff["summary"], slug
        assert store_diff["new"]["version"] == folder_diff["new"]["version"]
        compared += 1
    assert compared >= 20


def test_history_import_is_incremental(run, corpus_repo, imported):
    store, _ = imported
    repo, _ = corpus_repo
    again = run("import", repo, "--history", "--store", store)
    assert "imported 0 snapshot(s) of 22 connector(s) into deployed; 167 already in the store" in again.stdout


def test_import_of_the_tip_into_dev_with_paths(run, corpus_repo, tmp_path):
    repo, commits = corpus_repo
    store = tmp_path / "store"
    result = run("import", repo, "--channel", "dev", "--path", "certified-connectors/Airmeet",
                 "--path", "certified-connectors/OpenText ContentServer by One Fox/", "--store", store)
    assert result.exit_code == 0, result.output
    assert "imported 2 snapshot(s) of 2 connector(s) into dev" in result.stdout
    tip = git("-C", str(repo), "rev-parse", "master").strip()
    shown = json.loads(run("show", "OpenText-ContentServer-by-One-Fox@dev", "--store", store, "-f", "json").stdout)
    assert shown["original_commit"] == tip and shown["channel"] == "dev"
    assert shown["source"] == f"certified-connectors/OpenText ContentServer by One Fox at master in {repo}"
    missing = run("import", repo, "--path", "certified-connectors/Nope", "--store", store)
    assert missing.exit_code == 2 and "no such folder at master" in missing.stderr
    bad_ref = run("import", repo, "--ref", "no-such-branch", "--channel", "dev", "--store", store)
    assert bad_ref.exit_code == 2 and "is not a commit or branch" in bad_ref.stderr


def test_progress_is_reported_for_every_step(corpus_repo, tmp_path):
    repo, _ = corpus_repo
    plan = plan_import(repo, paths=["certified-connectors/timeghost"], history=True)
    assert len(plan.steps) == 13
    ticks = []
    result = run_import(plan, store_dir=tmp_path / "s", progress=ticks.append)
    assert sum(ticks) == 13 and result.created == 13


def test_version_tags_follow_info_version(corpus, imported):
    store, _ = imported
    tags = git("--git-dir", str(store), "tag", "--list", "OneBlink/*").split()
    assert len(tags) == 9  # OneBlink bumps its version in every step
    talkdesk = git("--git-dir", str(store), "tag", "--list", "Talkdesk/*").split()
    assert talkdesk == ["Talkdesk/deployed/1.0"]  # never bumped: one tag


def test_snapshot_each_version_folder_in_order(corpus, tmp_path):
    """The other road to the same store: one `snapshot` per version folder, versions.tsv order."""
    store = tmp_path / "store"
    versions = corpus_versions(corpus)
    for slug, folders in versions.items():
        for folder in folders:
            source = SourceFiles(str(folder), read_folder(folder), kind="folder", meta={"path": str(folder)})
            assert take_snapshot(source, channel="dev", store_dir=store, connector=slug).created
    for slug, folders in versions.items():
        snaps = snapshot_log(store, slug)
        assert len(snaps) == len(folders)
        for back, folder in enumerate(reversed(folders)):
            source = read_store_source(f"{slug}@dev~{back}", store)
            assert source.meta["commit"] == snaps[back].commit
            original = read_folder(folder)
            assert source.files == _expected(source.files, original, list(snaps[back].redacted)), f"{slug} ~{back}"
            assert bool(snaps[back].redacted) == (source.files != original)


def test_every_consecutive_pair_diffs_the_same_from_the_store(corpus, imported):
    """Beyond ~1/~0: all 145 consecutive pairs, through the library. Where a secret was
    redacted the findings are the same (rule, level, location); elsewhere identical."""
    from connver import diff, load_connector
    from connver.errors import InputError

    store, _ = imported
    ids = _ids(corpus)

    def changes(old, new, **kw):
        try:
            return [(c.rule, c.level, c.location, repr(c.old), repr(c.new))
                    for c in diff(load_connector(old, **kw), load_connector(new, **kw)).changes]
        except InputError as exc:
            return type(exc).__name__

    pairs = 0
    for slug, folders in corpus_versions(corpus).items():
        n = len(folders)
        redacted = {back for back, s in enumerate(snapshot_log(store, ids[slug])) if s.redacted}
        for k in range(1, n):
            from_folders = changes(folders[k - 1], folders[k])
            back_old, back_new = n - k, n - k - 1
            from_store = changes(f"{ids[slug]}@~{back_old}", f"{ids[slug]}@~{back_new}", store=store)
            if {back_old, back_new} & redacted and isinstance(from_store, list):
                assert [c[:3] for c in from_store] == [c[:3] for c in from_folders], f"{slug} {k}"
            else:
                assert from_store == from_folders, f"{slug} {k}"
            pairs += 1
    assert pairs == 167 - 22
