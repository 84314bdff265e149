"""The driver: a forked child process that owns the adapter.

The child walks the selected vectors in run order, one request at a time
(the testee protocol is strictly request/response), judges each response and
streams the judgements back over a pipe, while the pytest process reports the
previous ones. Runner bookkeeping and adapter work then use both cores, and
neither waits for the other's scheduling. The child also owns robustness:
timeouts, crash detection, restarts, the "stopped answering" abort.

Two ways to start it:

* with the vectors (``Driver(argv, vectors=...)``): forked once pytest's
  collection is over, it runs exactly those;
* with a :class:`Plan` (``Driver(argv, plan=...)``): forked as soon as the
  run's options are known, before pytest collects anything. The child starts
  the adapter and reads the vector files; for each it sends a *manifest*
  (per vector: id, feature, op, verdict, check family), from which pytest
  collects without parsing the files itself (``Driver.manifest``). Results
  that are not plain passes carry their whole vector. A *gated* plan then
  waits for the pytest process to send the selected vectors
  (``Driver.select``), so nothing outside the final selection is ever sent.
  A *speculative* plan (only when the options alone decide the selection: no
  ``-k``, ``-m``, ``--deselect``, test paths or plugins that could deselect)
  starts sending at once; the pytest process checks that the items it
  collected are exactly the plan before it reads any result, and every
  result names its vector.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import signal
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from . import PASS, UNSUPPORTED
from .scope import Scoper, covers, family_of, is_derived, parse_capabilities, quirk_refs
from .testee import AdapterFault, HandshakeError, Testee
from .vectors import VectorFileError, load_file, selects, vector_files
from .verdict import Judgement, fault_judgement, judge

MAX_CONSECUTIVE_TIMEOUTS = 3
_TOKEN = re.compile(r"[A-Za-z0-9_.-]+\Z")
_WORD = re.compile(r"[^\s]+\Z")
# The child writes results in chunks of about this size (fewer syscalls and
# wake-ups of the pytest process than a write per vector).
_CHUNK = 1 << 14


class DriverError(Exception):
    """The driver could not start the adapter, or died."""


class ManifestError(Exception):
    """The driver has no manifest of a file (it could not read it, or one
    before it: ``vector_error`` says why, when a file is not a vector file)."""

    def __init__(self, vector_error: Optional[str]):
        super().__init__(vector_error or "no manifest")
        self.vector_error = vector_error


def manifest_of(path: Path, doc: Dict[str, Any]) -> Dict[str, Any]:
    """What pytest needs of a vector file to collect it and record passes, in
    columns: the ids, the length of the id's derived_from prefix (0 when its
    family does not come from its derivation), and per vector the index of
    its (feature, op, verdict, provenance, quirk ref, deprecated, area) in a
    table of the distinct ones."""
    ids: List[str] = []
    bases: List[int] = []
    kinds: List[int] = []
    table: Dict[Tuple[Any, ...], int] = {}
    for v in doc["vectors"]:
        vid = v["id"]
        base = v.get("derived_from")
        if is_derived(vid, base):
            key = (v.get("feature"), v.get("op"), v.get("verdict"), None, False, bool(v.get("deprecated")),
                   v.get("_area"))
        else:
            base = None
            key = (v.get("feature"), v.get("op"), v.get("verdict"), v.get("provenance"), quirk_refs(v),
                   bool(v.get("deprecated")), v.get("_area"))
        k = table.get(key)
        if k is None:
            k = table[key] = len(table)
        ids.append(vid)
        bases.append(len(base) if base else 0)
        kinds.append(k)
    return {"path": str(path.resolve()), "area": doc["area"], "suite_version": doc.get("suite_version"),
            "ids": ids, "bases": bases, "kinds": kinds, "table": list(table)}


def doc_of_manifest(m: Dict[str, Any]) -> Dict[str, Any]:
    """A vector document from a manifest: each vector has the manifest's
    fields (and _area, _family); the rest arrives with a result that needs it."""
    table = m["table"]
    vectors = []
    for vid, n, k in zip(m["ids"], m["bases"], m["kinds"]):
        feature, op, verdict, provenance, quirk, deprecated, area = table[k]
        v = {"id": vid, "feature": feature, "op": op, "verdict": verdict, "_area": area,
             "_family": family_of(vid, vid[:n] if n else None, provenance, quirk)}
        if deprecated:
            v["deprecated"] = True
        vectors.append(v)
    return {"area": m["area"], "suite_version": m.get("suite_version"), "vectors": vectors}


class Plan:
    """The selection the run's own options make (areas, features, ids), in
    the canonical run order; what an early-started driver loads by itself."""

    def __init__(self, vectors_dir: Path, *, areas: Set[str], features: Set[str], exact_ids: Set[str],
                 id_globs: List[str], speculative: bool):
        self.vectors_dir = vectors_dir
        self.areas = areas
        self.features = features
        self.exact_ids = exact_ids
        self.id_globs = id_globs
        self.speculative = speculative

    def wants_file(self, path: Path) -> bool:
        return not self.areas or path.stem in self.areas

    def wants(self, v: Dict[str, Any]) -> bool:
        return not v.get("deprecated") and selects(v, self.features, self.exact_ids, self.id_globs)

    def load(self, on_file: Optional[Callable[[Path, Dict[str, Any]], None]] = None) \
            -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
        """(the planned vectors in run order, every non-deprecated vector);
        on_file(path, document) is called for each file as it is read, in the
        order pytest collects them (by name)."""
        files = vector_files(self.vectors_dir)
        docs: Dict[Path, Dict[str, Any]] = {}
        for p in sorted(files, key=lambda p: p.name):
            docs[p] = load_file(p)
            if on_file is not None:
                on_file(p, docs[p])
        planned: List[Dict[str, Any]] = []
        everything: List[Dict[str, Any]] = []
        for p in files:
            doc = docs[p]
            wanted_file = self.wants_file(p)
            for v in doc["vectors"]:
                if v.get("deprecated"):
                    continue
                everything.append(v)
                if wanted_file and self.wants(v):
                    planned.append(v)
        return planned, everything


class _Out:
    """The child's end of the result pipe: buffered, and never blocking while
    the vectors last (the pytest process may still be collecting)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()
        os.set_blocking(fd, False)

    def write(self, data: bytes, now: bool = False) -> None:
        self.buf += data
        if now or len(self.buf) >= _CHUNK:
            self._push()

    def _push(self) -> None:
        try:
            n = os.write(self.fd, self.buf)
        except BlockingIOError:
            return
        del self.buf[:n]

    def flush(self) -> None:
        """Writes everything, waiting for the reader as needed."""
        os.set_blocking(self.fd, True)
        try:
            while self.buf:
                n = os.write(self.fd, self.buf)
                del self.buf[:n]
        finally:
            os.set_blocking(self.fd, False)


