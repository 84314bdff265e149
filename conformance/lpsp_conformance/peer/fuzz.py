"""Network fuzzing of a live broadcaster: mutated frames and bodies against its
real websocket and HTTP endpoints, with a liveness round trip after every batch.

    python -m lpsp_conformance.peer.fuzz --seconds N [--seed S] [--batch 50]
        [--auth none|token|hmac] [--backend sqlite-memory|sqlite-file]
        [--ws-url URL --http-url URL] [--out reports/peer-fuzz]

The seeds are the fuzz corpus (``corpus/s2b_*`` stateful frames, ``corpus/sl_*``
request bodies, with ``corpus/grown/``; formats in ``fuzz/README.md``) and the
dictionaries ``fuzz/dict/stateful.dict`` and ``stateless.dict``. A seeded
``random.Random`` builds every batch, so the inputs of a run are reproducible
from its seed (what the peer does with them is not: it runs in real time).

* Frames go over a websocket after a valid handshake (``steps.handshake``: the
  CONFIGURE is built and signed with the codec), or, for a share of them, as
  the first message of a connection. After each input the harness sends a
  *sentinel* (an empty NOTIFY on a topic of its own) and waits for its
  CONFIRM_NOTIFY (the input was tolerated: the connection is reused for a few
  more inputs) or for the close (the usual answer to a bad frame), with a
  short deadline.
* Bodies are POSTed to the path of their kind (``/v1/notify`` ...,
  ``/v1/receive_for_websockets`` with a Repr-Digest). A body that could make
  the broadcaster store a callback URL (SUBSCRIBE_*, SET_SUBSCRIPTIONS) is
  only sent when every URL in it is ``http(s)://127.0.0.1:3002/...`` (the
  seeds' URL) or not valid UTF-8, so nothing the peer does later can leave the
  loopback interface.
* After every batch: the peer process must be running and ``steps.alive`` (two
  handshakes, subscribe, notify, receive) must pass within a deadline (one
  retry after a second, so a slow moment is not a finding).
* When the peer died, hung or stopped answering: the batch is written to
  ``--out``, the peer is restarted (by PID), and the batch is minimised
  against fresh peers: each input alone, else the shortest failing prefix of
  the batch replayed in order (then ddmin over its inputs); then ddmin over
  the frames and bytes of what is left, within ``--minimise-seconds``. The
  reproducer is written as a scenario candidate in the format of
  ``vectors/peer-broadcaster.json`` (``bcast-fuzz-<8 hex>.json``, provenance
  fuzz, implementation-defined: a broadcaster may close or ignore, and must
  keep serving), with ``summary.json`` next to it.

Everything is bounded: the run by ``--seconds`` and ``--max-batches``, each
batch and each wait by a deadline, minimisation by time and test count;
everything listens on or connects to 127.0.0.1 only; the peer is stopped by
PID. Exit status: 0 no findings, 1 findings, 2 harness error.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import hashlib
import json
import os
import random
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from .. import REPO_ROOT
from ..fuzz_targets import load_targets
from ..protocol.stateful_model import S2B_TYPES

EXIT_OK, EXIT_FINDINGS, EXIT_HARNESS = 0, 1, 2

MAX_INPUT = 64 * 1024          # largest mutated frame or body
SENTINEL_TOPIC = b"lpsp-peer/fuzz/sentinel"
SENTINEL_ID = "5e471e10"
SAFE_URL = re.compile(r"https?://127\.0\.0\.1:3002(?:[/?#][^@\\\s]*)?")

# stateless request bodies: corpus target -> (codec body name, path on the broadcaster)
BODY_PATHS: Dict[str, Tuple[str, str]] = {
    "sl_notify": ("NOTIFY", "/v1/notify"),
    "sl_subscribe_exact": ("SUBSCRIBE_EXACT", "/v1/subscribe/exact"),
    "sl_subscribe_glob": ("SUBSCRIBE_GLOB", "/v1/subscribe/glob"),
    "sl_unsubscribe_exact": ("UNSUBSCRIBE_EXACT", "/v1/unsubscribe/exact"),
    "sl_unsubscribe_glob": ("UNSUBSCRIBE_GLOB", "/v1/unsubscribe/glob"),
    "sl_check_subscriptions": ("CHECK_SUBSCRIPTIONS", "/v1/check_subscriptions"),
    "sl_set_subscriptions": ("SET_SUBSCRIPTIONS", "/v1/set_subscriptions"),
    "sl_receive": ("RECEIVE", "/v1/receive_for_websockets"),
    "sl_missed": ("MISSED", "/v1/missed_for_websockets"),
}
PATH_BODY = {p: b for b, p in BODY_PATHS.values()}
# 5xx answers the spec documents for lonelypss (not findings; the report names them)
KNOWN_5XX = {"/v1/missed_for_websockets": "QK-45: a truncated MISSED body is not caught and gives 500",
             "/v1/receive_for_websockets": "QK-43: with HMAC a digest that is not 64 bytes gives 500"}
# what a broadcaster answers to an S2B message that it accepts (for reproducer scenarios)
ANSWERS = {"SUBSCRIBE_EXACT": "CONFIRM_SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB": "CONFIRM_SUBSCRIBE_GLOB",
           "UNSUBSCRIBE_EXACT": "CONFIRM_UNSUBSCRIBE_EXACT",
           "UNSUBSCRIBE_GLOB": "CONFIRM_UNSUBSCRIBE_GLOB"}


class FuzzHarnessError(Exception):
    """The fuzzer cannot do its part (no seeds, no codec, the peer does not start)."""


# ---------------------------------------------------------------------------------------
# inputs and seeds

@dataclass(frozen=True)
class Input:
    """One fuzz input: frames on one websocket, or one body POSTed to a path."""

    kind: str                                  # "frame" | "body"
    frames: Tuple[bytes, ...] = ()             # frame: one or more websocket messages
    pre: bool = False                          # frame: sent instead of the handshake
    path: str = ""                             # body: the request path
    body: bytes = b""
    headers: Tuple[Tuple[str, str], ...] = ()  # body: extra HTTP headers
    origin: str = ""                           # seed target/file and mutations (report only)

    @property
    def size(self) -> int:
        return sum(len(f) for f in self.frames) if self.kind == "frame" else len(self.body)

    def to_json(self) -> Dict[str, Any]:
        if self.kind == "frame":
            return {"kind": "frame", "pre_handshake": self.pre, "frames": [f.hex() for f in self.frames],
                    "origin": self.origin}
        return {"kind": "body", "path": self.path, "hex": self.body.hex(),
                "headers": dict(self.headers), "origin": self.origin}

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Input":
        if d["kind"] == "frame":
            return cls("frame", tuple(bytes.fromhex(h) for h in d["frames"]), bool(d.get("pre_handshake")),
                       origin=d.get("origin", ""))
        return cls("body", path=d["path"], body=bytes.fromhex(d["hex"]),
                   headers=tuple(sorted(d.get("headers", {}).items())), origin=d.get("origin", ""))


def parse_dict(text: str) -> List[bytes]:
    """Tokens of a libFuzzer dictionary: ``name="value"`` or ``"value"`` lines,
    with ``\\xNN``, ``\\\\`` and ``\\"`` escapes."""
    out: List[bytes] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        a, b = line.find('"'), line.rfind('"')
        if a < 0 or b <= a:
            continue
        s, buf, i = line[a + 1:b], bytearray(), 0
        while i < len(s):
            ch = s[i]
            if ch == "\\" and i + 1 < len(s):
                nxt = s[i + 1]
                if nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", s[i + 2:i + 4]):
                    buf.append(int(s[i + 2:i + 4], 16))
                    i += 4
                    continue
                buf += nxt.encode()
                i += 2
                continue
            buf += ch.encode()
            i += 1
        if buf:
            out.append(bytes(buf))
    return out


