"""Rules on outputs: responses, their schemas, and webhook payloads
(``x-ms-notification-content``), which flows read as dynamic content."""

from __future__ import annotations

from ..changes import Level
from . import FlowImpact, Hit, Kind, Section, forms, hit, rule
from .parameters import is_container

RS = Kind.RESPONSE
RP = Kind.RESPONSE_PROPERTY

# --- who reads an output -------------------------------------------------------------------
#
# The designer offers a step's success response as dynamic content, except for two kinds of
# operation: an internal helper (x-ms-visibility: internal) is not in the designer, so only the
# x-ms-dynamic-* references that call it read its outputs (the paths they read are judged at
# the consumer, by dynamic-reference-path-broken); a webhook trigger's outputs are its
# notification payload, and its registration call's response is read by the platform only.

OUTPUT = "output"              # dynamic content: flows read it
HELPER = "helper"              # an internal helper's output, or a field marked internal
REGISTRATION = "registration"  # a webhook trigger's registration response
PAYLOAD = "x-ms-notification-content"


def reader(ctx) -> str:
    """Who reads the success response of the operation being walked."""
    old, new = ctx.pair
    if old is not None and new is not None and old.trigger and new.trigger and old.is_webhook and new.is_webhook:
        return REGISTRATION
    if old is not None and old.visibility == "internal":
        return HELPER
    return OUTPUT


def field_reader(ctx, field) -> str:
    """Who reads an output schema node (a response's, or a webhook payload's)."""
    role = OUTPUT if field.name == PAYLOAD else reader(ctx)
    if role == OUTPUT and field.hidden:
        return HELPER
    if role == HELPER and field.name == PAYLOAD:
        return OUTPUT
    return role


def callers(ctx, op_id: str | None) -> str:
    """The x-ms-dynamic-* references (old definition) that call ``op_id``."""
    from .references import callers as named

    return named(ctx, op_id)


@rule("response-removed", Level.BREAKING, RS,
      impact=FlowImpact.READS_ANY, section=Section.REMOVED,
      todo=("Check the later steps that read this {kind}'s outputs: the {code} response is no longer "
            "described, so its dynamic content is gone."),
      description="An operation no longer declares outputs: its success response (the lowest 2xx with a schema, else "
                  "default) or that response's schema was removed.",
      why="Flows read outputs from it: every dynamic-content reference to its fields breaks. An empty object schema "
          "(no properties) carries no outputs, so dropping it (from a 204, say) is not reported.",
      message="the outputs of {operation} (response {code} and its schema) were removed",
      example=('"responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}}',
               '"responses": {"204": {"description": "No content"}}'))
def response_removed(ctx, old, new):
    # The engine pairs each operation's output response (Operation.output) only; one that
    # moved to another success code arrives paired with it.
    if old is not None and new is None and _carries_outputs(old) and reader(ctx) == OUTPUT:
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
    if old is not None and new is not None and old.code != new.code and reader(ctx) == OUTPUT:
        yield hit(old=old.code, new=new.code, code=old.code)


@rule("response-added", Level.ADDITIVE, RS,
      impact=FlowImpact.READS_ANY, section=Section.ADDED,
      description="An operation that declared no outputs now has a success response with a schema.",
      why="New outputs: existing flows are unaffected.",
      message="response {code} of {operation} was added",
      example=('"responses": {"204": {"description": "No content"}}',
               '"responses": {"200": {"description": "OK", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}'))
def response_added(ctx, old, new):
    if old is None and new is not None and _carries_outputs(new) and reader(ctx) != REGISTRATION:
        yield hit(new=new.code, code=new.code)


def _carries_outputs(response) -> bool:
    """An empty object schema (no properties) declares no outputs: dropping it is no removal."""
    from ..model import carries_outputs

    return response.schema is not None and carries_outputs(response.schema.schema)


@rule("response-property-removed", Level.BREAKING, RP,
      impact=FlowImpact.READS, section=Section.REMOVED,
      todo=("Replace every use of the output {path} in later steps (dynamic content and expressions): it no "
            "longer exists and reads as empty."),
      description="An output field was removed (from a response or a webhook payload).",
      why="Flows that use it as dynamic content get nothing, or fail when the expression needs it.",
      message="output field {path} of {operation} was removed",
      example=('"properties": {"id": {"type": "string"}, "total": {"type": "number"}}', '"properties": {"id": {"type": "string"}}'))
def response_property_removed(ctx, old, new):
    if old is not None and new is None and old.segments and not is_container(old) and field_reader(ctx, old) == OUTPUT:
        yield hit(old="/".join(old.segments), path="/".join(old.segments))


