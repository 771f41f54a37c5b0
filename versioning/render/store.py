"""Renderers for the snapshot store's listings: ``connver list``, ``log`` and ``show``.

``store-list`` renders a list of connector summaries, ``store-log`` a list of snapshots
(``connector``/``channel`` say what was asked for), ``store-show`` one snapshot with its
``tags`` and ``files`` (name -> size and sha256).
"""

from __future__ import annotations

import json
from typing import Any


def list_text(summaries, **_: Any) -> str:
    width = max((len(s.connector) for s in summaries), default=9)
    lines = []
    for s in summaries:
        cells = []
        for channel in ("deployed", "dev"):
            snap = s.latest.get(channel)
            cells.append(f"{channel} {snap.version or '-'} ({snap.short}, {snap.time[:10]})" if snap else f"{channel} -")
        lines.append(f"{s.connector:<{width}}  {cells[0]:<40}  {cells[1]:<40}  {s.count} snapshot(s)".rstrip() + "\n")
    return "".join(lines)


def list_json(summaries, **_: Any) -> str:
    return json.dumps([{"connector": s.connector, "snapshots": s.count,
                        "latest": {ch: snap.as_dict() for ch, snap in s.latest.items()}}
                       for s in summaries], indent=2) + "\n"


def log_text(snaps, *, connector: str | None = None, channel: str | None = None, **_: Any) -> str:
    lines = []
    for index, snap in enumerate(snaps):
        where = f"{snap.channel:<8}" if connector else f"{snap.connector}@{snap.channel}"
        origin = (f"from {snap.original_commit[:10]} {(snap.original_date or '')[:10]}".rstrip()
                  if snap.original_commit else (snap.source or ""))
        prefix = f"~{index:<3} " if connector and not channel else ""
        lines.append(f"{prefix}{snap.short}  {snap.time}  {where}  {snap.version or '-'}  {origin}".rstrip() + "\n")
    return "".join(lines)


def log_json(snaps, **_: Any) -> str:
    return json.dumps([s.as_dict() for s in snaps], indent=2) + "\n"


def show_text(snap, *, tags: list[str], files: dict[str, dict], **_: Any) -> str:
    lines = [f"commit       {snap.commit}"]
    for label, value in (("connector", snap.connector), ("channel", snap.channel), ("version", snap.version),
                         ("time", snap.time), ("source", snap.source), ("environment", snap.environment),
                         ("original", snap.original_commit), ("author", snap.original_author),
                         ("date", snap.original_date), ("subject", snap.original_subject),
                         ("tags", ", ".join(tags))):
        if value:
            lines.append(f"{label:<12} {value}")
    lines += [f"{'redacted':<12} {item}" for item in snap.redacted]
    lines.append("files")
    lines += [f"  {name:<30} {facts['size']:>9} bytes  sha256 {facts['sha256'][:16]}" for name, facts in files.items()]
    return "\n".join(lines) + "\n"


def show_json(snap, *, tags: list[str], files: dict[str, dict], **_: Any) -> str:
    return json.dumps({**snap.as_dict(), "tags": tags, "files": files}, indent=2) + "\n"
