"""Rules on operations (actions and triggers), paired by operationId or as renames."""

from __future__ import annotations

from ..changes import Level
from . import FlowImpact, Kind, Section, hit, rule

OP = Kind.OPERATION


@rule("operation-removed", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.REMOVED,
      todo="Replace this {kind} in every flow and app that uses it; those steps fail from this version on.",
      description="An operation (action or trigger) was removed.",
      why="Every flow step and Power Apps formula that calls it fails, and the designer can no longer open those steps. "
          "Keep it and mark it deprecated instead, or add a new revision in the same x-ms-api-annotation family.",
      message="operation {operation} was removed",
      example=('"paths": {"/items": {"get": {"operationId": "ListItems"}}}', '"paths": {}'))
def operation_removed(ctx, old, new):
    if old is not None and new is None:
        yield hit(old=old.id, summary=old.display_name)


@rule("operation-added", Level.ADDITIVE, OP,
      impact=FlowImpact.CALLS, section=Section.ADDED,
      description="A new operation (action or trigger) was added.",
      why="A new capability; existing flows are not affected.",
      message="operation {new} was added",
      example=('"paths": {}', '"paths": {"/items": {"get": {"operationId": "ListItems"}}}'))
def operation_added(ctx, old, new):
    if old is None and new is not None and new.id not in ctx.new_revisions:
        yield hit(new=new.id, summary=new.display_name)


@rule("operation-new-revision", Level.ADDITIVE, OP,
      impact=FlowImpact.CALLS, section=Section.ADDED,
      description="A new revision of an operation was added in the same x-ms-api-annotation family, the old one kept.",
      why="This is the sanctioned way to change an operation incompatibly: existing flows keep the old revision, "
          "new flows get the new one.",
      message="operation {new} was added as revision {revision} of family {family} (replaces {replaces})",
      example=('"/items/{id}": {"get": {"operationId": "GetItem", "x-ms-api-annotation": {"family": "GetItem", "revision": 1}}}',
               '"/items/{id}": {"get": {"operationId": "GetItem", "deprecated": true, "x-ms-api-annotation": '
               '{"family": "GetItem", "revision": 1}}}, "/v2/items/{id}": {"get": {"operationId": "GetItemV2", '
               '"x-ms-api-annotation": {"family": "GetItem", "revision": 2}}}'))
def operation_new_revision(ctx, old, new):
    if old is None and new is not None and new.id in ctx.new_revisions:
        yield hit(new=new.id, summary=new.display_name, family=new.family, revision=new.revision,
                  replaces=ctx.new_revisions[new.id])


@rule("operation-renamed", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      todo=("Re-add the {kind} in every flow that uses it (its operationId is now {new}) and fill in its "
            "inputs again; change Power Apps formulas that call {old}."),
      description="An operation's operationId changed while its method and path (or its id but for case) stayed.",
      why="Flows and apps bind to the operationId: every step calling the old id breaks and must be re-added. "
          "Keep the old id (deprecated) beside the new one instead.",
      message="operation {old} was renamed to {new} (probable rename: {reason})",
      example=('"post": {"operationId": "Send_WhatsApp"}', '"post": {"operationId": "SendWhatsApp"}'))
def operation_renamed(ctx, old, new):
    if old is not None and new is not None and old.id != new.id:
        if old.id.casefold() == new.id.casefold():
            reason = "only the case differs"
        elif old.path == new.path:
            reason = "same method and path"
        else:
            reason = "same method and path but for case or path-parameter names"
        yield hit(old=old.id, new=new.id, reason=reason, renamed_to=new.id, summary=new.display_name)


@rule("operation-hidden", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      todo=("Replace this {kind} in every flow that uses it: the designer no longer shows it, so existing "
            "steps cannot be edited."),
      description="An operation became x-ms-visibility: internal.",
      why="Internal operations are hidden from the designer: existing steps can no longer be edited and users cannot add it.",
      message="operation {operation} was hidden (x-ms-visibility: {new})",
      example=('"get": {"operationId": "ListItems"}', '"get": {"operationId": "ListItems", "x-ms-visibility": "internal"}'))
def operation_hidden(ctx, old, new):
    if old is not None and new is not None and new.visibility == "internal" and old.visibility != "internal":
        yield hit(old=old.visibility, new=new.visibility, at="/x-ms-visibility")


