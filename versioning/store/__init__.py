"""The snapshot store: every connector definition connver snapshots, kept in a git repository.

Everything that talks to git lives in this package; GitPython is imported only inside the
modules that need it (``repository``, ``importer``), never at the import of this package,
so ``connver diff`` on folders does not pay for it.

Public entry points are in :mod:`versioning.store.snapshots`.
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "CONNVER_STORE"


def default_store_dir() -> Path:
    """``$CONNVER_STORE``, else ``$XDG_DATA_HOME/connver/store`` (``~/.local/share/connver/store``).

    On Windows without ``XDG_DATA_HOME`` it is ``%LOCALAPPDATA%\\connver\\store``.
    """
    explicit = os.environ.get(STORE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME")
    if data_home:
        return Path(data_home).expanduser() / "connver" / "store"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "connver" / "store"
    return Path.home() / ".local" / "share" / "connver" / "store"


def resolve_store_dir(store_dir: str | os.PathLike | None) -> Path:
    """The store folder to use: the one given, else :func:`default_store_dir`."""
    return Path(store_dir).expanduser() if store_dir else default_store_dir()


__all__ = ["STORE_ENV", "default_store_dir", "resolve_store_dir"]
