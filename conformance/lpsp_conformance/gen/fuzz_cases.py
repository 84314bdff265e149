"""Vectors found by fuzzing or differential testing (provenance "fuzz").

The cases live in fuzz_cases.json next to this file, one object per input:

    {"id": ..., "direction": "s2b"|"b2s", "hex": ..., "description": ...,
     "refs": [...], "expect": "valid"|"invalid"|"implementation-defined",
     "found": "how it was found (informative)"}

The differential tester (`python -m lpsp_conformance.differential
--write-cases`) appends the disagreement kinds the suite did not cover yet;
cases may also be added by hand. Each input is judged like every other
decode vector (reference model against strict model) and the generator stops if the verdict is not the one the case expects: a model that
disagrees with what the implementations did is a finding, not a vector.

Minimised fuzzer findings arrive as fuzz/found/<id>.json, written by
fuzz/crash_to_vector.py: the input only, never a verdict (expected outputs
must not come from the codec under test). Their stateful and stateless
decode inputs are judged here by the same models, whatever the verdict.
"""

import glob
import json
import os

from .. import REPO_ROOT
from . import CASES_FILE
from .stateful_cases import StatefulGen
from .stateless_cases import Gen as StatelessGen

FOUND_DIR = os.path.join(REPO_ROOT, "fuzz", "found")


def load():
    if not os.path.exists(CASES_FILE):
        return []
    with open(CASES_FILE, encoding="utf-8") as f:
        return json.load(f)["cases"]


def load_found():
    cases = []
    for path in sorted(glob.glob(os.path.join(FOUND_DIR, "*.json"))):
        with open(path, encoding="utf-8") as f:
            cases.append(json.load(f))
    return cases


def run(col):
    gen = StatefulGen(col)
    for c in load():
        gen.decode_vec(c["direction"], c["id"], c["description"], bytes.fromhex(c["hex"]),
                       list(c["refs"]), provenance="fuzz", expect=(c["expect"],))
    sgen = StatelessGen(col)
    for c in load_found():
        inp = c["input"]
        if c["op"] == "decode":
            gen.decode_vec(inp["direction"], c["id"], c["description"], bytes.fromhex(inp["hex"]),
                           list(c["refs"]), provenance="fuzz")
        elif c["op"] == "stateless_decode":
            sgen.dec(c["id"], c["description"], inp["body"], bytes.fromhex(inp["hex"]),
                     list(c["refs"]), provenance="fuzz")
        else:
            raise SystemExit(f"fuzz/found/{c['id']}.json: op {c['op']} has no model here; "
                             "write the case by hand in the generator")
