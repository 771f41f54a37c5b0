"""Shared test fixtures.

``corpus`` is the real-data corpus at ``../shared/corpus`` beside the repository; tests that
use it are skipped cleanly when it is absent. ``FIXTURES`` holds our own small definitions.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("CONNVER_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_available() -> bool:
    return (CORPUS / "history").is_dir()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Path to ``../shared/corpus``; skips the test when it is not there."""
    if not corpus_available():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def bundle_mirror(tmp_path_factory) -> Path:
    """A mirror clone of the public repository's bundle in ../shared/corpus (master and dev
    with full history), made once per session; skips the test when the bundle is not there."""
    import subprocess

    bundle = CORPUS / "PowerPlatformConnectors.bundle"
    if not bundle.is_file():
        pytest.skip("../shared/corpus has no PowerPlatformConnectors.bundle")
    target = tmp_path_factory.mktemp("ppc") / "ppc.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(bundle), str(target)], check=True)
    return target


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _no_colour_and_isolated_store(monkeypatch, tmp_path_factory):
    """Tests never colour output and never touch the user's real store or config."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("CONNVER_STORE", str(tmp_path_factory.mktemp("default-store")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
