"""Three-way merge on semantic keys, and the JSON writer that keeps a file's layout."""

from __future__ import annotations

import copy
import doctest
import importlib
import json

import pytest

from connver.jsontext import detect_style, dump_like
from connver.merge import ABSENT, ConflictKind, Prefer, merge_documents


def swagger(**ops):
    """A small swagger with the given operations: name -> (path, method, parameters)."""
    paths: dict = {}
    for op_id, (path, method, params) in ops.items():
        paths.setdefault(path, {})[method] = {
            "operationId": op_id,
            "summary": op_id,
            "parameters": [dict(p) for p in params],
            "responses": {"200": {"description": "OK"}},
        }
    return {"swagger": "2.0", "info": {"title": "T", "version": "1.0"}, "host": "api.example.com", "paths": paths}


Q = {"name": "q", "in": "query", "type": "string", "required": False}
TOP = {"name": "top", "in": "query", "type": "integer"}
BASE = swagger(GetItems=("/items", "get", [Q]), GetItem=("/items/{id}", "get", [{"name": "id", "in": "path", "required": True, "type": "string"}]))


def merge(base, fork, upstream, **kw):
    return merge_documents(base, fork, upstream, file="apiDefinition.swagger.json", kind="swagger", **kw)


def test_disjoint_edits_merge_cleanly():
    fork = copy.deepcopy(BASE)
    fork["host"] = "fork.example.com"
    fork["paths"]["/items"]["get"]["parameters"].append(dict(TOP))
    upstream = copy.deepcopy(BASE)
    upstream["info"]["version"] = "2.0"
    upstream["paths"]["/items/{id}"]["get"]["summary"] = "Get one item"
    upstream["paths"]["/items"]["get"]["parameters"][0]["required"] = True

    merged, conflicts = merge(BASE, fork, upstream)

    assert conflicts == []
    assert merged["host"] == "fork.example.com"                     # the fork's edit is kept
    assert merged["info"]["version"] == "2.0"                       # upstream's edits are applied
    assert merged["paths"]["/items/{id}"]["get"]["summary"] == "Get one item"
    assert merged["paths"]["/items"]["get"]["parameters"] == [dict(Q, required=True), TOP]
    assert BASE["paths"]["/items"]["get"]["parameters"] == [Q]     # inputs are not mutated


def test_same_parameter_changed_on_both_sides_is_a_conflict():
    fork, upstream = copy.deepcopy(BASE), copy.deepcopy(BASE)
    fork["paths"]["/items"]["get"]["parameters"][0]["type"] = "integer"
    upstream["paths"]["/items"]["get"]["parameters"][0]["type"] = "boolean"

    merged, conflicts = merge(BASE, fork, upstream)
    assert [(c.location, c.kind, c.base, c.fork, c.upstream) for c in conflicts] == [
        ("operation/GetItems/parameter/q/type", ConflictKind.BOTH_CHANGED, "string", "integer", "boolean")]
    assert merged["paths"]["/items"]["get"]["parameters"][0]["type"] == "integer"

    merged, conflicts = merge(BASE, fork, upstream, prefer=Prefer.UPSTREAM)
    assert merged["paths"]["/items"]["get"]["parameters"][0]["type"] == "boolean"
    assert conflicts[0].kept is Prefer.UPSTREAM


def test_parameters_match_by_name_not_position():
    fork = copy.deepcopy(BASE)
    fork["paths"]["/items"]["get"]["parameters"].insert(0, dict(TOP))  # shifts q to index 1
    upstream = copy.deepcopy(BASE)
    upstream["paths"]["/items"]["get"]["parameters"][0]["x-ms-summary"] = "Query"

    merged, conflicts = merge(BASE, fork, upstream)
    assert conflicts == []
    assert merged["paths"]["/items"]["get"]["parameters"] == [TOP, dict(Q, **{"x-ms-summary": "Query"})]


def test_operation_moved_in_fork_still_receives_upstream_edits():
    fork = copy.deepcopy(BASE)
    fork["paths"]["/v2/items"] = fork["paths"].pop("/items")
    upstream = copy.deepcopy(BASE)
    upstream["paths"]["/items"]["get"]["summary"] = "List items"

    merged, conflicts = merge(BASE, fork, upstream)
    assert conflicts == []
    assert "/items" not in merged["paths"]
    assert merged["paths"]["/v2/items"]["get"]["summary"] == "List items"


def test_removed_in_fork_but_changed_upstream_collides():
    fork = copy.deepcopy(BASE)
    del fork["paths"]["/items/{id}"]
    upstream = copy.deepcopy(BASE)
    upstream["paths"]["/items/{id}"]["get"]["summary"] = "Get one item"

    merged, conflicts = merge(BASE, fork, upstream)
    assert [(c.location, c.kind) for c in conflicts] == [("operation/GetItem", ConflictKind.FORK_REMOVED)]
    assert conflicts[0].fork is ABSENT and conflicts[0].side == "upstream"
    assert "/items/{id}" not in merged["paths"]  # the fork's removal is kept


