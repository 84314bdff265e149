"""Client side of the testee protocol: one long-lived adapter process.

The runner owns robustness. Every request has a deadline; a crash (EOF,
broken pipe, exit), a timeout, a line that is not a JSON object, or a response
with the wrong id is reported as an :class:`AdapterFault` for that one request,
after which the caller restarts the adapter with :meth:`Testee.restart`.
"""

from __future__ import annotations

import collections
import json
import os
import select
import subprocess
import threading
import time
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from . import PROTOCOL_VERSION


class AdapterFault(Exception):
    """The adapter misbehaved while answering one request."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # crash | timeout | garbage | wrong-id | bad-response
        self.detail = detail


class HandshakeError(Exception):
    """The adapter could not be started or did not complete the handshake."""


_VALID_STATUS = ("ok", "rejected", "unsupported")
# The error classes of TESTEE-PROTOCOL.md ("Error classes"); a rejection with
# any other class is a malformed answer, not a rejection.
ERROR_CLASSES = frozenset((
    "truncated", "bad_type", "bad_flags", "bad_header_name", "missing_header", "field_size", "bad_utf8",
    "length_mismatch", "hash_mismatch", "trailing_bytes", "out_of_order", "invalid_value",
    "invalid_argument", "bad_base64", "unauthorized", "forbidden", "overflow"))


def response_problem(resp: Dict[str, Any]) -> Optional[str]:
    """Why an answer to a request is malformed, or None when it is well formed."""
    status = resp.get("status")
    if status not in _VALID_STATUS:
        return f"status {status!r} is not ok/rejected/unsupported"
    if status == "ok" and "output" not in resp:
        return "status ok without output"
    if status == "rejected":
        err = resp.get("error")
        if not isinstance(err, str):
            return "status rejected without an error class"
        if err not in ERROR_CLASSES:
            return f"error class {err!r} is not one of TESTEE-PROTOCOL.md's error classes"
    return None


class Testee:
    """A running adapter. Not thread-safe; one request at a time."""

    def __init__(self, argv: List[str], *, timeout: float = 5.0,
                 startup_timeout: float = 30.0, cwd: Optional[str] = None,
                 env: Optional[Dict[str, str]] = None, stderr_lines: int = 40):
        self.argv = list(argv)
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        self.env = env
        self.proc: Optional[subprocess.Popen] = None
        self.hello: Dict[str, Any] = {}
        self.restarts = 0
        self.requests = 0
        self._next_id = 1
        self._buf = bytearray()
        self._in_fd = self._out_fd = -1
        self._sel: Optional[Any] = None    # select.poll() of the adapter's stdout
        self._wsel: Optional[Any] = None   # and of its stdin
        self._stderr: Deque[str] = collections.deque(maxlen=stderr_lines)
        self._stderr_thread: Optional[threading.Thread] = None
        # called with (">", line) for every request and ("<", line) for every
        # response line, when set (lpsp-conformance replay prints the exchange)
        self.trace: Optional[Callable[[str, bytes], None]] = None

    # -- process management -------------------------------------------------

    def start(self) -> Dict[str, Any]:
        """Starts the adapter and performs the handshake; returns the hello output."""
        self.launch()
        return self.handshake()

    def launch(self) -> None:
        """Starts the adapter process (the handshake is :meth:`handshake`)."""
        try:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, cwd=self.cwd, env=self.env, bufsize=0)
        except OSError as e:
            raise HandshakeError(f"cannot start adapter {self.argv!r}: {e}") from e
        self._buf = bytearray()
        self._in_fd = self.proc.stdin.fileno()
        self._out_fd = self.proc.stdout.fileno()
        # both ends non-blocking: a read tries first and waits only when
        # nothing is there yet; a write to an adapter that stopped reading
        # must time out, not block the runner forever
        os.set_blocking(self._out_fd, False)
        self._sel = select.poll()
        self._sel.register(self._out_fd, select.POLLIN)
        os.set_blocking(self._in_fd, False)
        self._wsel = select.poll()
        self._wsel.register(self._in_fd, select.POLLOUT)
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, args=(self.proc.stderr,), daemon=True)
        self._stderr_thread.start()

    def handshake(self) -> Dict[str, Any]:
        """The hello exchange with a launched adapter; returns its output."""
        try:
            resp = self._exchange({"id": 0, "op": "hello", "protocol": PROTOCOL_VERSION},
                                  self.startup_timeout)
        except AdapterFault as e:
            self.stop()
            raise HandshakeError(f"handshake failed ({e}){self.stderr_note()}") from e
        out = resp.get("output")
        problems = []
        if resp.get("status") != "ok":
            problems.append(f"status {resp.get('status')!r} ({resp.get('detail', '')})")
        if not isinstance(out, dict):
            problems.append("no output object")
            out = {}
        else:
            if out.get("protocol") != PROTOCOL_VERSION:
                problems.append(f"protocol {out.get('protocol')!r}, runner speaks {PROTOCOL_VERSION}")
            feats = out.get("features")
            if not isinstance(feats, list) or not all(isinstance(f, str) for f in feats):
                problems.append("features must be a list of strings")
            for key in ("name", "version"):
                if not isinstance(out.get(key), str) or not out.get(key):
                    problems.append(f"{key} must be a non-empty string")
            # optional and informative: which functions answer each capability
            eps = out.get("entry_points")
            if eps is not None and not (isinstance(eps, dict) and all(
                    isinstance(v, list) and all(isinstance(x, str) for x in v) for v in eps.values())):
                problems.append("entry_points must be an object of lists of strings")
        if problems:
            self.stop()
            raise HandshakeError("handshake rejected: " + "; ".join(problems) + self.stderr_note())
        self.hello = out
        return out

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        self._sel = self._wsel = None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except Exception:
            pass
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            proc.kill()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        for f in (proc.stdout, proc.stderr):
            try:
                f.close()
            except Exception:
                pass

    def restart(self) -> Dict[str, Any]:
        """Kills the current process (if any) and starts a fresh one."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
        self.stop()
        self.restarts += 1
        return self.start()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- requests -------------------------------------------------------------

    def request(self, op: str, input: Any, vector: str = "") -> Dict[str, Any]:
        """Sends one request and returns the validated response object.

        Raises AdapterFault when the adapter crashes, hangs or answers with
        something that is not a response to this request.
        """
        if self.proc is None:
            raise AdapterFault("crash", "adapter is not running")
        return self.receive(self.send(self.prepare(op, input, vector)))

    # A request in three steps, so that a caller can do other work while the
    # adapter answers (the driver judges the previous vector meanwhile):
    # prepare() numbers and encodes it, send() writes it, receive() waits for
    # and checks the answer. Requests are numbered in the order prepared and
    # must be sent in that order, each after the previous answer.

    def prepare(self, op: str, input: Any, vector: str = "") -> Tuple[int, bytes]:
        """(request id, the request line) of the next request."""
        rid = self._next_id
        self._next_id += 1
        return rid, request_line(make_request(rid, op, input, vector))

    def send(self, prepared: Tuple[int, bytes]) -> Tuple[int, float]:
        """Writes a prepared request; returns (its id, its deadline)."""
        if self.proc is None:
            raise AdapterFault("crash", "adapter is not running")
        self.requests += 1
        rid, data = prepared
        deadline = time.monotonic() + self.timeout
        if self.trace is not None:
            self.trace(">", data)
        self._write_all(data, deadline, self.timeout)
        return rid, deadline

    def receive(self, sent: Tuple[int, float]) -> Dict[str, Any]:
        """The validated answer to a sent request."""
        rid, deadline = sent
        resp = self._answer(rid, deadline, self.timeout)
        problem = response_problem(resp)
        if problem:
            raise AdapterFault("bad-response", problem)
        return resp

    def _exchange(self, req: Dict[str, Any], timeout: float) -> Dict[str, Any]:
        data = request_line(req)
        deadline = time.monotonic() + timeout
        if self.trace is not None:
            self.trace(">", data)
        self._write_all(data, deadline, timeout)
        return self._answer(req["id"], deadline, timeout)

    def _answer(self, want: int, deadline: float, timeout: float) -> Dict[str, Any]:
        line = self._read_line(deadline, timeout)
        if self.trace is not None:
            self.trace("<", line)
        try:
            resp = _loads(line)
        except (UnicodeDecodeError, ValueError):
            raise AdapterFault("garbage", f"not a JSON line: {_clip(line)!r}")
        if not isinstance(resp, dict):
            raise AdapterFault("garbage", f"not a JSON object: {_clip(line)!r}")
        rid = resp.get("id")
        if rid != want or isinstance(rid, bool):
            raise AdapterFault("wrong-id", f"expected id {want}, got {rid!r}")
        return resp

    def _write_all(self, data: bytes, deadline: float, timeout: float) -> None:
        fd = self._in_fd
        try:
            n = os.write(fd, data)
        except BlockingIOError:
            n = 0
        except OSError:
            raise AdapterFault("crash", self._exit_text("adapter closed its input"))
        if n == len(data):
            return
        view = memoryview(data)[n:]
        while view:
            try:
                n = os.write(fd, view)
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AdapterFault("timeout", f"adapter did not read its input within {timeout:g} s")
                self._wsel.poll(min(remaining, 0.05) * 1000)
                continue
            except OSError:
                raise AdapterFault("crash", self._exit_text("adapter closed its input"))
            view = view[n:]

    def _read_line(self, deadline: float, timeout: float) -> bytes:
        buf = self._buf
        if buf:
            nl = buf.find(b"\n")
            if nl >= 0:
                line = bytes(buf[:nl])
                del buf[:nl + 1]
                return line
        fd = self._out_fd
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AdapterFault("timeout", f"no response within {timeout:g} s")
                self._sel.poll(remaining * 1000)
                continue
            if not chunk:
                raise AdapterFault("crash", self._exit_text("adapter closed its output"))
            nl = chunk.find(b"\n")
            if nl < 0:
                buf += chunk
                continue
            if not buf and nl == len(chunk) - 1:  # exactly one whole line: the usual answer
                return chunk[:-1]
            start = len(buf)
            buf += chunk
            nl += start
            line = bytes(buf[:nl])
            del buf[:nl + 1]
            return line

    def _exit_text(self, what: str) -> str:
        proc = self.proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            return what
        return f"{what}; exit status {code}"

    # -- stderr ---------------------------------------------------------------

    def _drain_stderr(self, f) -> None:
        try:
            for raw in iter(f.readline, b""):
                self._stderr.append(raw.decode("utf-8", "replace").rstrip("\n"))
        except Exception:
            pass

    def stderr_tail(self) -> List[str]:
        return list(self._stderr)

    def stderr_note(self) -> str:
        # a process that exited: let the drain thread reach EOF to get its last words
        if self._stderr_thread is not None and self.proc is not None and self.proc.poll() is not None:
            self._stderr_thread.join(timeout=0.5)
        tail = self.stderr_tail()
        if not tail:
            return ""
        return "\nadapter stderr (last lines):\n  " + "\n  ".join(tail[-10:])


