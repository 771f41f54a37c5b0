"""Engine and rule behaviour the fixture folders do not pin down: locations, pointers,
pairing across renames and status codes, and mutation safety."""

from __future__ import annotations

import copy
import json

from connver import Connector, SourceFiles, diff


def connector(swagger: dict, properties: dict | None = None) -> Connector:
    files = {"apiDefinition.swagger.json": json.dumps(swagger).encode()}
    if properties is not None:
        files["apiProperties.json"] = json.dumps({"properties": properties}).encode()
    return Connector.from_files(SourceFiles("mem", files))


def swagger(paths: dict, definitions: dict | None = None) -> dict:
    return {"swagger": "2.0", "info": {"title": "T", "version": "1.0"}, "host": "api.contoso.com",
            "paths": paths, "definitions": definitions or {}}


def changes(old: dict, new: dict, **kw) -> list:
    """The typed findings (the residual pass is tests/test_residual.py's)."""
    return [c for c in diff(connector(old, kw.get("old_props")), connector(new, kw.get("new_props"))).changes
            if c.rule != "unclassified-change"]


def op(op_id: str, params=(), responses=None, **extra) -> dict:
    extra = {key.replace("_", "-"): value for key, value in extra.items()}
    return {"operationId": op_id, **extra, "parameters": list(params),
            "responses": responses or {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}}}


ITEM = {"type": "object", "properties": {"id": {"type": "string"},
                                         "values": {"type": "array", "items": {"type": "object", "properties": {
                                             "assignedTo": {"type": "string"}, "size": {"type": "integer", "format": "int32"}}}}}}


def test_output_locations_use_the_checker_form_with_items_and_attribute():
    old = swagger({"/items": {"get": op("ListItems")}}, {"Item": ITEM})
    new = copy.deepcopy(old)
    values = new["definitions"]["Item"]["properties"]["values"]["items"]["properties"]
    del values["assignedTo"]
    del values["size"]["format"]
    found = {(c.rule, c.location) for c in changes(old, new)}
    assert found == {
        ("response-property-removed", "operation/ListItems/responses/200/schema/values/items/assignedTo"),
        ("response-property-type-changed", "operation/ListItems/responses/200/schema/values/items/size/format"),
    }


def test_body_field_pointer_points_into_the_referenced_definition():
    body = {"name": "item", "in": "body", "required": True, "schema": {"$ref": "#/definitions/New"}}
    new_def = {"type": "object", "properties": {"title": {"type": "string"}}}
    old = swagger({"/items": {"post": op("CreateItem", [body])}}, {"Item": ITEM, "New": new_def})
    new = copy.deepcopy(old)
    new["definitions"]["New"]["required"] = ["title"]
    (change,) = changes(old, new)
    assert change.rule == "request-property-became-required"
    assert change.location == "operation/CreateItem/parameter/item/schema/title/required"
    assert change.pointer == ("definitions", "New", "properties", "title")


def test_case_only_path_change_is_a_path_change_and_a_path_parameter_rename_is_not():
    old = swagger({"/orgs/{orgId}/Profile": {"get": op("GetProfile", [
        {"name": "orgId", "in": "path", "required": True, "type": "string"}])}}, {"Item": ITEM})
    new = copy.deepcopy(old)
    new["paths"] = {"/orgs/{orgId}/profile": new["paths"].pop("/orgs/{orgId}/Profile")}
    assert [(c.rule, c.old, c.new) for c in changes(old, new)] == [
        ("operation-path-changed", "/orgs/{orgId}/Profile", "/orgs/{orgId}/profile")]


def test_case_only_rename_is_a_rename_and_keeps_comparing_the_operation():
    old = swagger({"/hook": {"patch": op("incoming", [{"name": "q", "in": "query", "type": "string"}])}}, {"Item": ITEM})
    new = copy.deepcopy(old)
    renamed = new["paths"]["/hook"]["patch"]
    renamed["operationId"] = "Incoming"
    renamed["parameters"] = []
    found = [(c.rule, c.location, c.detail.get("reason")) for c in changes(old, new)]
    assert ("operation-renamed", "operation/incoming", "only the case differs") in found
    assert ("parameter-removed", "operation/incoming/parameter/q", None) in found
    assert len(found) == 2


