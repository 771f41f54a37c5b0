"""Helpers for the store tests: a real git repository built from the corpus history,
folder comparison, and running the installed ``connver``."""

from __future__ import annotations

import csv
import subprocess
from datetime import datetime
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def corpus_versions(corpus: Path) -> dict[str, list[Path]]:
    """slug -> version folders in versions.tsv order."""
    history = corpus / "history"
    out: dict[str, list[Path]] = {}
    for slug_dir in sorted(p for p in history.iterdir() if p.is_dir()):
        rows = _rows(slug_dir / "versions.tsv")
        out[slug_dir.name] = [slug_dir / f"{row['NN']}_{row['commit'][:8]}" for row in rows]
    return out


def connector_paths(corpus: Path) -> dict[str, str]:
    """slug -> the connector's folder in the public repository."""
    return {row["slug"]: row["connector"] for row in _rows(corpus / "history" / "index.tsv")}


def build_corpus_repo(corpus: Path, dest: Path, slugs: list[str] | None = None) -> dict[str, list[str]]:
    """One commit per corpus version, in date order, at the connector's real path.

    Returns slug -> the new commit ids in version order. Built with one ``git fast-import``.
    """
    paths = connector_paths(corpus)
    versions = corpus_versions(corpus)
    items = []
    for slug, folders in versions.items():
        if slugs and slug not in slugs:
            continue
        rows = _rows(corpus / "history" / slug / "versions.tsv")
        for folder, row in zip(folders, rows):
            items.append((row["date"], slug, row["NN"], folder, row))
    items.sort(key=lambda item: (datetime.fromisoformat(item[0]), item[1], item[2]))
    subprocess.run(["git", "init", "-q", "-b", "master", str(dest)], check=True)
    stream = bytearray()
    for mark, (date, slug, nn, folder, row) in enumerate(items, 1):
        when = datetime.fromisoformat(date)
        offset = when.utcoffset().total_seconds() // 60
        tz = f"{'-' if offset < 0 else '+'}{int(abs(offset)) // 60:02d}{int(abs(offset)) % 60:02d}"
        who = f"Publisher {slug} <{slug}@example.invalid> {int(when.timestamp())} {tz}"
        msg = f"{row['subject']}\n\ncorpus {slug} {nn} upstream {row['commit']}\n".encode()
        stream += f"commit refs/heads/master\nmark :{mark}\nauthor {who}\ncommitter {who}\n".encode()
        stream += b"data %d\n" % len(msg) + msg
        stream += f"D {paths[slug]}\n".encode()
        for file in sorted(folder.iterdir()):
            data = file.read_bytes()
            stream += f"M 100644 inline {paths[slug]}/{file.name}\n".encode() + b"data %d\n" % len(data) + data + b"\n"
        stream += b"\n"
    subprocess.run(["git", "-C", str(dest), "fast-import", "--quiet"], input=bytes(stream), check=True)
    log = subprocess.run(
        ["git", "-C", str(dest), "log", "--reverse", "--format=%H %b", "master"], capture_output=True, text=True, check=True
    ).stdout
    commits: dict[str, list[str]] = {}
    for line in log.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "corpus":
            commits.setdefault(parts[2], []).append(parts[0])
    return commits


def read_folder(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout
