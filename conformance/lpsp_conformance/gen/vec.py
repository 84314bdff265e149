"""Vector collection, JSON value conventions and verdict derivation."""

import re

from ..protocol.prim import Reject

# Integers that can exceed 2^53 travel as decimal strings (TESTEE-PROTOCOL.md).
BIG_INT_FIELDS = {"part_id", "compressor_id", "compressed_length", "decompressed_length",
                  "uncompressed_length", "subscribers", "max_size", "identifier",
                  "timestamp", "counter", "now", "value"}


def jv(field, value):
    """Python value -> JSON value for `field`."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value) if field in BIG_INT_FIELDS else value
    if isinstance(value, list):
        return [jdict(v) if isinstance(v, dict) else jv(field, v) for v in value]
    if isinstance(value, dict):
        return jdict(value)
    raise TypeError(f"{field}: {type(value)}")


def jdict(d):
    return {k: jv(k, v) for k, v in d.items()}


ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
QK_RE = re.compile(r"QK-\d+")


class Collector:
    def __init__(self):
        self.areas = {}
        self.ids = set()

    def add(self, area, vid, description, refs, feature, op, inp, verdict, *,
            provenance="hand", expected=None, errors=None, outcomes=None,
            derived_from=None):
        assert ID_RE.match(vid), vid
        assert vid not in self.ids, f"duplicate id {vid}"
        assert refs, vid
        self.ids.add(vid)
        v = {"id": vid, "description": description, "refs": _uniq(refs),
             "provenance": provenance, "feature": feature, "op": op, "input": inp,
             "verdict": verdict}
        if verdict == "valid":
            assert expected is not None, vid
            v["expected"] = expected
        elif verdict == "invalid":
            assert errors, vid
            v["errors"] = sorted(set(errors))
        else:
            assert outcomes and outcomes.get("note"), vid
            v["outcomes"] = outcomes
        if derived_from:
            v["derived_from"] = derived_from
        self.areas.setdefault(area, []).append(v)
        return v


def _uniq(refs):
    out = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out


def judge(run_ref, run_strict, to_json, refs, note=None, errors_extra=()):
    """Run an operation under both personalities and derive the verdict.

    run_ref / run_strict: callables returning a Python result or raising
    Reject. Returns (verdict, payload-kwargs, refs)."""
    res = []
    for run in (run_ref, run_strict):
        try:
            res.append(("accept", to_json(run())))
        except Reject as e:
            res.append(("reject", e))
    (rk, rv), (sk, sv) = res
    refs = list(refs)
    if rk == sk == "accept" and rv == sv:
        return "valid", {"expected": rv}, refs
    if rk == sk == "reject":
        return "invalid", {"errors": [rv.cls, sv.cls, *errors_extra]}, refs
    # the two disagree: implementation-defined
    details = []
    for (k, v), who in ((res[0], "reference"), (res[1], "strict")):
        if k == "reject":
            refs += QK_RE.findall(v.detail)
            details.append(f"{who} rejects it ({v.cls}: {v.detail})")
        else:
            details.append(f"{who} accepts it")
    outcomes = {
        "reference": {"accept": rv} if rk == "accept" else {"reject": [rv.cls]},
        "strict": {"accept": sv} if sk == "accept" else {"reject": [sv.cls]},
        "note": ((note + " ") if note else "") + "; ".join(details) + ".",
    }
    return "implementation-defined", {"outcomes": outcomes}, refs