def test_outputs_moved_to_another_success_code_are_compared_across_the_move():
    old = swagger({"/items": {"post": op("CreateItem")}}, {"Item": ITEM})
    new = copy.deepcopy(old)
    new["paths"]["/items"]["post"]["responses"] = {
        "201": {"description": "Created", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    found = sorted((c.rule, c.location) for c in changes(old, new))
    assert found == [("response-code-changed", "operation/CreateItem/responses/200"),
                     ("response-property-removed", "operation/CreateItem/responses/200/schema/values")]


def test_dynamic_call_breaks_when_the_input_it_passes_on_is_removed():
    def doc(with_site: bool) -> dict:
        params = [{"name": "site", "in": "query", "type": "string"}] if with_site else []
        folder = {"name": "folder", "in": "query", "type": "string", "x-ms-dynamic-values": {
            "operationId": "ListFolders", "value-path": "id", "parameters": {"site": {"parameter": "site"}}}}
        return swagger({"/files": {"get": op("ListFiles", [*params, folder])},
                        "/folders": {"get": op("ListFolders", [{"name": "site", "in": "query", "type": "string"}],
                                               x_ms_visibility="internal")}}, {"Item": ITEM})
    found = {(c.rule, c.location): c for c in changes(doc(True), doc(False))}
    assert set(found) == {("parameter-removed", "operation/ListFiles/parameter/site"),
                          ("dynamic-reference-broken", "operation/ListFiles/parameter/folder/x-ms-dynamic-values")}
    broken = found[("dynamic-reference-broken", "operation/ListFiles/parameter/folder/x-ms-dynamic-values")]
    assert broken.detail["problem"] == "the call passes site, which ListFiles no longer has"
    # a call that was already broken in the old version is not reported again
    assert not [c for c in changes(doc(False), doc(False)) if c.rule == "dynamic-reference-broken"]


def test_dynamic_call_to_a_removed_helper_names_the_removal():
    def doc(helper: bool) -> dict:
        paths = {"/files": {"get": op("ListFiles", [{"name": "folder", "in": "query", "type": "string",
                                                     "x-ms-dynamic-values": {"operationId": "ListFolders"}}])}}
        if helper:
            paths["/folders"] = {"get": op("ListFolders", x_ms_visibility="internal")}
        return swagger(paths, {"Item": ITEM})
    assert sorted(c.rule for c in changes(doc(True), doc(False))) == ["dynamic-reference-broken", "operation-removed"]


def test_dynamic_schema_in_a_shared_response_is_checked_like_one_in_an_operation():
    # a shared response's x-ms-dynamic-schema builds the outputs of every step whose
    # operation uses it: removing the helper it calls breaks them all
    def doc(helper: bool) -> dict:
        dynamic = {"description": "OK", "schema": {"x-ms-dynamic-schema": {
            "operationId": "GetTableSchema", "parameters": {"table": {"parameter": "table"}}, "value-path": "schema"}}}
        paths = {"/rows": {"get": op("GetRows", [{"name": "table", "in": "query", "type": "string"}],
                                     responses={"200": {"$ref": "#/responses/Rows"}})}}
        if helper:
            paths["/schema"] = {"get": op("GetTableSchema", [{"name": "table", "in": "query", "type": "string"}],
                                          x_ms_visibility="internal")}
        d = swagger(paths, {"Item": ITEM})
        d["responses"] = {"Rows": dynamic}
        return d
    found = {(c.rule, c.location) for c in changes(doc(True), doc(False))}
    assert ("dynamic-reference-broken", "responses/Rows/schema/x-ms-dynamic-schema") in found
    assert not [c for c in changes(doc(True), doc(True))]


def test_connection_parameters_are_compared_per_set_when_both_sides_have_sets():
    def props(region_display: str) -> dict:
        region = {"type": "string", "uiDefinition": {"displayName": region_display, "constraints": {"required": "true"}}}
        return {"connectionParameters": {},
                "connectionParameterSets": {"values": [{"name": "key", "parameters": {
                    "api_key": {"type": "securestring"}, "region": region}}]}}
    doc = swagger({"/items": {"get": op("ListItems")}}, {"Item": ITEM})
    (change,) = changes(doc, doc, old_props=props("Region"), new_props=props("Data region"))
    assert change.rule == "connection-parameter-display-changed"
    assert change.location == "connection/key/region/uiDefinition/displayName"
    assert change.pointer == ("properties", "connectionParameterSets", "values", 0, "parameters", "region",
                              "uiDefinition", "displayName")  # at what changed, not the whole parameter


def test_diffing_does_not_mutate_the_documents():
    old = swagger({"/items": {"get": op("ListItems")}}, {"Item": ITEM})
    new = copy.deepcopy(old)
    new["definitions"]["Item"]["properties"]["id"]["type"] = "integer"
    before_old, before_new = copy.deepcopy(old), copy.deepcopy(new)
    a, b = connector(old), connector(new)
    diff(a, b)
    assert a.swagger == before_old and b.swagger == before_new


def test_media_types_only_added_or_inherited_unchanged_are_not_reported():
    def doc(own: list | None, top: list) -> dict:
        d = swagger({"/items": {"get": op("ListItems", **({"produces": own} if own is not None else {}))}}, {"Item": ITEM})
        d["produces"] = top
        return d
    json_only = ["application/json"]
    assert changes(doc(None, json_only), doc(json_only, json_only)) == []             # now says what it inherited
    assert changes(doc(None, json_only), doc(json_only + ["text/json"], json_only)) == []  # a type added
    assert [(c.rule, c.location) for c in changes(doc(None, json_only), doc(["*/*"], json_only))] == [
        ("operation-media-types-changed", "operation/ListItems/produces")]
    assert [c.rule for c in changes(doc(None, json_only), doc(None, ["application/xml"]))] == ["media-types-changed"]


def test_removed_output_response_defined_under_responses_is_reported():
    def doc(responses: dict) -> dict:
        d = swagger({"/items": {"get": op("ListItems", responses=responses)}}, {"Item": ITEM})
        d["responses"] = {"Ok": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}}
        return d
    (change,) = changes(doc({"200": {"$ref": "#/responses/Ok"}}), doc({"204": {"description": "No content"}}))
    assert (change.rule, change.location, change.pointer) == (
        "response-removed", "operation/ListItems/responses/200", ("responses", "Ok"))


def test_parameter_rules_see_only_the_parameters_that_differ():
    """An operation whose summary changed is walked, but its unchanged parameters are not given
    to the parameter rules (they compare the two parameters only); a changed one, one behind a
    renamed $ref and one behind a changed definition still are."""
    from connver.rules import RULES, Kind, all_rules, rule

    seen: list[str] = []
    all_rules()

    @rule("test-parameter-seen", "cosmetic", Kind.PARAMETER, description="d", why="w", message="m")
    def parameter_seen(ctx, old, new):
        seen.append((new or old).name)
        return ()

    shared = {"name": "shared", "in": "query", "type": "string"}
    body = {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Item"}}
    params_old = [{"name": "same", "in": "query", "type": "string"}, {"name": "typed", "in": "query", "type": "string"},
                  {"$ref": "#/parameters/Shared"}, body]
    params_new = [{"name": "same", "in": "query", "type": "string"}, {"name": "typed", "in": "query", "type": "integer"},
                  {"$ref": "#/parameters/Shared2"}, body]
    old = swagger({"/a": {"get": op("A", params_old, summary="old")}}, {"Item": ITEM})
    new = swagger({"/a": {"get": op("A", params_new, summary="new")}},
                  {"Item": {**ITEM, "properties": {**ITEM["properties"], "extra": {"type": "string"}}}})
    old["parameters"], new["parameters"] = {"Shared": shared}, {"Shared2": shared}
    try:
        found = changes(old, new)
    finally:
        del RULES["test-parameter-seen"]
    assert sorted(seen) == ["body", "shared", "typed"]  # not "same"
    assert {c.rule for c in found} >= {"operation-summary-changed", "parameter-type-changed"}


def test_an_unchanged_output_schema_is_not_given_to_the_output_rules():
    from connver.rules import RULES, Kind, all_rules, rule

    seen: list[tuple] = []
    all_rules()

    @rule("test-output-seen", "cosmetic", Kind.RESPONSE_PROPERTY, description="d", why="w", message="m")
    def output_seen(ctx, old, new):
        seen.append(((new or old).segments, ctx.pair[1].id))
        return ()

    changed = {**ITEM, "properties": {**ITEM["properties"], "extra": {"type": "string"}}}
    plain = {"200": {"description": "OK", "schema": {"type": "object", "properties": {"n": {"type": "string"}}}}}
    moved = {"200": {"description": "OK", "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}
    old = swagger({"/a": {"get": op("A", summary="old")}, "/b": {"get": op("B", responses=plain, summary="old")},
                   "/c": {"get": op("C", responses=plain, summary="old")}}, {"Item": ITEM})
    new = swagger({"/a": {"get": op("A", summary="new")}, "/b": {"get": op("B", responses=plain, summary="new")},
                   "/c": {"get": op("C", responses=moved, summary="new")}}, {"Item": changed})
    try:
        changes(old, new)
    finally:
        del RULES["test-output-seen"]
    assert ((), "B") not in seen                     # summary changed, output as it was: not compared
    assert ((), "A") in seen and ((), "C") in seen   # a changed definition behind it, a changed schema
