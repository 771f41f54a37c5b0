"""Connectors kept in Dataverse solutions: unpacked folders and solution ``.zip`` files.

A solution holds each custom connector as a set of files named after the connector's
schema name (``contoso_5Fdemo``): ``<name>_openapidefinition.json`` (the swagger),
``<name>_connectionparameters.json`` (the ``connectionParameters`` object),
``<name>_connectionparametersets.json``, ``<name>_policytemplateinstances.json`` (the
policy list), ``<name>_customcodeblobcontent.csx`` (the script) and ``<name>_iconblob.*``,
in ``Connector/`` (an exported .zip) or ``Connectors/`` (``pac solution unpack``), with a
``<Connector>`` entry in ``customizations.xml`` (``Other/Customizations.xml`` unpacked)
that holds the display name, the icon brand colour and the capabilities. (Reading the files
from a folder or a .zip is :mod:`versioning.sources`' job; this module maps them.)

:func:`solution_source` maps them onto the paconn form (``apiDefinition.swagger.json``,
an ``apiProperties.json`` assembled from the parts, ``script.csx``, ``icon.png``), so both
forms of one connector are the same connector; the solution's own files are kept in
:attr:`SourceFiles.raw` (keyed by their path inside the solution) for the store.
See docs/solutions.md.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Mapping

from .errors import InputError, SourceNotFoundError
from .jsontext import load_json
from .sourcefiles import ICON_NAME, PROPERTIES_NAME, SCRIPT_NAME, SPEC_SEPARATOR, SWAGGER_NAMES, SourceFiles, split_spec

__all__ = ["SolutionConnector", "is_solution_folder", "is_solution_member", "looks_like_solution", "pick_connector",
           "solution_connectors", "solution_part", "solution_source", "split_spec"]

#: The folders a solution keeps connectors in: ``Connector`` in an exported .zip,
#: ``Connectors`` after ``pac solution unpack`` (either is accepted in both, in any case).
CONNECTOR_FOLDERS = ("connectors", "connector")
#: ``customizations.xml`` at the root (a .zip) or in ``Other/`` (unpacked).
CUSTOMIZATIONS = ("customizations.xml", "other/customizations.xml")
#: File-name endings of a connector's parts (lower case) -> the part.
PART_SUFFIXES = {
    "_openapidefinition.json": "swagger",
    "_connectionparameters.json": "connectionParameters",
    "_connectionparametersets.json": "connectionParameterSets",
    "_policytemplateinstances.json": "policyTemplateInstances",
    "_customcodeblobcontent.csx": "script",
}
_ICON = re.compile(r"^(?P<name>.+)_iconblob(\.[A-Za-z0-9]+)?$", re.IGNORECASE)
#: The ``<Connector>`` elements read from customizations.xml -> apiProperties key.
_XML_PROPERTIES = {"iconbrandcolor": "iconBrandColor", "capabilities": "capabilities"}


@dataclass(frozen=True)
class SolutionConnector:
    """One connector of a solution: its schema name, display name and file paths by part."""

    name: str
    display_name: str | None
    parts: Mapping[str, str]  # part -> path inside the solution
    entry: Mapping[str, str]  # the <Connector> entry's child elements (lower-case tag -> text)


def is_solution_member(path: str) -> bool:
    """Whether a path inside a solution is one of a connector's files (or customizations.xml).

    >>> [is_solution_member(p) for p in ("Connectors/x_openapidefinition.json", "Other/Customizations.xml", "a.json")]
    [True, True, False]
    """
    lower = path.replace("\\", "/").lower()
    if lower in CUSTOMIZATIONS:
        return True
    parts = lower.split("/")
    return len(parts) == 2 and parts[0] in CONNECTOR_FOLDERS and solution_part(parts[1]) is not None


def solution_part(file_name: str) -> tuple[str, str] | None:
    """(connector name, part) for a connector file name, else None."""
    lower = file_name.lower()
    for suffix, part in PART_SUFFIXES.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return file_name[: -len(suffix)], part
    match = _ICON.match(file_name)
    return (match["name"], "icon") if match else None


def is_solution_folder(path: Path) -> bool:
    """A solution's root (with ``Connectors/`` or ``Connector/``) or a connector folder of one
    (holding ``*_openapidefinition.json`` files)."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    if any(n.lower() in CONNECTOR_FOLDERS and (path / n).is_dir() for n in names):
        return True
    return any(n.lower().endswith("_openapidefinition.json") for n in names)


