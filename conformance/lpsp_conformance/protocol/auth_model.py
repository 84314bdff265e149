"""Authorization, spec §10: HMAC to-sign layouts, X-HMAC tokens, the lenient
base64 decoder, Python int() timestamps, secrets, Bearer tokens; and the
Repr-Digest parser of §8.2.6 that shares the decoder.

Functions with a `strict` argument model both personalities: the reference
behaviour (False) and the strict choices of codec/docs/QUIRKS.md (True).
"""

import hashlib
import hmac as _hmac

from .prim import Reject, u8


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VAL = {c: i for i, c in enumerate(ALPHABET)}


def b64std(b):
    """Standard base64 with padding (RFC 4648 §4)."""
    out = []
    for i in range(0, len(b), 3):
        chunk = b[i:i + 3]
        n = int.from_bytes(chunk + bytes(3 - len(chunk)), "big")
        chars = [ALPHABET[(n >> s) & 63] for s in (18, 12, 6, 0)]
        keep = len(chunk) + 1
        out.append("".join(chars[:keep]) + "=" * (4 - keep))
    return "".join(out)


def b64_lenient(text):
    """The lenient decoder of §10.4.4."""
    if any(ord(c) > 127 for c in text):
        raise Reject("bad_base64", "not ASCII")
    q, pads, acc, out = 0, 0, 0, bytearray()
    for c in text:
        if c == "=":
            if q >= 2:
                pads += 1
                if q + pads >= 4:
                    return bytes(out)
            continue
        v = _VAL.get(c)
        if v is None:
            continue
        pads = 0
        if q == 0:
            acc, q = v, 1
        elif q == 1:
            out.append(((acc << 2) | (v >> 4)) & 0xFF)
            acc, q = v & 0xF, 2
        elif q == 2:
            out.append(((acc << 4) | (v >> 2)) & 0xFF)
            acc, q = v & 0x3, 3
        else:
            out.append(((acc << 6) | v) & 0xFF)
            q = 0
    if q == 1:
        raise Reject("bad_base64", "invalid length")
    if q in (2, 3):
        raise Reject("bad_base64", "incorrect padding")
    return bytes(out)


_ASCII_WS = " \t\n\v\f\r"


def py_int(text, strict):
    """§10.4.3. Reference: Python int(). Strict (codec): ASCII whitespace and
    digits only, within int64."""
    if not strict:
        try:
            return int(text)
        except ValueError:
            raise Reject("invalid_value", "not an integer")
    s = text.strip(_ASCII_WS)
    body = s[1:] if s[:1] in "+-" else s
    if (not body or not all(c in "0123456789_" for c in body) or body[0] == "_"
            or body[-1] == "_" or "__" in body):
        raise Reject("invalid_value", "QK-34: not an ASCII decimal integer")
    v = int(s.replace("_", ""))
    if not -(1 << 63) <= v < 1 << 63:
        raise Reject("overflow", "QK-34: outside int64")
    return v


# ----------------------------------------------------------------- to_sign

KINDS = {
    "SUBSCRIBE_EXACT": 1, "SUBSCRIBE_GLOB": 2, "NOTIFY": 3, "STATEFUL_CONFIGURE": 4,
    "CHECK_SUBSCRIPTIONS": 5, "SET_SUBSCRIPTIONS": 6, "STATEFUL_CONTINUE_RECEIVE": 7,
    "CONFIRM_RECEIVE": 8, "CONFIRM_MISSED": 9, "RECEIVE": 10, "MISSED": 11,
    "CONFIRM_SUBSCRIBE_EXACT": 12, "CONFIRM_SUBSCRIBE_GLOB": 13, "CONFIRM_NOTIFY": 14,
    "CHECK_SUBSCRIPTIONS_RESPONSE": 15, "SET_SUBSCRIPTIONS_RESPONSE": 16,
    "STATEFUL_CONFIRM_CONFIGURE": 17, "STATEFUL_ENABLE_ZSTD_PRESET": 18,
    "STATEFUL_ENABLE_ZSTD_CUSTOM": 19, "STATEFUL_DISABLE_ZSTD_CUSTOM": 20,
    "STATEFUL_CONTINUE_NOTIFY": 21,
}
# (encoding, field): s16/s8 = length-prefixed, t16 = UTF-8 text with u16
# length, uN = fixed unsigned, b8 = bool byte, d64 = 64-byte digest
TAILS = {
    1: [("t16", "url"), ("t16", "recovery"), ("s16", "topic")],
    2: [("t16", "url"), ("t16", "recovery"), ("t16", "glob")],
    3: [("s16", "topic"), ("s8", "identifier"), ("d64", "sha512")],
    4: [("s8", "subscriber_nonce"), ("b8", "enable_zstd"), ("b8", "enable_training"),
        ("u16", "initial_dict")],
    5: [("t16", "url")],
    6: [("t16", "url"), ("u8", "etag_format"), ("d64", "etag")],
    7: [("s8", "identifier"), ("u8", "part_id"), ("t16", "url")],
    8: [("s8", "identifier"), ("u32", "num_subscribers"), ("t16", "url")],
    9: [("s16", "topic"), ("t16", "url")],
    10: [("t16", "url"), ("s16", "topic"), ("s8", "identifier"), ("d64", "sha512")],
    11: [("t16", "recovery"), ("s16", "topic")],
    12: [("t16", "url"), ("t16", "recovery"), ("s16", "topic")],
    13: [("t16", "url"), ("t16", "recovery"), ("t16", "glob")],
    14: [("s8", "identifier"), ("u32", "subscribers"), ("s16", "topic"), ("d64", "sha512")],
    15: [("u8", "etag_format"), ("d64", "etag")],
    16: [("u8", "etag_format"), ("d64", "etag")],
    17: [("s8", "broadcaster_nonce")],
    18: [("t16", "url"), ("u32", "identifier"), ("u32", "compression_level"),
         ("u64", "min_size"), ("u64", "max_size")],
    19: [("t16", "url"), ("u32", "identifier"), ("u32", "compression_level"),
         ("u64", "min_size"), ("u64", "max_size"), ("d64", "sha512")],
    20: [("u32", "identifier"), ("t16", "url")],
    21: [("s8", "identifier"), ("u32", "part_id")],
}
# kinds whose reference signer asserts a 64-byte digest (§10.3.3 notes)
SIGNER_CHECKS_DIGEST = {10, 14, 19}


