#!/usr/bin/env python3
"""Coverage of the codec from the fuzz inputs, against floors.

Reads the JSON of `llvm-cov export` (stdin or a file), prints
lines / branches / functions per codec source file and in total, names the
codec functions no fuzz input reaches, and exits 1 when a total is below its
floor. The floors are the project's bars: lines >= 95 %,
branches >= 85 % (what the corpus reached when the gate was introduced, so
that coverage cannot silently fall back).

    llvm-cov export BIN -object ... -instr-profile=P SRC... |
        fuzz/coverage_gate.py --lines 95 --branches 85
"""

import argparse
import json
import os
import sys


def pct(d):
    return 100.0 * d["covered"] / d["count"] if d["count"] else 100.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", nargs="?", default="-", help="llvm-cov export JSON (default stdin)")
    ap.add_argument("--lines", type=float, default=95.0, help="floor for line coverage, percent")
    ap.add_argument("--branches", type=float, default=85.0, help="floor for branch coverage, percent")
    args = ap.parse_args(argv)

    raw = sys.stdin.read() if args.export == "-" else open(args.export).read()
    data = json.loads(raw)["data"][0]
    rows = []
    for f in sorted(data["files"], key=lambda f: f["filename"]):
        s = f["summary"]
        rows.append((os.path.relpath(f["filename"]), s["lines"], s["branches"], s["functions"]))
    t = data["totals"]
    rows.append(("total", t["lines"], t["branches"], t["functions"]))

    w = max(len(r[0]) for r in rows)
    print(f"{'file':<{w}}  {'lines':>19}  {'branches':>19}  {'functions':>14}")
    for name, ln, br, fn in rows:
        if name == "total":
            print("-" * (w + 58))
        print(f"{name:<{w}}  {ln['covered']:>5}/{ln['count']:<5} {pct(ln):6.2f}%  "
              f"{br['covered']:>5}/{br['count']:<5} {pct(br):6.2f}%  "
              f"{fn['covered']:>4}/{fn['count']:<4} {pct(fn):3.0f}%")

    # one record per function and binary; the counts come from the merged profile
    reached, seen = set(), set()
    # (static inline helpers of headers appear once per file; those unused
    # in a file are not code of their own and are left out)
    for fn in data.get("functions", []):
        where = fn["filenames"][0] if fn.get("filenames") else ""
        if not (where.endswith(".c") and os.path.basename(os.path.dirname(where)) == "src"):
            continue
        name = f"{os.path.basename(where)}:{fn['name'].split(':')[-1]}"
        seen.add(name)
        if fn["count"]:
            reached.add(name)
    cold = sorted(seen - reached)
    if cold:
        print("functions no fuzz input reaches: " + ", ".join(cold))

    failed = []
    if pct(t["lines"]) < args.lines:
        failed.append(f"line coverage {pct(t['lines']):.2f}% is below the floor of {args.lines:g}%")
    if pct(t["branches"]) < args.branches:
        failed.append(f"branch coverage {pct(t['branches']):.2f}% is below the floor of {args.branches:g}%")
    for msg in failed:
        print(f"coverage gate: {msg}", file=sys.stderr)
    if not failed:
        print(f"coverage gate: lines {pct(t['lines']):.2f}% >= {args.lines:g}%, "
              f"branches {pct(t['branches']):.2f}% >= {args.branches:g}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
