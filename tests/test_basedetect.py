"""Base detection: which upstream version a fork came from, on real histories.

Histories are real git repositories built in tmp_path, one commit per version.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from flowkit import INVOICES, ROOT
from connver import Connector, SourceFiles
from connver.basedetect import detect_base, fingerprint, git_candidates, similarity
from connver.errors import InputError

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def build_history(repo: Path, versions: list[tuple[str, Path]], folder: str = "connector") -> list[str]:
    """One commit per version (subject = its name), the files under ``folder``; returns the shas."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    shas = []
    for name, source in versions:
        target = repo / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", ".")  # re-hash: sizes and mtimes may match
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--allow-empty", "-m", name)
        shas.append(git(repo, "rev-parse", "HEAD").strip())
    return shas


def with_local_edits(connector: Connector) -> Connector:
    """What forks do: another host, no stackOwner, an extra action, a reworded parameter."""
    swagger = copy.deepcopy(connector.swagger)
    properties = copy.deepcopy(connector.properties)
    swagger["host"] = "connectors.fabrikam.example"
    properties.pop("stackOwner", None)
    swagger.setdefault("paths", {})["/fabrikam/status"] = {"get": {
        "operationId": "FabrikamStatus", "summary": "Status (Fabrikam)",
        "parameters": [{"name": "detail", "in": "query", "type": "boolean"}],
        "responses": {"200": {"description": "OK"}}}}
    for op in connector.operations.values():
        params = swagger["paths"][op.path][op.method].get("parameters")
        if isinstance(params, list) and params and isinstance(params[0], dict) and "name" in params[0]:
            params[0]["description"] = "Fabrikam: " + str(params[0].get("description", ""))
            break
    files = {"apiDefinition.swagger.json": json.dumps(swagger).encode(),
             "apiProperties.json": json.dumps({"properties": properties}).encode()}
    return Connector.from_files(SourceFiles("fork", files))


# --------------------------------------------------------------------------- fixtures


def test_detects_the_base_in_a_small_history(tmp_path):
    repo = tmp_path / "upstream"
    shas = build_history(repo, [("1.0", INVOICES / "base"), ("2.0", INVOICES / "upstream")])
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", "HEAD:connector",
                                      "--repo", str(repo), "--format", "json"])
    assert result.exit_code == 1, result.output
    base = json.loads(result.stdout)["base"]
    assert base["detected"] is True
    assert base["source"] == f"{shas[0][:10]}:connector"
    assert [c["subject"] for c in base["candidates"]] == ["1.0", "2.0"]
    assert base["candidates"][0]["similarity"] > base["candidates"][1]["similarity"]


def test_upstream_repo_and_path_options(tmp_path):
    repo = tmp_path / "upstream"
    shas = build_history(repo, [("1.0", INVOICES / "base"), ("2.0", INVOICES / "upstream")], folder="certified/Contoso")
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", str(INVOICES / "upstream"),
                                      "--upstream-repo", str(repo), "--path", "certified/Contoso"])
    assert result.exit_code == 1, result.output
    assert f"base:     {shas[0][:10]}:certified/Contoso  [Contoso Invoices 1.0]  (detected: " in result.output
    assert f"next best {shas[1][:10]}:certified/Contoso at " in result.output
    # UPSTREAM as REV:PATH in that clone brings its own history (up to REV)
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", f"{shas[1]}:certified/Contoso",
                                      "--upstream-repo", str(repo), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["upstream"]["version"] == "2.0"
    assert data["base"]["source"] == f"{shas[0][:10]}:certified/Contoso"


def test_similarity_is_one_for_the_same_connector_and_lower_after_edits():
    base = Connector.from_files(SourceFiles("b", {"apiDefinition.swagger.json":
                                                  (INVOICES / "base" / "apiDefinition.swagger.json").read_bytes()}))
    assert similarity(fingerprint(base), fingerprint(base)) == 1.0
    assert 0.8 < similarity(fingerprint(base), fingerprint(with_local_edits(base))) < 1.0


# --------------------------------------------------------------------------- the corpus

