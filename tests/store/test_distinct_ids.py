"""Two different connector ids never end up as one connector in the store.

Ids are made safe for a path and a git ref (``../x``, ``-x`` and ``x^`` all become ``x``);
the store records the name each connector was made from and refuses a different name that
folds to the same id, and an id differing from a stored one only in case.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import FIXTURES


def _cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="connver")


def _folder(tmp_path, name: str, *, title: str = "Demo"):
    """A connector folder named ``name`` (no settings.json: the id comes from the name)."""
    _folder.count = getattr(_folder, "count", 0) + 1
    folder = tmp_path / "src" / str(_folder.count) / name
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    swagger = folder / "apiDefinition.swagger.json"
    doc = json.loads(swagger.read_text("utf-8"))
    doc["info"]["title"] = title
    swagger.write_text(json.dumps(doc, indent=2), "utf-8")
    return folder


def _snapshots(store) -> dict[str, int]:
    listing = _cli("list", "--store", store, "--format", "json")
    assert listing.exit_code == 0, listing.output
    return {row["connector"]: row["snapshots"] for row in json.loads(listing.stdout)}


def _refused(result):
    assert result.exit_code == 2, result.output
    assert "this is a bug" not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("connver: error:"), result.stderr
    return lines[0]


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.mark.parametrize("other", ["../x", "-x", "x^", "x.", ".x", "x@{", "x~", "x/", "x?"])
def test_given_ids_that_fold_to_a_stored_id_are_refused(tmp_path, other):
    store = tmp_path / "store"
    first = _cli("snapshot", _folder(tmp_path, "a"), "--channel", "dev", "--connector", "x", "--store", store)
    assert first.exit_code == 0, first.output
    line = _refused(_cli("snapshot", _folder(tmp_path, "b", title="Other"), "--channel", "dev",
                         "--connector", other, "--store", store))
    assert "'x'" in line and "two different names cannot share one connector" in line
    assert _snapshots(store) == {"x": 1}


def test_folder_names_folding_to_one_id_are_kept_apart_or_refused(tmp_path):
    store = tmp_path / "store"
    assert _cli("snapshot", _folder(tmp_path, "Contoso Tasks"), "--channel", "dev", "--store", store).exit_code == 0
    line = _refused(_cli("snapshot", _folder(tmp_path, "Contoso-Tasks", title="B"), "--channel", "dev",
                         "--store", store))
    assert "'Contoso-Tasks' would be stored as connector 'Contoso-Tasks', which holds 'Contoso Tasks'" in line
    _refused(_cli("snapshot", _folder(tmp_path, "Contoso Tasks."), "--channel", "dev", "--store", store))
    # the same name again adds to it; an id given exactly as stored adds to it too
    again = _cli("snapshot", _folder(tmp_path, "Contoso Tasks", title="C"), "--channel", "dev", "--store", store)
    assert again.exit_code == 0, again.output
    exact = _cli("snapshot", _folder(tmp_path, "whatever", title="D"), "--channel", "dev",
                 "--connector", "Contoso-Tasks", "--store", store)
    assert exact.exit_code == 0, exact.output
    # ...without taking the connector's name away from the folder
    later = _cli("snapshot", _folder(tmp_path, "Contoso Tasks", title="E"), "--channel", "dev", "--store", store)
    assert later.exit_code == 0, later.output
    apart = _cli("snapshot", _folder(tmp_path, "Contoso-Tasks", title="B"), "--channel", "dev",
                 "--connector", "Contoso-Tasks-2", "--store", store)
    assert apart.exit_code == 0, apart.output
    assert _snapshots(store) == {"Contoso-Tasks": 4, "Contoso-Tasks-2": 1}


@pytest.mark.parametrize(("first", "second"), [("x-lock", "x.lock"), ("_con", "con"), ("_con", "CON"),
                                                 ("x" * 120, "x" * 130)])
def test_names_that_git_refs_or_file_names_fold_are_refused(tmp_path, first, second):
    store = tmp_path / "store"
    made = _cli("snapshot", _folder(tmp_path, "a"), "--channel", "dev", "--connector", first, "--store", store)
    assert made.exit_code == 0, made.output
    _refused(_cli("snapshot", _folder(tmp_path, "b", title="B"), "--channel", "dev", "--connector", second,
                  "--store", store))
    assert list(_snapshots(store).values()) == [1]


@pytest.mark.parametrize(("first", "second"), [("Contoso", "contoso"), ("Straße", "STRASSE")])
def test_ids_differing_only_in_case_are_refused(tmp_path, first, second):
    store = tmp_path / "store"
    assert _cli("snapshot", _folder(tmp_path, first), "--channel", "dev", "--store", store).exit_code == 0
    line = _refused(_cli("snapshot", _folder(tmp_path, second, title="B"), "--channel", "deployed",
                         "--store", store))
    assert "only in case" in line
    _refused(_cli("snapshot", _folder(tmp_path, "z", title="C"), "--channel", "dev", "--connector", second,
                  "--store", store))
    assert len(_snapshots(store)) == 1


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd),
                        "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
                        "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com",
                        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
                        "PATH": "/usr/bin:/bin:/usr/local/bin"})


def test_import_keeps_folders_apart_that_differ_only_in_case(tmp_path):
    repo = tmp_path / "clone"
    for i, path in enumerate(["certified-connectors/Snowflake", "independent-publisher-connectors/snowflake",
                              "custom-connectors/Snow flake"]):
        folder = repo / path
        shutil.copytree(FIXTURES / "demo" / "old", folder)
        doc = json.loads((folder / "apiDefinition.swagger.json").read_text("utf-8"))
        doc["info"]["title"] = f"Snow {i}"
        (folder / "apiDefinition.swagger.json").write_text(json.dumps(doc), "utf-8")
    _git("init", "-q", "-b", "master", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "three", cwd=repo)
    store = tmp_path / "store"
    result = _cli("import", repo, "--ref", "master", "--store", store)
    assert result.exit_code == 0, result.output
    stored = _snapshots(store)
    assert len(stored) == 3, stored
    assert len({name.casefold() for name in stored}) == 3
    # a folder whose name folds onto an imported connector is refused, the same name adds to it
    _refused(_cli("snapshot", _folder(tmp_path, "Snow-flake"), "--channel", "deployed", "--store", store))
    same = _cli("snapshot", _folder(tmp_path, "Snowflake", title="new"), "--channel", "deployed", "--store", store)
    assert same.exit_code == 0, same.output
