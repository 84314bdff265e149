"""Inputs of the text-parser and computed-operation differential.

Text parsers (compared input by input, like the stateful decoders):
  py_int, base64_lenient, hmac_secret_decode, bearer_check, hmac_parse_token,
  hmac_verify.
Computed operations (both must compute the same output, or both refuse):
  etag, hmac_to_sign, hmac_sign, connection_nonce, ws_url.

Every input is one testee-protocol request (op and input object,
conformance/TESTEE-PROTOCOL.md). Sources:
  corpus     the seed corpora of the fuzz targets (corpus/<target>/ and
             corpus/grown/<target>/), split into fields as the text targets
             of fuzz/oracle_text.c do;
  vectors    the inputs of the vectors for these ops (vectors/auth.json,
             session.json, etag.json);
  mutated    N seeded text-aware mutations per text parser;
  generated  N seeded random valid field sets per computed operation;
  edge       a fixed list of edge values per computed operation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as _hmac
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..protocol import auth_model as _auth  # the to-sign kinds and layouts (§10.3.3)
from . import REPO_ROOT
from .inputs import corpus_files
from .roundtrip import Gen

TEXT_OPS = ("py_int", "base64_lenient", "hmac_secret_decode", "bearer_check",
            "hmac_parse_token", "hmac_verify")
COMPUTED_OPS = ("etag", "hmac_to_sign", "hmac_sign", "connection_nonce", "ws_url")
ALL_OPS = TEXT_OPS + COMPUTED_OPS
FEATURE = {"py_int": "hmac", "base64_lenient": "hmac", "hmac_secret_decode": "hmac",
           "hmac_parse_token": "hmac", "hmac_verify": "hmac", "hmac_to_sign": "hmac",
           "hmac_sign": "hmac", "bearer_check": "bearer", "etag": "etag",
           "connection_nonce": "session", "ws_url": "session"}

# fuzz target -> the ops its corpus feeds
CORPUS_TARGETS = {
    "py_int": ("py_int",),
    "b64_lenient": ("base64_lenient",),
    "hmac_secret": ("hmac_secret_decode",),
    "bearer": ("bearer_check",),
    "hmac_token": ("hmac_parse_token", "hmac_verify"),
    "ws_url": ("ws_url",),
    "etag_order": ("etag",),
    "hmac_roundtrip": ("hmac_to_sign", "hmac_sign"),
}

KIND_NAMES = {v: k for k, v in _auth.KINDS.items()}
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
U64_MAX = (1 << 64) - 1
NOW = 1700000000

# §10.5: the example secret and the stateless SUBSCRIBE_EXACT it signs
SECRET_TEXT = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw"
SECRET = bytes(range(64))
EXAMPLE_URL = "http://127.0.0.1:3002/v1/receive"
NONCE_B64 = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="     # §6.1
VERIFY_MESSAGES = (
    {"kind": "SUBSCRIBE_EXACT", "tracing": "", "url": EXAMPLE_URL, "recovery": None,
     "topic": b"foo/bar".hex()},
    {"kind": "NOTIFY", "tracing": "", "topic": b"foo/bar".hex(), "identifier": "deadbeef",
     "sha512": hashlib.sha512(b"hi").hexdigest()},
    {"kind": "STATEFUL_CONFIGURE", "tracing": "0102", "subscriber_nonce": bytes(range(32)).hex(),
     "enable_zstd": True, "enable_training": False, "initial_dict": 0},
)


@dataclass
class OpInput:
    source: str          # corpus | vectors | mutated | generated | edge | file
    op: str
    input: Dict[str, Any]
    origin: str = ""

    def key(self) -> Tuple[str, str]:
        return (self.op, canonical(self.input))


def _norm(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    return v


def canonical(inp: Dict[str, Any]) -> str:
    """Integers compared by value (a number equals its decimal string), key order ignored."""
    return json.dumps(_norm(inp), sort_keys=True, ensure_ascii=False)


def dedupe(inputs: Iterable[OpInput]) -> List[OpInput]:
    seen = set()
    out = []
    for i in inputs:
        k = i.key()
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


def text_of(b: bytes) -> str:
    """Corpus bytes as text: the testee protocol carries text as JSON strings,
    so invalid UTF-8 sequences become U+FFFD."""
    return b.decode("utf-8", "replace")


def b64std(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def b64url(b: bytes, pad: bool = False) -> str:
    s = base64.urlsafe_b64encode(b).decode("ascii")
    return s if pad else s.rstrip("=")


def is_canonical_nonce_b64(s: str) -> bool:
    if len(s) != 44 or s[-1] != "=" or not re.fullmatch(r"[A-Za-z0-9+/]{43}=", s):
        return False
    try:
        return b64std(base64.b64decode(s)) == s
    except ValueError:
        return False


def canonical_nonce_of(s: str) -> Optional[str]:
    """The standard padded rendering that s is a URL-safe and/or unpadded
    spelling of (QK-25), or None."""
    t = s.replace("-", "+").replace("_", "/")
    if len(t) == 43:
        t += "="
    return t if t != s and is_canonical_nonce_b64(t) else None


# ------------------------------------------------------------------ HMAC model

def kind_fields(kind: str) -> List[Tuple[str, str]]:
    return _auth.TAILS[_auth.KINDS[kind]]


def _py_fields(inp: Dict[str, Any]) -> Dict[str, Any]:
    """A request's kind fields as the protocol model's to_sign wants them."""
    f: Dict[str, Any] = {"kind": inp["kind"], "tracing": bytes.fromhex(inp.get("tracing", ""))}
    for enc, name in kind_fields(inp["kind"]):
        v = inp[name]
        if enc in ("s16", "s8", "d64"):
            f[name] = bytes.fromhex(v)
        elif enc.startswith("u"):
            f[name] = int(v)
        else:
            f[name] = v
    return f


def sign_model(msg: Dict[str, Any], ts: int, nonce: str) -> str:
    """An X-HMAC header for msg with the example secret, from the protocol
    model's to_sign (reference layout: the timestamp is any u64)."""
    f = _py_fields(msg)
    f.update(timestamp=str(ts), nonce=nonce)
    data = _auth.to_sign(f, False)
    code = _hmac.new(SECRET, data, hashlib.sha512).digest()
    return f"X-HMAC {ts}:{nonce}:{b64std(code)}"


