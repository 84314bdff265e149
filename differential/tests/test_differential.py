"""Self-tests of the differential runner: classes, rules, exit status, inputs."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lpsp_conformance.differential import inputs as I
from lpsp_conformance.differential.explain import classify, explain, vector_explains
from lpsp_conformance.fuzz_targets import typed_input, typed_message

DIFF = Path(__file__).resolve().parents[1]
ROOT = DIFF.parent

FAKE = f"{sys.executable} {DIFF / 'tests' / 'fake_testee.py'}"
LPSP = ROOT / "build" / "lpsp"
SUB = "00010002000000000007666f6f2f626172"           # §5.1 SUBSCRIBE_EXACT


def run(tmp_path, a, b, lines, *extra):
    inp = tmp_path / "inputs.txt"
    inp.write_text("".join(f"{d} {h}\n" for d, h in lines))
    report = tmp_path / "report.jsonl"
    cmd = [sys.executable, "-m", "lpsp_conformance.differential", "--impl", a, "--impl", b, "--no-corpus",
           "--no-vectors", "--n", "0", "--roundtrip", "0", "--inputs", str(inp),
           "--report", str(report), "--summary", str(tmp_path / "s.json"),
           "--proposals", str(tmp_path / "p.json"), *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    rows = [json.loads(x) for x in report.read_text().splitlines()] if report.exists() else []
    return p, rows


def test_unexplained_disagreement_fails(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} accept", f"{FAKE} reject", [("s2b", SUB), ("b2s", SUB)],
                  "--no-compat")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "2 unexplained" in p.stdout
    assert [r["class"] for r in rows] == ["a-only", "a-only"]
    assert all(r["explained_by"] is None for r in rows)


def test_different_fields_fail(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} accept", f"{FAKE} accept-other", [("s2b", SUB)], "--no-compat")
    assert p.returncode == 1
    assert rows[0]["class"] == "accept-differ"


def test_agreement_passes(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} reject", f"{FAKE} reject", [("s2b", SUB), ("s2b", "00")],
                  "--no-compat")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rows == []
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["pairs"]["main"]["classes"]["agree-reject"] == 2


def test_quirk_rule_explains(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} trailing", f"{FAKE} accept", [("s2b", SUB + "aa")], "--no-compat")
    assert p.returncode == 0, p.stdout
    assert rows[0]["class"] == "b-only" and rows[0]["explained_by"] == "QK-11"


def test_rules_apply_in_either_order(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} accept", f"{FAKE} trailing", [("s2b", SUB + "aa")], "--no-compat")
    assert p.returncode == 0, p.stdout
    assert rows[0]["class"] == "a-only" and rows[0]["explained_by"] == "QK-11"


def test_compat_testee_vetoes_a_rule(tmp_path):
    # the strict side's error looks like QK-11, but a compat testee that does
    # not reproduce the reference shows something else is going on
    p, rows = run(tmp_path, f"{FAKE} trailing", f"{FAKE} accept", [("s2b", SUB + "aa")],
                  "--compat-impl", f"{FAKE} reject")
    assert p.returncode == 1
    main = [r for r in rows if r["pair"] == "main"][0]
    assert main["explained_by"] is None and "compat" in main["note"]
    assert [r["class"] for r in rows if r["pair"] == "compat"] == ["b-only"]


def test_crash_is_a_fault(tmp_path):
    p, rows = run(tmp_path, f"{FAKE} crash", f"{FAKE} accept", [("s2b", SUB), ("s2b", SUB + "00")],
                  "--no-compat")
    assert p.returncode == 1
    assert {r["class"] for r in rows} == {"fault"}


def test_unstartable_adapter_is_exit_2(tmp_path):
    p, _ = run(tmp_path, "/nonexistent/adapter", f"{FAKE} accept", [("s2b", SUB)], "--no-compat")
    assert p.returncode == 2


def test_roundtrip_failure_fails(tmp_path):
    # the fakes "encode" a message as its topic and decode anything as one
    # SUBSCRIBE_EXACT: the round trip cannot hold
    p, _ = run(tmp_path, f"{FAKE} accept", f"{FAKE} accept", [], "--no-compat", "--roundtrip", "1")
    assert p.returncode == 1
    assert "round-trip failure" in p.stdout


@pytest.mark.skipif(not LPSP.exists(), reason="build/lpsp not built")
def test_real_codec_against_itself_and_compat(tmp_path):
    lines = [("s2b", SUB), ("s2b", SUB + "676172626167"), ("s2b", "ffff" + SUB[4:])]
    p, rows = run(tmp_path, "c", "c", lines, "--no-compat")
    assert p.returncode == 0 and rows == []
    # strict against compat: trailing bytes (QK-11) and flag bits (QK-21)
    p, rows = run(tmp_path, "c", "c-compat", lines, "--no-compat")
    assert p.returncode == 0, p.stdout
    assert sorted(r["explained_by"] for r in rows) == ["QK-11", "QK-21"]


def test_classify_and_vector_explanation():
    ok = {"status": "ok", "output": {"a": "5"}}
    assert classify(ok, {"status": "ok", "output": {"a": 5}}) == ("agree-accept", False)
    assert classify({"status": "rejected", "error": "x"}, {"status": "rejected", "error": "y"}) == \
        ("agree-reject", True)
    assert classify({"status": "fault"}, ok)[0] == "fault"
    vec = {"id": "v", "verdict": "implementation-defined",
           "outcomes": {"reference": {"accept": {"a": 5}}, "strict": {"reject": ["trailing_bytes"]},
                        "note": "n"}}
    rej = {"status": "rejected", "error": "trailing_bytes", "detail": ""}
    assert vector_explains(vec, rej, ok)
    assert not vector_explains(vec, rej, {"status": "ok", "output": {"a": 6}})
    ex = explain("s2b", bytes.fromhex(SUB), "b-only", rej, {"status": "ok", "output": {"a": 6}},
                 strict_side="a", rules_apply=False, vectors=[vec])
    assert ex.by == ""            # no rule in compat, and the vector does not fit


def test_typed_corpus_file_reconstruction():
    # fuzz/oracle_stateful.c stateful_typed: selector byte, then headers and body
    assert typed_message(2, b"\x01abc") == b"\x00\x01\x00\x02abc"
    assert typed_message(2, b"\x00") == b"\x00\x00\x00\x02"
    assert typed_message(9, b"\x05x") == b"\xff\x05\x00\x09x"
    assert typed_message(2, b"") is None
    # and back: the corpus maker's encoding of a message for its typed target
    for data in (b"\x01abc", b"\x00", b"\x05x"):
        assert typed_input(typed_message(2, data), 2) == data
    assert typed_input(b"\x00\x01\x00\x03", 2) is None


def test_mutations_are_reproducible():
    targets = [t for t in I.load_targets() if t.name in ("s2b_notify", "b2s_any")]
    seeds = {"s2b_notify": [bytes.fromhex(SUB)], "b2s_any": [bytes.fromhex(SUB)]}
    a = I.mutated_inputs(targets, seeds, 50, 7)
    b = I.mutated_inputs(targets, seeds, 50, 7)
    c = I.mutated_inputs(targets, seeds, 50, 8)
    assert [x.data for x in a] == [x.data for x in b]
    assert [x.data for x in a] != [x.data for x in c]
    # typed targets keep their wire type
    assert all(x.data[2:4] == b"\x00\x06" for x in a if x.target == "s2b_notify" and len(x.data) >= 4)


def test_digest_fixup_makes_notify_consistent():
    body = b"hello"
    hdrs = [b"", b"", b"\x01", b"t", b"\x00", b"\x02", b"\x05", b"\x00" * 64]
    msg = b"\x00\x01\x00\x06" + b"".join(len(h).to_bytes(2, "big") + h for h in hdrs) + body
    p = I.parse("s2b", I.fixup_digests("s2b", msg))
    assert p.headers[7][1] == hashlib.sha512(body).digest()
    assert p.headers[5][1] == b"\x05" and p.body == body


def test_walk_finds_length_fields():
    f = I.walk(bytes.fromhex(SUB))
    assert [x.len_off for x in f] == [4, 6, 8]
    exp = bytes.fromhex("0000000200010000")   # expanded, 1 header, name of length 0, truncated
    assert [(x.len_off, x.what) for x in I.walk(exp)] == [(4, "count"), (6, "name")]


# ------------------------------------------------------------ text and computed ops

def run_ops(tmp_path, a, b, ops_inputs, *extra):
    """A run with only the given op inputs (no stateful inputs, no generated ones)."""
    f = tmp_path / "ops.jsonl"
    f.write_text("".join(json.dumps({"op": op, "input": inp}, ensure_ascii=False) + "\n"
                         for op, inp in ops_inputs))
    return run(tmp_path, a, b, [], "--no-compat", "--op-inputs", str(f), *extra)


def test_unexplained_op_disagreement_fails(tmp_path):
    # an ASCII integer that one side rejects: no quirk explains it
    p, rows = run_ops(tmp_path, f"{FAKE} py-int-ascii", f"{FAKE} reject", [("py_int", {"text": "42"})])
    assert p.returncode == 1, p.stdout + p.stderr
    assert "1 unexplained" in p.stdout
    assert [(r["op"], r["class"], r["explained_by"]) for r in rows] == [("py_int", "a-only", None)]
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["ops"]["unexplained"] == 1 and s["ops"]["per_op"]["py_int"]["a-only"] == 1


def test_op_different_outputs_fail(tmp_path):
    p, rows = run_ops(tmp_path, f"{FAKE} accept", f"{FAKE} accept-other", [("etag", {"url": ""})])
    assert p.returncode == 1
    assert rows[0]["class"] == "accept-differ" and rows[0]["explained_by"] is None


def test_explained_op_disagreement_passes(tmp_path):
    # QK-34: Arabic-Indic digits and a value beyond int64, read by Python int()
    inputs = [("py_int", {"text": "\u0664\u0662"}), ("py_int", {"text": "99999999999999999999"}),
              ("py_int", {"text": " 7 "}), ("py_int", {"text": "1__0"})]
    p, rows = run_ops(tmp_path, f"{FAKE} py-int-ascii", f"{FAKE} py-int-python", inputs)
    assert p.returncode == 0, p.stdout + p.stderr
    assert sorted((r["class"], r["explained_by"]) for r in rows) == \
        [("b-only", "QK-34 int64"), ("b-only", "QK-34 unicode")]
    uni = [r for r in rows if r["explained_by"] == "QK-34 unicode"][0]
    assert uni["counterfactual"] == {"text": "42"} and "checked" in uni["note"]
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["ops"]["classes"]["agree-accept"] == 1 and s["ops"]["classes"]["agree-reject"] == 1
    assert s["ops"]["explained"]["py_int"] == {"QK-34 unicode": 1, "QK-34 int64": 1}


def test_op_counterfactual_vetoes_a_rule(tmp_path):
    # the strict side rejects the Unicode digits like QK-34 says, but it also
    # rejects the same number in ASCII: the quirk is not the whole difference
    p, rows = run_ops(tmp_path, f"{FAKE} reject", f"{FAKE} py-int-python",
                      [("py_int", {"text": "\u0664\u0662"})])
    assert p.returncode == 1
    assert rows[0]["explained_by"] is None and "looks like QK-34 unicode" in rows[0]["note"]


def test_op_crash_is_a_fault(tmp_path):
    p, rows = run_ops(tmp_path, f"{FAKE} crash", f"{FAKE} py-int-python", [("py_int", {"text": "1"})])
    assert p.returncode == 1
    assert rows[0]["class"] == "fault"


@pytest.mark.skipif(not LPSP.exists(), reason="build/lpsp not built")
def test_real_codec_ops_against_itself(tmp_path):
    inputs = [("py_int", {"text": "\u0664\u0662"}), ("base64_lenient", {"text": "aGk=AAAA"}),
              ("ws_url", {"nonce_b64": "x", "counter": "-1"})]
    p, rows = run_ops(tmp_path, "c", "c", inputs)
    assert p.returncode == 0 and rows == []


def test_op_inputs_are_reproducible():
    from lpsp_conformance.differential import opinputs as OI
    seeds = {"py_int": [OI.OpInput("corpus", "py_int", {"text": "1_000"})],
             "hmac_parse_token": [OI.OpInput("corpus", "hmac_parse_token",
                                             {"authorization": "X-HMAC 1:a:b", "now": "1", "lifetime": "2"})]}
    a = OI.mutated_inputs(40, 3, seeds) + OI.generated_inputs(20, 3)
    b = OI.mutated_inputs(40, 3, seeds) + OI.generated_inputs(20, 3)
    c = OI.mutated_inputs(40, 4, seeds) + OI.generated_inputs(20, 4)
    assert [x.key() for x in a] == [x.key() for x in b]
    assert [x.key() for x in a] != [x.key() for x in c]
    assert {x.op for x in a} == set(OI.ALL_OPS)


def test_text_corpus_fields_follow_the_harness():
    from lpsp_conformance.differential import opinputs as OI
    # fuzz/oracle_text.c text_bearer: "token NUL authorization", else split in half
    assert OI._corpus_fields("bearer", "bearer_check", b"s3\x00Bearer s3") == \
        {"token": "s3", "authorization": "Bearer s3"}
    assert OI._corpus_fields("bearer", "bearer_check", b"abcd") == {"token": "ab", "authorization": "cd"}
    # hmac_token: byte 0 odd = lifetime 2^64-1, else byte * 1000
    t = OI._corpus_fields("hmac_token", "hmac_parse_token", b"\x01X-HMAC 1:a:b")
    assert t == {"authorization": "X-HMAC 1:a:b", "now": "1700000000", "lifetime": str((1 << 64) - 1)}
    assert OI._corpus_fields("hmac_token", "hmac_parse_token", b"\x02x")["lifetime"] == "2000"
    # etag_order: exact entries until 0x01, then globs
    e = OI._corpus_fields("etag_order", "etag", b"a\x00b\x01x\x00")
    assert [x["topic"] for x in e["exact"]] == ["61", "62"] and [x["glob"] for x in e["glob"]] == ["x", ""]
    # invalid UTF-8 cannot travel as a JSON string: U+FFFD
    assert OI._corpus_fields("py_int", "py_int", b"4\xff2") == {"text": "4\ufffd2"}


def test_unicode_int_folding():
    from lpsp_conformance.differential.explain import ascii_int, fold_unicode_int
    assert ascii_int(fold_unicode_int("\u00a0\u0664\u0662\u3000")) == 42
    assert ascii_int(fold_unicode_int("\U0001d7cf_\uff10")) == 10
    assert ascii_int(fold_unicode_int("\u00b2")) is None        # superscript two is no decimal digit
    assert ascii_int("\x1c42") is None                          # int() does not strip U+001C
