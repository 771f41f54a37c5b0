"""Which changes hit which flow steps: operations, inputs, outputs, routes and connections."""

from __future__ import annotations

import copy
import json

from connver import Connector, SourceFiles, diff
from connver.flows import extract_flows, FlowSet
from connver.impact import Reason, bind_steps, find_impacts
from connver.upgrade import merge_upgrade
from connver.merge import ConflictKind

API = "/providers/Microsoft.PowerApps/apis/shared_hooks"

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Hooks", "version": "1.0"},
    "host": "hooks.example.com",
    "basePath": "/api",
    "paths": {
        "/subscriptions": {
            "x-ms-notification-content": {"schema": {"type": "object", "properties": {
                "event": {"type": "string"}, "order": {"type": "object", "properties": {
                    "id": {"type": "string"}, "total": {"type": "number"}}}}}},
            "post": {
                "operationId": "OnOrder", "x-ms-trigger": "single",
                "parameters": [{"name": "body", "in": "body", "required": True, "schema": {"type": "object", "properties": {
                    "callbackUrl": {"type": "string", "x-ms-notification-url": True, "x-ms-visibility": "internal"},
                    "filter": {"type": "object", "properties": {"status": {"type": "string"}, "region": {"type": "string"}}}}}}],
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/orders/{orderId}": {
            "get": {"operationId": "GetOrder",
                    "parameters": [{"name": "orderId", "in": "path", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "OK", "schema": {"type": "object", "properties": {
                        "id": {"type": "string"}, "lines": {"type": "array", "items": {"type": "object", "properties": {
                            "sku": {"type": "string"}}}}}}}}},
        },
    },
}
PROPERTIES = {"properties": {"connectionParameters": {"api_key": {"type": "securestring"}}}}


def connector(swagger=SWAGGER, properties=PROPERTIES, label="c") -> Connector:
    return Connector.from_files(SourceFiles(label, {"apiDefinition.swagger.json": json.dumps(swagger).encode(),
                                                    "apiProperties.json": json.dumps(properties).encode()}))


FLOW = {"properties": {"displayName": "Orders", "definition": {
    "triggers": {"When_an_order_arrives": {"type": "OpenApiConnectionWebhook", "inputs": {
        "host": {"apiId": API, "operationId": "OnOrder"}, "parameters": {"body/filter/status": "open"}}}},
    "actions": {
        "Get_order": {"type": "OpenApiConnection", "inputs": {
            "host": {"apiId": API, "operationId": "GetOrder"},
            "parameters": {"orderId": "@triggerBody()?['order']?['id']"}}},
        "Each_line": {"type": "Foreach", "foreach": "@body('Get_order')?['lines']", "actions": {
            "Note": {"type": "Compose", "inputs": "@items('Each_line')?['sku']"}}},
    }}}}
LOGIC_APP = {"definition": {"triggers": {}, "actions": {"Get_order": {
    "type": "ApiConnection", "inputs": {"host": {"connection": {"name": "@parameters('$connections')['hooks']['connectionId']"}},
                                         "method": "get", "path": "/api/orders/@{encodeURIComponent('42')}"}}}},
    "parameters": {"$connections": {"value": {"hooks": {"id": "/subscriptions/x/providers/Microsoft.Web/customApis/hooks"}}}}}


def impacts(new_swagger=None, new_properties=None):
    old, new = connector(), connector(new_swagger or SWAGGER, new_properties or PROPERTIES, "new")
    flows = FlowSet(tuple(extract_flows(FLOW, name="f", source="f.json") + extract_flows(LOGIC_APP, name="la", source="la.json")))
    bound, notes = bind_steps(flows, old, ["shared_hooks"])
    assert notes == []
    changes = diff(old, new).changes
    return {(i.change.rule, i.flow, i.step, i.reason, i.subject) for i in find_impacts(changes, bound)}


def edited(**changes):
    swagger = copy.deepcopy(SWAGGER)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = swagger
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return swagger


def test_webhook_payload_field_removed_hits_the_trigger_that_reads_it():
    result = impacts(edited(**{"paths./subscriptions.x-ms-notification-content.schema.properties.order.properties.id": None}))
    assert result == {("response-property-removed", "Orders", "When_an_order_arrives", Reason.READS, "order/id")}


def test_unread_payload_field_hits_nothing():
    assert impacts(edited(**{"paths./subscriptions.x-ms-notification-content.schema.properties.event": None})) == set()


def test_body_field_removed_hits_the_step_sending_it():
    swagger = edited(**{"paths./subscriptions.post.parameters.0.schema.properties.filter.properties.status": None})
    assert impacts(swagger) == {("request-property-removed", "Orders", "When_an_order_arrives", Reason.SENDS,
                                 "body/filter/status")}


def test_required_field_inside_an_object_the_step_fills_hits_it():
    swagger = edited(**{"paths./subscriptions.post.parameters.0.schema.properties.filter.required": ["region"]})
    assert impacts(swagger) == {("request-property-became-required", "Orders", "When_an_order_arrives", Reason.OMITS,
                                 "body/filter/region")}


def test_iterated_array_items_field_hits_through_the_loop():
    swagger = edited(**{"paths./orders/{orderId}.get.responses.200.schema.properties.lines.items.properties.sku": None})
    assert impacts(swagger) == {("response-property-removed", "Orders", "Get_order", Reason.READS, "lines/items/sku")}


def test_path_change_hits_logic_apps_steps_only():
    swagger = copy.deepcopy(SWAGGER)
    swagger["paths"]["/v2/orders/{orderId}"] = swagger["paths"].pop("/orders/{orderId}")
    result = impacts(swagger)
    assert result == {("operation-path-changed", "la", "Get_order", Reason.CALLS, "GetOrder")}


def test_connection_change_hits_every_flow():
    result = impacts(new_properties={"properties": {"connectionParameters": {"token": {"type": "oauthSetting"}}}})
    assert {(rule, flow, step) for rule, flow, step, _, _ in result} >= {
        ("connection-parameter-removed", "Orders", None), ("connection-parameter-removed", "la", None)}


def test_the_icon_merges_as_a_whole_file_and_the_script_by_lines():
    def files(script: bytes | None, icon: bytes) -> SourceFiles:
        data = {"apiDefinition.swagger.json": json.dumps(SWAGGER).encode(), "icon.png": icon}
        if script is not None:
            data["script.csx"] = script
        return SourceFiles("x", data)

    base, fork, upstream = files(b"v1", b"i1"), files(b"fork", b"i1"), files(b"v2", b"i2")
    outcome = merge_upgrade(base, fork, upstream)
    assert outcome.files["icon.png"] == b"i2" and outcome.files["script.csx"] == b"fork"
    # one line both sides changed: a conflict at that line of script.csx, the fork's line kept
    assert [(c.file, c.location, c.kind) for c in outcome.conflicts] == [
        ("script.csx", "lines/1", ConflictKind.BOTH_CHANGED)]
    outcome = merge_upgrade(base, files(None, b"i1"), files(b"v1", b"i1"))
    assert "script.csx" not in outcome.files and outcome.conflicts == ()  # the fork's removal is kept
