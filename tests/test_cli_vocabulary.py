"""One name per idea across the commands: the old spellings still work for one release and
are not offered in ``--help``."""

from __future__ import annotations

import json
import shutil
import subprocess

import click
from click.testing import CliRunner

from connver.cli.common import AliasedOption
from connver.cli.main import cli
from conftest import FIXTURES

#: Old spellings kept for one release, by command. ``--connector`` is a connector id wherever
#: it is offered (snapshot, download); ``usage`` took a source under that name.
RETIRED = {"audit": {"--top"}, "changelog": {"--rev"}, "usage": {"--connector"}}


def commands():
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from ((f"{name} {sub}", command.get_command(ctx, sub)) for sub in command.list_commands(ctx))
        else:
            yield name, command


def test_no_command_offers_a_retired_spelling_in_its_help():
    for name, command in commands():
        help_text = CliRunner().invoke(cli, [*name.split(), "--help"]).output
        shown = {word.strip(",") for line in help_text.splitlines() for word in line.split() if word.startswith("--")}
        assert not shown & RETIRED.get(name, set()), (name, shown & RETIRED[name])


def test_every_alias_is_a_retired_spelling_and_every_retired_spelling_an_alias():
    aliases = {name: {alias for p in command.params if isinstance(p, AliasedOption) for alias in p.aliases}
               for name, command in commands()}
    assert {name: found for name, found in aliases.items() if found} == RETIRED


def test_connector_names_an_id_and_strict_is_offered_wherever_a_command_reads_definitions():
    """--connector is a connector id in every command that offers it; every command that reads
    definitions and reports on them takes --strict (audit's also fails the gate)."""
    for name, command in commands():
        options = {opt: p for p in command.params if isinstance(p, click.Option) for opt in p.opts
                   if not (isinstance(p, AliasedOption) and opt in p.aliases)}
        if "--connector" in options:
            assert options["--connector"].metavar == "ID", name
        if name in ("diff", "bump", "notes", "check", "upgrade-check", "audit"):
            assert "--strict" in options, name


def test_one_idea_one_name():
    """Options that mean the same in several commands are spelt the same: where a command
    has a limit on the findings shown it is --limit, a revision --ref, a gate --fail-on."""
    for name, command in commands():
        spellings = {opt for p in command.params if isinstance(p, click.Option)
                     for opt in p.opts if not (isinstance(p, AliasedOption) and opt in p.aliases)}
        assert not spellings & {"--top", "--rev", "--revision", "--max", "--threshold", "--fail"}, name


def demo_repo(tmp_path):
    """A repository holding the demo connector's old version in one commit."""
    repo = tmp_path / "repo"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    shutil.copytree(FIXTURES / "demo" / "old", repo / "certified-connectors" / "Demo")
    subprocess.run([*git, "init", "-q", "-b", "master"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "old"], check=True)
    return repo, git


def test_audit_top_still_works_as_limit(tmp_path):
    repo, git = demo_repo(tmp_path)
    shutil.rmtree(repo / "certified-connectors" / "Demo")
    shutil.copytree(FIXTURES / "demo" / "new", repo / "certified-connectors" / "Demo")
    subprocess.run([*git, "commit", "-q", "-am", "new"], check=True)
    outputs = {}
    for spelling in ("--limit", "--top"):
        result = CliRunner().invoke(cli, ["audit", "--repo", str(repo), "HEAD~1..HEAD", spelling, "1"])
        assert result.exit_code in (0, 1), result.output
        outputs[spelling] = result.output
    assert outputs["--limit"] == outputs["--top"]
    every = CliRunner().invoke(cli, ["audit", "--repo", str(repo), "HEAD~1..HEAD", "--limit", "0"]).output
    assert len(every.splitlines()) > len(outputs["--limit"].splitlines())


def test_changelog_rev_still_works_as_ref(tmp_path):
    repo, _ = demo_repo(tmp_path)
    outputs = {}
    for spelling in ("--ref", "--rev"):
        result = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", "certified-connectors/Demo",
                                          spelling, "HEAD", "--format", "json"])
        assert result.exit_code == 0, result.output
        outputs[spelling] = json.loads(result.output)
    assert outputs["--ref"] == outputs["--rev"]


def test_strict_refuses_tolerated_defects_in_every_command_that_reports_on_definitions(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(FIXTURES / "demo" / "new", new)
    swagger = new / "apiDefinition.swagger.json"
    text = swagger.read_text()
    swagger.write_text(text.replace('"swagger": "2.0"', '"swagger": "2.0", // a comment', 1))
    old = str(FIXTURES / "demo" / "old")
    runs = {
        "diff": ["diff", old, str(new)],
        "bump": ["bump", old, str(new)],
        "notes": ["notes", old, str(new)],
        "check": ["check", str(new)],
        "upgrade-check": ["upgrade-check", old, "--upstream", str(new), "--base", old],
    }
    for name, args in runs.items():
        tolerated = CliRunner().invoke(cli, args)
        assert tolerated.exit_code in (0, 1), (name, tolerated.output)
        said = tolerated.stdout if name == "check" else tolerated.stderr  # (check's report lists them)
        assert f"{swagger}:" in said and "comment" in said, name
        refused = CliRunner().invoke(cli, [*args, "--strict"])
        assert refused.exit_code == 2, (name, refused.output)
        (line,) = refused.stderr.strip().splitlines()
        assert line.startswith(f"connver: error: {swagger}:") and "drop --strict to tolerate them" in line, name
