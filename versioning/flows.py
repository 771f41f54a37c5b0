"""What flows actually use of a connector: usage extracted from exported flow definitions.

Power Automate flows bind each connector step to an ``operationId`` (``OpenApiConnection``,
``OpenApiConnectionWebhook``), send a flat map of parameter keys (a parameter's ``name``, or
``<bodyParam>/<property path>`` for body fields) and read outputs through expressions such as
``body('Step')?['a']`` or ``outputs('Step')?['body/a']``. Logic Apps ``ApiConnection`` steps
bind to HTTP method + path instead.

:func:`read_flows` accepts exported flow JSON files, folders of them, solution ``.zip`` files
(``Workflows/*.json``) and legacy flow package ``.zip`` files
(``Microsoft.Flow/flows/<id>/definition.json`` + ``manifest.json``). It returns a
:class:`FlowSet`: per flow, per connector step, a frozen :class:`StepUsage`. Nothing here
needs the connector; :mod:`versioning.impact` binds steps to a connector's operations.

Output reads are field paths in the checker's form (``value/items/name``): array elements
add the segment ``items``, whether they are reached through ``?[0]``, ``first(...)``, a
``Foreach`` loop (``items('Loop')``, ``item()``), a Select/Filter ``from`` or a trigger's
``splitOn``.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterable, Iterator
from xml.etree import ElementTree

from .errors import InputError
from .jsontext import load_json

__all__ = [
    "FlowSet",
    "FlowUsage",
    "OutputRead",
    "ReadKind",
    "StepType",
    "StepUsage",
    "api_matches",
    "extract_flows",
    "read_flows",
]


class StepType(str, Enum):
    """The kinds of flow step that call a custom or certified connector."""

    OPENAPI = "OpenApiConnection"
    OPENAPI_WEBHOOK = "OpenApiConnectionWebhook"
    API = "ApiConnection"
    API_WEBHOOK = "ApiConnectionWebhook"

    def __str__(self) -> str:
        return self.value

    @property
    def binds_by_path(self) -> bool:
        """Logic Apps steps name method + path, not an operationId."""
        return self in (StepType.API, StepType.API_WEBHOOK)


class ReadKind(str, Enum):
    """How a flow reads an output: a field's value, or iterating over an array."""

    FIELD = "field"
    ITERATE = "iterate"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class OutputRead:
    """One output path a flow reads from a step (``""`` is the whole body)."""

    path: str
    kind: ReadKind = ReadKind.FIELD


@dataclass(frozen=True)
class StepUsage:
    """One connector step of one flow and what it uses.

    ``api`` is the connector's name as the flow refers to it (``shared_contoso-20invoices``
    or, for Logic Apps, the managed/custom API name). ``parameters`` are the keys sent
    (OpenApiConnection's flat keys; for ApiConnection the query and header names);
    ``body_fields`` are the body paths an ApiConnection step sends (``""``: the whole body),
    which become ``<bodyParam>/<path>`` once bound to an operation.
    """

    flow: str
    step: str
    step_type: StepType
    api: str
    trigger: bool = False
    operation_id: str | None = None
    method: str | None = None
    path: str | None = None
    parameters: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = ()
    reads: tuple[OutputRead, ...] = ()

    @property
    def api_name(self) -> str:
        """The last segment of ``api`` (``shared_contoso`` for ``/providers/.../apis/shared_contoso``)."""
        return self.api.rstrip("/").rsplit("/", 1)[-1]

    @property
    def target(self) -> str:
        """What the step calls: the operationId, or ``METHOD /path`` for Logic Apps."""
        if self.operation_id:
            return self.operation_id
        return f"{(self.method or '?').upper()} {self.path or '?'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "type": self.step_type.value,
            "trigger": self.trigger,
            "api": self.api,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "parameters": list(self.parameters),
            "body_fields": list(self.body_fields),
            "reads": [{"path": r.path, "kind": r.kind.value} for r in self.reads],
        }


@dataclass(frozen=True)
class FlowUsage:
    """One flow: its display name, where it came from, and its connector steps."""

    name: str
    source: str
    steps: tuple[StepUsage, ...] = ()

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(sorted({s.api for s in self.steps}))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "steps": [s.to_dict() for s in self.steps]}


