"""``connver show CONNECTOR@SPEC``: one snapshot's facts and files."""

from __future__ import annotations

import hashlib

import click

from connver.errors import InputError
from connver.store.snapshots import show_snapshot

from .common import format_option, write
from .storeopt import store_option


@click.command()
@click.argument("reference", metavar="CONNECTOR@SPEC")
@click.option("--file", "file_name", metavar="NAME", help="Write this file's bytes to stdout instead.")
@format_option("store-show")
@store_option
def show(reference, file_name, fmt, store_dir) -> None:
    """Show a snapshot: commit, channel, version, source, time, redactions and files.

    SPEC is deployed, dev, deployed~N, dev~N, ~N (N snapshots back), a version or a
    commit id.
    """
    snap, files, tags = show_snapshot(reference, store_dir)
    if file_name:
        if file_name not in files:
            raise InputError(f"{reference} has no file {file_name!r}", hint=f"it has {', '.join(sorted(files))}")
        click.echo(files[file_name], nl=False)  # bytes go to the binary stream untouched
        return
    from connver.render import render

    listing = {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in sorted(files.items())}
    write(render(snap, fmt, "store-show", tags=tags, files=listing))
