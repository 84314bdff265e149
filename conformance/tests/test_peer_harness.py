"""Tests of the peer harness itself: the step language, the model of §10.3.4,
authorization through the codec, and the runner's expected-failure rules."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lpsp_conformance import REPO_ROOT
from lpsp_conformance.peer import model
from lpsp_conformance.peer.scenarios import all_scenarios, schema_path
from lpsp_conformance.peer.steps import STEPS

LPSP = REPO_ROOT / "build" / "lpsp"
needs_codec = pytest.mark.skipif(not LPSP.exists(), reason="build/lpsp is not built (make)")

S2B = {"CONFIGURE", "SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB", "UNSUBSCRIBE_EXACT", "UNSUBSCRIBE_GLOB",
       "NOTIFY", "NOTIFY_STREAM", "CONTINUE_RECEIVE", "CONFIRM_RECEIVE"}
B2S = {"CONFIRM_CONFIGURE", "CONFIRM_SUBSCRIBE_EXACT", "CONFIRM_SUBSCRIBE_GLOB",
       "CONFIRM_UNSUBSCRIBE_EXACT", "CONFIRM_UNSUBSCRIBE_GLOB", "CONFIRM_NOTIFY", "CONTINUE_NOTIFY",
       "RECEIVE_STREAM", "ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM", "MISSED"}


def test_model_covers_all_21_message_types():
    assert {t for d, t in model.AUTH if d == "s2b"} == S2B
    assert {t for d, t in model.AUTH if d == "b2s"} == B2S


def test_counter_table_matches_spec_6_2():
    """§6.2: which messages consume which counter (QK-27/28/29)."""
    counters = {k: v[1] for k, v in model.AUTH.items()}
    assert counters[("s2b", "NOTIFY")] is None and counters[("s2b", "NOTIFY_STREAM")] is None
    assert counters[("s2b", "CONFIGURE")] is None
    for t in ("SUBSCRIBE_EXACT", "UNSUBSCRIBE_GLOB", "CONTINUE_RECEIVE", "CONFIRM_RECEIVE"):
        assert counters[("s2b", t)] == "S"
    for t in ("RECEIVE_STREAM", "MISSED", "ENABLE_ZSTD_PRESET", "DISABLE_ZSTD_CUSTOM"):
        assert counters[("b2s", t)] == "B"
    assert counters[("b2s", "CONFIRM_SUBSCRIBE_GLOB")] == "request"
    assert counters[("b2s", "CONFIRM_NOTIFY")] is None


def test_schema_lists_exactly_the_engine_steps():
    schema = json.loads(schema_path().read_text())
    assert set(schema["$defs"]["step"]["properties"]["do"]["enum"]) == set(STEPS)


def test_every_step_is_used_by_some_scenario():
    used = set()

    def walk(steps):
        for s in steps:
            used.add(s["do"])
            walk(s.get("steps", []))
    for sc in all_scenarios():
        walk(sc["steps"])
    assert set(STEPS) - used == set(), "steps no scenario uses (delete them or add a scenario)"


def test_scenario_ids_are_unique_and_prefixed_by_role():
    seen = set()
    for sc in all_scenarios():
        assert sc["id"] not in seen
        seen.add(sc["id"])
        assert sc["id"].startswith("bcast-" if sc["area"] == "peer-broadcaster" else "sub-")


def test_implementation_defined_scenarios_offer_alternatives():
    def alternatives(steps):
        return any("one_of" in s or "outcomes" in s or alternatives(s.get("steps", [])) for s in steps)
    for sc in all_scenarios():
        assert (sc["verdict"] == "implementation-defined") == alternatives(sc["steps"]), sc["id"]


@needs_codec
@pytest.mark.parametrize("mode", ["token", "hmac"])
def test_authorizer_signs_what_it_verifies_and_refuses_bad_variants(mode):
    from lpsp_conformance.peer.auth import AuthConfig, Authorizer
    from lpsp_conformance.peer.codec import Codec
    with Codec() as codec:
        a = Authorizer(codec, AuthConfig.generate(mode))
        fields = {"url": "websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1",
                  "recovery": None, "topic": "666f6f"}
        good = a.sign("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields)
        assert a.verify("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, good) == "OK"
        # the other direction's secret does not verify it
        assert a.verify("to_subscriber", "SUBSCRIBE_EXACT", b"", fields, good) == "forbidden"
        wrong = a.sign("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, "wrong")
        assert a.verify("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, wrong) == "forbidden"
        assert a.verify("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, None) == "unauthorized"
        if mode == "hmac":
            other = dict(fields, url=fields["url"][:-1] + "2")  # the next counter's URL
            assert a.verify("to_broadcaster", "SUBSCRIBE_EXACT", b"", other, good) == "forbidden"
            old = a.sign("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, "expired")
            assert a.verify("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, old) == "forbidden"
            assert a.sign("to_broadcaster", "SUBSCRIBE_EXACT", b"", fields, "replay") == good


def _lonelypss_available():
    try:
        import lonelypss  # noqa: F401
    except ImportError:
        return False
    return LPSP.exists()


needs_peer = pytest.mark.skipif(not _lonelypss_available(), reason="lonelypss or build/lpsp missing")


def run_peer(tmp_path, *args, xfail_text=None):
    results = tmp_path / "results.json"
    cmd = [sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "lonelypss", "--auth", "none",
           "--backend", "sqlite-memory", "--headers", "minimal", "--peer-results", str(results), *args]
    if xfail_text is not None:
        xf = tmp_path / "xf.txt"
        xf.write_text(xfail_text)
        cmd += ["--peer-expected-failures", str(xf)]
    else:
        cmd += ["--peer-expected-failures", "none"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    doc = json.loads(results.read_text()) if results.exists() else None
    return p.returncode, p.stdout + p.stderr, doc


@needs_peer
def test_peer_run_passes_and_records_verdicts(tmp_path):
    rc, out, doc = run_peer(tmp_path, "--id", "bcast-handshake-basic", "--id", "bcast-subscribe-twice")
    assert rc == 0, out
    verdicts = {r["id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"bcast-handshake-basic": "pass", "bcast-subscribe-twice": "implementation-defined"}
    outcome = [r["outcome"] for r in doc["results"] if r["id"] == "bcast-subscribe-twice"]
    assert outcome in (["closes"], ["confirms"])
    md = (tmp_path / "results.md").read_text()
    assert "| `bcast-handshake-basic` | pass |" in md
    assert f"| `bcast-subscribe-twice` | impl-def: {outcome[0]} |" in md


@needs_peer
def test_expected_failure_that_passes_fails_the_run(tmp_path):
    rc, out, _ = run_peer(tmp_path, "--id", "bcast-handshake-basic",
                          xfail_text="bcast-handshake-basic  a reason\n")
    assert rc == 1, out
    assert "XPASS" in out or "xpass" in out.lower(), out


@needs_peer
def test_expected_failure_matching_no_run_is_rot(tmp_path):
    # bcast-auth-configure-wrong is not applicable without authorization: nothing ran
    rc, out, doc = run_peer(tmp_path, "--id", "bcast-auth-configure-wrong",
                            xfail_text="bcast-auth-configure-wrong@none-*  a reason\n")
    assert rc == 1, out
    assert doc["rotten_expected_failures"], out


@needs_peer
def test_expected_failure_naming_no_scenario_is_a_usage_error(tmp_path):
    rc, out, _ = run_peer(tmp_path, "--id", "bcast-handshake-basic", xfail_text="bcast-no-such-thing  why\n")
    assert rc == 2, out
    assert "names no scenario" in out


@needs_peer
def test_expected_failure_is_honoured(tmp_path):
    # lonelypss 0.0.12 never matches a glob on SQLite builds with LIKE_DOESNT_MATCH_BLOBS
    rc, out, doc = run_peer(tmp_path, "--id", "bcast-subscribe-glob",
                            xfail_text="bcast-subscribe-glob  sqlite glob\n")
    verdict = doc["results"][0]["verdict"]
    if verdict == "pass":  # a SQLite that matches: the entry is an unexpected pass
        assert rc == 1, out
    else:
        assert verdict == "expected-failure" and rc == 0, out


@needs_peer
def test_unknown_peer_is_a_usage_error(tmp_path):
    p = subprocess.run([sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "nonsense"],
                       capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert p.returncode == 2, p.stdout + p.stderr


@needs_peer
def test_external_subscriber_by_command_and_external_broadcaster_by_url(tmp_path):
    """The paths a third party uses: a subscriber started from a command template,
    a broadcaster given by its URLs (here the suite's own lonelypss and lonelypsc
    applications, started as if they were someone else's)."""
    from lpsp_conformance.peer.auth import AuthConfig
    from lpsp_conformance.peer.peers import Lonelypss
    cmd = f"{sys.executable} -m lpsp_conformance.peer.apps.lonelypsc_subscriber"
    res = tmp_path / "sub.json"
    p = subprocess.run([sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "subscriber",
                        "--peer-name", "mysub", "--subscriber-cmd", cmd, "--capability", "events",
                        "--headers", "minimal", "--id", "sub-deliver-exact", "--id", "sub-stream-sha",
                        "--peer-results", str(res)], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(res.read_text())
    assert {(r["impl"], r["id"], r["verdict"]) for r in doc["results"]} == {
        ("mysub", "sub-deliver-exact", "pass"), ("mysub", "sub-stream-sha", "pass")}
    auth = AuthConfig.generate("hmac")
    bcast = Lonelypss(auth)
    try:
        res = tmp_path / "bcast.json"
        p = subprocess.run([sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "broadcaster",
                            "--peer-name", "mybcast", "--ws-url", bcast.ws_url, "--http-url", bcast.base,
                            "--capability", "http", "--auth", "hmac", "--to-broadcaster", auth.to_broadcaster,
                            "--to-subscriber", auth.to_subscriber, "--headers", "expanded",
                            "--id", "bcast-counter-stream-parts", "--id", "bcast-auth-subscribe-wrong",
                            "--id", "bcast-compression-announce", "--peer-results", str(res)],
                           capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    finally:
        bcast.stop()
    assert p.returncode == 0, p.stdout + p.stderr
    verdicts = {r["id"]: r["verdict"] for r in json.loads(res.read_text())["results"]}
    # compression was not declared: not applicable, never a pass
    assert verdicts == {"bcast-counter-stream-parts": "pass", "bcast-auth-subscribe-wrong": "pass",
                        "bcast-compression-announce": "not-applicable"}


@needs_codec
def test_harness_refuses_a_replayed_hmac_code():
    from lpsp_conformance.peer.auth import AuthConfig, Authorizer
    from lpsp_conformance.peer.codec import Codec
    with Codec() as codec:
        a = Authorizer(codec, AuthConfig.generate("hmac"))
        tok = a.sign("to_subscriber", "MISSED", b"", {"recovery": "r", "topic": "666f6f"})
        assert a.verify("to_subscriber", "MISSED", b"", {"recovery": "r", "topic": "666f6f"}, tok) == "OK"
        assert a.verify("to_subscriber", "MISSED", b"", {"recovery": "r", "topic": "666f6f"},
                        tok).startswith("forbidden")
        # the same fields signed again get a fresh nonce and verify
        tok2 = a.sign("to_subscriber", "MISSED", b"", {"recovery": "r", "topic": "666f6f"})
        assert tok2 != tok
        assert a.verify("to_subscriber", "MISSED", b"", {"recovery": "r", "topic": "666f6f"}, tok2) == "OK"


def test_secrets_beginning_with_a_dash_reach_the_options():
    """An HMAC secret is URL-safe base64 and may begin with "-" (or "-s...",
    which pytest would read as its -s option): given as a word of its own after
    --to-broadcaster/--to-subscriber it must still be the option's value."""
    from lpsp_conformance.peer import fuzz
    from lpsp_conformance.peer.auth import join_secret_options
    tb, ts = "-sKzlOmMAR36ejvIja9759gf7SD9", "--x-QlS7VkNj"
    assert join_secret_options(["--to-broadcaster", tb, "-x", "--to-subscriber", ts, "--to-subscriber"]) == [
        f"--to-broadcaster={tb}", "-x", f"--to-subscriber={ts}", "--to-subscriber"]
    args = fuzz.parse_args(["--ws-url", "ws://127.0.0.1:1/ws", "--auth", "hmac",
                            "--to-broadcaster", tb, "--to-subscriber", ts])
    assert (args.to_broadcaster, args.to_subscriber) == (tb, ts)
    # the pytest side: lpsp-peer run reads the secrets as the plugin's options
    p = subprocess.run([sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "broadcaster",
                        "--ws-url", "ws://127.0.0.1:9/ws", "--auth", "hmac", "--to-broadcaster", tb,
                        "--to-subscriber", ts, "--collect-only", "-k", "no-such-scenario"],
                       capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert "ignored explicit argument" not in p.stderr + p.stdout, p.stderr + p.stdout
    assert "usage:" not in p.stderr, p.stderr