@rule("operation-visibility-changed", Level.COSMETIC, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      noun="operation visibility",
      description="An operation's x-ms-visibility changed between none, important and advanced (or back from internal).",
      why="Only where the designer shows the operation changes.",
      message="operation {operation} visibility changed from {old} to {new}",
      example=('"x-ms-visibility": "advanced"', '"x-ms-visibility": "important"'))
def operation_visibility_changed(ctx, old, new):
    if old is not None and new is not None and old.visibility != new.visibility and new.visibility != "internal":
        yield hit(old=old.visibility, new=new.visibility, at="/x-ms-visibility")


@rule("operation-deprecated", Level.DEPRECATION, OP,
      impact=FlowImpact.CALLS, section=Section.DEPRECATED,
      todo="Move your flows to {replacement} before this {kind} is removed.",
      description="An operation was marked deprecated: true.",
      why="Existing flows keep working; the designer warns and hides it from new flows. Users should move to the replacement.",
      message="operation {operation} was deprecated",
      example=('"get": {"operationId": "ListItems"}', '"get": {"operationId": "ListItems", "deprecated": true}'))
def operation_deprecated(ctx, old, new):
    if old is not None and new is not None and new.deprecated and not old.deprecated:
        yield hit(old=False, new=True, at="/deprecated", speaks_for=("/x-ms-api-annotation/replacement",),
                  replacement=_replacement(new))


@rule("operation-undeprecated", Level.ADDITIVE, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="An operation is no longer deprecated.",
      why="The operation is offered for new flows again.",
      message="operation {operation} is no longer deprecated",
      example=('"deprecated": true', '"deprecated": false'))
def operation_undeprecated(ctx, old, new):
    if old is not None and new is not None and old.deprecated and not new.deprecated:
        yield hit(old=True, new=False, at="/deprecated")


@rule("operation-path-changed", Level.BREAKING, OP,
      impact=FlowImpact.ROUTE, section=Section.CHANGED,
      todo=("Re-add this {kind} in every Logic Apps workflow that uses it (Logic Apps bind to the method and "
            "path); Power Automate flows keep working."),
      description="An operation's path template changed.",
      why="Logic Apps bind to method + path and break; Power Automate flows keep working, but the request goes to a "
          "different URL: check the service accepts it.",
      message="operation {operation} path changed from {old} to {new}",
      example=('"/items/{id}": {"get": {"operationId": "GetItem"}}', '"/v2/items/{id}": {"get": {"operationId": "GetItem"}}'))
def operation_path_changed(ctx, old, new):
    if old is not None and new is not None and old.path_template != new.path_template and old.visibility != "internal":
        yield hit(old=old.path, new=new.path)


@rule("operation-method-changed", Level.BREAKING, OP,
      impact=FlowImpact.ROUTE, section=Section.CHANGED,
      todo=("Re-add this {kind} in every Logic Apps workflow that uses it (Logic Apps bind to the method and "
            "path); Power Automate flows keep working."),
      description="An operation's HTTP method changed.",
      why="Logic Apps bind to method + path and break; the service must accept the new method for existing flows.",
      message="operation {operation} method changed from {old} to {new}",
      example=('"get": {"operationId": "Search"}', '"post": {"operationId": "Search"}'))
def operation_method_changed(ctx, old, new):
    if old is not None and new is not None and old.method != new.method and old.visibility != "internal":
        yield hit(old=old.method.upper(), new=new.method.upper())


@rule("internal-route-changed", Level.RISKY, OP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      description="An internal helper operation's HTTP method or path template changed.",
      why="Logic Apps bind to method + path, but only for operations they can add: an internal helper is in no "
          "designer, and the dynamic calls that use it name its operationId. The designer now calls another URL: "
          "check the service answers there.",
      message="internal helper {operation}: {what} changed from {old} to {new}",
      example=('"/projects": {"get": {"operationId": "ListProjects", "x-ms-visibility": "internal"}}',
               '"/v2/projects": {"get": {"operationId": "ListProjects", "x-ms-visibility": "internal"}}'))
def internal_route_changed(ctx, old, new):
    if old is None or new is None or old.visibility != "internal":
        return
    if old.method != new.method:
        yield hit(old=old.method.upper(), new=new.method.upper(), what="method")
    if old.path_template != new.path_template:
        yield hit(old=old.path, new=new.path, what="path")


