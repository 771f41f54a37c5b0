"""``connver list``: the connectors in the store and their latest snapshot per channel."""

from __future__ import annotations

import json

import click

from connver.store.snapshots import list_connectors

from .storeopt import format_choice, store_option


@click.command("list")
@format_choice
@store_option
def list_(fmt, store_dir) -> None:
    """List the connectors in the store with their latest deployed and dev snapshots."""
    summaries = list_connectors(store_dir)
    if fmt == "json":
        click.echo(json.dumps([{"connector": s.connector, "snapshots": s.count,
                                "latest": {ch: snap.as_dict() for ch, snap in s.latest.items()}}
                               for s in summaries], indent=2))
        return
    width = max((len(s.connector) for s in summaries), default=9)
    for s in summaries:
        cells = []
        for channel in ("deployed", "dev"):
            snap = s.latest.get(channel)
            cells.append(f"{channel} {snap.version or '-'} ({snap.short}, {snap.time[:10]})" if snap else f"{channel} -")
        click.echo(f"{s.connector:<{width}}  {cells[0]:<40}  {cells[1]:<40}  {s.count} snapshot(s)".rstrip())
