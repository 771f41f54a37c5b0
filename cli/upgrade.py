"""``connver upgrade FORK --upstream UPSTREAM``: apply an upstream update to a fork, keeping its edits."""

from __future__ import annotations

from pathlib import Path

import click

from connver.errors import InputError
from connver.render import render
from connver.render.upgrade import RESULT_RENDERERS

from .common import format_option, use_color, write
from .upgrade_check import run_check, upgrade_options


@click.command()
@click.argument("fork")
@upgrade_options
@click.option("--output", "-o", "output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the updated connector into DIR.")
@click.option("--in-place", is_flag=True, help="Update FORK's folder itself (each rewritten file is kept as <name>.orig).")
@click.option("--prefer", type=click.Choice(["fork", "upstream"]), default="fork", show_default=True,
              help="Whose value a conflict keeps.")
@click.option("--force", is_flag=True, help="Write into an --output folder that already holds a connector.")
@format_option("upgrade")
def upgrade(fork, upstream, base, upstream_repo, history_path, ignore, config_path, repo, store,
            output, in_place, prefer, force, fmt):
    """Merge UPSTREAM's changes since BASE into FORK (three-way, on semantic keys).

    Upstream changes the fork did not touch are applied; the fork's own edits are
    kept; where both changed the same element, the fork's value is kept (upstream's
    with --prefer upstream) and the conflict is listed in the report and in
    connver-conflicts.json beside the result. Rewritten files keep the fork's
    formatting. Sources and base detection are as for `connver upgrade-check`.

    \b
    Exit status: 0 merged cleanly; 1 merged with conflicts; 2 bad input.
    """
    from connver.sources import source_kind
    from connver.upgrade import apply_upgrade

    if bool(output) == bool(in_place):
        raise click.UsageError("give exactly one of --output DIR and --in-place")
    if in_place:
        if source_kind(fork) != "folder":
            raise InputError(f"{fork}: --in-place needs FORK to be a connector folder", hint="use --output DIR")
        dest = Path(fork)
    else:
        dest = output
        if _same_folder(Path(fork), dest):  # --force would overwrite the fork with no backup
            raise InputError(f"{dest}: --output is FORK's own folder",
                             hint="use --in-place instead: it keeps each rewritten file as <name>.orig")
        if not force and any((dest / name).exists() for name in ("apiDefinition.swagger.json", "apiDefinition.json")):
            raise InputError(f"{dest}: already holds a connector", hint="choose an empty folder, or pass --force")
    report = run_check(fork, upstream, base, upstream_repo, history_path, repo, store, config_path, ignore,
                       prefer=prefer)
    result = apply_upgrade(report, dest, in_place=in_place)
    write(render(result, fmt, RESULT_RENDERERS, color=use_color()))
    if result.exit_code:
        raise SystemExit(result.exit_code)


def _same_folder(fork: Path, dest: Path) -> bool:
    """Whether ``dest`` is the folder FORK was read from (also through a symlink or ``..``)."""
    try:
        return fork.is_dir() and dest.is_dir() and fork.samefile(dest)
    except OSError:
        return False