# ------------------------------------------------------------------ corpora

def _etag_from_raw(raw: bytes) -> Dict[str, Any]:
    """fuzz/oracle_text.c FZ_TEXT_ETAG_ORDER: entries separated by 0x00 (exact)
    until a 0x01 byte, then globs (separated by 0x00 or 0x01); url "u", no
    recovery, order checked."""
    exact, glob = [], []
    p, n, in_glob = 0, len(raw), False
    while p <= n:
        q = p
        while q < n and raw[q] > 1:
            q += 1
        key = raw[p:q]
        if in_glob:
            glob.append({"glob": text_of(key), "recovery": None})
        else:
            exact.append({"topic": key.hex(), "recovery": None})
        if q < n and raw[q] == 1 and not in_glob:
            in_glob = True
        p = q + 1
    return {"url": "u", "exact": exact, "glob": glob, "check_order": True}


def _roundtrip_fields(raw: bytes, for_sign: bool) -> Dict[str, Any]:
    """fuzz/oracle_text.c FZ_TEXT_HMAC_ROUNDTRIP: byte 0 the kind, then nonce,
    tracing, url, recovery, topic, glob, identifier separated by 0x00; the
    other fields from a generator seeded with the file's digest."""
    kind = KIND_NAMES[1 + raw[0] % _auth.KINDS["STATEFUL_CONTINUE_NOTIFY"]]
    parts = raw[1:].split(b"\x00")
    parts += [b""] * (7 - len(parts))
    nonce, tracing, url, recovery, topic, glob, ident = parts[:7]
    g = FieldGen(int.from_bytes(hashlib.sha256(raw).digest()[:8], "big"))
    inp = g.auth_fields(kind, for_sign=for_sign)
    inp["nonce"] = text_of(nonce)
    if for_sign:
        inp["nonce"] = inp["nonce"].replace(":", ".")   # the codec refuses to sign what cannot parse back
    inp["tracing"] = tracing.hex()
    texts = {"url": text_of(url), "recovery": text_of(recovery), "glob": text_of(glob)}
    for enc, name in kind_fields(kind):
        if name in texts:
            inp[name] = texts[name]
        elif name == "topic":
            inp[name] = topic.hex()
        elif name == "identifier" and enc == "s8":
            inp[name] = ident.hex()
    return inp


def _ws_url_from_raw(raw: bytes) -> Optional[Dict[str, Any]]:
    """A corpus URL `websocket:<nonce>:<hex>` as ws_url fields: the counter
    when it is hexadecimal; the nonce when it is a rendering of a 32-byte
    nonce (canonical or a QK-25 spelling), else the §6.1 one."""
    s = text_of(raw)
    if not s.startswith("websocket:") or ":" not in s[10:]:
        return None
    nonce, ctr = s[10:].rsplit(":", 1)
    if not re.fullmatch(r"-?[0-9a-fA-F]{1,40}", ctr):
        return None
    if not (is_canonical_nonce_b64(nonce) or canonical_nonce_of(nonce)):
        nonce = NONCE_B64
    return {"nonce_b64": nonce, "counter": str(int(ctr, 16))}


