"""The ``connver`` command group. Commands are imported only when invoked, so that
``connver diff`` never pays for GitPython, deepdiff or templates it does not use."""

from __future__ import annotations

import importlib

import click

#: command name -> "module:attribute". One module per command.
COMMANDS: dict[str, str] = {
    "diff": "connver.cli.diff:diff",
    "check": "connver.cli.check:check",
    "rules": "connver.cli.rules:rules",
    "explain": "connver.cli.rules:explain",
    "bump": "connver.cli.bump:bump",
    "store": "connver.cli.store:store",
    "snapshot": "connver.cli.snapshot:snapshot",
    "download": "connver.cli.download:download",
    "import": "connver.cli.import_:import_",
    "log": "connver.cli.log:log",
    "list": "connver.cli.list_:list_",
    "show": "connver.cli.show:show",
    "restore": "connver.cli.restore:restore",
    "notes": "connver.cli.notes:notes",
    "changelog": "connver.cli.changelog:changelog",
    "upgrade-check": "connver.cli.upgrade_check:upgrade_check",
    "upgrade": "connver.cli.upgrade:upgrade",
    "usage": "connver.cli.usage:usage",
    "audit": "connver.cli.audit:audit",
}



def _memory_hint() -> str:
    from connver.errors import VersioningError
    from connver.limits import max_file_size

    try:
        limit = f"{max_file_size():,} bytes"
    except VersioningError:
        limit = "its default"
    return (f"the input is too large for the memory available (CONNVER_MAX_FILE_SIZE limits each connector "
            f"file, now {limit}; connver needs about 10 times a definition's size)")


class LazyGroup(click.Group):
    """Imports a command's module on first use and maps connver's errors to one line.

    This is the one place where a :class:`versioning.errors.VersioningError` becomes a
    message on stderr and its exit status (2 for bad input); no command catches them.
    """

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # `connver --bogus`: one line too
            _usage_error(exc)
            raise SystemExit(2) from None

    def invoke(self, ctx: click.Context):
        from connver.errors import VersioningError

        _tolerate_unencodable_output()
        try:
            return super().invoke(ctx)
        except VersioningError as exc:
            click.echo(f"connver: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            _usage_error(exc)
            ctx.exit(2)
        except click.ClickException as exc:  # e.g. a file option that cannot be opened
            click.echo(f"connver: error: {exc.format_message()}", err=True)
            ctx.exit(2)
        except BrokenPipeError:  # `connver diff ... | head`
            ctx.exit(0)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("connver: interrupted", err=True)
            ctx.exit(130)
        except MemoryError:
            click.echo(f"connver: error: out of memory: {_memory_hint()}", err=True)
            ctx.exit(2)
        except OSError as exc:  # the environment: permissions, a full disk, a vanished folder
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"connver: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug: still one line, and the traceback on request
            import os

            if os.environ.get("CONNVER_DEBUG"):
                raise
            click.echo(f"connver: error: unexpected {type(exc).__name__}: {exc} (this is a bug in connver: "
                       "please report it with the command; CONNVER_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(2)

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


def _usage_error(exc: click.UsageError) -> None:
    """Bad usage as one line: what is wrong and where to read more."""
    command = exc.ctx.command_path if exc.ctx is not None else "connver"
    click.echo(f"connver: error: {exc.format_message()} (see '{command} --help')", err=True)


def _tolerate_unencodable_output() -> None:
    """On a console or redirect whose encoding cannot show a character (cp1252 and the
    arrow in "1.0 → 2.0"), print a replacement instead of failing."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover - detached or closed stream
                pass



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
    --check), 2 bad input, usage or environment (one line on stderr); 130
    interrupted.
    """


def main() -> None:
    """The ``connver`` command (and ``python -m connver``)."""
    import atexit
    import gc

    # When the process ends, spare the interpreter its last garbage collection. By then the
    # command has returned, click has closed what it opened, and the atexit handlers
    # registered after this one (temporary folders...) have run; the shutdown collection
    # would walk every object still alive (each module's functions, classes and caches)
    # only for the process to hand its memory back: about 6 ms of a 0.13 s diff, measured
    # by benchmarks/startup.py. Objects gc.freeze moves to the permanent generation are not
    # walked; reference counting frees the rest as usual. Registered with atexit, not done
    # here, so that a caller that catches SystemExit and goes on is left as it was.
    atexit.register(gc.freeze)
    cli(prog_name="connver")
