"""Session helpers, spec §6.1-§6.2: the connection nonce and websocket URLs."""

from .auth_model import ALPHABET, b64_lenient, b64std
from .prim import Reject, sha256


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
