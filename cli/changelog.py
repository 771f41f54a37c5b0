"""``connver changelog``: a whole CHANGELOG.md for a connector, from git or from the store."""

from __future__ import annotations

from pathlib import Path

import click

from .common import AliasedOption, format_option, load_rule_config, warn, write


@click.command()
@click.argument("connector", required=False)
@click.option("--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Git repository to read the history from (with --path; default: the current directory).")
@click.option("--path", "path", metavar="FOLDER",
              help="The connector's folder in the repository, e.g. certified-connectors/NAME.")
@click.option("--ref", "--rev", "rev", cls=AliasedOption, aliases=("--rev",), default="HEAD", show_default=True,
              help="Read the history reachable from this branch, tag or commit (as for import).")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), envvar="CONNVER_STORE",
              help="Snapshot store for CONNECTOR [env CONNVER_STORE].")
@click.option("--channel", "channel", metavar="NAME", help="The store channel whose snapshots make the history.")
@format_option("changelog", default="markdown")
@click.option("--update", "update", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Rewrite only the generated part of FILE (between connver's markers), keeping every other "
                   "line; create FILE when it does not exist.")
@click.option("--check", is_flag=True, help="With --update: write nothing, exit 1 when FILE is out of date.")
@click.option("--force", is_flag=True, help="With --update: overwrite a generated part that was edited by hand.")
@click.option("--verbose", "-v", is_flag=True, help="List cosmetic changes one by one instead of in one line.")
@click.option("--ignore", "ignore", multiple=True, metavar="RULE",
              help="Silence a rule (repeatable; wildcards allowed).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")
def changelog(connector, repo, path, rev, store, channel, fmt, update, check, force, verbose, ignore, config_path):
    """Write a connector's changelog from its history, one section per version.

    The history is every commit that changed the definition in a git repository
    (--repo DIR --path FOLDER, oldest first), or every snapshot of CONNECTOR in the
    store (one --channel). Consecutive points that declare the same info.version are one
    section; sections come newest first, dated by their last commit or snapshot.

    \b
    Exit status: 0 written (or up to date); 1 --check found FILE out of date; 2 bad input.
    """
    from connver.changelog import build_changelog, document, git_history, store_history, update_file
    from connver.render import render
    from connver.render.notes import CHANGELOG_RENDERERS, changelog_header

    if connector is not None and path is not None and (check or force) and update is None:
        # `--check CHANGELOG.md`: the file name was taken for CONNECTOR, since --check takes no value
        flag = "--check" if check else "--force"
        raise click.UsageError(f"{flag} is a flag that goes with --update FILE: "
                               f"write --update {connector} {flag}")
    if (connector is None) == (path is None):
        raise click.UsageError("give either CONNECTOR (from the store) or --path FOLDER (from git), not both")
    if (check or force) and update is None:
        raise click.UsageError("--check and --force go with --update FILE")
    if update is not None and fmt != "markdown":
        raise click.UsageError("--update writes markdown")
    config = load_rule_config(config_path, ignore)
    if path is not None:
        points = git_history(repo or Path("."), path, rev=rev)
        source = f"{rev}:{path}"
    else:
        points = store_history(store, connector, channel=channel)
        source = f"{connector}@{channel}" if channel else connector
    result = build_changelog(points, source=source, config=config, verbose=verbose)
    for message in result.warnings:
        warn(message)
    if update is None:
        if fmt == "json":
            write(render(result, fmt, CHANGELOG_RENDERERS))
        else:
            write(document(changelog_header(result), render(result, fmt, CHANGELOG_RENDERERS)))
        return
    state, existed = update_file(update, render(result, "markdown", CHANGELOG_RENDERERS),
                                 header=changelog_header(result), force=force, check=check)
    if state == "up to date":
        click.echo(f"{update}: up to date")
    elif state == "out of date":
        click.echo(f"{update}: out of date", err=True)
        raise SystemExit(1)
    else:
        click.echo(f"{update}: {'updated' if existed else 'written'} ({len(result.versions)} versions)")
