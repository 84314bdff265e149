"""Write spec-index.json: the section numbers and quirk ids of the protocol
specification, so that the lint can check every vector reference without
needing the specification at check time.

Usage: python spec_index.py [SPEC] [--out spec-index.json]
SPEC defaults to spec/PROTOCOL.md at the repository root.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "..", "spec", "PROTOCOL.md")

HEADING = re.compile(r"^(#{2,4})\s+([0-9]+(?:\.[0-9]+)*)\.?\s+(.*?)\s*$")
QK = re.compile(r"^\*\s+\*\*(QK-[0-9]+)\s*\(([^)]*)\)\.?\*\*")


def index(text):
    sections, quirks = {}, {}
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        h = HEADING.match(line)
        if h:
            sections["§" + h.group(2)] = h.group(3)
            continue
        q = QK.match(line)
        if q:
            quirks[q.group(1)] = q.group(2)
    return {"sections": sections, "quirks": quirks}


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("spec", nargs="?", default=DEFAULT_SPEC)
    ap.add_argument("--out", default=os.path.join(HERE, "spec-index.json"))
    args = ap.parse_args(argv)
    with open(args.spec, encoding="utf-8") as f:
        idx = index(f.read())
    if not idx["sections"] or not idx["quirks"]:
        sys.stderr.write("no sections or quirks found: is this the protocol specification?\n")
        return 1
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(idx, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    print(f"spec-index: {len(idx['sections'])} sections, {len(idx['quirks'])} quirks")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
