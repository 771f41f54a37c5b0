"""How fast is ``connver audit``, against the floor of just reading the changed definitions?

    python benchmarks/audit.py [--repo DIR] [RANGE] [--scale 1,2,4] [--repeat 5] [--jobs N]

Without ``--repo`` it builds git repositories from ``../shared/corpus`` in a temporary
folder: a ``master`` branch with the old side and a ``dev`` branch with the new side of
every connector pair in the corpus (each ``deployed-vs-dev`` connector, and the first and
last version of each ``history`` connector: 43 connectors), copied 1, 2 and 4 times under
different folder names (each copy's JSON files end in a different number of newlines, so
that every copy is a distinct blob, as real connectors are), to check that the time grows linearly with the number of changed
connectors. With ``--repo`` it times that repository's RANGE (default ``master..dev``) once.

Measured in the same run, best of ``--repeat``:

* **floor**: list the changed paths (one ``git diff-tree``), read every changed definition
  blob (``apiDefinition*.json`` and ``apiProperties.json``, old and new side) through one
  ``git cat-file --batch``, and ``json.loads`` each one;
* **connver**: ``connver.audit.audit()`` over the range plus rendering the text report,
  in this process (what ``connver audit`` does after Python has started);
* **ratio** = connver / floor. The target is at most 5.

The start-up of a fresh ``connver audit`` process is printed separately.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connver.audit import DEFAULT_PATHS, audit, connector_folders  # noqa: E402
from connver.render import AUDIT_RENDERERS, render  # noqa: E402
from connver.git import range as gitrange  # noqa: E402

CORPUS = Path(os.environ.get("CONNVER_CORPUS", ROOT.parent / "shared" / "corpus"))
JSON_FILES = ("apiDefinition.swagger.json", "apiDefinition.json", "apiProperties.json")
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


# --------------------------------------------------------------------------- building a repo

def corpus_pairs(corpus: Path) -> list[tuple[str, Path, Path]]:
    """(connector path in the repository, old folder, new folder) for every corpus pair."""
    pairs = []
    with open(corpus / "deployed-vs-dev" / "index.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            base = corpus / "deployed-vs-dev" / row["slug"]
            pairs.append((row["connector"], base / "deployed", base / "dev"))
    with open(corpus / "history" / "index.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            versions = sorted(p for p in (corpus / "history" / row["slug"]).iterdir() if p.is_dir())
            pairs.append((row["connector"], versions[0], versions[-1]))
    return pairs


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)


def build_repo(repo: Path, pairs: list[tuple[str, Path, Path]], copies: int) -> int:
    """master = every old side, dev = every new side, each pair ``copies`` times."""
    git(repo.parent, "init", "-q", "-b", "master", str(repo))
    for branch, index in (("master", 1), ("dev", 2)):
        if branch == "dev":
            git(repo, "checkout", "-q", "-b", "dev")
        for copy in range(1, copies + 1):
            for path, *sides in pairs:
                target = repo / (path if copy == 1 else f"{path} copy{copy}")
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(sides[index - 1], target, copy_function=shutil.copy)  # new mtimes: git sees changes
                if copy > 1:  # distinct bytes (git stores equal files once), same JSON
                    for file in target.iterdir():
                        if file.suffix == ".json":
                            file.write_bytes(file.read_bytes() + b"\n" * (copy - 1))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", branch)
    return len(pairs) * copies


# --------------------------------------------------------------------------- the two timings

def floor(repo: Path, spec: str) -> tuple[float, int, int]:
    """Seconds to list, read and json.loads every changed definition blob; blobs; bytes."""
    started = time.perf_counter()
    rng = gitrange.resolve_range(repo, spec)
    out = subprocess.run(["git", "-C", str(repo), "diff-tree", "-r", "-z", "--no-renames", rng.old_commit,
                          rng.to_commit], check=True, capture_output=True).stdout
    fields = out.split(b"\0")
    shas = []
    for meta, path in zip(fields[0::2], fields[1::2]):
        name = path.decode("utf-8", "surrogateescape")
        if name.rpartition("/")[2] not in JSON_FILES or not connector_folders([name], DEFAULT_PATHS):
            continue
        _, _, old_sha, new_sha, _ = meta.decode().lstrip(":").split()
        shas.extend(sha for sha in (old_sha, new_sha) if set(sha) != {"0"})
    blobs = gitrange.read_blobs(repo, shas)
    for data in blobs.values():
        try:
            json.loads(data)
        except ValueError:  # the corpus keeps real files that are not valid JSON
            pass
    return time.perf_counter() - started, len(blobs), sum(map(len, blobs.values()))


def connver(repo: Path, spec: str, jobs: int | None, fmt: str) -> tuple[float, int, int]:
    """Seconds for audit() + rendering; connectors audited; worker processes used."""
    started = time.perf_counter()
    result = audit(repo, spec, jobs=jobs, lines=fmt in ("junit", "github"))
    render(result, fmt, AUDIT_RENDERERS)
    return time.perf_counter() - started, len(result.connectors), result.jobs


def cold_start(repo: Path, spec: str) -> float | None:
    exe = Path(sys.executable).with_name("connver")  # the connver of this interpreter's environment
    if not exe.exists():
        return None
    started = time.perf_counter()
    subprocess.run([str(exe), "audit", "--repo", str(repo), spec], capture_output=True, check=False)
    return time.perf_counter() - started


def measure(repo: Path, spec: str, repeat: int, jobs: list[int | None], fmt: str) -> list[dict]:
    """Best of ``repeat`` for the floor and for connver with each ``jobs`` value, interleaved
    so that load from other processes hits them alike."""
    for value in jobs:
        connver(repo, spec, value, fmt)  # warm up: imports, rule table, OS file cache
    floors, runs = [], {value: [] for value in jobs}
    for _ in range(repeat):
        floors.append(floor(repo, spec))
        for value in jobs:
            runs[value].append(connver(repo, spec, value, fmt))
    best_floor = min(floors)
    out = []
    for value in jobs:
        best = min(runs[value])
        median = sorted(r[0] for r in runs[value])[len(runs[value]) // 2]
        out.append({"floor": best_floor[0], "blobs": best_floor[1], "bytes": best_floor[2], "connver": best[0],
                    "median": median, "connectors": best[1], "jobs": best[2]})
    return out


def report(label: str, m: dict) -> None:
    ratio = m["connver"] / m["floor"]
    print(f"{label:>6}  connectors {m['connectors']:4d}  blobs {m['blobs']:4d} ({m['bytes'] / 1e6:5.1f} MB)  "
          f"floor {m['floor'] * 1000:7.1f} ms  connver {m['connver'] * 1000:7.1f} ms (jobs {m['jobs']}, "
          f"median {m['median'] * 1000:.0f})  ratio {ratio:4.2f}  per connector "
          f"{m['connver'] / max(1, m['connectors']) * 1000:5.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("range", nargs="?", default="master..dev")
    parser.add_argument("--repo", type=Path, help="time this repository instead of building one from the corpus")
    parser.add_argument("--scale", default="1,2,4", help="copies of the corpus connectors (default 1,2,4)")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs (default 5)")
    parser.add_argument("--jobs", default="auto",
                        help="processes, or a comma-separated list to compare, e.g. 1,2 (default: connver decides)")
    parser.add_argument("--format", default="text", choices=sorted(AUDIT_RENDERERS))
    args = parser.parse_args(argv)

    jobs = [None if j == "auto" else int(j) for j in args.jobs.split(",")]
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores{load}, format {args.format}, best of {args.repeat}")
    if args.repo:
        for m in measure(args.repo, args.range, args.repeat, jobs, args.format):
            report("repo", m)
        start = cold_start(args.repo, args.range)
        if start is not None:
            print(f"a fresh `connver audit` process, start to exit: {start * 1000:.0f} ms")
        return 0

    if not (CORPUS / "history").is_dir():
        print(f"no corpus at {CORPUS}; pass --repo DIR", file=sys.stderr)
        return 2
    pairs = corpus_pairs(CORPUS)
    results = []
    with tempfile.TemporaryDirectory(prefix="connver-bench-") as tmp:
        for copies in (int(s) for s in args.scale.split(",")):
            repo = Path(tmp) / f"x{copies}"
            build_repo(repo, pairs, copies)
            for m in measure(repo, args.range, args.repeat, jobs, args.format):
                report(f"{copies}x", m)
                results.append((copies, m))
        start = cold_start(Path(tmp) / f"x{results[0][0]}", args.range)
    if start is not None:
        print(f"a fresh `connver audit` process ({results[0][0]}x), start to exit: {start * 1000:.0f} ms")
    for index in range(len(jobs)):
        mine = results[index::len(jobs)]
        if len(mine) > 1:
            (c0, m0), (c1, m1) = mine[0], mine[-1]
            growth = m1["connver"] / m0["connver"]
            print(f"linearity (jobs {m0['jobs']}): {c1 // c0}x the connectors took {growth:.2f}x the time "
                  f"(per connector {m0['connver'] / m0['connectors'] * 1000:.2f} -> "
                  f"{m1['connver'] / m1['connectors'] * 1000:.2f} ms)")
    worst = max(m["connver"] / m["floor"] for _, m in results)
    print(f"worst ratio {worst:.2f} (target <= 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