def corpus_inputs(corpus_dir: Optional[Path] = None, ops: Iterable[str] = ALL_OPS) -> List[OpInput]:
    corpus_dir = corpus_dir or REPO_ROOT / "corpus"
    ops = set(ops)
    out: List[OpInput] = []
    for target, target_ops in CORPUS_TARGETS.items():
        for raw, origin in corpus_files(corpus_dir, target, f"grown/{target}"):
            for op in target_ops:
                if op not in ops:
                    continue
                inp = _corpus_fields(target, op, raw)
                if inp is not None:
                    out.append(OpInput("corpus", op, inp, origin))
    return out


def _corpus_fields(target: str, op: str, raw: bytes) -> Optional[Dict[str, Any]]:
    if target in ("py_int", "b64_lenient"):
        return {"text": text_of(raw)}
    if target == "hmac_secret":
        return {"secret": text_of(raw)}
    if target == "bearer":
        z = raw.find(b"\x00")
        tl = z if z >= 0 else len(raw) // 2
        a = raw[tl + (1 if z >= 0 else 0):]
        return {"token": text_of(raw[:tl]), "authorization": text_of(a)}
    if target == "hmac_token":
        if not raw:
            return None
        lifetime = U64_MAX if raw[0] & 1 else raw[0] * 1000
        tok = {"authorization": text_of(raw[1:]), "now": str(NOW), "lifetime": str(lifetime)}
        return tok if op == "hmac_parse_token" else dict(VERIFY_MESSAGES[0], secret=SECRET_TEXT, **tok)
    if target == "ws_url":
        return _ws_url_from_raw(raw)
    if target == "etag_order":
        return _etag_from_raw(raw)
    if target == "hmac_roundtrip":
        if not raw:
            return None
        inp = _roundtrip_fields(raw, op == "hmac_sign")
        if op == "hmac_sign":
            inp["secret"] = SECRET_TEXT
        return inp
    return None


# ------------------------------------------------------------------ vectors

def load_op_vectors(vectors_dir: Optional[Path] = None, ops: Iterable[str] = ALL_OPS) -> List[dict]:
    vectors_dir = vectors_dir or REPO_ROOT / "vectors"
    ops = set(ops)
    out = []
    for area in ("auth", "session", "etag"):
        p = vectors_dir / f"{area}.json"
        if p.exists():
            out.extend(v for v in json.loads(p.read_text())["vectors"]
                       if not v.get("deprecated") and v.get("op") in ops)
    return out


def vector_inputs(vectors: List[dict]) -> List[OpInput]:
    return [OpInput("vectors", v["op"], v["input"], v["id"]) for v in vectors]


def read_op_input_file(path: Path) -> List[OpInput]:
    """JSON lines {"op": ..., "input": {...}} (blank lines and # comments ignored)."""
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        d = json.loads(line)
        out.append(OpInput("file", d["op"], d["input"], f"{path.name}:{n}"))
    return out


# ------------------------------------------------------------------ character pools

ASCII_DIGITS = "0123456789"
# decimal digits of other scripts (int() reads them; U+1D7CE.. is astral)
UNICODE_DIGIT_FAMILIES = ("\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\uff10", "\U0001d7ce",
                          "\U0001d7d8", "\u1040", "\U000104a0")
UNICODE_SPACES = ("\u00a0", "\u1680", "\u2000", "\u2003", "\u2009", "\u200a", "\u2028", "\u2029",
                  "\u202f", "\u205f", "\u3000", "\u0085")
ASCII_SPACES = (" ", "\t", "\n", "\v", "\f", "\r")
# look like spaces or digits to someone, but are neither to int()
NOT_INT = ("\x1c", "\x1d", "\x1e", "\x1f", "\u200b", "\ufeff", "\u00b2", "\u2460", "\u00bd", "\x00",
           "\u0130", "\U0001f642", "x", "a", "A", ".", ",", "e", "'", "\u2212")
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64_JUNK = ("-", "_", "=", "==", ":", " ", "\n", "\t", "!", ".", "\x00", "\x7f", "\u00e9", "\u00ff",
            "\u20ac", "\U0001f642", "\r\n", "*", "%", "\\")
TEXT_POOL = ("abcxyzABC0129-/_*?[]. :", "\u00e9\u00fc\u00df", "\u65e5\u672c\u8a9e",
             "\U0001F642\U0001F680", "\x00\x7f\ufeff")


def digits_in(family: str, s: str) -> str:
    base = ord(family)
    return "".join(chr(base + ord(c) - 48) if c in ASCII_DIGITS else c for c in s)


