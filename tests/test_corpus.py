"""Every real pair in the corpus diffs cleanly: exit 0 or 1 and a well-formed JSON result."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import CORPUS, corpus_available


def history_pairs() -> list[tuple[str, Path, Path]]:
    if not corpus_available():
        return []
    pairs = []
    for folder in sorted((CORPUS / "history").iterdir()):
        tsv = folder / "versions.tsv"
        if not tsv.exists():
            continue
        with tsv.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        versions = [folder / f"{row['NN']}_{row['commit'][:8]}" for row in rows]
        for old, new in zip(versions, versions[1:]):
            pairs.append((f"{folder.name}/{old.name}..{new.name}", old, new))
    return pairs


def deployed_dev_pairs() -> list[tuple[str, Path, Path]]:
    if not corpus_available():
        return []
    base = CORPUS / "deployed-vs-dev"
    return [(p.name, p / "deployed", p / "dev") for p in sorted(base.iterdir()) if (p / "dev").is_dir()]


def _check(old: Path, new: Path) -> dict:
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json", "--fail-on", "breaking"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1), result.output + result.stderr
    data = json.loads(result.stdout)
    assert data["old"]["source"] == str(old) and data["new"]["source"] == str(new)
    assert sum(data["summary"].values()) == len(data["changes"])
    assert (result.exit_code == 1) == (data["summary"]["breaking"] > 0)
    for change in data["changes"]:
        assert change["rule"] and change["level"] in data["summary"] and change["message"]
        assert change["location"] and not change["location"].startswith("/")
    return data


@pytest.mark.corpus
@pytest.mark.parametrize("name,old,new", [pytest.param(*p, id=p[0]) for p in history_pairs()])
def test_history_pair(corpus, name, old, new):
    _check(old, new)


@pytest.mark.corpus
@pytest.mark.parametrize("name,old,new", [pytest.param(*p, id=p[0]) for p in deployed_dev_pairs()])
def test_deployed_vs_dev_pair(corpus, name, old, new):
    _check(old, new)


@pytest.mark.corpus
def test_corpus_is_complete(corpus):
    assert len(history_pairs()) == 167 - 22
    assert len(deployed_dev_pairs()) == 21