@rule("response-property-added", Level.ADDITIVE, RP,
      impact=FlowImpact.READS, section=Section.ADDED,
      description="An output field was added.",
      why="New dynamic content; existing flows are unaffected.",
      message="output field {path} of {operation} was added",
      example=('"properties": {"id": {"type": "string"}}', '"properties": {"id": {"type": "string"}, "total": {"type": "number"}}'))
def response_property_added(ctx, old, new):
    if (old is None and new is not None and new.segments and not is_container(new)
            and field_reader(ctx, new) != REGISTRATION):
        yield hit(new="/".join(new.segments), path="/".join(new.segments))


@rule("response-property-type-changed", Level.BREAKING, RP,
      impact=FlowImpact.READS, section=Section.CHANGED,
      todo=("Check the later steps that use the output {path}: its {attribute} is now {new} (was {old}); fix "
            "expressions and conditions that rely on the old one."),
      description="An output field's type or format changed (adding a type where none was declared, or dropping a format, "
                  "counts; a type change with a format change is one change).",
      why="Expressions and later steps that use the value expect the old type; the checker reports this as an error. "
          "A number enum that became a string enum is this change too, with both forms in the message. Adding "
          "type: object to a schema that already has properties is no change: it was an object already.",
      message="output field {path} of {operation}: {attribute} changed from {old} to {new}{also}",
      example=('"total": {"type": "string"}', '"total": {"type": "number"}'))
def response_property_type_changed(ctx, old, new):
    if old is None or new is None or field_reader(ctx, old) != OUTPUT:
        return
    change = forms.type_change(old, new)
    if change is not None:
        yield hit(**change, path="/".join(new.segments) or "(body)")


@rule("response-property-enum-changed", Level.RISKY, RP,
      impact=FlowImpact.READS, section=Section.CHANGED,
      description="The enum of an output field changed.",
      why="Conditions in flows that compare the value against the old list may take other branches.",
      message="output field {path} of {operation}: enum changed",
      example=('"status": {"enum": ["open", "closed"]}', '"status": {"enum": ["open", "closed", "archived"]}'))
def response_property_enum_changed(ctx, old, new):
    if (old is not None and new is not None and field_reader(ctx, old) == OUTPUT
            and not _same_values(old.enum, new.enum) and not forms.respelled_enum(old, new)):
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
    if old is None or new is None or field_reader(ctx, old) == REGISTRATION:
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


@rule("internal-output-changed", Level.RISKY, RP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      description="An output of an internal helper operation, or an output field marked x-ms-visibility: internal, "
                  "was removed or changed type or enum.",
      why="Internal operations are not in the designer and internal fields are not dynamic content: no flow reads "
          "them. What of a helper is contract are the paths its x-ms-dynamic-* callers read, judged at the caller "
          "(dynamic-reference-path-broken); check that the callers named still get what they need.",
      message="output field {path} of {operation} ({owner}) {what}; called by {callers}",
      example=('"/folders": {"get": {"operationId": "ListFolders", "x-ms-visibility": "internal", "responses": {"200": '
               '{"description": "OK", "schema": {"type": "object", "properties": {"id": {"type": "string"}, "size": '
               '{"type": "integer"}}}}}}}',
               '"/folders": {"get": {"operationId": "ListFolders", "x-ms-visibility": "internal", "responses": {"200": '
               '{"description": "OK", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}'))
def internal_output_changed(ctx, old, new):
    if old is None or field_reader(ctx, old) != HELPER:
        return
    path = "/".join(old.segments) or "(body)"
    what = None
    if new is None:
        if old.segments and not is_container(old):
            what = "was removed"
    else:
        change = forms.type_change(old, new)
        if change is not None:
            what = f"{change['attribute']} changed from {change['old']} to {change['new']}"
        elif not _same_values(old.enum, new.enum) and not forms.respelled_enum(old, new):
            what = "enum changed"
    if what is not None:
        op = ctx.pair[0]
        owner = "an internal helper" if reader(ctx) == HELPER else "a field marked internal"
        yield hit(old=path, new=None if new is None else path, path=path, what=what, owner=owner,
                  callers=callers(ctx, op.id if op is not None else None))


@rule("internal-response-changed", Level.RISKY, RS,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      description="The success response of an internal helper operation was removed or moved to another status code.",
      why="An internal operation is not in the designer: no flow reads its outputs. Only its x-ms-dynamic-* callers "
          "do (a path they read that vanished is dynamic-reference-path-broken, at the caller): check them.",
      message="the outputs of internal helper {operation} (response {code}) {what}; called by {callers}",
      example=('"/folders": {"get": {"operationId": "ListFolders", "x-ms-visibility": "internal", "responses": {"200": '
               '{"description": "OK", "schema": {"$ref": "#/definitions/Folders"}}}}}',
               '"/folders": {"get": {"operationId": "ListFolders", "x-ms-visibility": "internal", "responses": {"204": '
               '{"description": "No content"}}}}'))
