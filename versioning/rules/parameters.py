"""Rules on inputs: operation parameters and body schema fields.

Most checks apply to both: the same function is registered once for parameters
(``parameter-*``) and once for body fields (``request-property-*``), which flows address
as ``<bodyParam>/<property path>``.
"""

from __future__ import annotations

from ..changes import Level
from . import FlowImpact, Kind, Section, forms, hit, rule

P = Kind.PARAMETER


def is_container(field) -> bool:
    """A node holding a list's items or a map's values (``additionalProperties``) rather than
    a named field: its appearing or vanishing is not a field added or removed (what is below
    it is compared)."""
    return field.segments[-1:] == ("items",) or field.container
R = Kind.REQUEST_PROPERTY

_ADD_EXAMPLE = ('"parameters": []', '"parameters": [{"name": "tenant", "in": "query", "type": "string", "required": true}]')


def _required_input(field) -> bool:
    """Required of the flow: a ``readOnly`` property listed in ``required`` is required in the
    service's answers only, never something a flow must send."""
    return field.required and not _read_only(field)


def _read_only(field) -> bool:
    return field.schema.get("readOnly") is True or (field.raw or {}).get("readOnly") is True


def _is_filled_by_platform(field) -> bool:
    """A required input users never see: internal with a default the platform sends."""
    return field.visibility == "internal" and field.has_default


@rule("parameter-removed", Level.BREAKING, P,
      impact=FlowImpact.SENDS, section=Section.REMOVED,
      todo=("Open every step that uses this {kind}, remove the value given for {key} and check the step still "
            "does what you expect without it."),
      description="A parameter was removed from an operation.",
      why="Flows that set it fail validation or silently lose the value; the step must be edited.",
      message="parameter {name} of {operation} was removed",
      example=('"parameters": [{"name": "top", "in": "query", "type": "integer"}]', '"parameters": []'))
@rule("request-property-removed", Level.BREAKING, R,
      impact=FlowImpact.SENDS, section=Section.REMOVED,
      todo=("Open every step that uses this {kind}, remove the value given for {key} and check the step still "
            "does what you expect without it."),
      description="A field was removed from an operation's request body.",
      why="Flows send body fields by key (<bodyParam>/<path>): a removed field makes those steps fail or drop the value.",
      message="body field {key} of {operation} was removed",
      example=('"properties": {"name": {"type": "string"}, "note": {"type": "string"}}', '"properties": {"name": {"type": "string"}}'))