#: Connectors whose histories exercise renames, removals, auth changes, big files, broken JSON.
SLUGS = ["timeghost", "tyntec-wa", "airmeet", "snowflake", "zohosign", "encodian", "3e-events"]


def corpus_versions(corpus: Path, slug: str) -> list[tuple[str, Path]]:
    folder = corpus / "history" / slug
    with (folder / "versions.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(f"{row['NN']}_{row['commit'][:8]}", folder / f"{row['NN']}_{row['commit'][:8]}") for row in rows]


@pytest.mark.corpus
@pytest.mark.parametrize("slug", SLUGS)
def test_detection_names_version_n_on_real_history(corpus, tmp_path, slug):
    versions = corpus_versions(corpus, slug)
    build_history(tmp_path / slug, versions)
    candidates = git_candidates(str(tmp_path / slug), "connector")
    assert [c.subject for c in candidates] == [name for name, _ in versions]
    exact = 0
    for name, folder in versions:
        files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        fork = with_local_edits(Connector.from_files(SourceFiles(name, files)))
        best = detect_base(fork, candidates)[0]
        if best.candidate.subject == name:
            exact += 1
            continue
        # otherwise the version found must be indistinguishable from N once the same edits
        # are made (e.g. N only changed the host, or only added stackOwner)
        chosen = with_local_edits(Connector.from_files(best.candidate.load()))
        assert similarity(fingerprint(chosen), fingerprint(fork)) == 1.0, (name, best.candidate.subject)
    assert exact >= len(versions) - 3


def test_detects_the_base_among_store_snapshots(tmp_path):
    snapshots = pytest.importorskip("connver.store.snapshots", reason="the snapshot store is not in this build")
    from connver import read_source

    store = tmp_path / "store"
    snapshots.create_store(store)
    taken = [snapshots.take_snapshot(read_source(str(INVOICES / v)), channel="dev", store_dir=store,
                                     connector="contoso-invoices").snapshot for v in ("base", "upstream")]
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", "contoso-invoices@dev",
                                      "--store", str(store), "--format", "json"])
    assert result.exit_code == 1, result.output
    base = json.loads(result.stdout)["base"]
    assert base["detected"] is True
    assert base["source"] == f"contoso-invoices@{taken[0].commit[:10]}"
    assert [c["version"] for c in base["candidates"]] == ["1.0", "2.0"]


def test_an_unrelated_history_is_not_taken_as_the_base(tmp_path):
    """The demo connector's history has nothing in common with the invoices fork: no base."""
    repo = tmp_path / "upstream"
    shas = build_history(repo, [("old", ROOT / "fixtures" / "demo" / "old"), ("new", ROOT / "fixtures" / "demo" / "new")])
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", str(INVOICES / "upstream"),
                                      "--upstream-repo", str(repo), "--path", "connector"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == (
        f"connver: error: no upstream version looks like the fork: the closest, {shas[0][:10]}:connector "
        "(version 1.0), is only 10.1% similar, below the 50% a base needs (check that the history is the "
        "connector's own, or pass --base with the version your copy came from)\n")
    # the same history is fine once the base is named
    result = CliRunner().invoke(cli, ["upgrade-check", str(INVOICES / "fork"), "--upstream", str(INVOICES / "upstream"),
                                      "--base", str(INVOICES / "base"), "--upstream-repo", str(repo), "--path", "connector"])
    assert result.exit_code == 1, result.output


def test_the_threshold_can_be_lowered_by_library_users(tmp_path):
    repo = tmp_path / "upstream"
    build_history(repo, [("old", ROOT / "fixtures" / "demo" / "old")])
    fork = Connector.from_files(SourceFiles("fork", {"apiDefinition.swagger.json":
                                                     (INVOICES / "fork" / "apiDefinition.swagger.json").read_bytes()}))
    candidates = git_candidates(str(repo), "connector")
    with pytest.raises(InputError, match="is only .* similar, below the 50%"):
        detect_base(fork, candidates)
    assert [m.candidate.subject for m in detect_base(fork, candidates, threshold=0.0)] == ["old"]
