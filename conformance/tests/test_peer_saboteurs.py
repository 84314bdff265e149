"""The broadcaster scenarios catch faulty broadcasters.

One lonelypss per authorization mode that a saboteur needs (none, hmac);
each saboteur (``lpsp_conformance.peer.saboteur``) is a proxy in front of it
that injects one fault. The peer runner, run as a user would (``python -m
lpsp_conformance.peer run --peer broadcaster ...``), must fail the scenarios
that should catch that fault (exit status 1, verdict "fail"), and the same
selection must pass against the plain lonelypss, so the failures are the
fault's and not lonelypss's (its known faults, the glob scenarios and
bcast-compression-training, are not selected).

The runs are independent, so they run a few at a time: the mute saboteur
mostly waits for its deadline.
"""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lpsp_conformance import REPO_ROOT

CODEC = REPO_ROOT / "build" / "lpsp"

if importlib.util.find_spec("lonelypss") is None:
    pytest.skip("lonelypss is not installed (pip install -e '.[peers]')", allow_module_level=True)
if not os.environ.get("LPSP_CODEC") and not CODEC.is_file():
    pytest.skip(f"the codec tool {CODEC} is not built (make build/lpsp)", allow_module_level=True)

from lpsp_conformance.peer import peers  # noqa: E402
from lpsp_conformance.peer.auth import AuthConfig  # noqa: E402

RUN_TIMEOUT = 90  # one runner subprocess at most (it bounds itself well below)

# fault -> (authorization mode, scenario ids that must fail, a word of every failure's
# detail, extra runner options)
SABOTEURS = {
    "drop-part": ("none", ["bcast-notify-stream", "bcast-counter-stream-parts", "bcast-notify-large"],
                  "RECEIVE_STREAM", []),
    "counter-per-stream": ("hmac", ["bcast-counter-stream-parts"], "§6.2 counter", []),
    "wrong-count": ("none", ["bcast-subscribe-exact", "bcast-deliver-several-subscribers",
                             "bcast-deliver-http-and-ws"], "subscribers is", []),
    "die-on-malformed": ("none", ["bcast-malformed-prefix-2"], "liveness round trip failed", []),
    # a broadcaster that never answers is a failure (a scenario deadline), not a harness error
    "mute": ("none", ["bcast-handshake-basic"], "within 5 s", ["--scenario-timeout", "5"]),
}
MODES_USED = sorted({m for m, _, _, _ in SABOTEURS.values()})


def _runner(base: str, auth: AuthConfig, ids, results: Path, extra):
    cmd = [sys.executable, "-m", "lpsp_conformance.peer", "run", "--peer", "broadcaster",
           "--ws-url", base.replace("http://", "ws://") + "/v1/websocket", "--http-url", base,
           "--capability", "http", "--auth", auth.mode, "--headers", "minimal",
           "--peer-expected-failures", "none", "--peer-results", str(results), *extra]
    if auth.mode != "none":
        cmd += ["--to-broadcaster", auth.to_broadcaster, "--to-subscriber", auth.to_subscriber]
    for i in ids:
        cmd += ["--id", i]
    return cmd


class Outcome:
    def __init__(self, name):
        self.name = name
        self.rc = None
        self.out = ""
        self.results = None
        self.proxy_rc = None
        self.proxy_tail = ""
        self.error = ""
        self.seconds = 0.0

    def verdicts(self):
        return {r["id"]: r.get("verdict") for r in (self.results or {}).get("results", [])}

    def details(self):
        return {r["id"]: r.get("detail", "") for r in (self.results or {}).get("results", [])}

    def __repr__(self):
        return (f"<{self.name}: rc={self.rc} proxy_rc={self.proxy_rc} in {self.seconds:.1f} s {self.error}>\n"
                f"{self.out[-4000:]}\nproxy output:\n{self.proxy_tail}")


