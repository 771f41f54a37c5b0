"""Secrets never enter the store: what is redacted, what is not, and what is said."""

from __future__ import annotations

import json

from storekit import git, read_folder
from connver.store.redact import MARKER, redact_files
from connver.store.snapshots import connector_facts


def _strings_in_store(store_dir) -> str:
    """Every blob of every commit in the store, as one text."""
    objects = git("--git-dir", str(store_dir), "rev-list", "--objects", "--all").split()
    out = []
    for sha in objects:
        if len(sha) == 40 and git("--git-dir", str(store_dir), "cat-file", "-t", sha).strip() == "blob":
            out.append(git("--git-dir", str(store_dir), "cat-file", "blob", sha))
    return "\n".join(out)


def test_secrets_are_replaced_with_a_warning_and_a_trailer(run, store_dir, contoso):
    folder = contoso["secrets"]
    result = run("snapshot", folder, "--channel", "deployed")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "redacted a secret" in line]
    assert len(warnings) == 4
    assert any("oAuthSettings/clientSecret (OAuth clientSecret)" in w for w in warnings)
    assert any("policy template value for 'x-functions-key'" in w for w in warnings)
    assert any("urlTemplate (credential in a URL query)" in w for w in warnings)
    assert any("settings.json#/clientSecret" in w for w in warnings)

    stored = _strings_in_store(store_dir)
    for secret in ("s3cr3t-Value~with.chars", "FUNCTIONKEY0123456789abcdef==", "URLCODE123456", "settings-secret-42"):
        assert secret not in stored
    assert stored.count(MARKER) == 4

    shown = json.loads(run("show", "shared_contoso-secrets@deployed", "-f", "json").stdout)
    assert len(shown["redacted"]) == 4
    assert "apiProperties.json#/properties/connectionParameters/token/oAuthSettings/clientSecret (OAuth clientSecret)" in shown["redacted"]


def test_only_the_secret_bytes_change(contoso):
    original = read_folder(contoso["secrets"])
    redacted, found = redact_files(original)
    assert redacted["apiDefinition.swagger.json"] == original["apiDefinition.swagger.json"]
    props = original["apiProperties.json"]
    expected = (props.replace(b"s3cr3t-Value~with.chars", MARKER.encode())
                .replace(b"FUNCTIONKEY0123456789abcdef==", MARKER.encode())
                .replace(b"URLCODE123456", MARKER.encode()))
    assert redacted["apiProperties.json"] == expected
    # still valid JSON, the structure unchanged, the non-secrets kept
    data = json.loads(redacted["apiProperties.json"])
    templates = data["properties"]["policyTemplateInstances"]
    assert templates[1]["parameters"]["x-ms-apimTemplateParameter.value"] == "@connectionParameters('api_key')"
    assert templates[2]["parameters"]["x-ms-apimTemplateParameter.value"] == "application/json"
    assert templates[3]["parameters"]["x-ms-apimTemplateParameter.urlTemplate"].endswith(f"code={MARKER}&region=eu")
    assert data["properties"]["connectionParameters"]["other"]["oAuthSettings"]["clientSecret"] == ""
    assert json.loads(redacted["settings.json"])["connectorId"] == "shared_contoso-secrets"
    assert len(found) == 4