def typed_frame(typ: int, data: bytes) -> Optional[bytes]:
    """A typed stateful target's input as the message the harness makes of it:
    data[0] selects the flags (0, 1, or 0xff00|n), the prefix gets `typ`."""
    if not data:
        return None
    flags = data[0] if data[0] <= 1 else 0xFF00 | data[0]
    return flags.to_bytes(2, "big") + typ.to_bytes(2, "big") + data[1:]


def _target_types(repo: Path) -> Dict[str, int]:
    """S2B typed targets of fuzz/targets.txt (name -> type value, 0 for the
    "any" dispatcher); without the file, one per S2B type of the model."""
    p = repo / "fuzz" / "targets.txt"
    if p.is_file():
        return {t.name: t.type for t in load_targets(p) if t.direction == "s2b"}
    out = {f"s2b_{k.lower()}": v for k, v in S2B_TYPES.items()}
    out["s2b_any"] = 0
    return out


@dataclass
class Seeds:
    frames: Dict[str, List[bytes]] = field(default_factory=dict)    # target -> whole frames
    bodies: Dict[str, List[bytes]] = field(default_factory=dict)    # sl target -> bodies
    frame_dict: List[bytes] = field(default_factory=list)
    body_dict: List[bytes] = field(default_factory=list)

    @property
    def counts(self) -> Tuple[int, int]:
        return sum(map(len, self.frames.values())), sum(map(len, self.bodies.values()))


def load_seeds(corpus: Path, dict_dir: Path, repo: Path = REPO_ROOT) -> Seeds:
    """Seeds of every s2b_* and request-body sl_* target (seed set and grown corpus),
    in a deterministic order, duplicates removed."""
    types = _target_types(repo)
    seeds = Seeds()
    seen: set = set()
    roots = [corpus, corpus / "grown"]
    for target, typ in sorted(types.items()):
        for root in roots:
            d = root / target
            if not d.is_dir():
                continue
            for f in sorted(d.iterdir()):
                if not f.is_file():
                    continue
                raw = f.read_bytes()
                frame = raw if typ == 0 else typed_frame(typ, raw)
                if frame is None or len(frame) > MAX_INPUT or frame in seen:
                    continue
                seen.add(frame)
                seeds.frames.setdefault(target, []).append(frame)
    for target in sorted(BODY_PATHS):
        for root in roots:
            d = root / target
            if not d.is_dir():
                continue
            for f in sorted(d.iterdir()):
                raw = f.read_bytes() if f.is_file() else b""
                if not raw or len(raw) > MAX_INPUT or (target, raw) in seen:
                    continue
                if not urls_safe(BODY_PATHS[target][1], raw):
                    continue
                seen.add((target, raw))
                seeds.bodies.setdefault(target, []).append(raw)
    for name, attr in (("stateful.dict", "frame_dict"), ("stateless.dict", "body_dict")):
        p = dict_dir / name
        if p.is_file():
            setattr(seeds, attr, parse_dict(p.read_text(encoding="utf-8", errors="surrogateescape")))
    return seeds


# ---------------------------------------------------------------------------------------
# loopback guard for bodies that store callback URLs

def _url_ok(b: bytes) -> bool:
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return True   # strict UTF-8 fields: the broadcaster refuses the body (§8.2.2)
    return SAFE_URL.fullmatch(s) is not None


def urls_safe(path: str, body: bytes) -> bool:
    """False when the body may make the broadcaster store a callback URL that is
    not the seeds' loopback URL. Walks the §8.2.2 / §8.2.5 layout over the
    length prefixes (a cut field cannot be stored: the body is refused)."""
    n = len(body)

    def u16(p: int) -> Optional[int]:
        return int.from_bytes(body[p:p + 2], "big") if p + 2 <= n else None

    def field_at(p: int) -> Tuple[Optional[bytes], int]:
        ln = u16(p)
        if ln is None or p + 2 + ln > n:
            return None, n + 1
        return body[p + 2:p + 2 + ln], p + 2 + ln

    if path in ("/v1/subscribe/exact", "/v1/subscribe/glob"):
        url, p = field_at(0)
        if url is None:
            return True
        if not _url_ok(url):
            return False
        _, p = field_at(p)
        rec, p = field_at(p)
        return rec is None or not rec or _url_ok(rec)
    if path == "/v1/set_subscriptions":
        _, p = field_at(0)
        url, p = field_at(p)
        if url is None:
            return True
        if not _url_ok(url):
            return False
        p += 1 + 64
        for _ in range(2):          # exact entries, then glob entries
            if p + 4 > n:
                return True
            count = int.from_bytes(body[p:p + 4], "big")
            p += 4
            for _ in range(min(count, n)):
                _, p = field_at(p)
                rec, p = field_at(p)
                if rec is None:
                    return True
                if rec and not _url_ok(rec):
                    return False
        return True
    return True


# ---------------------------------------------------------------------------------------
# mutations

INTERESTING_8 = (0x00, 0x01, 0x02, 0x20, 0x2A, 0x2F, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFE, 0xFF)


def length_positions(data: bytes, family: str) -> List[int]:
    """Offsets of probable u16 length fields: the header chain of a stateful frame
    (§2.4 minimal, §2.5 expanded), the leading u16 fields of a body."""
    out: List[int] = []
    n = len(data)
    if family == "frame":
        if n < 6:
            return []
        minimal = bool(int.from_bytes(data[0:2], "big") & 1)
        p = 4
        if minimal:
            while p + 2 <= n and len(out) < 24:
                out.append(p)
                p += 2 + int.from_bytes(data[p:p + 2], "big")
        else:
            out.append(4)
            count = int.from_bytes(data[4:6], "big")
            p = 6
            for _ in range(min(count, 24)):
                for _ in range(2):          # name length, value length
                    if p + 2 > n:
                        return out
                    out.append(p)
                    p += 2 + int.from_bytes(data[p:p + 2], "big")
        return out
    p = 0
    while p + 2 <= n and len(out) < 12:
        out.append(p)
        p += 2 + int.from_bytes(data[p:p + 2], "big")
    return out


