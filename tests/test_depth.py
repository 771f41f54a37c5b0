"""Deeply nested schemas: every command either works or says, in one line and exit 2, that
the document nests deeper than the loader's limit. Never a RecursionError, never "this is
a bug".

The documents are built as text (``json.dumps`` itself cannot write 1000 levels).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver.jsonload import MAX_DEPTH, load_json
from conftest import FIXTURES

_OPEN = '{"type": "object", "properties": {"p": '
_CLOSE = "}}"


def _schema(levels: int, leaf: str) -> str:
    """A schema ``levels`` deep (two JSON levels each) ending in ``{"type": leaf, ...[]}``."""
    return _OPEN * (levels - 1) + json.dumps({"type": leaf, "x-notes": ["deep"]}) + _CLOSE * (levels - 1)


def _swagger(levels: int, leaf: str) -> str:
    doc = json.loads((FIXTURES / "demo" / "old" / "apiDefinition.swagger.json").read_text("utf-8"))
    doc.setdefault("definitions", {})["Deep"] = "@DEEP@"
    op = doc["paths"]["/tasks"]["get"]
    op["responses"]["200"]["schema"] = {"$ref": "#/definitions/Deep"}
    op["parameters"].append({"name": "body", "in": "body", "schema": "@BODY@"})
    text = json.dumps(doc, indent=1)
    return text.replace('"@DEEP@"', _schema(levels, leaf)).replace('"@BODY@"', _schema(levels, leaf))


def _depth(text: str) -> int:
    deepest = depth = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        if token.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token.group() in "]}":
            depth -= 1
    return deepest


#: schema levels: 200 (the issue's case), the deepest the loader reads, and 1000
AT_LIMIT = (MAX_DEPTH - 5) // 2
LEVELS = [200, AT_LIMIT, AT_LIMIT + 1, 1000]


def _connectors(tmp_path, levels):
    out = {}
    for side, leaf in (("old", "string"), ("new", "integer"), ("fork", "boolean")):
        folder = tmp_path / side / "contoso"
        shutil.copytree(FIXTURES / "demo" / "old", folder)
        (folder / "apiDefinition.swagger.json").write_text(_swagger(levels, leaf), "utf-8")
        out[side] = folder
    return out


def test_the_documents_sit_where_they_should_against_the_limit():
    assert _depth(_swagger(AT_LIMIT, "string")) == MAX_DEPTH
    assert _depth(_swagger(AT_LIMIT + 1, "string")) == MAX_DEPTH + 2
    assert load_json(_swagger(AT_LIMIT, "string").encode(), "x.json")[0]["swagger"] == "2.0"


@pytest.mark.parametrize("levels", [AT_LIMIT + 1, 1000])
def test_the_loader_refuses_past_its_limit_on_both_of_its_paths(levels):
    from connver.errors import JSONDefectError

    text = _swagger(levels, "string")
    for data in (text.encode(), text.replace('"swagger"', '// c\n"swagger"', 1).encode()):  # strict, tolerant
        with pytest.raises(JSONDefectError) as caught:
            load_json(data, "x.json")
        assert f"nesting deeper than {MAX_DEPTH} levels" in str(caught.value)
        assert re.match(r"x\.json:\d+:\d+: ", str(caught.value))


def _check(result, levels, *, ok=(0, 1)):
    assert "this is a bug" not in result.output and "Traceback" not in result.output, result.output
    assert "RecursionError" not in result.output
    if levels <= AT_LIMIT:
        assert result.exit_code in ok, result.output
    else:
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.startswith("connver: error:")]
        assert len(lines) == 1, result.stderr
        assert f"nesting deeper than {MAX_DEPTH} levels" in lines[0]
        assert re.search(r"apiDefinition\.swagger\.json:\d+:\d+: ", lines[0])


def _cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="connver")


@pytest.mark.parametrize("levels", LEVELS)
def test_compare_commands_at_depth(tmp_path, levels):
    c = _connectors(tmp_path, levels)
    for fmt in ("text", "json", "markdown", "github", "junit", "sarif", "azure", "html"):
        _check(_cli("diff", c["old"], c["new"], "-f", fmt), levels)
    _check(_cli("bump", c["old"], c["new"]), levels)
    _check(_cli("notes", c["old"], c["new"]), levels)
    for fmt in ("text", "json"):
        _check(_cli("upgrade-check", c["fork"], "--upstream", c["new"], "--base", c["old"], "-f", fmt), levels)
    result = _cli("upgrade", c["fork"], "--upstream", c["new"], "--base", c["old"], "-o", tmp_path / "merged")
    _check(result, levels)
    if levels <= AT_LIMIT:
        merged = (tmp_path / "merged" / "apiDefinition.swagger.json").read_bytes()
        assert _depth(merged.decode("utf-8")) == _depth(_swagger(levels, "x"))
        assert load_json(merged, "m.json")[0]["paths"]


@pytest.mark.parametrize("levels", [200, AT_LIMIT])
def test_the_leaf_change_deep_down_still_counts(tmp_path, levels):
    c = _connectors(tmp_path, levels)
    result = _cli("upgrade-check", c["fork"], "--upstream", c["new"], "--base", c["old"], "-f", "json")
    assert result.exit_code == 1, result.output
    conflicts = json.loads(result.stdout)["conflicts"]
    assert any(conflict["fork"] == "boolean" and conflict["upstream"] == "integer" for conflict in conflicts)


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.mark.parametrize("levels", LEVELS)
def test_store_and_git_commands_at_depth(tmp_path, levels, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = _connectors(tmp_path, levels)
    store = tmp_path / "store"
    for side in ("old", "new"):
        snap = _cli("snapshot", c[side], "--channel", "dev", "--store", store)
        # a definition connver cannot read is stored as it is, with a warning naming the limit
        assert snap.exit_code == 0, snap.output
        assert "this is a bug" not in snap.output
        if levels > AT_LIMIT:
            assert f"nesting deeper than {MAX_DEPTH} levels" in snap.stderr
    changelog = _cli("changelog", "contoso", "--store", store)
    assert changelog.exit_code == 0 and "this is a bug" not in changelog.output, changelog.output
    if levels > AT_LIMIT:  # the changelog lists the snapshots it could not read, and why
        assert f"Could not be read: contoso@" in changelog.stdout
        assert f"nesting deeper than {MAX_DEPTH} levels" in changelog.stdout
    _check(_cli("diff", "contoso@dev~1", "contoso@dev", "--store", store), levels)

    repo = tmp_path / "repo"
    folder = repo / "certified-connectors" / "contoso"
    shutil.copytree(c["old"], folder)
    _git("init", "-q", "-b", "master", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "old", cwd=repo)
    shutil.copyfile(c["new"] / "apiDefinition.swagger.json", folder / "apiDefinition.swagger.json")
    _git("commit", "-qam", "new", cwd=repo)
    _check(_cli("diff", "HEAD~1:certified-connectors/contoso", "HEAD:certified-connectors/contoso",
                "--repo", repo), levels)
    audit = _cli("audit", "HEAD~1..HEAD", "--repo", repo, "-f", "json")
    assert "this is a bug" not in audit.output and "RecursionError" not in audit.output
    report = json.loads(audit.stdout)
    if levels > AT_LIMIT:  # reported as a connector that cannot be loaded, naming the limit
        assert f"nesting deeper than {MAX_DEPTH} levels" in audit.stdout, audit.stdout
    else:
        assert audit.exit_code == 0, audit.output
        assert report
    imported = _cli("import", repo, "--history", "--store", tmp_path / "store2")
    assert imported.exit_code == 0, imported.output


def test_a_secret_at_the_depth_limit_of_settings_json_is_redacted(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "contoso"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    levels = MAX_DEPTH - 1
    (folder / "settings.json").write_text('{"a": ' * levels + '{"clientSecret": "s3cr3t-deep-down-0042"}'
                                          + "}" * levels, "utf-8")
    store = tmp_path / "store"
    made = _cli("snapshot", folder, "--channel", "dev", "--store", store)
    assert made.exit_code == 0, made.output
    assert "redacted a secret" in made.stderr
    restored = _cli("restore", "contoso@dev", tmp_path / "back", "--store", store)
    assert restored.exit_code == 0, restored.output
    back = (tmp_path / "back" / "settings.json").read_text("utf-8")
    assert "s3cr3t-deep-down-0042" not in back and _depth(back) == MAX_DEPTH
    objects = subprocess.run(["git", "-C", str(store), "grep", "-c", "s3cr3t-deep-down", "main"],
                             capture_output=True, text=True)
    assert objects.returncode == 1 and not objects.stdout