@rule("operation-media-types-changed", Level.RISKY, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="The media types an operation consumes or produces changed (its own list, or the definition's "
                  "that it inherits), other than by adding types.",
      why="The request body or the response is encoded differently (JSON, form data, XML...): check that existing steps "
          "still send and read what the service expects.",
      message="operation {operation}: {field} changed from {old} to {new}",
      example=('"post": {"operationId": "Upload", "consumes": ["application/json"]}',
               '"post": {"operationId": "Upload", "consumes": ["multipart/form-data"]}'))
def operation_media_types_changed(ctx, old, new):
    if old is None or new is None:
        return
    for key in ("consumes", "produces"):
        if old.raw.get(key) is None and new.raw.get(key) is None:
            continue  # both inherit the definition's list: media-types-changed reports that
        before, after = media_types(old.raw, ctx.old.swagger, key), media_types(new.raw, ctx.new.swagger, key)
        if before and after and not set(before) <= set(after):  # none declared: the platform assumes JSON
            yield hit(old=before, new=after, at=f"/{key}", field=key)


def media_types(node, swagger, key: str) -> list[str]:
    """The media types in effect: ``node``'s own list, else the definition's."""
    value = node.get(key)
    if not isinstance(value, list):
        value = swagger.get(key)
    return sorted(set(v for v in value if isinstance(v, str))) if isinstance(value, list) else []


@rule("trigger-type-changed", Level.BREAKING, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      todo="Delete and re-add this step in every flow that uses it: it changed from {old} to {new}.",
      description="An operation changed between action and trigger, single and batch trigger, or polling and webhook.",
      why="Flows store the kind of step: a trigger that becomes an action (or a polling trigger a webhook) cannot run in "
          "existing flows, which must be rebuilt.",
      message="operation {operation} changed from {old} to {new}",
      example=('"get": {"operationId": "OnNewItem", "x-ms-trigger": "single"}', '"get": {"operationId": "OnNewItem", "x-ms-trigger": "batch"}'))
def trigger_type_changed(ctx, old, new):
    if old is None or new is None:
        return
    before, after = _trigger_kind(old), _trigger_kind(new)
    if before != after:
        yield hit(old=before, new=after, at="/x-ms-trigger")


def _trigger_kind(op) -> str:
    if not op.trigger:
        return "action"
    return f"{op.trigger} {'webhook' if op.is_webhook else 'polling'} trigger"


@rule("operation-summary-changed", Level.COSMETIC, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      noun="operation names and descriptions",
      description="An operation's summary (its name in the designer) or description changed.",
      why="Display text only: existing flows are unaffected, but users may look for the old name.",
      message="operation {operation} {field} changed",
      example=('"summary": "Get item"', '"summary": "Get an item"'))
def operation_summary_changed(ctx, old, new):
    if old is None or new is None:
        return
    for key in ("summary", "description", "x-ms-summary"):
        if old.raw.get(key) != new.raw.get(key):
            yield hit(old=old.raw.get(key), new=new.raw.get(key), at=f"/{key}", field=key)


@rule("operation-family-changed", Level.RISKY, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="An operation's x-ms-api-annotation family or revision changed.",
      why="The platform groups revisions by family: a changed family or revision can hide the operation behind another one.",
      message="operation {operation} annotation changed from {old} to {new}",
      example=('"x-ms-api-annotation": {"family": "GetItem", "revision": 1}', '"x-ms-api-annotation": {"family": "Items", "revision": 1}'))
def operation_family_changed(ctx, old, new):
    if old is None or new is None:
        return
    before, after = (old.family, old.revision), (new.family, new.revision)
    if before != after and old.annotation and new.annotation:
        yield hit(old=f"{before[0]} r{before[1]}", new=f"{after[0]} r{after[1]}", at="/x-ms-api-annotation")


def _replacement(op) -> str | None:
    value = op.annotation.get("replacement")
    if isinstance(value, dict):
        value = value.get("operationId")
    return value if isinstance(value, str) and value else None


@rule("operation-replacement-changed", Level.DEPRECATION, OP,
      impact=FlowImpact.CALLS, section=Section.DEPRECATED,
      todo="Move your flows to {new} (now named as the replacement) before this {kind} is removed.",
      description="The operation named as the replacement of a deprecated operation (x-ms-api-annotation.replacement) "
                  "was set or changed.",
      why="The designer points users of the deprecated operation to its replacement: they will move their steps there.",
      message="operation {operation} now names {new} as its replacement{missing}",
      example=('"GetItems": {"deprecated": true, "x-ms-api-annotation": {"family": "GetItems", "revision": 1}}',
               '"GetItems": {"deprecated": true, "x-ms-api-annotation": {"family": "GetItems", "revision": 1, '
               '"replacement": {"operationId": "GetItemsV2"}}}'))
