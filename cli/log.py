"""``connver log [CONNECTOR]``: the snapshots in the store, newest first."""

from __future__ import annotations

import json

import click

from connver.store.snapshots import snapshot_log

from .storeopt import format_choice, store_option


@click.command()
@click.argument("connector", required=False)
@click.option("--channel", type=click.Choice(["deployed", "dev"]), default=None, help="Only this channel.")
@click.option("-n", "--max-count", "--limit", "limit", type=click.IntRange(min=1), default=None,
              help="Show at most N snapshots.")
@format_choice
@store_option
def log(connector, channel, limit, fmt, store_dir) -> None:
    """List snapshots, newest first (of one CONNECTOR when given, numbered ~0, ~1...)."""
    snaps = snapshot_log(store_dir, connector, channel)[:limit]
    if fmt == "json":
        click.echo(json.dumps([s.as_dict() for s in snaps], indent=2))
        return
    for index, snap in enumerate(snaps):
        where = f"{snap.channel:<8}" if connector else f"{snap.connector}@{snap.channel}"
        origin = (f"from {snap.original_commit[:10]} {(snap.original_date or '')[:10]}".rstrip()
                  if snap.original_commit else (snap.source or ""))
        prefix = f"~{index:<3} " if connector and not channel else ""
        click.echo(f"{prefix}{snap.short}  {snap.time}  {where}  {snap.version or '-'}  {origin}".rstrip())
