"""Secrets of every common shape, planted in every file connver redacts and in every
encoding it reads: none reaches the store's objects or any report; names are never secrets."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from storekit import git
from conftest import FIXTURES
from connver.secrets import MARKER, is_credential_name, redact_files

#: value -> where it is planted. Every one must disappear.
SECRETS = {
    "OAUTHSECRET1a": "clientSecret",
    "OAUTHSECRET2b": "ClientSECRET value object",
    "CUSTOMSECRET3c": "oAuthSettings.customParameters.clientSecret",
    "SECURESTRING4d": "securestring defaultValue",
    "XAPIKEY5e9f8a": "x-api-key policy",
    "BEARERTOKEN6fghij": "Authorization policy (Bearer)",
    "APIMSUB7g12ab": "Ocp-Apim-Subscription-Key policy",
    "FUNCCODE8h34": "setqueryparameter code",
    "SASSIG9i56": "setqueryparameter sig",
    "URLCODE10j78": "code= in a dynamichosturl template",
    "URLPASS11k90": "user:password@ in a URL",
    "CONNPWD12l1": "Password= in a connection string",
    "ACCKEY13m2==": "AccountKey= in settings.json",
    "NESTED14n3": "settings.json auth.password",
    "NESTED15o4": "settings.json credentials.anything",
    "SETTOKEN16p5": "settings.json apiToken",
}

NAMES = ("keyName", "retainKey", "keyWithinCollectionPath", "tokenType")


def _policy(template, name, value):
    return {"templateId": template, "title": template, "parameters": {
        "x-ms-apimTemplateParameter.name": name, "x-ms-apimTemplateParameter.value": value,
        "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}


def properties() -> dict:
    return {"properties": {
        "connectionParameters": {
            "token": {"type": "oauthSetting", "oAuthSettings": {
                "identityProvider": "oauth2", "clientId": "client-id-1", "clientSecret": "OAUTHSECRET1a",
                "scopes": [], "redirectUrl": "https://global.consent.azure-apim.net/redirect",
                "customParameters": {"clientSecret": {"value": "CUSTOMSECRET3c"}, "tenantId": {"value": "common"}}}},
            "token2": {"type": "oauthSetting", "oAuthSettings": {"ClientSECRET": {"value": "OAUTHSECRET2b"}}},
            "apiKey": {"type": "securestring", "defaultValue": "SECURESTRING4d",
                       "uiDefinition": {"displayName": "API key", "description": "The key"}},
        },
        "policyTemplateInstances": [
            _policy("setheader", "x-api-key", "XAPIKEY5e9f8a"),
            _policy("setheader", "Authorization", "Bearer BEARERTOKEN6fghij"),
            _policy("setheader", "Ocp-Apim-Subscription-Key", "APIMSUB7g12ab"),
            _policy("setqueryparameter", "code", "FUNCCODE8h34"),
            _policy("setqueryparameter", "sig", "SASSIG9i56"),
            {"templateId": "dynamichosturl", "title": "host", "parameters": {
                "x-ms-apimTemplateParameter.urlTemplate": "https://f.azurewebsites.net/api?code=URLCODE10j78"}},
            {"templateId": "routerequesttoendpoint", "title": "route", "parameters": {
                "x-ms-apimTemplateParameter.newPath": "https://user:URLPASS11k90@host.example/x"}},
            # policy parameters *named* like credentials: their names and values are not secrets
            {"templateId": "setproperty", "title": "names", "parameters": {n: f"value-of-{n}" for n in NAMES}},
        ],
        "capabilities": [],
    }}


def settings() -> dict:
    return {"apiProperties": "apiProperties.json", "script": "script.csx",
            "db": "Server=db.example;User Id=sa;Password=CONNPWD12l1;Encrypt=true",
            "storage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=ACCKEY13m2==",
            "auth": {"user": "me", "password": "NESTED14n3"},
            "credentials": [{"anything": "NESTED15o4"}], "apiToken": "SETTOKEN16p5"}


ENCODINGS = {"utf-8": lambda t: t.encode("utf-8"), "utf-8-sig": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
             "utf-16-le": lambda t: "\ufeff".encode("utf-16-le") + t.encode("utf-16-le"),
             "utf-16-be": lambda t: "\ufeff".encode("utf-16-be") + t.encode("utf-16-be")}


def planted(tmp_path, encoding: str, name: str = "planted"):
    folder = tmp_path / encoding / name
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    encode = ENCODINGS[encoding]
    (folder / "apiProperties.json").write_bytes(encode(json.dumps(properties(), indent=2) + "\n"))
    (folder / "settings.json").write_bytes(encode(json.dumps(settings(), indent=2) + "\n"))
    return folder


def _decoded(data: bytes) -> str:
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc)
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_every_shape_is_redacted_and_only_the_secrets_change(tmp_path, encoding):
    folder = planted(tmp_path, encoding)
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    out, found = redact_files(files)
    for name in ("apiProperties.json", "settings.json"):
        text = _decoded(out[name])
        for secret in SECRETS:
            assert secret not in text, (secret, SECRETS[secret], name)
        # everything but the secrets is byte for byte what it was
        original = _decoded(files[name]).replace("Bearer BEARERTOKEN6fghij", MARKER)
        for secret in SECRETS:
            original = original.replace(secret, MARKER)
        assert text == original
        assert out[name][:2] == files[name][:2]  # the encoding (and its BOM) is kept
    assert len(found) == len(SECRETS)
    for name in NAMES:
        assert f"value-of-{name}" in _decoded(out["apiProperties.json"])
        assert not is_credential_name(name) or name == "retainKey"


def test_nothing_reaches_the_store_and_restore_says_which(run, store_dir, tmp_path):
    for encoding in sorted(ENCODINGS):
        result = run("snapshot", planted(tmp_path, encoding, "planted"), "--channel", "dev", "--connector", "planted")
        assert result.exit_code == 0, result.output
    objects = git("--git-dir", str(store_dir), "rev-list", "--objects", "--all").split()
    blobs = [subprocess.run(["git", "--git-dir", str(store_dir), "cat-file", "-p", sha], capture_output=True).stdout
             for sha in objects
             if len(sha) == 40 and git("--git-dir", str(store_dir), "cat-file", "-t", sha).strip() == "blob"]
    assert len(blobs) > 4
    raw = "\n".join(_decoded(b) for b in blobs)
    for secret in SECRETS:
        assert secret not in raw, SECRETS[secret]
    restored = tmp_path / "restored"
    result = run("restore", "planted@dev", restored)
    assert result.exit_code == 0
    assert f"{len(SECRETS)} secret(s) were redacted" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "github", "junit"])
def test_reports_never_print_a_credential(run, tmp_path, fmt):
    clean = tmp_path / "clean"
    shutil.copytree(FIXTURES / "demo" / "old", clean)
    secret = planted(tmp_path, "utf-8")
    for old, new in ((clean, secret), (secret, clean)):
        result = run("diff", old, new, "-f", fmt)
        assert result.exit_code in (0, 1), result.output
        for value in SECRETS:
            assert value not in result.output, (fmt, SECRETS[value])
        if fmt == "json":
            assert MARKER in result.output
