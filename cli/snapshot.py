"""``connver snapshot SOURCE --channel deployed|dev``: record a connector in the store."""

from __future__ import annotations

from pathlib import Path

import click

from connver.sources import read_source
from connver.store.snapshots import take_snapshot

from .storeopt import channel_option, describe, show_warnings, store_option


@click.command()
@click.argument("source")
@channel_option(help="Which channel this snapshot records.")
@click.option("--connector", "connector", metavar="ID", help="Connector id (default: settings.json connectorId, else the folder name).")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Git repository for a REV:PATH source (default: the current directory).")
@store_option
def snapshot(source, channel, connector, repo, store_dir) -> None:
    """Record SOURCE as one snapshot (one commit) in the store.

    SOURCE is anything `connver diff` accepts: a connector folder (for example from
    paconn download), a swagger file, REV:PATH in a git repository, or CONNECTOR@SPEC.
    Secrets are redacted first; an identical snapshot makes no commit.
    """
    files = read_source(source, repo=repo, store=store_dir)
    result = take_snapshot(files, channel=channel, store_dir=store_dir, connector=connector, repo=repo)
    show_warnings(result.warnings)
    if not result.created:
        click.echo(f"unchanged: {describe(result.snapshot)} already holds these files; no snapshot made")
        return
    tag = f", tagged {result.tag}" if result.tag else ""
    click.echo(f"recorded {describe(result.snapshot)}{tag}")