def utf8_len_text(rng: random.Random, nbytes: int) -> str:
    """A text of exactly nbytes UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters."""
    out, left = [], nbytes
    while left:
        w = rng.choice([k for k in (1, 2, 3, 4) if k <= left])
        out.append({1: "n", 2: "\u00e9", 3: "\u20ac", 4: "\U0001F642"}[w])
        left -= w
    return "".join(out)


def signed_int_text(rng: random.Random) -> str:
    """A decimal integer of any size, biased towards the int64 and u64 edges."""
    r = rng.random()
    if r < 0.35:
        v = rng.choice((INT64_MAX, INT64_MIN, INT64_MAX + 1, INT64_MIN - 1, U64_MAX, U64_MAX + 1,
                        0, 1, -1, NOW, 10 ** 18, 10 ** 19, -(10 ** 19)))
        v += rng.choice((0, 0, 0, 1, -1, 2, -2))
    else:
        b = rng.randint(0, 80)
        v = rng.getrandbits(b) if b else 0
        if rng.random() < 0.3:
            v = -v
    return str(v)


class StrMutator:
    """Seeded, reproducible text mutations (the same seed and Python version
    give the same inputs)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def pick_char(self, pools: Tuple[str, ...]) -> str:
        r = self.rng
        pool = r.choice(pools)
        if pool == "udigit":
            return chr(ord(r.choice(UNICODE_DIGIT_FAMILIES)) + r.randrange(10))
        if pool == "uspace":
            return r.choice(UNICODE_SPACES)
        if pool == "aspace":
            return r.choice(ASCII_SPACES)
        if pool == "digit":
            return r.choice(ASCII_DIGITS)
        if pool == "notint":
            return r.choice(NOT_INT)
        if pool == "b64":
            return r.choice(B64_ALPHABET)
        if pool == "b64junk":
            return r.choice(B64_JUNK)
        if pool == "text":
            return r.choice(r.choice(TEXT_POOL))
        return pool     # a literal

    def generic(self, s: str, pools: Tuple[str, ...], pool_strings: List[str]) -> str:
        """One generic operation: insert, replace, delete, duplicate, swap,
        truncate, splice with another seed, repeat."""
        r = self.rng
        op = r.choice(("insert", "insert", "replace", "replace", "delete", "dup", "swap", "truncate",
                       "splice", "repeat"))
        n = len(s)
        i = r.randrange(n + 1)
        if op == "insert":
            return s[:i] + "".join(self.pick_char(pools) for _ in range(r.randint(1, 3))) + s[i:]
        if op == "replace" and n:
            i = r.randrange(n)
            return s[:i] + self.pick_char(pools) + s[i + 1:]
        if op == "delete" and n:
            i = r.randrange(n)
            return s[:i] + s[i + r.randint(1, min(4, n - i)):]
        if op == "dup" and n:
            j = r.randrange(i, n + 1)
            return s[:j] + s[i:j] + s[j:]
        if op == "swap" and n >= 2:
            i = r.randrange(n - 1)
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if op == "truncate" and n:
            return s[:r.randrange(n)] if r.random() < 0.5 else s[r.randrange(n):]
        if op == "splice" and pool_strings:
            o = r.choice(pool_strings)
            return s[:i] + o[r.randrange(len(o) + 1):]
        if op == "repeat" and n:
            return s * r.randint(2, 4) if n < 200 else s
        return s + self.pick_char(pools)

    # -- Python int() text ----------------------------------------------------

    INT_POOLS = ("digit", "digit", "udigit", "uspace", "aspace", "_", "+", "-", "notint")

    def py_int_text(self, s: str, pool: List[str]) -> str:
        r = self.rng
        op = r.random()
        if op < 0.15:                       # a digit family swap, all or some digits
            fam = r.choice(UNICODE_DIGIT_FAMILIES)
            if r.random() < 0.5:
                return digits_in(fam, s)
            return "".join(digits_in(fam, c) if r.random() < 0.3 else c for c in s)
        if op < 0.3:                        # surrounding whitespace, ASCII or not
            sp = lambda: "".join(r.choice(ASCII_SPACES + UNICODE_SPACES) for _ in range(r.randint(1, 3)))
            return (sp() if r.random() < 0.7 else "") + s + (sp() if r.random() < 0.7 else "")
        if op < 0.42:                       # underscores between (or next to) digits
            k = [i for i in range(1, len(s)) if s[i - 1].isdigit()]
            if k:
                i = r.choice(k)
                return s[:i] + r.choice(("_", "_", "__", "_ ")) + s[i:]
        if op < 0.5:                        # sign and leading zeros
            return r.choice(("+", "-", "", "--", "+-", " -")) + "0" * r.randint(0, 3) + s.lstrip("+-")
        if op < 0.58:
            return signed_int_text(r)
        return self.generic(s, self.INT_POOLS, pool)

    # -- base64 text ----------------------------------------------------------

    B64_POOLS = ("b64", "b64", "b64", "b64junk", "=", "-", "_")

    def b64_text(self, s: str, pool: List[str]) -> str:
        r = self.rng
        op = r.random()
        if op < 0.1:
            return s.rstrip("=")
        if op < 0.2:
            return s.replace("+", "-").replace("/", "_")
        if op < 0.3:                        # data after a completed padding
            return s + r.choice(("AAAA", "=", "==", "A", "AB==", "\u00e9", ":x"))
        if op < 0.4:                        # '=' at any position
            i = r.randrange(len(s) + 1)
            return s[:i] + "=" * r.randint(1, 3) + s[i:]
        if op < 0.47:
            return b64std(bytes(r.randrange(256) for _ in range(r.randint(0, 70))))
        return self.generic(s, self.B64_POOLS, pool)


# ------------------------------------------------------------------ field generator

class FieldGen(Gen):
    """Seeded random valid fields of the computed operations (the round
    trip's generator, with text that can leave characters out)."""

    def text(self, lo: int, hi: int, exclude: str = "") -> str:
        r = self.rng
        out = []
        for _ in range(r.randint(lo, hi)):
            c = r.choice(r.choice(TEXT_POOL))
            out.append("." if c in exclude else c)
        return "".join(out)

    def uint(self, bits: int) -> int:
        r = self.rng
        b = r.randint(0, bits)
        v = r.getrandbits(b) if b else 0
        if b and r.random() < 0.1:
            v = (1 << b) - 1
        return v

    def nonce(self, for_sign: bool) -> str:
        r = self.rng
        x = r.random()
        if x < 0.6:
            return b64url(bytes(r.randrange(256) for _ in range(4)))   # what the reference makes
        if x < 0.8:
            return self.text(0, 12, ":" if for_sign else "")
        return utf8_len_text(r, r.choice((0, 1, 254, 255)))

    def auth_fields(self, kind: str, for_sign: bool = False) -> Dict[str, Any]:
        r = self.rng
        inp: Dict[str, Any] = {"kind": kind, "timestamp": str(self.timestamp()),
                               "nonce": self.nonce(for_sign), "tracing": self.bytes(0, 24).hex()}
        for enc, name in kind_fields(kind):
            if name in ("url", "glob"):
                v: Any = self.text(0, 40)
            elif name == "recovery":
                # MISSED signs the recovery URL itself: a str in the reference, never absent
                v = None if r.random() < 0.4 and kind != "MISSED" else self.text(0, 40)
            elif name == "topic":
                v = self.bytes(0, 40).hex()
            elif enc == "s8":             # identifier, subscriber/broadcaster nonce
                v = self.bytes(32, 32).hex() if "nonce" in name else self.bytes(0, 64).hex()
            elif enc == "d64":
                v = self.bytes(64, 64).hex()
            elif enc == "b8":
                v = r.random() < 0.5
            elif enc.startswith("u"):
                bits = int(enc[1:])
                v = self.uint(bits)
                if bits <= 16:
                    v = int(v)
                else:
                    v = str(v)
            else:
                raise ValueError(enc)
            inp[name] = v
        return inp

    def timestamp(self) -> int:
        r = self.rng
        x = r.random()
        if x < 0.5:
            return NOW + r.randint(-200, 200)
        if x < 0.9:
            return self.uint(63)
        return r.choice((0, 1, INT64_MAX))

    def secret(self) -> str:
        key = bytes(self.rng.randrange(256) for _ in range(64))
        return self.rng.choice((b64url(key), b64url(key, True), b64std(key), b64std(key).rstrip("=")))

    def etag(self) -> Dict[str, Any]:
        r = self.rng
        topics = sorted({self.bytes(0, 20) for _ in range(r.randint(0, 6))})
        globs = sorted({self.text(0, 12) for _ in range(r.randint(0, 6))}, key=lambda g: g.encode())
        rec = lambda: None if r.random() < 0.5 else self.text(0, 30)
        exact = [{"topic": t.hex(), "recovery": rec()} for t in topics]
        glob = [{"glob": g, "recovery": rec()} for g in globs]
        check = True
        x = r.random()
        if x < 0.15:                      # unsorted, order not checked: both compute
            r.shuffle(exact)
            r.shuffle(glob)
            check = False
        elif x < 0.25 and (len(exact) > 1 or len(glob) > 1):   # both must refuse
            (exact if len(exact) > 1 else glob).reverse()
        return {"url": self.text(0, 40), "exact": exact, "glob": glob, "check_order": check}

    def ws_counter(self) -> int:
        r = self.rng
        v = self.uint(63)
        return -v if r.random() < 0.5 else v


def generated_inputs(n: int, seed: int, ops: Iterable[str] = COMPUTED_OPS) -> List[OpInput]:
    """n seeded random valid field sets per computed operation."""
    out: List[OpInput] = []
    kinds = list(_auth.KINDS)
    for k, op in enumerate(COMPUTED_OPS):
        if op not in ops or n <= 0:
            continue
        g = FieldGen(seed * 1000033 + 101 + k)
        for i in range(n):
            if op in ("hmac_to_sign", "hmac_sign"):
                inp = g.auth_fields(kinds[i % len(kinds)], for_sign=op == "hmac_sign")
                if op == "hmac_sign":
                    inp["secret"] = g.secret()
            elif op == "etag":
                inp = g.etag()
            elif op == "connection_nonce":
                inp = {"subscriber_nonce": g.bytes(32, 32).hex(), "broadcaster_nonce": g.bytes(32, 32).hex()}
            else:
                inp = {"nonce_b64": b64std(g.bytes(32, 32)), "counter": str(g.ws_counter())}
            out.append(OpInput("generated", op, inp, f"seed {seed} #{i}"))
    return out


def edge_inputs(ops: Iterable[str] = COMPUTED_OPS) -> List[OpInput]:
    """Fixed edge values of the computed operations: empty and maximal
    fields, non-ASCII text, u64 max, counters around ±2^63."""
    ops = set(ops)
    out: List[OpInput] = []
    rng = random.Random(0)
    big_nonce = utf8_len_text(rng, 255)

    def add(op, inp, what):
        if op in ops:
            out.append(OpInput("edge", op, inp, what))

    for kind in _auth.KINDS:
        for variant in ("empty", "max", "unicode", "over", "ts-2^63", "ts-u64max"):
            inp: Dict[str, Any] = {"kind": kind, "timestamp": "0", "nonce": "", "tracing": ""}
            if variant == "max":
                inp.update(timestamp=str(INT64_MAX), nonce=big_nonce, tracing="ab" * 65535)
            elif variant == "unicode":
                inp.update(timestamp=str(NOW), nonce="\u00e9\U0001F642\u65e5", tracing="00ff")
            elif variant == "over":
                inp.update(nonce=big_nonce + "n")
            elif variant == "ts-2^63":
                inp.update(timestamp=str(INT64_MAX + 1), nonce="abcdef")
            elif variant == "ts-u64max":
                inp.update(timestamp=str(U64_MAX), nonce="abcdef")
            for enc, name in kind_fields(kind):
                full = variant in ("max", "over")
                if enc in ("t16",):
                    v: Any = {"empty": "", "max": "u" * 65535, "unicode": "\u00e9/\u65e5\U0001F642*",
                              "over": "u"}.get(variant, "u")
                    if name == "recovery" and variant == "empty" and kind != "MISSED":
                        v = None
                elif enc == "s16":
                    v = ("ab" * 65535) if variant == "max" else ("" if variant == "empty" else "0a55524c")
                elif enc == "s8":
                    ln = 255 if full else (0 if variant == "empty" else 32)
                    if variant == "over" and name == "identifier":
                        ln = 256
                    v = ("7f" * ln)
                elif enc == "d64":
                    v = ("ff" if full else "00") * 64
                elif enc == "b8":
                    v = full
                else:
                    bits = int(enc[1:])
                    v = ((1 << bits) - 1) if variant == "max" else 0
                    if variant == "over":
                        v = 1 << bits
                    if name == "compression_level" and variant == "over":
                        v = -1                                      # QK-32: both refuse
                    if name == "part_id" and kind == "STATEFUL_CONTINUE_RECEIVE" and variant == "over":
                        v = 256                                     # QK-31: both refuse
                    v = str(v) if bits > 16 else v
                inp[name] = v
            add("hmac_to_sign", inp, f"{kind} {variant}")
            add("hmac_sign", dict(inp, secret=SECRET_TEXT), f"{kind} {variant}")
    empty = {"url": "", "exact": [], "glob": [], "check_order": True}
    add("etag", empty, "empty")
    add("etag", dict(empty, check_order=False), "empty, unchecked")
    add("etag", {"url": "\u00e9\U0001F642", "exact": [{"topic": "", "recovery": ""}],
                 "glob": [{"glob": "", "recovery": None}], "check_order": True}, "empty entries, non-ASCII url")
    add("etag", {"url": "u" * 65535, "exact": [{"topic": "ab" * 65535, "recovery": "r" * 65535}],
                 "glob": [{"glob": "g" * 65535, "recovery": "\u00e9" * 32767}], "check_order": True},
        "maximal lengths")
    add("etag", {"url": "URL", "exact": [{"topic": b"\nEXACT".hex(), "recovery": None},
                                         {"topic": b"\nGLOB\n".hex(), "recovery": "\n"}],
                 "glob": [{"glob": "\nGLOB", "recovery": "URL"}, {"glob": "\U0001F642", "recovery": None}],
                 "check_order": True}, "markers inside entries")
    add("etag", {"url": "u", "exact": [{"topic": "61", "recovery": None}, {"topic": "61", "recovery": "x"}],
                 "glob": [], "check_order": True}, "duplicate topic (both refuse)")
    add("etag", {"url": "u", "exact": [], "glob": [{"glob": "\uffff", "recovery": None},
                                                   {"glob": "\U00010000", "recovery": None}],
                 "check_order": True}, "globs ordered by UTF-8 bytes, not UTF-16")
    for name, s, b in (("zeros", bytes(32), bytes(32)), ("ones", b"\xff" * 32, b"\xff" * 32),
                       ("example", bytes(range(32)), bytes(range(32, 64)))):
        add("connection_nonce", {"subscriber_nonce": s.hex(), "broadcaster_nonce": b.hex()}, name)
    for c in (0, 1, -1, 10, -10, -26, 255, -256, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
              INT64_MAX + 1, INT64_MIN - 1, U64_MAX, -U64_MAX, -(1 << 64), 1 << 100, -(1 << 100)):
        add("ws_url", {"nonce_b64": NONCE_B64, "counter": str(c)}, f"counter {c}")
    for nb, what in ((NONCE_B64.replace("/", "_").replace("+", "-"), "URL-safe nonce"),
                     (NONCE_B64[:-1], "unpadded nonce"),
                     (NONCE_B64.replace("/", "_").replace("+", "-")[:-1], "URL-safe unpadded nonce"),
                     (b64std(bytes(32)), "zero nonce"), (b64std(b"\xff" * 32), "ff nonce")):
        add("ws_url", {"nonce_b64": nb, "counter": "-1"}, what)
    return out


# ------------------------------------------------------------------ text mutations

def _token_parts(auth: str) -> Optional[Tuple[str, str, str, str]]:
    """(prefix, timestamp, nonce, code) of an X-HMAC value, split like §10.4.1."""
    if not auth.startswith("X-HMAC "):
        return None
    rest = auth[7:]
    i = rest.find(":")
    if i < 0:
        return None
    j = rest.find(":", i + 1)
    if j < 0:
        return None
    return "X-HMAC ", rest[:i], rest[i + 1:j], rest[j + 1:]


NOWS = (NOW, NOW, NOW, 0, -1, INT64_MAX, INT64_MIN, 1 << 62)
LIFETIMES = (120, 120, 0, 1, 1000, 255000, INT64_MAX, INT64_MAX + 1, U64_MAX)


def _token_base(m: StrMutator, verify_msg: Optional[Dict[str, Any]]) -> Tuple[str, int, int]:
    """A well-formed token near its edges: (authorization, now, lifetime)."""
    r = m.rng
    now = r.choice(NOWS)
    lifetime = r.choice(LIFETIMES)
    d = r.choice((0, 0, 0, 1, -1, lifetime, -lifetime, lifetime + 1, -lifetime - 1, 60))
    ts = now + d
    x = r.random()
    if x < 0.6:
        nonce = b64url(bytes(r.randrange(256) for _ in range(4)))
    elif x < 0.8:
        nonce = utf8_len_text(r, r.choice((0, 1, 254, 255, 256, 300)))
    else:
        nonce = "".join(r.choice(r.choice(TEXT_POOL)) for _ in range(r.randint(0, 10))).replace(":", "")
    if verify_msg is not None and 0 <= ts <= U64_MAX and len(nonce.encode()) <= 255:
        auth = sign_model(verify_msg, ts, nonce)
    else:
        code = bytes(r.randrange(256) for _ in range(64))
        auth = f"X-HMAC {ts}:{nonce}:{b64std(code)}"
    return auth, now, lifetime


def _mutate_token(m: StrMutator, auth: str, pool: List[str]) -> str:
    r = m.rng
    parts = _token_parts(auth)
    if parts is None or r.random() < 0.1:
        return m.generic(auth, ("text", "b64", "b64junk", ":", "digit", "udigit", "uspace"), pool)
    pre, ts, nonce, code = parts
    which = r.choice(("prefix", "ts", "ts", "ts", "nonce", "code", "code", "colon"))
    if which == "prefix":
        pre = r.choice(("X-HMAC", "X-HMAC  ", "x-hmac ", "X-HMAC\t", "X-HMAC\u00a0", " X-HMAC ", "",
                        "X-HMAC :", "Bearer "))
    elif which == "ts":
        ts = m.py_int_text(ts, [])
    elif which == "nonce":
        nonce = r.choice((nonce + ":", utf8_len_text(r, r.choice((255, 256))), "", nonce * 2,
                          m.generic(nonce, ("text", ":", "b64junk"), [])))
    elif which == "code":
        code = m.b64_text(code, [])
    else:
        return auth.replace(":", r.choice(("", "::", ";", "\uff1a")), 1 if r.random() < 0.7 else 2)
    return f"{pre}{ts}:{nonce}:{code}"


def mutated_inputs(n: int, seed: int, seeds: Dict[str, List[OpInput]],
                   ops: Iterable[str] = TEXT_OPS) -> List[OpInput]:
    """n seeded text-aware mutations per text parser. Half of the bases are
    the op's seeds (corpus and vectors), half freshly made well-formed values
    near their edges (so that mutations reach the checks behind the syntax)."""
    out: List[OpInput] = []
    for k, op in enumerate(TEXT_OPS):
        if op not in ops or n <= 0:
            continue
        m = StrMutator(seed * 1000003 + 7919 + k)
        r = m.rng
        base_inputs = seeds.get(op, [])
        for i in range(n):
            base = dict(r.choice(base_inputs).input) if base_inputs and r.random() < 0.5 else None
            recipe = "seed" if base else "fresh"
            if op == "py_int":
                pool = [b.input["text"] for b in base_inputs]
                s = base["text"] if base else signed_int_text(r)
                for _ in range(1 + min(int(r.expovariate(1.5)), 3)):
                    s = m.py_int_text(s, pool)
                inp = {"text": s}
            elif op in ("base64_lenient", "hmac_secret_decode"):
                key = "text" if op == "base64_lenient" else "secret"
                pool = [b.input[key] for b in base_inputs]
                if base:
                    s = base[key]
                elif op == "base64_lenient":
                    s = b64std(bytes(r.randrange(256) for _ in range(r.randint(0, 70))))
                else:
                    sec = bytes(r.randrange(256) for _ in range(r.choice((64, 64, 64, 63, 65))))
                    s = r.choice((b64url(sec), b64url(sec, True), b64std(sec), b64std(sec).rstrip("=")))
                for _ in range(1 + min(int(r.expovariate(1.5)), 3)):
                    s = m.b64_text(s, pool)
                inp = {key: s}
            elif op == "bearer_check":
                if base:
                    tok, auth = base["token"], base["authorization"]
                else:
                    tok = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789-._~+/=") for _ in range(r.randint(0, 40)))
                    auth = "Bearer " + tok
                x = r.random()
                if x >= 0.9:
                    pass                    # as is: the matching token
                elif x < 0.05:
                    auth = None
                elif x < 0.35 and auth is not None:
                    auth = r.choice(("bearer ", "Bearer  ", "Bearer", "BEARER ", "Bearer\t", "")) + tok
                elif x < 0.8 and auth is not None:
                    auth = m.generic(auth, ("text", "b64junk", "aspace", "uspace"), [])
                else:
                    tok = m.generic(tok, ("text", "b64junk", "aspace"), [])
                inp = {"token": tok, "authorization": auth}
            else:   # hmac_parse_token, hmac_verify
                vmsg = r.choice(VERIFY_MESSAGES) if op == "hmac_verify" else None
                if base:
                    auth, now, lifetime = base.get("authorization"), int(base["now"]), int(base["lifetime"])
                    vmsg = {k2: v for k2, v in base.items() if k2 not in ("authorization", "now", "lifetime",
                                                                          "timestamp", "nonce")} or vmsg
                else:
                    auth, now, lifetime = _token_base(m, vmsg)
                if auth is None or r.random() < 0.02:
                    auth = None if r.random() < 0.5 else ""
                else:
                    for _ in range(1 + min(int(r.expovariate(2.0)), 2)):
                        if r.random() < 0.85:
                            auth = _mutate_token(m, auth, [])
                    recipe += "+token"
                if r.random() < 0.15:
                    now = r.choice(NOWS)
                    lifetime = r.choice(LIFETIMES)
                    recipe += "+clock"
                inp = {"authorization": auth, "now": str(now), "lifetime": str(lifetime)}
                if op == "hmac_verify":
                    inp = dict(vmsg, **inp)
                    if "secret" not in inp:
                        inp["secret"] = SECRET_TEXT
            out.append(OpInput("mutated", op, inp, f"seed {seed} #{i}: {recipe}"))
    return out
