#!/usr/bin/env python3
"""Coverage of the codec from the fuzz inputs and the unit tests, against floors.

Reads the JSON of `llvm-cov export` (stdin or a file), prints
lines / branches / functions per codec source file and in total, names the
codec functions nothing reaches, and exits 1 when a total is below its
floor, listing then every branch direction never taken (file:line:column,
the condition's text and the direction missing). The floors are the
project's bars: lines >= 95 %, branches >= 95 % (the corpus, the vector
inputs and the unit tests together, libcrypto failures included through
the fault-injection test).

    llvm-cov export BIN -object ... -instr-profile=P SRC... |
        fuzz/coverage_gate.py --lines 95 --branches 95 [--list]
"""

import argparse
import json
import os
import sys


def pct(d):
    return 100.0 * d["covered"] / d["count"] if d["count"] else 100.0


def source_lines(path, cache={}):
    if path not in cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                cache[path] = fh.read().split("\n")
        except OSError:
            cache[path] = []
    return cache[path]


def condition_text(path, l1, c1, l2, c2):
    """The source text of a branch condition (one line, shortened)."""
    lines = source_lines(path)
    if not (1 <= l1 <= len(lines) and 1 <= l2 <= len(lines)):
        return "?"
    if l1 == l2:
        text = lines[l1 - 1][c1 - 1:c2 - 1]
    else:
        text = " ".join([lines[l1 - 1][c1 - 1:]] + [s.strip() for s in lines[l1:l2 - 1]]
                        + [lines[l2 - 1][:c2 - 1].strip()])
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def uncovered_branches(f):
    """(line, column, condition, missing direction) of every branch side
    never taken. A region record is [l1, c1, l2, c2, true count, false
    count, file id, expanded file id, kind]."""
    out = []
    for b in f.get("branches", []):
        l1, c1, l2, c2, t, fl = b[:6]
        missing = [side for side, n in (("true", t), ("false", fl)) if n == 0]
        if missing:
            out.append((l1, c1, condition_text(f["filename"], l1, c1, l2, c2), "/".join(missing)))
    return sorted(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", nargs="?", default="-", help="llvm-cov export JSON (default stdin)")
    ap.add_argument("--lines", type=float, default=95.0, help="floor for line coverage, percent")
    ap.add_argument("--branches", type=float, default=95.0, help="floor for branch coverage, percent")
    ap.add_argument("--list", action="store_true",
                    help="list the branches never taken even when the floors are met")
    args = ap.parse_args(argv)

    raw = sys.stdin.read() if args.export == "-" else open(args.export).read()
    data = json.loads(raw)["data"][0]
    rows = []
    files = sorted(data["files"], key=lambda f: f["filename"])
    for f in files:
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
        print("functions nothing reaches: " + ", ".join(cold))

    failed = []
    if pct(t["lines"]) < args.lines:
        failed.append(f"line coverage {pct(t['lines']):.2f}% is below the floor of {args.lines:g}%")
    if pct(t["branches"]) < args.branches:
        failed.append(f"branch coverage {pct(t['branches']):.2f}% is below the floor of {args.branches:g}%")
    if failed or args.list:
        out = sys.stderr if failed else sys.stdout
        print("branch directions never taken (file:line:column  condition  missing side):", file=out)
        for f in files:
            name = os.path.relpath(f["filename"])
            for line, col, cond, side in uncovered_branches(f):
                print(f"  {name}:{line}:{col}  {cond}  [{side}]", file=out)
    for msg in failed:
        print(f"coverage gate: {msg}", file=sys.stderr)
    if not failed:
        print(f"coverage gate: lines {pct(t['lines']):.2f}% >= {args.lines:g}%, "
              f"branches {pct(t['branches']):.2f}% >= {args.branches:g}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
