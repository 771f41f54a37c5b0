"""Real pull requests: every first-parent commit of a branch audited as the change it brought.

    python benchmarks/prs.py REPO BRANCH [--limit N]
    python benchmarks/prs.py                  # clones ../shared/corpus's bundle, branch dev

Each commit C of the branch's first-parent line is audited as ``connver audit C^1..C`` would
audit it (through :func:`connver.audit.audit`, in this process): on the public repository a
first-parent commit of ``dev`` is one merged pull request. Prints the commits audited, the
connectors by status, those whose new files cannot be read (``error``: the gate fails them)
and those whose old files cannot be read while the new ones can (the pull request that mends
a definition: the gate must pass it), crashes (an exception that is not one of connver's
errors, with its commit), how many pull requests ``--fail-on breaking`` would fail, the
breaking findings by rule, and the time per commit.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundle import repository  # noqa: E402  (benchmarks/bundle.py)

MENDED = "the previous version could not be read"


def commits(repo: str, branch: str, limit: int | None) -> list[str]:
    """The branch's first-parent commits that have a parent, newest first."""
    from connver.git import output

    listed = output(["rev-list", "--first-parent", branch], repo=repo, what="git rev-list").decode().split()
    return listed[:-1][:limit] if limit else listed[:-1]


def audit_prs(repo: str, branch: str, limit: int | None = None) -> dict:
    """The counts described in the module docstring."""
    from connver.audit import audit
    from connver.changes import Level
    from connver.errors import VersioningError

    out: dict = {"commits": 0, "status": collections.Counter(), "unreadable": [], "mended": [], "crashes": [],
                 "failing": 0, "breaking": collections.Counter(), "refused": collections.Counter(), "seconds": []}
    for commit in commits(repo, branch, limit):
        started = time.perf_counter()
        try:
            result = audit(repo, f"{commit}^1..{commit}", jobs=1)
        except VersioningError as exc:  # a range the audit refuses (nothing to read, a bad object)
            out["refused"][type(exc).__name__] += 1
            continue
        except Exception:  # noqa: BLE001  (what the sweep is for)
            out["crashes"].append((commit, traceback.format_exc(limit=-3)))
            continue
        finally:
            out["seconds"].append(time.perf_counter() - started)
        out["commits"] += 1
        out["failing"] += result.fails(Level.BREAKING)
        for entry in result.connectors:
            out["status"][entry.status.value] += 1
            if entry.status.value == "error":
                out["unreadable"].append((commit, entry.path))
            elif any(MENDED in w.message for w in entry.warnings):
                out["mended"].append((commit, entry.path))
            out["breaking"].update(c.rule for c in entry.changes if c.level is Level.BREAKING)
    return out


def print_summary(s: dict) -> None:
    status = ", ".join(f"{k} {v}" for k, v in sorted(s["status"].items()))
    print(f"commits audited: {s['commits']}; connectors: {sum(s['status'].values())} ({status})")
    if s["refused"]:
        print("refused: " + ", ".join(f"{k} {v}" for k, v in sorted(s["refused"].items())))
    print(f"new files unreadable (error, fails the gate): {len(s['unreadable'])}")
    print(f"old files unreadable, new ones read (mended, passes): {len(s['mended'])}"
          + "".join(f"\n  {c[:10]} {p}" for c, p in s["mended"]))
    print(f"crashes: {len(s['crashes'])}" + "".join(f"\n  {c[:10]}\n{t}" for c, t in s["crashes"]))
    print(f"pull requests --fail-on breaking fails: {s['failing']} of {s['commits']}")
    print("breaking findings by rule: " + ", ".join(f"{r} {n}" for r, n in s["breaking"].most_common(12)))
    times = s["seconds"] or [0.0]
    print(f"seconds per commit: p50 {statistics.median(times):.3f}, max {max(times):.3f}; total {sum(times):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", nargs="?")
    parser.add_argument("branch", nargs="?", default="dev")
    parser.add_argument("--limit", type=int, default=None, help="at most N commits, newest first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="connver-prs-") as tmp:
        repo = repository(args.repo, tmp)
        if repo is None:
            return 2
        print_summary(audit_prs(repo, args.branch, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
