"""``connver upgrade FORK --upstream UPSTREAM``: apply an upstream update to a fork, keeping its edits."""

from __future__ import annotations

from pathlib import Path

import click

from connver.render import available, render
from connver.render.upgrade import RESULT_RENDERERS

from .common import format_option, say_defects, upgrade_options, upgrade_sources, use_color, write


@click.command()
@click.argument("fork")
@upgrade_options
@click.option("--output", "-o", "output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the updated connector into DIR.")
@click.option("--in-place", is_flag=True, help="Update FORK's folder itself (each rewritten file is kept as <name>.orig).")
@click.option("--prefer", type=click.Choice(["fork", "upstream"]), default="fork", show_default=True,
              help="Whose value a conflict keeps.")
@click.option("--conflict-markers", is_flag=True,
              help="Write git's conflict markers where both sides changed the same lines of script.csx "
                   "(default: those lines are --prefer's side, and the conflict is listed).")
@click.option("--force", is_flag=True, help="Write into an --output folder that already holds a connector, "
              "write a result with references that dangle where your copy's do not, and with --in-place "
              "write normalised a fork file whose text cannot be edited.")
@format_option("upgrade-result")
def upgrade(fork, output, in_place, prefer, conflict_markers, force, fmt, **options):
    """Merge UPSTREAM's changes since BASE into FORK (three-way, on semantic keys).

    Upstream changes the fork did not touch are applied; the fork's own edits are
    kept; where both changed the same element, the fork's value is kept (upstream's
    with --prefer upstream) and the conflict is listed in the report and in
    connver-conflicts.json beside the result. Rewritten files keep the fork's
    formatting. Sources and base detection are as for `connver upgrade-check`.

    The merged connector is checked before it is written: a result with a
    reference (a $ref, an operation, a connection parameter) that dangles where
    your copy's do not is not written without --force, and the report says what
    dangles and whether upstream or the merge itself made it so.

    \b
    Exit status: 0 merged cleanly; 1 merged with conflicts, or not written
    because of dangling references; 2 bad input.
    """
    from connver.upgrade_run import run_upgrade

    if bool(output) == bool(in_place):
        raise click.UsageError("give exactly one of --output DIR and --in-place")
    result = run_upgrade(fork, output=output, in_place=in_place, force=force, prefer=prefer,
                         conflict_markers=conflict_markers, **upgrade_sources(options))
    say_defects(result.report.warnings, show=fmt != "json")  # (json lists them per side)
    write(render(result, fmt, RESULT_RENDERERS, color=use_color()))
    if result.exit_code:
        raise SystemExit(result.exit_code)
