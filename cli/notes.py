"""``connver notes OLD NEW``: release notes for one step, or a PR description (``--pr``)."""

from __future__ import annotations

from pathlib import Path

import click

from connver import diff as diff_connectors
from connver import load_connector
from connver.notes import build_notes

from .common import sides, date_option, format_option, load_rule_config, say_defects, source_options, strict_option, warn, write


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@source_options
@format_option("notes", default="markdown")
@click.option("--pr", is_flag=True,
              help="Shape the notes as a pull-request description for the public connectors repository.")
@click.option("--verbose", "-v", is_flag=True, help="List cosmetic changes one by one instead of in one line.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="List at most N entries per section, then '... and K more' (0: all; markdown and text). "
                   "Default: all, except that --pr cuts lists to stay under 60,000 characters.")
@date_option("The date heading the notes [default: today].")
@click.option("--from", "from_version", metavar="VERSION",
              help="The current version, when OLD's info.version is missing or unreadable (or wrong).")
@click.option("--ignore", "ignore", multiple=True, metavar="RULE",
              help="Silence a rule (repeatable; wildcards allowed).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")
@strict_option
def notes(old, new, repo, store, fmt, pr, verbose, limit, date, from_version, ignore, config_path, strict):
    """Release notes for the step from OLD to NEW, in Keep a Changelog sections.

    Headed by NEW's declared version, or by the version connver suggests where the
    declared one is missing or too low (the notes say so). Every breaking change says
    what flow owners must do. OLD and NEW are sources as for `connver diff`; a single
    CONNECTOR compares its deployed and dev snapshots.

    \b
    Exit status: 0 written; 2 bad input.
    """
    from connver.render import render
    from connver.render.notes import NOTES_RENDERERS, PR_RENDERERS

    table = PR_RENDERERS if pr else NOTES_RENDERERS
    if fmt not in table:
        raise click.UsageError(f"--pr writes markdown or json, not {fmt}")
    old, new = sides(old, new)
    config = load_rule_config(config_path, ignore)
    before = load_connector(old, repo=repo, store=store)
    after = load_connector(new, repo=repo, store=store)
    result = diff_connectors(before, after, config=config)
    say_defects(result.warnings, strict=strict)
    release = build_notes(result, date=date, current=from_version, verbose=verbose)
    if release.version.status == "no-suggestion":
        problem = release.version.detail.removeprefix("connver ").rstrip(".")
        warn(f"{problem}; state the current version with --from VERSION")
    write(render(release, fmt, table, limit=limit))
