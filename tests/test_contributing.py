"""The two paths CONTRIBUTING.md documents, walked for real: a rule added through the public
registration API shows up in `connver rules`, `connver explain` and `connver diff` with
nothing else touched; a format registered in RENDERERS is offered by the CLI's --format and
renders. And every --format the CLI offers is a registered renderer, and every kind of
result that has renderers is offered by some command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from connver.changes import Level
from connver.cli.common import RendererChoice
from connver.cli.main import cli
from connver.render import RENDERERS, register
from connver.rules import RULES, FlowImpact, Kind, Section, all_rules, hit, rule

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo" / "old"
SWAGGER = "apiDefinition.swagger.json"
RULE_ID = "contoso-tier-changed"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    """The demo connector, and a copy whose ListTasks needs another pricing tier and reads differently."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEMO, old)
    shutil.copytree(DEMO, new)
    doc = json.loads((new / SWAGGER).read_text(encoding="utf-8"))
    doc["paths"]["/tasks"]["get"]["x-contoso-tier"] = "premium"
    doc["paths"]["/tasks"]["get"]["summary"] = "List all tasks"
    (new / SWAGGER).write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return old, new


@pytest.fixture
def throwaway_rule():
    all_rules()  # the catalogue is loaded before the new row, as in a running process

    @rule(RULE_ID, Level.RISKY, Kind.OPERATION,
          impact=FlowImpact.CALLS, section=Section.CHANGED,
          todo="Check that the flows calling this {kind} run on a plan with the {new} tier.",
          description="An operation's x-contoso-tier changed.",
          why="A flow whose environment lacks the tier stops at this step.",
          message="operation {operation} now needs the {new} tier (was {old})",
          example=('"get": {"operationId": "ListTasks"}', '"get": {"operationId": "ListTasks", "x-contoso-tier": "premium"}'))
    def contoso_tier_changed(ctx, old, new):
        if old is not None and new is not None and old.raw.get("x-contoso-tier") != new.raw.get("x-contoso-tier"):
            yield hit(old=old.raw.get("x-contoso-tier"), new=new.raw.get("x-contoso-tier"))

    yield RULE_ID
    del RULES[RULE_ID]


def test_a_rule_added_through_the_registration_api_is_explained_listed_and_found(pair, throwaway_rule):
    old, new = pair
    explained = run("explain", throwaway_rule)
    assert explained.exit_code == 0
    assert "An operation's x-contoso-tier changed." in explained.stdout
    assert "A flow whose environment lacks the tier stops at this step." in explained.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert {"id": RULE_ID, "level": "risky", "kind": "operation",
            "description": "An operation's x-contoso-tier changed."} in listed
    result = run("diff", str(old), str(new), "--format", "json")
    [change] = [c for c in json.loads(result.stdout)["changes"] if c["rule"] == RULE_ID]
    assert change["level"] == "risky"
    assert change["message"] == "operation ListTasks now needs the premium tier (was (not set))"
    notes = run("notes", str(old), str(new), "--format", "json", "--date", "2026-12-03")
    assert notes.exit_code == 0, notes.output
    assert RULE_ID in notes.stdout


def test_without_the_row_the_change_is_not_reported_by_that_rule(pair):
    old, new = pair
    result = run("diff", str(old), str(new), "--format", "json")
    assert RULE_ID not in {c["rule"] for c in json.loads(result.stdout)["changes"]}
    assert run("explain", RULE_ID).exit_code == 2


RENDERER = '''
def render_diff(result, **options):
    rows = ["rule,level,location"] + [f"{c.rule},{c.level.value},{c.location}" for c in result.changes]
    return "\\n".join(rows) + "\\n"
'''


def test_a_format_registered_in_renderers_is_offered_by_the_cli_and_renders(pair, tmp_path, monkeypatch):
    old, new = pair
    (tmp_path / "contoso_csv.py").write_text(RENDERER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "csv" not in run("diff", "--help").stdout
    register("diff", "csv", "contoso_csv:render_diff")
    try:
        assert "csv" in run("diff", "--help").stdout
        result = run("diff", str(old), str(new), "--format", "csv")
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0] == "rule,level,location" and len(lines) > 1
        assert all(line.count(",") >= 2 for line in lines)
    finally:
        del RENDERERS[("diff", "csv")]
    assert run("diff", str(old), str(new), "--format", "csv").exit_code == 2


def _commands(group: click.Group, ctx: click.Context, prefix: str = ""):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, f"{prefix}{name} ")


def test_every_cli_format_is_a_registered_renderer_and_every_kind_is_offered():
    ctx = click.Context(cli)
    offered: dict[str, str] = {}
    for name, command in _commands(cli, ctx):
        for param in command.params:
            if "--format" not in getattr(param, "opts", []):
                continue
            assert isinstance(param.type, RendererChoice), f"{name}: --format is not declared with format_option"
            kind = param.type.kind
            assert param.type.choices, f"{name}: no renderer registered for {kind}"
            assert all((kind, fmt) in RENDERERS for fmt in param.type.choices)
            offered[kind] = name
    kinds = {kind for kind, _ in RENDERERS}
    assert kinds - {"pr"} <= set(offered), f"kinds no command offers: {sorted(kinds - set(offered))}"
    # notes --pr renders the "pr" kind: its formats are a subset of the notes formats offered
    assert {fmt for kind, fmt in RENDERERS if kind == "pr"} <= {fmt for kind, fmt in RENDERERS if kind == "notes"}
