"""What the store hands back: plain data, no git objects.

A snapshot is one commit; its facts live in the commit message's trailers:

====================  =============================================================
``Connector``         the connector id (also the folder ``connectors/<id>/``)
``Connector-Name``    the name the id was made from (folder name, settings.json
                      ``connectorId``), when it was not given with ``--connector``
``Channel``           ``deployed`` or ``dev``
``Version``           ``info.version`` of the swagger (absent when it has none)
``Source``            where the files came from (a folder, ``REV:PATH``, a download)
``Environment``       ``settings.json`` ``environment``, when there is one
``Snapshot-Time``     when the snapshot was taken (UTC, ISO 8601)
``Redacted``          one per secret replaced: ``file#/json/pointer (what)``
``Original-Commit``   for imports: the commit the files were read from
``Original-Author``   for history imports: that commit's author
``Original-Date``     for history imports: that commit's author date
``Original-Subject``  for history imports: that commit's subject line
====================  =============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

TRAILER_KEYS = (
    "Connector",
    "Connector-Name",
    "Channel",
    "Version",
    "Source",
    "Environment",
    "Snapshot-Time",
    "Redacted",
    "Original-Commit",
    "Original-Author",
    "Original-Date",
    "Original-Subject",
)


@dataclass(frozen=True)
class Snapshot:
    """One snapshot (one commit of the store)."""

    commit: str
    connector: str
    channel: str
    version: str | None
    time: str
    source: str | None = None
    environment: str | None = None
    redacted: tuple[str, ...] = ()
    original_commit: str | None = None
    original_author: str | None = None
    original_date: str | None = None
    original_subject: str | None = None
    subject: str = ""
    connector_name: str | None = None

    @property
    def short(self) -> str:
        return self.commit[:10]

    @property
    def trailers(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {"Connector": self.connector, "Channel": self.channel}
        for key, value in (
            ("Connector-Name", self.connector_name),
            ("Version", self.version),
            ("Source", self.source),
            ("Environment", self.environment),
            ("Snapshot-Time", self.time),
            ("Original-Commit", self.original_commit),
            ("Original-Author", self.original_author),
            ("Original-Date", self.original_date),
            ("Original-Subject", self.original_subject),
        ):
            if value:
                out[key] = value
        if self.redacted:
            out["Redacted"] = list(self.redacted)
        return out

    def as_dict(self) -> dict:
        return {
            "commit": self.commit,
            "connector": self.connector,
            "channel": self.channel,
            "version": self.version,
            "time": self.time,
            "source": self.source,
            "environment": self.environment,
            "redacted": list(self.redacted),
            "original_commit": self.original_commit,
            "original_author": self.original_author,
            "original_date": self.original_date,
            "original_subject": self.original_subject,
        }


@dataclass(frozen=True)
class SnapshotResult:
    """What :func:`versioning.store.snapshots.take_snapshot` did.

    ``snapshot`` is the new commit, or the channel's latest snapshot when the files were
    identical to it (``created`` False). ``tag`` is the version tag created, if any.
    """

    snapshot: Snapshot
    created: bool
    tag: str | None = None
    redactions: tuple = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectorSummary:
    """A connector in the store and its latest snapshot per channel."""

    connector: str
    latest: dict = field(default_factory=dict)  # channel -> Snapshot
    count: int = 0


@dataclass(frozen=True)
class ImportResult:
    """What an import did: snapshots created, skipped as identical, connectors seen."""

    created: int
    unchanged: int
    connectors: int
    warnings: tuple[str, ...] = ()
