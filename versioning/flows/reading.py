"""Reading flows from files, folders, solution and flow-package zips, within size budgets."""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterable
from xml.etree import ElementTree

from ..errors import InputError
from ..jsontext import load_json
from .extract import _dig, extract_flows
from .model import FlowSet, FlowUsage


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
    if is_dir(path / "Other"):  # pac solution unpack keeps customizations.xml there
        names += [f"Other/{child.name}" for child in _list(path / "Other") if is_file(child)]
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
        xml = next((n for n in names if n.lower() in ("customizations.xml", "other/customizations.xml")), None)
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
