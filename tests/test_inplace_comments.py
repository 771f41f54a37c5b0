"""`connver upgrade --in-place` keeps the fork's comments and trailing commas.

Makers' apiProperties.json and swagger files often carry ``//`` and ``/* */`` comments and
trailing commas (the tolerant loader reads them, with warnings). An upgrade rewrites only
the members and elements that changed; every comment and trailing comma outside them stays
byte for byte (:func:`connver.jsontext.edit_like`). When the text cannot be followed, the
upgrade says so up front and writes nothing unless --force; then the file is written
normalised and the result says so, naming the file.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver.jsontext import dump_like, edit_like, load_json, rewrite_like

SWAGGER, PROPERTIES = "apiDefinition.swagger.json", "apiProperties.json"

BASE_SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Tasks", "description": "Tasks.", "version": "1.0"},
    "host": "tasks.example.com",
    "basePath": "/v1",
    "schemes": ["https"],
    "paths": {
        "/tasks": {
            "get": {
                "operationId": "ListTasks",
                "summary": "List tasks",
                "parameters": [{"name": "state", "in": "query", "type": "string", "required": False}],
                "responses": {"200": {"description": "OK"}},
            },
        },
    },
}
GET_TASK = {
    "get": {
        "operationId": "GetTask",
        "summary": "Get a task",
        "parameters": [{"name": "id", "in": "path", "type": "string", "required": True}],
        "responses": {"200": {"description": "OK"}},
    },
}
BASE_PROPERTIES = {
    "properties": {
        "connectionParameters": {
            "api_key": {"type": "securestring", "uiDefinition": {"displayName": "API key"}},
        },
        "iconBrandColor": "#0F6CBD",
        "publisher": "Contoso",
    },
}
REGION = {"type": "string", "uiDefinition": {"displayName": "Region"}}

#: The fork: its own host and publisher, comments everywhere, trailing commas.
FORK_SWAGGER = b"""{
  // Tasks, our copy of Contoso's connector
  "swagger": "2.0",
  "info": {
    "title": "Tasks",
    "description": "Tasks.", /* upstream words this its own way */
    "version": "1.0",
  },
  "host": "tasks.fork.example", // our own host
  "basePath": "/v1",
  "schemes": ["https",],
  "paths": {
    "/tasks": {
      "get": {
        "operationId": "ListTasks", // flows call it by this id
        "summary": "List tasks",
        "parameters": [
          /* filter by state */
          {"name": "state", "in": "query", "type": "string", "required": false,},
        ],
        "responses": {"200": {"description": "OK",},},
      },
    },
    /* new operations go above this line */
  },
}
"""
FORK_PROPERTIES = b"""{
  "properties": {
    // how users sign in
    "connectionParameters": {
      "api_key": {
        "type": "securestring", // never logged
        "uiDefinition": {"displayName": "API key",},
      },
    },
    "iconBrandColor": "#0F6CBD", /* brand colour */
    "publisher": "Fork Ltd", // us
  },
}
"""

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def write_folder(folder: Path, swagger: bytes | dict, properties: bytes | dict) -> Path:
    folder.mkdir()
    for name, content in ((SWAGGER, swagger), (PROPERTIES, properties)):
        data = content if isinstance(content, bytes) else (json.dumps(content, indent=2) + "\n").encode()
        (folder / name).write_bytes(data)
    return folder


def upstream_docs() -> tuple[dict, dict]:
    swagger = json.loads(json.dumps(BASE_SWAGGER))
    swagger["info"]["description"] = "Read and track tasks."
    swagger["paths"]["/tasks/{id}"] = GET_TASK
    properties = json.loads(json.dumps(BASE_PROPERTIES))
    properties["properties"]["connectionParameters"]["region"] = REGION
    properties["properties"]["iconBrandColor"] = "#107C10"
    return swagger, properties


def folders(tmp_path: Path, fork_swagger: bytes = FORK_SWAGGER, fork_properties: bytes = FORK_PROPERTIES):
    base = write_folder(tmp_path / "base", BASE_SWAGGER, BASE_PROPERTIES)
    upstream = write_folder(tmp_path / "upstream", *upstream_docs())
    fork = write_folder(tmp_path / "fork", fork_swagger, fork_properties)
    return fork, upstream, base


def upgrade_in_place(fork: Path, upstream: Path, base: Path, *more: str):
    return CliRunner().invoke(cli, ["upgrade", str(fork), "--upstream", str(upstream), "--base", str(base),
                                    "--in-place", *more])


def trailing_commas(data: bytes, name: str) -> int:
    return sum("trailing comma" in str(w) for w in load_json(data, name)[1])


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """The lines ``after`` no longer has, and the lines it gained."""
    diff = list(difflib.ndiff(before.decode().splitlines(), after.decode().splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


# --------------------------------------------------------------------------- through the CLI


def test_upgrade_in_place_keeps_comments_and_trailing_commas(tmp_path):
    fork, upstream, base = folders(tmp_path)
    result = upgrade_in_place(fork, upstream, base)
    assert result.exit_code == 0, result.output
    assert "written normalised" not in result.output

    for name, original in ((SWAGGER, FORK_SWAGGER), (PROPERTIES, FORK_PROPERTIES)):
        after = (fork / name).read_bytes()
        assert (fork / f"{name}.orig").read_bytes() == original
        assert _COMMENT.findall(after.decode()) == _COMMENT.findall(original.decode()), name
        assert trailing_commas(after, name) == trailing_commas(original, name) > 0, name

    swagger = (fork / SWAGGER).read_bytes()
    removed, added = changed_lines(FORK_SWAGGER, swagger)
    assert removed == ['    "description": "Tasks.", /* upstream words this its own way */']
    assert added[0] == '    "description": "Read and track tasks.", /* upstream words this its own way */'
    assert added[1] == '    "/tasks/{id}": {' and added[-1] == "    },"  # the new operation, in the file's indent

    properties = (fork / PROPERTIES).read_bytes()
    removed, added = changed_lines(FORK_PROPERTIES, properties)
    assert removed == ['    "iconBrandColor": "#0F6CBD", /* brand colour */']
    assert added[0] == '      "region": {' and added[-1] == '    "iconBrandColor": "#107C10", /* brand colour */'

    # the files read back as exactly the merge: the fork's edits and upstream's changes
    expected_swagger = load_json(FORK_SWAGGER, SWAGGER)[0]
    expected_swagger["info"]["description"] = "Read and track tasks."
    expected_swagger["paths"]["/tasks/{id}"] = GET_TASK
    expected_properties = load_json(FORK_PROPERTIES, PROPERTIES)[0]
    expected_properties["properties"]["connectionParameters"]["region"] = REGION
    expected_properties["properties"]["iconBrandColor"] = "#107C10"
    assert load_json(swagger, SWAGGER)[0] == expected_swagger
    assert load_json(properties, PROPERTIES)[0] == expected_properties
    assert json.dumps(load_json(properties, PROPERTIES)[0]) == json.dumps(expected_properties)  # key order too


def test_upgrade_in_place_refuses_up_front_to_normalise_a_file_unless_forced(tmp_path):
    # a key given twice: which one the loader keeps is a guess, so the text is not edited
    twice = FORK_PROPERTIES.replace(b'"publisher": "Fork Ltd", // us', b'"publisher": "X", "publisher": "Fork Ltd",')
    fork, upstream, base = folders(tmp_path, fork_properties=twice)
    refused = upgrade_in_place(fork, upstream, base)  # said up front, and nothing is written
    assert refused.exit_code == 2, refused.output
    (line,) = [line for line in refused.stderr.splitlines() if line.strip()][:1]
    assert line.startswith(f"connver: error: {PROPERTIES}: its text cannot be edited in place") and "twice" in line
    assert "--force" in refused.stderr and "Traceback" not in refused.output
    assert (fork / PROPERTIES).read_bytes() == twice and not (fork / f"{PROPERTIES}.orig").exists()
    assert (fork / SWAGGER).read_bytes() == FORK_SWAGGER
    result = upgrade_in_place(fork, upstream, base, "--force")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "written normalised" in line]
    assert len(notes) == 1 and notes[0].startswith(f"note: {PROPERTIES}: ")
    assert "'publisher' appears twice" in notes[0] and notes[0].endswith("kept beside it as a .orig backup")
    assert b"//" not in (fork / PROPERTIES).read_bytes()  # normalised, as the note says
    assert (fork / f"{PROPERTIES}.orig").read_bytes() == twice
    assert _COMMENT.findall((fork / SWAGGER).read_text()) == _COMMENT.findall(FORK_SWAGGER.decode())

    again = tmp_path / "again"
    again.mkdir()
    data = json.loads(upgrade_in_place(*folders(again, fork_properties=twice), "--force", "--format", "json").stdout)
    assert [n for n in data["notes"] if "written normalised" in n] == [notes[0][len("note: "):]]


# --------------------------------------------------------------------------- the writer


def edit(original: bytes, change) -> bytes:
    value = load_json(original, "x.json")[0]
    new = change(json.loads(json.dumps(value)))
    out = edit_like(new, original, value)
    assert load_json(out, "x.json")[0] == new
    assert dump_like(new, original, value) == out
    return out


def test_removing_the_member_a_comment_sits_after_takes_that_comment():
    original = b'{\n  "a": 1, // about a\n  // above b\n  "b": 2, // about b\n  "c": 3 // about c\n}\n'
    assert edit(original, lambda v: {"a": 1, "c": 3}) == b'{\n  "a": 1, // about a\n  "c": 3 // about c\n}\n'
    # the last member: the one before it loses its comma, keeps its comment
    assert edit(original, lambda v: {"a": 1, "b": 2}) == (
        b'{\n  "a": 1, // about a\n  // above b\n  "b": 2 // about b\n}\n')


def test_inserting_into_an_object_with_a_trailing_comma():
    original = b'{\n    "a": 1, /* one */\n    "b": {"x": true,},\n}'
    out = edit(original, lambda v: {**v, "c": [1, 2]})
    assert out == b'{\n    "a": 1, /* one */\n    "b": {"x": true,},\n    "c": [\n        1,\n        2\n    ],\n}'
    out = edit(original, lambda v: {"a": 1, "b": {"x": True, "y": None}})
    assert out == b'{\n    "a": 1, /* one */\n    "b": {"x": true, "y": null,},\n}'


def test_a_changed_array_element_is_the_only_text_rewritten():
    original = (b'[\n  {"name": "a", "in": "query"}, // a\n  /* b: */ {"name": "b", "in": "query", "x": 1},\n'
                b'  {"name": "c", "in": "query"}, // c\n]\n')
    out = edit(original, lambda v: [v[0], {**v[1], "x": 2}, v[2]])
    assert out == original.replace(b'"x": 1', b'"x": 2')
    out = edit(original, lambda v: [v[0], v[2]])
    assert out == b'[\n  {"name": "a", "in": "query"}, // a\n  {"name": "c", "in": "query"}, // c\n]\n'
    assert edit(b"[1, 2, 3,] // three", lambda v: [1, 5, 3]) == b"[1, 5, 3,] // three"


def test_an_unchanged_file_keeps_every_byte():
    original = FORK_SWAGGER.replace(b"\n", b"\r\n")
    value = load_json(original, SWAGGER)[0]
    assert edit_like(json.loads(json.dumps(value)), original, value) == original
    assert rewrite_like(value, original, value).normalised == ""


def test_crlf_and_bom_are_kept():
    original = codecs.BOM_UTF8 + b'{\r\n\t"a": 1, // one\r\n\t"b": [\r\n\t\t1,\r\n\t],\r\n}\r\n'
    out = edit(original, lambda v: {**v, "b": [1, 2], "c": "\u00e9"})
    assert out == codecs.BOM_UTF8 + (
        '{\r\n\t"a": 1, // one\r\n\t"b": [\r\n\t\t1,\r\n\t\t2,\r\n\t],\r\n\t"c": "\u00e9",\r\n}\r\n').encode()


def test_a_file_that_is_not_utf8_keeps_its_bytes_and_gets_ascii():
    original = b'{\n  "a": "caf\xe9", // cp1252\n}\n'
    value = load_json(original, "x.json")[0]
    out = edit_like({**value, "b": "\u00e9"}, original, value)
    assert out == b'{\n  "a": "caf\xe9", // cp1252\n  "b": "\\u00e9",\n}\n'


@pytest.mark.parametrize("original, reason", [
    (b'{"a": 1, "a": 2, // twice\n}', "1:10: 'a' appears twice in one object"),
    (b'{"a": {"k": 1, "k": 2}, // twice, deeper\n}', "1:16: 'k' appears twice in one object"),
])
def test_text_that_cannot_be_followed_is_written_normalised_and_says_why(original, reason):
    value = load_json(original, "x.json")[0]
    with pytest.raises(ValueError, match=re.escape(reason)):
        edit_like({"a": 3}, original, value)
    rewrite = rewrite_like({"a": 3}, original, value)
    assert reason in rewrite.normalised and json.loads(rewrite.data) == {"a": 3}


def test_an_empty_container_holding_a_comment_keeps_it_when_filled():
    original = b'{\r\n  "a": [ /* none */ ],\r\n  "b": {\r\n    // nothing yet\r\n  },\r\n}'
    out = edit(original, lambda v: {"a": [1, 2], "b": {"x": {"y": 1}}})
    assert out == (b'{\r\n  "a": [ /* none */ 1, 2 ],\r\n  "b": {\r\n    // nothing yet\r\n'
                   b'    "x": {\r\n      "y": 1\r\n    }\r\n  },\r\n}')
