"""Rules on apiProperties.json: connection parameters and parameter sets, OAuth settings,
policies, script operations and capabilities."""

from __future__ import annotations

from typing import Any

from ..changes import Level
from ..sourcefiles import PROPERTIES_NAME
from . import FlowImpact, Hit, Kind, Section, hit, rule

CP = Kind.CONNECTION_PARAMETER
C = Kind.CONNECTOR


def _required(param: Any) -> bool:
    ui = param.get("uiDefinition") if isinstance(param, dict) else None
    constraints = ui.get("constraints") if isinstance(ui, dict) else None
    value = constraints.get("required") if isinstance(constraints, dict) else None
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _constraints(param: Any) -> dict:
    ui = param.get("uiDefinition") if isinstance(param, dict) else None
    constraints = ui.get("constraints") if isinstance(ui, dict) else None
    return constraints if isinstance(constraints, dict) else {}


def _hidden(param: Any) -> bool:
    return str(_constraints(param).get("hidden", "")).lower() == "true"


def _swapped_credential(ctx, param: Any) -> bool:
    """A credential parameter (OAuth setting, secret) of a diff whose authentication kind
    changed: auth-type-changed reports the switch once, as one change."""
    from .definition import CREDENTIAL_TYPES, auth_changed

    return isinstance(param, dict) and param.get("type") in CREDENTIAL_TYPES and auth_changed(ctx)


@rule("connection-parameter-removed", Level.BREAKING, CP,
      impact=FlowImpact.CONNECTS, section=Section.REMOVED,
      todo=("Recreate the connections of this connector (they hold a value for {name}) and switch every flow "
            "and app to the new connection."),
      description="A connection parameter was removed (or renamed).",
      why="Existing connections hold a value under that key: they may stop working and have to be recreated.",
      message="connection parameter {name} was removed",
      example=('"connectionParameters": {"api_key": {"type": "securestring"}}', '"connectionParameters": {}'))
def connection_parameter_removed(ctx, old, new):
    if old is not None and new is None and not _swapped_credential(ctx, old):
        yield hit(old=old.get("type") if isinstance(old, dict) else None)


@rule("connection-parameter-added-required", Level.BREAKING, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      todo=("Edit or recreate every connection of this connector to fill the new required connection "
            "parameter {name}."),
      description="A required connection parameter was added.",
      why="Existing connections have no value for it: every user must edit or recreate their connection.",
      message="required connection parameter {name} was added",
      example=('"connectionParameters": {}',
               '"connectionParameters": {"region": {"type": "string", "uiDefinition": {"constraints": {"required": "true"}}}}'))
def connection_parameter_added_required(ctx, old, new):
    if old is None and new is not None and _required(new) and not _hidden(new) and not _swapped_credential(ctx, new):
        yield hit(new=new.get("type"))


@rule("connection-parameter-added-optional", Level.ADDITIVE, CP,
      impact=FlowImpact.CONNECTS, section=Section.ADDED,
      description="An optional connection parameter was added.",
      why="Existing connections keep working without it.",
      message="optional connection parameter {name} was added",
      example=('"connectionParameters": {}',
               '"connectionParameters": {"region": {"type": "string", "uiDefinition": {"constraints": {"required": "false"}}}}'))
def connection_parameter_added_optional(ctx, old, new):
    if old is None and new is not None and (not _required(new) or _hidden(new)) and not _swapped_credential(ctx, new):
        yield hit(new=new.get("type") if isinstance(new, dict) else None)


@rule("connection-parameter-became-required", Level.BREAKING, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      todo=("Edit or recreate every connection of this connector that leaves {name} empty: it is now "
            "required."),
      description="An optional connection parameter became required.",
      why="Connections created without a value are no longer complete.",
      message="connection parameter {name} became required",
      example=('"constraints": {"required": "false"}', '"constraints": {"required": "true"}'))
def connection_parameter_became_required(ctx, old, new):
    if old is not None and new is not None and _required(new) and not _required(old):
        yield hit(old=False, new=True, at="/required")


@rule("connection-parameter-type-changed", Level.RISKY, CP,
      impact=FlowImpact.CONNECTS, section=Section.SECURITY,
      todo="Check that existing connections still sign in; edit any that fail.",
      description="A connection parameter's type changed (for example string to securestring).",
      why="Stored connection values may be read differently; test an existing connection.",
      message="connection parameter {name}: type changed from {old} to {new}",
      example=('"api_key": {"type": "string"}', '"api_key": {"type": "securestring"}'))
