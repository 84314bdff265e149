"""The Python reference adapter answers the fixture vectors with lonelypsp's own code."""

import json
import subprocess
import sys

import pytest
from conftest import CONFORMANCE, fixture_vectors

ADAPTER = [sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp"]


def test_reference_passes_the_fixtures(run_suite):
    r = run_suite("lonelypsp")
    assert r.rc == 0, r
    assert r.results["impl"]["adapter"] == "lonelypsp"
    eps = r.results["impl"]["entry_points"]          # recorded from the handshake
    assert "create_strong_etag_generator" in " ".join(eps["etag"])
    for v in fixture_vectors():
        got = r.verdicts[v["id"]]
        if v["feature"] == "stateless":
            assert got == "unsupported", v["id"]          # no stateless code in lonelypsp
        elif v["verdict"] == "implementation-defined":
            rec = next(x for x in r.results["results"] if x["id"] == v["id"])
            assert (got, rec.get("outcome")) == ("implementation-defined", "reference"), v["id"]
        else:
            assert got == "pass", v["id"]


def _ask(*reqs, env=None):
    lines = "".join(json.dumps(r) + "\n" for r in reqs)
    p = subprocess.run(ADAPTER, input=lines, capture_output=True, text=True, env=env,
                       timeout=60)
    return [json.loads(x) for x in p.stdout.splitlines()]


def test_error_classes_come_from_the_reference_exceptions():
    exp = "0000000200020009" + b"x-tracing".hex() + "0000" + "0005" + b"X-Top".hex() + "0000"
    resps = _ask(
        {"id": 1, "op": "decode", "input": {"direction": "s2b", "hex": "000100"}},
        {"id": 2, "op": "decode", "input": {"direction": "s2b", "hex": "0001ffff"}},
        {"id": 3, "op": "decode", "input": {"direction": "s2b", "hex": exp}},
        {"id": 4, "op": "decode", "input": {"direction": "s2b", "hex": "000000020001" + "0001ff0000"}},
        {"id": 5, "op": "stateless_decode", "input": {"body": "RESPONSE_GENERIC", "hex": "000300000000"}},
    )
    assert [r["id"] for r in resps] == [1, 2, 3, 4, 5]
    assert [r.get("error") for r in resps[:4]] == ["truncated", "bad_type", "missing_header", "bad_header_name"]
    assert resps[4]["status"] == "unsupported"


def test_source_checkout_override(tmp_path):
    import os
    fake = tmp_path / "src" / "lonelypsp"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('this checkout is broken on purpose')\n")
    env = dict(os.environ, LONELYPSP_SRC=str(tmp_path))
    (hello,) = _ask({"id": 0, "op": "hello", "protocol": 1}, env=env)
    assert hello["status"] != "ok" and "broken on purpose" in hello["detail"]


def test_source_checkout_is_used_alone(tmp_path):
    """A checkout laid out like the upstream repository (src/lonelypsp, a
    namespace package, pyproject.toml) replaces the installed copy entirely,
    even though namespace portions would otherwise merge."""
    import os
    import shutil

    import lonelypsp
    installed = next(iter(lonelypsp.__path__))
    shutil.copytree(installed, tmp_path / "src" / "lonelypsp", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lonelypsp"\nversion = "9.9.9"\n')
    env = dict(os.environ, LONELYPSP_SRC=str(tmp_path))
    hello, dec = _ask({"id": 0, "op": "hello", "protocol": 1},
                      {"id": 1, "op": "decode", "input": {"direction": "s2b",
                                                          "hex": "00010002000000000007666f6f2f626172"}},
                      env=env)
    assert hello["status"] == "ok", hello
    assert hello["output"]["version"] == f"9.9.9+source ({tmp_path / 'src'})"
    assert dec["status"] == "ok" and dec["output"]["topic"] == "666f6f2f626172", dec

    # a module only the installed copy has must not leak in
    os.remove(tmp_path / "src" / "lonelypsp" / "stateful" / "parser.py")
    (hello,) = _ask({"id": 0, "op": "hello", "protocol": 1}, env=env)
    assert hello["status"] != "ok" and "parser" in hello["detail"], hello


# ------------------------------------------------------------------ entry points

VECTORS = CONFORMANCE.parent / "vectors"


def _vector(vid):
    for name in ("etag.json", "auth.json", "stateful-s2b.json", "stateful-b2s.json"):
        doc = json.loads((VECTORS / name).read_text())
        for v in (doc["vectors"] if isinstance(doc, dict) else doc):
            if v["id"] == vid:
                return v
    raise KeyError(vid)


def test_handshake_lists_the_entry_points():
    (hello,) = _ask({"id": 0, "op": "hello", "protocol": 1})
    eps = hello["output"]["entry_points"]
    feats = hello["output"]["features"]
    for cap, names in eps.items():
        assert any(cap == f or cap.startswith(f + ":") for f in feats), cap
        assert names and all(isinstance(n, str) and n for n in names), cap
    assert any("make_strong_etag" in n for n in eps["etag"])
    assert any("create_strong_etag_generator" in n for n in eps["etag"])
    assert any("authorize_" in n for n in eps["hmac:sign"]) and any("sign()" in n for n in eps["hmac:sign"])
    assert any("is_*_allowed" in n for n in eps["hmac:verify"])
    assert len(eps["hmac:secret_decode"]) == 2 and len(eps["bearer:check"]) >= 3
    assert any("AnyMessageParser" in n and "wire's type" in n for n in eps["stateful"])
    assert any("S2B_MESSAGE_PARSERS" in n for n in eps["stateful"])


def test_a_malformed_entry_points_answer_is_a_handshake_error():
    from lpsp_conformance.testee import HandshakeError, Testee
    hello = {"id": 0, "status": "ok", "output": {"name": "x", "version": "1", "protocol": 1,
                                                 "features": ["etag"], "entry_points": {"etag": "one"}}}
    t = Testee([sys.executable, "-c", f"import sys; sys.stdin.readline(); print({json.dumps(json.dumps(hello))}, "
                                      "flush=True); sys.stdin.read()"])
    with pytest.raises(HandshakeError, match="entry_points"):
        t.start()
    hello["output"]["entry_points"] = {"etag": ["make_strong_etag"]}
    t = Testee([sys.executable, "-c", f"import sys; sys.stdin.readline(); print({json.dumps(json.dumps(hello))}, "
                                      "flush=True); sys.stdin.read()"])
    try:
        assert t.start()["entry_points"] == {"etag": ["make_strong_etag"]}
    finally:
        t.stop()


def _mutant(tmp_path, module, anchor, old, new):
    """A copy of the installed lonelypsp with one edit: the first `old` after
    `anchor` in `module` becomes `new`. Returns the environment to run it."""
    import os
    import shutil

    import lonelypsp
    installed = next(iter(lonelypsp.__path__))
    shutil.copytree(installed, tmp_path / "lonelypsp", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "lonelypsp" / module
    src = path.read_text()
    at = src.index(old, src.index(anchor))
    path.write_text(src[:at] + new + src[at + len(old):])
    return dict(os.environ, LONELYPSP_SRC=str(tmp_path))


def _answers(env, *vids):
    vs = [_vector(v) for v in vids]
    resps = _ask({"id": 0, "op": "hello", "protocol": 1},
                 *({"id": i, "op": v["op"], "input": v["input"]} for i, v in enumerate(vs, 1)), env=env)
    assert resps[0]["status"] == "ok", resps[0]
    return list(zip(vs, resps[1:]))


def _fails_naming(vector, resp, entry_point):
    """The answer fails the vector (whatever its verdict) and names the entry point."""
    assert resp["status"] == "ok", resp
    assert resp["output"] != vector.get("expected")
    assert entry_point in resp["output"]["entry_point_disagreement"]["entry_point"], resp


# Each case: one line of one entry point changed; the vector still passes through
# the other entry points, so only answering through all of them exposes it.
MUTANTS = {
    "streaming-etag-glob-marker": (
        "stateless/make_strong_etag.py", "def finish_topics", 'b"\\nGLOB"', 'b"\\nGLOBS"',
        ["etag-example", "etag-empty"], "create_strong_etag_generator"),
    "streaming-etag-single-topic-calls-dropped": (
        "stateless/make_strong_etag.py", "def add_topic", "if len(topic) == 0:", "if len(topic) <= 1:",
        ["etag-example"], "one add_topic/add_glob call per entry"),
    "authorize-timestamp": (
        "auth/helpers/hmac_auth_config.py", "async def authorize_subscribe_exact", "timestamp=int(now),",
        "timestamp=int(now) + 1,", ["hmac-sign-subscribe-exact", "hmac-to-sign-subscribe-exact"],
        "authorize (SUBSCRIBE_EXACT)"),
    "combined-config-delegation": (
        "auth/config.py", "class AuthConfigFromParts", "exact=exact, now=now", "exact=exact[1:], now=now",
        ["hmac-sign-subscribe-exact", "hmac-to-sign-subscribe-exact"], "AuthConfigFromParts authorize (SUBSCRIBE_EXACT)"),
    "subscriber-secret-length": (
        "auth/helpers/hmac_auth_config.py", "class ToSubscriberHmacAuth", "assert len(self.secret) == 64",
        "assert len(self.secret) > 0", ["hmac-secret-short"], "ToSubscriberHmacAuth"),
    "dispatch-table-off-by-one": (
        "stateful/parser.py", "class B2S_AnyMessageParser", "parser = _b2s_parser_lookup[type]",
        "parser = _b2s_parser_lookup[type - 1]", ["b2s-missed-min-basic", "b2s-confirm-configure-min-basic"],
        "parse_b2s_message_prefix + B2S_AnyMessageParser.parse"),
    "dispatch-past-the-table": (
        "stateful/parser.py", "class S2B_AnyMessageParser", "if type >= len(_s2b_parser_lookup):",
        "if type > len(_s2b_parser_lookup):", ["stateful-s2b-mutation-type-10"],
        "S2B_AnyMessageParser.parse with the wire's type as an int"),
    "dispatch-unsupported-type": (
        "stateful/parser.py", "class B2S_AnyMessageParser", 'raise ValueError(f"Message type {type} is not supported")',
        "pass", ["b2s-missed-min-basic-type-0"], "B2S_AnyMessageParser.parse with the wire's type as an int"),
    "one-token-verifier": (
        "auth/helpers/token_auth_config.py", "async def is_receive_allowed",
        "return self._check_header(authorization)", "return AuthResult.OK",
        ["bearer-wrong", "bearer-none"], "ToSubscriberTokenAuth is_allowed (RECEIVE)"),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_a_change_in_one_entry_point_fails_vectors(tmp_path, name):
    module, anchor, old, new, vids, entry_point = MUTANTS[name]
    env = _mutant(tmp_path, module, anchor, old, new)
    for v, resp in _answers(env, *vids):
        _fails_naming(v, resp, entry_point)


def test_the_unchanged_copy_passes_the_same_vectors(tmp_path):
    env = _mutant(tmp_path, "stateless/make_strong_etag.py", "def finish_topics", "", "")
    vids = sorted({v for case in MUTANTS.values() for v in case[4]})
    for v, resp in _answers(env, *vids):
        if v["verdict"] == "valid":
            assert resp == dict(resp, status="ok", output=v["expected"]), (v["id"], resp)
        else:
            assert resp["status"] == "rejected" and resp["error"] in v["errors"], (v["id"], resp)
