"""The store's public API: take snapshots, read them back, list, show, restore.

Every function takes ``store_dir`` (None means :func:`versioning.store.default_store_dir`).
GitPython is imported only when a function runs, never when this module is imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Mapping

from ..errors import InputError, SourceNotFoundError, StoreError
from ..solution import looks_like_solution, solution_source
from ..sourcefiles import SETTINGS_NAME, SWAGGER_NAMES, SourceFiles, is_swagger_name
from . import resolve_store_dir
from .records import ConnectorSummary, Snapshot, SnapshotResult
from ..secrets import redact_files
from .refs import CHANNELS, check_channel, parse_reference, safe_connector_id


@dataclass(frozen=True)
class ConnectorFacts:
    """What the store reads from a connector's files: version, id and environment."""

    version: str | None
    connector_id: str | None
    environment: str | None
    warnings: tuple[str, ...] = ()


def connector_facts(files: Mapping[str, bytes]) -> ConnectorFacts:
    """``info.version`` of the swagger and ``connectorId``/``environment`` of settings.json.

    A file that cannot be parsed leaves its facts empty and adds a warning; the bytes are
    stored regardless.
    """
    warnings: list[str] = []
    version = connector_id = environment = None
    for name in [*SWAGGER_NAMES, *sorted(n for n in files if is_swagger_name(n) and n not in SWAGGER_NAMES)]:
        if name in files:  # the standard names first, then another *.swagger.json (De-Lijn-Zoek.swagger.json)
            doc = _load(files[name], name, warnings)
            info = doc.get("info") if isinstance(doc, dict) else None
            raw = info.get("version") if isinstance(info, dict) else None
            if raw is not None and str(raw).strip():
                version = str(raw).strip()
            break
    if SETTINGS_NAME in files:
        settings = _load(files[SETTINGS_NAME], SETTINGS_NAME, warnings)
        if isinstance(settings, dict):
            if isinstance(settings.get("connectorId"), str) and settings["connectorId"].strip():
                connector_id = settings["connectorId"].strip()
            if isinstance(settings.get("environment"), str) and settings["environment"].strip():
                environment = settings["environment"].strip()
    return ConnectorFacts(version, connector_id, environment, tuple(warnings))


def _load(data: bytes, name: str, warnings: list[str]):
    from ..jsontext import load_json

    try:
        value, found = load_json(data, name)
    except InputError as exc:
        warnings.append(f"{exc}; its facts are left empty, the file is stored as it is")
        return None
    warnings.extend(str(w) for w in found)
    return value


def folder_name(source: SourceFiles) -> str | None:
    """The last folder name of a source's label (``REV:PATH`` or a path)."""
    if source.kind == "store":
        return source.meta.get("connector")
    label = source.meta.get("path") or source.label
    if source.kind == "git" and ":" in label:
        label = label.split(":", 1)[1]
    elif source.kind in ("folder", "file"):
        path = Path(label)
        try:
            path = path.resolve()
        except OSError:
            pass
        if source.kind == "file" or path.is_file():
            path = path.parent
        return path.name or None
    parts = [p for p in PurePosixPath(PureWindowsPath(label).as_posix()).parts if p not in ("/", ".", "")]
    return parts[-1] if parts else None


def pick_connector_id(source: SourceFiles, explicit: str | None, facts: ConnectorFacts) -> str:
    """The connector id of :func:`pick_connector`."""
    return pick_connector(source, explicit, facts)[0]


def pick_connector(source: SourceFiles, explicit: str | None, facts: ConnectorFacts) -> tuple[str, str | None]:
    """(id, name made from): ``--connector`` when given, else settings.json ``connectorId``,
    else the folder name.

    Any name is made safe (:func:`~versioning.store.refs.safe_connector_id`) and comes back
    too, so the store can refuse a different name folding to the same id (``../x``, ``-x``,
    ``x^`` all become ``x``). The name is None when the id is given exactly as the store
    keeps it (``--connector x``, or ``x@dev``: a snapshot read from the store keeps its id),
    which adds to that connector whatever name it was recorded with.
    """
    if explicit is not None and explicit.strip():
        safe = safe_connector_id(explicit.strip())
        return safe, (None if safe == explicit.strip() else explicit.strip())
    if source.kind == "store" and source.meta.get("connector"):
        return safe_connector_id(source.meta["connector"]), None
    if source.kind == "solution" and source.meta.get("connector"):  # its schema name (contoso_5Fdemo)
        raw = source.meta["connector"].strip()
        return safe_connector_id(raw), raw
    if source.kind not in ("store", "solution") and facts.connector_id and facts.connector_id.strip():
        return safe_connector_id(facts.connector_id.strip()), facts.connector_id.strip()
    name = folder_name(source) if source.kind != "store" else None
    hint = "give --connector ID (or keep a settings.json with connectorId beside the definition)"
    if name and name.strip().lower() in CHANNELS:
        # deployed/ and dev/ side by side are a common layout: the folder names the channel
        raise InputError(f"{source.label}: the folder is named {name!r}, which names a channel, not a connector",
                         hint=hint)
    if name and source.kind == "file":
        raise InputError(f"{source.label}: a single file does not say which connector it belongs to", hint=hint)
    if name and name.strip():
        return safe_connector_id(name.strip()), name.strip()
    raise InputError(f"{source.label}: cannot tell which connector this is", hint=hint)


