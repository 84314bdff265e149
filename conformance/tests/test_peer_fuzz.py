"""Network fuzzing of a live peer (``lpsp_conformance.peer.fuzz``).

Without a network: the dictionary parser, the seed formats, the loopback
guard, the mutators (deterministic for a seed) and the minimiser (ddmin and
the culprit search, with fake liveness oracles). Live (skipped without
lonelypss or the codec): a short run against lonelypss that must send frames
and bodies and pass its liveness checks, and a run against the saboteur that
dies on a malformed frame, which must be a finding.
"""

import asyncio
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lpsp_conformance import REPO_ROOT
from lpsp_conformance.peer import fuzz
from lpsp_conformance.peer.fuzz import (MAX_INPUT, BatchBuilder, Budget, Input, Mutator, Seeds, ddmin,
                                        find_culprit, length_positions, parse_dict, scenario_doc,
                                        scenario_for, shrink, typed_frame, urls_safe)

CODEC = REPO_ROOT / "build" / "lpsp"
LIVE = importlib.util.find_spec("lonelypss") is not None and (bool(os.environ.get("LPSP_CODEC"))
                                                             or CODEC.is_file())
LIVE_REASON = "needs lonelypss (pip install -e '.[peers]') and the codec tool (make build/lpsp)"


def u16(b: bytes) -> bytes:
    return len(b).to_bytes(2, "big") + b


def run(coro):
    return asyncio.run(coro)


# -- seeds and dictionaries ---------------------------------------------------------------

def test_parse_dict_escapes():
    text = '# comment\nname_7="\\x00\\x07x-topic"\n"plain"\nq="a\\"b\\\\c"\nbad line\nempty=""\n'
    assert parse_dict(text) == [b"\x00\x07x-topic", b"plain", b'a"b\\c']


def test_project_dictionaries_parse():
    toks = parse_dict((REPO_ROOT / "fuzz" / "dict" / "stateful.dict").read_text(encoding="utf-8"))
    assert b"\x00\x07x-topic" in toks and b"\x00\x01\x00\x06" in toks
    assert parse_dict((REPO_ROOT / "fuzz" / "dict" / "stateless.dict").read_text(encoding="utf-8"))


def test_typed_frame_writes_the_prefix_like_the_harness():
    assert typed_frame(6, b"\x01abc") == b"\x00\x01\x00\x06abc"
    assert typed_frame(2, b"\x00") == b"\x00\x00\x00\x02"
    assert typed_frame(9, b"\x05xy") == b"\xff\x05\x00\x09xy"
    assert typed_frame(1, b"") is None


def test_load_seeds_from_the_corpus():
    seeds = fuzz.load_seeds(REPO_ROOT / "corpus", REPO_ROOT / "fuzz" / "dict")
    frames, bodies = seeds.counts
    assert frames > 100 and bodies > 50
    assert seeds.frame_dict and seeds.body_dict
    for f in seeds.frames["s2b_notify"]:
        assert f[2:4] == b"\x00\x06"
    assert set(seeds.bodies) <= set(fuzz.BODY_PATHS)   # request bodies only, no responses
    for target, bs in seeds.bodies.items():
        assert all(urls_safe(fuzz.BODY_PATHS[target][1], b) for b in bs)


# -- loopback guard -----------------------------------------------------------------------

def _subscribe(url: bytes, recovery: bytes = b"") -> bytes:
    return u16(url) + u16(b"foo/bar") + u16(recovery) + u16(b"")


def _set(url: bytes, recoveries) -> bytes:
    body = u16(b"") + u16(url) + b"\x00" + bytes(64) + len(recoveries).to_bytes(4, "big")
    for i, r in enumerate(recoveries):
        body += u16(b"t%d" % i) + u16(r)
    return body + (0).to_bytes(4, "big")


@pytest.mark.parametrize("url,safe", [
    (b"http://127.0.0.1:3002/v1/receive", True),
    (b"http://127.0.0.1:3002", True),
    (b"https://127.0.0.1:3002/x?y#z", True),
    (b"http://example.com/v1/receive", False),
    (b"http://127.0.0.1:3003/v1/receive", False),
    (b"http://127.0.0.1:3002@example.com/", False),
    (b"http://127.0.0.1:3002/a@b", False),
    (b"http://127.0.0.1.example.com:3002/", False),
    (b"", False),
    (b"http://127.0.0.1:3002/\xff", True),      # not UTF-8: the broadcaster refuses the body
])
def test_urls_safe_subscribe(url, safe):
    assert urls_safe("/v1/subscribe/exact", _subscribe(url)) is safe
    assert urls_safe("/v1/subscribe/glob", _subscribe(b"http://127.0.0.1:3002/r", url or b"")) is (safe or url == b"")
    assert urls_safe("/v1/unsubscribe/exact", _subscribe(url))   # stores nothing


