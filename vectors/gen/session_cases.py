"""Session helpers, spec §6.1-§6.2: connection nonce and websocket URLs."""

from .auth_cases import ALPHABET, b64_lenient, b64std
from .prim import Reject, pattern, sha256
from .vec import judge

NONCE_B64 = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="


def connection_nonce(s, b, strict=True):
    if strict and (len(s) != 32 or len(b) != 32):
        raise Reject("field_size", "nonces are 32 bytes (the reference hashes any length)")
    n = sha256(s + b)
    return {"connection_nonce": n.hex(), "nonce_b64": b64std(n)}


def fmt_counter(c):
    return format(c, "x")


def ws_url(nonce_b64, counter, strict):
    c = int(counter)
    if strict:
        if not -(1 << 63) <= c < 1 << 63:
            raise Reject("overflow", "QK-26: counter outside int64")
        if not _valid_nonce(nonce_b64):
            raise Reject("invalid_argument", "not the rendering of a 32-byte nonce")
    return {"url": f"websocket:{nonce_b64}:{fmt_counter(c)}"}


def _valid_nonce(t):
    if len(t) != 44 or t[-1] != "=" or any(c not in ALPHABET for c in t[:-1]):
        return False
    try:
        return b64std(b64_lenient(t)) == t
    except Reject:
        return False


def ws_url_parse(url):
    if not url.startswith("websocket:"):
        raise Reject("invalid_value", "prefix")
    rest = url[len("websocket:"):]
    nonce, sep, ctr = rest[:44], rest[44:45], rest[45:]
    if not _valid_nonce(nonce):
        raise Reject("bad_base64", "nonce")
    if sep != ":":
        raise Reject("invalid_value", "separator")
    neg = ctr.startswith("-")
    digits = ctr[1:] if neg else ctr
    if (not digits or any(c not in "0123456789abcdef" for c in digits)
            or (len(digits) > 1 and digits[0] == "0") or (neg and digits == "0")):
        raise Reject("invalid_value", "counter")
    v = int(ctr, 16)
    if not -(1 << 63) <= v < 1 << 63:
        raise Reject("overflow", "counter outside int64")
    return {"nonce_b64": nonce, "counter": str(v)}


def run(col):
    def add(vid, desc, refs, op, inp, r, s, expect=None):
        verdict, kw, refs = judge(r, s, lambda x: x, refs)
        if expect:
            assert verdict in expect, f"{vid}: {verdict} {kw}"
        col.add("session", vid, desc, refs, "session", op, inp, verdict, **kw)

    for name, sn, bn, refs in (("example", bytes(range(32)), bytes(range(32, 64)),
                                ["§6.1", "QK-25"]),
                               ("zeros", bytes(32), bytes(32), ["§6.1"]),
                               ("pattern", pattern(32, 1), pattern(32, 2), ["§6.1", "QK-25"]),
                               ("short", bytes(31), bytes(32), ["§6.1", "§3.1.1"])):
        add(f"session-nonce-{name}", f"connection nonce ({name})", refs, "connection_nonce",
            {"subscriber_nonce": sn.hex(), "broadcaster_nonce": bn.hex()},
            lambda s=sn, b=bn: connection_nonce(s, b, False),
            lambda s=sn, b=bn: connection_nonce(s, b, True))
    for c in (1, 10, 16, 255, -1, -10, -26, 0, (1 << 63) - 1, -(1 << 63), 1 << 63, -(1 << 64)):
        name = ("m" + str(-c)) if c < 0 else str(c)
        refs = ["§6.2"] + (["QK-26"] if abs(c) >= 1 << 62 else [])
        add(f"session-ws-url-{name}", f"websocket URL for counter {c}", refs, "ws_url",
            {"nonce_b64": NONCE_B64, "counter": str(c)},
            lambda c=c: ws_url(NONCE_B64, c, False), lambda c=c: ws_url(NONCE_B64, c, True))
    for name, url in (("example", f"websocket:{NONCE_B64}:-1"),
                      ("positive", f"websocket:{NONCE_B64}:1a"),
                      ("zero", f"websocket:{NONCE_B64}:0"),
                      ("int64-min", f"websocket:{NONCE_B64}:-8000000000000000"),
                      ("overflow", f"websocket:{NONCE_B64}:8000000000000000"),
                      ("no-prefix", f"ws:{NONCE_B64}:1"),
                      ("urlsafe", "websocket:" + NONCE_B64.replace("/", "_").replace("+", "-") + ":1"),
                      ("unpadded", f"websocket:{NONCE_B64[:-1]}:1"),
                      ("uppercase", f"websocket:{NONCE_B64}:1A"),
                      ("leading-zero", f"websocket:{NONCE_B64}:01"),
                      ("minus-zero", f"websocket:{NONCE_B64}:-0"),
                      ("no-counter", f"websocket:{NONCE_B64}:"),
                      ("no-separator", f"websocket:{NONCE_B64}")):
        add(f"session-ws-url-parse-{name}", f"parse the websocket URL {url!r}", ["§6.2"],
            "ws_url_parse", {"url": url}, lambda u=url: ws_url_parse(u),
            lambda u=url: ws_url_parse(u))
