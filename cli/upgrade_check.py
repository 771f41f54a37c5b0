"""``connver upgrade-check FORK --upstream UPSTREAM``: what an upstream update does to a fork."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from connver import read_source
from connver.render import render
from connver.render.upgrade import UPGRADE_RENDERERS

from .common import format_option, load_rule_config, source_options, use_color, write


def upgrade_options(func: Callable) -> Callable:
    """The options ``upgrade-check`` and ``upgrade`` share: upstream, base and its history."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                        help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")(func)
    func = click.option("--ignore", "ignore", multiple=True, metavar="RULE",
                        help="Silence a rule (repeatable; wildcards allowed).")(func)
    func = click.option("--path", "history_path", metavar="P",
                        help="The connector's folder in --upstream-repo.")(func)
    func = click.option("--upstream-repo", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                        help="Upstream's git clone: its history of --path is searched for the base, and "
                             "REV:PATH for UPSTREAM and BASE is read from it (default: --repo).")(func)
    func = click.option("--base", metavar="BASE",
                        help="The upstream version the fork was copied from (default: detected from upstream's history).")(func)
    func = click.option("--upstream", required=True, metavar="UPSTREAM", help="The newer upstream version.")(func)
    return source_options(func)


def run_check(fork, upstream, base, upstream_repo, history_path, repo, store, config_path, ignore,
              flows=(), api_name=None, prefer="fork"):
    """Read every input and build the report (shared with ``connver upgrade``)."""
    from connver.flows import read_flows
    from connver.upgrade import check_upgrade, upstream_history

    config = load_rule_config(config_path, ignore)
    fork_files = read_source(fork, repo=repo, store=store)
    upstream_repo_dir = upstream_repo or repo  # REV:PATH for UPSTREAM and BASE: upstream's clone
    upstream_files = read_source(upstream, repo=upstream_repo_dir, store=store)
    base_files = read_source(base, repo=upstream_repo_dir, store=store) if base else None
    candidates = None
    if base_files is None:
        candidates = upstream_history(upstream, upstream_repo=upstream_repo, path=history_path, repo=repo, store=store)
    flow_set = read_flows(flows) if flows else None
    return check_upgrade(fork_files, upstream_files, base_files, candidates=candidates, flows=flow_set,
                         api_name=api_name, config=config, prefer=prefer)


@click.command("upgrade-check")
@click.argument("fork")
@upgrade_options
@click.option("--flows", "flows", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Exported flows: JSON files, folders, solution or flow package .zip files (repeatable).")
@click.option("--api-name", metavar="NAME",
              help="How flows name the connector (default: connectorId from the fork's settings.json).")
@format_option("upgrade-check")
def upgrade_check(fork, upstream, base, upstream_repo, history_path, ignore, config_path, repo, store,
                  flows, api_name, fmt):
    """Check what updating FORK to UPSTREAM brings, breaks and collides with.

    FORK, UPSTREAM and BASE are each a connector folder, a swagger file, REV:PATH
    (--repo) or CONNECTOR@SPEC from the snapshot store. Without --base, the base
    is the version of upstream's history most similar to FORK: the commits that
    changed --path in --upstream-repo, the history of an UPSTREAM given as
    REV:PATH, or the store's snapshots of an UPSTREAM from the store.

    \b
    The report: 1. upstream changes since BASE; 2. your edits since BASE;
    3. conflicts; 4. the breaking changes that hit what your flows use
    (--flows; without flows, every breaking change counts).

    \b
    Exit status: 0 safe to update; 1 a breaking change hits something used,
    or a conflict; 2 bad input.
    """
    report = run_check(fork, upstream, base, upstream_repo, history_path, repo, store, config_path, ignore,
                       flows=flows, api_name=api_name)
    write(render(report, fmt, UPGRADE_RENDERERS, color=use_color()))
    if report.exit_code:
        raise SystemExit(report.exit_code)