# --------------------------------------------------------------------------- connectors


def solution_connectors(members: Mapping[str, bytes], label: str) -> list[SolutionConnector]:
    """The connectors of a solution, by schema name (the prefix of their files' names);
    customizations.xml adds each one's ``<Connector>`` entry (display name, colour...)."""
    entries = _xml_entries(members, label)
    found: dict[str, dict[str, str]] = {}
    for path in sorted(members):
        parts = path.split("/")
        got = solution_part(parts[-1]) if len(parts) <= 2 and path.lower() not in CUSTOMIZATIONS else None
        if got is None:
            continue
        name, part = got
        found.setdefault(name, {}).setdefault(part, path)
    connectors = []
    for name, parts in found.items():
        entry = next((e for key, e in entries.items() if key.lower() == name.lower()), {})
        connectors.append(SolutionConnector(name, entry.get("displayname"), parts, entry))
    return [c for c in connectors if "swagger" in c.parts] or connectors


def _customizations(members: Mapping[str, bytes]) -> tuple[str, bytes] | None:
    return next(((k, v) for k, v in members.items() if k.lower() in CUSTOMIZATIONS), None)


def _xml_entries(members: Mapping[str, bytes], label: str) -> dict[str, dict[str, str]]:
    """customizations.xml's ``<Connector>`` entries: schema name -> {lower-case tag: text}."""
    found = _customizations(members)
    if found is None:
        return {}
    path, data = found
    from xml.etree import ElementTree  # imported here: only solutions hold XML

    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise InputError(f"{label}/{path}:{line}:{column + 1}: not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})",
                         hint="export or unpack the solution again") from None
    entries: dict[str, dict[str, str]] = {}
    for element in root.iter():
        if _local(element.tag) != "connector":
            continue
        fields = {_local(child.tag): (child.text or "").strip() for child in element}
        name = fields.get("name")
        if name:
            entries[name] = fields
    return entries


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def pick_connector(connectors: list[SolutionConnector], name: str | None, label: str) -> SolutionConnector:
    """The connector ``name`` names (schema name or display name, any case); the only one when
    ``name`` is None; otherwise :class:`InputError` listing them."""
    if not connectors:
        raise SourceNotFoundError(f"{label}: a solution with no connector (no *_openapidefinition.json)",
                                  hint="give a solution that holds a custom connector")
    listed = ", ".join(c.name for c in connectors)
    if name is None:
        if len(connectors) == 1:
            return connectors[0]
        raise InputError(f"{label}: the solution holds {len(connectors)} connectors ({listed}); pick one",
                         hint=f"give {label}{SPEC_SEPARATOR}NAME, for example {label}{SPEC_SEPARATOR}{connectors[0].name}")
    wanted = name.lower()
    for test in (lambda c: c.name.lower() == wanted, lambda c: (c.display_name or "").lower() == wanted):
        matches = [c for c in connectors if test(c)]
        if len(matches) == 1:
            return matches[0]
    raise SourceNotFoundError(f"{label}: no connector {name!r} in the solution (it holds {listed})",
                              hint=f"give {label}{SPEC_SEPARATOR}NAME with one of those names")