def connection_parameter_type_changed(ctx, old, new):
    if isinstance(old, dict) and isinstance(new, dict) and old.get("type") != new.get("type") and not (
            _swapped_credential(ctx, old) and _swapped_credential(ctx, new)):
        yield hit(old=old.get("type"), new=new.get("type"), at="/type")


@rule("connection-parameter-became-optional", Level.ADDITIVE, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="A required connection parameter became optional.",
      why="Loosened: existing connections keep their value, new ones may leave it empty.",
      message="connection parameter {name} became optional",
      example=('"constraints": {"required": "true"}', '"constraints": {"required": "false"}'))
def connection_parameter_became_optional(ctx, old, new):
    if old is not None and new is not None and _required(old) and not _required(new):
        yield hit(old=True, new=False, at="/uiDefinition/constraints/required")


@rule("connection-parameter-hidden-changed", Level.RISKY, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="A connection parameter was hidden from, or shown again on, the connection dialog "
                  "(uiDefinition.constraints.hidden).",
      why="A hidden parameter takes its default: new connections can no longer set it (or now must decide on it). "
          "Existing connections keep their value; check the default is what users need.",
      message="connection parameter {name}: hidden changed from {old} to {new}",
      example=('"constraints": {"required": "false"}', '"constraints": {"required": "false", "hidden": "true"}'))
def connection_parameter_hidden_changed(ctx, old, new):
    if isinstance(old, dict) and isinstance(new, dict) and _hidden(old) != _hidden(new):
        yield hit(old=_hidden(old), new=_hidden(new), at="/uiDefinition/constraints/hidden")


def _allowed(param: Any) -> list | None:
    values = _constraints(param).get("allowedValues")
    if not isinstance(values, list):
        return None
    return [v.get("value") if isinstance(v, dict) else v for v in values]


@rule("connection-parameter-allowed-values-removed", Level.RISKY, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="Values were removed from a connection parameter's allowed values (uiDefinition.constraints."
                  "allowedValues), or a list was put on a free parameter.",
      why="Existing connections keep the value they hold; new connections can no longer pick it. Breaking where a "
          "policy or the host depends on the value: check those.",
      message="connection parameter {name}: allowed values removed: {removed}",
      example=('"allowedValues": [{"text": "US", "value": "us"}, {"text": "EU", "value": "eu"}]',
               '"allowedValues": [{"text": "US", "value": "us"}]'))
def connection_parameter_allowed_values_removed(ctx, old, new):
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return
    before, after = _allowed(old), _allowed(new)
    if after is None:
        return
    removed = ["any value outside the new list"] if before is None else [v for v in before if v not in after]
    if removed:
        yield hit(old=before, new=after, at="/uiDefinition/constraints/allowedValues", removed=removed)


@rule("connection-parameter-allowed-values-added", Level.ADDITIVE, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="Values were added to a connection parameter's allowed values (or its list was dropped).",
      why="New connections get more choices; existing connections keep theirs.",
      message="connection parameter {name}: allowed values added: {added}",
      example=('"allowedValues": [{"text": "US", "value": "us"}]',
               '"allowedValues": [{"text": "US", "value": "us"}, {"text": "EU", "value": "eu"}]'))
def connection_parameter_allowed_values_added(ctx, old, new):
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return
    before, after = _allowed(old), _allowed(new)
    if before is None:
        return
    added = ["any value"] if after is None else [v for v in after if v not in before]
    if added:
        yield hit(old=before, new=after, at="/uiDefinition/constraints/allowedValues", added=added)


@rule("oauth-settings-changed", Level.RISKY, CP,
      impact=FlowImpact.CONNECTS, section=Section.SECURITY,
      todo="Check that existing connections still sign in; recreate any that fail.",
      description="OAuth settings changed (client id, scopes, URLs, custom parameters), with the same identity provider.",
      why="Sign-in may ask for other consent or fail for existing connections: test with an existing connection.",
      message="connection parameter {name}: OAuth setting {setting} changed",
      example=('"oAuthSettings": {"scopes": ["read"]}', '"oAuthSettings": {"scopes": ["read", "write"]}'))
def oauth_settings_changed(ctx, old, new):
    yield from _settings_changed(old, new, "oAuthSettings", None, skip=_NOT_COMPARED, name="setting")


