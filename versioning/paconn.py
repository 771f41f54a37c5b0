"""Run ``paconn download`` (the Power Platform Connectors CLI) or ``pac connector download``
(the current Power Platform CLI) into a folder.

Not git, not the store: only the process. ``connver download`` snapshots the result.
paconn writes ``apiDefinition.swagger.json``, ``apiProperties.json``, ``icon.png``,
``settings.json`` (and ``script.csx``); pac writes ``apiDefinition.json`` and
``apiProperties.json`` (and the icon and script where the connector has them), which connver
reads as the same connector.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from .errors import InputError
from .sourcefiles import SWAGGER_NAMES

INSTALL_HINT = "install it with `pip install paconn`, then sign in once with `paconn login`"
PAC_INSTALL_HINT = ("install the Power Platform CLI (for example `dotnet tool install --global Microsoft.PowerApps.CLI.Tool`), "
                    "then sign in once with `pac auth create`")
#: The download tools connver can run, in the order it looks for them when none is named
#: (paconn first: what connver ran before pac was supported).
TOOLS = ("paconn", "pac")


def pick_tool(tool: str | None = None) -> str:
    """The tool to download with: ``tool`` when given, else the first of :data:`TOOLS` on PATH.
    Neither installed raises :class:`InputError` naming both."""
    if tool is not None:
        if tool not in TOOLS:
            raise InputError(f"{tool!r} is not a download tool", hint="give pac or paconn")
        return tool
    for name in TOOLS:
        if shutil.which(name):
            return name
    raise InputError("neither paconn nor pac is installed or on PATH",
                     hint=f"{INSTALL_HINT}; or {PAC_INSTALL_HINT}")


def connector_download(environment: str, connector_id: str, dest: Path, *, tool: str | None = None,
                       on_output: Callable[[str], None] | None = None) -> tuple[str, Path]:
    """Download a custom connector with ``tool`` (see :func:`pick_tool`) into ``dest``:
    (the tool used, the folder it wrote the connector into)."""
    tool = pick_tool(tool)
    if tool == "pac":
        return tool, pac_download(environment, connector_id, dest, on_output=on_output)
    return tool, paconn_download(environment, connector_id, dest, on_output=on_output)


def download_label(tool: str, environment: str, connector_id: str) -> str:
    """The command a snapshot records as its source.

    >>> download_label("pac", "Default-1", "abc")
    'pac connector download --environment Default-1 --connector-id abc'
    """
    if tool == "pac":
        return f"pac connector download --environment {environment} --connector-id {connector_id}"
    return f"paconn download --env {environment} --cid {connector_id}"


def pac_download(environment: str, connector_id: str, dest: Path, *,
                 on_output: Callable[[str], None] | None = None) -> Path:
    """Download a custom connector with ``pac connector download`` into ``dest``; return its
    folder. Failures as for :func:`paconn_download`."""
    exe = shutil.which("pac")
    if exe is None:
        raise InputError("pac is not installed or not on PATH", hint=PAC_INSTALL_HINT)
    _check_ids(environment, connector_id)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    command = [exe, "connector", "download", "--connector-id", connector_id, "--environment", environment,
               "--outputDirectory", str(dest)]
    _run(command, "pac connector download", PAC_INSTALL_HINT,
         "check the environment and connector ids, and that `pac auth create` was done", on_output)
    return _connector_folder(dest, "pac connector download")


def _check_ids(environment: str, connector_id: str) -> None:
    for what, value in (("environment", environment), ("connector id", connector_id)):
        if not value or value.startswith("-") or any(ch in value for ch in "\r\n\0"):
            raise InputError(f"{value!r} is not a valid {what}")


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
    _check_ids(environment, connector_id)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    command = [exe, "download", "--env", environment, "--cid", connector_id, "--dest", str(dest), "--overwrite"]
    _run(command, "paconn download", INSTALL_HINT,
         "check the environment and connector ids, and that `paconn login` was done", on_output)
    return _connector_folder(dest, "paconn download")


def _run(command: list[str], what: str, install_hint: str, failed_hint: str,
         on_output: Callable[[str], None] | None) -> None:
    """Run a download tool, passing its output on line by line; one-line :class:`InputError`
    when it cannot start or fails. An interrupted wait stops the tool first."""
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise InputError(f"cannot run {command[0]}: {exc.strerror}", hint=install_hint) from None
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tail = (tail + [line])[-5:]
            if on_output:
                on_output(line)
        code = proc.wait()
    except BaseException:  # interrupted (Ctrl-C, SIGTERM turned into an exception): no orphan child
        _stop(proc)
        raise
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
    if code != 0:
        last = next((line for line in reversed(tail) if line.strip()), "")
        raise InputError(f"{what} failed (exit status {code})" + (f": {last.strip()}" if last else ""),
                         hint=failed_hint)


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


def _connector_folder(dest: Path, what: str = "paconn download") -> Path:
    """The folder the tool wrote the definition into: ``dest`` itself, or its one subfolder
    that holds a definition."""
    if any((dest / name).is_file() for name in SWAGGER_NAMES):
        return dest
    candidates = sorted(p for p in dest.iterdir() if p.is_dir() and any((p / n).is_file() for n in SWAGGER_NAMES))
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise InputError(f"{what} wrote {len(candidates)} connector definitions "
                         f"({', '.join(p.name for p in candidates)}); connver expected one",
                         hint="download the connector into a folder yourself, then `connver snapshot` it")
    tool = what.split()[0]
    expected = "apiDefinition.json" if tool == "pac" else "apiDefinition.swagger.json"
    raise InputError(f"{what} finished but wrote no {expected}",
                     hint=f"check {tool}'s output above; nothing was recorded")
