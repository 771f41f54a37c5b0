"""``connver store``: create, locate and check the snapshot store."""

from __future__ import annotations

import click

from connver.store import resolve_store_dir
from connver.store.snapshots import check_store, create_store

from .storeopt import store_option


@click.group()
def store() -> None:
    """The snapshot store: a git repository of every snapshot connver takes.

    Optional: the first `connver snapshot` creates the store.
    """


@store.command()
@store_option
def init(store_dir) -> None:
    """Create an empty store (nothing happens when one is there)."""
    path, created = create_store(store_dir)
    click.echo(f"created an empty store at {path}" if created else f"a store already exists at {path}")


@store.command()
@store_option
def path(store_dir) -> None:
    """Print the store's folder (read it with any git tool: git -C DIR log)."""
    click.echo(str(resolve_store_dir(store_dir)))


@store.command()
@store_option
def check(store_dir) -> None:
    """Check the store with git fsck and connver's own checks.

    \b
    Exit status: 0 healthy; 1 problems found; 2 not a store.
    """
    problems = check_store(store_dir)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    click.echo(f"the store at {resolve_store_dir(store_dir)} is healthy")
