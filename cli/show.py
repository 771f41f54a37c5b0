"""``connver show CONNECTOR@SPEC``: one snapshot's facts and files."""

from __future__ import annotations

import hashlib
import json

import click

from connver.errors import InputError
from connver.store.snapshots import show_snapshot

from .storeopt import format_choice, store_option


@click.command()
@click.argument("reference", metavar="CONNECTOR@SPEC")
@click.option("--file", "file_name", metavar="NAME", help="Write this file's bytes to stdout instead.")
@format_choice
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
    listing = {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in sorted(files.items())}
    if fmt == "json":
        click.echo(json.dumps({**snap.as_dict(), "tags": tags, "files": listing}, indent=2))
        return
    click.echo(f"commit       {snap.commit}")
    for label, value in (("connector", snap.connector), ("channel", snap.channel), ("version", snap.version),
                         ("time", snap.time), ("source", snap.source), ("environment", snap.environment),
                         ("original", snap.original_commit), ("author", snap.original_author),
                         ("date", snap.original_date), ("subject", snap.original_subject),
                         ("tags", ", ".join(tags))):
        if value:
            click.echo(f"{label:<12} {value}")
    for item in snap.redacted:
        click.echo(f"{'redacted':<12} {item}")
    click.echo("files")
    for name, facts in listing.items():
        click.echo(f"  {name:<30} {facts['size']:>9} bytes  sha256 {facts['sha256'][:16]}")
