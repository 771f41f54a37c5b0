"""An OAuth clientSecret is never compared and never printed (paconn downloads never
contain it, and the store holds a marker in its place)."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES

OAUTH = {
    "properties": {
        "connectionParameters": {
            "token": {
                "type": "oauthSetting",
                "oAuthSettings": {
                    "identityProvider": "oauth2generic",
                    "clientId": "11111111-2222-3333-4444-555555555555",
                    "scopes": ["Tasks.Read"],
                    "redirectUrl": "https://global.consent.azure-apim.net/redirect",
                },
            }
        }
    }
}


def folder(tmp_path, name, secret):
    target = tmp_path / name
    shutil.copytree(FIXTURES / "demo" / "old", target)
    props = json.loads(json.dumps(OAUTH))
    if secret is not None:
        props["properties"]["connectionParameters"]["token"]["oAuthSettings"]["clientSecret"] = secret
    (target / "apiProperties.json").write_text(json.dumps(props, indent=2), encoding="utf-8")
    return target


def test_client_secret_is_not_a_change_and_is_never_printed(tmp_path):
    downloaded = folder(tmp_path, "downloaded", None)
    dev = folder(tmp_path, "dev", "s3cr3t-Value~abc")
    stored = folder(tmp_path, "stored", "<redacted by connver>")
    for old, new in ((downloaded, dev), (stored, dev), (dev, downloaded)):
        for fmt in ("json", "text", "markdown", "github", "junit"):
            result = CliRunner().invoke(cli, ["diff", str(old), str(new), "-f", fmt, "--fail-on", "cosmetic"])
            assert result.exit_code == 0, result.output
            assert "s3cr3t" not in result.output


def test_other_oauth_settings_still_count(tmp_path):
    old = folder(tmp_path, "old", None)
    new = folder(tmp_path, "new", None)
    props = json.loads((new / "apiProperties.json").read_text())
    props["properties"]["connectionParameters"]["token"]["oAuthSettings"]["scopes"] = ["Tasks.ReadWrite"]
    (new / "apiProperties.json").write_text(json.dumps(props), encoding="utf-8")
    data = json.loads(CliRunner().invoke(cli, ["diff", str(old), str(new), "-f", "json"]).output)
    assert [c["rule"] for c in data["changes"]] == ["oauth-settings-changed"]


def test_words_after_basic_or_bearer_are_not_taken_for_credentials():
    from connver.secrets import MARKER, scrub

    assert scrub("Basic authentication with your e-mail/password") == "Basic authentication with your e-mail/password"
    assert scrub("Bearer authorization header") == "Bearer authorization header"
    assert scrub("Authorization: Basic dXNlcjpwYXNzd29yZA==") == f"Authorization: Basic {MARKER}"
    assert scrub("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc") == f"Bearer {MARKER}"


def test_a_sources_secrets_are_found_once_and_are_what_the_scanner_finds(tmp_path):
    from connver import load_connector
    from connver.secrets import report_secrets, secret_values

    connector = load_connector(folder(tmp_path, "side", "s3cr3t-Value-42"))
    source = connector.source
    assert source.secrets == frozenset(secret_values(source.files)) and "s3cr3t-Value-42" in source.secrets
    assert source.secrets is source.secrets  # cached on the source: the residual pass and redaction share it
    assert report_secrets(connector) == source.secrets == report_secrets(source)
    assert report_secrets(connector.without_properties()) == frozenset()  # another source, its own secrets
