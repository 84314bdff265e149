"""The example adapter of examples/three-types/: three message types declared
as capabilities, run against the real vectors.

A full run must pass with exactly the vectors of those three types (and the
decode inputs of no valid type of their directions) sent, everything else
reported unsupported without being sent, and a per-type summary. The demo
switches of the adapter show that a broken decoder fails the run and that
the strict behaviour passes too.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lpsp_conformance.scope import Scoper, covers
from lpsp_conformance.vectors import default_vectors_dir, load_all
from lpsp_conformance.verdict import judge

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "examples" / "three-types" / "adapter.py"
CAPS = ["stateful:s2b:SUBSCRIBE_EXACT", "stateful:s2b:UNSUBSCRIBE_EXACT", "stateful:b2s:CONFIRM_SUBSCRIBE_EXACT"]
TYPES = {"s2b": {2: "SUBSCRIBE_EXACT", 4: "UNSUBSCRIBE_EXACT"}, "b2s": {2: "CONFIRM_SUBSCRIBE_EXACT"}}
VALID_CODES = {"s2b": range(1, 10), "b2s": range(1, 13)}  # spec §3.0
SENT_VERDICTS = {"pass", "non-strict", "implementation-defined"}
ROW = re.compile(r"^(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")


class Run:
    def __init__(self, proc, results):
        self.proc, self.results_path = proc, results

    def wait(self):
        self.out, _ = self.proc.communicate(timeout=120)
        self.rc = self.proc.returncode
        self.doc = json.loads(self.results_path.read_text()) if self.results_path.exists() else None
        return self


def start(tmp, name, *args, env=None):
    """Starts one run in the background (the runs of this module overlap)."""
    results = tmp / f"{name}.json"
    impl = f"{shlex.quote(sys.executable)} {shlex.quote(str(ADAPTER))}"
    cmd = [sys.executable, "-m", "lpsp_conformance", "run", "--impl", impl, "--results", str(results), *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXAMPLE_")}
    environ.update(env or {})
    proc = subprocess.Popen(cmd, cwd=tmp, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    return Run(proc, results)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("three-types")
    started = {
        "full": start(tmp, "full"),
        "bug": start(tmp, "bug", "--id", "s2b-subscribe-exact-*", env={"EXAMPLE_BUG": "topic"}),
    }
    return {k: r.wait() for k, r in started.items()}


@pytest.fixture(scope="module")
def vectors():
    return [v for v in load_all(default_vectors_dir()) if not v.get("deprecated")]


def wire_type(v, by_id):
    """(direction, type code or None) of a decode vector, read from its bytes;
    an input too short for a type takes its base vector's."""
    inp = v["input"]
    data = bytes.fromhex(inp["hex"])
    if len(data) >= 4:
        return inp["direction"], int.from_bytes(data[2:4], "big")
    base = by_id.get(v.get("derived_from") or "")
    return wire_type(base, by_id) if base else (inp["direction"], None)