def describe_source(source: SourceFiles, repo=None) -> str:
    """The ``Source`` trailer: an absolute folder, ``REV:PATH in REPO``, or the label."""
    if source.kind in ("folder", "file") and source.meta.get("path"):
        return str(Path(source.meta["path"]).resolve())
    if source.kind == "solution" and source.meta.get("path"):
        return f"{Path(source.meta['path']).resolve()}::{source.meta.get('connector', '')}"
    if source.kind == "git":
        return f"{source.label} in {Path(repo or '.').resolve()}"
    if source.kind == "store" and source.meta.get("commit"):
        return f"{source.label} ({source.meta['commit'][:12]})"
    return source.label


def _source_commit(source: SourceFiles, repo) -> str | None:
    if source.kind != "git" or not source.meta.get("rev"):
        return None
    from ..git.repo import open_repo, resolve_commit

    handle = open_repo(repo or ".")
    try:
        return resolve_commit(handle, source.meta["rev"]).hexsha
    finally:
        handle.close()


def open_store(store_dir=None, *, create: bool = False):
    """Open the store (creating it when ``create``); a :class:`SnapshotStore`."""
    from .repository import SnapshotStore

    return SnapshotStore.open(resolve_store_dir(store_dir), create=create)


def create_store(store_dir=None) -> tuple[Path, bool]:
    """``connver store init``: (path, created). An existing store is left as it is."""
    from .repository import init_store

    path = resolve_store_dir(store_dir)
    return path, init_store(path)


def take_snapshot(
    source: SourceFiles,
    *,
    channel: str,
    store_dir=None,
    connector: str | None = None,
    environment: str | None = None,
    source_label: str | None = None,
    repo=None,
) -> SnapshotResult:
    """Record ``source`` as one snapshot on ``channel``; see :class:`SnapshotResult`.

    Secrets are redacted first (see :mod:`versioning.store.redact`); an identical snapshot
    makes no commit. ``repo`` is the repository a ``REV:PATH`` source was read from: the
    revision's commit id goes into the ``Original-Commit`` trailer.
    """
    check_channel(channel)
    facts = connector_facts(source.files)
    connector_id, name = pick_connector(source, connector, facts)
    # a solution's connector is stored as the solution's own files, so restore gives them back
    files, redactions = redact_files(source.raw or source.files)
    warnings = list(facts.warnings)
    warnings += [f"redacted a secret before storing it: {r}" for r in redactions]
    trailers = {
        "Source": source_label or describe_source(source, repo),
        "Environment": environment or facts.environment,
        "Redacted": [str(r) for r in redactions],
        "Original-Commit": _source_commit(source, repo),
    }
    with open_store(store_dir, create=True) as store, store.writer() as writer:
        snap, created, tag = writer.add(connector_id, channel, files, version=facts.version, trailers=trailers,
                                        name=name)
    if not created:
        warnings = [w for w in warnings if not w.startswith("redacted")] + (
            [f"redacted {len(redactions)} secret(s) before comparing"] if redactions else []
        )
    return SnapshotResult(snap, created, tag, tuple(redactions), tuple(warnings))


def read_store_source(spec: str, store_dir=None) -> SourceFiles:
    """The files of the snapshot ``CONNECTOR@SPEC`` (see :mod:`versioning.store.refs`)."""
    from .repository import store_os_error

    ref = parse_reference(spec)
    path = resolve_store_dir(store_dir)
    try:
        missing = not path.exists() or (path.is_dir() and not any(path.iterdir()))
    except OSError as exc:
        raise store_os_error(path, exc, "read") from None
    if missing:
        raise SourceNotFoundError(
            f"{spec}: no such file or folder, and no snapshot store at {path}",
            hint="take a snapshot first, or give --store",
        )
    with open_store(path) as store:
        snap = store.resolve(ref)
        files = store.snapshot_files(snap)
    meta = {k: v for k, v in snap.as_dict().items() if isinstance(v, str)}
    if looks_like_solution(files):  # a solution's connector, kept in the solution's own files
        mapped = solution_source(spec, files, kind="store", meta=meta)
        return SourceFiles(label=spec, files=mapped.files, kind="store", meta=meta, raw=mapped.raw)
    return SourceFiles(label=spec, files=files, kind="store", meta=meta)


