"""``connver log [CONNECTOR]``: the snapshots in the store, newest first."""

from __future__ import annotations

import click

from connver.store.snapshots import snapshot_log

from .common import format_option, write
from .storeopt import store_option


@click.command()
@click.argument("connector", required=False)
@click.option("--channel", type=click.Choice(["deployed", "dev"]), default=None, help="Only this channel.")
@click.option("-n", "--max-count", "--limit", "limit", type=click.IntRange(min=1), default=None,
              help="Show at most N snapshots.")
@format_option("store-log")
@store_option
def log(connector, channel, limit, fmt, store_dir) -> None:
    """List snapshots, newest first (of one CONNECTOR when given, numbered ~0, ~1...)."""
    from connver.render import render

    snaps = snapshot_log(store_dir, connector, channel)[:limit]
    write(render(snaps, fmt, "store-log", connector=connector, channel=channel))
