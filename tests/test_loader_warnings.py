"""What the loader says about definitions that are odd but readable, and about files that
are not JSON at all, seen through `connver diff`: an upper-case method key is read with a
warning, a repeated operationId and a repeated key are warned about at their own line, and a
YAML file, an HTML page or a file with merge-conflict markers is named as such in its one
error line (file:line:column, exit 2)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo" / "old"
SWAGGER = "apiDefinition.swagger.json"


def folder(tmp_path: Path, name: str, text: str | None = None) -> Path:
    target = tmp_path / name
    shutil.copytree(DEMO, target)
    if text is not None:
        (target / SWAGGER).write_text(text, encoding="utf-8")
    return target


def demo_text() -> str:
    return (DEMO / SWAGGER).read_text(encoding="utf-8")


def line_of(text: str, needle: str, nth: int = 1) -> int:
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


def diff(old: Path, new: Path, *args: str):
    return CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json", *args])


def warnings(result) -> list[str]:
    """The input warnings, as the JSON report lists them (text output puts them on stderr)."""
    return json.loads(result.stdout)["warnings"]


def rules(result) -> set[str]:
    return {change["rule"] for change in json.loads(result.stdout)["changes"]}


def test_an_upper_case_method_key_is_read_as_that_method_with_a_warning(tmp_path):
    text = demo_text().replace('"get": {\n        "operationId": "ListTasks"', '"GET": {\n        "operationId": "ListTasks"')
    assert '"GET"' in text
    old, new = folder(tmp_path, "old"), folder(tmp_path, "new", text)
    result = diff(old, new)
    assert result.exit_code == 0, result.output
    assert "operation-removed" not in rules(result)  # ListTasks is still there, as get
    [warning] = [w for w in warnings(result) if "method key" in w]
    line = line_of(text, '"GET"')
    assert f"{new / SWAGGER}:{line}:7: " in warning
    assert 'method key "GET" under /tasks is not lower-case' in warning and "read as get" in warning


def test_an_operation_only_under_an_upper_case_key_is_not_dropped(tmp_path):
    text = demo_text().replace('"get": {\n        "operationId": "ListTasks"', '"Get": {\n        "operationId": "ListTasks"')
    without = json.loads(demo_text())
    del without["paths"]["/tasks"]["get"]
    old = folder(tmp_path, "old", json.dumps(without, indent=2))
    new = folder(tmp_path, "new", text)
    result = diff(old, new)
    assert "operation-added" in rules(result), result.output
    assert any('method key "Get"' in w for w in warnings(result))


def test_a_repeated_operation_id_is_warned_about_at_the_repeat(tmp_path):
    doc = json.loads(demo_text())
    doc["paths"]["/tasks"]["put"] = dict(doc["paths"]["/tasks"]["get"])
    text = json.dumps(doc, indent=2)
    old, new = folder(tmp_path, "old"), folder(tmp_path, "new", text)
    result = diff(old, new)
    assert result.exit_code in (0, 1), result.output
    [warning] = [w for w in warnings(result) if "operationId ListTasks is used by" in w]
    line = line_of(text, '"operationId": "ListTasks"', nth=2)
    assert f"{new / SWAGGER}:{line}:" in warning
    assert line != 1


def test_a_repeated_key_is_warned_about_at_its_line_and_the_last_value_is_read(tmp_path):
    text = demo_text().replace('"summary": "List tasks",', '"summary": "List tasks",\n        "summary": "List the tasks",', 1)
    old, new = folder(tmp_path, "old"), folder(tmp_path, "new", text)
    result = diff(old, new)
    assert result.exit_code in (0, 1), result.output
    [warning] = [w for w in warnings(result) if "duplicate key" in w]
    first, second = line_of(text, '"summary": "List tasks"'), line_of(text, '"summary": "List the tasks"')
    assert f"{new / SWAGGER}:{second}:9: duplicate key \"summary\" in one object (also at line {first}, column 9)" in warning
    assert "the last value is read" in warning
    changes = json.loads(result.stdout)["changes"]
    assert any("List the tasks" in json.dumps(change) for change in changes)  # the last one counts


def test_strict_turns_a_repeated_key_into_exit_2(tmp_path):
    text = demo_text().replace('"summary": "List tasks",', '"summary": "List tasks",\n        "summary": "List tasks",', 1)
    old, new = folder(tmp_path, "old"), folder(tmp_path, "new", text)
    loose = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "text"])
    assert loose.exit_code == 0 and "connver: warning: " in loose.stderr and "duplicate key" in loose.stderr
    assert diff(old, new, "--strict").exit_code == 2


CONFLICT = demo_text().replace(
    '    "version": "1.0"\n', '<<<<<<< HEAD\n    "version": "1.0"\n=======\n    "version": "1.1"\n>>>>>>> feature\n', 1)


@pytest.mark.parametrize("text,defect,where", [
    ('swagger: "2.0"\ninfo:\n  title: Contoso Tasks\n  version: "1.0"\npaths: {}\n', "is YAML, not JSON", (1, 1)),
    ('# exported\n---\nswagger: "2.0"\n', "is YAML, not JSON", (1, 1)),
    ("\n<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not found</body></html>\n",
     "is an HTML page, not JSON", (2, 1)),
    (CONFLICT, "holds merge-conflict markers ('<<<<<<<'), not JSON", (line_of(CONFLICT, "<<<<<<<"), 1)),
], ids=["yaml", "yaml-document-marker", "html", "merge-conflict"])
def test_a_file_that_is_not_json_is_named_in_one_error_line(tmp_path, text, defect, where):
    old, new = folder(tmp_path, "old"), folder(tmp_path, "new", text)
    result = diff(old, new)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    line, column = where
    assert lines[0].startswith(f"connver: error: {new / SWAGGER}:{line}:{column}: {defect}"), lines[0]


def test_json_that_is_merely_broken_keeps_its_own_message(tmp_path):
    text = demo_text().replace('"swagger": "2.0",', '"swagger": "2.0"', 1)  # a missing comma
    result = diff(folder(tmp_path, "old"), folder(tmp_path, "new", text))
    assert result.exit_code == 2
    assert re.search(r":\d+:\d+: missing ',' between members", result.stderr)
    assert "YAML" not in result.stderr and "HTML" not in result.stderr