def snapshot_log(store_dir=None, connector: str | None = None, channel: str | None = None) -> list[Snapshot]:
    """Snapshots, newest first; of one connector (and channel) when given."""
    if channel:
        check_channel(channel)
    with open_store(store_dir) as store:
        name = store.find_connector(connector) if connector else None
        return store.history(name, channel)


def list_connectors(store_dir=None) -> list[ConnectorSummary]:
    """Every connector in the store with its latest snapshot per channel."""
    with open_store(store_dir) as store:
        summaries: dict[str, dict] = {}
        counts: dict[str, int] = {}
        for snap in store.history():
            counts[snap.connector] = counts.get(snap.connector, 0) + 1
            summaries.setdefault(snap.connector, {}).setdefault(snap.channel, snap)
    return [ConnectorSummary(name, summaries[name], counts[name]) for name in sorted(summaries, key=str.casefold)]


def show_snapshot(reference: str, store_dir=None) -> tuple[Snapshot, dict[str, bytes], list[str]]:
    """The snapshot ``reference`` names, its files, and the tags on its commit."""
    with open_store(store_dir) as store:
        snap = store.resolve(parse_reference(reference))
        files = store.snapshot_files(snap)
        tags = sorted(t for t, sha in store.tags().items() if sha == snap.commit)
    return snap, files, tags


def restore_snapshot(reference: str, dest: str | os.PathLike, store_dir=None, *, force: bool = False) -> tuple[Snapshot, list[Path]]:
    """Write a snapshot's files into ``dest``, byte for byte.

    Refuses (InputError) when a file would be overwritten, unless ``force``, and a ``dest``
    inside the store's own folder. Other files in ``dest`` are left alone. The files are
    written all together or not at all (see :class:`versioning.safefile.FileSet`): new files
    get the usual mode (``0o666 & ~umask``), replaced ones keep theirs; a replaced symbolic
    link is replaced itself, its target is left alone.
    """
    from ..safefile import FileSet, check_target, make_folder, remove_folders

    dest = Path(dest)
    store_path = resolve_store_dir(store_dir)
    _refuse_inside_store(dest, store_path)
    with open_store(store_dir) as store:
        snap = store.resolve(parse_reference(reference))
        files = store.snapshot_files(snap)
    if os.path.lexists(dest) and not dest.is_dir():
        raise InputError(f"{dest} exists and is not a folder", hint="choose another DEST")
    targets = {name: dest.joinpath(*name.split("/")) for name in files}
    clashes = [str(path) for path in targets.values() if os.path.lexists(path)]
    if clashes and not force:
        raise InputError(f"{clashes[0]} already exists" + (f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""), hint="use --force to overwrite")
    created: list[Path] = []
    try:
        for folder in dict.fromkeys(path.parent for path in targets.values()):
            created += make_folder(folder)
        writes = FileSet()
        for name, path in targets.items():
            writes.write(check_target(path, edit=False), files[name], label=path)
        writes.commit()
    except BaseException:
        remove_folders(created)
        raise
    return snap, list(targets.values())


def _refuse_inside_store(dest: Path, store_path: Path) -> None:
    """A restore into the store's own folder would write files among git's."""
    real_dest = Path(os.path.realpath(dest))
    real_store = Path(os.path.realpath(store_path))
    if real_dest == real_store or real_store in real_dest.parents:
        raise InputError(f"{dest}: is inside the snapshot store at {store_path}, among git's own files",
                         hint="restore into a folder outside the store")


def check_store(store_dir=None) -> list[str]:
    """Problems found in the store (empty when healthy): ``git fsck`` and connver's own checks."""
    from .repository import JOURNAL, _read_journal

    problems = []
    with open_store(store_dir) as store:
        if (store.path / JOURNAL).exists():
            try:
                _read_journal(store.path / JOURNAL, store.path)
                problems.append("a write was interrupted; the next snapshot finishes or undoes it")
            except StoreError as exc:
                problems.append(str(exc))
        try:
            store.git("fsck", "--no-dangling", "--no-progress")
        except StoreError as exc:
            problems.append(str(exc))
        if not problems:
            store.history()  # every commit message parses
    return problems


__all__ = [
    "ConnectorFacts",
    "check_store",
    "connector_facts",
    "create_store",
    "list_connectors",
    "open_store",
    "pick_connector",
    "pick_connector_id",
    "read_store_source",
    "restore_snapshot",
    "show_snapshot",
    "snapshot_log",
    "take_snapshot",
]
