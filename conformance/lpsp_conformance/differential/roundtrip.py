"""Round-trip differential: random messages of every stateful type and
variant, in both header modes, serialized by each implementation and decoded
by each implementation.

For one message M and one mode:
  1. A encodes M, B encodes M: both must succeed (M respects every strict
     rule: identifiers <= 64 bytes, nonces of 32, digests that match, ZSTD
     identifiers and levels in range, part 0 no longer than the total, ...);
  2. the two byte strings must be identical (both serializers are
     byte-exact with the reference, QK-18);
  3. each distinct encoding decodes, in A and in B, to M with the flags of
     the mode.
"""

from __future__ import annotations

import collections
import hashlib
import random
from typing import Any, Dict, List, Tuple

from . import values_equal

BIG = {"part_id", "compressor_id", "compressed_length", "decompressed_length",
       "uncompressed_length", "subscribers", "max_size", "identifier"}

# (direction, type, variant) of every stateful message shape
SHAPES: List[Tuple[str, str, str]] = [
    ("s2b", "CONFIGURE", ""), ("s2b", "SUBSCRIBE_EXACT", ""), ("s2b", "SUBSCRIBE_GLOB", ""),
    ("s2b", "UNSUBSCRIBE_EXACT", ""), ("s2b", "UNSUBSCRIBE_GLOB", ""),
    ("s2b", "NOTIFY", "uncompressed"), ("s2b", "NOTIFY", "compressed"),
    ("s2b", "NOTIFY_STREAM", "start-uncompressed"), ("s2b", "NOTIFY_STREAM", "start-compressed"),
    ("s2b", "NOTIFY_STREAM", "continuation"), ("s2b", "CONTINUE_RECEIVE", ""),
    ("s2b", "CONFIRM_RECEIVE", ""),
    ("b2s", "CONFIRM_CONFIGURE", ""), ("b2s", "CONFIRM_SUBSCRIBE_EXACT", ""),
    ("b2s", "CONFIRM_SUBSCRIBE_GLOB", ""), ("b2s", "CONFIRM_UNSUBSCRIBE_EXACT", ""),
    ("b2s", "CONFIRM_UNSUBSCRIBE_GLOB", ""), ("b2s", "CONFIRM_NOTIFY", ""),
    ("b2s", "CONTINUE_NOTIFY", ""), ("b2s", "RECEIVE_STREAM", "start-uncompressed"),
    ("b2s", "RECEIVE_STREAM", "start-compressed"), ("b2s", "RECEIVE_STREAM", "continuation"),
    ("b2s", "ENABLE_ZSTD_PRESET", ""), ("b2s", "ENABLE_ZSTD_CUSTOM", ""),
    ("b2s", "DISABLE_ZSTD_CUSTOM", ""), ("b2s", "MISSED", ""),
]

