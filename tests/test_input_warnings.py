"""Input defects connver tolerated are shown where reviewers read: an "Input warnings" part in
`connver diff -f markdown`, in `connver notes` (markdown and text) and `notes --pr`, each
naming file:line:column and the defect; the JSON of notes lists them. Text diff keeps them
on stderr only.

The pair: Contoso v1 -> v2 (fixtures/notes/contoso), with NEW's apiProperties.json broken
beyond repair (a missing comma) and a trailing comma repaired in NEW's swagger.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
CONTOSO = ROOT / "fixtures" / "notes" / "contoso"
NOT_COMPARED = "apiProperties.json could not be read, so connection, policy and script settings were not compared"


@pytest.fixture
def pair(tmp_path) -> tuple[str, str]:
    new = tmp_path / "new"
    shutil.copytree(CONTOSO / "v2", new)
    props = new / "apiProperties.json"
    assert props.exists()
    props.write_text('{"properties": {\n  "publisher": "Contoso"\n  "stackOwner": "Contoso"\n}}\n')
    swagger = new / "apiDefinition.swagger.json"
    doc = json.loads(swagger.read_text())
    text = json.dumps(doc, indent=2)
    assert text.endswith("\n}")
    swagger.write_text(text[:-2] + ",\n}\n")  # a trailing comma before the last brace
    return str(CONTOSO / "v1"), str(new)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def located(new: str) -> tuple[str, str]:
    """The two warnings, as file:line:column and defect."""
    return (f"{new}/apiProperties.json:3:3", f"{new}/apiDefinition.swagger.json:")


@pytest.mark.parametrize("args,heading", [
    (("diff", "-f", "markdown"), "### Input warnings (2)"),
    (("notes",), "### Input warnings"),
    (("notes", "--pr"), "## Input warnings"),
])
def test_markdown_outputs_have_an_input_warnings_part(pair, args, heading):
    old, new = pair
    result = run(args[0], old, new, *args[1:])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert heading + "\n" in out
    props, swagger = located(new)
    assert f"- `{props}`: missing ',' between members; {NOT_COMPARED}" in out
    assert f"- `{swagger}" in out and "trailing comma" in out
    assert out.count(NOT_COMPARED) == 1  # each warning once
    # the stderr warnings stay as they were
    assert NOT_COMPARED in result.stderr


def test_the_pr_shows_input_warnings_before_the_changes(pair):
    out = run("notes", "--pr", *pair).stdout
    assert out.index("## Summary") < out.index("## Input warnings") < out.index("## Breaking changes")


def test_diff_markdown_shows_input_warnings_before_the_changes(pair):
    out = run("diff", *pair, "-f", "markdown").stdout
    assert out.index("### Input warnings") < out.index("| Level | Changes |")


def test_text_notes_have_an_input_warnings_part(pair):
    old, new = pair
    out = run("notes", old, new, "-f", "text").stdout
    part = out.split("\nINPUT WARNINGS\n")[1]
    props, _ = located(new)
    assert f"  * {props}: missing ',' between members; {NOT_COMPARED}" in part


def test_notes_json_lists_the_warnings(pair):
    old, new = pair
    data = json.loads(run("notes", old, new, "-f", "json").stdout)
    props, swagger = located(new)
    assert len(data["warnings"]) == 2
    assert f"{props}: missing ',' between members; {NOT_COMPARED}" in data["warnings"]
    assert any(w.startswith(swagger) and "trailing comma" in w for w in data["warnings"])


def test_text_diff_keeps_warnings_on_stderr_only(pair):
    result = run("diff", *pair)
    assert NOT_COMPARED in result.stderr and NOT_COMPARED not in result.stdout


def test_no_warnings_no_part():
    for args in (("diff", "-f", "markdown"), ("notes",), ("notes", "--pr"), ("notes", "-f", "text")):
        out = run(args[0], str(CONTOSO / "v1"), str(CONTOSO / "v2"), *args[1:]).stdout
        assert "Input warnings" not in out and "INPUT WARNINGS" not in out


def test_the_same_folder_on_both_sides_warns_once(pair):
    _, new = pair
    out = run("notes", new, new).stdout
    assert out.count(NOT_COMPARED) == 1


def test_zohosign_repro_shows_the_unread_apiproperties(corpus):
    history = corpus / "history" / "zohosign"
    old, new = history / "01_17a7977f", history / "02_9798ca47"
    if not (old.is_dir() and new.is_dir()):
        pytest.skip("zohosign is not in this corpus")
    out = run("diff", str(old), str(new), "-f", "markdown").stdout
    assert f"- `{old}/apiProperties.json:36:5`: missing ',' between members; {NOT_COMPARED}" in out
