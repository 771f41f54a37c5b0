"""The bytes of one connector, as read from any source."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

#: File names that make up a connector folder, in the order they are shown.
SWAGGER_NAMES = ("apiDefinition.swagger.json", "apiDefinition.json")
PROPERTIES_NAME = "apiProperties.json"
SETTINGS_NAME = "settings.json"
SCRIPT_NAME = "script.csx"
ICON_NAME = "icon.png"
CONNECTOR_FILES = SWAGGER_NAMES + (PROPERTIES_NAME, SETTINGS_NAME, SCRIPT_NAME, ICON_NAME)
#: Any other file whose name ends so is a swagger too (``De-Lijn-Zoek.swagger.json``, a
#: lower-case ``apidefinition.swagger.json``): read, with a warning that names it.
OTHER_SWAGGER_SUFFIX = ".swagger.json"
#: ``SOLUTION::NAME``: one connector of a Dataverse solution (see :mod:`connver.solution`).
SPEC_SEPARATOR = "::"


def is_swagger_name(name: str) -> bool:
    """Whether a file name is a connector's swagger: a standard name or ``*.swagger.json``.

    >>> [is_swagger_name(n) for n in ("apiDefinition.json", "De-Lijn-Zoek.swagger.json", "x.schema.json")]
    [True, True, False]
    """
    return name in SWAGGER_NAMES or name.lower().endswith(OTHER_SWAGGER_SUFFIX)


def split_spec(spec: str) -> tuple[str, str | None]:
    """``SOLUTION::NAME`` -> (SOLUTION, NAME); anything else -> (spec, None).

    >>> split_spec("solution.zip::contoso_5Fdemo")
    ('solution.zip', 'contoso_5Fdemo')
    >>> split_spec("master:path")
    ('master:path', None)
    """
    if SPEC_SEPARATOR in spec:
        where, _, name = spec.rpartition(SPEC_SEPARATOR)
        if where and name:
            return where, name
    return spec, None


_OTHER_CASES = frozenset(name.lower() for name in CONNECTOR_FILES if name not in SWAGGER_NAMES)


def is_connector_file_name(name: str) -> bool:
    """Whether :func:`connector_file_names` may read a file of this name (``Script.csx`` and
    ``De-Lijn-Zoek.swagger.json`` too).

    >>> [is_connector_file_name(n) for n in ("apiProperties.json", "Icon.PNG", "x.swagger.json", "apidefinition.json", "x.md")]
    [True, True, True, False, False]
    """
    return name in CONNECTOR_FILES or name.lower() in _OTHER_CASES or is_swagger_name(name)


def connector_file_names(names: Iterable[str]) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """``{name read as: name in the folder}`` for the connector files among ``names``, and a
    ``(name in the folder, warning)`` note for each one not found under its standard name.
    This is the one place that says which files of a folder make up a connector; every reader
    (folders, ``REV:PATH``, audit, import, changelog) asks it.

    - A folder made on Windows or macOS may hold ``Script.csx`` or ``ApiProperties.json``:
      paconn reads them there, and a change to one is a change to the connector, so it is read
      under the standard name (and said). An exact name always wins over a case variant.
    - With neither ``apiDefinition.swagger.json`` nor ``apiDefinition.json``, another
      ``*.swagger.json`` is the definition (``De-Lijn-Zoek.swagger.json``, a lower-case
      ``apidefinition.swagger.json``, a typo'd ``apiDefination.swagger.json``: four folders
      of the public repository), read under its own name; with several, the first by name,
      and the others are said to be ignored.

    >>> connector_file_names(["apiDefinition.swagger.json", "Script.csx", "icon.png", "Readme.md"])[0]
    {'apiDefinition.swagger.json': 'apiDefinition.swagger.json', 'script.csx': 'Script.csx', 'icon.png': 'icon.png'}
    >>> connector_file_names(["script.csx", "Script.csx"])
    ({'script.csx': 'script.csx'}, ())
    >>> found, notes = connector_file_names(["apiProperties.json", "De-Lijn-Zoek.swagger.json"])
    >>> found, [name for name, _ in notes]
    ({'apiProperties.json': 'apiProperties.json', 'De-Lijn-Zoek.swagger.json': 'De-Lijn-Zoek.swagger.json'}, ['De-Lijn-Zoek.swagger.json'])
    """
    present = sorted(set(names))
    by_case: dict[str, str] = {}
    for name in present:
        by_case.setdefault(name.lower(), name)
    exact = set(present)
    found: dict[str, str] = {}
    notes: list[tuple[str, str]] = []
    for standard in CONNECTOR_FILES:
        if standard in exact:
            found[standard] = standard
        elif standard not in SWAGGER_NAMES and standard.lower() in by_case:
            actual = by_case[standard.lower()]
            found[standard] = actual
            notes.append((actual, f"read as the connector's {standard}: the name differs from it in case, which "
                                  f"Windows and macOS ignore and Linux does not; rename it {standard}"))
    if not any(name in found for name in SWAGGER_NAMES):
        others = [name for name in present if is_swagger_name(name)]
        if others:
            found[others[0]] = others[0]
            notes.append((others[0], other_swagger_note(others[0])))
            notes.extend((extra, f"ignored: {others[0]} was read as the connector's definition; "
                                 "keep one swagger per folder") for extra in others[1:])
    return found, tuple(notes)


def other_swagger_note(name: str) -> str:
    """The warning for a swagger read under another name than the standard ones."""
    return (f"read as the connector's definition: its name is not {SWAGGER_NAMES[0]} (the name paconn and "
            f"the certification pipeline expect); rename it")


@dataclass(frozen=True)
class SourceFiles:
    """A connector's files as bytes, keyed by file name (``apiDefinition.swagger.json``...).

    ``label`` is how the source is shown to users (a path, ``REV:PATH``, ``ID@SPEC``);
    ``kind`` is one of ``folder``, ``file``, ``git``, ``store``, ``solution``; ``meta`` holds
    source-specific facts (commit id, snapshot trailers...). ``notes`` are warnings about
    how the files were picked, as ``(file, message)`` pairs (both
    ``apiDefinition.swagger.json`` and a different ``apiDefinition.json``, say).
    """

    label: str
    files: Mapping[str, bytes]
    kind: str = "folder"
    meta: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[tuple[str, str], ...] = ()
    #: A solution connector's own files, by path inside the solution, as they were read
    #: (``Connectors/x_openapidefinition.json``...): what the store keeps (see
    #: :mod:`versioning.solution`). Empty for every other source.
    raw: Mapping[str, bytes] = field(default_factory=dict)

    @cached_property
    def secrets(self) -> frozenset[str]:
        """The secret strings in these files that no report may print (found once per
        source: the residual pass and the redaction of findings both ask, see
        :func:`versioning.secrets.report_secrets`)."""
        from .secrets import secret_values

        return frozenset(secret_values(self.files))

    @property
    def own_names(self) -> dict[str, str]:
        """``{name a file is read as: its own name}`` where the two differ: a solution's
        ``<name>_openapidefinition.json``, a folder's ``Script.csx`` (kept in ``meta`` as
        ``file:<name read as>``)."""
        return {key[len("file:"):]: value for key, value in self.meta.items() if key.startswith("file:")}

    @property
    def swagger_name(self) -> str | None:
        for name in SWAGGER_NAMES:
            if name in self.files:
                return name
        return next((name for name in sorted(self.files) if is_swagger_name(name)), None)
