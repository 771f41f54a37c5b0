"""The one exception root of connver.

Every expected failure raises a :class:`VersioningError` (or a subclass). The CLI turns it
into exactly one line on stderr and the exit status in :attr:`VersioningError.exit_code`;
library users catch ``VersioningError``.
"""

from __future__ import annotations


class VersioningError(Exception):
    """Root of every error connver raises on purpose.

    ``str(error)`` is a complete, single-line message: what is wrong, where, what to do.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} ({hint})")


class InputError(VersioningError):
    """Bad input: a missing file, an unreadable source, a wrong ref. Exit status 2."""


class SourceNotFoundError(InputError):
    """A source (folder, file, ``REV:PATH``, store reference) does not exist."""


class JSONDefectError(InputError):
    """A JSON file that cannot be recovered. Carries file, line and column (1-based)."""

    def __init__(self, file: str, line: int, column: int, defect: str, *, hint: str | None = None) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.defect = defect
        super().__init__(f"{file}:{line}:{column}: {defect}", hint=hint)


class ConfigError(InputError):
    """A broken ``[tool.connver]`` / ``.connver.toml`` configuration."""


class StoreError(VersioningError):
    """The snapshot store is missing, locked, damaged or not a connver store."""


class VersionError(InputError):
    """A version string that cannot be read, and no ``--from`` was given."""