def test_upstream_removal_of_an_operation_the_fork_edited_collides():
    fork = copy.deepcopy(BASE)
    fork["paths"]["/items/{id}"]["get"]["summary"] = "Fork's own summary"
    upstream = copy.deepcopy(BASE)
    del upstream["paths"]["/items/{id}"]
    merged, conflicts = merge(BASE, fork, upstream)
    assert [(c.location, c.kind) for c in conflicts] == [("operation/GetItem", ConflictKind.UPSTREAM_REMOVED)]
    assert merged["paths"]["/items/{id}"]["get"]["summary"] == "Fork's own summary"


def test_untouched_upstream_removal_is_applied_and_same_change_is_no_conflict():
    fork, upstream = copy.deepcopy(BASE), copy.deepcopy(BASE)
    fork["host"] = upstream["host"] = "new.example.com"   # both made the same edit
    del upstream["paths"]["/items/{id}"]
    merged, conflicts = merge(BASE, fork, upstream)
    assert conflicts == []
    assert list(merged["paths"]) == ["/items"] and merged["host"] == "new.example.com"


def test_scalar_arrays_merge_as_sets_and_keys_keep_fork_order():
    base = {"schemes": ["https"], "required": ["a", "b"], "z": 1, "a": 2}
    fork = {"a": 2, "z": 1, "schemes": ["https", "wss"], "required": ["a", "b"]}
    upstream = {"schemes": ["https"], "required": ["b", "c"], "z": 1, "new": True, "a": 2}
    merged, conflicts = merge_documents(base, fork, upstream, file="x.json")
    assert conflicts == []
    assert merged == {"a": 2, "z": 1, "new": True, "schemes": ["https", "wss"], "required": ["b", "c"]}
    assert list(merged) == ["a", "z", "new", "schemes", "required"]


def test_connection_parameters_conflict_by_key():
    base = {"properties": {"connectionParameters": {"api_key": {"type": "securestring"}}}}
    fork = {"properties": {"connectionParameters": {"api_key": {"type": "string"}}}}
    upstream = {"properties": {"connectionParameters": {"api_key": {"type": "oauthSetting"}}}}
    _, conflicts = merge_documents(base, fork, upstream, file="apiProperties.json", kind="properties")
    assert [c.location for c in conflicts] == ["connection/api_key/type"]


# --------------------------------------------------------------------------- writer


def test_writer_keeps_layout_and_changes_only_what_changed():
    original = (b'\xef\xbb\xbf{\r\n    "info": {\r\n        "title": "T",\r\n        "version": "1.0"\r\n    },\r\n'
                b'    "schemes": ["https"],\r\n    "x": "caf\\u00e9"\r\n}')
    value = json.loads(original.decode("utf-8-sig"))
    style = detect_style(original)
    assert (style.indent, style.newline, style.bom, style.final_newline, style.ascii) == ("    ", "\r\n", True, False, True)

    changed = dict(value, info={"title": "T", "version": "2.0"}, extra={"k": "é"})
    out = dump_like(changed, original, value)
    assert out == (b'\xef\xbb\xbf{\r\n    "info": {\r\n        "title": "T",\r\n        "version": "2.0"\r\n    },\r\n'
                   b'    "schemes": ["https"],\r\n    "x": "caf\\u00e9",\r\n    "extra": {\r\n        "k": "\\u00e9"\r\n    }\r\n}')
    assert json.loads(out.decode("utf-8-sig")) == changed


def test_writer_edits_the_text_when_the_original_is_not_strict_json():
    original = b'{\n\t"a": [1, 2,],\n}\n'
    out = dump_like({"a": [1, 2, 3]}, original, {"a": [1, 2]})
    assert out == b'{\n\t"a": [1, 2, 3,],\n}\n'


def test_writer_reindents_everything_when_the_text_cannot_be_followed():
    original = b'{\n\t"a": [1, 2,],\n\t"a": [1, 2]\n}\n'  # a key twice: which one the loader keeps is a guess
    out = dump_like({"a": [1, 2, 3]}, original, {"a": [1, 2]})
    assert out == b'{\n\t"a": [\n\t\t1,\n\t\t2,\n\t\t3\n\t]\n}\n'


@pytest.mark.parametrize("module", ["flows.model", "merge", "jsontext", "basedetect"])
def test_doctests(module):
    imported = importlib.import_module(f"connver.{module}")
    failures, tried = doctest.testmod(imported)
    assert tried > 0 and failures == 0
