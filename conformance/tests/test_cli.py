"""The lpsp-conformance command: exact selection, list, show, replay, the
diagnostics of a failure, JUnit verdict properties, per-type summaries."""

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from conftest import FIXTURES, fixture_vectors, saboteur

CLI = [sys.executable, "-m", "lpsp_conformance"]


def cli(*args, timeout=120):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_exact_ids_select_exactly_those_vectors(run_suite):
    r = run_suite(saboteur("honest"), "--id", "fx-s2b-subscribe-exact-minimal", "--id", "fx-etag-empty")
    assert r.rc == 0, r
    assert sorted(r.verdicts) == ["fx-etag-empty", "fx-s2b-subscribe-exact-minimal"]
    assert r.results["selection"]["ids"] == ["fx-etag-empty", "fx-s2b-subscribe-exact-minimal"]


def test_globs_and_id_files(run_suite, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# two exact ids and a glob\nfx-bearer-ok\nfx-etag-full  # trailing comment\nfx-ws-url-*\n")
    r = run_suite(saboteur("honest"), "--id-file", str(ids))
    assert r.rc == 0, r
    assert sorted(r.verdicts) == ["fx-bearer-ok", "fx-etag-full", "fx-ws-url-minus-1", "fx-ws-url-minus-26"]


def test_a_selection_that_matches_nothing_is_a_harness_error(run_suite):
    r = run_suite(saboteur("honest"), "--id", "fx-no-such-vector")
    assert r.rc == 2, r
    assert "no vector with the id(s) fx-no-such-vector" in r.out
    r = run_suite(saboteur("honest"), "--id", "zz-*")
    assert r.rc == 2 and "match no vector" in r.out, r
    r = run_suite(saboteur("honest"), "-k", "nothing_has_this_name")
    assert r.rc == 2 and "matches no vector" in r.out, r


def test_a_quoted_adapter_command_reaches_the_runner_intact(run_suite):
    # answers the handshake with a JSON object without an id, then sleeps
    r = run_suite("sh -c 'read x; echo {}; sleep 60'", "--startup-timeout", "5")
    assert r.rc == 2, r
    assert "harness error" in r.out and "sh -c 'read x; echo {}; sleep 60'" in r.out


def test_list_and_show():
    p = cli("list", "--vectors", str(FIXTURES), "--id", "fx-s2b-*", "--long")
    assert p.returncode == 0, p.stderr
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    want = [v["id"] for v in fixture_vectors() if v["id"].startswith("fx-s2b-")]
    assert [r[0] for r in rows] == want
    sub = next(r for r in rows if r[0] == "fx-s2b-subscribe-exact-minimal")
    assert sub[3] == "SUBSCRIBE_EXACT" and sub[6] == "stateful:s2b:SUBSCRIBE_EXACT:decode"
    p = cli("show", "fx-s2b-subscribe-exact-minimal", "--vectors", str(FIXTURES))
    assert p.returncode == 0, p.stderr
    v = next(v for v in fixture_vectors() if v["id"] == "fx-s2b-subscribe-exact-minimal")
    line = json.dumps({"id": 1, "vector": v["id"], "op": v["op"], "input": v["input"]},
                      separators=(",", ":"), ensure_ascii=False)
    assert line in p.stdout.splitlines()
    p = cli("show", "fx-nope", "--vectors", str(FIXTURES))
    assert p.returncode == 2 and "no vector with the id" in p.stderr


def test_replay_reproduces_one_failure_with_the_exchange():
    vid = "fx-s2b-subscribe-exact-minimal-encode"
    p = cli("replay", vid, "--vectors", str(FIXTURES), "--impl", saboteur("wrong-bytes"))
    assert p.returncode == 1, p.stdout + p.stderr
    out = p.stdout
    assert re.search(r'^> \{"id":0,"op":"hello"', out, re.M)
    assert re.search(r'^> \{"id":1,"vector":"' + vid, out, re.M)
    assert re.search(r'^< \{.*"status": "ok"', out, re.M)
    assert "verdict:  fail" in out
    # the saboteur flips the lowest bit of the first byte of the hex
    assert "first differing byte at offset 0: expected 00, got 01, in flags (bytes 0..1)" in out
    ok = cli("replay", vid, "--vectors", str(FIXTURES), "--impl", saboteur("honest"))
    assert ok.returncode == 0 and "verdict:  pass" in ok.stdout, ok.stdout


def test_failure_report_has_the_full_input_the_offset_and_a_replay_line(run_suite):
    r = run_suite(saboteur("wrong-bytes"), "--area", "stateful-s2b")
    assert r.rc == 1, r
    v = next(v for v in fixture_vectors() if v["id"] == "fx-s2b-subscribe-exact-expanded-encode")
    assert json.dumps(v["input"], separators=(",", ":")) in r.out  # never clipped
    assert "where:       first differing byte at offset 0" in r.out
    assert "replay:      lpsp-conformance replay fx-s2b-subscribe-exact-expanded-encode --impl" in r.out
    rec = next(x for x in r.results["results"] if x["id"] == v["id"])
    assert rec["input"] == v["input"] and rec["actual"]["status"] == "ok"
    assert rec["expected"] == {"status": "ok", "output": v["expected"]}
    assert rec["mismatch"]["offset"] == 0 and rec["mismatch"]["field"].startswith("flags")
    # a decode mismatch names the input bytes of the field
    dec = next(x for x in r.results["results"] if x["id"] == "fx-s2b-subscribe-exact-minimal")
    assert dec["verdict"] == "fail"
    assert "comes from" in dec["mismatch"]["field"], dec


def test_long_inputs_are_written_to_a_file(run_suite, tmp_path):
    big = {"area": "stateful-s2b", "suite_version": "0", "vectors": [{
        "id": "fx-big", "description": "a long valid input", "refs": ["§3.1.2"], "provenance": "hand",
        "feature": "stateful", "op": "decode",
        "input": {"direction": "s2b", "hex": "00010002" + "0000" + "0000" + "1388" + "61" * 5000},
        "verdict": "valid",
        "expected": {"type": "SUBSCRIBE_EXACT", "flags": 1, "authorization": None, "tracing": "",
                     "topic": "61" * 5000}}]}
    d = tmp_path / "vectors"
    d.mkdir()
    (d / "stateful-s2b.json").write_text(json.dumps(big))
    r = run_suite(saboteur("reject-all", "--vectors", str(d)), vectors=d)
    assert r.rc == 1, r
    m = re.search(r"input:\s+(\d+) characters, in full in (\S+);", r.out)
    assert m, r.out[-2000:]
    assert "fx-big.input.json" in m.group(2)


def test_junit_carries_the_verdict(run_suite, tmp_path):
    junit = tmp_path / "junit.xml"
    r = run_suite(saboteur("wrong-class"), "--area", "etag,auth", "--junitxml", str(junit))
    assert r.rc == 0, r
    props = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        props[case.get("name")] = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["fx-etag-duplicate-topic"]["verdict"] == "non-strict"
    assert props["fx-etag-empty"]["verdict"] == "pass"
    assert props["fx-bearer-ok"]["scope"] == "bearer:check"
    assert "non-strict (rejected with another error class)" in r.out
    assert "fx-etag-duplicate-topic (overflow)" in r.out


def test_per_type_capabilities_and_summary(run_suite, tmp_path):
    log = tmp_path / "sent.txt"
    r = run_suite(saboteur("honest", "--features", "stateful:s2b:SUBSCRIBE_EXACT,etag", "--log", str(log)))
    assert r.rc == 0, r
    sent = set(log.read_text().split())
    for v in fixture_vectors():
        rec = next(x for x in r.results["results"] if x["id"] == v["id"])
        in_scope = rec["scope"].startswith(("stateful:s2b:SUBSCRIBE_EXACT:", "stateful:s2b:*:")) \
            or rec["scope"] == "etag"
        assert (v["id"] in sent) == in_scope, (v["id"], rec["scope"])
        if not in_scope:
            assert rec["verdict"] == "unsupported" and rec["in_scope"] is False and rec["status"] == ""
    # fixtures: 8 SUBSCRIBE_EXACT vectors (2 implementation-defined), 2 with no or an unknown type
    assert re.search(r"^stateful-s2b SUBSCRIBE_EXACT\s+6\s+0\s+2\s+0\s+0$", r.out, re.M), r.out
    assert re.search(r"^stateful-s2b \(no or unknown type\)\s+2\s+0\s+0\s+0\s+0$", r.out, re.M), r.out
    assert re.search(r"^stateful-b2s \(4 undeclared types and inputs of no type\)\s+0\s+0\s+0\s+6\s+0$", r.out, re.M), r.out


def test_unusable_capabilities_are_a_harness_error(run_suite):
    r = run_suite(saboteur("honest", "--features", "stateful,telepathy:read"))
    assert r.rc == 2, r
    assert "'telepathy' is not one of" in r.out


def test_capabilities_must_name_real_types_and_operations(run_suite):
    for bad in ("stateful:s2b:SUBSCRIBE_EXCAT", "stateful:s2b:*", "hmac:nope", "stateful:s2b:NOTIFY:parse"):
        r = run_suite(saboteur("honest", "--features", f"etag,{bad}"))
        assert r.rc == 2, (bad, r)
        assert f"capability '{bad}' names no" in r.out, r.out


def test_encode_only_capabilities_get_no_decode_inputs_of_unknown_type(run_suite, tmp_path):
    log = tmp_path / "sent.txt"
    r = run_suite(saboteur("honest", "--features", "stateful:s2b:SUBSCRIBE_EXACT:encode", "--log", str(log)))
    assert r.rc == 0, r
    assert sorted(log.read_text().split()) == ["fx-s2b-subscribe-exact-expanded-encode",
                                               "fx-s2b-subscribe-exact-minimal-encode"]


def test_option_values_are_not_taken_for_test_paths(run_suite, tmp_path):
    junit = tmp_path / "junit.xml"
    for _ in range(2):  # the second time the file exists
        r = run_suite(saboteur("honest"), "--area", "etag", "--junitxml", str(junit))
        assert r.rc == 0, r
        assert len(r.verdicts) == 3