def test_full_run_sends_exactly_the_declared_types(runs, vectors):
    run = runs["full"]
    assert run.rc == 0, run.out[-3000:]
    assert run.doc["impl"]["features"] == CAPS
    records = {r["id"]: r for r in run.doc["results"]}
    assert set(records) == {v["id"] for v in vectors}

    scoper = Scoper(vectors)
    in_scope = {v["id"] for v in vectors if covers(CAPS, scoper.classify(v)[1])}
    sent = {vid for vid, r in records.items() if r["status"] != ""}
    assert len(sent) == len(in_scope) > 1000
    assert sent == in_scope
    for vid in sent:
        r = records[vid]
        assert r["verdict"] in SENT_VERDICTS, r
        assert r["type"] in (*TYPES["s2b"].values(), *TYPES["b2s"].values(), "*"), r
    for vid in set(records) - sent:
        r = records[vid]
        assert (r["verdict"], r["in_scope"], r["status"]) == ("unsupported", False, ""), r

    # the same selection read from the bytes, without the runner's scoping:
    # a decode vector is sent when its type code is one of the three or no
    # valid type; an encode vector when its message is one of the three
    by_id = {v["id"]: v for v in vectors}
    for v in vectors:
        if v["op"] == "decode":
            direction, code = wire_type(v, by_id)
            mine = code in TYPES.get(direction, {}) or \
                direction in TYPES and (code is None or code not in VALID_CODES[direction])
        elif v["op"] == "encode":
            mine = v["input"]["message"].get("type") in TYPES.get(v["input"]["direction"], {}).values()
        else:
            mine = False
        assert mine == (v["id"] in sent), (v["id"], records[v["id"]])

    # truncations of the other types are never sent, even the ones too short
    # to carry their type code
    truncations = [r for r in records.values() if r["family"] == "truncation"]
    foreign = [r for r in truncations if r["type"] not in ("SUBSCRIBE_EXACT", "UNSUBSCRIBE_EXACT",
                                                           "CONFIRM_SUBSCRIBE_EXACT", "*")]
    assert foreign and not [r["id"] for r in foreign if r["status"] != ""]
    short = [r for r in foreign if len(by_id[r["id"]]["input"]["hex"]) < 8]
    assert short and all(r["type"] != "*" for r in short)


def test_summary_has_a_row_per_declared_type(runs):
    run = runs["full"]
    rows = {}
    for line in run.out.splitlines():
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = [int(x) for x in m.groups()[1:]]
    sent = {}
    for r in run.doc["results"]:
        if r["status"]:
            key = f"{r['area']} {r['type']}"
            sent[key] = sent.get(key, 0) + 1
    for key in ("stateful-s2b SUBSCRIBE_EXACT", "stateful-s2b UNSUBSCRIBE_EXACT",
                "stateful-b2s CONFIRM_SUBSCRIBE_EXACT"):
        assert key in rows, run.out[-3000:]
        npass, nonstrict, impldef, unsupported, fail = rows[key]
        assert (unsupported, fail) == (0, 0)
        assert npass + nonstrict + impldef == sent[key]
    folded = {k: v for k, v in rows.items() if re.fullmatch(r"\S+ \(\d+ undeclared types?\)", k)}
    assert "stateful-s2b (7 undeclared types)" in folded, run.out[-3000:]
    assert "stateful-b2s (11 undeclared types)" in folded
    assert all(v[:3] == [0, 0, 0] and v[4] == 0 for v in folded.values())
    assert sum(v[3] for v in folded.values()) == run.doc["counts"]["unsupported"]
    assert rows["total"][4] == 0


def test_a_broken_decoder_fails_and_names_the_field(runs):
    run = runs["bug"]
    assert run.rc == 1, run.out[-3000:]
    assert "output.topic" in run.out
    failed = [r for r in run.doc["results"] if r["verdict"] == "fail"]
    assert failed
    for r in failed:
        assert any("output.topic" in d for d in r["diffs"]), r


def test_the_strict_switch_rejects_what_the_reference_accepts(vectors):
    # the declared vectors straight through the adapter, judged by the
    # runner's verdict rules (cheaper than another run)
    scoper = Scoper(vectors)
    mine = [v for v in vectors if covers(CAPS, scoper.classify(v)[1])]
    requests = [{"id": 0, "op": "hello", "protocol": 1}]
    requests += [{"id": i, "op": v["op"], "input": v["input"]} for i, v in enumerate(mine, 1)]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXAMPLE_")}
    p = subprocess.run([sys.executable, str(ADAPTER)], input="".join(json.dumps(r) + "\n" for r in requests),
                       env={**environ, "EXAMPLE_STRICT": "1"}, stdout=subprocess.PIPE, text=True, timeout=60)
    answers = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0 and [a["id"] for a in answers] == [r["id"] for r in requests]
    judged = [(v, judge(v, a)) for v, a in zip(mine, answers[1:])]
    assert {j.verdict for _, j in judged} == {"pass", "implementation-defined"}
    outcomes = {j.outcome for _, j in judged if j.verdict == "implementation-defined"}
    assert outcomes == {"rejected"}
