"""Schema walking: recursion through $ref and allOf wrappers (found in review)."""

from __future__ import annotations

import copy
import json

from connver import SourceFiles, diff
from connver.model import Connector


def swagger(definitions: dict) -> dict:
    return {
        "swagger": "2.0",
        "info": {"title": "Case", "version": "1.0"},
        "paths": {"/items/{id}": {"get": {
            "operationId": "GetItem",
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
            "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/Item"}}},
        }}},
        "definitions": definitions,
    }


ITEM = {"type": "object", "properties": {
    "name": {"type": "string"},
    "count": {"type": "integer", "format": "int32"},
    "children": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
}}


def connector(doc: dict) -> Connector:
    return Connector.from_files(SourceFiles("case", {"apiDefinition.swagger.json": json.dumps(doc).encode()}))


def found(old: dict, new: dict) -> set[tuple[str, str]]:
    """The typed findings (the residual pass is tests/test_residual.py's)."""
    return {(c.rule, c.location) for c in diff(connector(old), connector(new)).changes
            if c.rule != "unclassified-change"}


def test_unchanged_recursive_schema_reports_nothing():
    assert found(swagger({"Item": ITEM}), swagger({"Item": copy.deepcopy(ITEM)})) == set()


def test_recursion_replaced_by_a_smaller_definition_is_compared():
    new_item = copy.deepcopy(ITEM)
    new_item["properties"]["children"]["items"] = {"$ref": "#/definitions/Child"}
    child = {"type": "object", "properties": {"name": {"type": "string"}, "count": {"type": "string"}}}
    base = "operation/GetItem/responses/200/schema/children/items"
    assert found(swagger({"Item": ITEM}), swagger({"Item": new_item, "Child": child})) == {
        ("response-property-removed", f"{base}/children"),
        ("response-property-type-changed", f"{base}/count/type"),
    }


def test_change_inside_a_recursive_definition_is_reported_once():
    new_item = copy.deepcopy(ITEM)
    del new_item["properties"]["count"]
    assert found(swagger({"Item": ITEM}), swagger({"Item": new_item})) == {
        ("response-property-removed", "operation/GetItem/responses/200/schema/count"),
    }


def test_mutual_recursion_terminates_and_compares_each_pair_once():
    a = {"type": "object", "properties": {"b": {"$ref": "#/definitions/B"}, "x": {"type": "string"}}}
    b = {"type": "object", "properties": {"a": {"$ref": "#/definitions/Item"}, "y": {"type": "string"}}}
    old = swagger({"Item": a, "B": b})
    new_b = copy.deepcopy(b)
    new_b["properties"]["a"] = {"$ref": "#/definitions/B"}  # B now recurses on itself
    changes = found(old, swagger({"Item": a, "B": new_b}))
    assert ("response-property-removed", "operation/GetItem/responses/200/schema/b/a/b") in changes
    assert all(location.count("/b/") <= 3 for _, location in changes)


def test_all_of_wrapper_and_plain_ref_declare_the_same_type():
    inner = {"type": "object", "properties": {"a": {"type": "string"}}}
    old = swagger({"Item": {"type": "object", "properties": {"inner": {"allOf": [{"$ref": "#/definitions/Inner"}]}}},
                   "Inner": inner})
    new = swagger({"Item": {"type": "object", "properties": {"inner": {"$ref": "#/definitions/Inner"}}},
                   "Inner": inner})
    assert found(old, new) == set()
    assert found(new, old) == set()


def test_adding_a_type_where_none_was_declared_still_counts():
    old = swagger({"Item": {"type": "object", "properties": {"v": {"description": "any"}}}})
    new = swagger({"Item": {"type": "object", "properties": {"v": {"description": "any", "type": "string"}}}})
    assert found(old, new) == {("response-property-type-changed", "operation/GetItem/responses/200/schema/v/type")}


def test_definitions_shared_along_many_paths_stay_bounded():
    """W0 has two properties of type W1, which has two of type W2...: 2^30 paths."""
    from connver import engine

    n = 30
    defs = {f"W{i}": {"type": "object", "properties": {"a": {"$ref": f"#/definitions/W{i + 1}"},
                                                        "b": {"$ref": f"#/definitions/W{i + 1}"}}} for i in range(n)}
    defs[f"W{n}"] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    old = swagger({"Item": {"$ref": "#/definitions/W0"}, **defs})
    new = copy.deepcopy(old)
    new["definitions"][f"W{n}"]["properties"]["leaf"]["type"] = "integer"
    changes = found(old, new)
    assert changes and all(rule == "response-property-type-changed" for rule, _ in changes)
    assert len(changes) <= engine.SCHEMA_BUDGET


def test_duplicate_operation_ids_hide_nothing_and_warn():
    doc = swagger({"Item": ITEM})
    doc["paths"]["/other/{id}"] = copy.deepcopy(doc["paths"]["/items/{id}"])
    fewer = copy.deepcopy(doc)
    del fewer["paths"]["/other/{id}"]
    result = diff(connector(doc), connector(fewer))
    assert [c.rule for c in result.changes] == ["operation-removed"]
    assert result.changes[0].operation == "GetItem (GET /other/{id})"
    assert any("operationId GetItem is used by GET /items/{id} and by GET /other/{id}" in str(w)
               for w in result.warnings)


def test_static_placeholders_under_a_dynamic_schema_are_not_outputs():
    dynamic = {"operationId": "GetItemSchema", "value-path": "schema"}
    old = swagger({"Item": {"type": "object", "properties": {"schema": {"type": "object"}},
                            "x-ms-dynamic-schema": dynamic}})
    new = swagger({"Item": {"type": "object", "x-ms-dynamic-schema": dynamic}})
    assert found(old, new) == set()
    # without the dynamic schema, the same removal is a removed output
    plain_old = swagger({"Item": {"type": "object", "properties": {"schema": {"type": "object"}}}})
    plain_new = swagger({"Item": {"type": "object"}})
    assert found(plain_old, plain_new) == {
        ("response-property-removed", "operation/GetItem/responses/200/schema/schema")}
