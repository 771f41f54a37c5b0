"""Options and small helpers shared by the store commands."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from .common import warn


def store_option(func: Callable) -> Callable:
    """``--store DIR`` (env ``CONNVER_STORE``); None means the default store."""
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="CONNVER_STORE",
        default=None,
        help="Snapshot store folder [env CONNVER_STORE; default: the user's data folder].",
    )(func)


def channel_option(default: str | None = None, help: str = "Channel.") -> Callable:
    return click.option(
        "--channel",
        type=click.Choice(["deployed", "dev"]),
        default=default,
        required=default is None,
        show_default=default is not None,
        help=help,
    )


def show_warnings(warnings) -> None:
    for warning in warnings:
        warn(str(warning))


def describe(snap) -> str:
    """``connector@channel version (commit)``."""
    version = snap.version or "(no version)"
    return f"{snap.connector}@{snap.channel} {version} ({snap.short})"
