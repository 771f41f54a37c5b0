"""Rules on outputs: responses, their schemas, and webhook payloads
(``x-ms-notification-content``), which flows read as dynamic content."""

from __future__ import annotations

from ..changes import Level
from . import FlowImpact, Kind, Section, hit, rule

RS = Kind.RESPONSE
RP = Kind.RESPONSE_PROPERTY


@rule("response-removed", Level.BREAKING, RS,
      impact=FlowImpact.READS_ANY, section=Section.REMOVED,
      todo=("Check the later steps that read this {kind}'s outputs: the {code} response is no longer "
            "described, so its dynamic content is gone."),
      description="An operation no longer declares outputs: its success response (the lowest 2xx with a schema, else "
                  "default) or that response's schema was removed.",
      why="Flows read outputs from it: every dynamic-content reference to its fields breaks.",
      message="the outputs of {operation} (response {code} and its schema) were removed",
      example=('"responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}}',
               '"responses": {"204": {"description": "No content"}}'))
def response_removed(ctx, old, new):
    # The engine pairs each operation's output response (Operation.output) only; one that
    # moved to another success code arrives paired with it.
    if old is not None and new is None:
        yield hit(old=old.code, code=old.code)


@rule("response-code-changed", Level.RISKY, RS,
      impact=FlowImpact.READS_ANY, section=Section.CHANGED,
      description="The response that holds the outputs moved to another status code (200 to 201, default to 200...); "
                  "its outputs are compared across the move.",
      why="Outputs keep their names, but whatever reads the status code (outputs('Step')['statusCode'], conditions) "
          "sees another value: check the service really answers with the new code.",
      message="response {old} of {operation} is now {new}",
      example=('"responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}}',
               '"responses": {"201": {"description": "Created", "schema": {"$ref": "#/definitions/Item"}}}'))
def response_code_changed(ctx, old, new):
    if old is not None and new is not None and old.code != new.code:
        yield hit(old=old.code, new=new.code, code=old.code)


@rule("response-added", Level.ADDITIVE, RS,
      impact=FlowImpact.READS_ANY, section=Section.ADDED,
      description="An operation that declared no outputs now has a success response with a schema.",
      why="New outputs: existing flows are unaffected.",
      message="response {code} of {operation} was added",
      example=('"responses": {"204": {"description": "No content"}}',
               '"responses": {"200": {"description": "OK", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}'))
def response_added(ctx, old, new):
    if old is None and new is not None:
        yield hit(new=new.code, code=new.code)


@rule("response-property-removed", Level.BREAKING, RP,
      impact=FlowImpact.READS, section=Section.REMOVED,
      todo=("Replace every use of the output {path} in later steps (dynamic content and expressions): it no "
            "longer exists and reads as empty."),
      description="An output field was removed (from a response or a webhook payload).",
      why="Flows that use it as dynamic content get nothing, or fail when the expression needs it.",
      message="output field {path} of {operation} was removed",
      example=('"properties": {"id": {"type": "string"}, "total": {"type": "number"}}', '"properties": {"id": {"type": "string"}}'))
def response_property_removed(ctx, old, new):
    if old is not None and new is None and old.segments and old.segments[-1] != "items":
        yield hit(old="/".join(old.segments), path="/".join(old.segments))


@rule("response-property-added", Level.ADDITIVE, RP,
      impact=FlowImpact.READS, section=Section.ADDED,
      description="An output field was added.",
      why="New dynamic content; existing flows are unaffected.",
      message="output field {path} of {operation} was added",
      example=('"properties": {"id": {"type": "string"}}', '"properties": {"id": {"type": "string"}, "total": {"type": "number"}}'))
def response_property_added(ctx, old, new):
    if old is None and new is not None and new.segments and new.segments[-1] != "items":
        yield hit(new="/".join(new.segments), path="/".join(new.segments))


@rule("response-property-type-changed", Level.BREAKING, RP,
      impact=FlowImpact.READS, section=Section.CHANGED,
      todo=("Check the later steps that use the output {path}: its {attribute} is now {new} (was {old}); fix "
            "expressions and conditions that rely on the old one."),
      description="An output field's type or format changed (adding a type where none was declared, or dropping a format, counts).",
      why="Expressions and later steps that use the value expect the old type; the checker reports this as an error.",
      message="output field {path} of {operation}: {attribute} changed from {old} to {new}",
      example=('"total": {"type": "string"}', '"total": {"type": "number"}'))
