"""The minimal info.version edit (versioning.rewrite): every other byte stays."""

from __future__ import annotations

import json

import pytest

from connver.errors import InputError
from connver.jsonload import load_json
from connver.rewrite import find_info_version, set_info_version, write_info_version

NEW = "77.77.77-zz"  # shares no first or last character with any version in the corpus


def only_version_changed(before: bytes, after: bytes, old: str, new: str) -> bool:
    """True when ``after`` is ``before`` with exactly the old version's bytes replaced."""
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    cut_old = before[head:len(before) - tail]
    cut_new = after[head:len(after) - tail]
    return (
        before[head - 1:head] == b'"'
        and before[len(before) - tail:len(before) - tail + 1] == b'"'
        and json.loads(b'"' + cut_old + b'"') == old
        and cut_new == new.encode()
    )


@pytest.mark.parametrize(
    "name, data",
    [
        ("indented", b'{\n  "swagger": "2.0",\n  "info": {\n    "title": "T",\n    "version": "1.0"\n  }\n}\n'),
        ("crlf", b'{\r\n\t"info": {\r\n\t\t"version": "1.0",\r\n\t\t"title": "T"\r\n\t}\r\n}'),
        ("bom", b'\xef\xbb\xbf{"info": {"version": "1.0"}, "paths": {}}\n'),
        ("cp1252 elsewhere", b'{"info": {"description": "caf\xe9 \x96 ok", "version": "1.0"}}'),
        ("utf-8 before", '{"info": {"title": "Zoë ✓", "version": "1.0"}}'.encode()),
        ("compact", b'{"info":{"version":"1.0"},"x":1}'),
        ("spaces around colon", b'{ "info" : { "version" : "1.0" } }'),
        ("info after other versions", b'{"x-ms-connector-metadata": [{"version": "9"}], '
                                      b'"paths": {"/a": {"get": {"info": {"version": "8"}}}}, '
                                      b'"info": {"contact": {"version": "7"}, "version": "1.0"}}'),
        ("tricky strings", b'{"a": "\\"info\\": {\\"version\\": \\"5\\"}", "info": {"x": "}{", "version": "1.0"}}'),
        ("escaped key", b'{"info": {"vers\\u0069on": "1.0"}}'),
        ("escaped value", b'{"info": {"version": "v\\u0031.0"}}'),
        ("no trailing newline", b'{"info": {"version": "1.0"}}'),
        ("comments", b'{\n  // "info": {"version": "0"},\n  "info": {/* "version": "9" */ "version": "1.0"}\n}\n'),
        ("trailing commas", b'{"info": {"title": "T", "version": "1.0",}, "paths": {},}'),
    ],
)
def test_only_the_version_bytes_change(name, data):
    old = find_info_version(data).value
    after = set_info_version(data, NEW)
    assert only_version_changed(data, after, old, NEW)
    doc, _ = load_json(after, "x")
    assert doc["info"]["version"] == NEW


def test_value_with_quote_is_escaped():
    after = set_info_version(b'{"info": {"version": "1.0"}}', 'a"b')
    assert after == b'{"info": {"version": "a\\"b"}}'


@pytest.mark.parametrize(
    "data, reason",
    [
        (b'{"swagger": "2.0"}', "no top-level info"),
        (b'{"info": "1.0"}', "info is not an object"),
        (b'{"info": {"version": "1.0"}, "info": {"version": "1.0"}}', "info appears more than once"),
        (b'{"info": {"title": "T"}}', "info has no version member"),
        (b'{"info": {"version": 1.0}}', "info.version is 1.0, not a string"),
        (b'{"info": {"version": null}}', "not a string"),
        (b'{"info": {"version": "1.0", "version": "2.0"}}', "info.version appears more than once"),
        (b'{"info": {"version": "1.0"}', "unclosed object"),
        (b'{"info": {"version": "1.0}}', "unterminated string"),
        (b'["info"]', "does not start with a JSON object"),
        ('{"info": {"version": "1.0"}}'.encode("utf-16"), "UTF-16"),
    ],
)
def test_refuses_what_cannot_be_edited_safely(data, reason):
    with pytest.raises(InputError, match=reason) as info:
        set_info_version(data, "2.0", "apiDefinition.swagger.json")
    assert str(info.value).startswith("apiDefinition.swagger.json")
    assert "cannot edit info.version" in str(info.value)


def test_refusal_names_line_and_column():
    data = b'{\n  "info": {\n    "version": "1.0",\n    "version": "2.0"\n  }\n}\n'
    with pytest.raises(InputError) as info:
        set_info_version(data, "3.0", "f.json")
    assert str(info.value).startswith("f.json:4:5: ")


def test_write_info_version_in_place(tmp_path):
    path = tmp_path / "apiDefinition.swagger.json"
    data = b'\xef\xbb\xbf{\r\n  "info": {\r\n    "version": "v1.0"\r\n  }\r\n}\r\n'
    path.write_bytes(data)
    assert write_info_version(path, "v2.0") == ("v1.0", "v2.0")
    assert path.read_bytes() == data.replace(b"v1.0", b"v2.0")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_write_keeps_the_file_mode(tmp_path):
    path = tmp_path / "apiDefinition.swagger.json"
    path.write_bytes(b'{"info": {"version": "1.0"}}')
    path.chmod(0o640)
    write_info_version(path, "1.1")
    assert path.stat().st_mode & 0o777 == 0o640


def test_write_refusal_leaves_the_file_alone(tmp_path):
    path = tmp_path / "apiDefinition.swagger.json"
    data = b'{"info": {"version": 2}}'
    path.write_bytes(data)
    with pytest.raises(InputError):
        write_info_version(path, "3")
    assert path.read_bytes() == data


@pytest.mark.corpus
def test_every_history_swagger_round_trips(corpus):
    """Every swagger in ../shared/corpus/history is edited byte-for-byte except the version."""
    swaggers = sorted((corpus / "history").glob("*/*/apiDefinition.swagger.json"))
    assert len(swaggers) == 167
    for path in swaggers:
        data = path.read_bytes()
        name = str(path.relative_to(corpus))
        old = find_info_version(data, name).value
        after = set_info_version(data, NEW, name)
        assert only_version_changed(data, after, old, NEW), name
        assert set_info_version(after, old, name) == data, name  # and back again


@pytest.mark.corpus
def test_malformed_swaggers_are_edited_or_refused_cleanly(corpus):
    """BOM, cp1252 bytes, raw control characters...: edited where the reader recovers the
    document, refused with file:line:column where it does not; never corrupted."""
    edited = refused = 0
    for path in sorted((corpus / "malformed").glob("*swagger.json")):
        data = path.read_bytes()
        name = path.name
        try:
            after = set_info_version(data, NEW, name)
        except InputError as exc:
            assert str(exc).startswith(f"{name}:") and "cannot edit info.version safely" in str(exc)
            refused += 1
            continue
        assert only_version_changed(data, after, find_info_version(data, name).value, NEW), name
        edited += 1
    assert edited >= 5 and refused >= 1
