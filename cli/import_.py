"""``connver import REPO``: snapshot connectors from a clone of the public connectors repository."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from connver.store.importer import channel_for_ref, plan_import, run_import

from .common import progress_option, show_progress
from .storeopt import show_warnings, store_option


@click.command("import")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ref", default="master", show_default=True, help="Branch, tag or commit to read.")
@click.option("--channel", type=click.Choice(["deployed", "dev"]), default=None,
              help="Channel the snapshots go to [default: from --ref: master or main -> deployed, dev -> dev].")
@click.option("--path", "paths", multiple=True, metavar="PATH",
              help="Connector folder in REPO (repeatable; default: every folder under certified-connectors/, "
                   "independent-publisher-connectors/ and custom-connectors/).")
@click.option("--history", is_flag=True, help="One snapshot per commit that changed a connector, oldest first.")
@progress_option
@store_option
def import_(repo, ref, channel, paths, history, progress, store_dir) -> None:
    """Import connectors from a clone of microsoft/PowerPlatformConnectors (or a fork)."""
    channel = channel or channel_for_ref(ref)
    plan = plan_import(repo, ref=ref, paths=paths, history=history)
    stderr = sys.stderr
    if len(plan.steps) > 1 and (show_progress(stderr) if progress is None else progress):
        with click.progressbar(length=len(plan.steps), label="importing", file=stderr) as bar:
            result = run_import(plan, channel=channel, store_dir=store_dir, progress=bar.update)
    else:
        result = run_import(plan, channel=channel, store_dir=store_dir)
    show_warnings(result.warnings)
    click.echo(f"imported {result.created} snapshot(s) of {result.connectors} connector(s) "
               f"into {channel}; {result.unchanged} already in the store")