def solution_source(label: str, members: Mapping[str, bytes], name: str | None = None, *,
                    kind: str = "solution", meta: Mapping[str, str] | None = None) -> SourceFiles:
    """One connector of a solution, mapped onto the paconn form (see the module's text)."""
    connector = pick_connector(solution_connectors(members, label), name, label)
    parts = connector.parts
    if "swagger" not in parts:
        raise SourceNotFoundError(f"{label}: connector {connector.name} has no {connector.name}_openapidefinition.json")
    files: dict[str, bytes] = {SWAGGER_NAMES[0]: members[parts["swagger"]]}
    properties: dict[str, Any] = {}
    for part in ("connectionParameters", "connectionParameterSets", "policyTemplateInstances"):
        if part in parts:
            value, _warnings = load_json(members[parts[part]], f"{label}/{parts[part]}")
            properties[part] = value
    for tag, key in _XML_PROPERTIES.items():
        text = connector.entry.get(tag)
        if text:
            properties[key] = _capabilities(text) if key == "capabilities" else text
    if properties:
        files[PROPERTIES_NAME] = (json.dumps({"properties": properties}, indent=2, ensure_ascii=False) + "\n").encode()
    if "script" in parts:
        files[SCRIPT_NAME] = members[parts["script"]]
    if "icon" in parts:
        files[ICON_NAME] = members[parts["icon"]]
    raw = {path: members[path] for path in parts.values()}
    xml = _customizations(members)
    if xml is not None:
        raw[xml[0]] = xml[1]
    info = dict(meta or {})
    info.update({"form": "solution", "connector": connector.name})
    if connector.display_name:
        info["displayName"] = connector.display_name
    if connector.entry.get("connectorid"):
        info["connectorId"] = connector.entry["connectorid"]
    info[f"file:{SWAGGER_NAMES[0]}"] = parts["swagger"]
    for paconn, part in ((SCRIPT_NAME, "script"), (ICON_NAME, "icon"), (PROPERTIES_NAME, "connectionParameters")):
        if part in parts:
            info[f"file:{paconn}"] = parts[part]
    for part in ("connectionParameters", "connectionParameterSets", "policyTemplateInstances"):
        if part in parts:  # where each part of apiProperties.json is kept: file:apiProperties.json#PART
            info[f"file:{PROPERTIES_NAME}#{part}"] = parts[part]
    shown = f"{label}{SPEC_SEPARATOR}{connector.name}" if name is not None else label
    return SourceFiles(label=shown, files=files, kind=kind, meta=info, raw=raw)


def _capabilities(text: str) -> Any:
    """``<capabilities>``: a JSON list (``["actions"]``) or a comma-separated one."""
    try:
        value = json.loads(text)
    except ValueError:
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def looks_like_solution(files: Mapping[str, bytes]) -> bool:
    """Whether a set of stored files is a solution connector's (a snapshot of one).

    >>> looks_like_solution({"Connectors/x_openapidefinition.json": b"{}"})
    True
    """
    return any(name.lower().endswith("_openapidefinition.json") for name in files)


# --------------------------------------------------------------------------- writing back

#: apiProperties.json keys a solution keeps in a file of its own -> that file's name ending.
PART_FILES = {part: suffix for suffix, part in PART_SUFFIXES.items() if part not in ("swagger", "script")}
#: apiProperties.json keys a solution keeps in its customizations.xml entry.
XML_KEYS = {key: tag for tag, key in _XML_PROPERTIES.items()}


def unmapped_properties(properties: Mapping[str, Any]) -> list[str]:
    """apiProperties.json keys a solution has no place for (publisher, stackOwner...).

    >>> unmapped_properties({"connectionParameters": {}, "publisher": "x", "iconBrandColor": "#fff"})
    ['publisher']
    """
    return sorted(k for k in properties if k not in PART_FILES and k not in XML_KEYS)


