"""The entry index the engine and the dynamic-reference rules share (connver.entries)."""

from connver.entries import scan_entries


def _doc(summary: str) -> dict:
    return {
        "paths": {"/items": {"get": {"operationId": "List", "summary": summary,
                                     "parameters": [{"name": "f", "in": "query", "type": "string",
                                                     "x-ms-dynamic-values": {"operationId": "Folders",
                                                                             "parameters": {"x": {"$ref": "#/definitions/Inner"}},
                                                                             "nested": {"x-ms-dynamic-list": {"operationId": "X"}}}}],
                                     "responses": {"200": {"schema": {"$ref": "#/definitions/Item"}}}}}},
        "definitions": {"Item": {"type": "object", "properties": {"a": {"$ref": "#/definitions/Inner"}}},
                        "Inner": {"type": "string"}},
        "responses": {"Error": {"description": "x", "schema": {"$ref": "#/definitions/Inner"}}},
    }


def test_refs_and_extensions_of_each_entry():
    found = scan_entries(_doc("one"))
    path = found[("paths", "/items")]
    assert path.refs == {"#/definitions/Item", "#/definitions/Inner"}  # the one inside the extension too
    assert [(pointer, key) for pointer, key, _ in path.dynamic] == [
        (("paths", "/items", "get", "parameters", 0), "x-ms-dynamic-values")]  # the nested list is part of it
    assert found[("definitions", "Item")].refs == {"#/definitions/Inner"}
    assert found[("definitions", "Inner")].refs == frozenset()
    assert found[("responses", "Error")].refs == {"#/definitions/Inner"}


def test_the_new_side_shares_what_did_not_change():
    old = scan_entries(_doc("one"))
    new_doc = _doc("two")
    new = scan_entries(new_doc, _doc("one"), old)
    assert new[("definitions", "Item")] is old[("definitions", "Item")]
    assert new[("paths", "/items")] is not old[("paths", "/items")]
    assert new[("paths", "/items")].dynamic[0][2] is new_doc["paths"]["/items"]["get"]["parameters"][0]["x-ms-dynamic-values"]
    new_doc["definitions"]["Extra"] = {"$ref": "#/definitions/Item"}
    again = scan_entries(new_doc, _doc("one"), old)
    assert again[("definitions", "Extra")].refs == {"#/definitions/Item"}  # an entry's own $ref counts


def test_a_document_without_sections():
    assert scan_entries({"swagger": "2.0"}) == {}
    assert scan_entries([]) == {}
