"""Runner throughput: ``python -m lpsp_conformance.bench --impl c`` (make bench-conformance).

Two measurements in one process, against one adapter:

* baseline: every vector sent straight through the testee client and judged
  (no pytest), i.e. what the adapter and the verdict rules cost;
* runner: the full ``lpsp-conformance run`` (pytest collection, the driver
  process, reports, results JSON) over the same vectors.

Prints vectors per second of each and their ratio; writes the figures as
JSON (--json). Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional


def baseline(argv: List[str], vectors) -> float:
    from .testee import AdapterFault, Testee
    from .verdict import judge
    t = Testee(argv)
    t.start()
    try:
        t0 = time.perf_counter()
        for v in vectors:
            try:
                judge(v, t.request(v["op"], v["input"], v["id"]))
            except AdapterFault:
                t.restart()
        return time.perf_counter() - t0
    finally:
        t.stop()


def runner(impl: str, results: Path) -> float:
    from .cli import main
    t0 = time.perf_counter()
    rc = main(["run", "--impl", impl, "--results", str(results), "--expected-failures", "none", "-q"])
    elapsed = time.perf_counter() - t0
    if rc != 0:
        raise SystemExit(f"bench: the run failed (exit status {rc})")
    return elapsed


def main(argv: Optional[List[str]] = None) -> int:
    from .plugin import BUILTIN_IMPLS, builtin_command
    from .vectors import default_vectors_dir, load_all
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.bench")
    ap.add_argument("--impl", default="c")
    ap.add_argument("--json", default="build/bench-conformance.json")
    a = ap.parse_args(argv)
    argv_impl = builtin_command(a.impl) if a.impl in BUILTIN_IMPLS else shlex.split(a.impl)
    vectors = [v for v in load_all(default_vectors_dir()) if not v.get("deprecated")]
    n = len(vectors)
    base = baseline(argv_impl, vectors)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        full = runner(a.impl, results)
        suite_s = json.loads(results.read_text())["duration_s"]
    doc = {
        "vectors": n,
        "baseline_s": round(base, 3), "baseline_vectors_per_s": round(n / base),
        "runner_s": round(full, 3), "runner_vectors_per_s": round(n / full),
        "suite_time_s": suite_s,
        "runner_over_baseline": round(full / base, 2),
    }
    print(f"bench-conformance: {n} vectors against {a.impl}")
    print(f"  baseline (testee client + verdicts, no pytest): {base:6.2f} s  {n / base:8.0f} vectors/s")
    print(f"  runner (lpsp-conformance run, whole command):   {full:6.2f} s  {n / full:8.0f} vectors/s"
          f"  (suite time {suite_s:.2f} s)")
    print(f"  runner / baseline: {full / base:.2f}x")
    if a.json:
        os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
        Path(a.json).write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
