"""``connver diff OLD NEW``: what changed between two connector versions, by effect on users."""

from __future__ import annotations

import click

from connver import diff as diff_connectors
from connver import load_connector
from connver.changes import Level
from connver.errors import ConfigError
from connver.render import DIFF_RENDERERS, available, render

from .common import (sides, format_option, load_rule_config, rule_options, say_defects, source_options, strict_option,
                     use_color, write)


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@source_options
@format_option("diff", default=None)
@rule_options
@strict_option
@click.option("--lines", is_flag=True, help="With --format json: add each change's line number "
              "(junit and github always carry them).")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", default=None,
              help="With --format markdown: at most N rows per level (0: all). "
                   "Default: as many as keep it under 60,000 characters (GitHub's limit for a comment is 65,536).")
def diff(old, new, repo, store, fmt, fail_on, ignore, config_path, strict, lines, limit):
    """Compare OLD with NEW and classify every change.

    OLD and NEW are each a connector folder, a swagger file, REV:PATH in a git
    repository (--repo), or CONNECTOR@SPEC from the snapshot store. With a single
    CONNECTOR, its deployed snapshot is compared with its dev snapshot.

    \b
    Exit status: 0 fine; 1 a change at --fail-on level or above; 2 bad input.
    """
    config = load_rule_config(config_path, ignore)
    fmt, fail_on = fmt or config.format or "text", fail_on or config.fail_on
    if fmt not in DIFF_RENDERERS:
        raise ConfigError(f"{config.path}: format {fmt!r} is not a format of connver diff",
                          hint="use one of " + ", ".join(available(DIFF_RENDERERS)))
    if lines and fmt not in ("json", "junit", "github"):
        raise click.UsageError(f"--lines goes with --format json, junit or github, not {fmt}")
    if limit is not None and fmt != "markdown":
        raise click.UsageError(f"--limit goes with --format markdown, not {fmt}")
    old, new = sides(old, new)
    before = load_connector(old, repo=repo, store=store)
    after = load_connector(new, repo=repo, store=store)
    result = diff_connectors(before, after, config=config)
    say_defects(result.warnings, strict=strict, show=fmt in ("text", "markdown"))
    threshold = (fail_on if isinstance(fail_on, Level) else Level.parse(fail_on)) if fail_on else None
    options = {"limit": limit} if limit is not None else {}
    write(render(result, fmt, color=use_color(), fail_on=threshold, lines=lines, **options))
    if result.fails(threshold):
        raise SystemExit(1)