def _run_cli(cmd, out: Outcome, results: Path):
    # its own session, so that a runner that overstays is killed with its codec
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out.out, _ = p.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out.out, _ = p.communicate(timeout=10)
        out.error = f"the runner did not finish within {RUN_TIMEOUT} s"
    out.rc = p.returncode
    if results.exists():
        out.results = json.loads(results.read_text())


def _job(name, broadcaster, auth: AuthConfig, ids, extra, tmp: Path, fault=None) -> Outcome:
    out = Outcome(name)
    t0 = time.monotonic()
    proxy = None
    try:
        base = broadcaster.base
        if fault is not None:
            proxy = peers.PeerProcess(
                [sys.executable, "-m", "lpsp_conformance.peer.saboteur", "--fault", fault,
                 "--upstream-ws", broadcaster.ws_url, "--upstream-http", broadcaster.base,
                 "--auth", auth.mode, "--idle-timeout", "60", "--lifetime", "300"],
                peers.peer_env(auth), f"saboteur {fault}")
            base = proxy.wait_ready(30)
        results = tmp / f"{name}.json"
        _run_cli(_runner(base, auth, ids, results, extra), out, results)
    except Exception as e:  # reported by the test of this job
        out.error = f"{type(e).__name__}: {e}"
    finally:
        if proxy is not None:
            out.proxy_rc = proxy.stop()
            out.proxy_tail = proxy.tail(30)
    out.seconds = time.monotonic() - t0
    return out


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("peer-saboteurs")
    auths = {m: AuthConfig.generate(m) for m in MODES_USED}
    started = {}
    errors = []
    lock = threading.Lock()

    def start(mode):
        try:
            b = peers.Lonelypss(auths[mode])
            with lock:
                started[mode] = b
        except Exception as e:
            errors.append(f"lonelypss ({mode}): {e}")

    threads = [threading.Thread(target=start, args=(m,)) for m in MODES_USED]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    try:
        if errors or len(started) != len(MODES_USED):
            pytest.fail("cannot start lonelypss: " + "; ".join(errors or ["timeout"]))
        jobs = []
        # the mute saboteur first: it waits for its deadline while the others run
        for fault in sorted(SABOTEURS, key=lambda f: f != "mute"):
            mode, ids, _, extra = SABOTEURS[fault]
            jobs.append((fault, started[mode], auths[mode], ids, extra, tmp, fault))
        for mode in MODES_USED:  # the same selections against the plain lonelypss
            ids = sorted({i for m, sel, _, _ in SABOTEURS.values() if m == mode for i in sel})
            jobs.append((f"plain-{mode}", started[mode], auths[mode], ids, [], tmp, None))
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(_job, *j) for j in jobs]
            done = [f.result() for f in futures]
        yield {o.name: o for o in done}
    finally:
        for b in started.values():
            b.stop()


@pytest.mark.parametrize("mode", MODES_USED)
def test_plain_lonelypss_passes_the_selections(outcomes, mode):
    o = outcomes[f"plain-{mode}"]
    assert not o.error and o.rc == 0, o
    ids = {i for m, sel, _, _ in SABOTEURS.values() if m == mode for i in sel}
    got = o.verdicts()
    assert set(got) == ids, o
    for sid in ids:
        assert got[sid] in ("pass", "implementation-defined"), (sid, o)


@pytest.mark.parametrize("fault", sorted(SABOTEURS))
def test_saboteur_is_caught(outcomes, fault):
    mode, ids, word, _ = SABOTEURS[fault]
    o = outcomes[fault]
    assert not o.error, o
    assert o.rc == 1, o            # conformance failures, not a harness error (2)
    got, details = o.verdicts(), o.details()
    for sid in ids:
        assert got.get(sid) == "fail", (sid, o)
        assert word in details[sid], (sid, details[sid], o)
    assert "harness-error" not in got.values(), o
    if fault == "die-on-malformed":
        assert o.proxy_rc == 3, o   # it died on the malformed frame, as it should
    else:
        assert o.proxy_rc == 0, o   # it stopped on SIGTERM
