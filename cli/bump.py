"""``connver bump OLD NEW``: the version bump the changes need, checked or written."""

from __future__ import annotations

from pathlib import Path

import click

from connver import diff as diff_connectors
from connver import load_connector
from connver.bump import bump_report, swagger_path
from connver.errors import VersionError
from connver.render import BUMP_RENDERERS, render
from connver.jsontext import write_info_version
from connver.safefile import check_target

from .common import (sides, date_option, format_option, load_rule_config, say_defects, source_options, strict_option,
                     use_color, warn, write)


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@source_options
@format_option("bump")
@click.option("--from", "from_version", metavar="VERSION",
              help="The current version, when OLD's info.version is missing or unreadable (or wrong).")
@click.option("--check", is_flag=True,
              help="Exit 1 when NEW's info.version is under-bumped, unchanged although the definition "
                   "changed, or lower than OLD's.")
@click.option("--write", "write_", is_flag=True,
              help="Write the suggested version into NEW's swagger info.version (a minimal text edit).")
@date_option("The date a date-style version (2021-10-01) moves to [default: today].")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Show at most this many driving changes in text and markdown (0: all).")
@click.option("--ignore", "ignore", multiple=True, metavar="RULE",
              help="Silence a rule (repeatable; wildcards allowed).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")
@strict_option
def bump(old, new, repo, store, fmt, from_version, check, write_, date, limit, ignore, config_path, strict):
    """Suggest the next version for NEW, from OLD's version and the changes between them.

    Breaking changes need a major bump, deprecations, additions and risky changes a
    minor one, cosmetic changes a patch; below 1.0 a breaking change bumps the minor.
    The next version keeps OLD's style (1.0 -> 2.0, v1 -> v2, 1.0.0.0 -> 1.1.0.0).
    OLD and NEW are sources as for `connver diff`; a single CONNECTOR compares its
    deployed and dev snapshots.

    \b
    Exit status: 0 fine (a larger bump than needed is only a warning); 1 --check
    failed; 2 bad input, or a current version that cannot be read (use --from).
    """
    if check and write_:
        raise click.UsageError("use --check or --write, not both")
    old, new = sides(old, new)
    config = load_rule_config(config_path, ignore)
    before = load_connector(old, repo=repo, store=store)
    after = load_connector(new, repo=repo, store=store)
    if write_:
        target = swagger_path(after)  # refuse git and store sources before doing anything
        check_target(target)  # and a file that cannot be replaced safely (read-only, hard links)
    result = diff_connectors(before, after, config=config)
    say_defects(result.warnings, strict=strict, show=fmt in ("text", "markdown"))  # (before anything is written)
    report = bump_report(result, current=from_version, today=date)
    write(render(result, fmt, BUMP_RENDERERS, report=report, limit=limit, color=use_color()))
    if report.next is None:
        raise VersionError(report.error or "no next version")
    if write_:
        if report.ok:
            click.echo(f"connver: left {target} unchanged: it already declares {report.declared}", err=True)
        else:
            was, now = write_info_version(target, report.next)
            click.echo(f"connver: wrote version {now} to {target} (was {was})", err=True)
    elif report.check is not None and report.check.warning:
        warn(report.message)
    if check and not report.ok:
        raise SystemExit(1)