class Mutator:
    """Deterministic mutations from a random.Random: bit flips, byte sets,
    inserts, deletes, dictionary splices, truncation, length-field tweaks,
    concatenation and splicing with another seed; 1 to 4 stacked."""

    OPS = ("bitflip", "byteset", "insert", "delete", "dict", "truncate", "length", "concat",
           "splice", "duplicate")
    WEIGHTS = (14, 8, 8, 10, 12, 8, 16, 4, 6, 4)

    def __init__(self, rng: random.Random, tokens: Sequence[bytes], family: str,
                 max_len: int = MAX_INPUT):
        self.rng = rng
        self.tokens = list(tokens)
        self.family = family
        self.max_len = max_len

    def mutate(self, data: bytes, other: Callable[[], bytes]) -> Tuple[bytes, List[str]]:
        rng = self.rng
        n_ops = 1
        while n_ops < 4 and rng.random() < 0.4:
            n_ops += 1
        ops: List[str] = []
        buf = bytearray(data)
        for _ in range(n_ops):
            op = rng.choices(self.OPS, self.WEIGHTS)[0]
            buf = getattr(self, "_" + op)(buf, other)
            ops.append(op)
            if len(buf) > self.max_len:
                del buf[self.max_len:]
        return bytes(buf), ops

    def _pos(self, buf: bytearray, end_ok: bool = True) -> int:
        return self.rng.randrange(len(buf) + (1 if end_ok else 0)) if buf or end_ok else 0

    def _bitflip(self, buf: bytearray, other) -> bytearray:
        if not buf:
            return bytearray([self.rng.randrange(256)])
        for _ in range(self.rng.choice((1, 1, 1, 2, 4))):
            i = self.rng.randrange(len(buf))
            buf[i] ^= 1 << self.rng.randrange(8)
        return buf

    def _byteset(self, buf: bytearray, other) -> bytearray:
        if not buf:
            return bytearray([self.rng.choice(INTERESTING_8)])
        i = self.rng.randrange(len(buf))
        buf[i] = self.rng.choice(INTERESTING_8) if self.rng.random() < 0.6 else self.rng.randrange(256)
        return buf

    def _insert(self, buf: bytearray, other) -> bytearray:
        i = self._pos(buf)
        k = self.rng.choice((1, 1, 2, 4, 8, 32))
        if self.rng.random() < 0.5:
            ins = bytes([self.rng.choice(INTERESTING_8)]) * k
        else:
            ins = self.rng.randbytes(k)
        buf[i:i] = ins
        return buf

    def _delete(self, buf: bytearray, other) -> bytearray:
        if not buf:
            return buf
        i = self.rng.randrange(len(buf))
        k = min(len(buf) - i, self.rng.choice((1, 1, 2, 4, 16, 64)))
        del buf[i:i + k]
        return buf

    def _dict(self, buf: bytearray, other) -> bytearray:
        if not self.tokens:
            return self._insert(buf, other)
        tok = self.rng.choice(self.tokens)
        i = self._pos(buf)
        if self.rng.random() < 0.5:
            buf[i:i] = tok
        else:
            buf[i:i + len(tok)] = tok
        return buf

    def _truncate(self, buf: bytearray, other) -> bytearray:
        if len(buf) <= 1:
            return bytearray()
        return buf[:self.rng.randrange(len(buf))]

    def _length(self, buf: bytearray, other) -> bytearray:
        if len(buf) < 2:
            return self._insert(buf, other)
        cands = length_positions(bytes(buf), self.family)
        if cands and self.rng.random() < 0.75:
            pos, width = self.rng.choice(cands), 2
        else:
            width = self.rng.choice((1, 2, 2, 4, 8))
            width = min(width, len(buf))
            pos = self.rng.randrange(len(buf) - width + 1)
        if pos + width > len(buf):
            width = len(buf) - pos
        top = (1 << (8 * width)) - 1
        v = int.from_bytes(buf[pos:pos + width], "big")
        new = self.rng.choice((0, 1, v - 1, v + 1, v * 2, v // 2, len(buf), len(buf) - pos - width,
                               top, top >> 1, (top >> 1) + 1, 32, 64, 65, 255, 256,
                               self.rng.randrange(top + 1)))
        buf[pos:pos + width] = (new & top).to_bytes(width, "big")
        return buf

    def _concat(self, buf: bytearray, other) -> bytearray:
        return buf + other()

    def _splice(self, buf: bytearray, other) -> bytearray:
        o = other()
        i = self._pos(buf)
        j = self.rng.randrange(len(o) + 1)
        return buf[:i] + o[j:]

    def _duplicate(self, buf: bytearray, other) -> bytearray:
        if not buf:
            return buf
        i = self.rng.randrange(len(buf))
        k = min(len(buf) - i, self.rng.choice((1, 2, 4, 16, 64)))
        j = self._pos(buf)
        buf[j:j] = buf[i:i + k]
        return buf


class BatchBuilder:
    """Builds batches of inputs from the seeds with one random.Random."""

    def __init__(self, seeds: Seeds, seed: int, http_share: float = 0.25, pre_share: float = 0.08,
                 seq_share: float = 0.05, bodies: bool = True, auth_header: Optional[str] = None,
                 digest: Optional[Callable[[bytes, bytes], Optional[str]]] = None):
        self.seeds = seeds
        self.rng = random.Random(seed)
        self.frames = Mutator(self.rng, seeds.frame_dict, "frame")
        self.bodies = Mutator(self.rng, seeds.body_dict, "body")
        self.frame_targets = sorted(seeds.frames)
        self.body_targets = sorted(seeds.bodies) if bodies else []
        self.http_share = http_share if self.body_targets else 0.0
        self.pre_share = pre_share
        self.seq_share = seq_share
        self.auth_header = auth_header
        self.digest = digest      # (seed body, mutated body) -> Repr-Digest header, for RECEIVE
        self.unsafe_skipped = 0
        if not self.frame_targets:
            raise FuzzHarnessError("no stateful seeds (corpus/s2b_*)")

    def _frame_seed(self, prefer: Optional[str] = None) -> Tuple[str, bytes]:
        target = prefer if prefer in self.seeds.frames and self.rng.random() < 0.7 \
            else self.rng.choice(self.frame_targets)
        return target, self.rng.choice(self.seeds.frames[target])

    def _any_frame(self) -> bytes:
        return self._frame_seed()[1]

    def frame_input(self) -> Input:
        pre = self.rng.random() < self.pre_share
        count = 1
        if self.rng.random() < self.seq_share:
            count = self.rng.choice((2, 2, 3))
        frames, origins = [], []
        for _ in range(count):
            target, seed = self._frame_seed("s2b_configure" if pre and not frames else None)
            data, ops = self.frames.mutate(seed, self._any_frame)
            frames.append(data)
            origins.append(f"{target}/{hashlib.sha1(seed).hexdigest()[:10]}+{'+'.join(ops)}")
        return Input("frame", tuple(frames), pre, origin=" ; ".join(origins))

    def body_input(self) -> Input:
        target = self.rng.choice(self.body_targets)
        seed = self.rng.choice(self.seeds.bodies[target])
        path = BODY_PATHS[target][1]
        pool = self.seeds.bodies[target]
        data, ops = seed, ["seed"]
        for _ in range(8):                      # bounded: re-mutate an unsafe body
            data, ops = self.bodies.mutate(seed, lambda: self.rng.choice(pool))
            if urls_safe(path, data):
                break
            self.unsafe_skipped += 1
        else:
            data, ops = seed, ["seed"]
        headers: Dict[str, str] = {}
        if self.auth_header:
            headers["Authorization"] = self.auth_header
        if path == "/v1/receive_for_websockets" and self.digest is not None and self.rng.random() < 0.9:
            h = self.digest(seed, data)
            if h:
                headers["Repr-Digest"] = h
        return Input("body", path=path, body=data, headers=tuple(sorted(headers.items())),
                     origin=f"{target}/{hashlib.sha1(seed).hexdigest()[:10]}+{'+'.join(ops)}")

    def batch(self, n: int) -> List[Input]:
        return [self.body_input() if self.rng.random() < self.http_share else self.frame_input()
                for _ in range(n)]


# ---------------------------------------------------------------------------------------
# minimisation (no network here: the oracle is a parameter)

Oracle = Callable[[Any], Awaitable[bool]]


