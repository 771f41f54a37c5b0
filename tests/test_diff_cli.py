"""`connver diff` through the real CLI: formats, exit statuses, sources and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from golden import check_golden

ROOT = Path(__file__).resolve().parent.parent
DEMO_OLD, DEMO_NEW = "fixtures/demo/old", "fixtures/demo/new"


@pytest.fixture
def run(monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("fmt,ext", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_demo_pair_matches_golden_file(run, fmt, ext):
    result = run("diff", DEMO_OLD, DEMO_NEW, "--format", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"diff/demo.{ext}", result.output)


def test_json_contract_fields(run):
    data = json.loads(run("diff", DEMO_OLD, DEMO_NEW, "-f", "json").output)
    assert data["old"] == {"source": DEMO_OLD, "title": "Contoso Tasks", "version": "1.0"}
    assert data["new"]["version"] == "1.1"
    assert set(data["summary"]) == {"breaking", "risky", "deprecation", "additive", "cosmetic"}
    assert sum(data["summary"].values()) == len(data["changes"])
    for change in data["changes"]:
        assert {"rule", "level", "operation", "location", "message"} <= set(change)
    rules = {c["rule"] for c in data["changes"]}
    assert {"operation-removed", "operation-renamed", "operation-deprecated", "operation-new-revision",
            "parameter-became-required", "request-property-enum-values-removed", "policy-changed",
            "description-changed"} <= rules
    renamed = next(c for c in data["changes"] if c["rule"] == "operation-renamed")
    assert renamed["operation"] == "DeleteTask" and renamed["new"] == "RemoveTask"
    assert data["warnings"] == []


@pytest.mark.parametrize("level,status", [("breaking", 1), ("risky", 1), ("cosmetic", 1)])
def test_fail_on_exits_1_when_a_change_at_or_above_the_level_exists(run, level, status):
    assert run("diff", DEMO_OLD, DEMO_NEW, "--fail-on", level).exit_code == status


def test_fail_on_passes_when_only_lower_levels_remain(run):
    # Only the cosmetic description change is left once the others are silenced.
    result = run("diff", DEMO_OLD, DEMO_NEW, "--fail-on", "additive", "--ignore", "operation-*",
                 "--ignore", "parameter-*", "--ignore", "request-*", "--ignore", "response-*",
                 "--ignore", "policy-changed")
    assert result.exit_code == 0, result.output
    assert "description-changed" in result.output


def test_identical_sources_report_no_changes(run):
    result = run("diff", DEMO_OLD, DEMO_OLD, "--fail-on", "cosmetic")
    assert result.exit_code == 0
    assert "No changes." in result.output


def test_missing_source_is_one_line_and_exit_2(run):
    result = CliRunner().invoke(cli, ["diff", "does/not/exist", DEMO_NEW])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "does/not/exist: no such file or folder" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_folder_without_definition_is_exit_2(run, tmp_path):
    result = CliRunner().invoke(cli, ["diff", str(tmp_path), DEMO_NEW])
    assert result.exit_code == 2
    assert "no apiDefinition.swagger.json, apiDefinition.json or other *.swagger.json" in result.stderr


def test_single_swagger_files_can_be_compared(run, tmp_path):
    old = tmp_path / "a.json"
    new = tmp_path / "b.json"
    old.write_bytes((ROOT / DEMO_OLD / "apiDefinition.swagger.json").read_bytes())
    new.write_bytes((ROOT / DEMO_NEW / "apiDefinition.swagger.json").read_bytes())
    data = json.loads(run("diff", str(old), str(new), "-f", "json").output)
    rules = {c["rule"] for c in data["changes"]}
    assert "operation-removed" in rules
    assert "policy-changed" not in rules  # no apiProperties.json beside single files


def test_unknown_ignore_rule_is_rejected(run):
    result = CliRunner().invoke(cli, ["diff", DEMO_OLD, DEMO_NEW, "--ignore", "operation-remvoed"])
    assert result.exit_code == 2
    assert "unknown rule 'operation-remvoed'" in result.stderr
    assert "did you mean operation-removed" in result.stderr


def test_text_output_is_grouped_most_severe_first(run):
    out = run("diff", DEMO_OLD, DEMO_NEW).output
    positions = [out.index(h) for h in ("BREAKING (", "RISKY (", "DEPRECATION (", "ADDITIVE (", "COSMETIC (")]
    assert positions == sorted(positions)
    assert "\x1b[" not in out  # NO_COLOR is set by conftest, and CliRunner is not a terminal


def test_core_does_not_import_click_git_or_deepdiff():
    code = ("import sys, connver; from connver import load_connector, diff;"
            f"r = diff(load_connector({DEMO_OLD!r}), load_connector({DEMO_NEW!r}));"
            "print(sorted(m for m in ('click', 'git', 'deepdiff') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.e2e
def test_installed_command_end_to_end():
    exe = Path(sys.executable).with_name("connver")
    if not exe.exists():
        pytest.skip("connver is not installed in this environment")
    proc = subprocess.run([str(exe), "diff", DEMO_OLD, DEMO_NEW, "--format", "json", "--fail-on", "breaking"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["summary"]["breaking"] > 0
    proc = subprocess.run([str(exe), "diff", "nowhere", DEMO_NEW], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("connver: error: nowhere: no such file or folder")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["diff", "a", "b", "c"], "Got unexpected extra argument (c) (see 'connver diff --help')"),
    (["diff", "--format", "xml", "a", "b"], "'xml' is not one of"),
    (["--bogus"], "No such option '--bogus'"),
    (["diff", DEMO_OLD], "NEW is missing"),
    (["bump", DEMO_OLD], "NEW is missing"),
    (["notes", DEMO_OLD], "NEW is missing"),
])
def test_usage_errors_are_one_line_and_exit_2(run, args, message):
    result = CliRunner().invoke(cli, args, prog_name="connver")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("connver: error: ")
    assert message in lines[0]


@pytest.mark.e2e
def test_output_that_the_console_cannot_encode_is_replaced_not_a_crash():
    exe = Path(sys.executable).with_name("connver")
    if not exe.exists():
        pytest.skip("connver is not installed in this environment")
    env = {**__import__("os").environ, "PYTHONIOENCODING": "cp1252"}
    proc = subprocess.run([str(exe), "diff", DEMO_OLD, DEMO_NEW, "-f", "markdown"], cwd=ROOT,
                          capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"## connver: Contoso Tasks 1.0 ? Contoso Tasks 1.1")


def test_limit_folds_markdown_rows_and_lines_needs_a_format_with_lines(run):
    full = run("diff", DEMO_OLD, DEMO_NEW, "-f", "markdown").output
    short = run("diff", DEMO_OLD, DEMO_NEW, "-f", "markdown", "--limit", "2").output
    assert "more" not in full and "and 9 more" in short  # 11 breaking rows, 2 shown
    assert len(short) < len(full)
    result = CliRunner().invoke(cli, ["diff", DEMO_OLD, DEMO_NEW, "--lines"], prog_name="connver")
    assert result.exit_code == 2 and "--lines goes with --format json" in result.stderr
    data = json.loads(run("diff", DEMO_OLD, DEMO_NEW, "-f", "json", "--lines").output)
    assert all(isinstance(c.get("line"), int) for c in data["changes"])


@pytest.mark.parametrize("raised,status,message", [
    (PermissionError(13, "Permission denied", "some/file.json"), 2, "connver: error: some/file.json: Permission denied"),
    (OSError(28, "No space left on device"), 2, "connver: error: No space left on device"),
    (RuntimeError("boom"), 2, "connver: error: unexpected RuntimeError: boom (this is a bug in connver"),
    (KeyboardInterrupt(), 130, "connver: interrupted"),
])
def test_environment_failures_and_bugs_are_one_line(run, monkeypatch, raised, status, message):
    import importlib

    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(importlib.import_module("connver.cli.diff"), "diff_connectors", fail)
    monkeypatch.delenv("CONNVER_DEBUG", raising=False)
    result = CliRunner().invoke(cli, ["diff", DEMO_OLD, DEMO_NEW])
    assert result.exit_code == status
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(message)


def test_terminal_escapes_from_a_definition_are_not_printed_raw(run, tmp_path):
    new = tmp_path / "new"
    import shutil

    shutil.copytree(ROOT / DEMO_NEW, new)
    path = new / "apiDefinition.swagger.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["info"]["title"] = "Contoso\x1b]0;pwned\x07"
    doc["paths"]["/tasks"]["get"]["summary"] = "List\rtasks"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for fmt in ("text", "markdown", "github"):
        out = run("diff", DEMO_OLD, str(new), "-f", fmt).output
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "Contoso\\x1b]0;pwned\\x07" in run("diff", DEMO_OLD, str(new)).output


@pytest.mark.parametrize("command,alias", [("audit", "--limit"), ("changelog", "--ref"), ("log", "--limit")])
def test_option_aliases_shared_across_commands(command, alias):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and alias in result.output