def response_property_type_changed(ctx, old, new):
    if old is None or new is None:
        return
    for attribute in ("type", "format"):
        before, after = _declared(old, attribute), _declared(new, attribute)
        if before != after:
            yield hit(old=before, new=after, at=f"/{attribute}", attribute=attribute,
                      path="/".join(new.segments) or "(body)")


@rule("response-property-enum-changed", Level.RISKY, RP,
      impact=FlowImpact.READS, section=Section.CHANGED,
      description="The enum of an output field changed.",
      why="Conditions in flows that compare the value against the old list may take other branches.",
      message="output field {path} of {operation}: enum changed",
      example=('"status": {"enum": ["open", "closed"]}', '"status": {"enum": ["open", "closed", "archived"]}'))
def response_property_enum_changed(ctx, old, new):
    if old is not None and new is not None and not _same_values(old.enum, new.enum):
        yield hit(old=old.enum, new=new.enum, at="/enum", path="/".join(new.segments) or "(body)")


def _same_values(a: list | None, b: list | None) -> bool:
    """Two enums allow the same values (order does not matter)."""
    if a is None or b is None:
        return a is b
    return all(v in b for v in a) and all(v in a for v in b)


@rule("response-property-description-changed", Level.COSMETIC, RP,
      impact=FlowImpact.READS, section=Section.CHANGED,
      noun="output descriptions",
      description="An output field's display text (x-ms-summary, description, title) changed.",
      why="Display text only: the dynamic-content label changes.",
      message="output field {path} of {operation}: {field} changed",
      example=('"total": {"x-ms-summary": "Total"}', '"total": {"x-ms-summary": "Grand total"}'))
def response_property_description_changed(ctx, old, new):
    if old is None or new is None:
        return
    before, after = old.texts, new.texts
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            yield hit(old=before.get(key), new=after.get(key), at=f"/{key}", field=key,
                      path="/".join(new.segments) or "(body)")


@rule("notification-content-removed", Level.BREAKING, RP,
      impact=FlowImpact.READS_ANY, section=Section.REMOVED,
      todo=("Re-add this trigger in every flow that uses it and check the steps that use its outputs: its "
            "payload is no longer described."),
      description="A webhook trigger's payload schema (x-ms-notification-content) was removed.",
      why="Flows read the trigger's outputs from it: every dynamic-content reference to them breaks.",
      message="webhook payload schema of {operation} was removed",
      example=('"/hooks": {"x-ms-notification-content": {"schema": {"type": "object", "properties": {"taskId": '
               '{"type": "string"}}}}, "post": {"operationId": "OnTaskEvent", "x-ms-trigger": "single"}}',
               '"/hooks": {"post": {"operationId": "OnTaskEvent", "x-ms-trigger": "single"}}'))
def notification_content_removed(ctx, old, new):
    if old is not None and new is None and not old.segments and old.name == "x-ms-notification-content":
        yield hit(old="x-ms-notification-content")


@rule("notification-content-added", Level.ADDITIVE, RP,
      impact=FlowImpact.READS, section=Section.ADDED,
      description="A webhook trigger gained a payload schema (x-ms-notification-content).",
      why="The trigger's outputs become available as dynamic content; existing flows are unaffected.",
      message="webhook payload schema of {operation} was added",
      example=('"/hooks": {"post": {"operationId": "OnEvent", "x-ms-trigger": "single"}}',
               '"/hooks": {"x-ms-notification-content": {"schema": {"type": "object"}}, '
               '"post": {"operationId": "OnEvent", "x-ms-trigger": "single"}}'))
def notification_content_added(ctx, old, new):
    if old is None and new is not None and not new.segments and new.name == "x-ms-notification-content":
        yield hit(new="x-ms-notification-content")


def _declared(field, attribute: str):
    """A schema attribute as declared (see :meth:`Field.declared`)."""
    return field.declared(attribute)
