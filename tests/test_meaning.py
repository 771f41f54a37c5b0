"""Verdicts that follow what the platform reads, not how the file spells it:
direction of type changes, one finding per change, meanings that
are equal, schema details. Each test writes two small definitions and diffs them through
the public API (and the CLI where the output matters)."""

from __future__ import annotations

import copy
import json

import pytest

from conftest import FIXTURES
from connver import diff, load_connector
from connver.cli.main import cli

BASE = json.loads((FIXTURES / "rules/parameter-type-changed/old/apiDefinition.swagger.json").read_text())


def _write(folder, doc, properties=None):
    folder.mkdir(parents=True)
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    if properties is not None:
        (folder / "apiProperties.json").write_text(json.dumps({"properties": properties}), encoding="utf-8")
    return folder


def run(tmp_path, change_old, change_new, props_old=None, props_new=None):
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    change_old(old)
    change_new(new)
    result = diff(load_connector(_write(tmp_path / "old", old, props_old)),
                  load_connector(_write(tmp_path / "new", new, props_new)))
    return result


def same(doc):
    pass


def top(doc):
    return doc["paths"]["/tasks/{id}"]["get"]["parameters"][1]


def task(doc):
    return doc["definitions"]["Task"]["properties"]


def ok(doc):
    return doc["paths"]["/tasks/{id}"]["get"]["responses"]["200"]


def ids(result):
    """The typed verdict (the residual pass notes a spelling that means the same as a
    cosmetic unclassified-change: tests/test_residual.py)."""
    return sorted(c.rule for c in result.changes if c.rule != "unclassified-change")


# --- class 4: direction -----------------------------------------------------------------------

