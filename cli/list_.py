"""``connver list``: the connectors in the store and their latest snapshot per channel."""

from __future__ import annotations

import click

from connver.store.snapshots import list_connectors

from .common import format_option, write
from .storeopt import store_option


@click.command("list")
@format_option("store-list")
@store_option
def list_(fmt, store_dir) -> None:
    """List the connectors in the store with their latest deployed and dev snapshots."""
    from connver.render import render

    write(render(list_connectors(store_dir), fmt, "store-list"))
