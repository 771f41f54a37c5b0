"""``connver download ENVIRONMENT CONNECTOR_ID``: paconn or pac download, then a deployed snapshot."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from connver.paconn import TOOLS, connector_download, download_label, pick_tool
from connver.sources import read_source
from connver.store.snapshots import take_snapshot

from .storeopt import describe, show_warnings, store_option


@click.command()
@click.argument("environment")
@click.argument("connector_id")
@click.option("--connector", "connector", metavar="ID",
              help="Store the snapshot under this connector id [default: CONNECTOR_ID].")
@click.option("--tool", type=click.Choice(TOOLS), default=None,
              help="Download with paconn or pac [default: paconn if installed, else pac].")
@store_option
def download(environment, connector_id, connector, tool, store_dir) -> None:
    """Download a custom connector with paconn or pac and snapshot it as deployed.

    The snapshot's connector id is CONNECTOR_ID, or --connector ID.
    Needs Microsoft's paconn (pip install paconn; paconn login) or the Power
    Platform CLI (pac connector download; pac auth create) on PATH.
    """
    tool = pick_tool(tool)
    try:
        with _terminated_as_exception(), tempfile.TemporaryDirectory(prefix="connver-download-") as tmp:
            _, folder = connector_download(environment, connector_id, Path(tmp) / "download", tool=tool,
                                           on_output=lambda line: click.echo(f"{tool}: {line}", err=True))
            source = read_source(str(folder))
            result = take_snapshot(source, channel="deployed", store_dir=store_dir,
                                   connector=connector or connector_id, environment=environment,
                                   source_label=download_label(tool, environment, connector_id))
    except _Terminated as exc:  # the tool is stopped and the temporary folder removed by now
        click.echo(f"connver: error: download stopped by {exc.name}; nothing was recorded", err=True)
        raise SystemExit(128 + exc.signum) from None
    show_warnings(result.warnings)
    if result.created:
        tag = f", tagged {result.tag}" if result.tag else ""
        click.echo(f"recorded {describe(result.snapshot)}{tag}")
    else:
        click.echo(f"unchanged: {describe(result.snapshot)} already holds what is deployed; no snapshot made")


class _Terminated(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextmanager
def _terminated_as_exception() -> Iterator[None]:
    """SIGTERM (and SIGHUP) raise :class:`_Terminated`, so that ``finally`` blocks stop
    paconn and remove the temporary folder; Ctrl-C already raises KeyboardInterrupt."""

    def handler(signum, frame):
        raise _Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, handler)
        except ValueError:  # not the main thread: leave the default
            pass
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
