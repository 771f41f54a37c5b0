"""Fixtures for the snapshot-store tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
STORE_FIXTURES = ROOT / "fixtures" / "store"


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """A fresh store location (not created yet); CONNVER_STORE points at it."""
    path = tmp_path / "store"
    monkeypatch.setenv("CONNVER_STORE", str(path))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return path


@pytest.fixture
def run():
    """Invoke the real CLI in-process; returns click's Result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def contoso(tmp_path) -> dict[str, Path]:
    """Copies of the contoso fixtures, v1 and v2, in folders named ``contoso``."""
    out = {}
    for name in ("contoso-v1", "contoso-v2", "secrets"):
        dest = tmp_path / "src" / name / "contoso"
        shutil.copytree(STORE_FIXTURES / name, dest)
        out[name] = dest
    return out
