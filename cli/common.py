"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import click

from connver.changes import Level

LEVEL_CHOICE = click.Choice([level.value for level in Level], case_sensitive=False)


def source_options(func: Callable) -> Callable:
    """``--repo`` (for REV:PATH sources) and ``--store`` (for CONNECTOR@SPEC sources)."""
    func = click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), envvar="CONNVER_STORE",
                        help="Snapshot store for CONNECTOR@SPEC sources [env CONNVER_STORE].")(func)
    func = click.option("--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Git repository for REV:PATH sources (default: the current directory).")(func)
    return func


class AliasedOption(click.Option):
    """An option that also answers to old spellings (``aliases``), kept for one release and
    left out of ``--help``: one name per idea across the commands (see the README)."""

    def __init__(self, *args, aliases: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = frozenset(aliases)

    def get_help_record(self, ctx):
        shown, self.opts = self.opts, [name for name in self.opts if name not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


class RendererChoice(click.Choice):
    """The formats registered in :data:`connver.render.RENDERERS` for one kind of result,
    read when the command runs: a format registered with ``connver.render.register`` is
    offered by every command that renders that kind, with nothing else to change."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__([])

    @property
    def choices(self):  # type: ignore[override]
        from connver.render import available

        return tuple(available(self.kind))

    @choices.setter
    def choices(self, _value) -> None:  # click.Choice.__init__ assigns it
        pass


def format_option(kind: str, default: str | None = "text") -> Callable:
    """``--format/-f``: the formats of the renderers registered for ``kind`` results."""
    return click.option("--format", "-f", "fmt", type=RendererChoice(kind), default=default,
                        show_default=default is not None, help="Output format.")


def strict_option(func: Callable) -> Callable:
    """``--strict``: input defects the loader tolerated (see the warnings) are errors, exit 2.
    The command calls :func:`say_defects` with the warnings of what it read."""
    return click.option("--strict", is_flag=True,
                        help="Treat tolerated input defects (see warnings) as errors: exit 2.")(func)


def say_defects(warnings, *, strict: bool = False, show: bool = True) -> None:
    """The input defects the loader tolerated: with ``--strict`` the first is one error line
    (exit 2); otherwise each is a warning line on stderr, when ``show`` (a format whose report
    does not list them itself)."""
    warnings = list(warnings)
    if strict and warnings:
        from connver.errors import InputError

        raise InputError(f"{warnings[0]}", hint=f"{len(warnings)} input defect(s); drop --strict to tolerate them")
    if show:
        for warning in warnings:
            warn(str(warning))


def rule_options(func: Callable) -> Callable:
    """``--fail-on``, ``--ignore`` and ``--config``."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                        help="Configuration file (default: nearest .connver.toml or pyproject.toml [tool.connver]).")(func)
    func = click.option("--ignore", "ignore", multiple=True, metavar="RULE",
                        help="Silence a rule (repeatable; wildcards allowed).")(func)
    func = click.option("--fail-on", "fail_on", type=LEVEL_CHOICE, default=None,
                        help="Exit 1 when a change at this level or more severe is found.")(func)
    return func


def upgrade_options(func: Callable) -> Callable:
    """The options ``upgrade-check`` and ``upgrade`` share: upstream, base and its history,
    ``--ignore``, ``--config``, ``--repo`` and ``--store``."""
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


def upgrade_sources(options: dict) -> dict:
    """The keyword arguments of ``connver.upgrade_run`` from the parsed :func:`upgrade_options`
    (``ignore`` and ``config_path`` become ``config``)."""
    config = load_rule_config(options.pop("config_path"), options.pop("ignore"))
    return {**options, "config": config}


def load_rule_config(config_path: Path | None, ignore: tuple[str, ...]):
    from connver.config import load_config

    return load_config(config_path).with_ignored(ignore)


def use_color(stream=None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def warn(message: str) -> None:
    click.echo(f"connver: warning: {message}", err=True)


def write(text: str) -> None:
    click.echo(text, nl=False)


def date_option(help_text: str) -> Callable:
    """``--date YYYY-MM-DD`` (a :class:`datetime.date`, or None when not given)."""

    def parse(ctx, param, value):
        import datetime as dt

        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None

    return click.option("--date", "date", metavar="YYYY-MM-DD", callback=parse, help=help_text)


def sides(old: str, new: str | None) -> tuple[str, str]:
    """OLD and NEW sources; a single CONNECTOR means its deployed and dev snapshots."""
    if new is not None:
        return old, new
    from connver.sources import source_kind

    if source_kind(old) != "store" or "@" in old:
        raise click.UsageError(
            f"NEW is missing: give OLD and NEW, or a single CONNECTOR from the store "
            f"(compared deployed against dev); {old!r} is not a connector name")
    return f"{old}@deployed", f"{old}@dev"


def write_step_summary(result, fmt: str, table, **options) -> None:
    """With ``--format github`` in a GitHub Actions step (``GITHUB_STEP_SUMMARY`` set), append the
    whole markdown report to the step's summary: the annotations are capped, the summary is not."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt != "github" or not target:
        return
    from connver.errors import InputError
    from connver.render import render

    report = render(result, "markdown", table, **options)
    try:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(report + "\n")
    except OSError as exc:
        raise InputError(f"{target}: cannot write the step summary (GITHUB_STEP_SUMMARY): {exc.strerror}",
                         hint="unset GITHUB_STEP_SUMMARY, or point it at a writable file") from None


def show_progress(stream=None) -> bool:
    """A progress bar on a terminal; never in CI (``CI`` or Azure's ``TF_BUILD`` set)."""
    stream = stream or sys.stderr
    if os.environ.get("CI") or os.environ.get("TF_BUILD"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def progress_option(func: Callable) -> Callable:
    """``--progress/--no-progress`` (``-q``/``--quiet`` is ``--no-progress``) for the
    commands that show a progress bar (audit, import)."""
    return click.option("--progress/--no-progress", " /--quiet", " /-q", default=None,
                        help="Progress bar on stderr (default: on a terminal, never in CI); "
                             "-q/--quiet: none.")(func)