def internal_response_changed(ctx, old, new):
    if old is None or reader(ctx) != HELPER:
        return
    if new is None and _carries_outputs(old):
        what = "were removed"
    elif new is not None and old.code != new.code:
        what = f"moved to response {new.code}"
    else:
        return
    op = ctx.pair[0]
    yield hit(old=old.code, new=new.code if new is not None else None, code=old.code, what=what,
              callers=callers(ctx, op.id if op is not None else None))


@rule("webhook-response-changed", Level.COSMETIC, RS,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun="webhook registration responses",
      description="The response of a webhook trigger's registration call changed.",
      why="A webhook trigger's outputs are its notification payload (x-ms-notification-content). The registration "
          "call's response is read by the platform only (its Location header to delete the subscription), never "
          "as dynamic content: reported so that no difference goes unsaid.",
      message="the registration response of webhook trigger {operation} changed (response {code})",
      example=('"/hooks": {"x-ms-notification-content": {"schema": {"type": "object"}}, "post": {"operationId": '
               '"OnEvent", "x-ms-trigger": "single", "responses": {"201": {"description": "Created", "schema": '
               '{"type": "object", "properties": {"id": {"type": "string"}}}}}}}',
               '"/hooks": {"x-ms-notification-content": {"schema": {"type": "object"}}, "post": {"operationId": '
               '"OnEvent", "x-ms-trigger": "single", "responses": {"201": {"description": "Created", "schema": '
               '{"type": "object", "properties": {"subscriptionId": {"type": "string"}}}}}}}'))
def webhook_response_changed(ctx, old, new):
    if reader(ctx) != REGISTRATION or (old is None and new is None):
        return
    if old is not None and new is not None and old.code == new.code and ctx.same(old.raw, new.raw):
        return
    response = new if new is not None else old
    yield Hit(old=old.code if old is not None else None, new=new.code if new is not None else None,
              side="new" if new is not None else "old", details=(("code", response.code),))


def _declared(field, attribute: str):
    """A schema attribute as declared (see :meth:`Field.declared`)."""
    return field.declared(attribute)


@rule("response-property-ref-renamed", Level.COSMETIC, RP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='definition names',
      description="An output (or the whole response schema) now refers ($ref) to a definition under another name "
                  "whose content is the same.",
      why="Only the definition's name changed: the outputs are the same, so nothing changes in meaning.",
      message="output {path} of {operation} now refers to {new} (was {old}); the definitions are equal",
      example=('"schema": {"$ref": "#/definitions/Task"}', '"schema": {"$ref": "#/definitions/TaskResult"}'))
def response_property_ref_renamed(ctx, old, new):
    from .parameters import equal_under_other_name

    if (old is not None and new is not None and field_reader(ctx, old) != REGISTRATION
            and equal_under_other_name(ctx, old, new)):
        yield hit(old=old.ref, new=new.ref, at="/$ref", path="/".join(new.segments) or "(body)")


# --- response headers: outputs too ---------------------------------------------------------

OP = Kind.OPERATION


def _success_response(op):
    """The response the designer reads outputs from (the output response, else the lowest 2xx)."""
    if op.output is not None:
        return op.output
    codes = sorted((code for code in op.responses if code.startswith("2")), key=lambda c: (len(c), c))
    return op.responses[codes[0]] if codes else None


def _headers(op) -> tuple[object, dict]:
    """(response, its declared headers by lower-cased name) of an operation's success
    response; none for a webhook trigger, whose registration response only the platform reads."""
    if op is None or (op.trigger and op.is_webhook):
        return None, {}
    response = _success_response(op)
    headers = response.raw.get("headers") if response is not None else None
    if not isinstance(headers, dict):
        return response, {}
    return response, {str(name).lower(): (str(name), value) for name, value in headers.items() if isinstance(value, dict)}


def _header_hits(old, new):
    """(what, name, old header, new header, response) for headers removed, added or retyped."""
    if old is None or new is None:
        return
    old_response, before = _headers(old)
    new_response, after = _headers(new)
    for key in [*before, *(k for k in after if k not in before)]:
        a, b = before.get(key), after.get(key)
        yield key, a, b, old_response, new_response