def _fit(v, width, what):
    if not 0 <= v < 1 << (8 * width):
        raise Reject("overflow", f"{what} does not fit {width} bytes")
    return v.to_bytes(width, "big")


def _lp(b, width, what):
    return _fit(len(b), width, what + " length") + b


def to_sign(f, strict):
    kind = KINDS.get(f["kind"])
    if kind is None:
        raise Reject("invalid_argument", "unknown kind")
    ts = int(f["timestamp"])
    out = u8(kind) + _fit(ts, 8, "timestamp")
    out += _lp(f["nonce"].encode("utf-8"), 1, "nonce")
    out += _lp(f["tracing"], 2, "tracing")
    for enc, name in TAILS[kind]:
        v = f[name]
        if enc == "t16":
            out += _lp(b"" if v is None else v.encode("utf-8"), 2, name)
        elif enc == "s16":
            out += _lp(v, 2, name)
        elif enc == "s8":
            out += _lp(v, 1, name)
        elif enc == "b8":
            out += u8(1 if v else 0)
        elif enc == "d64":
            if len(v) != 64 and (strict or kind in SIGNER_CHECKS_DIGEST):
                raise Reject("field_size", f"{name} must be 64 bytes")
            out += v
        else:
            out += _fit(v, int(enc[1:]) // 8, name)
    return out


def code_of(secret_bytes, data):
    return _hmac.new(secret_bytes, data, hashlib.sha512).digest()


def sign(f, strict):
    if strict and ":" in f["nonce"]:
        raise Reject("invalid_argument", "a nonce containing ':' cannot be parsed back")
    key = secret_decode(f["secret"], strict)
    data = to_sign(f, strict)
    return f"X-HMAC {int(f['timestamp'])}:{f['nonce']}:{b64std(code_of(key, data))}"


def secret_decode(text, strict):
    key = b64_lenient(text.replace("-", "+").replace("_", "/") + "==")
    if len(key) != 64:
        raise Reject("field_size", "the secret must decode to 64 bytes")
    return key


def parse_token(auth, now, lifetime, strict):
    if auth is None:
        raise Reject("unauthorized", "no authorization")
    if not auth.startswith("X-HMAC "):
        raise Reject("forbidden", "not an X-HMAC token")
    rest = auth[7:]
    i = rest.find(":")
    if i < 0:
        raise Reject("forbidden", "no ':' after the timestamp")
    try:
        ts = py_int(rest[:i], strict)
    except Reject as e:
        raise Reject("forbidden", e.detail)
    if abs(int(now) - ts) > lifetime:
        raise Reject("forbidden", "expired")
    rem = rest[i + 1:]
    j = rem.find(":")
    if j < 0:
        raise Reject("forbidden", "no ':' after the nonce")
    nonce, code_text = rem[:j], rem[j + 1:]
    if any(ord(c) > 127 for c in code_text):
        raise Reject("forbidden", "code not ASCII")
    try:
        code = b64_lenient(code_text + "==")
    except Reject:
        raise Reject("forbidden", "code does not decode")
    if len(code) != 64:
        raise Reject("forbidden", "code is not 64 bytes")
    return ts, nonce, code


def verify(f, strict):
    ts, nonce, code = parse_token(f["authorization"], f["now"], f["lifetime"], strict)
    g = dict(f, timestamp=str(ts), nonce=nonce)
    try:
        data = to_sign(g, strict)
    except Reject as e:
        if strict and e.cls == "overflow":
            raise Reject("forbidden", "QK-33: " + e.detail)
        if e.cls == "overflow":
            raise Reject("overflow", "QK-33: " + e.detail)
        raise
    key = secret_decode(f["secret"], strict)
    if not _hmac.compare_digest(code_of(key, data), code):
        raise Reject("forbidden", "code mismatch")
    return {"result": "OK"}


def bearer(token, auth, strict):
    if auth is None:
        raise Reject("unauthorized", "no authorization")
    if any(ord(c) > 127 for c in auth):
        if strict:
            raise Reject("forbidden", "QK-36: non-ASCII authorization")
        raise Reject("invalid_value", "QK-36: the reference comparison raises TypeError")
    if auth != "Bearer " + token:
        raise Reject("forbidden", "different token")
    return {"result": "OK"}


def repr_digest_parse(header, strict):
    if header is None:
        raise Reject("missing_header", "no Repr-Digest")
    found = None
    for item in header.split(","):
        if "=" not in item:
            continue
        name, value = item.split("=", 1)
        if name == "sha-512":
            found = value
    if found is None:
        raise Reject("invalid_value", "no sha-512 item")
    digest = b64_lenient(found + "==")
    if strict and len(digest) != 64:
        raise Reject("field_size", "QK-43: digest is not 64 bytes")
    return digest


def repr_digest_format(digest):
    """The Repr-Digest header of a SHA-512 (§8.2.6); a digest of another size
    is refused as a serializer refuses its input."""
    if len(digest) != 64:
        raise Reject("invalid_argument", "a sha-512 digest is 64 bytes")
    return "sha-512=" + b64std(digest)
