"""``connver usage PATH...``: which connector operations, inputs and outputs flows use."""

from __future__ import annotations

from pathlib import Path

import click

from connver.render import render
from connver.render.usage import USAGE_RENDERERS

from .common import AliasedOption, format_option, source_options, write


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--api-name", metavar="NAME", help="Only steps calling this connector (e.g. shared_contoso-20invoices-5f...).")
@click.option("--definition", "--connector", "connector", cls=AliasedOption, aliases=("--connector",), metavar="SOURCE",
              help="The connector's definition (a folder, swagger file, REV:PATH or CONNECTOR@SPEC): only steps "
                   "calling it (named by its settings.json connectorId, or --api-name); Logic Apps steps are bound "
                   "to its operations.")
@source_options
@format_option("usage")
def usage(paths, api_name, connector, repo, store, fmt):
    """Print what flows use: per flow and connector step, the operation called,
    the parameter keys sent and the output fields read.

    PATHS are exported flow JSON files, folders, solution .zip files
    (Workflows/*.json) and legacy flow package .zip files.
    """
    from connver import load_connector
    from connver.errors import InputError
    from connver.flows import read_flows
    from connver.impact import bind_steps, connector_api_names

    flows = read_flows(paths)
    operations = None
    if connector:
        loaded = load_connector(connector, repo=repo, store=store)
        names = connector_api_names(loaded, api_name)
        if not names:
            raise InputError(f"{connector}: no connectorId in settings.json", hint="pass --api-name as well")
        bound, _ = bind_steps(flows, loaded, names)
        operations = {(b.flow, b.step): b.operation for b in bound}
        flows = flows.only(names)
    elif api_name:
        flows = flows.only([api_name])
    write(render(flows, fmt, USAGE_RENDERERS, operations=operations))
