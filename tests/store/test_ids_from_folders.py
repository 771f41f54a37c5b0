"""Connector ids are never taken from folder names that carry no meaning."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES


@pytest.mark.parametrize("name", ["deployed", "dev", "DEV"])
def test_a_folder_named_after_a_channel_needs_connector(tmp_path, name):
    folder = tmp_path / "contoso" / name
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["snapshot", str(folder), "--channel", "dev", "--store", str(store)],
                                prog_name="connver")
    assert result.exit_code == 2
    assert f"the folder is named '{name}', which names a channel" in result.stderr
    assert "--connector ID" in result.stderr
    ok = CliRunner().invoke(cli, ["snapshot", str(folder), "--channel", "dev", "--connector", "contoso",
                                  "--store", str(store)])
    assert ok.exit_code == 0, ok.output
    listing = CliRunner().invoke(cli, ["list", "--store", str(store)])
    assert listing.stdout.startswith("contoso")


def test_a_single_file_needs_connector(tmp_path):
    swagger = tmp_path / "work" / "contoso-v2.json"
    swagger.parent.mkdir()
    shutil.copyfile(FIXTURES / "demo" / "new" / "apiDefinition.swagger.json", swagger)
    result = CliRunner().invoke(cli, ["snapshot", str(swagger), "--channel", "dev", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "a single file does not say which connector" in result.stderr


def test_a_named_folder_still_gives_its_name(tmp_path):
    folder = tmp_path / "Contoso Tasks"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    result = CliRunner().invoke(cli, ["snapshot", str(folder), "--channel", "deployed", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "Contoso-Tasks@deployed" in result.output or "Contoso Tasks@deployed" in result.output
