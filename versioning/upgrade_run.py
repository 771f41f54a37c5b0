"""``connver upgrade-check`` and ``connver upgrade`` from the sources a user names.

:func:`run_upgrade_check` reads FORK, UPSTREAM and BASE (or upstream's history to find the
base in), the flows, and builds the :class:`~versioning.upgrade.UpgradeReport`;
:func:`run_upgrade` does the same and writes the merge into a folder (refusing a folder that
would lose files, and a result with references that dangle where the fork's do not, unless
``force``). The commands only parse options, call one of these and render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .config import Config
from .errors import InputError
from .merge import Prefer
from .upgrade import UpgradeReport, UpgradeResult, apply_upgrade, check_upgrade, upstream_history

__all__ = ["run_upgrade", "run_upgrade_check"]


def run_upgrade_check(fork: str, upstream: str, base: str | None = None, *, upstream_repo: str | Path | None = None,
                      history_path: str | None = None, repo: str | Path | None = None,
                      store: str | Path | None = None, config: Config | None = None,
                      flows: Iterable[str | Path] = (), api_name: str | None = None,
                      prefer: Prefer | str = Prefer.FORK) -> UpgradeReport:
    """Read every input and build the report.

    FORK, UPSTREAM and BASE are sources as :func:`versioning.sources.read_source` reads them;
    ``REV:PATH`` for UPSTREAM and BASE is read from ``upstream_repo`` (default ``repo``).
    Without BASE, the base is detected among upstream's earlier versions (see
    :func:`versioning.upgrade.upstream_history`).
    """
    from .sources import read_source, solution_flow_paths

    fork_files = read_source(fork, repo=repo, store=store)
    upstream_repo_dir = upstream_repo or repo
    upstream_files = read_source(upstream, repo=upstream_repo_dir, store=store)
    base_files = read_source(base, repo=upstream_repo_dir, store=store) if base else None
    candidates = None
    if base_files is None:
        candidates = upstream_history(upstream, upstream_repo=upstream_repo, path=history_path, repo=repo, store=store)
    flows = list(flows) or list(solution_flow_paths(fork_files))  # a fork in a solution: its own flows
    flow_set = None
    if flows:
        from .flows import read_flows

        flow_set = read_flows(flows)
    return check_upgrade(fork_files, upstream_files, base_files, candidates=candidates, flows=flow_set,
                         api_name=api_name, config=config, prefer=Prefer(prefer))


def run_upgrade(fork: str, upstream: str, base: str | None = None, *, output: str | Path | None = None,
                in_place: bool = False, force: bool = False, prefer: Prefer | str = Prefer.FORK,
                conflict_markers: bool = False, **sources) -> UpgradeResult:
    """Merge UPSTREAM's changes since BASE into FORK and write the result into ``output``, or
    into FORK's own folder with ``in_place`` (each rewritten file kept as ``<name>.orig``).

    ``force`` writes into an ``output`` folder that already holds a connector, and writes a
    result whose references dangle (see :attr:`UpgradeReport.blocking`); without it such a
    result is not written and :attr:`UpgradeResult.refused` says why. ``sources`` are the
    keyword arguments of :func:`run_upgrade_check`. ``conflict_markers``: see
    :func:`versioning.upgrade.apply_upgrade`.
    """
    from .solution import split_spec
    from .sources import source_kind
    from .upgrade import in_place_folder

    if (output is None) == (not in_place):
        raise InputError("give exactly one of an output folder and in-place")
    dest = None
    if in_place:
        if source_kind(split_spec(fork)[0]) != "folder":
            raise InputError(f"{fork}: --in-place needs FORK to be a connector folder or an unpacked solution",
                             hint="use --output DIR")
    else:
        dest = Path(output)
        if _same_folder(Path(fork), dest):  # --force would overwrite the fork with no backup
            raise InputError(f"{dest}: --output is FORK's own folder",
                             hint="use --in-place instead: it keeps each rewritten file as <name>.orig")
        if not force and (any((dest / name).exists() for name in ("apiDefinition.swagger.json", "apiDefinition.json"))
                          or any(dest.glob("*/*_openapidefinition.json"))):
            raise InputError(f"{dest}: already holds a connector", hint="choose an empty folder, or pass --force")
    report = run_upgrade_check(fork, upstream, base, prefer=prefer, **sources)
    return apply_upgrade(report, dest or in_place_folder(report), in_place=in_place, force=force,
                         conflict_markers=conflict_markers)


def _same_folder(fork: Path, dest: Path) -> bool:
    """Whether ``dest`` is the folder FORK was read from (also through a symlink or ``..``)."""
    try:
        return fork.is_dir() and dest.is_dir() and fork.samefile(dest)
    except OSError:
        return False