class Budget:
    """Deadline and test count shared by one minimisation."""

    def __init__(self, seconds: float, max_tests: int, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.deadline = clock() + seconds
        self.max_tests = max_tests
        self.tests = 0

    @property
    def spent(self) -> bool:
        return self.tests >= self.max_tests or self.clock() >= self.deadline

    async def run(self, oracle: Oracle, candidate: Any) -> bool:
        self.tests += 1
        return bool(await oracle(candidate))


async def ddmin(data: Sequence, oracle: Oracle, budget: Budget) -> Sequence:
    """Zeller's delta debugging over a bytes or tuple `data` for which `oracle`
    holds: a 1-minimal (when the budget allows) subsequence for which it still
    holds. Results are cached; the budget bounds time and tests."""
    cache: Dict[Any, bool] = {bytes(data) if isinstance(data, (bytes, bytearray)) else tuple(data): True}

    async def test(c: Sequence) -> bool:
        key = bytes(c) if isinstance(c, (bytes, bytearray)) else tuple(c)
        if key not in cache:
            cache[key] = await budget.run(oracle, key)
        return cache[key]

    data = bytes(data) if isinstance(data, (bytes, bytearray)) else tuple(data)
    n = 2
    while len(data) >= 2 and not budget.spent:
        chunk = -(-len(data) // n)
        parts = [(i, min(i + chunk, len(data))) for i in range(0, len(data), chunk)]
        reduced = False
        for a, b in parts:                          # a subset alone
            if budget.spent:
                break
            if await test(data[a:b]):
                data, n, reduced = data[a:b], 2, True
                break
        if not reduced and len(parts) > 2:
            for a, b in parts:                      # a complement
                if budget.spent:
                    break
                cand = data[:a] + data[b:]
                if await test(cand):
                    data, n, reduced = cand, max(n - 1, 2), True
                    break
        if not reduced:
            if n >= len(data):
                break
            n = min(len(data), n * 2)
    if len(data) == 1 and not budget.spent and await test(data[:0]):
        data = data[:0]
    return data


async def find_culprit(batch: List[Input], kills: Oracle, budget: Budget) -> Tuple[Optional[List[Input]], str]:
    """The single input of `batch` that kills the peer, else the shortest failing
    prefix of the batch (reduced by ddmin over its inputs). None when nothing
    reproduces within the budget."""
    for inp in batch:
        if budget.spent:
            return None, "budget spent before any input reproduced"
        if await budget.run(kills, [inp]):
            return [inp], "single input"
    if budget.spent or not await budget.run(kills, list(batch)):
        return None, "neither any single input nor the whole batch (replayed in order) reproduced"
    lo, hi = 2, len(batch)          # batch[:1] was tested alone; batch[:hi] kills
    while lo < hi and not budget.spent:
        mid = (lo + hi) // 2
        if await budget.run(kills, list(batch[:mid])):
            hi = mid
        else:
            lo = mid + 1
    prefix = tuple(batch[:hi])
    reduced = await ddmin(prefix, lambda xs: kills(list(xs)), budget)
    return list(reduced), f"prefix of {hi} inputs, reduced to {len(reduced)}"


async def shrink(inputs: List[Input], kills: Oracle, budget: Budget) -> List[Input]:
    """ddmin over the frames of every frame input, then over the bytes of every
    frame and body, keeping the rest fixed; `kills(inputs)` holds throughout."""
    cur = list(inputs)
    for i in range(len(cur)):
        if budget.spent:
            break
        inp = cur[i]

        def with_(new: Input, i: int = i) -> List[Input]:
            return cur[:i] + [new] + cur[i + 1:]

        if inp.kind == "frame":
            if len(inp.frames) > 1:
                frames = await ddmin(inp.frames, lambda fs: kills(with_(dataclasses.replace(inp, frames=tuple(fs)))),
                                     budget)
                if frames:
                    inp = dataclasses.replace(inp, frames=tuple(frames))
                    cur[i] = inp
            for j in range(len(inp.frames)):
                if budget.spent:
                    break

                def put(b: bytes, j: int = j, base: Input = inp) -> List[Input]:
                    fs = list(base.frames)
                    fs[j] = bytes(b)
                    return with_(dataclasses.replace(base, frames=tuple(fs)))

                fr = await ddmin(inp.frames[j], lambda b: kills(put(b)), budget)
                inp = put(fr)[i]
                cur[i] = inp
        else:
            body = await ddmin(inp.body, lambda b: kills(with_(dataclasses.replace(inp, body=bytes(b)))), budget)
            cur[i] = dataclasses.replace(inp, body=bytes(body))
    return cur


# ---------------------------------------------------------------------------------------
# reproducer scenarios

def finding_id(inputs: Sequence[Input]) -> str:
    h = hashlib.sha1(json.dumps([i.to_json() | {"origin": ""} for i in inputs], sort_keys=True).encode())
    return "bcast-fuzz-" + h.hexdigest()[:8]


def scenario_for(inputs: Sequence[Input], description: str,
                 answers: Optional[Callable[[bytes], Optional[str]]] = None) -> Dict[str, Any]:
    """A peer-broadcaster scenario that replays `inputs` (each frame input on its
    own connection) and then requires a liveness round trip."""
    steps: List[Dict[str, Any]] = []
    refs: List[str] = []
    frame_inputs = [i for i in inputs if i.kind == "frame"]
    for k, inp in enumerate(inputs):
        if inp.kind == "frame":
            conn = "a" if len(frame_inputs) == 1 else f"f{k}"
            steps.append({"do": "connect" if inp.pre else "handshake", "conn": conn})
            for fr in inp.frames:
                steps.append({"do": "send_raw", "conn": conn, "hex": fr.hex()})
            alts: Dict[str, Any] = {"closes": {"close": True}, "ignores": {"silence": True}}
            if inp.pre:
                alts["answers"] = {"type": "CONFIRM_CONFIGURE"}
            elif answers is not None and len(inp.frames) == 1:
                t = answers(inp.frames[0])
                if t:
                    alts["answers"] = {"type": t}
            steps.append({"do": "expect", "conn": conn, "one_of": alts, "timeout": 2})
            for r in ("§4.7",):
                if r not in refs:
                    refs.append(r)
        else:
            steps.append({"do": "http_raw", "path": inp.path, "hex": inp.body.hex(),
                          "outcomes": {"refuses": [400, 401, 403], "accepts": [200, 409]}, "timeout": 5})
            for r in ("§8.1", "§8.2"):
                if r not in refs:
                    refs.append(r)
    steps.append({"do": "alive"})
    sc: Dict[str, Any] = {"id": finding_id(inputs), "description": description, "refs": refs or ["§4.7"],
                          "provenance": "fuzz", "verdict": "implementation-defined"}
    if any(i.kind == "body" for i in inputs):
        sc["requires"] = ["http"]
    sc["steps"] = steps
    return sc


def scenario_doc(sc: Dict[str, Any], repo: Path = REPO_ROOT) -> Dict[str, Any]:
    version = "1.0.0"
    try:
        version = json.loads((repo / "vectors" / "peer-broadcaster.json").read_text(encoding="utf-8"))["suite_version"]
    except (OSError, ValueError, KeyError):
        pass
    return {"suite": "lonelypsp-conformance", "suite_version": version, "area": "peer-broadcaster",
            "description": "Scenario candidate found by network fuzzing (lpsp_conformance.peer.fuzz); "
                           "review it, then move the scenario into vectors/peer-broadcaster.json.",
            "scenarios": [sc]}


# ---------------------------------------------------------------------------------------
# the live peer

class PeerHandle:
    """The broadcaster under test: started and restarted by the fuzzer
    (lonelypss), or external (--ws-url), where 'restart' waits for it to answer."""

    def __init__(self, args: argparse.Namespace, auth: Any):
        self.args = args
        self.auth = auth
        self.managed = not args.ws_url
        self.lp: Any = None
        self.ws_url = args.ws_url or ""
        self.http_base = (args.http_url or "").rstrip("/")
        self.restarts = 0
        self.starts = 0
        self.lock = threading.Lock()   # stop() waits for a start() under way (run in a thread)

    @property
    def name(self) -> str:
        if self.managed:
            return f"lonelypss ({self.auth.mode}, {self.args.backend})"
        return f"broadcaster at {self.ws_url}"

    @property
    def pid(self) -> Optional[int]:
        return self.lp.process.pid if self.lp is not None else None

    def start(self) -> None:
        if not self.managed:
            return
        from . import peers
        from .engine import HarnessError
        with self.lock:
            try:
                self.lp = peers.Lonelypss(self.auth, self.args.backend)
            except HarnessError as e:
                raise FuzzHarnessError(f"cannot start lonelypss: {e}") from None
            self.starts += 1
        self.ws_url = self.lp.ws_url
        self.http_base = self.lp.base

    def stop(self) -> Optional[int]:
        with self.lock:
            if self.lp is None:
                return None
            lp, self.lp = self.lp, None
            return lp.stop()

    @property
    def process_alive(self) -> bool:
        return True if not self.managed else (self.lp is not None and self.lp.process.alive)

    def exit_status(self) -> Optional[int]:
        if self.lp is None:
            return None
        return self.lp.process.proc.poll()

    def tail(self, n: int = 30) -> List[str]:
        return list(self.lp.process.lines)[-n:] if self.lp is not None else []


@dataclass
class Stats:
    batches: int = 0
    frame_inputs: int = 0
    frames: int = 0
    pre_handshake: int = 0
    bodies: int = 0
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    status_by_path: Dict[str, collections.Counter] = field(default_factory=dict)
    handshake_failures: int = 0
    batch_timeouts: int = 0
    alive_passed: int = 0
    alive_failed: int = 0
    alive_retried_ok: int = 0
    fuzz_seconds: float = 0.0
    minimise_seconds: float = 0.0
    replays: int = 0

    def to_json(self) -> Dict[str, Any]:
        return {"batches": self.batches, "frame_inputs": self.frame_inputs, "frames_sent": self.frames,
                "pre_handshake_inputs": self.pre_handshake, "bodies_sent": self.bodies,
                "frame_outcomes": dict(self.outcomes), "http_statuses": dict(self.statuses),
                "http_statuses_by_path": {p: dict(c) for p, c in sorted(self.status_by_path.items())},
                "handshake_failures": self.handshake_failures, "batch_timeouts": self.batch_timeouts,
                "liveness_passed": self.alive_passed, "liveness_failed": self.alive_failed,
                "liveness_passed_on_retry": self.alive_retried_ok,
                "fuzz_seconds": round(self.fuzz_seconds, 2),
                "frames_per_second": round(self.frames / self.fuzz_seconds, 1) if self.fuzz_seconds else 0.0,
                "bodies_per_second": round(self.bodies / self.fuzz_seconds, 1) if self.fuzz_seconds else 0.0,
                "minimise_seconds": round(self.minimise_seconds, 2), "replayed_inputs": self.replays}


class Fuzzer:
    def __init__(self, args: argparse.Namespace):
        from .auth import AuthConfig
        from .codec import Codec
        self.args = args
        if args.ws_url:
            auth = AuthConfig(args.auth, args.to_broadcaster or "", args.to_subscriber or "") \
                if args.auth != "none" else AuthConfig("none")
        else:
            auth = AuthConfig.generate(args.auth)
        self.auth = auth
        self.peer = PeerHandle(args, auth)
        self.stats = Stats()
        self.out = Path(args.out)
        self.seeds = load_seeds(Path(args.corpus), Path(args.dict_dir))
        self.seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
        auth_header = f"Bearer {auth.to_broadcaster}" if auth.mode == "token" else None
        self.builder = BatchBuilder(self.seeds, self.seed, http_share=args.http_share,
                                    pre_share=args.pre_share, bodies=bool(self.peer.http_base or self.peer.managed),
                                    auth_header=auth_header, digest=self._digest)
        try:
            self.codec = Codec()
        except Exception as e:
            raise FuzzHarnessError(f"cannot start the codec (build it with make): {e}") from None
        self.findings: List[Dict[str, Any]] = []
        self.session: Any = None
        self.sentinel_frame: Optional[bytes] = None
        self.n_runs = 0
        self.run_tag = os.urandom(3).hex()
        self.digest_cache: Dict[bytes, Optional[str]] = {}
        self.t0 = time.monotonic()

    # -- helpers ---------------------------------------------------------------------

    def _digest(self, seed: bytes, body: bytes) -> Optional[str]:
        """Repr-Digest for a RECEIVE body: of its message when the codec reads it,
        else of the seed's message."""
        from .codec import CodecError
        for b in (body, seed):
            if b in self.digest_cache:
                if self.digest_cache[b]:
                    return self.digest_cache[b]
                continue
            try:
                msg = bytes.fromhex(self.codec.sdecode("RECEIVE", b)["message"])
                h = self.codec.repr_digest(hashlib.sha512(msg).digest())
            except (CodecError, KeyError, ValueError):
                h = None
            if len(self.digest_cache) < 4096:
                self.digest_cache[b] = h
            if h:
                return h
        return None

    def target(self) -> Any:
        from .engine import Target
        return Target("broadcaster", self.auth, self.peer.ws_url, self.peer.http_base, frozenset({"http"}),
                      {}, name=self.peer.name)

    def new_run(self, purpose: str) -> Any:
        from .engine import Run
        self.n_runs += 1
        return Run({"id": f"fuzz-{purpose}", "steps": []}, self.target(), self.codec,
                   self.args.headers == "minimal", f"{self.run_tag}-{self.n_runs}")

    def log(self, line: str) -> None:
        if not self.args.quiet:
            print(f"[{time.monotonic() - self.t0:7.1f}s] {line}", flush=True)

    # -- sending ---------------------------------------------------------------------

    async def _sentinel(self, run: Any, c: Any) -> None:
        if self.sentinel_frame is not None:
            await c.link.send(self.sentinel_frame)
            return
        sha = hashlib.sha512(b"").hexdigest()
        msg = {"type": "NOTIFY", "identifier": SENTINEL_ID, "topic": SENTINEL_TOPIC.hex(), "tracing": "",
               "authorization": None, "compressor_id": None, "verified_uncompressed_sha512": sha,
               "uncompressed_message": ""}
        run.sign_stateful(c, msg, "auto", {"sha512": sha})
        frame = self.codec.encode("s2b", msg, c.minimal)
        if self.auth.mode != "hmac":     # none and token: the same bytes every time
            self.sentinel_frame = frame
        await c.link.send(frame)

    def _is_sentinel_confirm(self, frame: bytes) -> bool:
        from .codec import CodecError
        if len(frame) < 4 or frame[2:4] != b"\x00\x06" or bytes.fromhex(SENTINEL_ID) not in frame:
            return False
        try:
            msg = self.codec.decode("b2s", frame)
        except CodecError:
            return False
        return msg.get("type") == "CONFIRM_NOTIFY" and msg.get("identifier") == SENTINEL_ID

    async def _settle(self, run: Any, c: Any) -> str:
        """After an input: 'tolerated' (the sentinel was confirmed), 'closed' or 'timeout'."""
        from . import links
        try:
            await self._sentinel(run, c)
        except links.LinkClosed:
            return "closed"
        deadline = time.monotonic() + self.args.settle
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            try:
                kind, item = await c.link.next(left)
            except asyncio.TimeoutError:
                return "timeout"
            if kind == "close":
                return "closed"
            if kind == "frame" and self._is_sentinel_confirm(item):
                return "tolerated"

    async def _open(self, run: Any, pre: bool) -> Optional[Any]:
        from . import links, steps
        from .engine import ScenarioFailure
        s = {"conn": "f", "timeout": self.args.io_timeout}
        try:
            if pre:
                await steps.connect(run, s)
            else:
                await steps.handshake(run, s)
        except (ScenarioFailure, links.LinkClosed, OSError, asyncio.TimeoutError):
            self.stats.handshake_failures += 1
            await steps.cleanup(run)
            return None
        return run.conns["f"]

    async def _send_frames(self, c: Any, inp: Input) -> bool:
        from . import links
        for fr in inp.frames:
            try:
                await c.link.send(fr)
            except links.LinkClosed:
                return False
            self.stats.frames += 1
        return True

    async def _pre_input(self, inp: Input) -> str:
        """A frame input as the first messages of a connection (no handshake)."""
        from . import steps
        run = self.new_run("pre")
        try:
            c = await self._open(run, pre=True)
            if c is None:
                return "undelivered"
            self.stats.pre_handshake += 1
            if not await self._send_frames(c, inp):
                return "closed"
            try:
                kind, _ = await c.link.next(self.args.settle_pre)
            except asyncio.TimeoutError:
                return "pre-timeout"
            return "closed" if kind == "close" else "answered"
        finally:
            await steps.cleanup(run)

    async def frame_lane(self, inputs: Sequence[Input], reuse: bool) -> None:
        """Frame inputs in order on one lane: a handshake, the input, the sentinel;
        the connection is kept for the next input only if the input was tolerated."""
        from . import steps
        run, c, uses = None, None, 0
        try:
            for inp in inputs:
                self.stats.frame_inputs += 1
                if inp.pre:
                    self.stats.outcomes[await self._pre_input(inp)] += 1
                    continue
                if c is None or uses >= self.args.per_conn or not reuse:
                    if run is not None:
                        await steps.cleanup(run)
                    run = self.new_run("frames")
                    c = await self._open(run, pre=False)
                    uses = 0
                    if c is None:
                        run = None
                        self.stats.outcomes["undelivered"] += 1
                        continue
                uses += 1
                outcome = await self._settle(run, c) if await self._send_frames(c, inp) else "closed"
                self.stats.outcomes[outcome] += 1
                if outcome != "tolerated":
                    await steps.cleanup(run)
                    run, c = None, None
        finally:
            if run is not None:
                await steps.cleanup(run)

    async def post(self, inp: Input) -> str:
        import aiohttp
        if not self.peer.http_base:
            return "no-http"
        if not urls_safe(inp.path, inp.body):   # never send an off-loopback callback URL
            return "unsafe-skipped"
        if self.session is None or self.session.closed:
            # a fresh TCP connection per request: a broadcaster that refuses a body early may
            # drop the connection, which must not show up as a reset of the next request
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=16, force_close=True))
        hdrs = {"Content-Type": "application/octet-stream", **dict(inp.headers)}
        try:
            async with self.session.post(self.peer.http_base + inp.path, data=inp.body, headers=hdrs,
                                         timeout=aiohttp.ClientTimeout(total=self.args.io_timeout),
                                         allow_redirects=False) as r:
                await r.read()
                status = str(r.status)
        except asyncio.TimeoutError:
            status = "timeout"
        except aiohttp.ClientError as e:
            status = "error:" + type(e).__name__
        self.stats.bodies += 1
        self.stats.statuses[status] += 1
        self.stats.status_by_path.setdefault(inp.path, collections.Counter())[status] += 1
        return status

    async def body_lane(self, inputs: Sequence[Input]) -> None:
        for inp in inputs:
            await self.post(inp)

    async def send_batch(self, batch: List[Input]) -> None:
        frames = [i for i in batch if i.kind == "frame"]
        bodies = [i for i in batch if i.kind == "body"]
        k = max(1, self.args.concurrency)
        lanes = [self.frame_lane(frames[j::k], reuse=True) for j in range(k) if frames[j::k]]
        kb = max(1, k // 2)
        lanes += [self.body_lane(bodies[j::kb]) for j in range(kb) if bodies[j::kb]]
        await asyncio.gather(*lanes)

    async def replay(self, inputs: Sequence[Input]) -> None:
        """Inputs one after the other, each frame input on a fresh connection
        (what a reproducer scenario does)."""
        for inp in inputs:
            self.stats.replays += 1
            if inp.kind == "frame":
                await self.frame_lane([inp], reuse=False)
            else:
                await self.post(inp)

    # -- liveness ----------------------------------------------------------------------

    async def _alive_once(self) -> Optional[str]:
        from . import steps
        from .engine import Run, ScenarioFailure
        if not self.peer.process_alive:
            return f"the peer process exited (status {self.peer.exit_status()})"
        self.n_runs += 1
        run = Run({"id": "fuzz-alive", "steps": [{"do": "alive", "timeout": self.args.alive_timeout}]},
                  self.target(), self.codec, self.args.headers == "minimal", f"{self.run_tag}-{self.n_runs}")
        why: Optional[str] = None
        try:
            await asyncio.wait_for(steps.execute(run), self.args.alive_timeout * 2 + 2)
        except ScenarioFailure as e:
            why = str(e)
        except asyncio.TimeoutError:
            why = f"no liveness round trip within {self.args.alive_timeout * 2 + 2:g} s"
        if not self.peer.process_alive:
            return f"the peer process exited (status {self.peer.exit_status()})" + (f"; {why}" if why else "")
        return why

    async def liveness(self, retry: bool) -> Optional[str]:
        """None when the peer is alive; else why not."""
        why = await self._alive_once()
        if why is None:
            self.stats.alive_passed += 1
            return None
        self.stats.alive_failed += 1
        if retry and self.peer.process_alive:
            await asyncio.sleep(1.0)
            if await self._alive_once() is None:
                self.stats.alive_passed += 1
                self.stats.alive_retried_ok += 1
                self.log(f"liveness failed once, then passed ({why})")
                return None
        return why

    async def wait_alive(self, seconds: float) -> Optional[str]:
        """None once a liveness check passes (polled for up to `seconds`), else why not."""
        deadline = time.monotonic() + seconds
        for _ in range(int(seconds / 0.25) + 2):
            why = await self._alive_once()
            if why is None or time.monotonic() >= deadline or not self.peer.process_alive:
                return why
            await asyncio.sleep(0.25)
        return why

    async def recover(self) -> bool:
        """A fresh, answering peer: restart ours; wait for an external one."""
        loop = asyncio.get_running_loop()
        if self.peer.managed:
            await loop.run_in_executor(None, self.peer.stop)
            await loop.run_in_executor(None, self.peer.start)
            self.peer.restarts += 1
            why = await self.wait_alive(10.0)
            if why is not None:
                raise FuzzHarnessError(f"lonelypss fails the liveness check right after a restart: {why}")
            return True
        return await self.wait_alive(self.args.recover_seconds) is None

    async def kills(self, inputs: List[Input]) -> bool:
        """The minimisation oracle: does replaying `inputs` against a healthy peer
        take its liveness away? (The peer is restarted when it does.)"""
        if any(i.kind == "body" and not urls_safe(i.path, i.body) for i in inputs):
            return False
        if not self.peer.process_alive or await self._alive_once() is not None:
            if not await self.recover():
                raise FuzzHarnessError("the external peer did not come back")
        try:
            await asyncio.wait_for(self.replay(inputs), self.batch_timeout(len(inputs)))
        except asyncio.TimeoutError:
            pass
        if await self._alive_once() is None:
            return False
        if not await self.recover():
            raise FuzzHarnessError("the external peer did not come back")
        return True

    def batch_timeout(self, n: int) -> float:
        per = self.args.io_timeout * 2 + self.args.settle
        return 10 + n * per / max(1, min(self.args.concurrency, n))

    # -- findings --------------------------------------------------------------------

    def answers(self, frame: bytes) -> Optional[str]:
        from .codec import CodecError
        try:
            return ANSWERS.get(self.codec.decode("s2b", frame).get("type", ""))
        except CodecError:
            return None

    async def on_failure(self, batch: List[Input], why: str) -> Dict[str, Any]:
        if not self.peer.managed:
            kind = "unresponsive"     # an external peer: dead or hung, the fuzzer cannot tell
        else:
            kind = "crash" if not self.peer.process_alive else "hang"
        n = len(self.findings) + 1
        finding: Dict[str, Any] = {
            "n": n, "kind": kind, "reason": why, "batch_number": self.stats.batches,
            "exit_status": self.peer.exit_status() if kind == "crash" else None,
            "peer_output": self.peer.tail(), "batch_inputs": len(batch)}
        self.out.mkdir(parents=True, exist_ok=True)
        bpath = self.out / f"batch-{self.seed}-{self.stats.batches}.json"
        bpath.write_text(json.dumps({"kind": "lpsp-peer-fuzz-batch", "seed": self.seed,
                                     "batch": self.stats.batches, "reason": why, "peer": self.peer.name,
                                     "peer_output": finding["peer_output"],
                                     "inputs": [i.to_json() for i in batch]}, indent=1) + "\n",
                         encoding="utf-8")
        finding["batch_file"] = str(bpath)
        self.log(f"FINDING {n} ({kind}): {why}; batch written to {bpath}")
        t0 = time.monotonic()
        try:
            if not await self.recover():
                finding.update(reproduced=False, note="the external peer did not come back; not minimised")
                return finding
            budget = Budget(self.args.minimise_seconds, self.args.max_tests)
            culprit, how = await find_culprit(batch, self.kills, budget)
            finding["culprit"] = how
            if culprit is None:
                finding.update(reproduced=False, tests=budget.tests)
                self.log(f"finding {n}: not reproduced ({how})")
                return finding
            before = sum(i.size for i in culprit)
            self.log(f"finding {n}: {how} ({before} bytes); shrinking")
            small = await shrink(culprit, self.kills, budget)
            confirmed = await self.kills(small)
            if not confirmed and small != culprit:
                small, confirmed = culprit, await self.kills(culprit)
            finding.update(reproduced=confirmed, tests=budget.tests, original_bytes=before,
                           minimised_bytes=sum(i.size for i in small),
                           inputs=[i.to_json() for i in small])
            dup = next((f for f in self.findings if f.get("id") == finding_id(small)), None)
            if dup is not None:
                finding.update(id=dup["id"], reproducer=dup.get("reproducer"), duplicate_of=dup["n"])
                return finding
            what = f"exit with status {finding['exit_status']}" if kind == "crash" else "stop answering"
            who = "lonelypss" if self.peer.managed else "the broadcaster under test"
            desc = (f"found by peer fuzzing (seed {self.seed}, batch {self.stats.batches}): this input made "
                    f"{who} {what}; a broadcaster may close the connection or ignore the input "
                    f"(or refuse the body), and must keep serving")
            sc = scenario_for(small, desc, self.answers)
            path = self.out / f"{sc['id']}.json"
            path.write_text(json.dumps(scenario_doc(sc), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            finding.update(id=sc["id"], reproducer=str(path))
            try:
                from .scenarios import load
                load(path)
            except Exception as e:  # the candidate must be valid; say so if not
                finding["reproducer_invalid"] = str(e)
            self.log(f"finding {n}: {'reproduced' if confirmed else 'NOT confirmed'}, "
                     f"{finding['minimised_bytes']} bytes -> {path}")
            return finding
        finally:
            self.stats.minimise_seconds += time.monotonic() - t0

    # -- the run ---------------------------------------------------------------------

    async def run(self) -> int:
        args = self.args
        loop = asyncio.get_running_loop()
        nf, nb = self.seeds.counts
        await loop.run_in_executor(None, self.peer.start)
        self.log(f"{self.peer.name} at {self.peer.ws_url} (pid {self.peer.pid}); seed {self.seed}; "
                 f"{nf} frame seeds, {nb} body seeds; {args.seconds:g} s")
        why = await self.wait_alive(10.0)
        if why is not None:
            raise FuzzHarnessError(f"{self.peer.name} fails the liveness check before any input: {why}")
        t_start = time.monotonic()
        deadline = t_start + args.seconds
        last_log = t_start
        for _ in range(args.max_batches):
            if time.monotonic() >= deadline:
                break
            batch = self.builder.batch(args.batch)
            self.stats.batches += 1
            t_b = time.monotonic()
            try:
                await asyncio.wait_for(self.send_batch(batch), self.batch_timeout(len(batch)))
            except asyncio.TimeoutError:
                self.stats.batch_timeouts += 1
            why = await self.liveness(retry=True)
            self.stats.fuzz_seconds += time.monotonic() - t_b
            if why is not None:
                finding = await self.on_failure(batch, why)
                self.findings.append(finding)
                self.write_summary()
                if len(self.findings) >= args.max_findings:
                    self.log(f"{len(self.findings)} findings: stopping")
                    break
                if not self.peer.process_alive or await self._alive_once() is not None:
                    if not await self.recover():
                        self.log("the peer did not come back: stopping")
                        break
            if time.monotonic() - last_log >= args.progress:
                last_log = time.monotonic()
                s = self.stats
                self.log(f"{s.batches} batches, {s.frames} frames ({s.frames / max(s.fuzz_seconds, 1e-9):.0f}/s), "
                         f"{s.bodies} bodies, liveness {s.alive_passed} ok / {s.alive_failed} failed")
        return EXIT_FINDINGS if self.findings else EXIT_OK

    def summary(self) -> Dict[str, Any]:
        a = self.args
        return {"kind": "lpsp-peer-fuzz", "seed": self.seed, "peer": self.peer.name,
                "settings": {"seconds": a.seconds, "batch": a.batch, "auth": a.auth, "backend": a.backend,
                             "headers": a.headers, "concurrency": a.concurrency, "per_conn": a.per_conn,
                             "http_share": a.http_share, "pre_share": a.pre_share, "settle": a.settle,
                             "alive_timeout": a.alive_timeout, "max_batches": a.max_batches,
                             "minimise_seconds": a.minimise_seconds},
                "seeds": {"frames": self.seeds.counts[0], "bodies": self.seeds.counts[1],
                          "frame_dict": len(self.seeds.frame_dict), "body_dict": len(self.seeds.body_dict)},
                "stats": self.stats.to_json() | {"restarts": self.peer.restarts,
                                                 "unsafe_bodies_remutated": self.builder.unsafe_skipped},
                "elapsed": round(time.monotonic() - self.t0, 2),
                "findings": self.findings}

    def write_summary(self) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        p = self.out / "summary.json"
        p.write_text(json.dumps(self.summary(), indent=1) + "\n", encoding="utf-8")
        return p

    def report(self, summary_path: Optional[Path]) -> str:
        s = self.stats
        st = s.to_json()
        lines = [f"lpsp peer fuzz: {self.peer.name}, seed {self.seed}, "
                 f"{s.fuzz_seconds:.1f} s fuzzing (+{s.minimise_seconds:.1f} s minimising)",
                 f"  batches          {s.batches} ({self.args.batch} inputs each)"
                 + (f" ({s.batch_timeouts} timed out)" if s.batch_timeouts else ""),
                 f"  frames sent      {s.frames} ({st['frames_per_second']}/s) in {s.frame_inputs} inputs, "
                 f"{s.pre_handshake} before a handshake",
                 "  frame outcomes   " + (", ".join(f"{k} {v}" for k, v in s.outcomes.most_common()) or "-"),
                 f"  bodies sent      {s.bodies} ({st['bodies_per_second']}/s)",
                 "  HTTP statuses    " + (", ".join(f"{k} {v}" for k, v in s.statuses.most_common()) or "-")]
        odd = {p: c for p, c in s.status_by_path.items() if any(k.startswith("5") or not k[0].isdigit() for k in c)}
        for p, c in sorted(odd.items()):
            note = KNOWN_5XX.get(p, "")
            lines.append(f"    {p}: " + ", ".join(f"{k} {v}" for k, v in c.most_common())
                         + (f"  ({note})" if note else ""))
        lines += [f"  liveness checks  {s.alive_passed} passed, {s.alive_failed} failed"
                  + (f" ({s.alive_retried_ok} passed on retry)" if s.alive_retried_ok else ""),
                  f"  handshakes lost  {s.handshake_failures}",
                  f"  restarts         {self.peer.restarts}"
                  + (f" ({s.replays} inputs replayed while minimising)" if s.replays else ""),
                  f"  findings         {len(self.findings)}"]
        for f in self.findings:
            lines.append(f"    #{f['n']} {f['kind']}: {f['reason'][:160]}")
            lines.append(f"       batch: {f.get('batch_file')}")
            if f.get("reproducer"):
                lines.append(f"       reproducer: {f['reproducer']} ({f.get('minimised_bytes')} bytes, "
                             f"{'confirmed' if f.get('reproduced') else 'not confirmed'}"
                             + (f", duplicate of #{f['duplicate_of']}" if f.get("duplicate_of") else "") + ")")
            else:
                lines.append(f"       not reproduced: {f.get('culprit') or f.get('note', '')}")
        if summary_path:
            lines.append(f"summary: {summary_path}")
        return "\n".join(lines)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
        await asyncio.get_running_loop().run_in_executor(None, self.peer.stop)
        self.codec.close()


# ---------------------------------------------------------------------------------------
# command line

def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.peer.fuzz",
                                 description="Network fuzzing of a live lonelypsp broadcaster.")
    ap.add_argument("--seconds", type=float, default=60.0, help="fuzzing time (default 60)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the input generator (default: random, printed)")
    ap.add_argument("--batch", type=int, default=50, help="inputs per batch, liveness check after each (default 50)")
    ap.add_argument("--auth", choices=("none", "token", "hmac"), default="none")
    ap.add_argument("--backend", choices=("sqlite-memory", "sqlite-file"), default="sqlite-memory")
    ap.add_argument("--headers", choices=("minimal", "expanded"), default="minimal",
                    help="header mode of the harness's own CONFIGURE and sentinels")
    ap.add_argument("--ws-url", default=None, help="fuzz a running broadcaster at this websocket URL")
    ap.add_argument("--http-url", default=None, help="its HTTP base URL (bodies are sent only with it)")
    ap.add_argument("--to-broadcaster", default=None, help="token or HMAC secret of an external broadcaster")
    ap.add_argument("--to-subscriber", default=None, help="token or HMAC secret, broadcaster -> subscriber")
    ap.add_argument("--out", default=str(REPO_ROOT / "reports" / "peer-fuzz"),
                    help="directory for summary.json, failing batches and reproducers")
    ap.add_argument("--corpus", default=str(REPO_ROOT / "corpus"))
    ap.add_argument("--dict-dir", default=str(REPO_ROOT / "fuzz" / "dict"))
    ap.add_argument("--concurrency", type=int, default=4, help="parallel websocket lanes (default 4)")
    ap.add_argument("--per-conn", type=int, default=4, help="tolerated inputs per connection before a new one")
    ap.add_argument("--http-share", type=float, default=0.25, help="share of bodies among inputs (default 0.25)")
    ap.add_argument("--pre-share", type=float, default=0.08, help="share of frame inputs sent before a handshake")
    ap.add_argument("--io-timeout", type=float, default=3.0, help="connect, handshake and POST deadline (s)")
    ap.add_argument("--settle", type=float, default=1.0, help="wait for the close or the sentinel's answer (s)")
    ap.add_argument("--settle-pre", type=float, default=0.3, help="wait after a pre-handshake input (s)")
    ap.add_argument("--alive-timeout", type=float, default=5.0, help="per-step deadline of the liveness check (s)")
    ap.add_argument("--max-batches", type=int, default=100000)
    ap.add_argument("--max-findings", type=int, default=3, help="stop after this many findings")
    ap.add_argument("--minimise-seconds", type=float, default=120.0, help="time budget per finding")
    ap.add_argument("--max-tests", type=int, default=400, help="replays per finding")
    ap.add_argument("--recover-seconds", type=float, default=30.0, help="external peer: wait for it to come back")
    ap.add_argument("--progress", type=float, default=10.0, help="seconds between progress lines")
    ap.add_argument("-q", "--quiet", action="store_true")
    from .auth import join_secret_options
    args = ap.parse_args(join_secret_options(list(sys.argv[1:] if argv is None else argv)))
    if args.http_url and not args.ws_url:
        ap.error("--http-url needs --ws-url")
    if args.ws_url and args.auth != "none" and not (args.to_broadcaster and args.to_subscriber):
        ap.error("token and HMAC against an external broadcaster need --to-broadcaster and --to-subscriber")
    if args.batch < 1 or args.seconds < 0 or args.concurrency < 1 or args.per_conn < 1:
        ap.error("--batch, --concurrency and --per-conn must be positive, --seconds not negative")
    for u in (args.ws_url, args.http_url):
        if u and not re.match(r"^(ws|http)s?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", u):
            ap.error(f"{u}: the fuzzer only talks to loopback addresses")
    return args


async def amain(args: argparse.Namespace) -> int:
    fz = Fuzzer(args)
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, task.cancel)  # type: ignore[union-attr]
        except (NotImplementedError, RuntimeError):
            pass
    code = EXIT_HARNESS
    summary_path: Optional[Path] = None
    try:
        code = await fz.run()
    except FuzzHarnessError as e:
        print(f"lpsp peer fuzz: harness error: {e}", file=sys.stderr)
        code = EXIT_HARNESS
    except asyncio.CancelledError:
        print("lpsp peer fuzz: interrupted", file=sys.stderr)
        code = EXIT_HARNESS
    finally:
        try:
            await fz.close()
        finally:
            summary_path = fz.write_summary()
            print(fz.report(summary_path), flush=True)
    return code


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(amain(args))
    except FuzzHarnessError as e:
        print(f"lpsp peer fuzz: harness error: {e}", file=sys.stderr)
        return EXIT_HARNESS
    except Exception as e:  # anything unexpected is the harness's fault, not the peer's
        import traceback
        traceback.print_exc()
        print(f"lpsp peer fuzz: harness error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_HARNESS


if __name__ == "__main__":
    sys.exit(main())
