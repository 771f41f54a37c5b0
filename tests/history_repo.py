"""Build real git repositories whose commits are given versions of a connector folder.

Files are written with fresh contents and modes (never ``copy2``): corpus files share one
mtime and size, and git's stat cache would otherwise take a changed file for unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Connector Publisher",
    "GIT_AUTHOR_EMAIL": "publisher@example.com",
    "GIT_COMMITTER_NAME": "Connector Publisher",
    "GIT_COMMITTER_EMAIL": "publisher@example.com",
}


def git(repo: Path, *args: str, **env: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **ENV, **env}).stdout


def init_repo(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return repo


def commit_files(repo: Path, folder: str, files: Mapping[str, bytes], date: str, subject: str,
                 *, replace: bool = True) -> str:
    """Make ``folder`` hold exactly ``files`` (or add them, without ``replace``) and commit."""
    target = repo / folder
    if replace and target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", subject, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return git(repo, "rev-parse", "HEAD").strip()


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def build_history(repo: Path, folder: str, versions: Iterable[tuple[Path, str, str]]) -> list[str]:
    """One commit per (source folder, ISO date, subject), oldest first; returns the commit ids."""
    init_repo(repo)
    return [commit_files(repo, folder, folder_files(src), date, subject) for src, date, subject in versions]
