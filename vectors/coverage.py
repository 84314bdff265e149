"""Which specification sections and quirks have vectors.

Prints, for every section and quirk of spec-index.json, the number of
vectors that reference it (directly, or for a section also through its
subsections), and lists those with none: either "not applicable" with the
reason from not-applicable.json, or MISSING. Exits 1 when something that is
not marked not applicable is missing, or when a not-applicable entry does
have vectors (the table must not rot).

Usage: python coverage.py [--quiet]
"""

import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
AREAS = ("stateful-s2b", "stateful-b2s", "stateless", "etag", "auth", "session")


def main(argv):
    quiet = "--quiet" in argv
    with open(os.path.join(HERE, "spec-index.json"), encoding="utf-8") as f:
        spec = json.load(f)
    with open(os.path.join(HERE, "not-applicable.json"), encoding="utf-8") as f:
        na = json.load(f)
    direct, impl = Counter(), Counter()
    for area in AREAS:
        with open(os.path.join(HERE, f"{area}.json"), encoding="utf-8") as f:
            for v in json.load(f)["vectors"]:
                for r in v["refs"]:
                    direct[r] += 1
                    if v["verdict"] == "implementation-defined":
                        impl[r] += 1
    problems = []
    rows = []
    for sec, title in spec["sections"].items():
        n = sum(c for r, c in direct.items()
                if r == sec or r.startswith(sec + "."))
        rows.append((sec, title, n, direct[sec], na["sections"].get(sec)))
    for qk, tag in spec["quirks"].items():
        rows.append((qk, tag, direct[qk], direct[qk], na["quirks"].get(qk)))
    covered = missing = notapp = 0
    for key, title, n, own, reason in rows:
        if n:
            covered += 1
            extra = f" ({impl[key]} implementation-defined)" if impl[key] else ""
            line = f"  {key:8} {n:6} vectors{extra}  {title}"
            if reason and own:
                problems.append(f"{key} is marked not applicable but has {own} vectors")
        elif reason:
            notapp += 1
            line = f"  {key:8}      - not applicable: {reason}"
        else:
            missing += 1
            line = f"  {key:8}      - MISSING  {title}"
            problems.append(f"{key} has no vectors")
        if not quiet or "MISSING" in line:
            print(line)
    for p in problems:
        print("COVERAGE", p)
    print(f"coverage: {covered} sections/quirks with vectors, {notapp} not applicable, "
          f"{missing} missing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
