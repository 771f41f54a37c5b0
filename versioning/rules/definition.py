"""Rules on the whole definition: security, host, display metadata, script, icon, and
references between operations (``x-ms-dynamic-*``)."""

from __future__ import annotations

import re

from typing import Any

from ..changes import Level
from ..sourcefiles import ICON_NAME, PROPERTIES_NAME, SCRIPT_NAME
from . import FlowImpact, Hit, Kind, Section, rule

C = Kind.CONNECTOR


def _security(connector) -> dict[str, Any]:
    value = connector.swagger.get("securityDefinitions")
    return value if isinstance(value, dict) else {}


def auth_kinds(connector) -> tuple[str, ...]:
    """The kinds of credential the swagger's securityDefinitions ask for (type, and flow for
    OAuth 2), e.g. ``("apiKey",)`` or ``("oauth2/accessCode",)``."""
    kinds = set()
    for scheme in _security(connector).values():
        if isinstance(scheme, dict):
            kind = str(scheme.get("type", "?"))
            if kind == "oauth2":
                kind += f"/{scheme.get('flow', '?')}"
            kinds.add(kind)
    return tuple(sorted(kinds))


def kinds_broken(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """Existing connections lose their kind of credential: a kind is gone, or credentials
    are now asked for where none were. Kinds only added are new options."""
    return bool(set(before) - set(after)) or (not before and bool(after))


def identity_providers(connector) -> dict[str, tuple[tuple, str]]:
    """The identity provider of each OAuth connection parameter, keyed as connections hold
    them: by parameter key, or ``<set>/<key>`` when the connector has parameter sets."""
    out: dict[str, tuple[tuple, str]] = {}
    values = connector.section("connectionParameterSets").get("values")
    if isinstance(values, list) and values:
        groups = [(f"{entry['name']}/", ("properties", "connectionParameterSets", "values", index, "parameters"),
                   entry.get("parameters")) for index, entry in enumerate(values)
                  if isinstance(entry, dict) and isinstance(entry.get("name"), str)]
    else:
        groups = [("", ("properties", "connectionParameters"), connector.section("connectionParameters"))]
    for prefix, base, params in groups:
        for key, param in (params.items() if isinstance(params, dict) else ()):
            if isinstance(param, dict) and param.get("type") == "oauthSetting":
                settings = param.get("oAuthSettings")
                provider = settings.get("identityProvider") if isinstance(settings, dict) else None
                out[prefix + key] = (base + (key, "oAuthSettings", "identityProvider"), str(provider or "?"))
    return out


def _auth_text(connector, providers: dict[str, tuple[tuple, str]]) -> str:
    """The kinds of credential and identity providers, e.g. ``oauth2/accessCode + oauth:aad``."""
    parts = set(auth_kinds(connector)) | {f"oauth:{provider}" for _, provider in providers.values()}
    return " + ".join(sorted(parts)) or "none"


@rule("auth-type-changed", Level.BREAKING, C,
      impact=FlowImpact.CONNECTS, section=Section.SECURITY,
      todo=("Recreate the connection (authentication is now {new}, was {old}) and switch every flow and app "
            "to the new connection."),
      description="The authentication existing connections use changed: a securityDefinitions type or OAuth flow was "
                  "replaced or removed, or an OAuth connection parameter's identity provider changed.",
      why="Existing connections hold credentials for the old type: every connection must be recreated and every flow "
          "re-pointed. Microsoft does not allow this in an update of a certified connector.",
      message="authentication changed from {old} to {new}: every existing connection must be recreated",
      example=('"securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}',
               '"securityDefinitions": {"oauth2_auth": {"type": "oauth2", "flow": "accessCode", '
               '"authorizationUrl": "https://login.contoso.com/authorize", "tokenUrl": "https://login.contoso.com/token"}}'))
def auth_type_changed(ctx, old, new):
    # One finding per diff: a switch of kind (API key to OAuth) usually also swaps the
    # connection parameters, which the connection-parameter rules then leave to this one.
    old_providers, new_providers = identity_providers(old), identity_providers(new)
    if kinds_broken(auth_kinds(old), auth_kinds(new)):
        yield Hit(old=_auth_text(old, old_providers), new=_auth_text(new, new_providers), location="securityDefinitions",
                  pointer=("securityDefinitions",), side="new" if "securityDefinitions" in new.swagger else "old",
                  covers=_swapped_with_auth(old, new))
        return
    changed = [(key, pointer, provider) for key, (pointer, provider) in new_providers.items()
               if key in old_providers and old_providers[key][1] != provider]
    for key, pointer, provider in changed:
        yield Hit(old=old_providers[key][1], new=provider, location=f"connection/{key}/identityProvider",
                  pointer=pointer, file=PROPERTIES_NAME)
    gone = {p for _, p in old_providers.values()} - {p for _, p in new_providers.values()}
    if not changed and gone and new_providers:  # the OAuth parameter was renamed along with its provider
        key, (pointer, _) = next(iter(new_providers.items()))
        yield Hit(old=_auth_text(old, old_providers), new=_auth_text(new, new_providers),
                  location=f"connection/{key}/identityProvider", pointer=pointer, file=PROPERTIES_NAME)


def _swapped_with_auth(old, new) -> tuple[tuple[str, tuple], ...]:
    """What an auth switch speaks for: the security requirement, and the credential
    connection parameters (added, removed or retyped with it)."""
    covers: list[tuple[str, tuple]] = [(new.swagger_name, ("security",))]
    for side in (old, new):
        for key, param in side.section("connectionParameters").items():
            if isinstance(param, dict) and param.get("type") in CREDENTIAL_TYPES:
                covers.append((PROPERTIES_NAME, ("properties", "connectionParameters", key)))
    return tuple(dict.fromkeys(covers))


def auth_changed(ctx) -> bool:
    """True when auth-type-changed reports this diff (memoised: connection rules ask per key)."""
    key = ("auth-changed",)
    if key not in ctx.memo:
        ctx.memo[key] = any(True for _ in auth_type_changed(ctx, ctx.old, ctx.new))
    return ctx.memo[key]


#: Connection parameter types that hold the credential itself: swapped with the auth type.
CREDENTIAL_TYPES = {"oauthSetting", "securestring"}


@rule("security-settings-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.SECURITY,
      todo="Check that existing connections still sign in; recreate any that fail.",
      description="Security settings other than the type changed (API key header, OAuth URLs or scopes).",
      why="Connections keep their type but the credential may be sent or obtained differently: test sign-in.",
      message="security definition {name} changed",
      example=('"key": {"type": "apiKey", "in": "header", "name": "X-Key"}', '"key": {"type": "apiKey", "in": "header", "name": "Api-Key"}'))
def security_settings_changed(ctx, old, new):
    if kinds_broken(auth_kinds(old), auth_kinds(new)):
        return
    before, after = _schemes(old), _schemes(new)
    pairs = [(name, name) for name in before if name in after]
    gone = [name for name in before if name not in after]
    came = [name for name in after if name not in before]
    if len(gone) == 1 and len(came) == 1:  # the scheme's key was renamed: compare the contents
        pairs.append((gone[0], came[0]))
        gone, came = [], []
    for a, b in pairs:
        if before[a] != after[b]:
            yield Hit(old=before[a], new=after[b], location=f"securityDefinitions/{b}",
                      pointer=("securityDefinitions", b), details=(("name", b),))
    for name in gone:
        yield Hit(old=before[name], location=f"securityDefinitions/{name}", pointer=("securityDefinitions", name),
                  side="old", details=(("name", name),))
    for name in came:
        yield Hit(new=after[name], location=f"securityDefinitions/{name}", pointer=("securityDefinitions", name),
                  details=(("name", name),))


def _schemes(connector) -> dict[str, Any]:
    """Security schemes without their description (display text only)."""
    return {name: {k: v for k, v in scheme.items() if k != "description"} if isinstance(scheme, dict) else scheme
            for name, scheme in _security(connector).items()}


def _top(connector, key: str) -> Any:
    return connector.swagger.get(key)


def _meaning(key: str, value: Any) -> Any:
    """A top-level member as the platform reads it: absent means its default, lists of names
    are unordered."""
    if value is None:
        value = _ABSENT_MEANS.get(key)
    return _unordered(value)


def _unordered(value: Any) -> Any:
    """Lists of strings (schemes, media types) compared without regard to order."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


#: What an absent top-level member means (Swagger 2.0: no basePath serves from the host's root).
_ABSENT_MEANS = {"basePath": "/"}


_ENVIRONMENT_VARIABLE = re.compile(r"^\s*@\{?\s*environmentVariables\(", re.IGNORECASE)


def environment_specific(value: Any) -> bool:
    """Whether a host is set per environment: a solution's ``@environmentVariables("...")``.

    >>> environment_specific('@environmentVariables("contoso_Host")'), environment_specific("api.contoso.com")
    (True, False)
    """
    return isinstance(value, str) and bool(_ENVIRONMENT_VARIABLE.match(value))


def _field_rule(key: str):
    def check(ctx, old, new):
        before, after = _top(old, key), _top(new, key)
        if key == "host" and (environment_specific(before) or environment_specific(after)):
            return  # the environment decides the host, as for a fork's own host
        if _meaning(key, before) != _meaning(key, after):
            yield Hit(old=before, new=after, location=key, pointer=(key,), side="new" if after is not None else "old")
    return check


_EXAMPLES = {
    "host": ('"host": "api.contoso.com"', '"host": "api-eu.contoso.com"'),
    "basePath": ('"basePath": "/v1"', '"basePath": "/v2"'),
    "schemes": ('"schemes": ["https"]', '"schemes": ["http", "https"]'),
}

for _key, _id, _what in (("host", "host-changed", "host"), ("basePath", "base-path-changed", "basePath"),
                         ("schemes", "schemes-changed", "schemes")):
    rule(_id, Level.RISKY, C,
         description=f"The definition's {_what} changed.",
         why="Requests go to a different address. Often per environment (a fork or a test tenant): silence it in "
             f"configuration when that is expected (ignore = [\"{_id}\"]). Compared by meaning: no basePath is "
             "basePath /" + ("; a solution's @environmentVariables(\"...\") host is set per environment and is "
                             "never reported." if _key == "host" else "."),
         message=f"{_what} changed from {{old}} to {{new}}",
         example=_EXAMPLES[_key],
         impact=FlowImpact.CONNECTS, section=Section.CHANGED,
         )(_field_rule(_key))


@rule("media-types-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="The definition's consumes or produces media types changed, other than by adding types.",
      why="Requests or responses of every operation that does not declare its own may be encoded differently.",
      message="{name} changed from {old} to {new}",
      example=('"consumes": ["application/json"]', '"consumes": ["application/xml"]'))
def media_types_changed(ctx, old, new):
    for key in ("consumes", "produces"):
        before, after = _top(old, key), _top(new, key)
        if _strings(before) and _strings(after) and not set(_strings(before)) <= set(_strings(after)):
            yield Hit(old=before, new=after, location=key, pointer=(key,), side="new" if after is not None else "old")


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@rule("description-changed", Level.COSMETIC, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      noun="connector description",
      description="The connector's title or description changed.",
      why="Display text only.",
      message="{name} changed",
      example=('"info": {"title": "Contoso"}', '"info": {"title": "Contoso Tasks"}'))
def description_changed(ctx, old, new):
    for key in ("title", "description"):
        yield from _member_changed(old.info, new.info, key, ("info", key))


@rule("connector-metadata-changed", Level.COSMETIC, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      noun="connector metadata",
      description="Publisher metadata changed (x-ms-connector-metadata, x-ms-api-annotation status, contact, license, "
                  "terms of service, publisher, stackOwner, iconBrandColor).",
      why="Shown on the connector's page only; no effect on flows. (stackOwner and host often differ per fork.)",
      message="{name} changed",
      example=('"iconBrandColor": "#007ee5"', '"iconBrandColor": "#da3b01"'))
def connector_metadata_changed(ctx, old, new):
    for key in ("x-ms-connector-metadata", "x-ms-api-annotation", "contact", "license", "externalDocs",
                "termsOfService"):
        yield from _member_changed(old.swagger, new.swagger, key, (key,))
        yield from _member_changed(old.info, new.info, key, ("info", key))
    for key in ("publisher", "stackOwner", "iconBrandColor"):
        yield from _member_changed(old.properties, new.properties, key, ("properties", key),
                                   location=key, file=PROPERTIES_NAME)


def _member_changed(before_map, after_map, key: str, pointer: tuple, *, location: str | None = None,
                    file: str | None = None):
    """A hit when one member of a mapping differs; located at its pointer (``info/title``)."""
    before, after = before_map.get(key), after_map.get(key)
    if before != after:
        yield Hit(old=before, new=after, location=location or "/".join(pointer), pointer=pointer, file=file,
                  side="new" if after is not None else "old")


@rule("script-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="The custom code (script.csx) was added, removed or changed.",
      why="Custom code rewrites requests and responses of the operations it runs for: behaviour may change anywhere. "
          "Review the code change and test the affected operations.",
      message="script.csx {what}",
      example=("return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);",
               'this.Context.Request.Headers.Add("X-Client", "connector"); '
               "return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);"))
def script_changed(ctx, old, new):
    yield from _file_changed(SCRIPT_NAME, old.script_digest, new.script_digest)


def _file_changed(name: str, before: str | None, after: str | None):
    """A hit when a whole file (compared by digest) was added, removed or changed."""
    if before != after:
        what = "was added" if before is None else "was removed" if after is None else "changed"
        yield Hit(old=before, new=after, location=name, file=name, pointer=(),
                  details=(("what", what),), side="new" if after else "old")


@rule("icon-changed", Level.COSMETIC, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      noun="icon",
      description="The icon (icon.png) changed.",
      why="Display only.",
      message="icon.png {what}",
      example=("icon.png: a 230 x 230 PNG, blue background", "icon.png: a 230 x 230 PNG, orange background"))
def icon_changed(ctx, old, new):
    yield from _file_changed(ICON_NAME, old.icon_digest, new.icon_digest)


def _copilot_keys(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    return {key: value for key, value in node.items()
            if isinstance(key, str) and (key.startswith("x-ms-openai-") or key == "x-ms-keywords")}


@rule("copilot-metadata-changed", Level.COSMETIC, C,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='Copilot metadata',
      description="Copilot plugin metadata changed (x-ms-openai-data, x-ms-openai-manifest, x-ms-keywords), on the "
                  "definition or on an operation.",
      why="Read by Copilot when it picks an action for a prompt; flows and apps do not use it.",
      message="{name} changed",
      example=('"x-ms-openai-manifest": {"humanName": "Contoso Tasks"}',
               '"x-ms-openai-manifest": {"humanName": "Contoso Task List"}'))
def copilot_metadata_changed(ctx, old, new):
    places = [((), old.swagger, new.swagger, None), (("info",), old.info, new.info, None)]
    for old_op, new_op in ctx.op_pairs:
        if old_op is not None and new_op is not None:
            places.append((new_op.pointer, old_op.raw, new_op.raw, new_op.id))
    for base, before_node, after_node, operation in places:
        before, after = _copilot_keys(before_node), _copilot_keys(after_node)
        for key in [*before, *(k for k in after if k not in before)]:
            if before.get(key) != after.get(key):
                where = f"operation/{operation}/{key}" if operation else "/".join(base + (key,))
                yield Hit(old=before.get(key), new=after.get(key), location=where, pointer=base + (key,),
                          operation=operation, side="new" if key in after else "old", details=(("name", where),))