def make_request(rid: int, op: str, input: Any, vector: str = "") -> Dict[str, Any]:
    """The request object of one vector (TESTEE-PROTOCOL.md)."""
    return {"id": rid, "vector": vector, "op": op, "input": input}


def _compact_encoder() -> Callable[[Any], str]:
    """json.dumps(obj, separators=(",", ":"), ensure_ascii=False), without
    building an encoder per call (a quarter of the cost of a small object)."""
    slow = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    try:
        from json.encoder import c_make_encoder, encode_basestring
        if c_make_encoder is None:
            raise ImportError
        c = c_make_encoder(None, slow.default, encode_basestring, None, ":", ",", False, False, True)
        probe = {"a": [1, 2.5, None, True, "é\"\n"], "b": {"c": -0.0}}
        if "".join(c(probe, 0)) != slow.encode(probe):
            raise ImportError
    except (ImportError, TypeError):
        return slow.encode

    def encode(obj: Any) -> str:
        if isinstance(obj, str):  # the C encoder takes containers
            return slow.encode(obj)
        return "".join(c(obj, 0))
    return encode


compact_json = _compact_encoder()
_DECODE = json.JSONDecoder().decode


def request_line(req: Dict[str, Any]) -> bytes:
    """The exact bytes written to the adapter for one request."""
    return (compact_json(req) + "\n").encode("utf-8")


def _loads(line: bytes) -> Any:
    # json.loads(bytes) also guesses UTF-16/32 and skips a BOM; an answer that
    # starts like a UTF-8 JSON object is decoded directly
    if line[:1] == b"{" and line[1:2] != b"\x00":
        return _DECODE(line.decode("utf-8"))
    return json.loads(line)


def _clip(b: bytes, n: int = 200) -> bytes:
    return b if len(b) <= n else b[:n] + b"..."
