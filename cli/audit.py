"""``connver audit [FROM..TO]``: every changed connector in a repository range."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from connver.changes import Level
from connver.errors import ConfigError, InputError
from connver.render import AUDIT_RENDERERS, LINE_FORMATS, available, render
from connver.safefile import check_report, write_report

#: Formats whose report lists the changed definition files no connector holds.
UNAUDITED_FORMATS = frozenset({"text", "markdown", "json", "github", "azure", "sarif", "html"})

from .common import (AliasedOption, format_option, load_rule_config, progress_option, rule_options, show_progress, use_color, warn,
                     write, write_step_summary)


class _Bar:
    """Opens a click progress bar on stderr at the first report (when the total is known)."""

    def __init__(self) -> None:
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int, path: str) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="auditing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def pre_commit_range(range_spec: str | None, staged: bool) -> str:
    """``FROM..TO`` from the refs pre-commit gives a pre-push hook."""
    if range_spec or staged:
        raise InputError("--pre-push-refs takes its range from pre-commit: give no range and no --staged")
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if not start or not end:
        raise InputError("--pre-push-refs: PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF are not set",
                         hint="it runs as pre-commit's pre-push hook (pre-commit 2.0 or later); elsewhere "
                              "give FROM..TO")
    return f"{start}..{end}"


@click.command()
@click.argument("range_spec", metavar="[FROM..TO]", required=False)
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="The git repository (default: the current directory).")
@click.option("--merge-base", is_flag=True,
              help="Compare TO with its merge base with FROM, as a pull request does (also FROM...TO).")
@click.option("--staged", is_flag=True,
              help="Compare HEAD with the index (what the next commit changes), for a pre-commit hook.")
@click.option("--pre-push-refs", is_flag=True,
              help="Audit PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, the refs pre-commit passes a pre-push hook.")
@click.option("--expect-changes", is_flag=True,
              help="Exit 2 when no definition file changed (a hook that ran, e.g. under pre-commit's "
                   "--all-files, must not pass having audited nothing).")
@click.option("--path", "paths", multiple=True, metavar="GLOB",
              help="Connector folders to audit (repeatable; ** any depth, . the root; default: every folder "
                   "holding a definition, but templates/).")
@format_option("audit", default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE; the text summary then goes to stdout.")
@rule_options
@click.option("--check-version", is_flag=True,
              help="Exit 1 also when a changed connector's declared info.version is not enough.")
@click.option("--lines", is_flag=True,
              help="With --format json: add each finding's line number (junit and github always have them).")
@click.option("--strict/--no-strict", default=None,
              help="A connector whose new files have tolerated input defects (see warnings), or a changed "
                   "definition file no audited connector holds, is an error: exit 1.")
@click.option("--exclude", "exclude", multiple=True, metavar="GLOB",
              help="Connector folders to leave out (repeatable; default without --path: templates/**).")
@click.option("--limit", "--top", "top", cls=AliasedOption, aliases=("--top",), type=click.IntRange(min=0), default=None,
              help="Findings shown per connector in text (3) and markdown (10); 0 shows all.")
@click.option("--annotations", type=click.IntRange(min=0), default=None,
              help="With --format github: annotations of each kind (GitHub shows 10 per step; 0: all).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to use, this one included (default: one per core from 3 MB of definitions, else 1).")
@progress_option
def audit(range_spec, repo, merge_base, staged, pre_push_refs, expect_changes, paths, fmt, output, fail_on, ignore, config_path, check_version, lines,
          strict, exclude, top, annotations, jobs, progress):
    """Audit every connector whose definition files changed between FROM and TO.

    FROM..TO defaults to master..dev; FROM...TO (or --merge-base) compares TO
    with the merge base; a single REV means REV..HEAD. Files are read from git
    objects: nothing is checked out. A connector that cannot be loaded is
    reported and the audit goes on.

    \b
    Exit status: 0 fine; 1 a change at --fail-on level or above (a removed
    connector counts as breaking, one that cannot be loaded fails any level),
    with --check-version a declared version that is not enough, or with
    --strict a connector with input defects or that cannot be loaded, or a
    changed definition file that belongs to no audited connector;
    2 bad input (also: no --path pattern matches a connector folder).
    """
    from connver.audit import audit as run_audit

    if pre_push_refs:
        range_spec = pre_commit_range(range_spec, staged)
    if staged and (range_spec or merge_base):
        raise InputError("--staged compares HEAD with the index: give no range and no --merge-base")
    config = load_rule_config(config_path, ignore)
    fmt, fail_on, strict = fmt or config.format or "text", fail_on or config.fail_on, bool(
        config.strict if strict is None else strict)
    if fmt not in AUDIT_RENDERERS:
        raise ConfigError(f"{config.path}: format {fmt!r} is not a format of connver audit",
                          hint="use one of " + ", ".join(available(AUDIT_RENDERERS)))
    paths = paths or config.paths or ()
    exclude = list(exclude) if exclude else (list(config.exclude) if config.exclude is not None else None)
    if lines and fmt not in ("json", *LINE_FORMATS):
        raise InputError(f"--lines does not apply to --format {fmt}",
                         hint="it adds line numbers to --format json; junit and github always have them")
    threshold = (fail_on if isinstance(fail_on, Level) else Level.parse(fail_on)) if fail_on else None
    if output is not None:
        check_report(output)  # a report that could not be written is refused before the audit runs
    bar = _Bar() if (show_progress() if progress is None else progress) else None
    try:
        result = run_audit(repo, range_spec or "master..dev", merge_base=merge_base, staged=staged,
                           paths=list(paths) or None, exclude=exclude, config=config, lines=fmt in LINE_FORMATS or lines,
                           strict=strict, jobs=jobs, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if expect_changes and not result.connectors and not result.unaudited:
        raise InputError(f"{result.range.spec}: no connector definition changed, so nothing was audited",
                         hint="under pre-commit's --all-files nothing is staged: audit a range instead, e.g. "
                              "connver audit --merge-base origin/main...HEAD")
    for miss in result.unmatched_paths:
        warn(str(miss))
    if paths and len(result.unmatched_paths) == len(set(paths)):
        raise InputError("--path matched no connector folder", hint="see the warning(s) above")
    if fmt not in UNAUDITED_FORMATS:  # the other reports list them themselves
        for item in result.unaudited:
            warn(str(item) + ("" if strict else " (fails with --strict)"))
    options = {"fail_on": threshold, "check_version": check_version, "lines": lines}
    if top is not None:
        options["top"] = top
    if annotations is not None:
        options["cap"] = annotations
    report = render(result, fmt, AUDIT_RENDERERS, color=use_color() and output is None, **options)
    if output is not None:
        write_report(output, report.encode("utf-8"))
        if fmt != "text":
            write(render(result, "text", AUDIT_RENDERERS, color=use_color(), **options))
    else:
        write(report)
    write_step_summary(result, fmt, AUDIT_RENDERERS, fail_on=threshold, check_version=check_version)
    if result.fails(threshold, check_version=check_version, strict=strict):
        raise SystemExit(1)
