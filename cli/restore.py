"""``connver restore CONNECTOR@SPEC DEST``: write a snapshot's files back, byte for byte."""

from __future__ import annotations

from pathlib import Path

import click

from connver.store.snapshots import restore_snapshot

from .common import warn
from .storeopt import describe, store_option


@click.command()
@click.argument("reference", metavar="CONNECTOR@SPEC")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that are already in DEST.")
@store_option
def restore(reference, dest, force, store_dir) -> None:
    """Write the files of a snapshot into DEST (created when missing).

    Refuses to overwrite an existing file unless --force; other files in DEST stay.
    The files are written all together or not at all; DEST may not be inside the store.
    """
    snap, written = restore_snapshot(reference, dest, store_dir, force=force)
    if snap.redacted:
        warn(f"{len(snap.redacted)} secret(s) were redacted in this snapshot; the files hold the marker instead")
    click.echo(f"restored {len(written)} file(s) of {describe(snap)} into {dest}")