def test_urls_safe_cut_and_set_subscriptions():
    body = _subscribe(b"http://example.com/")
    assert urls_safe("/v1/subscribe/exact", body[:10])            # the URL field is cut: refused
    ok = b"http://127.0.0.1:3002/r"
    assert urls_safe("/v1/set_subscriptions", _set(ok, [ok, b""]))
    assert not urls_safe("/v1/set_subscriptions", _set(b"http://evil/", [ok]))
    assert not urls_safe("/v1/set_subscriptions", _set(ok, [ok, b"http://evil/"]))
    assert urls_safe("/v1/set_subscriptions", _set(ok, [b"http://evil/"])[:-10])


# -- mutations ---------------------------------------------------------------------------

def test_length_positions():
    minimal = b"\x00\x01\x00\x02" + u16(b"") + u16(b"") + u16(b"foo/bar")
    assert length_positions(minimal, "frame") == [4, 6, 8]
    expanded = b"\x00\x00\x00\x02" + b"\x00\x01" + u16(b"x-topic") + u16(b"abc")
    assert length_positions(expanded, "frame") == [4, 6, 15]
    assert length_positions(u16(b"ab") + u16(b""), "body") == [0, 4]
    assert length_positions(b"\x00\x01", "frame") == []


def _seeds() -> Seeds:
    frames = {"s2b_subscribe_exact": [b"\x00\x01\x00\x02" + u16(b"") + u16(b"") + u16(b"foo/bar")],
              "s2b_configure": [b"\x00\x01\x00\x01" + u16(b"") + u16(bytes(32)) + u16(b"\x00") * 3],
              "s2b_any": [bytes(range(40))]}
    bodies = {"sl_subscribe_exact": [_subscribe(b"http://127.0.0.1:3002/v1/receive")],
              "sl_notify": [u16(b"t") + bytes(64) + u16(b"") + b"\x04abcd" + (2).to_bytes(8, "big") + b"hi"]}
    return Seeds(frames, bodies, [b"\x00\x07x-topic", b"\xff\xff"], [b"\x00\x00"])


def _batch(seed: int, n: int = 300):
    return BatchBuilder(_seeds(), seed, http_share=0.3, pre_share=0.1, seq_share=0.1).batch(n)


def test_batches_are_deterministic_for_a_seed():
    a, b, c = _batch(7), _batch(7), _batch(8)
    assert a == b
    assert a != c
    kinds = {i.kind for i in a}
    assert kinds == {"frame", "body"}
    assert any(i.pre for i in a) and any(len(i.frames) > 1 for i in a if i.kind == "frame")
    assert all(i.size <= MAX_INPUT * 3 for i in a)
    seeds = {f for fs in _seeds().frames.values() for f in fs}
    assert sum(1 for i in a if i.kind == "frame" and i.frames[0] not in seeds) > 200   # mutated
    for i in a:
        if i.kind == "body":
            assert i.path in fuzz.PATH_BODY and urls_safe(i.path, i.body)


def test_every_mutation_is_deterministic_and_bounded():
    for op in Mutator.OPS:
        outs = []
        for _ in range(2):
            rng = random.Random(op)
            m = Mutator(rng, [b"TOKEN"], "frame", max_len=64)
            buf = bytearray(b"\x00\x01\x00\x02" + u16(b"") + u16(b"") + u16(b"foo/bar"))
            res = []
            for _ in range(50):
                buf = getattr(m, "_" + op)(bytearray(buf), lambda: b"OTHER")
                res.append(bytes(buf))
                if len(buf) > 64 or not buf:
                    buf = bytearray(b"\x00\x01\x00\x02" + u16(b"foo"))
            outs.append(res)
        assert outs[0] == outs[1], op
        assert len(set(outs[0])) > 1, op
    m = Mutator(random.Random(1), [], "frame", max_len=100)
    for _ in range(200):
        out, ops = m.mutate(bytes(90), lambda: bytes(90))
        assert len(out) <= 100 and 1 <= len(ops) <= 4


def test_length_tweak_hits_a_length_field():
    frame = b"\x00\x01\x00\x02" + u16(b"") + u16(b"") + u16(b"foo/bar")
    m = Mutator(random.Random(3), [], "frame")
    changed = set()
    for _ in range(200):
        out = bytes(m._length(bytearray(frame), lambda: b""))
        if len(out) == len(frame):
            changed |= {i for i in range(len(frame)) if out[i] != frame[i]}
    assert changed & {4, 5, 6, 7, 8, 9}


