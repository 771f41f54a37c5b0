"""``connver upgrade-check FORK --upstream UPSTREAM``: what an upstream update does to a fork."""

from __future__ import annotations

from pathlib import Path

import click

from connver.changes import Level
from connver.errors import ConfigError
from connver.render import available, render
from connver.render.upgrade import UPGRADE_RENDERERS

from .common import (LEVEL_CHOICE, format_option, say_defects, strict_option, upgrade_options, upgrade_sources, use_color,
                     write, write_step_summary)


@click.command("upgrade-check")
@click.argument("fork")
@upgrade_options
@click.option("--flows", "flows", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Exported flows: JSON files, folders, solution or flow package .zip files (repeatable).")
@click.option("--api-name", metavar="NAME",
              help="How flows name the connector (default: connectorId from the fork's settings.json).")
@format_option("upgrade", default=None)
@click.option("--fail-on", "fail_on", type=LEVEL_CHOICE, default=None,
              help="Exit 1 also when updating brings a change at this level or more severe "
                   "(with --flows, breaking changes no flow uses do not count).")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", default=None,
              help="With --format markdown: at most N rows per table (0: all). "
                   "Default: as many as keep it under 60,000 characters (GitHub's limit for a comment is 65,536).")
@click.option("--annotations", type=click.IntRange(min=0), default=None,
              help="With --format github: annotations of each kind (GitHub shows 10 per step; 0: all).")
@strict_option
def upgrade_check(fork, fmt, fail_on, limit, annotations, strict, **options):
    """Check what updating FORK to UPSTREAM brings, breaks and collides with.

    FORK, UPSTREAM and BASE are each a connector folder, a swagger file, REV:PATH
    (--repo) or CONNECTOR@SPEC from the snapshot store. Without --base, the base
    is the version of upstream's history most similar to FORK: the commits that
    changed --path in --upstream-repo, the history of an UPSTREAM given as
    REV:PATH, or the store's snapshots of an UPSTREAM from the store.

    \b
    The report: 1. upstream changes since BASE; 2. your edits since BASE;
    3. conflicts; 4. the breaking changes that hit what your flows use
    (--flows; a FORK kept in a solution is checked against the solution's own
    Workflows/ unless --flows is given; without flows, every breaking change
    counts); 5. references the updated connector would leave dangling, and
    which side they come from.

    \b
    Exit status: 0 safe to update; 1 a breaking change hits something used,
    a conflict, a reference the update would leave dangling, or a change at
    --fail-on level or above; 2 bad input.
    """
    from connver.upgrade_run import run_upgrade_check

    sources = upgrade_sources(options)
    config = sources["config"]
    fmt, fail_on = fmt or config.format or "text", fail_on or config.fail_on
    if fmt not in UPGRADE_RENDERERS:
        raise ConfigError(f"{config.path}: format {fmt!r} is not a format of connver upgrade-check",
                          hint="use one of " + ", ".join(available(UPGRADE_RENDERERS)))
    if limit is not None and fmt != "markdown":
        raise click.UsageError(f"--limit goes with --format markdown, not {fmt}")
    if annotations is not None and fmt != "github":
        raise click.UsageError(f"--annotations goes with --format github, not {fmt}")
    threshold = (fail_on if isinstance(fail_on, Level) else Level.parse(fail_on)) if fail_on else None
    report = run_upgrade_check(fork, **sources)
    # (json lists them per side; the CI formats annotate the fork's)
    say_defects(report.warnings, strict=strict, show=fmt in ("text", "markdown"))
    extra = {key: value for key, value in (("limit", limit), ("cap", annotations)) if value is not None}
    write(render(report, fmt, UPGRADE_RENDERERS, color=use_color(), fail_on=threshold, **extra))
    write_step_summary(report, fmt, UPGRADE_RENDERERS, fail_on=threshold)
    if report.fails(threshold):
        raise SystemExit(1)
