"""Inputs of a differential run: the seed corpora, the vectors' decode inputs
and freshly mutated messages.

Every input is a complete stateful message plus its direction, attributed to
one fuzz target of fuzz/targets.txt (`s2b_notify`, `b2s_any`, ...).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from .. import fuzz_targets
from ..fuzz_targets import FuzzTarget, typed_message
from . import HEADERS, REPO_ROOT, STREAM_START, STREAM_TYPES, TYPE_NAMES, TYPES


@dataclass
class Input:
    source: str         # corpus | vectors | mutated
    target: str
    direction: str
    data: bytes
    origin: str = ""    # corpus file name, vector id or mutation recipe


def load_targets(path: Optional[Path] = None) -> List[FuzzTarget]:
    """The stateful targets (direction, type; type 0 is the "any" dispatcher)."""
    return [t for t in fuzz_targets.load_targets(path) if t.stateful]


def target_for(direction: str, data: bytes, targets: List[FuzzTarget]) -> str:
    """The typed target of the message's wire type, else the direction's dispatcher."""
    t = int.from_bytes(data[2:4], "big") if len(data) >= 4 else 0
    for tg in targets:
        if tg.direction == direction and tg.type == t and t != 0:
            return tg.name
    return f"{direction}_any"


def corpus_files(corpus_dir: Path, *subdirs: str) -> Iterable[Tuple[bytes, str]]:
    """(content, "corpus/<subdir>/<name>") of every file of the given corpus
    subdirectories that exist, in name order."""
    for sub in subdirs:
        d = corpus_dir / sub
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            if f.is_file():
                yield f.read_bytes(), f"corpus/{sub}/{f.name}"


def corpus_inputs(targets: List[FuzzTarget], corpus_dir: Optional[Path] = None) -> List[Input]:
    corpus_dir = corpus_dir or REPO_ROOT / "corpus"
    out = []
    for tg in targets:
        for raw, origin in corpus_files(corpus_dir, tg.name):
            msg = raw if tg.type == 0 else typed_message(tg.type, raw)
            if msg is not None:
                out.append(Input("corpus", tg.name, tg.direction, msg, origin))
    return out


def load_vectors(vectors_dir: Optional[Path] = None) -> List[dict]:
    vectors_dir = vectors_dir or REPO_ROOT / "vectors"
    out = []
    for area in ("stateful-s2b", "stateful-b2s"):
        p = vectors_dir / f"{area}.json"
        if p.exists():
            out.extend(v for v in json.loads(p.read_text())["vectors"] if not v.get("deprecated"))
    return out


def vector_inputs(vectors: List[dict], targets: List[FuzzTarget]) -> List[Input]:
    out = []
    for v in vectors:
        if v.get("op") != "decode":
            continue
        d = v["input"]["direction"]
        data = bytes.fromhex(v["input"]["hex"])
        out.append(Input("vectors", target_for(d, data, targets), d, data, v["id"]))
    return out


def read_input_file(path: Path, targets: List[FuzzTarget]) -> List[Input]:
    """Lines `s2b HEX` / `b2s HEX` (blank lines and # comments ignored)."""
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        d, h = line.split()
        data = bytes.fromhex(h)
        out.append(Input("file", target_for(d, data, targets), d, data, f"{path.name}:{n}"))
    return out


def dedupe(inputs: Iterable[Input]) -> List[Input]:
    """Each (direction, bytes) once; the first source that produced it keeps it."""
    seen = set()
    out = []
    for i in inputs:
        k = (i.direction, i.data)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


# ----------------------------------------------------------------- message walking

def u16(b: bytes, off: int) -> int:
    return (b[off] << 8) | b[off + 1]


@dataclass
class Field:
    len_off: int        # offset of the u16 length
    off: int            # offset of the bytes
    length: int         # declared length (may run past the end)
    what: str           # "value" | "name" | "count"


def walk(msg: bytes) -> List[Field]:
    """The u16 length fields of a message, read greedily as the mode of its
    flags says (minimal: value after value; expanded: count, then name/value
    pairs). Stops where the bytes run out; never fails."""
    out: List[Field] = []
    if len(msg) < 4:
        return out
    n = len(msg)
    if u16(msg, 0) & 1:
        off = 4
        while off + 2 <= n:
            L = u16(msg, off)
            out.append(Field(off, off + 2, L, "value"))
            off += 2 + L
    else:
        if n < 6:
            return out
        count = u16(msg, 4)
        out.append(Field(4, 6, count, "count"))
        off = 6
        for _ in range(count):
            for what in ("name", "value"):
                if off + 2 > n:
                    return out
                L = u16(msg, off)
                out.append(Field(off, off + 2, L, what))
                off += 2 + L
    return out


@dataclass
class Parsed:
    """A message split into its headers and body by the type's header list."""
    flags: int
    type: int
    minimal: bool
    headers: List[Tuple[Optional[bytes], bytes]]   # (name or None in minimal mode, value)
    body: bytes

    def to_bytes(self) -> bytes:
        out = bytearray(self.flags.to_bytes(2, "big") + self.type.to_bytes(2, "big"))
        if not self.minimal:
            out += len(self.headers).to_bytes(2, "big")
        for name, value in self.headers:
            if not self.minimal:
                out += len(name).to_bytes(2, "big") + name
            out += len(value).to_bytes(2, "big") + value
        return bytes(out + self.body)

    def index(self, name: str, position: int) -> Optional[int]:
        if self.minimal:
            return position if position < len(self.headers) else None
        found = None
        for i, (n, _v) in enumerate(self.headers):
            if n.lower() == name.encode():
                found = i
        return found


def parse(direction: str, msg: bytes) -> Optional[Parsed]:
    """Splits a well-formed message (headers complete, lengths fitting);
    None when it does not split cleanly."""
    if len(msg) < 4:
        return None
    flags, t = u16(msg, 0), u16(msg, 2)
    name = TYPE_NAMES[direction].get(t)
    if name is None:
        return None
    minimal = bool(flags & 1)
    hdrs: List[Tuple[Optional[bytes], bytes]] = []
    off = 4
    try:
        if minimal:
            want = len(HEADERS[(direction, name)])
            i = 0
            while i < want:
                L = u16(msg, off)
                if off + 2 + L > len(msg):
                    return None
                hdrs.append((None, msg[off + 2:off + 2 + L]))
                off += 2 + L
                i += 1
                if name in STREAM_TYPES and i == 4 and want == 4:
                    if int.from_bytes(hdrs[3][1], "big") == 0 and len(hdrs[3][1]) <= 8:
                        want += len(STREAM_START)
        else:
            count = u16(msg, 4)
            off = 6
            for _ in range(count):
                M = u16(msg, off)
                nm = msg[off + 2:off + 2 + M]
                off += 2 + M
                L = u16(msg, off)
                if off + 2 + L > len(msg):
                    return None
                hdrs.append((nm, msg[off + 2:off + 2 + L]))
                off += 2 + L
    except IndexError:
        return None
    return Parsed(flags, t, minimal, hdrs, msg[off:])


def fixup_digests(direction: str, msg: bytes) -> bytes:
    """Makes a mutated NOTIFY or ENABLE_ZSTD_CUSTOM carry the right SHA-512
    (and, for NOTIFY, the right x-compressed-length), so that mutations reach
    the checks behind the digest comparison."""
    p = parse(direction, msg)
    if p is None:
        return msg
    name = TYPE_NAMES[direction].get(p.type)
    digest = hashlib.sha512(p.body).digest()
    if direction == "s2b" and name == "NOTIFY":
        i = p.index("x-compressed-sha512", 7)
        if i is not None and len(p.headers[i][1]) == 64:
            p.headers[i] = (p.headers[i][0], digest)
        j = p.index("x-compressed-length", 5)
        if j is not None:
            n = len(p.body)
            p.headers[j] = (p.headers[j][0], n.to_bytes((n.bit_length() + 7) // 8, "big"))
        return p.to_bytes()
    if direction == "b2s" and name == "ENABLE_ZSTD_CUSTOM":
        i = p.index("x-sha512", 6)
        if i is not None and len(p.headers[i][1]) == 64:
            p.headers[i] = (p.headers[i][0], digest)
        return p.to_bytes()
    return msg


# ----------------------------------------------------------------- mutations

INTERESTING8 = (0x00, 0x01, 0x02, 0x07, 0x08, 0x09, 0x16, 0x17, 0x20, 0x30, 0x40, 0x41,
                0x7F, 0x80, 0xC0, 0xED, 0xEF, 0xF5, 0xFE, 0xFF)
INTERESTING_VALUES = (b"", b"\x00", b"\x01", b"\x02", b"\x00\x01", b"\x00\x00", b"\xff",
                      b"\xff\xff", b"\x00\xff", b"\x7f\xff", b"\x00\x16", b"\x00\x17", b"\x17",
                      b"\x01\x00\x00", b"\x00" * 8, b"\x00" * 9, b"\xff" * 8, b"\x01" + b"\x00" * 8,
                      b"\xff\xff\xff\xff\xff", b"\x00\x00\x00\x00\x01", b"\x00" * 31, b"\x00" * 32,
                      b"\x00" * 33, b"\x00" * 63, b"\x00" * 64, b"\x00" * 65, b"\xc0\xaf",
                      b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x80", b"a\x00b", b"\xe2\x82")
UTF8_EDGES = (b"a", b"/", b"*", b"\x00", b"\x7f", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80",
              b"\xef\xbf\xbf", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xf0\x90\x80\x80",
              b"\xf4\x8f\xbf\xbf", b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xc0\x80", b"\xc1\xbf",
              b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
              b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
              b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff", b"\x80", b"\xbf", b"\xc2", b"\xe2\x82",
              b"\xf0\x9f\x99", b"\xc2\x41", b"\xe2\x28\xa1")
HEADER_NAMES = (b"authorization", b"x-tracing", b"x-topic", b"x-glob", b"x-identifier",
                b"x-part-id", b"x-compressor", b"x-compressed-length", b"x-decompressed-length",
                b"x-compressed-sha512", b"x-subscriber-nonce", b"x-enable-zstd",
                b"x-enable-training", b"x-initial-dict", b"x-broadcaster-nonce", b"x-subscribers",
                b"x-num-subscribers", b"x-compression-level", b"x-min-size", b"x-max-size",
                b"x-sha512", b"X-Topic", b"", b"x-\xc3\xa9", b"x-topic ")


def _set_len(msg: bytes, off: int, v: int) -> bytes:
    return msg[:off] + (v & 0xFFFF).to_bytes(2, "big") + msg[off + 2:]


class Mutator:
    """Seeded, reproducible mutations of complete messages (the same seed,
    pools and Python version give the same inputs)."""

    # weights: structure-aware operations (length fields, header values,
    # expanded headers, UTF-8 edge sequences) more often than blind ones
    OPS = ("bitflip", "interesting", "insert", "delete", "splice", "length", "value", "value",
           "truncate", "header", "header", "utf8", "utf8", "flags")

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def mutate(self, direction: str, msg: bytes, pool: List[bytes], keep_type: int) -> Tuple[bytes, str]:
        rng = self.rng
        recipe = []
        n = 1 + min(int(rng.expovariate(1.2)), 4)
        for _ in range(n):
            op = rng.choice(self.OPS)
            msg = getattr(self, "_" + op)(direction, msg, pool)
            recipe.append(op)
        if keep_type and len(msg) >= 4:
            msg = msg[:2] + keep_type.to_bytes(2, "big") + msg[4:]
        if rng.random() < 0.5:
            fixed = fixup_digests(direction, msg)
            if fixed != msg:
                msg = fixed
                recipe.append("digest")
        return msg, "+".join(recipe)

    def _bitflip(self, d, msg, pool):
        if not msg:
            return msg
        i = self.rng.randrange(len(msg) * 8)
        b = bytearray(msg)
        b[i >> 3] ^= 1 << (i & 7)
        return bytes(b)

    def _interesting(self, d, msg, pool):
        if not msg:
            return msg
        b = bytearray(msg)
        b[self.rng.randrange(len(b))] = self.rng.choice(INTERESTING8)
        return bytes(b)

    def _insert(self, d, msg, pool):
        rng = self.rng
        i = rng.randrange(len(msg) + 1)
        if rng.random() < 0.5:
            ins = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            ins = rng.choice(INTERESTING_VALUES) or b"\x00"
        return msg[:i] + ins + msg[i:]

    def _delete(self, d, msg, pool):
        if not msg:
            return msg
        i = self.rng.randrange(len(msg))
        return msg[:i] + msg[i + self.rng.randint(1, min(8, len(msg) - i)):]

    def _splice(self, d, msg, pool):
        if not pool:
            return msg
        other = self.rng.choice(pool)
        i = self.rng.randrange(len(msg) + 1)
        j = self.rng.randrange(len(other) + 1)
        return msg[:i] + other[j:]

    def _truncate(self, d, msg, pool):
        return msg[:self.rng.randrange(len(msg) + 1)] if msg else msg

    def _flags(self, d, msg, pool):
        if len(msg) < 2:
            return msg
        f = self.rng.choice((0, 1, 2, 3, 0xFFFF, 0xFFFE, 0x8000, 0x8001, 0xFF02, 0x0100))
        return f.to_bytes(2, "big") + msg[2:]

    def _length(self, d, msg, pool):
        fields = walk(msg)
        if not fields:
            return self._bitflip(d, msg, pool)
        f = self.rng.choice(fields)
        rest = len(msg) - f.off
        v = self.rng.choice((f.length + 1, f.length - 1, f.length + 2, f.length - 2, 0, 0xFFFF,
                             0x8000, f.length * 2, rest, rest + 1, 8, 9, 32, 64, 65))
        return _set_len(msg, f.len_off, v)

    def _value(self, d, msg, pool):
        """Replaces one header value (or name) with an interesting one, length updated."""
        fields = [f for f in walk(msg) if f.what != "count" and f.off + f.length <= len(msg)]
        if not fields:
            return self._interesting(d, msg, pool)
        f = self.rng.choice(fields)
        if f.what == "name":
            new = self.rng.choice(HEADER_NAMES)
        else:
            new = self.rng.choice(INTERESTING_VALUES)
        return msg[:f.len_off] + len(new).to_bytes(2, "big") + new + msg[f.off + f.length:]

    def _utf8(self, d, msg, pool):
        """Replaces one header value with a short mix of ASCII and UTF-8 edge
        sequences (valid, overlong, surrogate, beyond U+10FFFF, cut short)."""
        fields = [f for f in walk(msg) if f.what == "value" and f.off + f.length <= len(msg)]
        if not fields:
            return self._interesting(d, msg, pool)
        f = self.rng.choice(fields)
        new = b"".join(self.rng.choice(UTF8_EDGES) for _ in range(self.rng.randint(1, 4)))
        return msg[:f.len_off] + len(new).to_bytes(2, "big") + new + msg[f.off + f.length:]

    def _header(self, d, msg, pool):
        """Expanded mode: duplicates, drops or adds a header (count kept right)."""
        p = parse(d, msg)
        if p is None or p.minimal:
            return self._value(d, msg, pool)
        rng = self.rng
        hs = list(p.headers)
        r = rng.random()
        if hs and r < 0.3:
            del hs[rng.randrange(len(hs))]
        elif hs and r < 0.6:
            h = rng.choice(hs)
            hs.insert(rng.randrange(len(hs) + 1), (h[0], rng.choice(INTERESTING_VALUES)))
        elif hs and r < 0.8:
            i = rng.randrange(len(hs))
            hs[i] = (hs[i][0].upper() if rng.random() < 0.5 else hs[i][0], hs[i][1])
        else:
            hs.insert(rng.randrange(len(hs) + 1),
                      (rng.choice(HEADER_NAMES), rng.choice(INTERESTING_VALUES)))
        p.headers = hs
        return p.to_bytes()


def mutated_inputs(targets: List[FuzzTarget], seeds: Dict[str, List[bytes]], n: int, seed: int,
                   accepted: Optional[Dict[str, List[bytes]]] = None) -> List[Input]:
    """n mutated messages per target, from that target's seeds (corpus and
    vector inputs attributed to it). Three times out of four the base is a
    seed that some implementation accepted (when there is one): mutations of
    valid messages reach the checks that differ, mutations of rejected ones
    mostly stay rejected. Typed targets keep their wire type, as their fuzz
    harness does; the dispatcher targets mutate the type too."""
    out = []
    accepted = accepted or {}
    for k, tg in enumerate(targets):
        pool = seeds.get(tg.name) or []
        good = accepted.get(tg.name) or []
        if not pool or n <= 0:
            continue
        mut = Mutator(seed * 1000003 + k)
        for i in range(n):
            base = mut.rng.choice(good if good and mut.rng.random() < 0.75 else pool)
            data, recipe = mut.mutate(tg.direction, base, pool, tg.type)
            out.append(Input("mutated", tg.name, tg.direction, data, f"seed {seed} #{i}: {recipe}"))
    return out