class Driver:
    def __init__(self, argv: List[str], vectors: Optional[List[Dict[str, Any]]] = None, *,
                 plan: Optional[Plan] = None,
                 scope_of: Optional[Callable[[Dict[str, Any]], Tuple[Optional[str], str]]] = None,
                 timeout: float, startup_timeout: float, max_restarts: int, cwd: Optional[str] = None):
        if (vectors is None) == (plan is None):
            raise ValueError("a driver runs either given vectors or a plan")
        self.argv = argv
        self.vectors = vectors
        self.plan = plan
        self.scope_of = scope_of
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.max_restarts = max_restarts
        self.cwd = cwd
        self.pid: Optional[int] = None
        self.rfile = None
        self.ctl: Optional[int] = None   # write end of the selection pipe (gated plan)
        self.restarts = 0
        self.hello: Dict[str, Any] = {}
        self._manifests: Dict[str, Dict[str, Any]] = {}
        self._held: List[Dict[str, Any]] = []  # messages read while looking for manifests
        self._manifests_done = False
        self._passes: Dict[Tuple[str, str, str, str], Tuple[Judgement, Tuple[Optional[str], str]]] = {}

    # -- parent side --------------------------------------------------------------

    def fork(self) -> None:
        """Forks the child; returns at once (``start`` waits for the handshake)."""
        r, w = os.pipe()
        cr = cw = -1
        if self.plan is not None and not self.plan.speculative:
            cr, cw = os.pipe()
        try:
            # room for a few thousand results while pytest is still busy
            fcntl.fcntl(w, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except OSError:
            pass
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                os.close(r)
                if cw >= 0:
                    os.close(cw)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                gc.disable()  # a short-lived process that makes almost no cycles
                self._child(w, cr)
            except BaseException:
                code = 1
                try:
                    out = getattr(self, "_out", None)
                    if out is not None:
                        out.flush()  # the results before it
                    os.set_blocking(w, True)
                    os.write(w, (json.dumps({"fatal": traceback.format_exc()}) + "\n").encode())
                except OSError:
                    pass
            finally:
                os._exit(code)
        os.close(w)
        if cr >= 0:
            os.close(cr)
            self.ctl = cw
        self.pid = pid
        self.rfile = os.fdopen(r, "rb", buffering=1 << 16)

    def start(self) -> Dict[str, Any]:
        """Forks the child (unless done) and waits for the adapter's handshake."""
        if self.pid is None:
            self.fork()
        msg = self._next()
        if "hello" not in msg:
            self.stop()
            raise DriverError(msg.get("error") or msg.get("vector_error") or msg.get("fatal")
                              or "driver ended before the handshake")
        self.hello = msg["hello"]
        return self.hello

    def manifest(self, path: Path) -> Dict[str, Any]:
        """The manifest the child sent of a vector file (a plan driver sends
        one per area file, in the canonical order, before its handshake).
        Raises ManifestError when there is none."""
        key = str(path.resolve())
        while key not in self._manifests and not self._manifests_done:
            line = self.rfile.readline() if self.rfile else b""
            msg = json.loads(line) if line else {"fatal": "driver process ended unexpectedly"}
            if "manifest" in msg:
                self._manifests[msg["manifest"]["path"]] = msg["manifest"]
            else:
                self._held.append(msg)  # the handshake, or why there are no more
                self._manifests_done = True
        got = self._manifests.get(key)
        if got is None:
            raise ManifestError(next((m["vector_error"] for m in self._held if "vector_error" in m), None))
        return got

    def select(self, keys: List[Tuple[str, str]]) -> None:
        """Sends a gated plan's child the run: (area, vector id) pairs in order.
        Raises DriverError if the child does not have every one of them."""
        assert self.ctl is not None
        data = (json.dumps({"run": keys}, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                n = os.write(self.ctl, view)
                view = view[n:]
        except OSError as e:
            raise DriverError(f"driver process is gone ({e})")
        finally:
            os.close(self.ctl)
            self.ctl = None
        msg = self._next()
        if "fatal" in msg or "error" in msg:
            raise DriverError(msg.get("error") or msg.get("fatal"))
        if msg.get("missing"):
            raise DriverError(f"{msg['missing']} selected vector(s) are not in the driver's vectors, e.g. "
                              f"{msg.get('example')}")

    def _next(self) -> Dict[str, Any]:
        """The next message other than a manifest."""
        while True:
            if self._held:
                return self._held.pop(0)
            line = self.rfile.readline() if self.rfile else b""
            if not line:
                return {"fatal": "driver process ended unexpectedly"}
            msg = json.loads(line)
            if "manifest" not in msg:
                return msg

    def result(self, i: int, vid: str) -> Tuple[Judgement, float, Optional[str],
                                                 Optional[Tuple[Optional[str], str]], Optional[Dict[str, Any]]]:
        """The judgement of vector i, id vid (results arrive in order), the
        seconds it took, the driver's reason to stop the run (or None), the
        vector's (message type, scope key) when the driver worked them out,
        and the whole vector when the result is not a plain pass."""
        line = self.rfile.readline() if self.rfile else b""
        if line[:1] == b"P":
            # a pass: "P <i> <id> <seconds> <restarts> <status> <error class or -> <type or -> <scope>"
            _, idx, got, t, n, status, err, mtype, scope = line.decode("utf-8").split()
            if int(idx) != i or got != vid:
                raise DriverError(f"driver answered vector #{int(idx)} ({got}) when #{i} ({vid}) was due")
            self.restarts = int(n)
            # passes share their judgements and (type, scope) pairs
            key = (status, err, mtype, scope)
            got = self._passes.get(key)
            if got is None:
                got = self._passes[key] = (Judgement(PASS, status, None if err == "-" else err),
                                           (None if mtype == "-" else mtype, scope))
            return got[0], float(t), None, got[1], None
        msg = json.loads(line) if line else {"fatal": "driver process ended unexpectedly"}
        if "fatal" in msg or "error" in msg:
            raise DriverError(msg.get("fatal") or msg.get("error"))
        if msg.get("i") != i or msg.get("id") != vid:
            raise DriverError(f"driver answered vector #{msg.get('i')} ({msg.get('id')}) when #{i} ({vid}) "
                              "was due")
        self.restarts = msg.get("n", self.restarts)
        j = Judgement(msg["v"], msg.get("s", ""), msg.get("e"), msg.get("o"), msg.get("r", ""),
                      msg.get("a"), msg.get("d") or [], not msg.get("u"))
        cls = msg.get("c")
        return j, msg.get("t", 0.0), msg.get("x"), (tuple(cls) if cls and cls[1] else None), msg.get("vec")

    def stop(self) -> None:
        if self.ctl is not None:
            os.close(self.ctl)  # a gated child waiting for its selection exits
            self.ctl = None
        if self.rfile is not None:
            self.rfile.close()  # the child's next write fails: it stops its adapter and exits
            self.rfile = None
        if self.pid is not None:
            deadline = time.monotonic() + self.timeout + 2
            pause = 0.0005
            while True:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    break
                time.sleep(pause)
                pause = min(pause * 2, 0.01)
            self.pid = None

    # -- child side -----------------------------------------------------------------

    def _child(self, w: int, ctl: int) -> None:
        out = self._out = _Out(w)

        def send(obj: Dict[str, Any]) -> None:
            out.write((json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"), True)

        testee = Testee(self.argv, timeout=self.timeout, startup_timeout=self.startup_timeout, cwd=self.cwd)
        try:
            testee.launch()
        except HandshakeError as e:
            send({"error": str(e)})
            out.flush()
            return
        try:
            self._run(testee, out, send, ctl)
        except (BrokenPipeError, OSError):
            pass  # the parent is gone or stopped early
        finally:
            testee.stop()

    def _run(self, testee: Testee, out: _Out, send, ctl: int) -> None:
        # the adapter starts (an interpreter loads) while the vectors load
        plan = self.plan
        scope_of = self.scope_of
        vectors = self.vectors
        if plan is not None:
            try:
                vectors, everything = plan.load(lambda p, doc: send({"manifest": manifest_of(p, doc)}))
            except VectorFileError as e:
                send({"vector_error": str(e)})
                out.flush()
                return
            scope_of = Scoper(everything).scope_of
        try:
            hello = testee.handshake()
        except HandshakeError as e:
            send({"error": str(e)})
            out.flush()
            return
        caps, problems = parse_capabilities(hello.get("features") or [])
        if problems:
            send({"error": "the handshake declares unusable capabilities: " + "; ".join(problems)})
            out.flush()
            return
        send({"hello": hello})
        out.flush()
        if plan is not None and not plan.speculative:
            with os.fdopen(ctl, "rb") as f:
                line = f.readline()
            if not line:
                return  # the pytest process stopped before the run
            by_key = {(v["_area"], v["id"]): v for v in vectors}
            keys = json.loads(line)["run"]
            missing = [k for k in keys if tuple(k) not in by_key]
            if missing:
                send({"missing": len(missing), "example": missing[0]})
                out.flush()
                return
            vectors = [by_key[tuple(k)] for k in keys]
            send({"selected": len(vectors)})
        self._loop(testee, out, send, caps, vectors, scope_of)
        out.flush()

    def _loop(self, testee: Testee, out: _Out, send, caps: List[str], vectors: List[Dict[str, Any]],
              scope_of: Optional[Callable[[Dict[str, Any]], Tuple[Optional[str], str]]]) -> None:
        """Runs the vectors, one request at a time. While the adapter works on
        a request, the previous answer is judged and reported and the next
        request encoded: the driver's own work overlaps the adapter's.

        Each result carries the vector's message type and scope key, which
        the pytest process records (it need not work them out again): a pass
        as one line of words, anything else as JSON."""
        clock = time.perf_counter
        write = out.write
        n = len(vectors)
        # (type, scope key) -> (covered by the capabilities, the pair as words or None)
        scopes: Dict[Tuple[Optional[str], str], Tuple[bool, Optional[str]]] = {}

        def where(v: Dict[str, Any]) -> Tuple[Tuple[Optional[str], Optional[str]], bool, Optional[str], str]:
            """(type, scope key), covered, the pair as words, the scope shown."""
            cls = scope_of(v) if scope_of is not None else (v.get("_type"), v.get("_scope"))
            scope = cls[1] or v.get("feature") or ""
            key = cls if cls[1] else None
            known = scopes.get(key) if key is not None else None
            if known is None:
                words = f"{cls[0] or '-'} {scope}" if key is not None and cls[0] != "-" and \
                    all(_WORD.match(x) for x in (cls[0] or "-", scope)) else None
                known = (covers(caps, scope), words)
                if key is not None:
                    scopes[key] = known
            return cls, known[0], known[1], scope

        def emit(i: int, v: Dict[str, Any], j: Judgement, elapsed: float, cls, words: Optional[str],
                 abort: Optional[str]) -> None:
            vid = v["id"]
            if j.verdict == PASS and words is not None and not abort and j.status in ("ok", "rejected") \
                    and (j.error is None or _TOKEN.match(j.error)) and _WORD.match(vid):
                write(f"P {i} {vid} {elapsed:.6f} {testee.restarts} {j.status} {j.error or '-'} {words}\n"
                      .encode())
                return
            msg: Dict[str, Any] = {"i": i, "id": vid, "v": j.verdict, "t": elapsed, "n": testee.restarts,
                                   "c": cls}
            if j.verdict != PASS and j.in_scope:
                msg["vec"] = v  # what the record and the failure report show
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

        def settle(p) -> None:
            """Judges and reports an answered vector."""
            i, v, resp, waited, cls, words = p
            t = clock()
            try:
                j = judge(v, resp)
            except Exception as e:
                j = Judgement("fail", str(resp.get("status")), reason=f"cannot judge response: {e!r}",
                              actual=resp)
            emit(i, v, j, waited + clock() - t, cls, words, None)

        timeouts = 0
        pending = None   # the last answered vector, not yet judged
        ahead = None     # (index, where(), prepared request) of the next vector
        for i, v in enumerate(vectors):
            if ahead is not None and ahead[0] == i:
                _, (cls, inside, words, scope), req = ahead
            else:
                cls, inside, words, scope = where(v)
                req = None
            ahead = None
            if not inside:
                if pending is not None:
                    settle(pending)
                    pending = None
                emit(i, v, Judgement(UNSUPPORTED, "", reason=f"{scope} is not within the declared capabilities",
                                     in_scope=False), 0.0, cls, words, None)
                continue
            t = clock()
            try:
                if req is None:
                    req = testee.prepare(v.get("op", ""), v.get("input"), v["id"])
                sent = testee.send(req)
            except AdapterFault as fault:
                sent = fault
            if pending is not None:
                settle(pending)
                pending = None
            if not isinstance(sent, AdapterFault) and i + 1 < n:
                # the next request, encoded while this one is answered
                nv = vectors[i + 1]
                nw = where(nv)
                ahead = (i + 1, nw, testee.prepare(nv.get("op", ""), nv.get("input"), nv["id"]) if nw[1] else None)
            try:
                if isinstance(sent, AdapterFault):
                    raise sent
                resp = testee.receive(sent)
            except AdapterFault as fault:
                j = fault_judgement(fault.kind, fault.detail + testee.stderr_note())
                timeouts = timeouts + 1 if fault.kind == "timeout" else 0
                abort = self._restart(testee, v["id"], fault, timeouts)
                emit(i, v, j, clock() - t, cls, words, abort)
                if abort:
                    return
                continue
            timeouts = 0
            pending = (i, v, resp, clock() - t, cls, words)
        if pending is not None:
            settle(pending)

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
