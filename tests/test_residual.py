"""Nothing silent: every difference between the two documents that no typed rule reports is
an ``unclassified-change`` finding at its JSON pointer (the residual pass)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import FIXTURES
from connver import diff, load_connector
from connver.cli.main import cli
from connver.residual import coverage, residue

BASE = FIXTURES / "rules" / "unclassified-change" / "old" / "apiDefinition.swagger.json"


def write(folder: Path, swagger: dict, properties: dict | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(swagger, indent=2), encoding="utf-8")
    if properties is not None:
        (folder / "apiProperties.json").write_text(json.dumps({"properties": properties}), encoding="utf-8")
    return folder


def pair(tmp_path: Path, change, properties=(None, None)):
    old = json.loads(BASE.read_text(encoding="utf-8"))
    new = copy.deepcopy(old)
    change(new)
    return (load_connector(write(tmp_path / "old", old, properties[0])),
            load_connector(write(tmp_path / "new", new, properties[1])))


def residual(result):
    return [c for c in result.changes if c.rule == "unclassified-change"]


def test_an_unknown_extension_is_reported_at_its_pointer_through_the_cli(tmp_path):
    def change(doc):
        doc["paths"]["/tasks/{id}"]["get"]["x-contoso-cache"] = {"seconds": 60}

    old, new = pair(tmp_path, change)
    out = CliRunner().invoke(cli, ["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json"])
    assert out.exit_code == 0, out.output
    (found,) = [c for c in json.loads(out.output)["changes"] if c["rule"] == "unclassified-change"]
    assert found["level"] == "cosmetic"
    assert found["file"] == "apiDefinition.swagger.json"
    assert found["pointer"] == "/paths/~1tasks~1{id}/get/x-contoso-cache"
    assert "/paths/~1tasks~1{id}/get/x-contoso-cache" in found["message"]


def test_a_difference_under_a_typed_finding_is_covered(tmp_path):
    def change(doc):
        doc["paths"]["/tasks/{id}"]["get"]["summary"] = "Read a task"

    result = diff(*pair(tmp_path, change))
    assert [c.rule for c in result.changes] and not residual(result)


def test_the_declared_version_and_a_reordered_list_are_not_residue(tmp_path):
    def change(doc):
        doc["info"]["version"] = "9.9"
        doc["produces"] = ["text/plain", "application/json"]

    def first(doc):
        doc["produces"] = ["application/json", "text/plain"]

    old = json.loads(BASE.read_text(encoding="utf-8"))
    first(old)
    new = copy.deepcopy(old)
    change(new)
    result = diff(load_connector(write(tmp_path / "old", old)), load_connector(write(tmp_path / "new", new)))
    assert result.changes == []
    assert residue({"x": [1, 2, {"a": 1}]}, {"x": [{"a": 1}, 2, 1]}, []).uncovered == []


def test_a_parameter_removed_from_the_middle_is_one_difference_not_a_shift():
    old = {"parameters": [{"name": "a", "in": "query"}, {"name": "b", "in": "query"}, {"name": "c", "in": "query"}]}
    new = {"parameters": [{"name": "b", "in": "query"}, {"name": "c", "in": "query", "x": 1}]}
    found = residue(old, new, [("parameters", 0)]).uncovered  # the finding: parameter a removed
    assert [(leaf.old_pointer, leaf.new_pointer, leaf.new) for leaf in found] == [
        (None, ("parameters", 1, "x"), 1)]  # x added to c, which moved from 2 to 1


def test_an_api_properties_difference_is_reported_in_its_file(tmp_path):
    props_old = {"brandColor": "#ffffff", "x-contoso-flag": True}
    props_new = {"brandColor": "#ffffff", "x-contoso-flag": False}
    result = diff(*pair(tmp_path, lambda doc: None, (props_old, props_new)))
    (found,) = residual(result)
    assert (found.file, found.pointer, found.old, found.new) == ("apiProperties.json",
                                                                 ("properties", "x-contoso-flag"), True, False)


def test_coverage_counts_what_typed_findings_cover(tmp_path):
    def change(doc):
        doc["paths"]["/tasks/{id}"]["get"]["summary"] = "Read a task"
        doc["x-contoso-tier"] = "premium"

    result = diff(*pair(tmp_path, change))
    differing, covered = coverage(result.old, result.new, result.changes, skip="unclassified-change")
    assert (differing, covered) == (2, 1)  # the summary (covered), x-contoso-tier (not)
    assert len(residual(result)) == differing - covered


def test_residual_values_are_redacted_like_every_other_finding(tmp_path):
    secret = "a9Fk2LqP0xZ7"
    result = diff(*pair(tmp_path, lambda doc: doc.update({"x-contoso-hook": f"https://f.net/api?code={secret}"})))
    (found,) = residual(result)
    assert secret not in json.dumps([found.old, found.new, found.message])


def test_deepdiff_is_imported_only_when_the_pass_has_work(tmp_path):
    folders = {}
    for name, change in (("same", lambda doc: None), ("covered", lambda doc: doc["info"].update({"title": "X"})),
                         ("residue", lambda doc: doc["info"].update({"x-contoso": {"a": [1, 3]}}))):
        old = json.loads(BASE.read_text(encoding="utf-8"))
        old["info"]["x-contoso"] = {"a": [1, 2]}
        new = copy.deepcopy(old)
        change(new)
        write(tmp_path / name / "old", old)
        write(tmp_path / name / "new", new)
        folders[name] = tmp_path / name
    code = ("import sys; from connver import diff, load_connector; "
            "diff(load_connector(sys.argv[1] + '/old'), load_connector(sys.argv[1] + '/new')); "
            "print('deepdiff' in sys.modules)")
    seen = {name: subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                                 check=True).stdout.strip() for name, folder in folders.items()}
    assert seen == {"same": "False", "covered": "False", "residue": "True"}


def properties_with(value: dict) -> dict:
    return {"connectionParameters": {"api_key": {"type": "securestring"}}, "policyTemplateInstances": [
        {"templateId": "setqueryparameter", "title": "key",
         "parameters": {"x-ms-apimTemplateParameter.name": "code", **value}}]}


def test_a_secret_that_changes_is_reported_with_its_values_redacted(tmp_path):
    old_key, new_key = "Zq8vN2LpXr5TbW9k", "Hm3cJ7YdQe1SfU4a"
    result = diff(*pair(tmp_path, lambda doc: None, properties=(
        properties_with({"x-ms-apimTemplateParameter.value": old_key}),
        properties_with({"x-ms-apimTemplateParameter.value": new_key}))))
    printed = json.dumps([[c.old, c.new, c.message] for c in result.changes])
    assert result.changes and old_key not in printed and new_key not in printed
    assert any(c.pointer[-1] == "x-ms-apimTemplateParameter.value" or "policy" in c.rule for c in result.changes)
    differing, covered = coverage(result.old, result.new, result.changes)
    assert differing == covered == 1


def test_the_store_marker_against_the_secret_it_stands_for_is_no_change(tmp_path):
    result = diff(*pair(tmp_path, lambda doc: None, properties=(
        properties_with({"x-ms-apimTemplateParameter.value": "<redacted by connver>"}),
        properties_with({"x-ms-apimTemplateParameter.value": "Zq8vN2LpXr5TbW9k"}))))
    assert residual(result) == []


def test_a_client_secret_is_never_a_difference_and_counts_as_covered(tmp_path):
    def oauth(secret):
        settings = {"identityProvider": "aad", "clientId": "abc", "scopes": []}
        if secret:
            settings["clientSecret"] = secret
        return {"connectionParameters": {"token": {"type": "oauthSetting", "oAuthSettings": settings}}}

    result = diff(*pair(tmp_path, lambda doc: None, properties=(oauth(None), oauth("Zq8vN2LpXr5TbW9k"))))
    assert result.changes == []
    differing, covered = coverage(result.old, result.new, result.changes)
    assert differing == covered == 1  # the clientSecret leaf, covered by policy


def test_an_unreadable_apiproperties_is_not_compared_leaf_by_leaf(tmp_path):
    old, new = pair(tmp_path, lambda doc: None, properties=({"a": 1}, {"a": 2, "b": [1]}))
    (tmp_path / "old" / "apiProperties.json").write_text('{"properties": {"a": 1 "b": 2}}', encoding="utf-8")
    result = diff(load_connector(tmp_path / "old"), new)
    assert any("could not be read" in str(w) for w in result.warnings)
    assert coverage(result.old, result.new, result.changes) == (0, 0)
    assert residual(result) == []


def test_a_list_gives_the_same_leaves_whichever_walk_compares_it():
    """Shallow lists with no finding inside go to deepdiff, lists holding a finding are walked
    here: both pair moved and edited items alike, so the leaves one reports are the leaves the
    other would (the sweep's 100% rests on it)."""
    old = {"values": [{"displayName": "DaVinci - most expensive", "value": "002"}, {"displayName": "Curie", "value": "c"},
                      {"displayName": "Ada - cheapest", "value": "a"}]}
    new = {"values": [{"displayName": "DaVinci (new)", "value": "003"}, {"displayName": "DaVinci (old)", "value": "002"},
                      {"displayName": "Curie", "value": "c"}, {"displayName": "Ada", "value": "a"}]}
    first = residue(old, new, []).uncovered
    assert sorted(leaf.pointer for leaf in first) == [("values", 0), ("values", 1, "displayName"),
                                                       ("values", 3, "displayName")]
    again = residue(old, new, [leaf.pointer for leaf in first])
    assert again.uncovered == []
    some = residue(old, new, [("values", 3, "displayName")]).uncovered  # the list holds a finding: walked here
    assert sorted(leaf.pointer for leaf in some) == [("values", 0), ("values", 1, "displayName")]


def test_a_set_removed_does_not_hide_a_change_to_another_set(tmp_path):
    def sets(*entries):
        return {"connectionParameterSets": {"values": [
            {"name": name, "uiDefinition": {"displayName": shown}, "parameters": {}} for name, shown in entries]}}

    result = diff(*pair(tmp_path, lambda doc: None, properties=(sets(("oauth", "OAuth"), ("key", "Key")),
                                                                 sets(("oauth", "OAuth/SSO")))))
    rules = sorted(c.rule for c in result.changes)
    assert "connection-parameter-set-removed" in rules
    assert any(c.rule == "unclassified-change" and "OAuth/SSO" in str(c.new) for c in result.changes), rules
    differing, covered = coverage(result.old, result.new, result.changes)
    assert differing == covered
