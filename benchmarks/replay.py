"""Replay fork upgrades on the public repository: for every connector whose dev differs
from master, a fork of master with the edits makers typically make is upgraded to dev, and
the result is checked to keep every fork edit and every upstream change.

    python benchmarks/replay.py [REPO] [--limit N] [--connectors GLOB]
    python benchmarks/replay.py                  # clones ../shared/corpus's bundle

The fork edits (each applied where the connector allows it): a host of the fork's own, one
extra header policy, one added operation, one line at the top of script.csx, and the summary
of an operation upstream leaves as it was. BASE is master, UPSTREAM is dev.

A connector *holds* when, after ``check_upgrade`` (the merge ``connver upgrade`` writes):

* every fork edit is in the merged files;
* nothing upstream brought is left to apply: a second upgrade check with the merged result as
  the fork finds no incoming change (upstream's changes are all there);
* the merge leaves no reference dangling that the fork's do not (``UpgradeReport.blocking``).

Prints how many connectors were tried, how many held, and each one that did not, with why.
Exit status 1 when one did not hold.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundle import ROOTS, repository  # noqa: E402  (benchmarks/bundle.py)

DEFINITIONS = ("apiDefinition.swagger.json", "apiDefinition.json")
FORK_HOST = "connver-replay.contoso.example"
POLICY = {"templateId": "setheader", "title": "connver replay header",
          "parameters": {"x-ms-apimTemplateParameter.name": "X-Connver-Replay",
                         "x-ms-apimTemplateParameter.value": "fork",
                         "x-ms-apimTemplateParameter.existsAction": "override",
                         "x-ms-apimTemplate-policySection": "Request"}}
OPERATION_PATH = "/connver-replay/ping"
OPERATION = {"get": {"operationId": "ConnverReplayPing", "summary": "Ping (fork)",
                     "description": "Added by the fork.", "responses": {"200": {"description": "OK"}}}}
SCRIPT_LINE = "// fork: replayed by connver\n"
SUMMARY_PREFIX = "Fork: "
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def changed_folders(repo: Path, old: str, new: str) -> list[str]:
    """Connector folders with a file that differs between the two revisions."""
    from connver.git.range import changed_paths, resolve_commit

    folders = set()
    for path in changed_paths(repo, resolve_commit(repo, old), resolve_commit(repo, new)):
        parts = path.split("/")
        if len(parts) == 3 and parts[0] in ROOTS:
            folders.add("/".join(parts[:2]))
    return sorted(folders)


def read(repo: Path, rev: str, folder: str):
    from connver.sources import read_source

    return read_source(f"{rev}:{folder}", repo=repo)


def fork_of(base, upstream):
    """(fork files, the edits made): ``base`` with a maker's typical edits."""
    from connver.sourcefiles import PROPERTIES_NAME, SCRIPT_NAME, SourceFiles

    from connver.jsontext import load_json

    files = dict(base.files)
    name = next(n for n in DEFINITIONS if n in files)
    up_name = next(n for n in DEFINITIONS if n in upstream.files)
    swagger = load_json(files[name], name)[0]
    up = load_json(upstream.files[up_name], up_name)[0]
    edits: dict[str, object] = {}
    swagger["host"] = FORK_HOST
    edits["host"] = FORK_HOST
    if OPERATION_PATH not in (swagger.get("paths") or {}):
        swagger.setdefault("paths", {})[OPERATION_PATH] = copy.deepcopy(OPERATION)
        edits["operation"] = OPERATION_PATH
    for path, item in sorted((swagger.get("paths") or {}).items()):
        if path == OPERATION_PATH or not isinstance(item, dict):
            continue
        for method in METHODS:
            op, up_op = item.get(method), ((up.get("paths") or {}).get(path) or {}).get(method)
            if isinstance(op, dict) and isinstance(up_op, dict) and isinstance(op.get("summary"), str) \
                    and op.get("summary") == up_op.get("summary") and op.get("operationId") == up_op.get("operationId"):
                op["summary"] = SUMMARY_PREFIX + op["summary"]
                edits["summary"] = (path, method, op["summary"])
                break
        if "summary" in edits:
            break
    files[name] = json.dumps(swagger, indent=2).encode()
    if PROPERTIES_NAME in files:
        props = load_json(files[PROPERTIES_NAME], PROPERTIES_NAME)[0]
        if isinstance(props, dict) and isinstance(props.get("properties"), dict):
            props["properties"].setdefault("policyTemplateInstances", []).append(copy.deepcopy(POLICY))
            edits["policy"] = POLICY["title"]
            files[PROPERTIES_NAME] = json.dumps(props, indent=2).encode()
    if SCRIPT_NAME in files:
        files[SCRIPT_NAME] = SCRIPT_LINE.encode() + files[SCRIPT_NAME]
        edits["script"] = SCRIPT_LINE
    return SourceFiles(f"fork of {base.label}", files, "folder", {}), edits


