"""Mutation vectors (provenance "mutation"): the rows of the two case tables
and the example of every op in the format description become schema-valid
vectors with the conventional id, in the right area, with the verdict the
row states; a row the model disagrees with, or a malformed row, stops the
generator."""

import json
import os
import textwrap

import jsonschema
import pytest

from lpsp_conformance.gen import auth_cases, mutation_cases, stateful_cases
from lpsp_conformance.gen import mutation_codec_cases, mutation_lonelypsp_cases
from lpsp_conformance.gen.vec import Collector
from lpsp_conformance.protocol import auth_model
from lpsp_conformance.protocol.prim import pattern, sha512

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(os.path.dirname(HERE), "schema.json"), encoding="utf-8") as f:
    SCHEMA = json.load(f)
VECTOR = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/vector"})


def examples():
    """The EXAMPLES list of mutation_cases' docstring, evaluated."""
    doc = mutation_cases.__doc__
    block = textwrap.dedent(doc[doc.index("    EXAMPLES = ["):])
    ns = {"m": stateful_cases.m, "fields": auth_cases.fields, "SECRET": auth_cases.SECRET,
          "b64std": auth_model.b64std, "sign": auth_model.sign, "sha512": sha512,
          "pattern": pattern}
    exec(block, ns)
    return ns["EXAMPLES"]


def build(rows):
    col = Collector()
    for row in rows:
        mutation_cases.check(row, "test")
        vid = f"{mutation_cases.area_of(row)}-mutation-{row['slug']}"
        mutation_cases.OPS[row["op"]][1](col, vid, row, row["input"])
    return col


def vectors_of(col):
    return [(area, v) for area, vs in col.areas.items() for v in vs]


def test_examples_cover_every_op():
    assert {r["op"] for r in examples()} == set(mutation_cases.OPS)


@pytest.mark.parametrize("table", [mutation_codec_cases, mutation_lonelypsp_cases,
                                   "examples"], ids=["codec", "lonelypsp", "examples"])
def test_rows_become_mutation_vectors(table):
    rows = examples() if table == "examples" else table.CASES
    col = build(rows)
    got = vectors_of(col)
    assert len(got) == len(rows)
    for row, (area, v) in zip(rows, got):
        VECTOR.validate(v)
        assert v["provenance"] == "mutation"
        assert v["id"] == f"{area}-mutation-{row['slug']}"
        assert v["op"] == row["op"] and v["verdict"] == row["verdict"]
        assert v["refs"][:len(row["refs"])] == row["refs"]
    areas = {v["id"]: a for a, v in got}
    if table == "examples":
        assert areas["stateful-s2b-mutation-topic-len-258-short"] == "stateful-s2b"
        assert areas["stateful-b2s-mutation-confirm-notify-enc-65536"] == "stateful-b2s"
        assert areas["stateless-mutation-response-notify-256"] == "stateless"
        assert areas["etag-mutation-topic-prefix-of-next"] == "etag"
        assert areas["session-mutation-ws-url-256"] == "session"


def test_tracing_258_length_is_big_endian():
    # to_sign (§10.3.3): kind u8, timestamp u64, nonce length u8 + nonce,
    # tracing length u16 + tracing. The nonce is "abcdef" (6 bytes).
    col = build(mutation_codec_cases.CASES)
    v = next(v for _a, v in vectors_of(col) if v["id"] == "auth-mutation-to-sign-tracing-258")
    out = bytes.fromhex(v["expected"]["hex"])
    at = 1 + 8 + 1 + 6
    assert out[at:at + 2] == b"\x01\x02"
    assert out[at + 2:at + 2 + 258] == pattern(258)


def test_nonce_255_token_carries_the_whole_nonce():
    row = mutation_lonelypsp_cases.CASES[0]
    ts, nonce, code = row["input"]["authorization"][len("X-HMAC "):].split(":")
    assert nonce == "x" * 255 and ts == auth_cases.TS
    assert len(auth_model.b64_lenient(code)) == 64


def test_wrong_verdict_stops_the_generator():
    row = dict(mutation_codec_cases.CASES[0], verdict="invalid")
    with pytest.raises(AssertionError, match="auth-mutation-to-sign-tracing-258"):
        build([row])


@pytest.mark.parametrize("change,needle", [
    ({"op": "frobnicate"}, "op 'frobnicate'"),
    ({"verdict": "fine"}, "verdict 'fine'"),
    ({"refs": []}, "spec reference"),
    ({"expect": "valid"}, "keys must be exactly"),
])
def test_malformed_rows_are_refused(change, needle):
    row = {**mutation_codec_cases.CASES[0], **change}
    with pytest.raises(SystemExit, match=needle):
        mutation_cases.check(row, "mutation_codec_cases.py")


def test_slug_must_make_a_valid_id():
    row = dict(mutation_codec_cases.CASES[0], slug="Not_An_Id")
    with pytest.raises(AssertionError):
        build([row])
