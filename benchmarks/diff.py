"""Benchmark: `connver diff` on the largest real definition, against baselines measured in
the same run (the machine is shared and noisy: read the ratios, not the absolute times).

    python benchmarks/diff.py                      # encodian's last two versions from ../shared/corpus
    python benchmarks/diff.py OLD NEW --deepdiff   # any two sources; also time a whole-document DeepDiff

Prints, as medians of repeated runs:
  * baseline: json.loads of both swagger files (bytes already in memory);
  * connver load: reading both connectors into the typed model (includes the JSON parse);
  * connver diff: the semantic diff after loading (target: at most 10x the baseline);
  * process: `connver diff OLD NEW --format json` as a whole process, startup included
    (target: under 0.3 s), next to a bare `python -c "import json"` process;
  * optionally, DeepDiff of the two whole documents (what a generic diff costs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared" / "corpus" / "history" / "encodian"


def median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", nargs="?")
    parser.add_argument("new", nargs="?")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--deepdiff", action="store_true", help="also time DeepDiff of the whole documents")
    args = parser.parse_args()
    if args.old is None:
        versions = sorted(p for p in DEFAULT.iterdir() if p.is_dir()) if DEFAULT.is_dir() else []
        if len(versions) < 2:
            print("no corpus at ../shared/corpus: pass OLD and NEW", file=sys.stderr)
            return 2
        args.old, args.new = str(versions[-2]), str(versions[-1])

    from connver import diff, load_connector
    from connver.sources import read_source

    sources = [read_source(args.old), read_source(args.new)]
    blobs = [s.files[s.swagger_name] for s in sources]
    size = sum(len(b) for b in blobs)

    baseline = median_time(lambda: [json.loads(b) for b in blobs], args.repeat)
    load = median_time(lambda: [load_connector(args.old), load_connector(args.new)], args.repeat)
    old, new = load_connector(args.old), load_connector(args.new)

    def diff_fresh():  # fresh model objects each time: nothing cached between runs
        a, b = type(old).from_files(sources[0]), type(new).from_files(sources[1])
        start = time.perf_counter()
        diff(a, b)
        return time.perf_counter() - start

    diff_time = statistics.median(diff_fresh() for _ in range(args.repeat))
    result = diff(old, new)

    exe = Path(sys.executable).with_name("connver")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "connver"]
    process = median_time(lambda: subprocess.run(command + ["diff", args.old, args.new, "--format", "json"],
                                                 capture_output=True, cwd=ROOT), max(5, args.repeat // 3))
    bare = median_time(lambda: subprocess.run([sys.executable, "-c", "import json"], capture_output=True),
                       max(5, args.repeat // 3))

    print(f"inputs: {args.old} -> {args.new} ({size / 1e6:.2f} MB of swagger, "
          f"{len(new.operations)} operations, {len(result.changes)} changes)")
    print(f"baseline  json.loads of both files      {baseline * 1000:8.1f} ms   1.0x")
    print(f"connver   load both (parse + model)     {load * 1000:8.1f} ms   {load / baseline:5.1f}x")
    print(f"connver   diff after loading            {diff_time * 1000:8.1f} ms   {diff_time / baseline:5.1f}x   (target <= 10x)")
    print(f"process   python -c 'import json'       {bare * 1000:8.1f} ms")
    print(f"process   connver diff --format json    {process * 1000:8.1f} ms   {process / bare:5.1f}x bare python   (target < 300 ms)")
    if args.deepdiff:
        from deepdiff import DeepDiff

        docs = [json.loads(b) for b in blobs]
        start = time.perf_counter()
        DeepDiff(docs[0], docs[1])
        deep = time.perf_counter() - start
        print(f"generic   DeepDiff of whole documents   {deep * 1000:8.1f} ms   {deep / baseline:5.1f}x   "
              f"(connver diff is {deep / diff_time:.0f}x faster)")
    ok = diff_time <= 10 * baseline
    print("verdict: " + ("within target" if ok else "OVER TARGET") + " for diff/json.loads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