# -- minimisation -------------------------------------------------------------------------

def test_ddmin_finds_a_planted_killer_pattern():
    rng = random.Random(5)
    data = bytearray(rng.randbytes(3000).replace(b"K", b"k"))
    data[1234:1238] = b"KILL"
    calls = []

    async def oracle(d):
        calls.append(len(d))
        return b"KILL" in d

    budget = Budget(60, 5000)
    out = run(ddmin(bytes(data), oracle, budget))
    assert out == b"KILL"
    assert budget.tests == len(calls) < 400


def test_ddmin_keeps_every_needed_part_in_order():
    data = b"." * 100 + b"AB" + b"." * 300 + b"YZ" + b"." * 50

    async def oracle(d):
        return b"AB" in d and b"YZ" in d and d.index(b"AB") < d.index(b"YZ")

    assert run(ddmin(data, oracle, Budget(60, 5000))) == b"ABYZ"


def test_ddmin_on_tuples_and_empty_results():
    async def has3(xs):
        return 3 in xs

    assert run(ddmin(tuple(range(10)), has3, Budget(60, 1000))) == (3,)

    async def always(d):
        return True

    assert run(ddmin(b"abc", always, Budget(60, 1000))) == b""


def test_ddmin_respects_its_budget():
    async def slow_oracle(d):
        return b"KILL" in d

    budget = Budget(60, 7)
    out = run(ddmin(b"x" * 500 + b"KILL" + b"y" * 500, slow_oracle, budget))
    assert budget.tests <= 7
    assert b"KILL" in out               # never loses the property

    t = [0.0]
    clock_budget = Budget(10, 10 ** 6, clock=lambda: t[0])

    async def ticking(d):
        t[0] += 1.0                     # each test takes a "second"
        return b"KILL" in d

    run(ddmin(b"x" * 5000 + b"KILL", ticking, clock_budget))
    assert clock_budget.tests <= 11


def _inputs(n):
    return [Input("frame", (b"\x00\x01\x00\x02" + bytes([i]) * 8,), origin=str(i)) for i in range(n)]


def test_find_culprit_single_input():
    batch = _inputs(20)
    killer = batch[13]

    async def kills(inputs):
        return killer in inputs

    got, how = run(find_culprit(batch, kills, Budget(60, 1000)))
    assert got == [killer] and how == "single input"


def test_find_culprit_needs_two_inputs_in_order():
    batch = _inputs(30)
    first, second = batch[4], batch[11]

    async def kills(inputs):     # a state that one input sets up and a later one trips over
        return first in inputs and second in inputs and inputs.index(first) < inputs.index(second)

    got, how = run(find_culprit(batch, kills, Budget(60, 1000)))
    assert got == [first, second]
    assert "prefix of 12 inputs" in how


def test_find_culprit_not_reproduced():
    async def never(inputs):
        return False

    budget = Budget(60, 1000)
    got, how = run(find_culprit(_inputs(10), never, budget))
    assert got is None and "reproduced" in how
    assert budget.tests == 11           # each input, then the whole batch


def test_shrink_frames_and_bytes():
    frame_input = Input("frame", (b"first frame", b"0123\xde\xad4567", b"third"), pre=False)
    body_input = Input("body", path="/v1/notify", body=b"........ZZ.......")

    async def kills(inputs):
        f, b = inputs
        return any(b"\xde\xad" in fr for fr in f.frames) and b"ZZ" in b.body

    out = run(shrink([frame_input, body_input], kills, Budget(60, 2000)))
    assert out[0].frames == (b"\xde\xad",)
    assert out[1].body == b"ZZ" and out[1].path == "/v1/notify"


# -- reproducer scenarios -----------------------------------------------------------------

