"""Vectors found by fuzzing or differential testing (provenance "fuzz").

The cases live in fuzz_cases.json next to this file, one object per input:

    {"id": ..., "direction": "s2b"|"b2s", "hex": ..., "description": ...,
     "refs": [...], "expect": "valid"|"invalid"|"implementation-defined",
     "found": "how it was found (informative)"}

`differential/run.py --write-cases` appends the disagreement kinds the suite
did not cover yet; cases may also be added by hand. Each input is judged like
every other decode vector (reference model against strict model) and the
generator stops if the verdict is not the one the case expects: a model that
disagrees with what the implementations did is a finding, not a vector.
"""

import json
import os

from .stateful_cases import StatefulGen

CASES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_cases.json")


def load():
    if not os.path.exists(CASES_FILE):
        return []
    with open(CASES_FILE, encoding="utf-8") as f:
        return json.load(f)["cases"]


def run(col):
    gen = StatefulGen(col)
    for c in load():
        gen.decode_vec(c["direction"], c["id"], c["description"], bytes.fromhex(c["hex"]),
                       list(c["refs"]), provenance="fuzz", expect=(c["expect"],))