def _settings_changed(old, new, member: str, keys, *, skip=(), name: str | None = None):
    """Hits for the keys (all of them when ``keys`` is None) of one object of a connection
    parameter, e.g. ``oAuthSettings`` or ``uiDefinition``, that differ between the sides."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return
    before, after = old.get(member) or {}, new.get(member) or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return
    for key in keys if keys is not None else sorted(set(before) | set(after)):
        if key not in skip and before.get(key) != after.get(key):
            extra = {name: key} if name else {}
            yield hit(old=before.get(key), new=after.get(key), at=f"/{member}/{key}", **extra)


#: ``identityProvider`` is the auth type (auth-type-changed); ``clientSecret`` is never
#: downloaded, is redacted in the store, and must never be printed: not compared at all.
_NOT_COMPARED = {"identityProvider", "clientSecret"}


@rule("connection-parameter-display-changed", Level.COSMETIC, CP,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      noun="connection display text",
      description="A connection parameter's display text (uiDefinition) changed.",
      why="Display text on the connection dialog only.",
      message="connection parameter {name}: display text changed",
      example=('"uiDefinition": {"displayName": "Key"}', '"uiDefinition": {"displayName": "API key"}'))
def connection_parameter_display_changed(ctx, old, new):
    yield from _settings_changed(old, new, "uiDefinition", ("displayName", "description", "tooltip"))


def parameter_sets(connector) -> dict[str, dict]:
    values = connector.section("connectionParameterSets").get("values")
    out = {}
    for entry in values if isinstance(values, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            out[entry["name"]] = entry
    return out


def set_positions(connector) -> dict[str, int]:
    """Where each named set sits in ``connectionParameterSets.values`` (the last one of a
    repeated name, as :func:`parameter_sets` keeps): the engine's pointers into a set, and
    the set findings' own (a finding points at its set, not at every set, so the residual
    pass still sees the others)."""
    values = connector.section("connectionParameterSets").get("values")
    return {entry["name"]: index for index, entry in enumerate(values if isinstance(values, list) else ())
            if isinstance(entry, dict) and isinstance(entry.get("name"), str)}


@rule("connection-parameter-set-removed", Level.BREAKING, C,
      impact=FlowImpact.CONNECTS, section=Section.REMOVED,
      todo=("Recreate the connections that used the {old} sign-in option with one of the remaining options, "
            "and switch every flow and app to them."),
      description="A connection parameter set (one of several ways to authenticate) was removed.",
      why="Connections created with that option stop working and must be recreated with another one.",
      message="connection parameter set {old} was removed",
      example=('"connectionParameterSets": {"values": [{"name": "oauth"}, {"name": "key"}]}',
               '"connectionParameterSets": {"values": [{"name": "oauth"}]}'))
def connection_parameter_set_removed(ctx, old, new):
    before, after = parameter_sets(old), parameter_sets(new)
    positions = set_positions(old)
    for name in before:
        if name not in after:
            yield Hit(old=name, location=f"connection/{name}", file=PROPERTIES_NAME,
                      pointer=("properties", "connectionParameterSets", "values", positions[name]), side="old")


@rule("connection-parameter-set-added", Level.ADDITIVE, C,
      impact=FlowImpact.CONNECTS, section=Section.ADDED,
      description="A connection parameter set (a new way to authenticate) was added.",
      why="A new option when creating connections; existing connections keep theirs.",
      message="connection parameter set {new} was added",
      example=('"connectionParameterSets": {"values": [{"name": "oauth"}]}',
               '"connectionParameterSets": {"values": [{"name": "oauth"}, {"name": "key"}]}'))
def connection_parameter_set_added(ctx, old, new):
    before, after = parameter_sets(old), parameter_sets(new)
    if not before:
        return  # connection-parameter-sets-introduced covers the move from plain parameters to sets
    positions = set_positions(new)
    for name in after:
        if name not in before:
            yield Hit(new=name, location=f"connection/{name}", file=PROPERTIES_NAME,
                      pointer=("properties", "connectionParameterSets", "values", positions[name]))


@rule("connection-parameter-sets-introduced", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="Connections are now created with one of several connection parameter sets (multiple "
                  "authentication types), where they used the plain connection parameters before.",
      why="Existing connections were created without a set: check that they still sign in, and which set new "
          "connections should pick. The plain parameters are still compared against their old values.",
      message="connection parameter sets were introduced: {new}",
      example=('"connectionParameters": {"api_key": {"type": "securestring"}}',
               '"connectionParameterSets": {"values": [{"name": "key", "parameters": {"api_key": {"type": "securestring"}}}, '
               '{"name": "oauth", "parameters": {"token": {"type": "oauthSetting"}}}]}'))
def connection_parameter_sets_introduced(ctx, old, new):
    before, after = parameter_sets(old), parameter_sets(new)
    if not before and after:
        yield Hit(new=list(after), location="connectionParameterSets", file=PROPERTIES_NAME,
                  pointer=("properties", "connectionParameterSets"))


def policies(connector) -> dict[str, dict]:
    values = connector.properties.get("policyTemplateInstances")
    out: dict[str, dict] = {}
    for index, entry in enumerate(values if isinstance(values, list) else ()):
        if not isinstance(entry, dict):
            continue
        title = entry.get("title") or entry.get("templateId") or f"policy {index + 1}"
        key, n = str(title), 2
        while key in out:
            key, n = f"{title} #{n}", n + 1
        out[key] = entry
    return out


@rule("policy-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="A policy template instance (set host, set header, route...) was added, removed or changed.",
      why="Policies rewrite requests at run time: the same flow may now call another URL or send other headers.",
      message="policy {title} was {what}",
      example=('"policyTemplateInstances": []',
               '"policyTemplateInstances": [{"templateId": "setheader", "title": "Set API version", "parameters": '
               '{"x-ms-apimTemplateParameter.name": "api-version", "x-ms-apimTemplateParameter.value": "2024-06-01", '
               '"x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}]'))
def policy_changed(ctx, old, new):
    before, after = policies(old), policies(new)
    for title in list(before) + [t for t in after if t not in before]:
        a, b = before.get(title), after.get(title)
        if a == b:
            continue
        what = "added" if a is None else "removed" if b is None else "changed"
        yield Hit(old=a, new=b, location=f"policy/{title}", file=PROPERTIES_NAME,
                  pointer=("properties", "policyTemplateInstances"), side="new" if b is not None else "old",
                  details=(("title", title), ("what", what)))


@rule("script-operations-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="The list of operations that run through script.csx (scriptOperations) changed.",
      why="Operations added to or removed from the list start or stop running the custom code. An empty list means "
          "every operation runs through the script.",
      message="scriptOperations changed from {old} to {new}{meaning}",
      example=('"scriptOperations": ["GetItem"]', '"scriptOperations": ["GetItem", "ListItems"]'))
def script_operations_changed(ctx, old, new):
    before, after = old.properties.get("scriptOperations"), new.properties.get("scriptOperations")
    if before != after:
        meaning = ""
        if after == [] and new.script_digest is not None:
            meaning = ": every operation now runs through script.csx"
        elif before == [] and old.script_digest is not None:
            meaning = ": only the listed operations run through script.csx now, not every one"
        yield Hit(old=before, new=after, location="scriptOperations", file=PROPERTIES_NAME,
                  pointer=("properties", "scriptOperations"), side="new" if after is not None else "old",
                  details=(("meaning", meaning),))


@rule("capabilities-changed", Level.RISKY, C,
      impact=FlowImpact.CONNECTS, section=Section.CHANGED,
      description="The connector's capabilities changed (apiProperties capabilities or x-ms-capabilities).",
      why="Capabilities decide where the connector can be used (actions, triggers, gateway, testConnection).",
      message="{name} changed from {old} to {new}",
      example=('"capabilities": ["actions"]', '"capabilities": ["actions", "cloud"]'))
def capabilities_changed(ctx, old, new):
    before, after = old.properties.get("capabilities"), new.properties.get("capabilities")
    if before != after:
        yield Hit(old=before, new=after, location="capabilities", file=PROPERTIES_NAME,
                  pointer=("properties", "capabilities"), side="new" if after is not None else "old")
    before, after = old.swagger.get("x-ms-capabilities"), new.swagger.get("x-ms-capabilities")
    if before != after:
        yield Hit(old=before, new=after, location="x-ms-capabilities", pointer=("x-ms-capabilities",),
                  side="new" if after is not None else "old")


@rule("connection-parameters-ignored-changed", Level.COSMETIC, C,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='unused connection parameters',
      description="The plain connectionParameters changed while the connector has connectionParameterSets.",
      why="Once connectionParameterSets exist, the platform creates connections with one of the sets and ignores the "
          "plain connectionParameters: this change has no effect (was it meant for a set?).",
      message="connectionParameters changed, but the platform ignores them: connections use connectionParameterSets",
      example=('"connectionParameters": {"region": {"type": "string"}}, "connectionParameterSets": {"values": '
               '[{"name": "key", "parameters": {"api_key": {"type": "securestring"}}}]}',
               '"connectionParameters": {}, "connectionParameterSets": {"values": '
               '[{"name": "key", "parameters": {"api_key": {"type": "securestring"}}}]}'))
def connection_parameters_ignored_changed(ctx, old, new):
    if parameter_sets(old) and parameter_sets(new):
        before, after = old.section("connectionParameters"), new.section("connectionParameters")
        if before != after:
            yield Hit(old=sorted(before), new=sorted(after), location="connectionParameters", file=PROPERTIES_NAME,
                      pointer=("properties", "connectionParameters"),
                      side="new" if "connectionParameters" in new.properties else "old")
