"""The lint catches broken files: it must fail on each kind of defect."""

import json
import os
import subprocess
import sys

import pytest

from lpsp_conformance import AREAS

HERE = os.path.dirname(os.path.abspath(__file__))
LINT = os.path.join(os.path.dirname(HERE), "lint.py")


def vec(vid, **kw):
    v = {"id": vid, "description": "d", "refs": ["§5.1"], "provenance": "hand",
         "feature": "stateful", "op": "decode",
         "input": {"direction": "s2b", "hex": "00010002000000000007666f6f2f626172"},
         "verdict": "invalid", "errors": ["truncated"]}
    v.update(kw)
    return v


def write(tmp, vectors, ids):
    from lpsp_conformance.gen.__main__ import dump_area
    for a in AREAS:
        (tmp / f"{a}.json").write_text(dump_area(a, vectors if a == "stateful-s2b" else []),
                                       encoding="utf-8")
    (tmp / "ids.txt").write_text("".join(i + "\n" for i in ids), encoding="utf-8")


def lint(tmp):
    return subprocess.run([sys.executable, LINT, "--dir", str(tmp), "--base-ref",
                           "no-such-ref-for-tests"], capture_output=True, text=True)


def test_clean(tmp_path):
    write(tmp_path, [vec("a-1"), vec("a-2", derived_from="a-1")], ["a-1", "a-2"])
    r = lint(tmp_path)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("vectors,ids,needle", [
    ([vec("a-1")], [], "not in ids.txt"),
    ([vec("a-1")], ["a-1", "gone"], "gone from the files"),
    ([vec("a-1"), vec("a-1")], ["a-1"], "duplicate id"),
    ([vec("a-1", refs=["§99.9"])], ["a-1"], "not in the specification"),
    ([vec("a-1", refs=["QK-99"])], ["a-1"], "not in the specification"),
    ([vec("a-1", derived_from="nope")], ["a-1"], "derived_from"),
    ([vec("a-1", verdict="valid")], ["a-1"], "schema"),
    ([vec("A_1")], ["A_1"], "schema"),
    ([vec("a-1", deprecated=True)], ["a-1"], "deprecation mark"),
    ([vec("a-1")], ["a-1 deprecated"], "deprecation mark"),
])
def test_defects(tmp_path, vectors, ids, needle):
    write(tmp_path, vectors, ids)
    r = lint(tmp_path)
    assert r.returncode == 1
    assert needle in r.stdout, r.stdout


def test_manifest_only_grows(tmp_path):
    # the committed manifest must be a prefix of any later one
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "vectors").mkdir()
    d = tmp_path / "vectors"
    write(d, [vec("a-1"), vec("a-2")], ["a-1", "a-2"])
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "x"], check=True)
    write(d, [vec("a-1"), vec("a-2")], ["a-2", "a-1"])
    r = subprocess.run([sys.executable, LINT, "--dir", str(d), "--base-ref", "HEAD"],
                       capture_output=True, text=True, cwd=str(d))
    assert r.returncode == 1 and "append-only" in r.stdout, r.stdout


def write_peer(tmp, scenarios):
    from lpsp_conformance.gen import SUITE, SUITE_VERSION
    doc = {"suite": SUITE, "suite_version": SUITE_VERSION, "area": "peer-broadcaster",
           "scenarios": scenarios}
    (tmp / "peer-broadcaster.json").write_text(json.dumps(doc), encoding="utf-8")


def scenario(sid, vector="a-1", **kw):
    sc = {"id": sid, "description": "a peer scenario", "refs": ["§6.1"], "provenance": "hand",
          "verdict": "required", "steps": [{"do": "handshake"}, {"do": "send_raw", "vector": vector},
                                           {"do": "expect_close"}]}
    sc.update(kw)
    return sc


def test_peer_scenarios_clean(tmp_path):
    write(tmp_path, [vec("a-1")], ["a-1", "bcast-x"])
    write_peer(tmp_path, [scenario("bcast-x")])
    r = lint(tmp_path)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("sc,ids,needle", [
    (scenario("bcast-x"), ["a-1"], "not in ids.txt"),
    (scenario("bcast-x", vector="a-2"), ["a-1", "a-2", "bcast-x"], "not a current invalid vector"),
    (scenario("bcast-x", refs=["§99"]), ["a-1", "bcast-x"], "not in the specification"),
    (scenario("bcast-x", verdict="maybe"), ["a-1", "bcast-x"], "peer-broadcaster.json"),
    (dict(scenario("bcast-x"), steps=[{"do": "no_such_step"}]), ["a-1", "bcast-x"], "peer-broadcaster.json"),
])
def test_peer_scenario_defects(tmp_path, sc, ids, needle):
    write(tmp_path, [vec("a-1"), vec("a-2", verdict="valid", expected={})], ids)
    write_peer(tmp_path, [sc])
    r = lint(tmp_path)
    assert r.returncode == 1
    assert needle in r.stdout, r.stdout


def test_published_peer_ids_need_their_file(tmp_path):
    write(tmp_path, [vec("a-1")], ["a-1", "bcast-x"])
    r = lint(tmp_path)
    assert r.returncode == 1 and "gone from the files" in r.stdout, r.stdout