def missing_edits(files: dict[str, bytes], edits: dict) -> list[str]:
    """The fork edits the merged files lack."""
    from connver.jsontext import load_json
    from connver.sourcefiles import PROPERTIES_NAME, SCRIPT_NAME

    name = next(n for n in DEFINITIONS if n in files)
    swagger = load_json(files[name], name)[0]
    lost = []
    if "host" in edits and swagger.get("host") != edits["host"]:
        lost.append(f"host is {swagger.get('host')!r}")
    if "operation" in edits and OPERATION_PATH not in (swagger.get("paths") or {}):
        lost.append("the added operation is gone")
    if "summary" in edits:
        path, method, summary = edits["summary"]
        got = (((swagger.get("paths") or {}).get(path) or {}).get(method) or {}).get("summary")
        if got != summary:
            lost.append(f"summary of {method} {path} is {got!r}")
    if "policy" in edits:
        props = load_json(files[PROPERTIES_NAME], PROPERTIES_NAME)[0] if PROPERTIES_NAME in files else {}
        titles = [p.get("title") for p in (props.get("properties") or {}).get("policyTemplateInstances") or []
                  if isinstance(p, dict)]
        if edits["policy"] not in titles:
            lost.append("the fork's policy is gone")
    if "script" in edits and not files.get(SCRIPT_NAME, b"").decode("utf-8", "replace").startswith(edits["script"]):
        lost.append("the fork's script line is gone")
    return lost


def replay(repo: Path, folder: str) -> tuple[str, list[str], dict]:
    """("held" | "failed" | "skipped", reasons, edits) for one connector."""
    from connver.errors import VersioningError
    from connver.sourcefiles import SourceFiles
    from connver.upgrade import check_upgrade

    try:
        base, upstream = read(repo, "master", folder), read(repo, "dev", folder)
    except VersioningError as exc:
        return "skipped", [f"not readable on both branches: {exc}"], {}
    if not any(n in base.files for n in DEFINITIONS) or not any(n in upstream.files for n in DEFINITIONS):
        return "skipped", ["no definition on both branches"], {}
    try:
        fork, edits = fork_of(base, upstream)
    except VersioningError as exc:
        return "skipped", [f"unreadable: {exc}"], {}
    try:
        report = check_upgrade(fork, upstream, base)
    except VersioningError as exc:
        return "failed", [f"upgrade-check refused it: {exc}"], edits
    merged = report.outcome.files
    reasons = missing_edits(merged, edits)
    if report.blocking:
        reasons.append("dangling: " + "; ".join(str(d) for d in report.blocking)[:300])
    again = check_upgrade(SourceFiles("merged", merged, "merge", {}), upstream, base)
    left = [c for c in again.incoming]
    if left:
        reasons.append(f"{len(left)} upstream change(s) left to apply, e.g. {left[0].rule} at {left[0].location}")
    return ("failed" if reasons else "held"), reasons, edits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", help="a clone of the public repository (default: clone ../shared's bundle)")
    parser.add_argument("--limit", type=int, default=0, help="at most N connectors (0: all)")
    parser.add_argument("--connectors", metavar="GLOB", help="only folders matching GLOB")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="connver-replay-") as tmp:
        repo = repository(args.repo, tmp)
        if repo is None:
            return 2
        folders = changed_folders(Path(repo), "master", "dev")
        if args.connectors:
            folders = [f for f in folders if fnmatch.fnmatch(f, args.connectors)]
        if args.limit:
            folders = folders[:args.limit]
        start = time.perf_counter()
        counts = {"held": 0, "failed": 0, "skipped": 0}
        kinds: dict[str, int] = {}
        skipped: dict[str, int] = {}
        for folder in folders:
            outcome, reasons, edits = replay(Path(repo), folder)
            counts[outcome] += 1
            if outcome == "skipped":
                why = reasons[0].split(":")[0]
                skipped[why] = skipped.get(why, 0) + 1
            for kind in edits:
                kinds[kind] = kinds.get(kind, 0) + 1
            if outcome == "failed":
                print(f"FAILED {folder}: " + "; ".join(reasons))
        tried = counts["held"] + counts["failed"]
        print(f"connectors whose dev differs from master: {len(folders)}; tried {tried}, held {counts['held']}, "
              f"failed {counts['failed']}, skipped {counts['skipped']}"
              + (" (" + ", ".join(f"{k}: {v}" for k, v in sorted(skipped.items())) + ")" if skipped else ""))
        print("fork edits made: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        print(f"wall {time.perf_counter() - start:.1f} s")
        return 1 if counts["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
