"""Benchmark: a diff read from git objects (REV:PATH) against the same diff on folders.

    python benchmarks/revpath.py REPO OLD_REV NEW_REV PATH   # e.g. a clone, master dev certified-connectors/Encodian
    python benchmarks/revpath.py                             # clones ../shared/corpus's bundle into a temporary folder

Prints the medians of both (each run loads and diffs both sides from scratch) and their
ratio; the target is at most 1.15.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundle import repository  # noqa: E402  (benchmarks/bundle.py)



def median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", nargs="?")
    parser.add_argument("old_rev", nargs="?", default="master")
    parser.add_argument("new_rev", nargs="?", default="dev")
    parser.add_argument("path", nargs="?", default="certified-connectors/Encodian")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()

    from connver import diff, load_connector
    from connver.git.repo import read_folder

    with tempfile.TemporaryDirectory(prefix="connver-bench-") as tmp:
        repo = repository(args.repo, tmp)
        if repo is None:
            return 2
        folders = []
        for rev in (args.old_rev, args.new_rev):
            folder = Path(tmp) / rev.replace("/", "_")
            folder.mkdir()
            for name, data in read_folder(repo, rev, args.path).items():
                (folder / name).write_bytes(data)
            folders.append(str(folder))

        def on_folders():
            diff(load_connector(folders[0]), load_connector(folders[1]))

        def on_git():
            diff(load_connector(f"{args.old_rev}:{args.path}", repo=repo),
                 load_connector(f"{args.new_rev}:{args.path}", repo=repo))

        on_folders(), on_git()  # warm the file cache and the imports
        folder_time = median_time(on_folders, args.repeat)
        git_time = median_time(on_git, args.repeat)
    print(f"folders:  {folder_time:.3f} s  ({args.path} {args.old_rev} -> {args.new_rev})")
    print(f"REV:PATH: {git_time:.3f} s")
    print(f"ratio:    {git_time / folder_time:.2f}  (target: at most 1.15)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
