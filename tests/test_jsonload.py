"""Tolerant JSON loading (load_json) and pointer positions (locate)."""

from __future__ import annotations

import json
import random
import re

import pytest

from connver.errors import JSONDefectError, VersioningError
from connver.jsonload import LoadWarning, load_json, locate


def warned(data: bytes) -> list[tuple[int, int, str]]:
    """Load ``data`` and return its warnings as (line, column, message)."""
    _, warnings = load_json(data, "f.json")
    return [(w.line, w.column, w.message) for w in warnings]


def defect(data: bytes) -> JSONDefectError:
    with pytest.raises(JSONDefectError) as caught:
        load_json(data, "f.json")
    return caught.value


# -- the malformed corpus --------------------------------------------------------------------

# file -> ("warn", line, column, words in the message) or ("error", line, column, words).
# Positions are those of the defect in README.tsv: the BOM, the first non-UTF-8 byte
# (byte 32829), the raw line break, the trailing comma itself (Python reports the '}'/']'
# after it), the member missing its comma, the end of the truncated file, the extra '}',
# and the '}' met while an array is still open.
MALFORMED = {
    "01_microsoft-bookings__apiDefinition.swagger.json": ("warn", 1, 1, "byte order mark"),
    "02_yelp__apiDefinition.swagger.json": ("warn", 866, 118, "16 bytes read as Windows-1252, the first is 0xAD"),
    "03_cisco-webex-list-meeting__apiDefinition.swagger.json": ("warn", 51, 54, "raw line break inside a string"),
    "04_documotor__apiDefinition.swagger.json": ("warn", 47, 30, "trailing comma before '}'"),
    "05_pug-gamified-engagement__apiDefinition.swagger.json": ("warn", 733, 6, "trailing comma before ']'"),
    "06_xsoar__apiDefinition.swagger.json": ("error", 10, 7, "missing ',' between members"),
    "07_shopranos__apiProperties.json": (
        "error", 22, 4, "file ends before the document is complete (unclosed '{' opened at line 1, column 1)"),
    "08_pdf4me__apiProperties.json": ("error", 38, 1, "extra data after the document"),
    "09_stabilityai__apiDefinition.swagger.json": (
        "error", 16, 3, "unexpected '}': the '[' opened at line 12, column 22 is not closed"),
}


def _repaired(name: str, data: bytes) -> str:
    """The file as its author meant it, repaired as README.tsv describes."""
    if name.startswith("01_"):
        return data.decode("utf-8-sig")
    if name.startswith("02_"):
        return data.decode("cp1252")  # the file holds no multi-byte UTF-8
    text = data.decode("utf-8")
    if name.startswith("03_"):
        return text  # parsed with strict=False by the caller
    try:  # 04, 05: drop the comma Python stumbles on (3.13 points at it, older ones after it)
        json.loads(text)
    except json.JSONDecodeError as error:
        comma = error.pos if text[error.pos] == "," else text.rindex(",", 0, error.pos)
        return text[:comma] + text[comma + 1:]
    raise AssertionError(f"{name} parses")