def test_spelt_out_placeholders_and_environment_variables_are_not_secrets(run, store_dir, tmp_path):
    # Two values the store used to rewrite in the public repository's history: a policy's
    # "dummy-value" for x-api-key, and a client secret read from an environment variable.
    def policy(value: str) -> dict:
        return {"templateId": "setheader", "title": "key", "parameters": {
            "x-ms-apimTemplateParameter.name": "x-api-key", "x-ms-apimTemplateParameter.value": value,
            "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}
    values = ["dummy-value", "Your API key here", "replace_me", "M3Yf9L0njL8eL9ukphahq9zk5LFRIOvn2fT4BcmV",
              "secret-42"]
    props = json.dumps({"properties": {
        "connectionParameters": {"token": {"type": "oauthSetting", "oAuthSettings": {
            "identityProvider": "oauth2", "clientId": "c",
            "clientSecret": '@environmentVariables("contoso_connectors_clientsecret")'}}},
        "policyTemplateInstances": [policy(v) for v in values]}}, indent=2).encode()
    out, found = redact_files({"apiProperties.json": props})
    redacted = [f.pointer for f in found]
    assert redacted == ["/properties/policyTemplateInstances/3/parameters/x-ms-apimTemplateParameter.value",
                        "/properties/policyTemplateInstances/4/parameters/x-ms-apimTemplateParameter.value"]
    kept = json.loads(out["apiProperties.json"])["properties"]
    assert [p["parameters"]["x-ms-apimTemplateParameter.value"] for p in kept["policyTemplateInstances"]] == [
        *values[:3], MARKER, MARKER]
    assert kept["connectionParameters"]["token"]["oAuthSettings"]["clientSecret"].startswith("@environmentVariables(")
    folder = tmp_path / "Placeholders"
    folder.mkdir()
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(
        {"swagger": "2.0", "info": {"title": "P", "version": "1.0"}, "host": "p.example", "paths": {}}))
    (folder / "apiProperties.json").write_bytes(props)
    result = run("snapshot", str(folder), "--channel", "dev")
    assert result.exit_code == 0, result.output
    assert sum("redacted a secret" in line for line in result.stderr.splitlines()) == 2
    stored = _strings_in_store(store_dir)
    assert "dummy-value" in stored and "contoso_connectors_clientsecret" in stored and "secret-42" not in stored


def test_placeholders_expressions_and_empty_values_are_left_alone():
    props = json.dumps({"properties": {"connectionParameterSets": {"values": [{"parameters": {"token": {
        "oAuthSettings": {"clientSecret": {"value": "{{liveusCustomClientSecret}}"}}}}}]},
        "connectionParameters": {"a": {"oAuthSettings": {"clientSecret": "[[DUMMY]]"}},
                                 "b": {"oAuthSettings": {"clientSecret": "   "}}}}}).encode()
    out, found = redact_files({"apiProperties.json": props})
    assert found == [] and out["apiProperties.json"] == props


def test_object_form_client_secret_in_parameter_sets_is_redacted():
    props = json.dumps({"properties": {"connectionParameterSets": {"values": [{"parameters": {"token": {
        "oAuthSettings": {"clientSecret": {"value": "real-secret-value"}}}}}]}}}).encode()
    out, found = redact_files({"apiProperties.json": props})
    assert [r.pointer for r in found] == [
        "/properties/connectionParameterSets/values/0/parameters/token/oAuthSettings/clientSecret/value"]
    assert b"real-secret-value" not in out["apiProperties.json"]


def test_redaction_works_on_files_that_are_not_strict_json():
    # trailing comma, a comment, a BOM and a latin-1 byte: the bytes around the secret stay
    raw = (b'\xef\xbb\xbf{ // c\n "properties": {"connectionParameters": {"t": {"oAuthSettings": '
           b'{"clientSecret": "abc\\"def", "clientId": "caf\xe9",}}},}}')
    out, found = redact_files({"apiProperties.json": raw})
    assert len(found) == 1
    assert out["apiProperties.json"] == raw.replace(b'abc\\"def', MARKER.encode())


def test_identical_redacted_resnapshot_makes_no_commit_and_restored_marker_is_not_redacted_again(
        run, store_dir, contoso, tmp_path):
    run("snapshot", contoso["secrets"], "--channel", "dev")
    again = run("snapshot", contoso["secrets"], "--channel", "dev")
    assert again.stdout.startswith("unchanged:")
    dest = tmp_path / "restored"
    restored = run("restore", "shared_contoso-secrets@dev", dest)
    assert "secret(s) were redacted" in restored.stderr
    resnap = run("snapshot", dest, "--channel", "dev")
    assert resnap.stdout.startswith("unchanged:") and "redacted a secret" not in resnap.stderr


def test_the_real_leaked_key_in_the_corpus_is_caught(corpus):
    folder = corpus / "history" / "timeghost" / "03_2934f9ee"
    out, found = redact_files(read_folder(folder))
    assert [r.what for r in found] == ["policy template value for 'x-functions-key'"]
    assert connector_facts(out).version == "2.0"


def _redact(name: str, doc) -> tuple[bytes, list[str]]:
    data = json.dumps(doc, indent=2).encode()
    out, found = redact_files({name: data})
    return out[name], [str(r) for r in found]


def test_client_secrets_held_in_arrays_are_redacted():
    out, found = _redact("apiProperties.json", {"properties": {"connectionParameters": {
        "a": {"oAuthSettings": {"clientSecret": ["array-secret-1", "[[DUMMY]]"]}},
        "b": {"oAuthSettings": {"clientSecret": {"value": ["array-secret-2"]}}}}}})
    assert b"array-secret-1" not in out and b"array-secret-2" not in out and b"[[DUMMY]]" in out
    assert found == [
        "apiProperties.json#/properties/connectionParameters/a/oAuthSettings/clientSecret/0 (OAuth clientSecret)",
        "apiProperties.json#/properties/connectionParameters/b/oAuthSettings/clientSecret/value/0 (OAuth clientSecret)"]


def test_a_policy_header_value_held_in_an_array_is_redacted():
    out, found = _redact("apiProperties.json", {"properties": {"policyTemplateInstances": [
        {"templateId": "setheader", "title": "key", "parameters": {
            "x-ms-apimTemplateParameter.name": "x-functions-key",
            "x-ms-apimTemplateParameter.value": ["HEADERSECRET=="]}},
        {"templateId": "setheader", "title": "type", "parameters": {
            "x-ms-apimTemplateParameter.name": "Content-Type",
            "x-ms-apimTemplateParameter.value": ["application/json"]}}]}})
    assert b"HEADERSECRET==" not in out and b"application/json" in out
    assert found == ["apiProperties.json#/properties/policyTemplateInstances/0/parameters/"
                     "x-ms-apimTemplateParameter.value/0 (policy template value for 'x-functions-key')"]


def test_settings_secrets_held_in_arrays_are_redacted():
    out, found = _redact("settings.json", {"connectorId": "c", "secrets": ["settings-array-1", "settings-array-2"],
                                          "regions": ["eu", "us"]})
    assert b"settings-array-1" not in out and b"settings-array-2" not in out and b'"eu"' in out
    assert found == ["settings.json#/secrets/0 (secret in settings.json)",
                     "settings.json#/secrets/1 (secret in settings.json)"]


def test_the_secret_parts_of_connection_strings_are_redacted():
    out, found = _redact("settings.json", {
        "connectionString": "Server=db.example;User Id=sa;Password=CONNSECRET1;Encrypt=true",
        "serviceBus": "Endpoint=sb://x.example/;SharedAccessKeyName=Root;SharedAccessKey=CONNSECRET2",
        "storage": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=CONNSECRET3==",
        "note": "Password=@connectionParameters('pw')"})
    for secret in (b"CONNSECRET1", b"CONNSECRET2", b"CONNSECRET3"):
        assert secret not in out
    text = json.loads(out)
    assert text["connectionString"] == f"Server=db.example;User Id=sa;Password={MARKER};Encrypt=true"
    assert text["serviceBus"].endswith(f"SharedAccessKeyName=Root;SharedAccessKey={MARKER}")
    assert text["note"] == "Password=@connectionParameters('pw')"
    assert found == ["settings.json#/connectionString (Password in a connection string)",
                     "settings.json#/serviceBus (SharedAccessKey in a connection string)",
                     "settings.json#/storage (AccountKey in a connection string)"]


def test_connection_strings_in_api_properties_but_not_in_display_text():
    doc = {"properties": {"connectionParameters": {"cs": {"type": "string", "uiDefinition": {
        "description": "For example Server=host;Password=example-only",
        "constraints": {"default": "Server=host;Pwd=CONNSECRET4"}}}}}}
    out, found = _redact("apiProperties.json", doc)
    assert b"CONNSECRET4" not in out and b"Password=example-only" in out
    assert found == ["apiProperties.json#/properties/connectionParameters/cs/uiDefinition/constraints/default "
                     "(Pwd in a connection string)"]


def test_a_secret_found_twice_is_replaced_once():
    """settings.json "password" holds a connection string: the whole value is the secret."""
    out, found = _redact("settings.json", {"password": "User=me;Password=BOTH"})
    assert json.loads(out)["password"] == MARKER
    assert found == ["settings.json#/password (secret in settings.json)"]
