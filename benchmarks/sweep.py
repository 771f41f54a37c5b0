"""A real-world sweep: every consecutive version pair of every connector folder in a
repository's history, through the library, in one process.

    python benchmarks/sweep.py REPO BRANCH [--limit N] [--connectors GLOB] [--jobs 2]
    python benchmarks/sweep.py REPO dev --baseline 9162c22   # also: levels moved since that revision
    python benchmarks/sweep.py                               # clones ../shared/corpus's bundle, branch dev

A version of a folder is a commit on the branch's first-parent line that changed one of
its connector files; the pairs are consecutive versions where both hold a definition.
Blobs are read through connver's git layer (one ``ls-tree`` per commit, one
``cat-file --batch`` per chunk). Prints pairs, exit classes (0 no breaking change, 1
breaking, 2 bad input), errors by kind, crashes, findings per level and per rule, the
share of differing JSON leaves covered by a typed finding (the residual pass reports the
rest as ``unclassified-change``), findings without a file or pointer, and time
percentiles (load + diff, per pair).

``--baseline REV`` installs that revision of connver (``git archive`` of this repository,
``pip install --no-deps --target``) into a temporary folder, runs the same pairs through it
in a subprocess, and prints how many findings (by rule id and location) moved level.
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import os
import subprocess
import sys
import tarfile
import io
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundle import ROOTS, repository  # noqa: E402  (benchmarks/bundle.py)

FILES = {"apiDefinition.swagger.json", "apiDefinition.json", "apiProperties.json", "script.csx", "icon.png",
         "settings.json"}
DEFINITIONS = {"apiDefinition.swagger.json", "apiDefinition.json"}
CHUNK = 100  # pairs whose blobs are read at once
DEFAULT_BASELINE = "9162c22"


def folder_versions(repo: str, branch: str, pattern: str | None) -> dict[str, list[str]]:
    """``{folder: [commit, ...]}``, oldest first: the first-parent commits that changed a
    connector file of the folder."""
    from connver.git import output

    log = output(["log", "--reverse", "--first-parent", "--diff-merges=first-parent", "--format=%x00%H",
                  "--name-only", branch, "--", *ROOTS], repo=repo, what="git log")
    versions: dict[str, list[str]] = collections.defaultdict(list)
    for record in log.decode("utf-8", "surrogateescape").split("\0"):
        lines = [line for line in record.splitlines() if line.strip()]
        if not lines:
            continue
        commit, paths = lines[0], lines[1:]
        folders = {p.rpartition("/")[0] for p in paths if p.rpartition("/")[2] in FILES}
        for folder in sorted(folders):
            if pattern is None or fnmatch.fnmatch(folder, pattern):
                versions[folder].append(commit)
    return versions


def candidate_pairs(versions: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    return [(folder, a, b) for folder, commits in sorted(versions.items()) for a, b in zip(commits, commits[1:])]


def read_pairs(repo: str, pairs: list[tuple[str, str, str]]):
    """Yield ``(folder, old commit, new commit, old files, new files)`` for the pairs whose
    two sides hold a definition, reading blobs chunk by chunk."""
    from connver.git.range import folder_blobs, read_blobs

    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        wanted: dict[str, set[str]] = collections.defaultdict(set)
        for folder, a, b in chunk:
            wanted[a].add(folder)
            wanted[b].add(folder)
        trees = {commit: folder_blobs(Path(repo), commit, sorted(folders)) for commit, folders in wanted.items()}
        shas = {sha for tree in trees.values() for files in tree.values()
                for name, sha in files.items() if name in FILES}
        blobs = read_blobs(Path(repo), shas)
        for folder, a, b in chunk:
            old, new = trees[a].get(folder, {}), trees[b].get(folder, {})
            if not (DEFINITIONS & set(old)) or not (DEFINITIONS & set(new)):
                continue
            yield (folder, a, b, {n: blobs[s] for n, s in old.items() if n in FILES},
                   {n: blobs[s] for n, s in new.items() if n in FILES})


def run_pair(item) -> dict:
    """One pair through the library: exit class, findings, coverage, time."""
    from connver import Level, diff
    from connver.errors import VersioningError
    from connver.model import Connector
    from connver.residual import coverage
    from connver.rules.residual import UNCLASSIFIED
    from connver.sourcefiles import SourceFiles

    folder, a, b, old_files, new_files = item
    out: dict = {"key": f"{folder}@{a[:10]}..{b[:10]}"}
    start = time.perf_counter()
    try:
        old = Connector.from_files(SourceFiles(f"{a[:10]}:{folder}", old_files, "git", {}))
        new = Connector.from_files(SourceFiles(f"{b[:10]}:{folder}", new_files, "git", {}))
        result = diff(old, new)
        out["seconds"] = time.perf_counter() - start
        out["exit"] = 1 if result.fails(Level.BREAKING) else 0
        out["findings"] = [(c.rule, c.level.value, c.location) for c in result.changes]
        out["unlocated"] = [c.rule for c in result.changes if not located(c, result.old, result.new)]
        out["unclassified"] = sum(1 for c in result.changes if c.rule == UNCLASSIFIED)
        out["differing"], out["covered"] = coverage(result.old, result.new, result.changes, skip=UNCLASSIFIED)
        out["silent"] = silent(result)
    except VersioningError as exc:
        out["seconds"] = time.perf_counter() - start
        out["exit"] = 2
        out["error"] = type(exc).__name__
    except Exception as exc:  # a crash: what the sweep is for
        out["seconds"] = time.perf_counter() - start
        out["exit"] = "crash"
        out["error"] = f"{type(exc).__name__}: {exc}"[:200]
    return out


def silent(result) -> list[str]:
    """The differing leaves no finding at all covers (``file#pointer``): none, when nothing is silent."""
    from connver.changes import pointer_text
    from connver.residual import documents, pointers_by_file, residue

    pointers = pointers_by_file(result.changes)
    return [f"{file}#{pointer_text(leaf.pointer)}"
            for file, a, b, always in documents(result.old, result.new)
            for leaf in residue(a, b, pointers.get(file, ()), always=always).uncovered]


def located(change, old, new) -> bool:
    """The finding names its file and, in a JSON document, a pointer that exists on its side."""
    from connver.pointers import value_at
    from connver.sourcefiles import PROPERTIES_NAME

    if not change.file:
        return False
    side = new if change.side == "new" else old
    if change.file == PROPERTIES_NAME:
        node = {"properties": side.properties}
    elif change.file == new.swagger_name:
        node = side.swagger
    else:
        return True  # script.csx, icon.png, settings.json: the whole file
    missing = object()
    return bool(change.pointer) and value_at(node, change.pointer, missing) is not missing


def sweep(repo: str, branch: str, *, limit: int | None, pattern: str | None, jobs: int):
    pairs = candidate_pairs(folder_versions(repo, branch, pattern))
    if limit is not None:
        pairs = pairs[:limit]
    items = read_pairs(repo, pairs)
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            yield from pool.map(run_pair, items, chunksize=8)
    else:
        yield from map(run_pair, items)


def summarise(results: list[dict]) -> dict:
    exits = collections.Counter(str(r["exit"]) for r in results)
    errors = collections.Counter(r["error"] for r in results if r.get("error") and r["exit"] == 2)
    crashes = [(r["key"], r["error"]) for r in results if r["exit"] == "crash"]
    levels = collections.Counter(f[1] for r in results for f in r.get("findings", ()))
    rules = collections.Counter(f[0] for r in results for f in r.get("findings", ()))
    differing = sum(r.get("differing", 0) for r in results)
    covered = sum(r.get("covered", 0) for r in results)
    unclassified = sum(r.get("unclassified", 0) for r in results)
    silent = [(r["key"], leaf) for r in results for leaf in r.get("silent", ())]
    unlocated = collections.Counter(rule for r in results for rule in r.get("unlocated", ()))
    times = sorted(r["seconds"] for r in results)
    pct = {p: times[min(len(times) - 1, int(len(times) * p / 100))] for p in (50, 90, 99, 100)} if times else {}
    return {"pairs": len(results), "exits": dict(exits), "errors": dict(errors), "crashes": crashes,
            "levels": dict(levels), "rules": dict(rules.most_common()), "differing": differing, "covered": covered,
            "unclassified": unclassified, "silent": silent,
            "unlocated": dict(unlocated), "seconds": pct, "total_seconds": sum(times)}


def print_summary(s: dict) -> None:
    print(f"pairs: {s['pairs']}")
    print("exit classes: " + ", ".join(f"{k}: {v}" for k, v in sorted(s["exits"].items())))
    print("errors by kind: " + (", ".join(f"{k}: {v}" for k, v in sorted(s["errors"].items())) or "none"))
    print(f"crashes: {len(s['crashes'])}")
    for key, error in s["crashes"][:20]:
        print(f"  {key}: {error}")
    print("findings per level: " + ", ".join(f"{k}: {v}" for k, v in s["levels"].items()))
    print("findings per rule:")
    for rule, n in s["rules"].items():
        print(f"  {n:7d}  {rule}")
    share = 100.0 * s["covered"] / s["differing"] if s["differing"] else 100.0
    print(f"differing JSON leaves: {s['differing']}, covered by a typed finding: {s['covered']} ({share:.2f}%); "
          f"the rest: {s['differing'] - s['covered']}, reported as {s['unclassified']} unclassified-change findings")
    reported = s["differing"] - len(s["silent"])
    share = 100.0 * reported / s["differing"] if s["differing"] else 100.0
    print(f"covered by some finding (typed or unclassified-change): {reported} of {s['differing']} ({share:.2f}%)")
    for key, leaf in s["silent"][:20]:
        print(f"  not reported: {key} {leaf}")
    print("findings without a file or a pointer that exists on their side: " + (", ".join(f"{k}: {v}" for k, v in s["unlocated"].items())
                                                     or "none"))
    if s["seconds"]:
        print("seconds per pair: " + ", ".join(f"p{p} {v:.3f}" for p, v in s["seconds"].items())
              + f"; total {s['total_seconds']:.1f}")


# --- the baseline ---------------------------------------------------------------------------

BASELINE_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from connver import diff, load_connector
for line in sys.stdin:
    key, old, new = json.loads(line)
    try:
        result = diff(load_connector(old), load_connector(new))
        found = [(c.rule, c.level.value, c.location) for c in result.changes]
    except Exception as exc:
        found = None
    print(json.dumps([key, found]), flush=True)
"""


def install_baseline(rev: str, target: Path) -> Path:
    """Install connver at ``rev`` (this repository's commit) into ``target``/site."""
    from connver.git import output

    source = target / "src"
    source.mkdir(parents=True)
    archive = output(["archive", "--format=tar", rev], repo=ROOT, what="git archive")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    site = target / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True)
    return site


def baseline_findings(site: Path, items: list, work: Path) -> dict[str, list | None]:
    """The baseline's findings for each pair (written to folders, read by its public API)."""
    lines = []
    for index, (folder, a, b, old_files, new_files) in enumerate(items):
        paths = []
        for side, files in (("old", old_files), ("new", new_files)):
            place = work / str(index) / side
            place.mkdir(parents=True)
            for name, data in files.items():
                (place / name).write_bytes(data)
            paths.append(str(place))
        lines.append(json.dumps([f"{folder}@{a[:10]}..{b[:10]}", *paths]))
    env = dict(os.environ, PYTHONPATH=str(site))
    done = subprocess.run([sys.executable, "-c", BASELINE_SCRIPT, str(site)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, env=env, check=True)
    return {key: found for key, found in map(json.loads, done.stdout.splitlines())}


def level_moves(results: list[dict], baseline: dict[str, list | None]) -> dict:
    """Findings (rule id + location) present on both sides whose level differs."""
    moved = collections.Counter()
    appeared = collections.Counter()
    vanished = collections.Counter()
    by_location = collections.Counter()
    compared = 0
    for r in results:
        before = baseline.get(r["key"])
        if before is None or "findings" not in r:
            continue
        compared += 1
        old = {(rule, loc): level for rule, level, loc in before}
        new = {(rule, loc): level for rule, level, loc in r["findings"]}
        for key in old.keys() & new.keys():
            if old[key] != new[key]:
                moved[(key[0], old[key], new[key])] += 1
        worst_old, worst_new = _worst(before), _worst(r["findings"])
        for loc in worst_old.keys() & worst_new.keys():
            if worst_old[loc][0] != worst_new[loc][0]:
                by_location[(worst_old[loc][0], worst_new[loc][0], worst_old[loc][1], worst_new[loc][1])] += 1
        for key in new.keys() - old.keys():
            appeared[key[0]] += 1
        for key in old.keys() - new.keys():
            vanished[key[0]] += 1
    return {"compared": compared, "moved": moved, "appeared": appeared, "vanished": vanished,
            "by_location": by_location}


SEVERITY = {"breaking": 5, "risky": 4, "deprecation": 3, "additive": 2, "cosmetic": 1}


def _worst(findings) -> dict[str, tuple[str, str]]:
    """The most severe (level, rule) at each location (a rule renamed or split still compares)."""
    out: dict[str, tuple[str, str]] = {}
    for rule, level, loc in findings:
        if loc not in out or SEVERITY[level] > SEVERITY[out[loc][0]]:
            out[loc] = (level, rule)
    return out


def print_moves(m: dict, rev: str) -> None:
    print(f"against connver {rev} ({m['compared']} pairs): {sum(m['moved'].values())} findings moved level")
    for (rule, before, after), n in m["moved"].most_common():
        print(f"  {n:6d}  {rule}: {before} -> {after}")
    print(f"  locations whose most severe level moved: {sum(m['by_location'].values())}")
    for (before, after, old_rule, new_rule), n in m["by_location"].most_common():
        print(f"  {n:6d}  {before} -> {after}: {old_rule} -> {new_rule}")
    print(f"  findings only now: {sum(m['appeared'].values())} "
          + ", ".join(f"{k} {v}" for k, v in m["appeared"].most_common(12)))
    print(f"  findings only then: {sum(m['vanished'].values())} "
          + ", ".join(f"{k} {v}" for k, v in m["vanished"].most_common(12)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", nargs="?")
    parser.add_argument("branch", nargs="?", default="dev")
    parser.add_argument("--limit", type=int, help="at most this many pairs (the first ones in folder order)")
    parser.add_argument("--connectors", metavar="GLOB", help="folders matching this pattern only, "
                        "e.g. 'certified-connectors/A*'")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--baseline", nargs="?", const=DEFAULT_BASELINE, metavar="REV",
                        help=f"also compare levels with this revision of connver (default {DEFAULT_BASELINE})")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="connver-sweep-") as tmp:
        repo = repository(args.repo, tmp)
        if repo is None:
            return 2
        started = time.perf_counter()
        results = list(sweep(repo, args.branch, limit=args.limit, pattern=args.connectors, jobs=args.jobs))
        summary = summarise(results)
        summary["wall_seconds"] = time.perf_counter() - started
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print_summary(summary)
            print(f"wall time: {summary['wall_seconds']:.1f} s")
        if args.baseline:
            site = install_baseline(args.baseline, Path(tmp) / "baseline")
            pairs = candidate_pairs(folder_versions(repo, args.branch, args.connectors))[:args.limit]
            items = list(read_pairs(repo, pairs))
            print_moves(level_moves(results, baseline_findings(site, items, Path(tmp) / "pairs")), args.baseline)
    return 1 if summary["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
