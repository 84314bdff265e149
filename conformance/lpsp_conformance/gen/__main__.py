"""`python -m lpsp_conformance.gen --out DIR [--manifest FILE]`: write every
area file and the id manifest (`make vectors` writes them to vectors/).

Output is deterministic: the same sources always give the same bytes.
"""

import argparse
import json
import os
import sys

from .. import AREAS, REPO_ROOT
from . import PEER_AREAS, SUITE, SUITE_VERSION
from .deprecated import DEPRECATED
from .vec import Collector


def build():
    from . import stateful_cases, stateless_cases, etag_cases, auth_cases, session_cases
    from . import fuzz_cases, mutation_cases

    col = Collector()
    stateful_cases.StatefulGen(col).run()
    fuzz_cases.run(col)
    stateless_cases.run(col)
    etag_cases.run(col)
    auth_cases.run(col)
    session_cases.run(col)
    mutation_cases.run(col)
    return col


def dump_area(area, vectors):
    lines = [json.dumps({"suite": SUITE, "suite_version": SUITE_VERSION, "area": area},
                        ensure_ascii=False)[:-1] + ",", ' "vectors": [']
    body = [" " + json.dumps(v, ensure_ascii=False) for v in vectors]
    lines.append(",\n".join(body))
    lines.append(" ]}")
    return "\n".join(lines) + "\n"


def read_manifest(path):
    ids = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    parts = line.split()
                    ids.append((parts[0], len(parts) > 1 and parts[1] == "deprecated"))
    return ids


def peer_ids(directory):
    """Ids of the peer scenario files next to the manifest, in file order."""
    ids = []
    for area in PEER_AREAS:
        path = os.path.join(directory, f"{area}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                ids += [sc["id"] for sc in json.load(f)["scenarios"]]
    return ids


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--manifest", default=str(REPO_ROOT / "vectors" / "ids.txt"),
                    help="the committed id manifest (default vectors/ids.txt)")
    args = ap.parse_args(argv)

    col = build()
    for area, vecs in col.areas.items():
        for v in vecs:
            if v["id"] in DEPRECATED:
                v["deprecated"] = True
    published = read_manifest(args.manifest)
    known = {i for i, _d in published}
    peer = peer_ids(os.path.dirname(os.path.abspath(args.manifest)))
    missing = sorted(known - col.ids - set(peer))
    if missing:
        sys.stderr.write("published ids no longer generated (keep the case and add it to "
                         "lpsp_conformance/gen/deprecated.py instead):\n  " + "\n  ".join(missing[:50]) + "\n")
        return 1
    os.makedirs(args.out, exist_ok=True)
    order = []
    for area in AREAS:
        vecs = col.areas.get(area, [])
        with open(os.path.join(args.out, f"{area}.json"), "w", encoding="utf-8") as f:
            f.write(dump_area(area, vecs))
        order += [v["id"] for v in vecs]
    lines = [f"{i} deprecated" if i in DEPRECATED else i for i, _d in published]
    lines += [f"{i} deprecated" if i in DEPRECATED else i for i in order if i not in known]
    # the peer scenarios are hand-written (peer-*.json); their new ids are listed too
    lines += [i for i in peer if i not in known]
    with open(os.path.join(args.out, "ids.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    total = sum(len(v) for v in col.areas.values())
    print(f"vectors: {total} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
