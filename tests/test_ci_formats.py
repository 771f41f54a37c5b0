"""SARIF and Azure Pipelines reports, and the renderer registry: every format of a kind keeps
the load warnings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver import diff, load_connector
from connver.cli.main import cli
from connver.render import RENDERERS, available, render

from test_ci_layouts import breaking_repo, many_breaking_repo

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"


def audit(*args: str):
    return CliRunner().invoke(cli, ["audit", *args], catch_exceptions=False)


def test_sarif_has_one_rule_per_id_and_results_on_real_lines(tmp_path):
    repo = breaking_repo(tmp_path, "Contoso")
    result = audit("--repo", str(repo), "-f", "sarif", "--fail-on", "breaking")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "parameter-became-required" in ids
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    new_lines = (DEMO / "new" / "apiDefinition.swagger.json").read_text().split("\n")
    levels = set()
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        levels.add(item["level"])
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("Contoso/")
        if item["ruleId"] == "parameter-became-required":
            line = location["region"]["startLine"]
            assert '"required"' in new_lines[line - 1] or '"name": "project"' in new_lines[line - 1], new_lines[line - 1]
    assert "error" in levels


AZURE = re.compile(r"^##vso\[task\.logissue type=(error|warning)((?:;[a-z]+=[^;\]]*)*)\](.*)$")


def test_azure_lines_and_the_final_result(tmp_path):
    repo = many_breaking_repo(tmp_path, 2)
    result = audit("--repo", str(repo), "-f", "azure", "--fail-on", "breaking")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    issues = [AZURE.match(line) for line in lines if line.startswith("##vso[task.logissue")]
    assert issues and all(issues)
    props = [dict(p.split("=", 1) for p in m.group(2).strip(";").split(";")) for m in issues]
    assert any(p.get("code") == "parameter-became-required" and p.get("linenumber", "").isdigit()
               and p["sourcepath"] == "connectors/C00/apiDefinition.swagger.json" for p in props)
    assert lines[-1].startswith("##vso[task.complete result=Failed;]connver audit master..dev: 2 connector(s)")
    passing = audit("--repo", str(repo), "-f", "azure")
    assert passing.stdout.splitlines()[-1].startswith("##vso[task.complete result=Succeeded;]")


@pytest.mark.parametrize("kind", ["diff"])
def test_every_format_of_a_kind_keeps_the_load_warnings(tmp_path, kind):
    """A format added to the registry for diffs must show the tolerated input defects."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEMO / "old", old)
    shutil.copytree(DEMO / "new", new)
    swagger = new / "apiDefinition.swagger.json"
    swagger.write_text(swagger.read_text().replace('"swagger": "2.0",', '"swagger": "2.0", // a comment', 1))
    result = diff(load_connector(str(old)), load_connector(str(new)))
    assert result.warnings
    formats = available(kind)
    assert set(formats) == {fmt for (k, fmt) in RENDERERS if k == kind}
    assert {"text", "markdown", "json", "junit", "github", "azure", "sarif"} <= set(formats)
    for fmt in formats:
        if fmt == "text":  # by design on stderr only (the command prints them): checked below
            continue
        out = render(result, fmt, kind)
        assert "apiDefinition.swagger.json" in out and re.search(r"comment", out, re.I), fmt
    shown = CliRunner().invoke(cli, ["diff", str(old), str(new)], catch_exceptions=False)
    assert re.search(r"apiDefinition.swagger.json:\d+:\d+: .*comment", shown.stderr, re.I)


SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"


@pytest.mark.parametrize("command", ["audit", "diff"])
def test_sarif_validates_against_the_sarif_2_1_0_schema(tmp_path, command):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    if command == "audit":
        repo = breaking_repo(tmp_path, "Contoso")
        (repo / "orphan").mkdir()
        (repo / "orphan/apiProperties.json").write_text("{}\n")
        from test_ci_layouts import git
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "orphan")
        out = audit("--repo", str(repo), "-f", "sarif").stdout
    else:
        out = CliRunner().invoke(cli, ["diff", str(DEMO / "old"), str(DEMO / "new"), "-f", "sarif"]).stdout
    doc = json.loads(out)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert doc["runs"][0]["results"]
    broken = json.loads(out)
    broken["runs"][0]["results"][0]["level"] = "fatal"  # the schema really checks what we write
    assert list(validator.iter_errors(broken))
