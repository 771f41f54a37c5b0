"""Reading never escapes the connector folder, and a file over the size limit is one line."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from conftest import FIXTURES
from connver.cli.main import cli


def _folder(tmp_path, name="c"):
    folder = tmp_path / name
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    return folder


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNVER_STORE", str(tmp_path / "store"))
    outside = tmp_path / "environ"
    outside.write_text('{"SECRET_ENV": "do-not-store-me"}', encoding="utf-8")
    folder = _folder(tmp_path)
    (folder / "settings.json").symlink_to(outside)
    for args in (["snapshot", str(folder), "--channel", "dev"], ["diff", str(folder), str(folder)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert "symbolic link out of the connector folder" in line and "settings.json" in line
    assert not (tmp_path / "store").exists() or "do-not-store-me" not in str(list((tmp_path / "store").rglob("*")))


def test_a_symlink_inside_the_folder_is_read(tmp_path):
    folder = _folder(tmp_path)
    (folder / "real.json").write_bytes((folder / "apiProperties.json").read_bytes())
    (folder / "apiProperties.json").unlink()
    (folder / "apiProperties.json").symlink_to("real.json")
    result = CliRunner().invoke(cli, ["diff", str(folder), str(_folder(tmp_path, "d"))])
    assert result.exit_code == 0, result.output


def test_the_size_limit_is_one_line_and_configurable(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    size = (folder / "apiDefinition.swagger.json").stat().st_size
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", str(size - 1))
    result = CliRunner().invoke(cli, ["diff", str(folder), str(folder)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "more than the limit" in line and "CONNVER_MAX_FILE_SIZE" in line
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", "1M")
    assert CliRunner().invoke(cli, ["diff", str(folder), str(folder)]).exit_code == 0
    monkeypatch.setenv("CONNVER_MAX_FILE_SIZE", "lots")
    result = CliRunner().invoke(cli, ["diff", str(folder), str(folder)])
    assert result.exit_code == 2 and "is not a size" in result.stderr
