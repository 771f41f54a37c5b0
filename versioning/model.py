"""The typed connector model: a definition is loaded once into these objects, and rules
compare them.

A :class:`Connector` holds its raw documents and exposes operations keyed by operationId;
an :class:`Operation` holds parameters keyed by ``(in, name)`` (the body parameter under
``("body", "")``), responses keyed by status code and the webhook payload schema. Schemas
are :class:`Field` objects whose ``$ref`` is resolved lazily, one level at a time, with
cycles cut, so a recursive definition never loops. Nothing here mutates the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator, Mapping

from .changes import printable
from .errors import InputError, JSONDefectError
from .gcpause import paused_gc
from .jsontext import LoadWarning, load_json
from .sourcefiles import ICON_NAME, PROPERTIES_NAME, SCRIPT_NAME, SETTINGS_NAME, SourceFiles

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
BODY_KEY = ("body", "")
#: Keys of a schema or parameter that constrain the values it accepts.
CONSTRAINT_KEYS = (
    "maxLength", "minLength", "pattern", "maximum", "minimum", "exclusiveMaximum",
    "exclusiveMinimum", "maxItems", "minItems", "uniqueItems", "multipleOf",
)
_EMPTY: dict = {}


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


class Resolver:
    """Follows local ``$ref`` (``#/definitions/X``, ``#/parameters/X``, ``#/responses/X``)."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self._cache: dict[str, tuple[Any, tuple] | None] = {}
        self._subtypes: dict[str, list[tuple[str, Any, tuple]]] | None = None

    def lookup(self, ref: str) -> tuple[Any, tuple] | None:
        if ref in self._cache:
            return self._cache[ref]
        found: tuple[Any, tuple] | None = None
        if ref.startswith("#/"):
            node: Any = self.doc
            pointer: tuple = ()
            for raw in ref[2:].split("/"):
                key = _unescape(raw)
                if isinstance(node, dict) and key in node:
                    node = node[key]
                    pointer += (key,)
                else:
                    node = None
                    break
            if node is not None:
                found = (node, pointer)
        self._cache[ref] = found
        return found

    def subtypes(self, ref: str) -> list[tuple[str, Any, tuple]]:
        """Swagger 2.0 discriminator subtypes of the definition ``ref``: (ref, definition,
        pointer) of every definition whose ``allOf`` refers to it, in document order."""
        if self._subtypes is None:
            found: dict[str, list[tuple[str, Any, tuple]]] = {}
            definitions = self.doc.get("definitions")
            for name, node in (definitions.items() if isinstance(definitions, dict) else ()):
                parts = node.get("allOf") if isinstance(node, dict) else None
                for part in parts if isinstance(parts, list) else ():
                    base = part.get("$ref") if isinstance(part, dict) else None
                    if isinstance(base, str) and base.startswith("#/definitions/"):
                        own = "#/definitions/" + name.replace("~", "~0").replace("/", "~1")
                        found.setdefault(base, []).append((own, node, ("definitions", name)))
            self._subtypes = found
        return self._subtypes.get(ref, [])

    def resolve(self, node: Any, pointer: tuple) -> tuple[Any, tuple, str | None]:
        """Follow a chain of ``$ref``; returns (node, pointer, first ref followed)."""
        first: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return _EMPTY, pointer, first
            seen.add(ref)
            target = self.lookup(ref)
            if target is None:  # dangling or external: keep the node as it is
                return node, pointer, first or ref
            node, pointer = target
            first = first or ref
        return node, pointer, first


#: The model's classes (Field, Response, Operation) are read-only by convention, compared by
#: identity, and not frozen: a diff of a large definition makes thousands of them, and a frozen
#: dataclass pays a setattr call per field per instance (about 3 ms of the largest public pair).
@dataclass(eq=False)
class Field:
    """A parameter, or a schema node below a body parameter, a response or a webhook payload.

    ``segments`` is the path below the root schema (``("Values", "items", "AssignedTo")``);
    ``schema`` is the resolved schema dict (for a non-body parameter, the parameter itself,
    which carries ``type`` and friends in Swagger 2.0); ``chain`` lists the ``$ref`` followed
    from the root, which cuts recursion.
    """

    name: str
    segments: tuple[str, ...]
    schema: Mapping[str, Any]
    required: bool
    pointer: tuple
    resolver: Resolver
    raw: Mapping[str, Any] | None = None
    location: str | None = None  # the parameter's ``in``; None for schema nodes
    ref: str | None = None
    chain: tuple[str, ...] = ()
    cyclic: bool = False
    #: Where ``schema`` itself sits when that differs from ``pointer`` (a body parameter's
    #: pointer names the parameter; its schema, often a ``$ref``, lives elsewhere).
    schema_pointer: tuple | None = None
    #: True for the node holding a map's values (``additionalProperties``): not a named field.
    container: bool = False
    #: True for a node marked ``x-ms-visibility: internal``, or below one: not dynamic content.
    hidden: bool = False

    # --- attributes rules read --------------------------------------------------------
    @property
    def type(self) -> Any:
        return self.declared("type")

    @property
    def format(self) -> Any:
        return self.declared("format")

    def declared(self, attribute: str) -> Any:
        """``type`` or ``format`` as declared: on the schema itself or, for a schema that
        only wraps others in ``allOf``, on the first part that declares it (so
        ``{"allOf": [{"$ref": X}]}`` and ``{"$ref": X}`` mean the same). An empty string
        declares nothing."""
        value = self.schema.get(attribute)
        if value in (None, ""):
            value = self._from_all_of(self.schema, self.pointer, attribute, set())
        return None if value == "" else value

    def _from_all_of(self, schema: Mapping[str, Any], pointer: tuple, attribute: str, seen: set) -> Any:
        parts = schema.get("allOf")
        if not isinstance(parts, list):
            return None
        for index, part in enumerate(parts):
            node, ptr, ref = self.resolver.resolve(part, pointer + ("allOf", index))
            if not isinstance(node, dict) or ref in seen:
                continue
            value = node.get(attribute)
            if value in (None, ""):
                value = self._from_all_of(node, ptr, attribute, seen | {ref})
            if value not in (None, ""):
                return value
        return None

    @property
    def enum(self) -> list | None:
        value = self.schema.get("enum")
        return value if isinstance(value, list) else None

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    @property
    def has_default(self) -> bool:
        return "default" in self.schema

    @property
    def visibility(self) -> str | None:
        owner = self.raw if self.raw is not None else self.schema
        value = owner.get("x-ms-visibility", self.schema.get("x-ms-visibility"))
        return value.lower() if isinstance(value, str) else None

    @property
    def url_encoding(self) -> Any:
        return (self.raw or self.schema).get("x-ms-url-encoding")

    @property
    def constraints(self) -> dict[str, Any]:
        return {key: self.schema[key] for key in CONSTRAINT_KEYS if key in self.schema}

    @property
    def texts(self) -> dict[str, Any]:
        owner = self.raw if self.raw is not None else self.schema
        return {key: owner[key] for key in ("description", "x-ms-summary", "title", "summary", "example", "x-example")
                if key in owner}

    @property
    def flow_key(self) -> str:
        """The key a flow uses: the parameter name, or ``body/a/b`` for body fields."""
        return "/".join((self.name,) + tuple(s for s in self.segments if s != "items")) if self.segments else self.name

    # --- children -----------------------------------------------------------------------
    def children(self) -> dict[str, "Field"]:
        """Schema properties (``allOf`` merged) and ``items``, resolved one level; none
        below a node that refers back to one of its ancestors (recursion is cut)."""
        if self.cyclic:
            return {}
        return self.expand()

    def expand(self) -> dict[str, "Field"]:
        """Like :meth:`children`, also for a node that recurses: the caller bounds the walk."""
        schema = self.schema
        props: dict[str, Any] = {}
        required: set[str] = set()
        prop_pointers: dict[str, tuple] = {}
        base = self.schema_pointer if self.schema_pointer is not None else self.pointer
        self._collect(schema, base, props, required, prop_pointers, set())
        out: dict[str, Field] = {}
        for name, sub in props.items():
            out[name] = self._child(name, sub, prop_pointers[name], name in required)
        items = schema.get("items")
        if isinstance(items, dict):
            out["items"] = self._child("items", items, base + ("items",), False)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and "additionalProperties" not in out:
            # a map's values: compared like a property (flows send and read them by their own keys)
            out["additionalProperties"] = self._child("additionalProperties", extra, base + ("additionalProperties",),
                                                      False, container=True)
        return out

    def _collect(self, schema, pointer, props, required, pointers, seen) -> None:
        own = schema.get("properties")
        if isinstance(own, dict):
            for name, sub in own.items():
                if isinstance(sub, dict):
                    props[name] = sub
                    pointers[name] = pointer + ("properties", name)
        req = schema.get("required")
        if isinstance(req, list):
            required.update(r for r in req if isinstance(r, str))
        parts = schema.get("allOf")
        if isinstance(parts, list):
            for index, part in enumerate(parts):
                node, ptr, ref = self.resolver.resolve(part, pointer + ("allOf", index))
                if isinstance(node, dict) and (ref is None or ref not in seen):
                    self._collect(node, ptr, props, required, pointers, seen | {ref})
        if isinstance(schema.get("discriminator"), str) and pointer[:1] == ("definitions",) and len(pointer) == 2:
            # a Swagger 2.0 base type: its subtypes' own properties are outputs (or inputs) of
            # this node too, for the values that are of that subtype (never required here)
            base = "#/definitions/" + str(pointer[1]).replace("~", "~0").replace("/", "~1")
            for ref, node, ptr in self.resolver.subtypes(base):
                if ref in seen or not isinstance(node, dict):
                    continue
                extra: dict[str, Any] = {}
                extra_pointers: dict[str, tuple] = {}
                self._collect({k: v for k, v in node.items() if k != "required"}, ptr, extra, set(),
                              extra_pointers, seen | {ref, base})
                for name, sub in extra.items():
                    if name not in props:
                        props[name] = sub
                        pointers[name] = extra_pointers[name]

    def _child(self, name: str, sub: Mapping[str, Any], pointer: tuple, required: bool,
               container: bool = False) -> "Field":
        node, ptr, ref = self.resolver.resolve(sub, pointer)
        cyclic = ref is not None and ref in self.chain
        if not isinstance(node, dict):
            node = _EMPTY
        return Field(
            name=self.name,
            segments=self.segments + (name,),
            schema=node,
            required=required,
            pointer=ptr,
            resolver=self.resolver,
            raw=sub,
            ref=ref,
            chain=self.chain + (ref,) if ref else self.chain,
            cyclic=cyclic,
            container=container,
            hidden=self.hidden or _internal(sub) or _internal(node),
        )


@dataclass(eq=False)
class Response:
    """One response of an operation, by status code, with its resolved schema (if any)."""

    code: str
    raw: Mapping[str, Any]
    pointer: tuple
    schema: Field | None


@dataclass(eq=False)
class Operation:
    """One action or trigger, keyed by operationId."""

    id: str
    method: str
    path: str
    raw: Mapping[str, Any]
    pointer: tuple
    path_item: Mapping[str, Any]
    resolver: Resolver

    @property
    def summary(self) -> str | None:
        return self.raw.get("summary")

    @property
    def description(self) -> str | None:
        return self.raw.get("description")

    @property
    def display_name(self) -> str:
        """How the designer shows the operation: its summary, else its operationId."""
        summary = self.summary
        return printable(summary.strip() if isinstance(summary, str) and summary.strip() else self.id)

    @property
    def deprecated(self) -> bool:
        return self.raw.get("deprecated") is True

    @property
    def visibility(self) -> str | None:
        value = self.raw.get("x-ms-visibility")
        return value.lower() if isinstance(value, str) else None

    @property
    def trigger(self) -> str | None:
        """``single`` or ``batch`` for a trigger (``x-ms-trigger``), None for an action."""
        value = self.raw.get("x-ms-trigger")
        return value.lower() if isinstance(value, str) else (str(value) if value else None)

    @property
    def is_webhook(self) -> bool:
        return any(p.schema.get("x-ms-notification-url") or (p.raw or {}).get("x-ms-notification-url")
                   for p in self.parameters.values()) or any(
            f.schema.get("x-ms-notification-url") for f in self._body_fields())

    @property
    def kind(self) -> str:
        """``action``, ``polling trigger`` or ``webhook trigger``."""
        if not self.trigger:
            return "action"
        return "webhook trigger" if self.is_webhook else "polling trigger"

    @property
    def annotation(self) -> Mapping[str, Any]:
        value = self.raw.get("x-ms-api-annotation")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def family(self) -> str | None:
        family = self.annotation.get("family")
        return family if isinstance(family, str) else None

    @property
    def revision(self) -> int | None:
        revision = self.annotation.get("revision")
        try:
            return int(revision) if revision is not None else None
        except (TypeError, ValueError, OverflowError):
            return None

    @property
    def route(self) -> tuple[str, str]:
        """Method and path with path-parameter names blanked: what Logic Apps binds to."""
        return self.method, re.sub(r"\{[^}]*\}", "{}", self.path.rstrip("/").lower())

    @property
    def path_template(self) -> str:
        """The path with path-parameter names blanked, case and slashes kept: a change here is
        a change of the URL Logic Apps bind to (renaming ``{id}`` is a parameter change)."""
        return re.sub(r"\{[^}]*\}", "{}", self.path)

    @cached_property
    def parameters(self) -> dict[tuple[str, str], Field]:
        """Path-level and operation-level parameters (the latter win), keyed by (in, name)."""
        out: dict[tuple[str, str], Field] = {}
        for where, listing in (("path", self.path_item.get("parameters")), ("op", self.raw.get("parameters"))):
            if not isinstance(listing, list):
                continue
            base = self.pointer[:-1] if where == "path" else self.pointer
            for index, item in enumerate(listing):
                pointer = base + ("parameters", index)
                node, node_pointer, ref = self.resolver.resolve(item, pointer)
                if not isinstance(node, dict):
                    continue
                name, location = node.get("name"), node.get("in")
                if not isinstance(name, str) or not isinstance(location, str):
                    continue
                if location == "body":
                    schema, schema_ptr, schema_ref = self.resolver.resolve(node.get("schema") or {}, node_pointer + ("schema",))
                    if not isinstance(schema, dict):
                        schema = _EMPTY
                    field = Field(name, (), schema, node.get("required") is True, pointer, self.resolver,
                                  raw=node, location="body", ref=schema_ref,
                                  chain=(schema_ref,) if schema_ref else (), schema_pointer=schema_ptr)
                    # Swagger 2.0 allows one body parameter; a second is kept (and warned about
                    # by the connector) under its own name so that both are compared.
                    out[BODY_KEY if BODY_KEY not in out or out[BODY_KEY].name == name else ("body", name)] = field
                else:
                    out[(location, name)] = Field(name, (), node, node.get("required") is True, pointer,
                                                  self.resolver, raw=node, location=location, ref=ref)
        return out

    @property
    def body(self) -> Field | None:
        return self.parameters.get(BODY_KEY)

    def _body_fields(self) -> Iterator[Field]:
        body = self.body
        if body is not None:
            yield from body.children().values()

    @cached_property
    def responses(self) -> dict[str, Response]:
        out: dict[str, Response] = {}
        listing = self.raw.get("responses")
        if not isinstance(listing, dict):
            return out
        for code, item in listing.items():
            pointer = self.pointer + ("responses", str(code))
            node, ptr, _ = self.resolver.resolve(item, pointer)
            if not isinstance(node, dict):
                continue
            schema = None
            if isinstance(node.get("schema"), dict):
                resolved, sptr, sref = self.resolver.resolve(node["schema"], ptr + ("schema",))
                if isinstance(resolved, dict):
                    schema = Field(str(code), (), resolved, True, sptr, self.resolver, raw=node["schema"],
                                   ref=sref, chain=(sref,) if sref else ())
            out[str(code)] = Response(str(code), node, ptr, schema)
        return out

    @cached_property
    def output(self) -> Response | None:
        """The response whose schema the designer offers as the step's outputs: the lowest
        2xx code with a schema, else ``default``. An empty schema (``{}``) declares no outputs."""
        candidates = sorted((code for code in self.responses if code.startswith("2")), key=lambda c: (len(c), c))
        for code in [*candidates, "default"]:
            response = self.responses.get(code)
            if response is not None and response.schema is not None and _declares(response.schema.schema):
                return response
        return None

    @cached_property
    def notification(self) -> Field | None:
        """The webhook payload schema (``x-ms-notification-content`` on the path) of a trigger."""
        if not self.trigger:
            return None
        content = self.path_item.get("x-ms-notification-content")
        if not isinstance(content, dict) or not isinstance(content.get("schema"), dict):
            return None
        pointer = self.pointer[:-1] + ("x-ms-notification-content", "schema")
        resolved, ptr, ref = self.resolver.resolve(content["schema"], pointer)
        if not isinstance(resolved, dict):
            return None
        return Field("x-ms-notification-content", (), resolved, True, ptr, self.resolver,
                     raw=content["schema"], ref=ref, chain=(ref,) if ref else ())


class Connector:
    """One version of a connector, loaded from its files."""

    def __init__(self, source: SourceFiles, swagger: dict, properties: dict, settings: dict,
                 warnings: list[LoadWarning]) -> None:
        self.source = source
        self.swagger = swagger
        self.properties = properties
        self.settings = settings
        self.warnings = warnings
        self.resolver = Resolver(swagger)
        #: False when apiProperties.json exists but could not be parsed (see warnings).
        self.properties_readable = True

    def without_properties(self) -> "Connector":
        """The same connector with apiProperties.json left out (for a fair comparison
        with a side whose apiProperties.json could not be read)."""
        files = {k: v for k, v in self.source.files.items() if k != PROPERTIES_NAME}
        source = SourceFiles(self.source.label, files, self.source.kind, self.source.meta, raw=self.source.raw)
        return Connector(source, self.swagger, {}, self.settings, self.warnings)

    @classmethod
    @paused_gc()  # parsing builds tens of thousands of acyclic containers (see .gcpause)
    def from_files(cls, source: SourceFiles) -> "Connector":
        """Parse a connector's files (tolerating what can be recovered, with warnings)."""
        warnings: list[LoadWarning] = []
        name = source.swagger_name
        if name is None:
            raise InputError(f"{source.label}: no apiDefinition.swagger.json or apiDefinition.json")
        label = _file_label(source, name)
        warnings.extend(LoadWarning(_file_label(source, file), 1, 1, note) for file, note in source.notes)
        swagger, found = load_json(source.files[name], label)
        warnings.extend(found)
        if not isinstance(swagger, dict):
            raise InputError(f"{label}: the definition is not a JSON object", hint="a swagger file starts with '{'")
        _check_swagger(swagger, label, warnings)
        properties: dict = {}
        properties_readable = True
        if PROPERTIES_NAME in source.files:
            properties, properties_readable = _read_properties(source, warnings)
        settings: dict = {}
        if SETTINGS_NAME in source.files:
            try:
                doc, found = load_json(source.files[SETTINGS_NAME], _file_label(source, SETTINGS_NAME))
            except JSONDefectError as exc:  # settings.json is local and not part of the contract
                warnings.append(LoadWarning(exc.file, exc.line, exc.column, f"{exc.defect}; settings.json was "
                                            "ignored, so its connectorId and environment were not read"))
            else:
                warnings.extend(found)
                settings = doc if isinstance(doc, dict) else {}
        connector = cls(source, swagger, properties, settings, warnings)
        connector.properties_readable = properties_readable
        return connector

    # --- identity -----------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.source.label

    @property
    def swagger_name(self) -> str:
        return self.source.swagger_name or "apiDefinition.swagger.json"

    @property
    def info(self) -> Mapping[str, Any]:
        info = self.swagger.get("info")
        return info if isinstance(info, dict) else _EMPTY

    @property
    def title(self) -> str | None:
        """``info.title``, with control characters shown as ``\\xNN`` (it gets printed)."""
        title = self.info.get("title")
        return printable(title) if isinstance(title, str) else None

    @property
    def version(self) -> str | None:
        """The declared ``info.version`` as written, or None."""
        version = self.info.get("version")
        if isinstance(version, (int, float)) and not isinstance(version, bool):
            return str(version)
        return version if isinstance(version, str) else None

    @property
    def connector_id(self) -> str | None:
        value = self.settings.get("connectorId")
        if not (isinstance(value, str) and value) and self.source.kind == "solution":
            value = self.source.meta.get("connector")  # a solution's connector: its schema name
        return value if isinstance(value, str) and value else None

    # --- contents -----------------------------------------------------------------------
    @cached_property
    def operations(self) -> dict[str, Operation]:
        out: dict[str, Operation] = {}
        paths = self.swagger.get("paths")
        if not isinstance(paths, dict):
            return out
        notes: list[tuple[tuple, str]] = []  # (pointer the warning is about, message)
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            for key, method in _method_keys(item):
                raw = item[key]
                if key != method:
                    twin = " (beside a lower-case one, compared on its own)" if method in item else ""
                    notes.append((("paths", path, key), f"method key \"{key}\" under {path} is not lower-case as "
                                  f"Swagger 2.0 requires; read as {method}{twin}"))
                op_id = raw.get("operationId")
                if not isinstance(op_id, str) or not op_id:
                    op_id = f"{method.upper()} {path}"
                if op_id in out:  # invalid, but must not hide an operation
                    first = out[op_id]
                    where = ("paths", path, key, "operationId") if "operationId" in raw else ("paths", path, key)
                    notes.append((where, f"operationId {op_id} is used by {first.method.upper()} {first.path} and by "
                                  f"{method.upper()} {path}; the second is compared as \"{op_id} ({method.upper()} {path})\""))
                    op_id = f"{op_id} ({method.upper()} {path})"
                    if op_id in out:
                        op_id = f"{op_id} [{key}]"
                out[op_id] = Operation(op_id, method, path, raw, ("paths", path, key), item, self.resolver)
                if _body_count(raw) + _body_count(item) > 1:
                    self._warn_bodies(out[op_id])
        if notes:
            from .lines import locate_pointers

            label = _file_label(self.source, self.swagger_name)
            found = locate_pointers(self.source.files.get(self.swagger_name, b""), [where for where, _ in notes])
            self.warnings.extend(LoadWarning(label, *found.get(where, (1, 1)), message) for where, message in notes)
        return out

    def _warn_bodies(self, op: Operation) -> None:
        """Two body parameters in one operation: invalid Swagger 2.0, warned about at the second."""
        bodies = [field for key, field in op.parameters.items() if key[0] == "body"]
        if len(bodies) < 2:
            return
        from .lines import locate_pointers

        second = bodies[1].pointer
        line, column = locate_pointers(self.source.files.get(self.swagger_name, b""), [second]).get(second, (1, 1))
        names = ", ".join(field.name for field in bodies)
        self.warnings.append(LoadWarning(
            _file_label(self.source, self.swagger_name), line, column,
            f"operation {op.id} has {len(bodies)} body parameters ({names}); Swagger 2.0 allows one: each is "
            "compared on its own"))

    def section(self, name: str) -> Mapping[str, Any]:
        """A top-level object of apiProperties' ``properties`` (``{}`` when absent)."""
        value = self.properties.get(name)
        return value if isinstance(value, dict) else _EMPTY

    def file_digest(self, name: str) -> str | None:
        data = self.source.files.get(name)
        if data is None:
            return None
        import hashlib  # (only where there is a file: a diff without script or icon never needs it)

        return hashlib.sha256(data).hexdigest()[:12]

    @property
    def script_digest(self) -> str | None:
        return self.file_digest(SCRIPT_NAME)

    @property
    def icon_digest(self) -> str | None:
        return self.file_digest(ICON_NAME)

    def __repr__(self) -> str:
        return f"Connector({self.label!r}, title={self.title!r}, version={self.version!r})"


def _internal(schema: Mapping[str, Any]) -> bool:
    value = schema.get("x-ms-visibility")
    return isinstance(value, str) and value.lower() == "internal"


def _method_keys(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, method) of each operation in a path item: the lower-case keys first, in
    HTTP_METHODS order, then keys in another case (``"GET"``), which are read as well."""
    keys = [(method, method) for method in HTTP_METHODS if isinstance(item.get(method), dict)]
    if len(keys) < len(item):
        keys += [(key, key.lower()) for key, value in item.items()
                 if isinstance(key, str) and key != key.lower() and key.lower() in HTTP_METHODS
                 and isinstance(value, dict)]
    return keys


def _body_count(node: Mapping[str, Any]) -> int:
    """How many parameters written inline in ``node["parameters"]`` are in the body (cheap: no
    ``$ref`` is followed; the full check runs only when this finds two)."""
    listing = node.get("parameters")
    if not isinstance(listing, list):
        return 0
    return sum(1 for p in listing if isinstance(p, dict) and (p.get("in") == "body" or "$ref" in p))


def _declares(schema: Mapping[str, Any]) -> bool:
    """True when a schema says anything about the value beyond display text."""
    return any(key not in ("description", "title", "x-ms-summary", "example") for key in schema)


def carries_outputs(schema: Mapping[str, Any]) -> bool:
    """False for an object schema with no properties (and nothing else that yields fields):
    ``{"type": "object"}`` on a 204 offers the designer no outputs, like no schema at all."""
    keys = [key for key in schema if key not in ("description", "title", "x-ms-summary", "example", "examples")]
    if schema.get("type") == "object" and all(key in ("type", "required") or (key == "properties" and not schema[key])
                                              for key in keys):
        return False
    return _declares(schema)


def _read_properties(source: SourceFiles, warnings: list[LoadWarning]) -> tuple[dict, bool]:
    """apiProperties.json's ``properties`` object, and whether it could be read.

    The swagger is the contract and can be compared without it, so a broken
    apiProperties.json is a loud warning, not an error (``--strict`` makes it one)."""
    label = _file_label(source, PROPERTIES_NAME)
    not_compared = "connection, policy and script settings were not compared"
    try:
        doc, found = load_json(source.files[PROPERTIES_NAME], label)
    except JSONDefectError as exc:
        warnings.append(LoadWarning(exc.file, exc.line, exc.column,
                                    f"{exc.defect}; apiProperties.json could not be read, so {not_compared}"))
        return {}, False
    warnings.extend(found)
    inner = doc.get("properties") if isinstance(doc, dict) else None
    if isinstance(inner, dict):
        return inner, True
    if isinstance(doc, dict) and (not doc or (set(doc) == {"properties"} and inner is None)):
        return {}, True  # "{}" or {"properties": null}: an empty file, nothing to compare
    warnings.append(LoadWarning(label, 1, 1, f"not an object holding a \"properties\" object; {not_compared}"))
    return {}, False


def _check_swagger(swagger: dict, label: str, warnings: list[LoadWarning]) -> None:
    """Refuse what is plainly not a connector definition; warn on a missing version tag."""
    if "openapi" in swagger:
        raise InputError(f"{label}: an OpenAPI {swagger.get('openapi')} document, not Swagger 2.0",
                         hint="Power Platform connectors are defined in Swagger 2.0 (\"swagger\": \"2.0\")")
    version = swagger.get("swagger")
    if version is None and not isinstance(swagger.get("paths"), dict):
        hint = ("this looks like apiProperties.json; give the connector folder or its apiDefinition.swagger.json"
                if "properties" in swagger else "a connector definition has \"swagger\": \"2.0\" and \"paths\"")
        raise InputError(f"{label}: not a Swagger 2.0 definition (no \"swagger\" and no \"paths\")", hint=hint)
    if str(version) != "2.0":
        found = "no \"swagger\" field" if version is None else f"\"swagger\": {version!r}"
        warnings.append(LoadWarning(label, 1, 1, f"{found}; read as Swagger 2.0"))


def _file_label(source: SourceFiles, name: str) -> str:
    """How a file is named in messages: its path for folders, ``REV:PATH/name`` for git."""
    if source.kind == "file":
        return source.label
    own = source.own_names.get(name)  # the folder's own file name: a solution's, or Script.csx
    if own is not None:
        return f"{source.meta.get('path', source.label).rstrip('/')}/{own}"
    return f"{source.label.rstrip('/')}/{name}"