def operation_replacement_changed(ctx, old, new):
    # Newly deprecated operations name their replacement in operation-deprecated.
    if old is None or new is None or not new.deprecated or not old.deprecated:
        return
    before, after = _replacement(old), _replacement(new)
    if after is not None and before != after:
        missing = "" if after in ctx.new.operations else " (no such operation in the new definition)"
        yield hit(old=before, new=after, at="/x-ms-api-annotation/replacement", missing=missing)


def _pageable(op) -> dict | None:
    value = op.raw.get("x-ms-pageable")
    if isinstance(value, dict):
        return value
    return {} if value is True else None


@rule("operation-pageable-removed", Level.RISKY, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="An operation lost its x-ms-pageable setting (or its nextLinkName changed).",
      why="Steps with pagination turned on stop following the next link: they silently return the first page only "
          "(or follow another field). Nothing fails, so check the flows that page through results.",
      message="operation {operation}: pagination (x-ms-pageable) {what}",
      example=('"get": {"operationId": "ListItems", "x-ms-pageable": {"nextLinkName": "nextLink"}}',
               '"get": {"operationId": "ListItems"}'))
def operation_pageable_removed(ctx, old, new):
    if old is None or new is None:
        return
    before, after = _pageable(old), _pageable(new)
    if before is not None and after is None:
        yield hit(old=before.get("nextLinkName"), new=None, at="/x-ms-pageable", what="was removed")
    elif before is not None and after is not None and before.get("nextLinkName") != after.get("nextLinkName"):
        yield hit(old=before.get("nextLinkName"), new=after.get("nextLinkName"), at="/x-ms-pageable/nextLinkName",
                  what=f"now follows {after.get('nextLinkName')} (was {before.get('nextLinkName')})")


@rule("operation-pageable-added", Level.ADDITIVE, OP,
      impact=FlowImpact.CALLS, section=Section.CHANGED,
      description="An operation gained an x-ms-pageable setting.",
      why="Steps can now turn on pagination to follow the next link; existing steps keep reading one page.",
      message="operation {operation}: pagination (x-ms-pageable) was added",
      example=('"get": {"operationId": "ListItems"}',
               '"get": {"operationId": "ListItems", "x-ms-pageable": {"nextLinkName": "nextLink"}}'))
def operation_pageable_added(ctx, old, new):
    if old is not None and new is not None and _pageable(old) is None and _pageable(new) is not None:
        yield hit(old=None, new=_pageable(new).get("nextLinkName"), at="/x-ms-pageable")


@rule("operation-annotation-status-changed", Level.COSMETIC, OP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='operation release status',
      description="An operation's release status (x-ms-api-annotation.status: Preview, Production) changed.",
      why="Shown as a label in the designer; the operation behaves the same.",
      message="operation {operation}: status changed from {old} to {new}",
      example=('"x-ms-api-annotation": {"status": "Preview"}', '"x-ms-api-annotation": {"status": "Production"}'))
def operation_annotation_status_changed(ctx, old, new):
    if old is not None and new is not None and old.annotation.get("status") != new.annotation.get("status"):
        yield hit(old=old.annotation.get("status"), new=new.annotation.get("status"), at="/x-ms-api-annotation/status")


@rule("operation-trigger-hint-changed", Level.COSMETIC, OP,
      impact=FlowImpact.NONE, section=Section.CHANGED,
      noun='trigger hints',
      description="A trigger's x-ms-trigger-hint (the hint the designer shows on how the trigger fires) changed.",
      why="Display text only.",
      message="operation {operation}: trigger hint changed",
      example=('"x-ms-trigger-hint": "Create an item to fire"', '"x-ms-trigger-hint": "Create or update an item to fire"'))
def operation_trigger_hint_changed(ctx, old, new):
    if old is not None and new is not None and old.raw.get("x-ms-trigger-hint") != new.raw.get("x-ms-trigger-hint"):
        yield hit(old=old.raw.get("x-ms-trigger-hint"), new=new.raw.get("x-ms-trigger-hint"), at="/x-ms-trigger-hint")
