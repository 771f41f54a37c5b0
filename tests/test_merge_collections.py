"""Keyed collections merge element by element, whatever the other side did to the container.

The first two tests reproduce a real report: upstream deleted ``policyTemplateInstances``
and the region connection parameter its policy used; the fork had added a header policy of its
own. The merge must keep the fork's policy and drop upstream's, under either ``--prefer``.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver.merge import ConflictKind, Prefer, merge_documents
from flowkit import INVOICES

REGION_POLICY = {
    "templateId": "routerequesttoendpoint",
    "title": "Route to region",
    "parameters": {"x-ms-apimTemplateParameter.newPath": "https://@connectionParameters('region').example.com"},
}
FORK_POLICY = {
    "templateId": "setheader",
    "title": "Tenant header",
    "parameters": {"x-ms-apimTemplateParameter.name": "X-Tenant", "x-ms-apimTemplateParameter.value": "fabrikam",
                   "x-ms-apimTemplateParameter.existsAction": "override",
                   "x-ms-apimTemplate-policySection": "Request"},
}
TOKEN = {"type": "oauthSetting", "oAuthSettings": {"identityProvider": "aad", "clientId": "abc",
                                                   "scopes": ["api.read"], "redirectUrl": "https://global.consent.azure-apim.net/redirect"}}
REGION = {"type": "string", "uiDefinition": {"displayName": "Region", "description": "Region", "constraints": {"required": "true"}}}


def properties(connection: dict, policies: list | None) -> dict:
    props: dict = {"connectionParameters": copy.deepcopy(connection), "iconBrandColor": "#007ee5",
                   "publisher": "Contoso", "stackOwner": "Contoso"}
    if policies is not None:
        props["policyTemplateInstances"] = copy.deepcopy(policies)
    return {"properties": props}


BASE = properties({"token": TOKEN, "region": REGION}, [REGION_POLICY])
FORK = properties({"token": TOKEN, "region": REGION}, [REGION_POLICY, FORK_POLICY])
UPSTREAM = properties({"token": TOKEN}, None)


def merge_props(base, fork, upstream, prefer=Prefer.FORK):
    return merge_documents(base, fork, upstream, file="apiProperties.json", kind="properties", prefer=prefer)


@pytest.mark.parametrize("prefer", list(Prefer))
def test_upstream_removed_policies_fork_added_one(prefer):
    merged, conflicts = merge_props(BASE, FORK, UPSTREAM, prefer)
    assert conflicts == []
    assert merged["properties"]["policyTemplateInstances"] == [FORK_POLICY]     # the fork's policy survives
    assert "region" not in merged["properties"]["connectionParameters"]          # upstream's removal applies
    assert "region" not in json.dumps(merged)                                    # nothing refers to it


def test_upstream_removed_policies_fork_kept_them_unchanged():
    fork = properties({"token": TOKEN, "region": REGION}, [REGION_POLICY])
    merged, conflicts = merge_props(BASE, fork, UPSTREAM)
    assert conflicts == []
    assert "policyTemplateInstances" not in merged["properties"]              # nothing left: the container goes


def test_fork_changed_a_policy_upstream_removed_with_its_container():
    changed = copy.deepcopy(REGION_POLICY)
    changed["parameters"]["x-ms-apimTemplateParameter.newPath"] = "https://@connectionParameters('region').fabrikam.com"
    fork = properties({"token": TOKEN, "region": REGION}, [changed, FORK_POLICY])
    for prefer, kept in ((Prefer.FORK, [changed, FORK_POLICY]), (Prefer.UPSTREAM, [FORK_POLICY])):
        merged, conflicts = merge_props(BASE, fork, UPSTREAM, prefer)
        assert [(c.kind, c.location) for c in conflicts] == [
            (ConflictKind.UPSTREAM_REMOVED, "policyTemplateInstances/0")]
        assert conflicts[0].fork == changed and conflicts[0].base == REGION_POLICY   # both values recorded
        assert merged["properties"]["policyTemplateInstances"] == kept


def test_fork_removed_container_upstream_added_and_changed_elements():
    fork = properties({"token": TOKEN, "region": REGION}, None)
    new_policy = dict(FORK_POLICY, title="Upstream header")
    upstream = properties({"token": TOKEN, "region": REGION}, [REGION_POLICY, new_policy])
    merged, conflicts = merge_props(BASE, fork, upstream)
    assert conflicts == []
    assert merged["properties"]["policyTemplateInstances"] == [new_policy]    # only upstream's new element


def test_policies_sharing_template_and_title_are_told_apart_by_target():
    one = copy.deepcopy(FORK_POLICY)
    two = copy.deepcopy(FORK_POLICY)
    two["parameters"]["x-ms-apimTemplateParameter.name"] = "X-Other"
    base = properties({"token": TOKEN}, [one, two])
    fork = properties({"token": TOKEN}, [one, two])
    fork["properties"]["policyTemplateInstances"][0]["parameters"]["x-ms-apimTemplateParameter.value"] = "mine"
    upstream = properties({"token": TOKEN}, [one, two])
    upstream["properties"]["policyTemplateInstances"][1]["parameters"]["x-ms-apimTemplateParameter.value"] = "theirs"
    merged, conflicts = merge_props(base, fork, upstream)
    assert conflicts == []
    values = [p["parameters"]["x-ms-apimTemplateParameter.value"] for p in merged["properties"]["policyTemplateInstances"]]
    assert values == ["mine", "theirs"]


def test_connection_parameter_sets_merge_by_name_and_parameter():
    def sets(*entries):
        return {"properties": {"connectionParameterSets": {"uiDefinition": {"displayName": "Auth"},
                                                           "values": copy.deepcopy(list(entries))}}}
    key = {"name": "key", "uiDefinition": {"displayName": "API key"}, "parameters": {"api_key": {"type": "securestring"}}}
    oauth = {"name": "oauth", "uiDefinition": {"displayName": "OAuth"}, "parameters": {"token": TOKEN}}
    fork_key = copy.deepcopy(key)
    fork_key["parameters"]["tenant"] = {"type": "string"}
    upstream_key = copy.deepcopy(key)
    upstream_key["parameters"]["api_key"]["uiDefinition"] = {"displayName": "Key"}
    merged, conflicts = merge_props(sets(key, oauth), sets(fork_key, oauth), sets(upstream_key))
    assert conflicts == []
    values = merged["properties"]["connectionParameterSets"]["values"]
    assert [v["name"] for v in values] == ["key"]                                   # upstream removed oauth
    assert values[0]["parameters"] == {"api_key": {"type": "securestring", "uiDefinition": {"displayName": "Key"}},
                                       "tenant": {"type": "string"}}


def test_script_operations_removed_upstream_keeps_the_forks_addition():
    base = {"properties": {"scriptOperations": ["A", "B"]}}
    fork = {"properties": {"scriptOperations": ["A", "B", "Mine"]}}
    upstream = {"properties": {}}
    merged, conflicts = merge_props(base, fork, upstream)
    assert conflicts == [] and merged["properties"]["scriptOperations"] == ["Mine"]


def test_schema_properties_and_operations_survive_removed_containers():
    base = {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {},
            "definitions": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    fork = copy.deepcopy(base)
    fork["definitions"]["Item"]["properties"]["mine"] = {"type": "integer"}
    fork["paths"] = {"/mine": {"get": {"operationId": "Mine", "responses": {"200": {"description": "OK"}}}}}
    upstream = copy.deepcopy(base)
    del upstream["definitions"]["Item"]["properties"]
    del upstream["paths"]
    merged, conflicts = merge_documents(base, fork, upstream, file="apiDefinition.swagger.json", kind="swagger")
    assert conflicts == []
    assert merged["definitions"] == {"Item": {"type": "object", "properties": {"mine": {"type": "integer"}}}}
    assert list(merged["paths"]) == ["/mine"]
    # a definition is one schema, not a collection: changed here, removed there is a conflict
    del upstream["definitions"]
    for prefer in Prefer:
        merged, conflicts = merge_documents(base, fork, upstream, file="apiDefinition.swagger.json",
                                            kind="swagger", prefer=prefer)
        assert [(c.kind, c.location) for c in conflicts] == [(ConflictKind.UPSTREAM_REMOVED, "definitions/Item")]
        assert conflicts[0].fork == fork["definitions"]["Item"]
        assert ("definitions" in merged) is (prefer is Prefer.FORK)


# --------------------------------------------------------------------------- through the CLI


def folder(root: Path, name: str, props: dict) -> Path:
    out = root / name
    shutil.copytree(INVOICES / "base", out)
    (out / "apiProperties.json").write_text(json.dumps(props, indent=2) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("prefer", ["fork", "upstream"])
def test_upgrade_keeps_fork_policy_and_check_reports_nothing_left(tmp_path, prefer):
    base, fork, upstream = (folder(tmp_path, n, p) for n, p in (("base", BASE), ("fork", FORK), ("upstream", UPSTREAM)))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["upgrade", str(fork), "--upstream", str(upstream), "--base", str(base),
                                      "--output", str(out), "--prefer", prefer])
    assert result.exit_code == 0, result.output
    props = json.loads((out / "apiProperties.json").read_text(encoding="utf-8"))["properties"]
    assert props["policyTemplateInstances"] == [FORK_POLICY]
    assert set(props["connectionParameters"]) == {"token"}
    check = CliRunner().invoke(cli, ["upgrade-check", str(out), "--upstream", str(upstream), "--base", str(base),
                                     "--format", "json"])
    data = json.loads(check.stdout)
    assert data["incoming"] == [] and data["conflicts"] == []


def test_upstream_removal_the_fork_still_has_is_not_labelled_in_fork(tmp_path):
    base, fork, upstream = (folder(tmp_path, n, p) for n, p in (("base", BASE), ("fork", FORK), ("upstream", UPSTREAM)))
    check = CliRunner().invoke(cli, ["upgrade-check", str(fork), "--upstream", str(upstream), "--base", str(base),
                                     "--format", "json"])
    data = json.loads(check.stdout)
    statuses = {(c["rule"], c["location"]): c["status"] for c in data["upstream_changes"]}
    assert statuses and all(status == "applies" for status in statuses.values()), statuses


def test_docs_example_policy_template_instances():
    """The worked example in docs/upgrade.md, "What merges how"."""
    def policy(template, title, **parameters):
        return {"templateId": template, "title": title,
                "parameters": {f"x-ms-apimTemplateParameter.{k}": v for k, v in parameters.items()}}

    host = policy("dynamichosturl", "Host", urlTemplate="https://@connectionParameters('region').contoso.com")
    fork_host = policy("dynamichosturl", "Host", urlTemplate="https://@connectionParameters('region').fabrikam.com")
    accept = policy("setheader", "Accept", name="Accept", value="application/json")
    tenant = policy("setheader", "Tenant", name="X-Tenant", value="fabrikam")
    agent = policy("setheader", "User agent", name="User-Agent", value="contoso-connector")

    def doc(*policies):
        return {"properties": {"policyTemplateInstances": list(policies)}}

    merged, conflicts = merge_props(doc(host, accept), doc(fork_host, accept, tenant), doc(host, agent))
    assert conflicts == []
    assert merged == doc(fork_host, agent, tenant)
    changed = policy("setheader", "Accept", name="Accept", value="application/xml")
    merged, conflicts = merge_props(doc(host, accept), doc(fork_host, changed, tenant), doc(host, agent))
    assert [(c.kind, c.location) for c in conflicts] == [(ConflictKind.UPSTREAM_REMOVED, "policyTemplateInstances/1")]