def to_solution_files(merged: Mapping[str, bytes], fork: SourceFiles,
                      notes: list[str] | None = None) -> tuple[dict[str, bytes], list[str]]:
    """A merge result in paconn form (``merged``) written back in the layout of ``fork``, a
    solution connector: (files by path inside the solution, paths of the fork's files that
    the result no longer has).

    Every file keeps the solution's name and formatting: a part whose value did not change
    keeps its bytes; a changed one is rewritten like the fork's file (new parts like the
    fork's definition); the display colour and capabilities are edited in place in the
    connector's ``<Connector>`` entry, every other byte of customizations.xml kept. A part
    file with comments or trailing commas is edited in place; one whose text cannot be
    followed is written normalised, and a line saying so is added to ``notes``.
    """
    from .jsontext import detect_style, dump_styled, rewrite_like

    name = fork.meta["connector"]
    raw = fork.raw
    parts = {part: path for path in raw for got in [solution_part(PurePath(path).name)] if got
             for part in [got[1]]}
    folder = PurePath(parts["swagger"]).parent.as_posix()
    files: dict[str, bytes] = {}
    removed: list[str] = []
    files[parts["swagger"]] = merged[SWAGGER_NAMES[0]]
    style = detect_style(raw[parts["swagger"]])
    properties: dict[str, Any] = {}
    if PROPERTIES_NAME in merged:
        doc, _ = load_json(merged[PROPERTIES_NAME], PROPERTIES_NAME)
        properties = doc.get("properties") or {} if isinstance(doc, dict) else {}
    for key, suffix in PART_FILES.items():
        path = parts.get(key) or f"{folder}/{name}{suffix}"
        if key not in properties:
            if key in parts:
                removed.append(path)
            continue
        value = properties[key]
        if key in parts:
            old, _ = load_json(raw[path], path)
            if _same(old, value):
                files[path] = raw[path]
            else:
                rewrite = rewrite_like(value, raw[path], old)
                files[path] = rewrite.data
                if rewrite.normalised and notes is not None:
                    notes.append(f"{path}: written normalised, its comments and trailing commas are lost "
                                 f"(its text could not be edited: {rewrite.normalised})")
        else:
            files[path] = dump_styled(value, style)
    for paconn, part, suffix in ((SCRIPT_NAME, "script", "_customcodeblobcontent.csx"), (ICON_NAME, "icon", "_iconblob.png")):
        path = parts.get(part) or f"{folder}/{name}{suffix}"
        if paconn in merged:
            files[path] = merged[paconn]
        elif part in parts:
            removed.append(path)
    xml = _customizations(raw)
    if xml is not None:
        files[xml[0]] = _edit_entry(xml[1], name, {XML_KEYS[k]: properties.get(k) for k in XML_KEYS})
    return files, removed


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


def _edit_entry(xml: bytes, name: str, values: Mapping[str, Any]) -> bytes:
    """customizations.xml with the ``<Connector>`` entry of ``name`` holding ``values``
    (tag -> value; None leaves the element as it is): only those elements' text changes."""
    text = xml.decode("utf-8-sig")
    bom = "\ufeff" if xml.startswith(b"\xef\xbb\xbf") else ""
    for match in re.finditer(r"<Connector>.*?</Connector>", text, re.DOTALL):
        entry = match.group(0)
        if not re.search(rf"<name>\s*{re.escape(name)}\s*</name>", entry, re.IGNORECASE):
            continue
        new = entry
        for tag, value in values.items():
            if value is None:
                continue
            shown = json.dumps(value) if isinstance(value, list) else str(value)
            escaped = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            element = re.compile(rf"(<{tag}>)(.*?)(</{tag}>)", re.DOTALL | re.IGNORECASE)
            found = element.search(new)
            if found:
                current = found.group(2).strip()
                if current == escaped or (tag == "capabilities" and _capabilities(_unescape(current)) == value):
                    continue
                new = new[:found.start(2)] + escaped + new[found.end(2):]
            else:  # not there yet: a new element before the entry's end, indented like its last one
                indent = re.search(r"\n([ \t]*)<[^/][^\n]*\n([ \t]*)</Connector>$", new)
                inner, outer = (indent.group(1), indent.group(2)) if indent else ("  ", "")
                new = new[: -len("</Connector>")].rstrip(" \t") + f"{inner}<{tag}>{escaped}</{tag}>\n{outer}</Connector>"
        text = text[:match.start()] + new + text[match.end():]
        break
    return (bom + text).encode("utf-8")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