def _header_hit(response, header, side: str, **fields) -> Hit:
    name = header[0]
    pointer = response.pointer + ("headers", name)
    return Hit(location=None, at=f"/responses/{response.code}/headers/{name}", pointer=pointer, side=side,
               details=tuple(sorted({"header": name, "code": response.code, **fields}.items())),
               old=fields.get("old_value"), new=fields.get("new_value"))


@rule("response-header-removed", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.REMOVED,
      todo='Replace every use of the output header {header} in later steps: it is no longer declared and reads as empty.',
      description="A response header the operation declared (an output in the designer) was removed.",
      why="The designer offers declared response headers as dynamic content: flows that read the header get "
          "nothing, or fail where the expression needs it.",
      message="output header {header} of {operation} (response {code}) was removed",
      example=('"200": {"description": "OK", "headers": {"X-Total-Count": {"type": "integer"}}}',
               '"200": {"description": "OK"}'))
def response_header_removed(ctx, old, new):
    for _, a, b, old_response, _ in _header_hits(old, new):
        if a is not None and b is None:
            yield _header_hit(old_response, a, "old", old_value=a[0])


@rule("response-header-type-changed", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      todo='Check the later steps that use the output header {header}: its type is now {new} (was {old}).',
      description="A declared response header's type or format changed.",
      why="Flows read the header as dynamic content, typed: expressions that use it expect the old type.",
      message="output header {header} of {operation} (response {code}): type changed from {old} to {new}",
      example=('"headers": {"X-Total-Count": {"type": "integer"}}', '"headers": {"X-Total-Count": {"type": "string"}}'))
def response_header_type_changed(ctx, old, new):
    for _, a, b, _, new_response in _header_hits(old, new):
        if a is not None and b is not None:
            before = _header_type(a[1])
            after = _header_type(b[1])
            if before != after:
                yield _header_hit(new_response, b, "new", old_value=before, new_value=after)


@rule("response-header-added", Level.ADDITIVE, OP,
      impact=FlowImpact.CALLS, section=Section.ADDED,
      description="A response header was declared (a new output in the designer).",
      why="New dynamic content; existing flows are unaffected.",
      message="output header {header} of {operation} (response {code}) was added",
      example=('"200": {"description": "OK"}',
               '"200": {"description": "OK", "headers": {"X-Total-Count": {"type": "integer"}}}'))
def response_header_added(ctx, old, new):
    for _, a, b, _, new_response in _header_hits(old, new):
        if a is None and b is not None:
            yield _header_hit(new_response, b, "new", new_value=b[0])


def _header_type(header: dict) -> str:
    kind, fmt = header.get("type"), header.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind) if kind is not None else "(not set)"


# --- error responses and examples: shown, never read by flows ----------------------------------

@rule("error-response-changed", Level.COSMETIC, OP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='error responses',
      description="An error (non-2xx) response, other than the one outputs are read from, was added, removed or "
                  "changed.",
      why="Flows read outputs from the success response only; an error response documents what the service answers "
          "when a call fails. Reported so that no difference goes unsaid.",
      message="error response {code} of {operation} was {what}",
      example=('"responses": {"200": {"description": "OK"}}',
               '"responses": {"200": {"description": "OK"}, "404": {"description": "Not found"}}'))
def error_response_changed(ctx, old, new):
    if old is None or new is None:
        return
    skip = {r.code for r in (old.output, new.output) if r is not None}
    before = {c: r for c, r in old.responses.items() if not c.startswith("2") and c not in skip}
    after = {c: r for c, r in new.responses.items() if not c.startswith("2") and c not in skip}
    for code in [*before, *(c for c in after if c not in before)]:
        a, b = before.get(code), after.get(code)
        if a is not None and b is not None and ctx.same(a.raw, b.raw):
            continue
        what = "added" if a is None else "removed" if b is None else "changed"
        response = b if b is not None else a
        yield Hit(at=f"/responses/{code}", pointer=response.pointer, side="new" if b is not None else "old",
                  details=(("code", code), ("what", what)))


@rule("response-examples-changed", Level.COSMETIC, RS,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='examples',
      description="The examples of the response outputs are read from changed (examples, x-ms-examples).",
      why="Examples document the answer; flows never read them.",
      message="examples of response {code} of {operation} changed",
      example=('"200": {"description": "OK", "examples": {"application/json": {"id": "1"}}}',
               '"200": {"description": "OK", "examples": {"application/json": {"id": "42"}}}'))
def response_examples_changed(ctx, old, new):
    if old is None or new is None or reader(ctx) == REGISTRATION:
        return
    for key in ("examples", "x-ms-examples"):
        if old.raw.get(key) != new.raw.get(key):
            yield hit(old=None, new=None, at=f"/{key}", code=new.code)