def test_reproducer_scenario_is_valid(tmp_path):
    from lpsp_conformance.peer.scenarios import load
    inputs = [Input("frame", (b"\x00\x01\x00\x02\x00",)),
              Input("frame", (b"\x00\x01\x00\x01", b"\x00\x00"), pre=True),
              Input("body", path="/v1/subscribe/exact", body=b"\x00\x01")]
    sc = scenario_for(inputs, "a planted input that kills the peer",
                      answers=lambda fr: "CONFIRM_SUBSCRIBE_EXACT")
    assert sc["id"].startswith("bcast-fuzz-") and len(sc["id"]) == len("bcast-fuzz-") + 8
    assert sc["provenance"] == "fuzz" and sc["verdict"] == "implementation-defined"
    assert "§4.7" in sc["refs"] and sc["requires"] == ["http"]
    assert [s["do"] for s in sc["steps"]] == ["handshake", "send_raw", "expect", "connect", "send_raw",
                                              "send_raw", "expect", "http_raw", "alive"]
    assert sc["steps"][2]["one_of"]["answers"] == {"type": "CONFIRM_SUBSCRIBE_EXACT"}
    p = tmp_path / f"{sc['id']}.json"
    p.write_text(json.dumps(scenario_doc(sc)), encoding="utf-8")
    doc = load(p)                       # the peer schema and the loader's own checks
    assert doc["scenarios"][0]["id"] == sc["id"]
    # the id names the content, not where it came from
    assert fuzz.finding_id([Input("frame", (b"x",), origin="a")]) == \
        fuzz.finding_id([Input("frame", (b"x",), origin="b")])


def test_input_json_round_trip():
    for inp in (Input("frame", (b"\x00\x01", b""), pre=True, origin="o"),
                Input("body", path="/v1/notify", body=b"\x01\x02", headers=(("Repr-Digest", "x"),))):
        assert Input.from_json(json.loads(json.dumps(inp.to_json()))) == inp


def test_command_line_refuses_non_loopback_targets():
    with pytest.raises(SystemExit):
        fuzz.parse_args(["--ws-url", "ws://example.com/v1/websocket"])
    with pytest.raises(SystemExit):
        fuzz.parse_args(["--http-url", "http://127.0.0.1:1"])
    args = fuzz.parse_args(["--seconds", "3", "--seed", "9"])
    assert args.seconds == 3 and args.seed == 9 and args.batch == 50 and args.auth == "none"


# -- live --------------------------------------------------------------------------------

def _fuzz_cli(args, timeout=150):
    cmd = [sys.executable, "-m", "lpsp_conformance.peer.fuzz", *args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate(timeout=10)
        out += f"\n(killed after {timeout} s)"
    return p.returncode, out


@pytest.mark.skipif(not LIVE, reason=LIVE_REASON)
def test_short_live_run_against_lonelypss(tmp_path):
    rc, out = _fuzz_cli(["--seconds", "8", "--seed", "11", "--batch", "30", "--out", str(tmp_path), "-q"])
    assert rc == 0, out
    summary = json.loads((tmp_path / "summary.json").read_text())
    st = summary["stats"]
    assert summary["seed"] == 11 and summary["findings"] == [], out
    assert st["frames_sent"] > 0 and st["bodies_sent"] > 0, out
    assert st["liveness_passed"] >= st["batches"] >= 1 and st["liveness_failed"] == 0, out
    assert st["restarts"] == 0
    assert "frames sent" in out and "liveness checks" in out


@pytest.mark.skipif(not LIVE, reason=LIVE_REASON)
def test_a_broadcaster_that_dies_is_a_finding(tmp_path):
    """The saboteur proxy that exits on the first malformed frame, as an external
    broadcaster: the first batch kills it, liveness fails, it does not come back."""
    from lpsp_conformance.peer import peers
    from lpsp_conformance.peer.auth import AuthConfig
    auth = AuthConfig.generate("none")
    lp = peers.Lonelypss(auth)
    proxy = None
    try:
        proxy = peers.PeerProcess(
            [sys.executable, "-m", "lpsp_conformance.peer.saboteur", "--fault", "die-on-malformed",
             "--upstream-ws", lp.ws_url, "--upstream-http", lp.base, "--auth", "none",
             "--idle-timeout", "60", "--lifetime", "120"], peers.peer_env(auth), "saboteur")
        base = proxy.wait_ready(30)
        rc, out = _fuzz_cli(["--ws-url", base.replace("http://", "ws://") + "/v1/websocket",
                             "--http-url", base, "--seconds", "30", "--seed", "3", "--batch", "20",
                             "--recover-seconds", "2", "--out", str(tmp_path), "-q"])
        proxy_rc = proxy.proc.wait(10)
    finally:
        if proxy is not None:
            proxy.stop()
        lp.stop()
    assert rc == 1, out
    assert proxy_rc == 3, out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert len(summary["findings"]) == 1, out
    f = summary["findings"][0]
    assert f["kind"] == "unresponsive" and f["reproduced"] is False and f["batch_number"] == 1, f
    batch = json.loads(Path(f["batch_file"]).read_text())
    assert len(batch["inputs"]) == 20 and batch["seed"] == 3
    assert summary["stats"]["liveness_failed"] >= 1
    assert "findings         1" in out