@pytest.mark.corpus
def test_malformed_readme_lists_exactly_the_cases_we_check(corpus):
    rows = (corpus / "malformed" / "README.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(row.split("\t")[0] for row in rows) == sorted(MALFORMED)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_corpus_file(corpus, name):
    data = (corpus / "malformed" / name).read_bytes()
    kind, line, column, words = MALFORMED[name]
    if kind == "error":
        error = defect(data)
        assert (error.line, error.column) == (line, column)
        assert words in error.defect
        assert str(error).startswith(f"f.json:{line}:{column}: ")
        assert "\n" not in str(error)
        return
    value, warnings = load_json(data, name)
    assert [(w.file, w.line, w.column) for w in warnings] == [(name, line, column)]
    assert words in warnings[0].message
    expected = _repaired(name, data)
    assert value == json.loads(expected, strict=not name.startswith("03_"))


@pytest.mark.corpus
def test_malformed_python_positions_agree_with_ours(corpus):
    """Where Python's error names the defect itself, our position is Python's."""
    for row in (corpus / "malformed" / "README.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        name, *_, python_error, _ = row.split("\t")
        _, line, column, _ = MALFORMED[name]
        found = re.search(r"line (\d+) column (\d+)", python_error)
        if found and not name.startswith(("04_", "05_")):  # for these Python points past the comma
            assert (int(found[1]), int(found[2])) == (line, column), name
        byte = re.search(r"in position (\d+)", python_error)
        if byte:  # the first non-UTF-8 byte; everything before it is ASCII
            data = (corpus / "malformed" / name).read_bytes()
            at = int(byte[1])
            assert (data.count(b"\n", 0, at) + 1, at - data.rfind(b"\n", 0, at)) == (line, column)
            assert data[:at].isascii()


@pytest.mark.corpus
def test_trailing_comma_positions_are_the_commas_python_stumbles_after(corpus):
    for name, python_at in [("04_documotor__apiDefinition.swagger.json", (48, 11)),
                            ("05_pug-gamified-engagement__apiDefinition.swagger.json", (734, 3))]:
        lines = (corpus / "malformed" / name).read_text(encoding="utf-8").split("\n")
        _, line, column, _ = MALFORMED[name]
        assert lines[line - 1][column - 1] == ","
        after = "\n".join(lines[line - 1:])[column:].lstrip()
        assert after[0] == lines[python_at[0] - 1][python_at[1] - 1] in "}]"


@pytest.mark.corpus
def test_real_non_json_whitespace_is_tolerated(corpus):
    """zohosign's dev HEAD swagger indents two lines with U+2003 EM SPACE."""
    data = (corpus / "history" / "zohosign" / "08_b39edbcd" / "apiDefinition.swagger.json").read_bytes()
    value, warnings = load_json(data, "z.json")
    assert [(w.line, w.column) for w in warnings] == [(14, 1), (29, 1)]
    assert all("U+2003" in w.message for w in warnings)
    assert value == json.loads(data.decode("utf-8").replace("\u2003", " "))


@pytest.mark.corpus
def test_every_valid_corpus_file_round_trips_without_warnings(corpus):
    checked = 0
    for path in sorted(corpus.glob("history/*/*/*.json")) + sorted(corpus.glob("deployed-vs-dev/*/*/*.json")):
        data = path.read_bytes()
        try:
            expected = json.loads(data.decode("utf-8"))
        except ValueError:
            continue  # zohosign 01/08 and factset deployed: covered elsewhere
        assert load_json(data, path.name) == (expected, []), path
        checked += 1
    assert checked > 400


# -- synthetic defects -----------------------------------------------------------------------


def test_valid_json_is_exactly_json_loads():
    text = '{"a": [1, 2.5, -3e2, true, false, null, "\\u00e9\\n"], "a": {"b": "NaN"}, "c": 123456789012345678901}'
    value, warnings = load_json(text.encode(), "f.json")
    assert repr(value) == repr(json.loads(text))
    # the value is json.loads' own; the repeated "a" (the last one wins) is now warned about
    assert [(w.line, w.column) for w in warnings] == [(1, 54)]
    assert warnings[0].message.startswith('duplicate key "a" in one object (also at line 1, column 2)')


def test_nan_infinity_and_lone_surrogates_are_read_as_text_with_a_warning():
    text = '{"v": NaN, "m": [Infinity, -Infinity], "s": "x\\ud800y", "ok": "\\ud83d\\ude00", "t": "NaN"}'
    value, warnings = load_json(text.encode(), "f.json")
    assert value == {"v": "NaN", "m": ["Infinity", "-Infinity"], "s": "x\ufffdy", "ok": "\U0001F600", "t": "NaN"}
    assert [w.message for w in warnings] == ["NaN or Infinity is not JSON: read as a string",
                                            "an unpaired UTF-16 surrogate escape: read as U+FFFD"]
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # can be written out again


def test_valid_json_takes_only_the_fast_path(monkeypatch):
    from connver.jsontext import tolerant

    def second_pass(*args):
        raise AssertionError("the tolerant parser ran on a valid file")

    monkeypatch.setattr(tolerant, "read_tolerant", second_pass)
    assert load_json(b'{"x": [1]}', "f.json") == ({"x": [1]}, [])
    with pytest.raises(AssertionError):
        load_json(b'{"x": [1,]}', "f.json")


def test_reading_valid_json_does_not_import_the_tolerant_parser():
    import subprocess
    import sys

    code = ("import sys; from connver.jsontext import load_json; "
            "load_json(b'{\"a\": {\"b\": [1, 2]}, \"c\": \"\\\\u00e9\"}', 'f.json'); "
            "print('connver.jsontext.tolerant' in sys.modules, 'unicodedata' in sys.modules); "
            "load_json(b'{\"a\": 1,}', 'f.json'); print('connver.jsontext.tolerant' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_top_level_non_object_is_returned():
    assert load_json(b"[1, 2]", "f.json") == ([1, 2], [])
    assert load_json(b' "text" ', "f.json") == ("text", [])
    assert load_json(b"\xef\xbb\xbfnull", "f.json")[0] is None


def test_bom():
    assert load_json(b'\xef\xbb\xbf{"a": 1}', "f.json") == (
        {"a": 1}, [LoadWarning("f.json", 1, 1, "UTF-8 byte order mark at the start of the file ignored")])


def test_bom_does_not_shift_columns_of_later_warnings():
    assert [w[:2] for w in warned(b'\xef\xbb\xbf{"a": 1,}')] == [(1, 1), (1, 8)]


def test_cp1252_bytes_mixed_with_real_utf8():
    value, warnings = load_json('{"a": "caf\u00e9 \u2019", "b": "'.encode() + b'\x92\x81\xad"}', "f.json")
    assert value == {"a": "caf\u00e9 \u2019", "b": "\u2019\x81\u00ad"}  # 0x81 is undefined in cp1252: latin-1
    assert len(warnings) == 1
    assert (warnings[0].line, warnings[0].column) == (1, 23)
    assert "3 bytes" in warnings[0].message and "0x92" in warnings[0].message


def test_trailing_commas_nested_and_all_reported():
    data = b'{"a": [1, [2,],],\n "b": {"c": {},},\n}'
    value, warnings = load_json(data, "f.json")
    assert value == {"a": [1, [2]], "b": {"c": {}}}
    assert [(w.line, w.column, w.message) for w in warnings] == [
        (1, 13, "trailing comma before ']' ignored"),
        (1, 15, "trailing comma before ']' ignored"),
        (2, 15, "trailing comma before '}' ignored"),
        (2, 17, "trailing comma before '}' ignored"),
    ]


def test_comments():
    data = (b"// leading\n"
            b'{ /* block */ "a" /* between */ : 1, // after a\n'
            b'  "b": [2 /* multi\n line */ ]\n'
            b"} // trailing")
    value, warnings = load_json(data, "f.json")
    assert value == {"a": 1, "b": [2]}
    assert [(w.line, w.column, w.message) for w in warnings] == [
        (1, 1, "'//' comment ignored"),
        (2, 3, "'/* */' comment ignored"),
        (2, 19, "'/* */' comment ignored"),
        (2, 38, "'//' comment ignored"),
        (3, 11, "'/* */' comment ignored"),
        (5, 3, "'//' comment ignored"),
    ]


def test_comment_markers_inside_strings_stay_untouched():
    data = b'{"url": "https://x.example/a/*b*/c", "p": "// not a comment", /* real */ "q": "\\"//"}'
    value, warnings = load_json(data, "f.json")
    assert value == {"url": "https://x.example/a/*b*/c", "p": "// not a comment", "q": '"//'}
    assert [w.message for w in warnings] == ["'/* */' comment ignored"]


def test_raw_control_characters_in_strings():
    data = b'{"a": "line\none",\n "b\tc": "x\ty\r\nz"}'
    value, warnings = load_json(data, "f.json")
    assert value == {"a": "line\none", "b\tc": "x\ty\r\nz"}
    assert [(w.line, w.column, w.message) for w in warnings] == [
        (1, 12, "raw line break inside a string, read as if escaped"),
        (3, 4, "raw tab inside a string, read as if escaped"),
        (3, 11, "3 raw control characters inside a string (the first a tab), read as if escaped"),
    ]


def test_crlf_positions():
    data = b'{\r\n  "a": 1,\r\n  "b": [\r\n    2,\r\n  ],\r\n}\r\n'
    assert warned(data) == [(4, 6, "trailing comma before ']' ignored"),
                            (5, 4, "trailing comma before '}' ignored")]
    error = defect(b'{\r\n  "a": 1\r\n  "b": 2\r\n}')
    assert (error.line, error.column, error.defect) == (3, 3, "missing ',' between members")


def test_non_json_whitespace_between_tokens():
    value, warnings = load_json('{\u00a0"a":\u2003\u20031}'.encode(), "f.json")
    assert value == {"a": 1}
    assert [(w.line, w.column) for w in warnings] == [(1, 2), (1, 7)]
    assert "U+00A0 NO-BREAK SPACE" in warnings[0].message


def test_utf16_with_bom_is_read():
    value, warnings = load_json('{"a": "\u00e9"}'.encode("utf-16"), "f.json")
    assert value == {"a": "\u00e9"}
    assert [(w.line, w.column) for w in warnings] == [(1, 1)] and "UTF-16" in warnings[0].message


def test_several_kinds_at_once_in_file_order():
    data = b'\xef\xbb\xbf{\n "a": "caf\xe9", // c\n "b": [1,],\n "c": "x\ny",\n}'
    value, warnings = load_json(data, "f.json")
    assert value == {"a": "caf\u00e9", "b": [1], "c": "x\ny"}
    assert [(w.line, w.column) for w in warnings] == [(1, 1), (2, 11), (2, 15), (3, 9), (4, 9), (5, 3)]


ERRORS = [
    (b"", 1, 1, "file is empty"),
    (b"  // only a comment\n", 2, 1, "file holds no JSON value, only comments"),
    (b'{"a": 1\n "b": 2}', 2, 2, "missing ',' between members"),
    (b"[1 2]", 1, 4, "missing ',' between array items"),
    (b'{\n  "a": {\n    "b": 1\n', 4, 1,
     "file ends before the document is complete (unclosed '{' opened at line 2, column 8)"),
    (b'{"a": [1, 2}', 1, 12, "unexpected '}': the '[' opened at line 1, column 7 is not closed"),
    (b'{"a": 1]', 1, 8, "unexpected ']': no array is open here"),
    (b'{"a": 1}}', 1, 9, "extra data after the document, which ends at line 1, column 8: '}'"),
    (b"[1,,2]", 1, 4, "expected a value, found ','"),
    (b"[,]", 1, 2, "expected a value, found ','"),
    (b'{"a":}', 1, 6, "expected a value, found '}'"),
    (b'{"a" 1}', 1, 6, "missing ':' after the member name, found '1'"),
    (b"{'a': 1}", 1, 2, "member names must be in double quotes, not single quotes"),
    (b"{a: 1}", 1, 2, "expected a member name in double quotes, found 'a'"),
    (b"[True]", 1, 2, "expected a value, found 'True'"),
    (b'["abc', 1, 6, "file ends inside the string that starts at line 1, column 2"),
    (b'["a\\x"]', 1, 4, "invalid escape '\\x' in a string"),
    (b'["\\u12"]', 1, 3, "invalid '\\u' escape in a string (it needs four hex digits)"),
    (b"[1] /* open", 1, 12, "file ends inside the comment opened at line 1, column 5"),
    (b"[1 / 2]", 1, 4, "unexpected '/': comments start with '//' or '/*'"),
    (b"[" * 600 + b"1,]" + b"]" * 599, 1, 501, "nesting deeper than 500 levels"),
    (b"[" * 600 + b"]" * 599, 1, 1200, "file ends before the document is complete (unclosed '[' opened at line 1, column 1)"),
    (b"[" + b"9" * 5000 + b"]", 1, 2, "number with too many digits to read"),
]


@pytest.mark.parametrize("data, line, column, message", ERRORS, ids=lambda v: repr(v)[:30])
def test_unrecoverable_defects(data, line, column, message):
    error = defect(data)
    assert (error.file, error.line, error.column, error.defect) == ("f.json", line, column, message)
    assert error.hint == "fix the JSON and run again"
    assert isinstance(error, VersioningError) and error.exit_code == 2


def test_missing_quote_points_at_the_runaway_string():
    error = defect(b'{"a": "x,\n "b": "y"}')
    assert (error.line, error.column) == (2, 3)
    assert "the string at line 1, column 7 runs over several lines" in error.defect


def test_nothing_but_json_defect_error_escapes():
    """Every prefix and many random corruptions of a document load or raise JSONDefectError."""
    base = '{"a": [1, -2.5e3, "t\\u00e9xt", {"b": null}], "c": true} '.encode()
    samples = [base[:n] for n in range(len(base))]
    rng = random.Random(20240501)
    alphabet = b'{}[],:"\\/*\n\t\xef\xbb\xbf\xe9\x00 a1-.eE'
    for _ in range(1500):
        mutated = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(mutated))
            choice = rng.random()
            if choice < 0.4:
                mutated[at] = rng.choice(alphabet)
            elif choice < 0.7:
                del mutated[at]
            else:
                mutated.insert(at, rng.choice(alphabet))
        samples.append(bytes(mutated))
    outcomes = {"value": 0, "error": 0}
    for data in samples:
        try:
            load_json(data, "f.json")
            outcomes["value"] += 1
        except JSONDefectError as error:
            assert error.line >= 1 and error.column >= 1
            outcomes["error"] += 1
        locate(data, [("a", 0), ("c",), ()])
    assert outcomes["value"] > 0 and outcomes["error"] > 0


def test_deep_valid_nesting_that_json_loads_refuses():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert defect(deep).defect == "nesting deeper than 500 levels"


# -- locate ----------------------------------------------------------------------------------

SYNTHETIC = b"""{
  "swagger": "2.0",
  "paths": {
    "/items": {
      "get": {
        "operationId": "ListItems",
        "parameters": [
          {"name": "top", "in": "query"},
          {
            "name": "skip", "in": "query"
          }
        ]
      }
    }
  },
  "definitions": {}
}
"""

SYNTHETIC_EXPECTED = {
    (): (1, 1),
    ("swagger",): (2, 3),
    ("paths", "/items", "get"): (5, 7),
    ("paths", "/items", "get", "operationId"): (6, 9),
    ("paths", "/items", "get", "parameters", 0): (8, 11),
    ("paths", "/items", "get", "parameters", 0, "in"): (8, 27),
    ("paths", "/items", "get", "parameters", 1): (9, 11),
    ("paths", "/items", "get", "parameters", 1, "in"): (10, 29),
    ("definitions",): (16, 3),
}

MISSING = [("nope",), ("paths", "/items", "post"), ("paths", "/items", "get", "parameters", 2),
           ("swagger", "x"), ("paths", 0), ("definitions", "X")]


def test_locate_synthetic():
    assert locate(SYNTHETIC, list(SYNTHETIC_EXPECTED) + MISSING) == SYNTHETIC_EXPECTED


def test_locate_crlf_and_bom_give_the_same_lines_and_columns():
    data = b"\xef\xbb\xbf" + SYNTHETIC.replace(b"\n", b"\r\n")
    assert locate(data, list(SYNTHETIC_EXPECTED) + MISSING) == SYNTHETIC_EXPECTED


def test_locate_tolerates_the_load_json_defects():
    data = (b'// header\n{\n  "a": "\xe9\xe9", "b": {"c": [1, 2,],}, /* x */\n'
            b'  "d": "raw\nline", "e": 5,\n}\n')
    assert locate(data, [("a",), ("b", "c", 1), ("d",), ("e",), ()]) == {
        (): (2, 1), ("a",): (3, 3), ("b", "c", 1): (3, 29), ("d",): (4, 3), ("e",): (5, 8)}


def test_locate_skips_defective_subtrees_it_does_not_enter():
    data = b'{"skip": {"x": [1,], // c\n "y": "a\tb"}, "want": 1}'
    assert locate(data, [("want",)]) == {("want",): (2, 15)}


def test_locate_last_duplicate_key_wins():
    data = b'{"a": {"x": 1, "y": 2},\n "a": {"x": 3}}'
    assert locate(data, [("a",), ("a", "x"), ("a", "y")]) == {("a",): (2, 2), ("a", "x"): (2, 8)}


def test_locate_escaped_keys_and_non_ascii_columns():
    data = '{"caf\u00e9": 1, "q\\"uote": 2, "\\u0041": 3}'.encode()
    assert locate(data, [("caf\u00e9",), ('q"uote',), ("A",)]) == {
        ("caf\u00e9",): (1, 2), ('q"uote',): (1, 13), ("A",): (1, 27)}


def test_locate_returns_what_it_found_before_an_unrecoverable_defect():
    data = b'{"a": 1,\n "b": 2\n "c": 3}'
    assert locate(data, [("a",), ("b",), ("c",)]) == {("a",): (1, 2), ("b",): (2, 2)}
    assert locate(b"", [()]) == {}
    assert locate(SYNTHETIC, []) == {}


def _all_pointers(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _all_pointers(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _all_pointers(child, (*path, index))


def _check_positions(data: bytes, value, positions, pointers):
    """Each position holds the pointer's key (members) or its value (items, root)."""
    text = data.decode("utf-8-sig")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for pointer in pointers:
        line, column = positions[pointer]
        at = starts[line - 1] + column - 1
        target = value
        for key in pointer:
            target = target[key]
        if pointer and isinstance(pointer[-1], str):
            key, end = json.decoder.scanstring(text, at + 1)
            assert key == pointer[-1], pointer
            at = re.compile(r"\s*:\s*").match(text, end).end()
        assert json.JSONDecoder().raw_decode(text, at)[0] == target, pointer


@pytest.mark.corpus
@pytest.mark.parametrize("relative", [
    "history/dox42/01_{}/apiDefinition.swagger.json",
    "history/hubspot-crm/06_afa56a35/apiDefinition.swagger.json",  # CRLF
    "deployed-vs-dev/maximizer/deployed/apiDefinition.swagger.json",  # CRLF
    "history/timeghost/13_{}/apiProperties.json",
])
def test_locate_every_element_of_corpus_files(corpus, relative):
    if "{}" in relative:
        relative = str(next(corpus.glob(relative.replace("{}", "*"))).relative_to(corpus))
    data = (corpus / relative).read_bytes()
    value = json.loads(data.decode("utf-8"))
    pointers = list(_all_pointers(value))
    positions = locate(data, pointers)
    assert len(positions) == len(pointers)  # no duplicate keys in these files
    _check_positions(data, value, positions, pointers)


@pytest.mark.corpus
def test_locate_on_the_largest_file_finds_operations_on_their_lines(corpus):
    data = (corpus / "history/encodian/04_7ceca46c/apiDefinition.swagger.json").read_bytes()
    value = json.loads(data)
    pointers = [("paths", path, method, "operationId")
                for path, item in value["paths"].items() for method, operation in item.items()
                if isinstance(operation, dict) and "operationId" in operation]
    positions = locate(data, pointers)
    assert len(positions) == len(pointers) > 200
    _check_positions(data, value, positions, pointers)


@pytest.mark.corpus
def test_locate_on_a_malformed_corpus_file(corpus):
    data = (corpus / "malformed/01_microsoft-bookings__apiDefinition.swagger.json").read_bytes()
    value, _ = load_json(data, "f.json")
    pointers = list(_all_pointers(value))[:400]
    _check_positions(data, value, locate(data, pointers), pointers)
