"""``connver download ENVIRONMENT CONNECTOR_ID``: paconn download, then a deployed snapshot."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from versioning.paconn import paconn_download
from versioning.sources import read_source
from versioning.store.snapshots import take_snapshot

from .storeopt import describe, show_warnings, store_option


@click.command()
@click.argument("environment")
@click.argument("connector_id")
@click.option("--connector", "connector", metavar="ID", help="Store the snapshot under this connector id.")
@store_option
def download(environment, connector_id, connector, store_dir) -> None:
    """Download a custom connector with paconn and snapshot it as deployed.

    Needs Microsoft's paconn on PATH (pip install paconn; paconn login).
    """
    with tempfile.TemporaryDirectory(prefix="connver-download-") as tmp:
        folder = paconn_download(environment, connector_id, Path(tmp) / "download",
                                 on_output=lambda line: click.echo(f"paconn: {line}", err=True))
        source = read_source(str(folder))
        result = take_snapshot(source, channel="deployed", store_dir=store_dir, connector=connector,
                               environment=environment,
                               source_label=f"paconn download --env {environment} --cid {connector_id}")
    show_warnings(result.warnings)
    if result.created:
        tag = f", tagged {result.tag}" if result.tag else ""
        click.echo(f"recorded {describe(result.snapshot)}{tag}")
    else:
        click.echo(f"unchanged: {describe(result.snapshot)} already holds what is deployed; no snapshot made")
