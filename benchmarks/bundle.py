"""The public repository's bundle in ../shared/corpus, for the benchmarks that replay it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT.parent / "shared" / "corpus" / "PowerPlatformConnectors.bundle"
#: The folders that hold connectors in the public repository.
ROOTS = ("certified-connectors", "independent-publisher-connectors", "custom-connectors")


def repository(repo: str | None, tmp: str) -> str | None:
    """``repo`` when given, else a mirror clone of the bundle in ``tmp``; None (with one line
    on stderr) when there is neither."""
    if repo is not None:
        return repo
    if not BUNDLE.exists():
        print("no bundle at ../shared/corpus: pass REPO", file=sys.stderr)
        return None
    target = str(Path(tmp) / "ppc.git")
    subprocess.run(["git", "clone", "-q", "--mirror", str(BUNDLE), target], check=True)
    return target