_TEXT_POOL = ("abcxyzABC0129-/_*?[]. ", "\u00e9\u00fc\u00df", "\u65e5\u672c\u8a9e",
              "\U0001F642\U0001F680", "\x00\x7f\ufeff")


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def bytes(self, lo: int, hi: int) -> bytes:
        r = self.rng
        n = r.randint(lo, hi) if r.random() < 0.9 else r.choice((lo, hi))
        return bytes(r.randrange(256) for _ in range(n))

    def text(self, lo: int, hi: int) -> str:
        r = self.rng
        n = r.randint(lo, hi)
        out = []
        for _ in range(n):
            out.append(r.choice(r.choice(_TEXT_POOL)))
        return "".join(out)

    def uint(self, bits: int, lo: int = 0) -> int:
        """Uniform bit length, then uniform value: small and huge values alike."""
        r = self.rng
        top = (1 << bits) - 1
        while True:
            b = r.randint(0, bits)
            v = r.getrandbits(b) if b else 0
            if b and r.random() < 0.1:
                v = (1 << b) - 1      # all-ones
            if lo <= v <= top:
                return v

    def auth(self):
        return None if self.rng.random() < 0.4 else self.text(1, 30)

    def tracing(self) -> bytes:
        return self.bytes(0, 300 if self.rng.random() < 0.05 else 24)

    def message(self, d: str, t: str, variant: str) -> Dict[str, Any]:
        r = self.rng
        m: Dict[str, Any] = {"type": t}
        A, T = self.auth, self.tracing
        if t == "CONFIGURE":
            m.update(subscriber_nonce=self.bytes(32, 32), enable_zstd=r.random() < 0.5,
                     enable_training=r.random() < 0.5, initial_dict=self.uint(16),
                     authorization=A(), tracing=T())
        elif t in ("SUBSCRIBE_EXACT", "UNSUBSCRIBE_EXACT"):
            m.update(authorization=A(), tracing=T(), topic=self.bytes(0, 40))
        elif t in ("SUBSCRIBE_GLOB", "UNSUBSCRIBE_GLOB"):
            m.update(authorization=A(), tracing=T(), glob=self.text(0, 30))
        elif t == "NOTIFY":
            body = self.bytes(0, 200)
            sha = hashlib.sha512(body).digest()
            m.update(authorization=A(), tracing=T(), identifier=self.bytes(0, 64))
            if variant == "uncompressed":
                m.update(compressor_id=None, topic=self.bytes(0, 40),
                         verified_uncompressed_sha512=sha, uncompressed_message=body)
            else:
                m.update(compressor_id=self.uint(64, 1), topic=self.bytes(0, 40),
                         verified_compressed_sha512=sha, compressed_message=body,
                         decompressed_length=self.uint(64))
        elif t in ("NOTIFY_STREAM", "RECEIVE_STREAM"):
            m.update(authorization=A(), tracing=T(), identifier=self.bytes(0, 64))
            payload = self.bytes(0, 120)
            if variant == "continuation":
                m.update(part_id=self.uint(64, 1), payload=payload)
            elif variant == "start-uncompressed":
                m.update(part_id=None, topic=self.bytes(0, 40), compressor_id=None,
                         uncompressed_length=len(payload) + self.uint(64 - 1),
                         unverified_uncompressed_sha512=self.bytes(64, 64), payload=payload)
            else:
                m.update(part_id=None, topic=self.bytes(0, 40), compressor_id=self.uint(64, 1),
                         compressed_length=len(payload) + self.uint(64 - 1),
                         decompressed_length=self.uint(64),
                         unverified_compressed_sha512=self.bytes(64, 64), payload=payload)
        elif t in ("CONTINUE_RECEIVE", "CONTINUE_NOTIFY"):
            m.update(identifier=self.bytes(0, 64), part_id=self.uint(64), authorization=A(),
                     tracing=T())
        elif t == "CONFIRM_RECEIVE":
            m.update(identifier=self.bytes(0, 64), authorization=A(), tracing=T(),
                     num_subscribers=self.uint(32))
        elif t == "CONFIRM_CONFIGURE":
            m.update(broadcaster_nonce=self.bytes(32, 32), authorization=A(), tracing=T())
        elif t in ("CONFIRM_SUBSCRIBE_EXACT", "CONFIRM_UNSUBSCRIBE_EXACT"):
            m.update(topic=self.bytes(0, 40), authorization=A(), tracing=T())
        elif t in ("CONFIRM_SUBSCRIBE_GLOB", "CONFIRM_UNSUBSCRIBE_GLOB"):
            m.update(glob=self.text(0, 30), authorization=A(), tracing=T())
        elif t == "CONFIRM_NOTIFY":
            m.update(identifier=self.bytes(0, 64), subscribers=self.uint(64), authorization=A(),
                     tracing=T())
        elif t in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM"):
            ident = self.uint(16, 1) if t == "ENABLE_ZSTD_PRESET" else self.uint(64, 65536)
            level = r.choice((r.randint(-32768, 22), r.randint(-5, 22)))
            m.update(identifier=ident, compression_level=level, min_size=self.uint(32),
                     max_size=self.uint(64))
            if t == "ENABLE_ZSTD_CUSTOM":
                dictionary = self.bytes(0, 200)
                m.update(dictionary=dictionary, authorization=A(), tracing=T(),
                         sha512=hashlib.sha512(dictionary).digest())
            else:
                m.update(authorization=A(), tracing=T())
        elif t == "DISABLE_ZSTD_CUSTOM":
            m.update(identifier=self.uint(64, 65536), authorization=A(), tracing=T())
        elif t == "MISSED":
            m.update(authorization=A(), tracing=T(), topic=self.bytes(0, 40))
        else:
            raise ValueError(t)
        return m


