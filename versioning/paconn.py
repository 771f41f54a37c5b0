"""Run ``paconn download`` (Microsoft's Power Platform Connectors CLI) into a folder.

Not git, not the store: only the process. ``connver download`` snapshots the result.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from .errors import InputError
from .sourcefiles import SWAGGER_NAMES

INSTALL_HINT = "install it with `pip install paconn`, then sign in once with `paconn login`"


def paconn_download(
    environment: str,
    connector_id: str,
    dest: Path,
    *,
    on_output: Callable[[str], None] | None = None,
) -> Path:
    """Download a custom connector with ``paconn download`` into ``dest``; return its folder.

    paconn's own output (including a sign-in prompt) is passed line by line to
    ``on_output``. A missing ``paconn``, a failed download, or a download that wrote no
    definition raises :class:`InputError`. When the wait is interrupted (an exception
    such as KeyboardInterrupt), paconn is stopped before the exception goes on.
    """
    exe = shutil.which("paconn")
    if exe is None:
        raise InputError("paconn is not installed or not on PATH", hint=INSTALL_HINT)
    for what, value in (("environment", environment), ("connector id", connector_id)):
        if not value or value.startswith("-") or any(ch in value for ch in "\r\n\0"):
            raise InputError(f"{value!r} is not a valid {what}")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    command = [exe, "download", "--env", environment, "--cid", connector_id, "--dest", str(dest), "--overwrite"]
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise InputError(f"cannot run {exe}: {exc.strerror}", hint=INSTALL_HINT) from None
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tail = (tail + [line])[-5:]
            if on_output:
                on_output(line)
        code = proc.wait()
    except BaseException:  # interrupted (Ctrl-C, SIGTERM turned into an exception): no orphan paconn
        _stop(proc)
        raise
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
    if code != 0:
        last = next((line for line in reversed(tail) if line.strip()), "")
        raise InputError(
            f"paconn download failed (exit status {code})" + (f": {last.strip()}" if last else ""),
            hint="check the environment and connector ids, and that `paconn login` was done",
        )
    return _connector_folder(dest)


def _stop(proc: subprocess.Popen) -> None:
    """End the paconn child: politely, then for good."""
    if proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except OSError:
        pass


def _connector_folder(dest: Path) -> Path:
    """The folder paconn wrote the definition into: ``dest`` itself, or its one subfolder
    that holds a definition."""
    if any((dest / name).is_file() for name in SWAGGER_NAMES):
        return dest
    candidates = sorted(p for p in dest.iterdir() if p.is_dir() and any((p / n).is_file() for n in SWAGGER_NAMES))
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise InputError(f"paconn download wrote {len(candidates)} connector definitions "
                         f"({', '.join(p.name for p in candidates)}); connver expected one",
                         hint="download the connector into a folder with paconn yourself, then `connver snapshot` it")
    raise InputError("paconn download finished but wrote no apiDefinition.swagger.json",
                     hint="check paconn's output above; nothing was recorded")
