"""The driver: a forked child process that owns the adapter.

The child walks the selected vectors in run order, one request at a time
(the testee protocol is strictly request/response), judges each response and
streams the judgements back over a pipe, while the pytest process reports the
previous ones. Runner bookkeeping and adapter work then use both cores, and
neither waits for the other's scheduling. The child also owns robustness:
timeouts, crash detection, restarts, the "stopped answering" abort.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import traceback
from typing import Any, Dict, List, Optional, Tuple

from . import PASS, UNSUPPORTED
from .scope import covers, parse_capabilities
from .testee import AdapterFault, HandshakeError, Testee
from .verdict import Judgement, fault_judgement, judge

MAX_CONSECUTIVE_TIMEOUTS = 3
_TOKEN = re.compile(r"[A-Za-z0-9_.-]+\Z")


class DriverError(Exception):
    """The driver could not start the adapter, or died."""


class Driver:
    def __init__(self, argv: List[str], vectors: List[Dict[str, Any]], *, timeout: float,
                 startup_timeout: float, max_restarts: int, cwd: Optional[str] = None):
        self.argv = argv
        self.vectors = vectors
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.max_restarts = max_restarts
        self.cwd = cwd
        self.pid: Optional[int] = None
        self.rfile = None
        self.restarts = 0
        self.hello: Dict[str, Any] = {}

    # -- parent side --------------------------------------------------------------

    def start(self) -> Dict[str, Any]:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                self._child(w)
            except BaseException:
                code = 1
                try:
                    os.write(w, (json.dumps({"fatal": traceback.format_exc()}) + "\n").encode())
                except OSError:
                    pass
            finally:
                os._exit(code)
        os.close(w)
        self.pid = pid
        self.rfile = os.fdopen(r, "rb", buffering=1 << 16)
        msg = self._next()
        if "hello" not in msg:
            self.stop()
            raise DriverError(msg.get("error") or msg.get("fatal") or "driver ended before the handshake")
        self.hello = msg["hello"]
        return self.hello

    def _next(self) -> Dict[str, Any]:
        line = self.rfile.readline() if self.rfile else b""
        if not line:
            return {"fatal": "driver process ended unexpectedly"}
        return json.loads(line)

    def result(self, i: int) -> Tuple[Judgement, float, Optional[str]]:
        """The judgement of vector i (results arrive in order)."""
        line = self.rfile.readline() if self.rfile else b""
        if line[:1] == b"P":  # a pass: "P <i> <seconds> <restarts> <status> <error class or ->"
            _, idx, t, n, status, err = line.split()
            if int(idx) != i:
                raise DriverError(f"driver answered vector #{int(idx)} when #{i} was due")
            self.restarts = int(n)
            return Judgement(PASS, status.decode(), None if err == b"-" else err.decode()), float(t), None
        msg = json.loads(line) if line else {"fatal": "driver process ended unexpectedly"}
        if "fatal" in msg:
            raise DriverError(msg["fatal"])
        if msg.get("i") != i:
            raise DriverError(f"driver answered vector #{msg.get('i')} when #{i} was due")
        self.restarts = msg.get("n", self.restarts)
        j = Judgement(msg["v"], msg.get("s", ""), msg.get("e"), msg.get("o"), msg.get("r", ""),
                      msg.get("a"), msg.get("d") or [], not msg.get("u"))
        return j, msg.get("t", 0.0), msg.get("x")

    def stop(self) -> None:
        if self.rfile is not None:
            self.rfile.close()  # the child's next write fails: it stops its adapter and exits
            self.rfile = None
        if self.pid is not None:
            deadline = time.monotonic() + self.timeout + 2
            while True:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    break
                time.sleep(0.01)
            self.pid = None

    # -- child side -----------------------------------------------------------------

    def _child(self, w: int) -> None:
        out = os.fdopen(w, "wb", buffering=1 << 16)

        def send_raw(text: str) -> None:
            out.write(text.encode("utf-8"))
            if pending[0] >= 64:
                out.flush()
                pending[0] = 0
            pending[0] += 1

        def send(obj: Dict[str, Any]) -> None:
            out.write((json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            out.flush()
            pending[0] = 0

        pending = [0]

        testee = Testee(self.argv, timeout=self.timeout, startup_timeout=self.startup_timeout, cwd=self.cwd)
        try:
            hello = testee.start()
        except HandshakeError as e:
            send({"error": str(e)})
            return
        caps, problems = parse_capabilities(hello.get("features") or [])
        if problems:
            testee.stop()
            send({"error": "the handshake declares unusable capabilities: " + "; ".join(problems)})
            return
        try:
            send({"hello": hello})
            timeouts = 0
            for i, v in enumerate(self.vectors):
                t = time.perf_counter()
                abort = None
                scope = v.get("_scope") or v.get("feature") or ""
                if not covers(caps, scope):
                    j = Judgement(UNSUPPORTED, "", reason=f"{scope} is not within the declared capabilities",
                                  in_scope=False)
                else:
                    try:
                        resp = testee.request(v.get("op", ""), v.get("input"), v["id"])
                    except AdapterFault as fault:
                        j = fault_judgement(fault.kind, fault.detail + testee.stderr_note())
                        timeouts = timeouts + 1 if fault.kind == "timeout" else 0
                        abort = self._restart(testee, v["id"], fault, timeouts)
                    else:
                        timeouts = 0
                        try:
                            j = judge(v, resp)
                        except Exception as e:
                            j = Judgement("fail", str(resp.get("status")), reason=f"cannot judge response: {e!r}",
                                          actual=resp)
                if j.verdict == PASS and not abort and j.status in ("ok", "rejected") \
                        and (j.error is None or _TOKEN.match(j.error)):
                    send_raw(f"P {i} {time.perf_counter() - t:.6f} {testee.restarts} {j.status} {j.error or '-'}\n")
                    continue
                msg: Dict[str, Any] = {"i": i, "v": j.verdict, "t": time.perf_counter() - t, "n": testee.restarts}
                if j.status:
                    msg["s"] = j.status
                if j.error is not None:
                    msg["e"] = j.error
                if j.outcome is not None:
                    msg["o"] = j.outcome
                if j.reason:
                    msg["r"] = j.reason
                if not j.in_scope:
                    msg["u"] = 1
                if j.verdict != PASS:
                    msg["a"] = j.actual
                    if j.diffs:
                        msg["d"] = j.diffs
                if abort:
                    msg["x"] = abort
                send(msg)
                if abort:
                    break
            out.flush()
        except (BrokenPipeError, OSError):
            pass  # the parent is gone or stopped early
        finally:
            testee.stop()

    def _restart(self, testee: Testee, vid: str, fault: AdapterFault, timeouts: int) -> Optional[str]:
        if timeouts >= MAX_CONSECUTIVE_TIMEOUTS:
            return f"adapter timed out on {timeouts} requests in a row (last: {vid}); it has stopped answering"
        if testee.restarts >= self.max_restarts:
            return f"adapter restarted {testee.restarts} times (--max-restarts); last fault on {vid}: {fault}"
        try:
            testee.restart()
        except HandshakeError as e:
            return f"adapter could not be restarted after a {fault.kind} on {vid}: {e}"
        return None