def to_json(m: Dict[str, Any]) -> Dict[str, Any]:
    out = {}
    for k, v in m.items():
        if isinstance(v, (bytes, bytearray)):
            out[k] = bytes(v).hex()
        elif isinstance(v, int) and not isinstance(v, bool) and k in BIG:
            out[k] = str(v)
        else:
            out[k] = v
    return out


OK = "agree"
CLASSES = (OK, "encode-refused", "bytes-differ", "decode-differs", "fault")


def run(impls, n: int, seed: int, report) -> Tuple[Dict[Tuple[str, str, str, str], collections.Counter], int]:
    """impls: two engine.Impl (a, b). Returns (counts per shape and mode, failures)."""
    import json

    a, b = impls
    counts: Dict[Tuple[str, str, str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    failures = 0
    for k, (d, t, variant) in enumerate(SHAPES):
        g = Gen(seed * 7919 + k)
        for i in range(n):
            msg = to_json(g.message(d, t, variant))
            for minimal in (True, False):
                key = (d, t, variant, "min" if minimal else "exp")
                inp = {"direction": d, "minimal_headers": minimal, "message": msg}
                ea, eb = a.ask("encode", inp), b.ask("encode", inp)
                problems = []
                cls = OK
                if "fault" in (ea.get("status"), eb.get("status")):
                    cls = "fault"
                elif ea.get("status") != "ok" or eb.get("status") != "ok":
                    cls = "encode-refused"
                else:
                    ha, hb = ea["output"]["hex"], eb["output"]["hex"]
                    if ha != hb:
                        cls = "bytes-differ"
                    want = dict(msg, flags=1 if minimal else 0)
                    for h in sorted({ha, hb}):
                        for impl in (a, b):
                            r = impl.ask("decode", {"direction": d, "hex": h})
                            diffs: List[str] = []
                            if r.get("status") != "ok" or not values_equal(want, r["output"], "", diffs):
                                problems.append({"decoder": impl.label, "hex": h, "answer": r,
                                                 "diffs": diffs})
                                if cls == OK:
                                    cls = "fault" if r.get("status") == "fault" else "decode-differs"
                counts[key][cls] += 1
                if cls != OK:
                    failures += 1
                    report.write(json.dumps({
                        "roundtrip": cls, "direction": d, "type": t, "variant": variant,
                        "minimal_headers": minimal, "message": msg, "encode_a": ea, "encode_b": eb,
                        "problems": problems}, ensure_ascii=False) + "\n")
    return counts, failures


def format_table(counts, a_label: str, b_label: str) -> str:
    rows = []
    tot = collections.Counter()
    for (d, t, variant, mode), c in sorted(counts.items()):
        name = f"{d} {t}{' ' + variant if variant else ''} ({mode})"
        rows.append([name] + [c[k] for k in CLASSES])
        tot.update(c)
    rows.append(["total"] + [tot[k] for k in CLASSES])
    w0 = max(len(r[0]) for r in rows)
    widths = [max(len(c), max(len(str(r[i + 1])) for r in rows)) for i, c in enumerate(CLASSES)]
    head = "message".ljust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(CLASSES, widths))
    lines = [f"round trip: encode in {a_label} and in {b_label}, decode each result in both", head,
             "-" * len(head)]
    for r in rows:
        if r[0] == "total":
            lines.append("-" * len(head))
        lines.append(r[0].ljust(w0) + "  " + "  ".join(str(v).rjust(w) for v, w in zip(r[1:], widths)))
    return "\n".join(lines)
