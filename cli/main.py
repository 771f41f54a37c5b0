"""The ``connver`` command group. Commands are imported only when invoked, so that
``connver diff`` never pays for GitPython, deepdiff or templates it does not use."""

from __future__ import annotations

import importlib

import click

#: command name -> "module:attribute". One module per command.
COMMANDS: dict[str, str] = {
    "diff": "cli.diff:diff",
    "rules": "cli.rules:rules",
    "explain": "cli.rules:explain",
    "bump": "cli.bump:bump",
    "store": "cli.store:store",
    "snapshot": "cli.snapshot:snapshot",
    "download": "cli.download:download",
    "import": "cli.import_:import_",
    "log": "cli.log:log",
    "list": "cli.list_:list_",
    "show": "cli.show:show",
    "restore": "cli.restore:restore",
    "notes": "cli.notes:notes",
    "changelog": "cli.changelog:changelog",
    "upgrade-check": "cli.upgrade_check:upgrade_check",
    "upgrade": "cli.upgrade:upgrade",
    "usage": "cli.usage:usage",
    "audit": "cli.audit:audit",
}


class LazyGroup(click.Group):
    """Imports a command's module on first use and maps connver's errors to one line.

    This is the one place where a :class:`versioning.errors.VersioningError` becomes a
    message on stderr and its exit status (2 for bad input); no command catches them.
    """

    def invoke(self, ctx: click.Context):
        from versioning.errors import VersioningError

        try:
            return super().invoke(ctx)
        except VersioningError as exc:
            click.echo(f"connver: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `connver diff ... | head`
            ctx.exit(0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)


def _available(name: str) -> bool:
    import importlib.util

    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="connver", prog_name="connver")
def cli() -> None:
    """Diff and version manager for Power Platform connector definitions.

    \b
    Exit statuses: 0 fine, 1 the check you asked for failed (e.g. --fail-on,
    --check), 2 bad input or usage.
    """


def main() -> None:
    cli(prog_name="connver")
