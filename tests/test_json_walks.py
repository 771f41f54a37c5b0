"""The walkers that skip objects holding no container (``pointers.holds_containers``) find
what a plain recursive walk finds, on values parsed from JSON text and on values built in
Python alike."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from connver.entries import refs_below, scan_entries
from connver.jsontext.load import MAX_DEPTH, _deeper_than_limit
from connver.pointers import holds_containers

KEYS = st.sampled_from(["$ref", "type", "items", "properties", "x-ms-dynamic-values", "a", "b"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["#/definitions/A", "#/parameters/p", "x"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=4)), max_leaves=40)


def _dicts(value):
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _dicts(child)
    elif isinstance(value, list):
        for child in value:
            yield from _dicts(child)


def _refs(value) -> set[str]:
    found = set()
    for node in _dicts(value):
        if isinstance(node.get("$ref"), str):
            found.add(node["$ref"])
    return found


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_a_dict_said_to_hold_no_container_holds_none(value):
    for built in (value, json.loads(json.dumps(value)), json.loads(json.dumps(value), object_pairs_hook=dict)):
        for node in _dicts(built):
            if not holds_containers(node):
                assert not any(isinstance(v, (dict, list)) for v in node.values())


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_refs_and_depth_match_a_plain_walk(value):
    parsed = json.loads(json.dumps(value))
    for built in (value, parsed):
        assert refs_below(built) == _refs(built)
        assert _deeper_than_limit(built) is False  # (hypothesis values stay shallow)
    doc = {"definitions": {"D": parsed}, "paths": {"/p": {"get": {"parameters": [parsed]}}}}
    entries = scan_entries(doc)
    assert entries[("definitions", "D")].refs == _refs(parsed)
    assert entries[("paths", "/p")].refs == _refs(parsed)


def test_depth_limit_is_exact_through_objects_that_hold_no_container():
    for leaf in ({"type": "string"}, {}, [], "x"):
        nested = leaf
        while _depth(nested) < MAX_DEPTH:
            nested = {"items": nested} if isinstance(nested, dict) else [nested]
        text = json.dumps(nested)
        assert _depth(json.loads(text)) == MAX_DEPTH
        assert _deeper_than_limit(json.loads(text)) is False
        assert _deeper_than_limit(json.loads(f"[{text}]")) is True


def _escape_seen(data: bytes) -> bool:  # the plain reading: every escape, in order
    at = 0
    while (at := data.find(b"\\", at)) >= 0:
        if data[at + 1:at + 2] in (b"u", b"U"):
            return True
        at += 2
    return False


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "\\", "\u00e9", "\ud800", "\n", '"', "u", "\\u"]), max_size=700),
       st.booleans())
def test_unicode_escapes_are_seen_wherever_they_are(parts, ascii_only):
    from connver.jsontext.common import holds_unicode_escape

    text = "".join(parts)
    data = json.dumps({"k": text}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert holds_unicode_escape(data) == _escape_seen(data)
    if ascii_only and any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert holds_unicode_escape(data)  # valid UTF-8 JSON can hold a lone surrogate only as an escape
