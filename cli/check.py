"""``connver check FOLDER...``: references that name nothing (``$ref``, operations, connection parameters)."""

from __future__ import annotations

from pathlib import Path

import click

from connver.errors import ConfigError
from connver.render import CHECK_RENDERERS, available, render

from .common import format_option, say_defects, source_options, strict_option, use_color, write, write_step_summary


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="FOLDER...")
@source_options
@format_option("check", default=None)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")
@strict_option
def check(sources, repo, store, fmt, config_path, strict):
    """Check that every reference in each connector names something it defines.

    Each FOLDER is a connector folder, a swagger file, REV:PATH (--repo) or
    CONNECTOR@SPEC from the snapshot store. Checked: every $ref resolves; every
    operationId an x-ms-dynamic-* extension, x-ms-capabilities or a policy's
    operation list names exists; every @connectionParameters('X') in a policy
    names a connection parameter (of any parameter set); scriptOperations name
    operations; operationIds are unique.

    \b
    Exit status: 0 every reference resolves; 1 a dangling reference; 2 bad
    input (a FOLDER that cannot be read is reported and the others are still
    checked).
    """
    from connver.config import load_config
    from connver.consistency import check_sources

    config = load_config(config_path)
    fmt = fmt or config.format or "text"
    if fmt not in CHECK_RENDERERS:
        raise ConfigError(f"{config.path}: format {fmt!r} is not a format of connver check",
                          hint="use one of " + ", ".join(available(CHECK_RENDERERS)))
    result = check_sources(sources, repo=repo, store=store)  # every format lists the load warnings
    say_defects(result.warnings, strict=strict, show=False)  # (every format lists them)
    write(render(result, fmt, CHECK_RENDERERS, color=use_color()))
    write_step_summary(result, fmt, CHECK_RENDERERS)
    for report in result.errors:  # one line each, as for any bad input
        click.echo(f"connver: error: {report.error}", err=True)
    if result.exit_code:
        raise SystemExit(result.exit_code)
