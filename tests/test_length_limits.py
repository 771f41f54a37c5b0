"""Markdown meant for GitHub stays under its 65,536-character limit for a PR description or
comment: `connver diff -f markdown` and `connver notes --pr` cut their longest lists (least
severe first) to stay under 60,000 characters, each cut list ending with "… and N more";
`connver notes --limit N` cuts every section to N entries, and `--limit 0` lists them all.

The big pair is built in tmp_path: OLD has 150 operations that NEW drops (breaking) and NEW
has 600 operations that OLD lacks (additive), each with a long summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver import diff, load_connector
from connver.render import render

MORE = re.compile(r"… and (\d+) more \(see `connver diff --format json`\)")
GITHUB_LIMIT = 65_536
REMOVED, ADDED = 150, 600


def swagger(prefix: str, count: int, version: str) -> dict:
    paths = {}
    for i in range(count):
        paths[f"/{prefix.lower()}/{i}"] = {"get": {
            "operationId": f"{prefix}Operation{i:04d}",
            "summary": f"{prefix} the records of table number {i} with every field the service returns",
            "responses": {"200": {"description": "OK"}},
        }}
    return {"swagger": "2.0", "info": {"title": "Big Tables", "version": version}, "host": "big.example.com",
            "basePath": "/", "schemes": ["https"], "paths": paths}


@pytest.fixture(scope="module")
def big_pair(tmp_path_factory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("big")
    old, new = root / "old", root / "new"
    old.mkdir()
    new.mkdir()
    (old / "apiDefinition.swagger.json").write_text(json.dumps(swagger("Read", REMOVED, "1.0")))
    (new / "apiDefinition.swagger.json").write_text(json.dumps(swagger("List", ADDED, "2.0")))
    return str(old), str(new)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def data_rows(text: str, prefix: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith(prefix))


# --------------------------------------------------------------------------- connver diff -f markdown

def test_diff_markdown_stays_under_githubs_limit_cutting_additions_before_breaking_changes(big_pair):
    full = json.loads(run("diff", *big_pair, "-f", "json").stdout)
    assert full["summary"]["breaking"] == REMOVED and full["summary"]["additive"] == ADDED

    out = run("diff", *big_pair, "-f", "markdown").stdout
    assert len(out) <= 60_000 < GITHUB_LIMIT
    breaking, additions = out.split(f"### Additions ({ADDED})")
    # every breaking change is still listed; the additions are cut, and say how many more there are
    assert data_rows(breaking, "| operation ReadOperation") == REMOVED
    assert not MORE.search(breaking)
    shown = data_rows(additions, "| operation ListOperation")
    (more,) = [int(n) for n in MORE.findall(additions)]
    assert 0 < shown < ADDED and shown + more == ADDED


def test_diff_markdown_that_fits_is_not_cut():
    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
    out = run("diff", str(demo / "old"), str(demo / "new"), "-f", "markdown").stdout
    assert "### Breaking changes (11)" in out
    assert not MORE.search(out)


def test_the_markdown_renderer_takes_a_row_limit_per_level(big_pair):
    result = diff(load_connector(big_pair[0]), load_connector(big_pair[1]))
    out = render(result, "markdown", limit=5)
    assert data_rows(out, "| operation ReadOperation") == 5 and data_rows(out, "| operation ListOperation") == 5
    assert [int(n) for n in MORE.findall(out)] == [REMOVED - 5, ADDED - 5]
    everything = render(result, "markdown", limit=0)  # 0: every row, however long
    assert len(everything) > GITHUB_LIMIT and not MORE.search(everything)
    assert data_rows(everything, "| operation ListOperation") == ADDED


# --------------------------------------------------------------------------- connver notes

def test_notes_pr_stays_under_githubs_limit_and_limit_0_lists_everything(big_pair):
    out = run("notes", "--pr", *big_pair, "--date", "2024-06-01").stdout
    assert len(out) <= 60_000
    table, other = out.split("## Other changes")
    assert data_rows(table, "| **Read the records") == REMOVED  # breaking changes are cut last
    shown = data_rows(other, "- **List the records")
    (more,) = [int(n) for n in MORE.findall(other)]
    assert 0 < shown < ADDED and shown + more == ADDED

    everything = run("notes", "--pr", *big_pair, "--date", "2024-06-01", "--limit", "0").stdout
    assert len(everything) > GITHUB_LIMIT and not MORE.search(everything)


@pytest.mark.parametrize("args", [("-f", "markdown"), ("-f", "text"), ("--pr",)])
def test_notes_limit_cuts_every_section(big_pair, args):
    out = run("notes", *big_pair, "--date", "2024-06-01", "--limit", "3", *args).stdout
    assert out.count("Read the records") == 3 and out.count("List the records") == 3
    assert [int(n) for n in re.findall(r"(?:…|\.\.\.) and (\d+) more \(see `?connver diff", out)] == [REMOVED - 3, ADDED - 3]


def test_notes_without_limit_list_every_entry(big_pair):
    out = run("notes", *big_pair, "--date", "2024-06-01").stdout
    assert out.count("List the records") == ADDED and out.count("Read the records") == REMOVED
    assert "more (see" not in out


def test_notes_limit_must_not_be_negative(big_pair):
    result = CliRunner().invoke(cli, ["notes", *big_pair, "--limit", "-1"])
    assert result.exit_code == 2 and "--limit" in result.output


# --------------------------------------------------------------------------- real data

def test_dime_scheduler_master_to_dev_fits_in_a_pr(corpus):
    pair = corpus / "deployed-vs-dev" / "dime.scheduler"
    if not pair.is_dir():
        pytest.skip("dime.scheduler is not in this corpus")
    old, new = str(pair / "deployed"), str(pair / "dev")
    for args in (("diff", old, new, "-f", "markdown"), ("notes", "--pr", old, new, "--date", "2024-06-01")):
        out = run(*args).stdout
        assert 50_000 < len(out) <= 60_000, args
        assert MORE.search(out), args