@pytest.mark.parametrize("before,after,rule", [
    ({"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"}, "parameter-type-widened"),
    ({"type": "integer", "format": "int32"}, {"type": "integer"}, "parameter-type-widened"),
    ({"type": "integer"}, {"type": "number"}, "parameter-type-widened"),
    ({"type": "string", "format": "date-time"}, {"type": "string"}, "parameter-type-widened"),
    ({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"}, "parameter-type-changed"),
    ({"type": "number"}, {"type": "integer"}, "parameter-type-changed"),
    ({"type": "string"}, {"type": "string", "format": "date-time"}, "parameter-type-changed"),
])
def test_an_input_is_judged_by_what_it_accepts(tmp_path, before, after, rule):
    def set_to(values):
        def apply(doc):
            top(doc).pop("format", None)
            top(doc).update(values)
        return apply
    result = run(tmp_path, set_to(before), set_to(after))
    assert ids(result) == [rule]


def test_a_type_change_with_a_format_change_is_one_finding(tmp_path):
    result = run(tmp_path, lambda d: top(d).update(type="integer", format="int32"),
                 lambda d: top(d).update(type="string", format="date"))
    assert ids(result) == ["parameter-type-changed"]
    change = result.changes[0]
    assert change.detail["attribute"] == "type and format"
    assert "integer (int32)" in change.message and "string (date)" in change.message
    out = run(tmp_path / "out", lambda d: task(d)["done"].update(type="integer", format="int32"),
              lambda d: task(d)["done"].update(type="string", format="date-time"))
    assert ids(out) == ["response-property-type-changed"]


def test_a_number_enum_that_becomes_a_string_enum_is_one_change_showing_both_forms(tmp_path):
    result = run(tmp_path, lambda d: top(d).update(type="integer", enum=[1, 2, 3]),
                 lambda d: top(d).update(type="string", enum=["1", "2", "3"]))
    assert ids(result) == ["parameter-type-changed"]
    message = result.changes[0].message
    assert "1, 2, 3" in message and '"1", "2", "3"' in message
    assert "removed" not in message and "added" not in message
    out = run(tmp_path / "out", lambda d: task(d)["done"].update(type="integer", enum=[0, 1]),
              lambda d: task(d)["done"].update(type="string", enum=["0", "1"]))
    assert ids(out) == ["response-property-type-changed"]


def test_an_output_that_changes_format_is_still_breaking(tmp_path):
    result = run(tmp_path, lambda d: task(d)["done"].update(type="integer", format="int32"),
                 lambda d: task(d)["done"].update(type="integer", format="int64"))
    assert [(c.rule, c.level.value) for c in result.changes] == [("response-property-type-changed", "breaking")]


# --- class 6: meaning, not spelling -------------------------------------------------------------

def test_no_base_path_means_slash(tmp_path):
    assert ids(run(tmp_path, lambda d: d.pop("basePath"), lambda d: d.update(basePath="/"))) == []
    assert ids(run(tmp_path / "b", lambda d: d.pop("basePath"), lambda d: d.update(basePath="/v2"))) == ["base-path-changed"]


def test_exclusive_bounds_are_booleans(tmp_path):
    def bound(**extra):
        return lambda d: top(d).update(type="integer", maximum=10, **extra)
    assert ids(run(tmp_path / "a", bound(), bound(exclusiveMaximum=False))) == []
    assert ids(run(tmp_path / "b", bound(), bound(exclusiveMaximum=True))) == ["parameter-constraint-tightened"]
    assert ids(run(tmp_path / "c", bound(exclusiveMaximum=True), bound())) == ["parameter-constraint-loosened"]


def test_an_empty_object_schema_carries_no_outputs(tmp_path):
    def no_content(schema):
        def apply(doc):
            responses = doc["paths"]["/tasks/{id}"]["get"]["responses"]
            responses.clear()
            responses["204"] = {"description": "No content", **({"schema": schema} if schema is not None else {})}
        return apply
    assert ids(run(tmp_path / "a", no_content({"type": "object"}), no_content(None))) == []
    assert ids(run(tmp_path / "b", no_content({"type": "object", "properties": {}}), no_content(None))) == []
    # a schema that does declare something still counts
    assert ids(run(tmp_path / "c", no_content({"type": "string"}), no_content(None))) == ["response-removed"]


# --- class 8: schema details --------------------------------------------------------------------

def test_type_object_added_to_a_schema_with_properties_is_no_type_change(tmp_path):
    assert ids(run(tmp_path / "a", lambda d: d["definitions"]["Task"].pop("type"), same)) == []
    # a property without properties that gains a type is still a type change
    assert ids(run(tmp_path / "b", lambda d: task(d)["done"].pop("type"), same)) == ["response-property-type-changed"]


def test_a_read_only_property_in_required_is_not_a_required_input(tmp_path):
    def body(required, read_only):
        def apply(doc):
            schema = {"type": "object", "required": required, "properties": {
                "title": {"type": "string"}, "id": {"type": "string", "readOnly": read_only}}}
            doc["paths"]["/tasks"] = {"post": {"operationId": "CreateTask", "parameters": [
                {"name": "body", "in": "body", "schema": schema}], "responses": {"200": {"description": "OK"}}}}
        return apply
    assert ids(run(tmp_path / "a", body([], True), body(["id"], True))) == []
    assert ids(run(tmp_path / "b", body([], False), body(["id"], False))) == ["request-property-became-required"]


def test_properties_inherited_through_all_of_are_compared_like_direct_ones(tmp_path):
    def inherit(doc):
        doc["definitions"]["Base"] = {"type": "object", "properties": {"created": {"type": "string"}}}
        doc["definitions"]["Task"] = {"allOf": [{"$ref": "#/definitions/Base"}, doc["definitions"]["Task"]]}

    def retype(doc):
        inherit(doc)
        doc["definitions"]["Base"]["properties"]["created"]["type"] = "integer"

    def remove(doc):
        inherit(doc)
        doc["definitions"]["Base"]["properties"].clear()

    retyped = run(tmp_path / "a", inherit, retype)
    assert [(c.rule, c.location) for c in retyped.changes] == [
        ("response-property-type-changed", "operation/GetTask/responses/200/schema/created/type")]
    assert [c.rule for c in run(tmp_path / "b", inherit, remove).changes] == ["response-property-removed"]


def test_additional_properties_schemas_follow_the_property_rules(tmp_path):
    def tags(kind):
        return lambda d: task(d).update(tags={"type": "object", "additionalProperties": {"type": kind}})
    result = run(tmp_path, tags("string"), tags("integer"))
    assert [(c.rule, c.location) for c in result.changes] == [
        ("response-property-type-changed", "operation/GetTask/responses/200/schema/tags/additionalProperties/type")]


def test_two_body_parameters_are_warned_about_and_both_compared(tmp_path):
    def two_bodies(second_type):
        def apply(doc):
            doc["paths"]["/tasks"] = {"post": {"operationId": "CreateTask", "parameters": [
                {"name": "body", "in": "body", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
                {"name": "extra", "in": "body", "schema": {"type": "object", "properties": {"b": {"type": second_type}}}},
            ], "responses": {"200": {"description": "OK"}}}}
        return apply
    result = run(tmp_path, two_bodies("string"), two_bodies("boolean"))
    assert [(c.rule, c.detail.get("key")) for c in result.changes] == [("request-property-type-changed", "extra/b")]
    warnings = [w for w in result.warnings if "body parameters" in w.message]
    assert warnings and "CreateTask" in warnings[0].message and warnings[0].line > 1


def test_response_headers_of_a_webhook_registration_are_not_outputs(tmp_path):
    def webhook(header_type):
        def apply(doc):
            doc["paths"]["/hooks"] = {"post": {"operationId": "OnTask", "x-ms-trigger": "single", "parameters": [
                {"name": "body", "in": "body", "schema": {"type": "object", "properties": {
                    "callback": {"type": "string", "x-ms-notification-url": True, "x-ms-visibility": "internal"}}}}],
                "responses": {"201": {"description": "Created", "headers": {"Location": {"type": header_type}}}}}}
        return apply
    assert ids(run(tmp_path, webhook("string"), webhook("integer"))) == []


# --- class 5: connection parameters -------------------------------------------------------------

KEY = {"api_key": {"type": "securestring", "uiDefinition": {"displayName": "API key",
                                                            "constraints": {"required": "true"}}}}
OAUTH = {"token": {"type": "oauthSetting", "oAuthSettings": {"identityProvider": "aad", "clientId": "x",
                                                             "scopes": [], "redirectMode": "Global"}}}


def test_an_auth_kind_switch_is_one_finding_saying_connections_must_be_recreated(tmp_path):
    def security(kind):
        def apply(doc):
            if kind == "key":
                doc["securityDefinitions"] = {"api_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
            else:
                doc["securityDefinitions"] = {"oauth2": {"type": "oauth2", "flow": "accessCode",
                                                         "authorizationUrl": "https://login.contoso.com/a",
                                                         "tokenUrl": "https://login.contoso.com/t", "scopes": {}}}
            doc["security"] = []
        return apply
    result = run(tmp_path, security("key"), security("oauth"), {"connectionParameters": KEY},
                 {"connectionParameters": OAUTH})
    assert ids(result) == ["auth-type-changed"]
    assert "every existing connection must be recreated" in result.changes[0].message


def test_a_new_identity_provider_under_a_new_key_is_one_finding(tmp_path):
    other = {"login": {"type": "oauthSetting", "oAuthSettings": {"identityProvider": "oauth2", "clientId": "x"}}}
    result = run(tmp_path, same, same, {"connectionParameters": OAUTH}, {"connectionParameters": other})
    assert ids(result) == ["auth-type-changed"]


def test_plain_parameters_changed_beside_sets_get_a_note_in_the_cli(tmp_path):
    sets = {"values": [{"name": "key", "parameters": KEY}]}
    old = _write(tmp_path / "old", BASE, {"connectionParameters": KEY, "connectionParameterSets": sets})
    new = _write(tmp_path / "new", BASE, {"connectionParameters": {}, "connectionParameterSets": sets})
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert "No changes" not in result.output
    assert "connectionParameterSets" in result.output and "[connection-parameters-ignored-changed]" in result.output


def test_a_map_losing_its_value_schema_is_no_removed_field_but_a_property_of_that_name_is(tmp_path):
    def tags(doc):
        task(doc)["tags"] = {"type": "object", "additionalProperties": {"type": "string"}}
    untyped = lambda d: task(d).update(tags={"type": "object"})  # noqa: E731
    assert ids(run(tmp_path / "a", tags, untyped)) == []
    # a field that happens to be named additionalProperties is a field like any other
    named = lambda d: task(d).update(tags={"type": "object", "properties": {"additionalProperties": {"type": "string"}}})  # noqa: E731
    assert ids(run(tmp_path / "b", named, untyped)) == ["response-property-removed"]