@dataclass(frozen=True)
class FlowSet:
    """Every flow read from the given paths, plus what was skipped and why."""

    flows: tuple[FlowUsage, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(sorted({a for f in self.flows for a in f.apis}))

    def steps(self, api_names: Iterable[str] | None = None) -> list[StepUsage]:
        """Every connector step, or only those calling one of ``api_names``."""
        names = list(api_names) if api_names is not None else None
        return [
            s
            for f in self.flows
            for s in f.steps
            if names is None or any(api_matches(s.api, n) for n in names)
        ]

    def only(self, api_names: Iterable[str]) -> "FlowSet":
        """The same flows with only the steps that call one of ``api_names``."""
        names = list(api_names)
        flows = tuple(
            FlowUsage(f.name, f.source, tuple(s for s in f.steps if any(api_matches(s.api, n) for n in names)))
            for f in self.flows
        )
        return FlowSet(flows, self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {"flows": [f.to_dict() for f in self.flows], "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- api names


def _api_key(name: str) -> str:
    last = name.rstrip("/").rsplit("/", 1)[-1].strip().lower()
    return last[len("shared_"):] if last.startswith("shared_") else last


def api_matches(api: str, identity: str) -> bool:
    """Whether a flow's api reference names the connector ``identity``.

    Both may be full ids (``/providers/Microsoft.PowerApps/apis/shared_x``) or bare names, with
    or without the ``shared_`` prefix; the comparison ignores case.

    >>> api_matches("/providers/Microsoft.PowerApps/apis/shared_contoso", "contoso")
    True
    >>> api_matches("shared_contoso", "shared_contoso2")
    False
    """
    return bool(api) and bool(identity) and _api_key(api) == _api_key(identity)


# --------------------------------------------------------------------------- reading

#: The most connver reads from one file or zip member (uncompressed). The largest real
#: flow definitions are a few megabytes; this is far above them and far below what hurts.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The most connver reads, uncompressed, from one zip (or one unpacked export folder).
MAX_ZIP_BYTES = 256 * 1024 * 1024
#: Members that claim to expand more than this many times are refused (JSON exports stay far
#: below it; deflate cannot exceed about 1032:1). Checked for members above 1 MB only.
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024
_MB = 1024 * 1024


def read_flows(paths: Iterable[str | Path]) -> FlowSet:
    """Read every flow in ``paths``: JSON files, folders, solution or package zips.

    A folder that is an unpacked solution (``Workflows/``) or flow package
    (``Microsoft.Flow/flows/``) is read like the zip; other folders are searched for
    ``*.json`` and ``*.zip`` files. A path that does not exist or is not a regular file or
    folder, a folder that cannot be listed, a broken zip or JSON file, a file or zip member
    larger than :data:`MAX_FILE_BYTES` (or a zip expanding to more than
    :data:`MAX_ZIP_BYTES`), or a file named explicitly that holds no flow raises
    :class:`InputError`. Inside folders, JSON files that are not flows are skipped with a
    warning; a folder or file reached a second time (through a symbolic link, or named twice)
    is read once. Zip members are only ever read, never extracted; members whose names
    point outside the archive (``../x.json``, ``/x.json``) are skipped with a warning.
    """
    reader = _Reader()
    for raw in paths:
        path = Path(raw)
        info = _stat(path)
        if info is None:
            raise InputError(f"{path}: no such file or folder", hint="give flow JSON files, folders or .zip exports")
        if stat.S_ISDIR(info.st_mode):
            reader.folder(path)
        elif stat.S_ISREG(info.st_mode):
            reader.file(path, explicit=True)
        else:
            raise InputError(
                f"{path}: not a regular file or folder (a pipe, socket or device)",
                hint="save the flow to a file first, then give that file",
            )
    return FlowSet(tuple(reader.flows), tuple(reader.warnings))


def _stat(path: Path) -> os.stat_result | None:
    """``path``'s status (following links); None when it does not exist (or is a broken or
    looping link); :class:`InputError` when it cannot be reached for lack of permission."""
    try:
        return path.stat()
    except PermissionError:
        raise InputError(f"{path}: cannot read: permission denied", hint="check the permissions of it and its folders") from None
    except (OSError, ValueError):
        return None


def _list(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except PermissionError:
        raise InputError(f"{folder}: cannot read folder: permission denied",
                         hint="make it readable, or give the readable flow files and folders instead") from None
    except OSError as exc:
        raise InputError(f"{folder}: cannot read folder ({exc.strerror})") from None


def _unsafe_member(name: str) -> bool:
    """A zip member name that points outside the archive: absolute, a drive, or ``..``.

    >>> [_unsafe_member(n) for n in ("Workflows/a.json", "../../evil.json", "/abs/x.json", "C:/x", "a/../../b")]
    [False, True, True, True, True]
    """
    text = name.replace("\\", "/")
    return text.startswith("/") or bool(re.match(r"[A-Za-z]:", text)) or ".." in text.split("/")


def _size(count: int) -> str:
    return f"{count / _MB:.0f} MB" if count >= _MB else f"{count} bytes"


class _Budget:
    """How much may still be read from one zip or unpacked export (:data:`MAX_ZIP_BYTES`)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.left = MAX_ZIP_BYTES

    def limit(self, where: str) -> int:
        """The most one more member may hold; InputError when nothing is left."""
        if self.left <= 0:
            raise self.exceeded(where)
        return min(MAX_FILE_BYTES, self.left)

    def spend(self, count: int) -> None:
        self.left -= count

    def exceeded(self, where: str) -> InputError:
        return InputError(
            f"{where}: {self.label} expands to more than {_size(MAX_ZIP_BYTES)}, more than connver reads from one export",
            hint="this is not a flow export (a zip bomb?); export the flows again",
        )


def _too_large(where: str, size: int | None = None) -> InputError:
    shown = f"{_size(size)}, " if size is not None else ""
    return InputError(
        f"{where}: {shown}larger than the {_size(MAX_FILE_BYTES)} connver reads from one file",
        hint="this is not a flow definition (a zip bomb?); give the exported flow files instead",
    )


def _read_capped(stream: BinaryIO, limit: int, where: str, budget: _Budget | None) -> bytes:
    """At most ``limit`` bytes of ``stream``: the bytes, or InputError when there are more
    (sizes in headers can lie, so the count is of what was actually read)."""
    chunks: list[bytes] = []
    count = 0
    while count <= limit:
        chunk = stream.read(min(_MB, limit + 1 - count))
        if not chunk:
            break
        chunks.append(chunk)
        count += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        if budget is not None and limit < MAX_FILE_BYTES:
            raise budget.exceeded(where)
        raise _too_large(where)
    if budget is not None:
        budget.spend(len(data))
    return data


class _Reader:
    """Reads flows from files, folders and zips; remembers what it has read."""

    def __init__(self) -> None:
        self.flows: list[FlowUsage] = []
        self.warnings: list[str] = []
        self.seen: dict[Path, Path] = {}  # resolved path -> the path it was first read as

    def _first_visit(self, path: Path) -> bool:
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a link loop resolve() cannot untangle
            resolved = path.absolute()
        first = self.seen.get(resolved)
        if first is not None:
            what = "links to" if path.is_symlink() else "is the same as"
            self.warnings.append(f"{path}: {what} {first}, already read; skipped")
            return False
        self.seen[resolved] = path
        return True

    def folder(self, path: Path) -> None:
        if not self._first_visit(path):
            return
        if _is_unpacked_export(path):
            self.flows.extend(_read_unpacked(path, self.warnings))
            return
        for child in _list(path):
            info = _stat(child)
            if info is None:
                continue  # a broken symbolic link
            if stat.S_ISDIR(info.st_mode):
                self.folder(child)
            elif child.suffix.lower() in (".json", ".zip"):
                if not stat.S_ISREG(info.st_mode):
                    self.warnings.append(f"{child}: not a regular file (a pipe, socket or device); skipped")
                    continue
                before = len(self.flows)
                if self.file(child, explicit=False) and len(self.flows) == before:
                    self.warnings.append(f"{child}: no flow definition; skipped")

    def file(self, path: Path, *, explicit: bool) -> bool:
        """Read one file's flows; False when it was already read."""
        if not self._first_visit(path):
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(4)
                if path.suffix.lower() == ".zip" or head == b"PK\x03\x04":
                    handle.seek(0)
                    self.flows.extend(_read_zip(str(path), handle, self.warnings))
                    return True
                data = head + _read_capped(handle, MAX_FILE_BYTES - len(head), str(path), None)
        except OSError as exc:
            reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
            raise InputError(f"{path}: cannot read: {reason}", hint="check the file's permissions") from None
        found = extract_flows(_load(data, str(path)), name=_stem_name(path.name), source=str(path))
        if not found and explicit:
            raise InputError(f"{path}: not a flow definition (no triggers or actions found)")
        self.flows.extend(found)
        return True


def _is_unpacked_export(path: Path) -> bool:
    return any(
        info is not None and stat.S_ISDIR(info.st_mode)
        for info in (_stat(path / "Workflows"), _stat(path / "Microsoft.Flow" / "flows"))
    )


def _read_unpacked(path: Path, warnings: list[str]) -> list[FlowUsage]:
    """An unpacked solution or flow package: only the files a zip would be read for."""

    def is_file(p: Path) -> bool:
        info = _stat(p)
        return info is not None and stat.S_ISREG(info.st_mode)

    def is_dir(p: Path) -> bool:
        info = _stat(p)
        return info is not None and stat.S_ISDIR(info.st_mode)

    names = [child.name for child in _list(path) if is_file(child)]
    if is_dir(path / "Workflows"):
        names += [f"Workflows/{child.name}" for child in _list(path / "Workflows") if is_file(child)]
    flows_dir = path / "Microsoft.Flow" / "flows"
    if is_dir(flows_dir):
        names += [f"Microsoft.Flow/flows/{child.name}/definition.json"
                  for child in _list(flows_dir) if is_file(child / "definition.json")]
    budget = _Budget("the folder")

    def member(name: str) -> bytes:
        file = path / name
        try:
            with file.open("rb") as handle:
                return _read_capped(handle, budget.limit(str(file)), str(file), budget)
        except OSError as exc:
            reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
            raise InputError(f"{file}: cannot read: {reason}", hint="check the file's permissions") from None

    return _read_export(str(path), names, member, warnings, sep="/")


def _load(data: bytes, label: str) -> Any:
    value, _warnings = load_json(data, label)
    return value


#: What reading a damaged, encrypted or exotic zip can raise.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
               NotImplementedError, KeyError, zlib.error)


def _read_zip(label: str, handle: BinaryIO, warnings: list[str]) -> list[FlowUsage]:
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise InputError(f"{label}: not a readable zip file ({exc})", hint="export the flows again") from None
    members: dict[str, zipfile.ZipInfo] = {}
    unsafe: list[str] = []
    for info in infos:
        if _unsafe_member(info.filename):
            unsafe.append(info.filename)
        elif not info.is_dir():
            members.setdefault(info.filename, info)
    if unsafe:
        more = f" and {len(unsafe) - 1} more" if len(unsafe) > 1 else ""
        warnings.append(f"{label}: member {unsafe[0]!r}{more} points outside the archive; skipped "
                        "(connver only reads zip members, it never extracts them)")
    budget = _Budget("the zip")

    def member(name: str) -> bytes:
        info = members[name]
        where = f"{label}!{name}"
        if info.file_size > MAX_FILE_BYTES:
            raise _too_large(where, info.file_size)
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{where}: expands {info.file_size // max(info.compress_size, 1)} times "
                f"(from {_size(info.compress_size)} to {_size(info.file_size)}), more than a flow export ever does",
                hint="this is not a flow export (a zip bomb?); export the flows again",
            )
        if info.file_size > budget.left:
            raise budget.exceeded(where)
        try:
            with archive.open(info) as stream:
                return _read_capped(stream, budget.limit(where), where, budget)
        except InputError:
            raise
        except RuntimeError as exc:
            if "encrypt" in str(exc).lower():
                raise InputError(f"{where}: the member is encrypted", hint="export the flows again without a password") from None
            raise InputError(f"{where}: cannot read the member from the zip ({exc})", hint="export the flows again") from None
        except _ZIP_ERRORS as exc:
            raise InputError(f"{where}: cannot read the member from the zip ({exc})", hint="export the flows again") from None

    return _read_export(label, list(members), member, warnings, sep="!")


def _read_export(
    label: str, names: list[str], member: Callable[[str], bytes], warnings: list[str], *, sep: str
) -> list[FlowUsage]:
    """A solution (``Workflows/*.json``) or legacy flow package, zipped or unpacked."""
    workflows = sorted(n for n in names if _is_solution_workflow(n))
    if workflows:
        xml = next((n for n in names if n.lower() == "customizations.xml"), None)
        display = _solution_display_names(member(xml)) if xml else {}
        flows: list[FlowUsage] = []
        for name in workflows:
            source = f"{label}{sep}{name}"
            file_name = PurePosixPath(name).name
            fallback = display.get(file_name.lower()) or _stem_name(file_name)
            found = extract_flows(_load(member(name), source), name=fallback, source=source)
            if not found:
                warnings.append(f"{source}: no flow definition; skipped")
            flows.extend(found)
        return flows

    definitions = sorted(n for n in names if re.fullmatch(r"Microsoft\.Flow/flows/[^/]+/definition\.json", n))
    if definitions:
        manifest = _load(member("manifest.json"), f"{label}{sep}manifest.json") if "manifest.json" in names else {}
        resources = manifest.get("resources", {}) if isinstance(manifest, dict) else {}
        package_name = _dig(manifest, "details", "displayName")
        flows = []
        for name in definitions:
            source = f"{label}{sep}{name}"
            folder = name.split("/")[2]
            resource = resources.get(folder) if isinstance(resources, dict) else None
            fallback = _dig(resource, "details", "displayName") or package_name or folder
            found = extract_flows(_load(member(name), source), name=fallback, source=source)
            if not found:
                warnings.append(f"{source}: no flow definition; skipped")
            flows.extend(found)
        return flows

    raise InputError(
        f"{label}: neither a solution (Workflows/*.json) nor a flow package (Microsoft.Flow/flows/*/definition.json)"
    )


def _is_solution_workflow(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and parts[0].lower() == "workflows" and parts[1].lower().endswith(".json")


def _solution_display_names(xml: bytes) -> dict[str, str]:
    """``customizations.xml``: workflow JSON file name (lowercased) -> the flow's ``Name``."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return {}
    names: dict[str, str] = {}
    for workflow in root.iter():
        if not workflow.tag.endswith("Workflow"):
            continue
        json_file = next((c.text for c in workflow if c.tag.endswith("JsonFileName") and c.text), None)
        name = workflow.get("Name")
        if json_file and name:
            names[PurePosixPath(json_file.strip()).name.lower()] = name
    return names


_GUID_SUFFIX = re.compile(r"-[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def _stem_name(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return _GUID_SUFFIX.sub("", stem) or stem


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# --------------------------------------------------------------------------- documents


def extract_flows(document: Any, *, name: str, source: str) -> list[FlowUsage]:
    """The flows held in one parsed JSON document.

    Recognised shapes: a solution workflow or legacy ``definition.json``
    (``properties.definition``), Logic Apps code view (``definition``), a bare definition
    (``triggers`` / ``actions``) and an ARM template of ``Microsoft.Logic/workflows``.
    """
    if not isinstance(document, dict):
        return []
    if isinstance(document.get("resources"), list):  # ARM template
        flows = []
        for resource in document["resources"]:
            if isinstance(resource, dict) and str(resource.get("type", "")).lower() == "microsoft.logic/workflows":
                props = resource.get("properties") or {}
                label = resource.get("name") if isinstance(resource.get("name"), str) else name
                flows.extend(_flow_from(props, props.get("definition"), label, source, outer=props))
        if flows:
            return flows
    props = document.get("properties")
    if isinstance(props, dict) and isinstance(props.get("definition"), dict):
        return _flow_from(props, props["definition"], name, source, outer=document)
    if isinstance(document.get("definition"), dict):
        return _flow_from(document, document["definition"], name, source, outer=document)
    if "triggers" in document or "actions" in document:
        return _flow_from({}, document, name, source, outer=document)
    return []


def _flow_from(props: dict, definition: Any, name: str, source: str, *, outer: dict) -> list[FlowUsage]:
    if not isinstance(definition, dict) or not ("triggers" in definition or "actions" in definition):
        return []
    display = props.get("displayName") if isinstance(props.get("displayName"), str) else None
    connections = _connection_apis(props, definition, outer)
    steps = _Extractor(display or name, definition, connections).run()
    return [FlowUsage(display or name, source, tuple(steps))]


def _connection_apis(props: dict, definition: dict, outer: dict) -> dict[str, str]:
    """Connection (reference) name -> api name, from every place exports keep them."""
    apis: dict[str, str] = {}
    refs = props.get("connectionReferences")
    if isinstance(refs, dict):
        for key, ref in refs.items():
            if not isinstance(ref, dict):
                continue
            api = _dig(ref, "api", "name") or ref.get("apiName") or ref.get("id") or _dig(ref, "api", "id")
            if isinstance(api, str) and api:
                apis[key.lower()] = api
    for holder in (
        _dig(definition, "parameters", "$connections", "defaultValue"),
        _dig(props, "parameters", "$connections", "value"),
        _dig(outer, "parameters", "$connections", "value"),
    ):
        if isinstance(holder, dict):
            for key, value in holder.items():
                api = value.get("id") if isinstance(value, dict) else None
                if isinstance(api, str) and api:
                    apis.setdefault(key.lower(), api)
    return apis


# --------------------------------------------------------------------------- steps


_CONNECTOR_TYPES = {t.value.lower(): t for t in StepType}
_CONNECTION_KEY = re.compile(r"\$connections'\)\s*\[\s*'([^']+)'\s*\]")


@dataclass
class _Step:
    name: str
    step_type: StepType
    api: str
    trigger: bool
    operation_id: str | None
    method: str | None
    path: str | None
    parameters: set[str]
    body_fields: set[str]
    reads: set[OutputRead] = field(default_factory=set)


class _Extractor:
    """Walks one definition: connector steps first, then every expression for output reads."""

    def __init__(self, flow: str, definition: dict, connections: dict[str, str]) -> None:
        self.flow = flow
        self.definition = definition
        self.connections = connections
        self.steps: dict[str, _Step] = {}  # lowercased step name -> step
        self.trigger: _Step | None = None
        self.trigger_prefix: tuple[str, ...] = ()

    def run(self) -> list[StepUsage]:
        triggers = self.definition.get("triggers")
        if isinstance(triggers, dict):
            for name, trigger in triggers.items():
                if isinstance(trigger, dict):
                    step = self._step(name, trigger, trigger=True)
                    if step is not None:
                        self.trigger = step
        for name, action in _walk_actions(self.definition.get("actions")):
            self._step(name, action, trigger=False)

        if isinstance(triggers, dict):
            for trigger in triggers.values():
                if isinstance(trigger, dict) and isinstance(trigger.get("splitOn"), str):
                    ref = _parse_ref(trigger["splitOn"], {}, ())
                    if ref is not None and ref[0] is _TRIGGER:
                        self.trigger_prefix = ref[1] + ("items",)
                        self._record(_TRIGGER, ref[1], ReadKind.ITERATE)
            for trigger in triggers.values():
                if isinstance(trigger, dict):
                    self._scan({k: v for k, v in trigger.items() if k != "splitOn"}, ())
        self._scan_actions(self.definition.get("actions"), ())
        self._scan(self.definition.get("outputs"), ())

        return [
            StepUsage(
                flow=self.flow,
                step=s.name,
                step_type=s.step_type,
                api=s.api,
                trigger=s.trigger,
                operation_id=s.operation_id,
                method=s.method,
                path=s.path,
                parameters=tuple(sorted(s.parameters)),
                body_fields=tuple(sorted(s.body_fields)),
                reads=tuple(sorted(s.reads)),
            )
            for s in self.steps.values()
        ]

    # -- connector steps

    def _step(self, name: str, node: dict, *, trigger: bool) -> _Step | None:
        step_type = _CONNECTOR_TYPES.get(str(node.get("type", "")).lower())
        if step_type is None:
            return None
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        host = inputs.get("host") if isinstance(inputs.get("host"), dict) else {}
        if step_type.binds_by_path:
            step = _Step(
                name, step_type, self._api_of_connection(host), trigger, None,
                str(inputs.get("method") or "").lower() or None,
                inputs.get("path") if isinstance(inputs.get("path"), str) else None,
                {k for section in ("queries", "headers") for k in _keys(inputs.get(section))},
                set(_body_paths(inputs["body"])) if "body" in inputs else set(),
            )
        else:
            operation_id = host.get("operationId") if isinstance(host.get("operationId"), str) else None
            step = _Step(
                name, step_type, self._api_of_host(host), trigger, operation_id, None, None,
                set(_parameter_keys(inputs.get("parameters"))), set(),
            )
        self.steps[name.lower()] = step
        return step

    def _api_of_host(self, host: dict) -> str:
        api_id = host.get("apiId")
        if isinstance(api_id, str) and api_id:
            return api_id
        connection = host.get("connectionName") or _dig(host, "connection", "referenceName") or _dig(host, "connection", "name")
        if isinstance(connection, str) and connection:
            return self.connections.get(connection.lower(), connection)
        return ""

    def _api_of_connection(self, host: dict) -> str:
        reference = _dig(host, "connection", "referenceName")
        name = _dig(host, "connection", "name")
        key = reference if isinstance(reference, str) else None
        if key is None and isinstance(name, str):
            match = _CONNECTION_KEY.search(name)
            key = match.group(1) if match else name
        if not key:
            return ""
        return self.connections.get(key.lower(), key)

    # -- output reads

    def _scan_actions(self, actions: Any, loops: tuple) -> None:
        if not isinstance(actions, dict):
            return
        for name, action in actions.items():
            if not isinstance(action, dict):
                continue
            inner_loops = loops
            kind = str(action.get("type", "")).lower()
            if kind == "foreach" and isinstance(action.get("foreach"), str):
                binding = self._iterate(action["foreach"], loops)
                inner_loops = loops + ((name.lower(), binding),)
                rest = {k: v for k, v in action.items() if k not in ("foreach", "actions")}
                self._scan(rest, loops)
            elif kind in ("query", "select", "table") and isinstance(action.get("inputs"), dict):
                inputs = action["inputs"]
                binding = self._iterate(inputs.get("from"), loops) if isinstance(inputs.get("from"), str) else None
                rest = {k: v for k, v in inputs.items() if k != "from"}
                self._scan(rest, loops + ((name.lower(), binding),))
                self._scan({k: v for k, v in action.items() if k not in ("inputs", "actions")}, loops)
            else:
                self._scan({k: v for k, v in action.items() if k not in ("actions", "else", "cases", "default")}, loops)
            self._scan_actions(action.get("actions"), inner_loops)
            self._scan_actions(_dig(action, "else", "actions"), loops)
            self._scan_actions(_dig(action, "default", "actions"), loops)
            cases = action.get("cases")
            if isinstance(cases, dict):
                for case in cases.values():
                    self._scan_actions(_dig(case, "actions"), loops)

    def _iterate(self, expression: str, loops: tuple) -> tuple | None:
        ref = _parse_ref(expression, dict(loops), self.trigger_prefix)
        if ref is None:
            return None
        self._record(ref[0], ref[1], ReadKind.ITERATE)
        return (ref[0], ref[1] + ("items",))

    def _scan(self, node: Any, loops: tuple) -> None:
        if isinstance(node, str):
            if "(" in node:
                for target, path in _find_refs(node, dict(loops), self.trigger_prefix):
                    self._record(target, path, ReadKind.FIELD)
        elif isinstance(node, dict):
            for value in node.values():
                self._scan(value, loops)
        elif isinstance(node, list):
            for value in node:
                self._scan(value, loops)

    def _record(self, target: Any, path: tuple[str, ...], kind: ReadKind) -> None:
        step = self.trigger if target is _TRIGGER else self.steps.get(str(target).lower())
        if step is not None:
            step.reads.add(OutputRead("/".join(path), kind))


def _walk_actions(actions: Any) -> Iterator[tuple[str, dict]]:
    """Every action at any depth: Scope/Foreach/Until/If (actions, else) and Switch cases."""
    if not isinstance(actions, dict):
        return
    for name, action in actions.items():
        if not isinstance(action, dict):
            continue
        yield name, action
        yield from _walk_actions(action.get("actions"))
        yield from _walk_actions(_dig(action, "else", "actions"))
        yield from _walk_actions(_dig(action, "default", "actions"))
        cases = action.get("cases")
        if isinstance(cases, dict):
            for case in cases.values():
                yield from _walk_actions(_dig(case, "actions"))


def _keys(value: Any) -> list[str]:
    return [k for k in value] if isinstance(value, dict) else []


def _parameter_keys(parameters: Any) -> Iterator[str]:
    """Flat parameter keys; an object value also yields ``key/sub`` for each nested key."""
    if not isinstance(parameters, dict):
        return
    for key, value in parameters.items():
        yield key
        yield from (f"{key}/{sub}" for sub in _object_paths(value))


def _body_paths(body: Any) -> list[str]:
    return [""] + list(_object_paths(body))


def _object_paths(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from (f"{key}/{sub}" for sub in _object_paths(inner))


# --------------------------------------------------------------------------- expressions

_TRIGGER = object()  # reads of the flow's trigger

_REF = re.compile(
    r"(?P<wrap>\b(?:first|last)\(\s*)?"
    r"\b(?P<fn>body|outputs|items|triggerBody|triggerOutputs|item)\(\s*(?:'(?P<arg>(?:[^']|'')*)')?\s*\)",
    re.IGNORECASE,
)
_ACCESSOR = re.compile(r"\s*\??\s*(?:\[\s*(?:'(?P<key>(?:[^']|'')*)'|(?P<index>\d+))\s*\]|\.(?P<prop>[A-Za-z_]\w*))")


def _chain(text: str, pos: int) -> tuple[list[str], int]:
    segments: list[str] = []
    while True:
        match = _ACCESSOR.match(text, pos)
        if not match:
            return segments, pos
        if match.group("index") is not None:
            segments.append("\0index")
        else:
            segments.append((match.group("key") if match.group("key") is not None else match.group("prop")).replace("''", "'"))
        pos = match.end()


def _find_refs(text: str, loops: dict, trigger_prefix: tuple) -> Iterator[tuple[Any, tuple[str, ...]]]:
    for match in _REF.finditer(text):
        resolved = _resolve(match, text, loops, trigger_prefix)
        if resolved is not None:
            yield resolved


def _parse_ref(expression: str, loops: dict, trigger_prefix: tuple) -> tuple[Any, tuple[str, ...]] | None:
    """The single output reference an iteration source names (``@body('X')?['value']``)."""
    match = _REF.search(expression)
    return _resolve(match, expression, loops, trigger_prefix) if match else None


def _resolve(match: re.Match, text: str, loops: dict, trigger_prefix: tuple) -> tuple[Any, tuple[str, ...]] | None:
    fn = match.group("fn").lower()
    arg = (match.group("arg") or "").replace("''", "'")
    segments, end = _chain(text, match.end())
    if match.group("wrap"):
        close = re.match(r"\s*\)", text[end:])
        if close:  # first(ref[...]) / last(ref[...]): one element of the array, then more accessors
            more, _ = _chain(text, end + close.end())
            segments = segments + ["\0index"] + more

    if fn == "body":
        target, base = arg, ()
    elif fn == "outputs":
        if not segments:
            target, base = arg, ()
        else:
            head = segments[0].split("/")
            if head[0] != "body":
                return None  # headers, statusCode
            target, base, segments = arg, (), [p for p in head[1:] if p] + segments[1:]
    elif fn == "triggerbody":
        target, base = _TRIGGER, trigger_prefix
    elif fn == "triggeroutputs":
        if not segments:
            return (_TRIGGER, trigger_prefix)
        head = segments[0].split("/")
        if head[0] != "body":
            return None
        target, base, segments = _TRIGGER, trigger_prefix, [p for p in head[1:] if p] + segments[1:]
    elif fn in ("items", "item"):
        key = arg.lower() if fn == "items" else (next(reversed(loops)) if loops else None)
        binding = loops.get(key) if key is not None else None
        if binding is None:
            return None
        target, base = binding
    else:  # pragma: no cover - the regex admits nothing else
        return None
    path = tuple(base) + tuple("items" if s == "\0index" else s for s in segments)
    return (target, path)