def input_removed(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is not None and new is None and not is_container(old):
        yield hit(old=old.flow_key, key=old.flow_key)


@rule("parameter-added-required", Level.BREAKING, P,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      todo="Fill the new required field {key} in every step that uses this {kind}.",
      description="A required parameter was added to an operation.",
      why="Existing flow steps do not send it: they fail until someone edits every step and fills it in.",
      message="required parameter {name} was added to {operation}",
      example=_ADD_EXAMPLE)
@rule("request-property-added-required", Level.BREAKING, R,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      todo="Fill the new required field {key} in every step that uses this {kind}.",
      description="A required field was added to an operation's request body.",
      why="Existing flow steps do not send it: they fail until someone edits every step and fills it in.",
      message="required body field {key} was added to {operation}",
      example=('"required": [], "properties": {}', '"required": ["tenant"], "properties": {"tenant": {"type": "string"}}'))
def input_added_required(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is None and new is not None and _required_input(new) and not _is_filled_by_platform(new) and not is_container(new):
        yield hit(new=new.flow_key, key=new.flow_key)


@rule("parameter-added-optional", Level.ADDITIVE, P,
      impact=FlowImpact.SENDS, section=Section.ADDED,
      description="An optional parameter (or a required internal one with a default) was added.",
      why="New capability; existing flows keep working without it.",
      message="optional parameter {name} was added to {operation}",
      example=('"parameters": []', '"parameters": [{"name": "top", "in": "query", "type": "integer"}]'))
@rule("request-property-added-optional", Level.ADDITIVE, R,
      impact=FlowImpact.SENDS, section=Section.ADDED,
      description="An optional field (or a required internal one with a default) was added to a request body.",
      why="New capability; existing flows keep working without it.",
      message="optional body field {key} was added to {operation}",
      example=('"properties": {}', '"properties": {"note": {"type": "string"}}'))
def input_added_optional(ctx, old, new):
    if old is None and new is not None and (not _required_input(new) or _is_filled_by_platform(new)) and not is_container(new):
        yield hit(new=new.flow_key, key=new.flow_key, internal_default=_is_filled_by_platform(new))


@rule("parameter-became-required", Level.BREAKING, P,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      todo="Fill {key} in every step of this {kind} that leaves it empty: it is now required.",
      description="An optional parameter became required.",
      why="Flow steps that left it empty now fail until someone fills it in.",
      message="parameter {name} of {operation} became required",
      example=('{"name": "tenant", "in": "query", "required": false}', '{"name": "tenant", "in": "query", "required": true}'))
@rule("request-property-became-required", Level.BREAKING, R,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      todo="Fill {key} in every step of this {kind} that leaves it empty: it is now required.",
      description="An optional request body field became required.",
      why="Flow steps that left it empty now fail until someone fills it in.",
      message="body field {key} of {operation} became required",
      example=('"required": []', '"required": ["tenant"]'))
def input_became_required(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is not None and new is not None and _required_input(new) and not _required_input(old) and not _is_filled_by_platform(new):
        yield hit(old=False, new=True, at="/required", key=new.flow_key)


@rule("parameter-became-optional", Level.ADDITIVE, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A required parameter became optional.",
      why="Loosened: existing flows keep working.",
      message="parameter {name} of {operation} became optional",
      example=('{"name": "tenant", "required": true}', '{"name": "tenant", "required": false}'))
@rule("request-property-became-optional", Level.ADDITIVE, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A required request body field became optional.",
      why="Loosened: existing flows keep working.",
      message="body field {key} of {operation} became optional",
      example=('"required": ["tenant"]', '"required": []'))
def input_became_optional(ctx, old, new):
    if old is not None and new is not None and _required_input(old) and not _required_input(new):
        yield hit(old=True, new=False, at="/required", key=new.flow_key)


@rule("parameter-location-changed", Level.BREAKING, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      todo=("Open every step that uses this {kind} and re-enter {name} where the designer shows it empty (it "
            "is now a {new} parameter)."),
      description="A parameter moved (for example from query to header).",
      why="The value flows send is now put elsewhere in the request; the checker reports this as an error.",
      message="parameter {name} of {operation} moved from {old} to {new}",
      example=('{"name": "key", "in": "query"}', '{"name": "key", "in": "header"}'))
def parameter_location_changed(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    # The engine pairs a parameter that disappeared from one ``in`` and appeared in another
    # under the same name, so a move reaches the rules as one pair.
    if old is not None and new is not None and old.location != new.location:
        yield hit(old=old.location, new=new.location, at="/in")


@rule("body-parameter-renamed", Level.BREAKING, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      todo=("Re-add this {kind} in every flow that uses it and fill in its body fields again: their keys now "
            "start with {new}/ instead of {old}/."),
      description="The body parameter's name changed.",
      why="Flows address every body field as <bodyParam>/<path>: all of those keys change prefix and the values are lost.",
      message="body parameter of {operation} was renamed from {old} to {new}",
      example=('{"name": "body", "in": "body"}', '{"name": "payload", "in": "body"}'))
def body_parameter_renamed(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is not None and new is not None and old.location == "body" and old.name != new.name:
        yield hit(old=old.name, new=new.name, key=old.name)  # flows keyed their body fields by the old name


@rule("parameter-type-changed", Level.BREAKING, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      todo=("Check the value given for {key} in every step of this {kind}: its {attribute} is now {new} (was "
            "{old})."),
      description="A parameter's type or format changed so that it accepts less (a type change with a format change "
                  "is one change).",
      why="Values flows send may no longer be accepted or be read differently; the checker reports this as an error. "
          "A change that only widens what is accepted (a format dropped, int32 to int64, integer to number) is "
          "parameter-type-widened instead.",
      message="parameter {name} of {operation}: {attribute} changed from {old} to {new}{also}",
      example=('{"name": "count", "in": "query", "type": "string"}', '{"name": "count", "in": "query", "type": "integer"}'))
@rule("request-property-type-changed", Level.BREAKING, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      todo=("Check the value given for {key} in every step of this {kind}: its {attribute} is now {new} (was "
            "{old})."),
      description="A request body field's type or format changed so that it accepts less.",
      why="Values flows send may no longer be accepted or be read differently. A change that only widens what is "
          "accepted is request-property-type-widened instead.",
      message="body field {key} of {operation}: {attribute} changed from {old} to {new}{also}",
      example=('"count": {"type": "string"}', '"count": {"type": "integer"}'))
def input_type_changed(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is not None and new is not None and not forms.input_widened(old, new):
        change = forms.type_change(old, new)
        if change is not None:
            yield hit(**change, key=new.flow_key)


@rule("parameter-type-widened", Level.RISKY, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A parameter now accepts more values: its format was dropped or widened (int32 to int64), or its "
                  "type went from integer to number.",
      why="Every value an existing flow sends still fits, so nothing breaks; the service must cope with the wider "
          "values new flows may send.",
      message="parameter {name} of {operation}: {attribute} widened from {old} to {new}",
      example=('{"name": "count", "in": "query", "type": "integer", "format": "int32"}',
               '{"name": "count", "in": "query", "type": "integer", "format": "int64"}'))
@rule("request-property-type-widened", Level.RISKY, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A request body field now accepts more values (format dropped or widened, integer to number).",
      why="Every value an existing flow sends still fits, so nothing breaks; the service must cope with the wider "
          "values new flows may send.",
      message="body field {key} of {operation}: {attribute} widened from {old} to {new}",
      example=('"count": {"type": "integer"}', '"count": {"type": "number"}'))
def input_type_widened(ctx, old, new):
    if old is not None and new is not None and forms.input_widened(old, new):
        change = forms.type_change(old, new)
        if change is not None:
            yield hit(**change, key=new.flow_key)


@rule("parameter-enum-values-removed", Level.BREAKING, P,
      impact=FlowImpact.SENDS, section=Section.REMOVED,
      todo="Change {key} in every step of this {kind} that uses a value no longer allowed ({removed}).",
      description="Values were removed from a parameter's enum, or an enum was added to a free input.",
      why="Flows that send a value no longer allowed fail; the designer shows the step as invalid.",
      message="parameter {name} of {operation}: allowed values removed: {removed}",
      example=('{"name": "kind", "enum": ["a", "b"]}', '{"name": "kind", "enum": ["a"]}'))
@rule("request-property-enum-values-removed", Level.BREAKING, R,
      impact=FlowImpact.SENDS, section=Section.REMOVED,
      todo="Change {key} in every step of this {kind} that uses a value no longer allowed ({removed}).",
      description="Values were removed from a request body field's enum, or an enum was added to a free field.",
      why="Flows that send a value no longer allowed fail.",
      message="body field {key} of {operation}: allowed values removed: {removed}",
      example=('"kind": {"enum": ["a", "b"]}', '"kind": {"enum": ["a"]}'))
def input_enum_narrowed(ctx, old, new):
    if helper_input(ctx):
        return  # judged by internal-input-changed
    if old is None or new is None or new.enum is None or forms.respelled_enum(old, new):
        return
    if old.enum is None:
        yield hit(old=None, new=new.enum, at="/enum", removed="any value outside the new list", key=new.flow_key)
        return
    removed = [v for v in old.enum if v not in new.enum]
    if removed:
        yield hit(old=old.enum, new=new.enum, at="/enum", removed=removed, key=new.flow_key)


@rule("parameter-enum-values-added", Level.ADDITIVE, P,
      impact=FlowImpact.SENDS, section=Section.ADDED,
      description="Values were added to a parameter's enum (or its enum was dropped).",
      why="Loosened: existing flows keep working.",
      message="parameter {name} of {operation}: allowed values added: {added}",
      example=('{"name": "kind", "enum": ["a"]}', '{"name": "kind", "enum": ["a", "b"]}'))
@rule("request-property-enum-values-added", Level.ADDITIVE, R,
      impact=FlowImpact.SENDS, section=Section.ADDED,
      description="Values were added to a request body field's enum (or its enum was dropped).",
      why="Loosened: existing flows keep working.",
      message="body field {key} of {operation}: allowed values added: {added}",
      example=('"kind": {"enum": ["a"]}', '"kind": {"enum": ["a", "b"]}'))
def input_enum_widened(ctx, old, new):
    if old is None or new is None or old.enum is None or forms.respelled_enum(old, new):
        return
    if new.enum is None:
        yield hit(old=old.enum, new=None, at="/enum", added="any value", key=new.flow_key)
        return
    added = [v for v in new.enum if v not in old.enum]
    if added:
        yield hit(old=old.enum, new=new.enum, at="/enum", added=added, key=new.flow_key)


@rule("parameter-default-changed", Level.RISKY, P,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      description="A parameter's default value changed.",
      why="Steps that never set it now send a different value: behaviour may change without any error.",
      message="parameter {name} of {operation}: default changed from {old} to {new}",
      example=('{"name": "top", "default": 10}', '{"name": "top", "default": 50}'))
@rule("request-property-default-changed", Level.RISKY, R,
      impact=FlowImpact.OMITS, section=Section.CHANGED,
      description="A request body field's default value changed.",
      why="Steps that never set it now send a different value.",
      message="body field {key} of {operation}: default changed from {old} to {new}",
      example=('"top": {"default": 10}', '"top": {"default": 50}'))
def input_default_changed(ctx, old, new):
    if old is not None and new is not None and (old.has_default or new.has_default) and old.default != new.default:
        yield hit(old=old.default, new=new.default, at="/default", key=new.flow_key)


_TIGHTER_IF_LOWER = {"maxLength", "maximum", "maxItems", "exclusiveMaximum"}
_TIGHTER_IF_HIGHER = {"minLength", "minimum", "minItems", "exclusiveMinimum"}
_EXCLUSIVE = {"exclusiveMaximum", "exclusiveMinimum"}


def _constraint_moves(old, new):
    """(key, old, new, tightened?) for every constraint that changed."""
    before, after = old.constraints, new.constraints
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if key in _EXCLUSIVE:  # Swagger 2.0: a boolean about maximum/minimum, absent meaning false
            if bool(a is True) == bool(b is True) and not (_is_number(a) or _is_number(b)):
                continue
            if not (_is_number(a) or _is_number(b)):
                yield key, a, b, b is True
                continue
        if a == b:
            continue
        if a is None:
            tighter = True
        elif b is None:
            tighter = False
        elif key in _TIGHTER_IF_LOWER and _is_number(a) and _is_number(b):
            tighter = b < a
        elif key in _TIGHTER_IF_HIGHER and _is_number(a) and _is_number(b):
            tighter = b > a
        elif key == "uniqueItems":
            tighter = bool(b)
        else:  # pattern, multipleOf changed: treat as tighter (a person should look)
            tighter = True
        yield key, a, b, tighter


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@rule("parameter-constraint-tightened", Level.RISKY, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A parameter's constraint was added or tightened (maxLength, pattern, minimum...).",
      why="Values that existing flows send may now be rejected.",
      message="parameter {name} of {operation}: {constraint} changed from {old} to {new}",
      example=('{"name": "q", "type": "string"}', '{"name": "q", "type": "string", "maxLength": 50}'))
@rule("request-property-constraint-tightened", Level.RISKY, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A request body field's constraint was added or tightened.",
      why="Values that existing flows send may now be rejected.",
      message="body field {key} of {operation}: {constraint} changed from {old} to {new}",
      example=('"q": {"type": "string"}', '"q": {"type": "string", "maxLength": 50}'))
def input_constraint_tightened(ctx, old, new):
    if old is None or new is None:
        return
    for key, a, b, tighter in _constraint_moves(old, new):
        if tighter:
            yield hit(old=a, new=b, at=f"/{key}", constraint=key, key=new.flow_key)


@rule("parameter-constraint-loosened", Level.ADDITIVE, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A parameter's constraint was removed or loosened.",
      why="Loosened: everything that was accepted still is.",
      message="parameter {name} of {operation}: {constraint} changed from {old} to {new}",
      example=('{"name": "q", "maxLength": 50}', '{"name": "q", "maxLength": 100}'))
@rule("request-property-constraint-loosened", Level.ADDITIVE, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A request body field's constraint was removed or loosened.",
      why="Loosened: everything that was accepted still is.",
      message="body field {key} of {operation}: {constraint} changed from {old} to {new}",
      example=('"q": {"maxLength": 50}', '"q": {"maxLength": 100}'))
def input_constraint_loosened(ctx, old, new):
    if old is None or new is None:
        return
    for key, a, b, tighter in _constraint_moves(old, new):
        if not tighter:
            yield hit(old=a, new=b, at=f"/{key}", constraint=key, key=new.flow_key)


@rule("parameter-hidden", Level.RISKY, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A parameter became x-ms-visibility: internal.",
      why="Users can no longer see or set it; steps that set a value keep sending it, but new steps get the default only.",
      message="parameter {name} of {operation} was hidden (internal)",
      example=('{"name": "api-version", "in": "query"}', '{"name": "api-version", "in": "query", "x-ms-visibility": "internal"}'))
@rule("request-property-hidden", Level.RISKY, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A request body field became x-ms-visibility: internal.",
      why="Users can no longer see or set it.",
      message="body field {key} of {operation} was hidden (internal)",
      example=('"mode": {"type": "string"}', '"mode": {"type": "string", "x-ms-visibility": "internal"}'))
def input_hidden(ctx, old, new):
    if old is not None and new is not None and new.visibility == "internal" and old.visibility != "internal":
        yield hit(old=old.visibility, new="internal", at="/x-ms-visibility", key=new.flow_key)


@rule("parameter-visibility-changed", Level.COSMETIC, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      noun='input visibility',
      description="A parameter's x-ms-visibility moved between important, advanced and none (or out of internal).",
      why="Only where the designer shows the field changes (up front, under advanced options); the value flows send "
          "is the same. Becoming internal is parameter-hidden.",
      message="parameter {name} of {operation}: visibility changed from {old} to {new}",
      example=('{"name": "top", "in": "query", "x-ms-visibility": "advanced"}',
               '{"name": "top", "in": "query", "x-ms-visibility": "important"}'))
@rule("request-property-visibility-changed", Level.COSMETIC, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      noun='input visibility',
      description="A request body field's x-ms-visibility moved between important, advanced and none (or out of "
                  "internal).",
      why="Only where the designer shows the field changes; the value flows send is the same. Becoming internal is "
          "request-property-hidden.",
      message="body field {key} of {operation}: visibility changed from {old} to {new}",
      example=('"note": {"type": "string", "x-ms-visibility": "advanced"}', '"note": {"type": "string"}'))
def input_visibility_changed(ctx, old, new):
    if old is None or new is None or new.visibility == "internal":
        return
    before, after = old.visibility or "none", new.visibility or "none"
    if before != after:
        yield hit(old=before, new=after, at="/x-ms-visibility", key=new.flow_key)


@rule("parameter-collection-format-changed", Level.RISKY, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="How an array parameter's values are joined on the wire (collectionFormat: csv, ssv, tsv, pipes, "
                  "multi) changed.",
      why="Flows send the same list, but the request now carries it differently (a=1,2 against a=1&a=2): the service "
          "may read it differently or reject it.",
      message="parameter {name} of {operation}: collectionFormat changed from {old} to {new}",
      example=('{"name": "ids", "in": "query", "type": "array", "items": {"type": "string"}}',
               '{"name": "ids", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"}'))
def parameter_collection_format_changed(ctx, old, new):
    if old is None or new is None or old.location == "body" or new.location == "body":
        return
    before, after = old.schema.get("collectionFormat") or "csv", new.schema.get("collectionFormat") or "csv"
    if before != after and "array" in (old.type, new.type):
        yield hit(old=before, new=after, at="/collectionFormat")


@rule("parameter-url-encoding-changed", Level.RISKY, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      description="A parameter's x-ms-url-encoding changed (single/double).",
      why="The same value is sent encoded differently: the service may read it differently.",
      message="parameter {name} of {operation}: x-ms-url-encoding changed from {old} to {new}",
      example=('{"name": "path", "in": "path", "x-ms-url-encoding": "double"}', '{"name": "path", "in": "path", "x-ms-url-encoding": "single"}'))
def parameter_url_encoding_changed(ctx, old, new):
    if old is not None and new is not None and old.url_encoding != new.url_encoding:
        yield hit(old=old.url_encoding, new=new.url_encoding, at="/x-ms-url-encoding")


@rule("parameter-description-changed", Level.COSMETIC, P,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      noun="input descriptions",
      description="A parameter's display text (x-ms-summary, description) changed.",
      why="Display text only.",
      message="parameter {name} of {operation}: {field} changed",
      example=('{"name": "q", "x-ms-summary": "Query"}', '{"name": "q", "x-ms-summary": "Search text"}'))
@rule("request-property-description-changed", Level.COSMETIC, R,
      impact=FlowImpact.SENDS, section=Section.CHANGED,
      noun="input descriptions",
      description="A request body field's display text (x-ms-summary, description, title) changed.",
      why="Display text only.",
      message="body field {key} of {operation}: {field} changed",
      example=('"q": {"x-ms-summary": "Query"}', '"q": {"x-ms-summary": "Search text"}'))
def input_description_changed(ctx, old, new):
    if old is None or new is None:
        return
    before, after = old.texts, new.texts
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            yield hit(old=before.get(key), new=after.get(key), at=f"/{key}", field=key, key=new.flow_key)


def _declared(field, attribute: str):
    """A schema attribute as declared (see :meth:`Field.declared`)."""
    return field.declared(attribute)


@rule("parameter-ref-renamed", Level.COSMETIC, P,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='definition names',
      description="A parameter (or the body's schema) now refers ($ref) to a definition under another name whose "
                  "content is the same.",
      why="Only the definition's name changed: the value accepted is the same, so nothing changes in meaning.",
      message="parameter {name} of {operation} now refers to {new} (was {old}); the definitions are equal",
      example=('"schema": {"$ref": "#/definitions/Task"}', '"schema": {"$ref": "#/definitions/TaskInput"}'))
@rule("request-property-ref-renamed", Level.COSMETIC, R,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='definition names',
      description="A request body field now refers ($ref) to a definition under another name whose content is the "
                  "same.",
      why="Only the definition's name changed: the value accepted is the same, so nothing changes in meaning.",
      message="body field {key} of {operation} now refers to {new} (was {old}); the definitions are equal",
      example=('"owner": {"$ref": "#/definitions/User"}', '"owner": {"$ref": "#/definitions/Person"}'))
def input_ref_renamed(ctx, old, new):
    if old is not None and new is not None and equal_under_other_name(ctx, old, new):
        yield hit(old=old.ref, new=new.ref, at="/$ref", key=new.flow_key)


def equal_under_other_name(ctx, old, new) -> bool:
    """Both nodes refer to definitions of different names and equal content."""
    return (old.ref is not None and new.ref is not None and old.ref != new.ref
            and old.schema == new.schema and ctx.same(old.schema, new.schema))


# --- inputs of internal helpers --------------------------------------------------------------

def helper_input(ctx) -> bool:
    """True while walking the inputs of an internal helper (internal on the old side), unless
    internal-input-changed is asking the checks what they would find."""
    old = ctx.pair[0]
    return old is not None and old.visibility == "internal" and not ctx.memo.get("judging-helper-inputs")


_BREAKING_INPUT_CHECKS = (input_removed, input_added_required, input_became_required, parameter_location_changed,
                          body_parameter_renamed, input_type_changed, input_enum_narrowed)


@rule("internal-input-changed", Level.RISKY, P,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      description="A parameter of an internal helper operation changed in a way that would break an action's callers "
                  "(removed, newly required, moved, retyped, values removed).",
      why="No flow calls an internal helper: the designer does, through the x-ms-dynamic-* references, with the "
          "parameters they fill. A reference that passes a parameter the helper lost, or does not pass one it now "
          "requires, is dynamic-reference-broken at the calling parameter; anything else here breaks nobody, but the "
          "calls now send other values: check the dropdowns still fill.",
      message="internal helper {operation}: {finding} (called by {callers})",
      example=('"/projects": {"get": {"operationId": "ListProjects", "x-ms-visibility": "internal", "parameters": []}}',
               '"/projects": {"get": {"operationId": "ListProjects", "x-ms-visibility": "internal", "parameters": '
               '[{"name": "site", "in": "query", "type": "string", "required": true}]}}'))
@rule("internal-body-field-changed", Level.RISKY, R,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      description="A body field of an internal helper operation changed in a way that would break an action's "
                  "callers (removed, newly required, retyped, values removed).",
      why="No flow calls an internal helper: the designer does, through the x-ms-dynamic-* references, with the "
          "values they fill. Check that the calls named still send what the helper needs.",
      message="internal helper {operation}: {finding} (called by {callers})",
      example=('"schema": {"type": "object", "properties": {"site": {"type": "string"}}}',
               '"schema": {"type": "object", "properties": {"site": {"type": "integer"}}}'))
def internal_input_changed(ctx, old, new):
    op = ctx.pair[0]
    if not helper_input(ctx) or (old is None and new is None):
        return
    from ..changes import Change
    from . import RULES, Hit, render_message
    from .references import callers

    kind = (new if new is not None else old).location is not None
    ctx.memo["judging-helper-inputs"] = True
    try:
        found = [(check, h) for check in _BREAKING_INPUT_CHECKS for h in (check(ctx, old, new) or ())]
    finally:
        ctx.memo["judging-helper-inputs"] = False
    field = new if new is not None else old
    for check, h in found:
        spec = next((r for r in RULES.values() if r.check is check and (r.kind is P) == kind), None)
        if spec is None:
            continue
        details = (("name", field.name),) + h.details
        finding = render_message(Change(spec.id, spec.level, "", operation=op.id, old=h.old, new=h.new,
                                        details=details))
        yield Hit(old=h.old, new=h.new, at=h.at,
                  details=tuple(sorted(dict(h.details, finding=finding, was=spec.id,
                                            callers=callers(ctx, op.id)).items())))
