"""Vectors that kill surviving mutants of the C reference codec (codec/).

One dict per vector in CASES (op, slug, description, refs, input, verdict);
mutation_cases.py describes the keys and has an example row for every op.
Each row becomes the vector <area>-mutation-<slug>, provenance "mutation",
judged by the protocol model. After adding rows: `make vectors`, then
`make conformance` must still pass.
"""

from ..protocol.auth_model import b64std
from ..protocol.prim import pattern
from .auth_cases import fields
from .stateful_cases import custom, notify_unc, preset, stream_unc
from .stateless_cases import encode_reference, set_subs

# A canonical nonce rendering with 'Z', 'z', '9', '+' and '/' among its 43
# data characters (the alphabet's range ends and the two extra symbols).
NONCE_ZZ9 = "Zz9+/" + "A" * 38 + "="
NONCE0 = b64std(bytes(32))
SL_URL = "http://127.0.0.1:3002/v1/receive"

CASES = [
    {"op": "hmac_to_sign", "slug": "to-sign-tracing-258", "refs": ["§10.3.3"],
     "description": "to_sign of kind NOTIFY with 258 bytes of tracing: the u16 length is "
                    "01 02, big-endian, so a swap of its bytes changes the digest input",
     "input": fields("NOTIFY", topic=b"foo/bar", identifier=b"\xde\xad\xbe\xef",
                     sha512=bytes(range(64)), tracing=pattern(258)),
     "verdict": "valid"},

    # --- stateful.c, stateless.c, session.c, etag.c ---
    # etag.c: the 65535-byte limits of the url and of an exact topic (at the
    # limit)
    {"op": "etag", "slug": "url-65535", "refs": ["§9.1", "§1.4"],
     "description": "an etag document whose url is 65535 bytes, the most its u16 length holds",
     "input": {"url": "u" * 65535, "exact": [], "glob": [], "check_order": True},
     "verdict": "valid"},
    {"op": "etag", "slug": "topic-65535", "refs": ["§9.1"],
     "description": "an etag document with an exact topic of 65535 bytes (u16 length ff ff)",
     "input": {"url": "u", "exact": [{"topic": pattern(65535), "recovery": None}],
               "glob": [], "check_order": True},
     "verdict": "valid"},
    # ... and one past them: a u16 length cannot hold 65536
    {"op": "etag", "slug": "url-65536", "refs": ["§9.1", "§1.4"],
     "description": "an etag document whose url is 65536 bytes, one more than its u16 length holds: refused",
     "input": {"url": "u" * 65536, "exact": [], "glob": [], "check_order": True},
     "verdict": "invalid"},
    {"op": "etag", "slug": "topic-65536", "refs": ["§9.1"],
     "description": "an etag document with an exact topic of 65536 bytes, one more than its u16 length holds: "
                    "refused",
     "input": {"url": "u", "exact": [{"topic": pattern(65536), "recovery": None}],
               "glob": [], "check_order": True},
     "verdict": "invalid"},
    # session.c: the nonce rendering check of ws_url / ws_url_parse, and the
    # counter's digit ranges and int64 limit
    {"op": "connection_nonce", "slug": "broadcaster-nonce-31", "refs": ["§6.1", "§3.2.1"],
     "description": "connection nonce with a 31-byte broadcaster nonce (the subscriber's is "
                    "32)",
     "input": {"subscriber_nonce": bytes(32), "broadcaster_nonce": bytes(31)},
     "verdict": "implementation-defined"},
    {"op": "ws_url", "slug": "ws-url-nonce-zz9", "refs": ["§6.2", "§6.1"],
     "description": "websocket URL for a nonce whose base64 has Z, z, 9, + and / (the ends "
                    "of the alphabet's ranges)",
     "input": {"nonce_b64": NONCE_ZZ9, "counter": 1}, "verdict": "valid"},
    {"op": "ws_url", "slug": "ws-url-nonce-45", "refs": ["§6.2", "§6.1"],
     "description": "websocket URL for a nonce rendering of 45 characters: the 44 of a "
                    "32-byte nonce and one more '='",
     "input": {"nonce_b64": NONCE0 + "=", "counter": 1}, "verdict": "implementation-defined"},
    {"op": "ws_url", "slug": "ws-url-nonce-not-canonical", "refs": ["§6.2", "§6.1"],
     "description": "websocket URL for a nonce rendering whose last data character has its "
                    "unused low bits set (AAAB= instead of AAAA=)",
     "input": {"nonce_b64": NONCE0[:-2] + "B=", "counter": 1}, "verdict": "implementation-defined"},
    {"op": "ws_url_parse", "slug": "ws-url-parse-nonce-zz9", "refs": ["§6.2", "§6.1"],
     "description": "parse a websocket URL whose nonce has Z, z, 9, + and /",
     "input": {"url": "websocket:" + NONCE_ZZ9 + ":1"}, "verdict": "valid"},
    {"op": "ws_url_parse", "slug": "ws-url-parse-9f", "refs": ["§6.2"],
     "description": "parse counter 9f: the last decimal digit and the last hex letter",
     "input": {"url": "websocket:" + NONCE0 + ":9f"}, "verdict": "valid"},
    {"op": "ws_url_parse", "slug": "ws-url-parse-int64-min-minus-1", "refs": ["§6.2", "QK-26"],
     "description": "parse counter -8000000000000001, one below the int64 minimum",
     "input": {"url": "websocket:" + NONCE0 + ":-8000000000000001"},
     "verdict": "invalid"},
    # stateless.c: a 1-byte recovery (present, not ""), encode refusals
    {"op": "stateless_decode", "slug": "subscribe-exact-recovery-1", "refs": ["§8.2.2"],
     "description": "SUBSCRIBE_EXACT whose recovery is the single byte r",
     "input": {"body": "SUBSCRIBE_EXACT",
               "hex": encode_reference({"body": "SUBSCRIBE_EXACT", "url": SL_URL,
                                        "topic": b"t", "recovery": "r",
                                        "tracing": b""}).hex()},
     "verdict": "valid"},
    {"op": "stateless_decode", "slug": "set-subscriptions-recovery-1", "refs": ["§8.2.5"],
     "description": "SET_SUBSCRIPTIONS with an exact entry whose recovery is the single byte r",
     "input": {"body": "SET_SUBSCRIPTIONS",
               "hex": encode_reference(set_subs(SL_URL, [{"topic": b"a", "recovery": "r"}],
                                                [])).hex()},
     "verdict": "valid"},
    {"op": "stateless_encode", "slug": "set-subscriptions-enc-duplicate", "refs": ["§8.2.5", "§9.2"],
     "description": "encode SET_SUBSCRIPTIONS with topic a twice (equal to the previous "
                    "entry, so not strictly ascending)",
     "input": set_subs(SL_URL, [{"topic": b"a", "recovery": None},
                                {"topic": b"a", "recovery": None}], []),
     "verdict": "implementation-defined"},
    # stateless.c: the Repr-Digest writer's 64-byte digest check
    {"op": "repr_digest_format", "slug": "repr-digest-format-63", "refs": ["§8.2.6"],
     "description": "format a Repr-Digest header from a 63-byte digest: a sha-512 is 64 bytes, refused",
     "input": {"digest": (bytes(range(63))).hex()},
     "verdict": "invalid"},
    {"op": "stateless_encode", "slug": "set-subscriptions-enc-etag-wrong", "refs": ["§8.2.5", "§9.1"],
     "description": "encode SET_SUBSCRIPTIONS whose etag is not the strong etag of its entries",
     "input": set_subs(SL_URL, [{"topic": b"a", "recovery": None}], [], etag=bytes(64)),
     "verdict": "implementation-defined"},
    {"op": "stateless_encode", "slug": "response-check-subscriptions-enc-etag-63",
     "refs": ["§8.3.2"],
     "description": "encode RESPONSE_CHECK_SUBSCRIPTIONS with a 63-byte etag",
     "input": {"body": "RESPONSE_CHECK_SUBSCRIPTIONS", "authorization": None, "tracing": b"",
               "etag_format": 0, "etag": bytes(63)},
     "verdict": "implementation-defined"},
    {"op": "stateless_encode", "slug": "response-check-subscriptions-enc-format-1",
     "refs": ["§8.3.2"],
     "description": "encode RESPONSE_CHECK_SUBSCRIPTIONS with etag format 1",
     "input": {"body": "RESPONSE_CHECK_SUBSCRIPTIONS", "authorization": None, "tracing": b"",
               "etag_format": 1, "etag": bytes(64)},
     "verdict": "implementation-defined"},
    # stateful.c: a message of exactly 4 bytes is long enough for its type to be
    # judged before its headers
    {"op": "decode", "slug": "type-10-4-bytes", "refs": ["§2.2", "§4.1"],
     "description": "the 4 bytes 0001 000a: flags and type 10, one past the largest S2B type, "
                    "and nothing else (an unknown type, not a cut-short message)",
     "input": {"direction": "s2b", "hex": "0001000a"},
     "verdict": "invalid"},
    {"op": "decode", "slug": "header-name-length-cut-1", "refs": ["§2.5", "§4.5"],
     "description": "SUBSCRIBE_EXACT in expanded mode announcing 1 header, then the single byte "
                    "80 where the u16 name length starts: cut short, not a bad header name",
     "input": {"direction": "s2b", "hex": "00000002000180"},
     "verdict": "invalid"},
    # stateful.c: encode refusals the codec makes after its earlier checks pass
    {"op": "encode", "slug": "notify-stream-enc-sha-63", "refs": ["§3.1.7", "QK-19"],
     "description": "encode a NOTIFY_STREAM start whose x-unverified-uncompressed-sha512 is 63 "
                    "bytes",
     "input": {"direction": "s2b", "minimal_headers": True,
               "message": stream_unc("NOTIFY_STREAM", b"hi", b"h",
                                     unverified_uncompressed_sha512=bytes(63))},
     "verdict": "implementation-defined"},
    # stateful.c: a wrong digest together with a value no serializer can write,
    # so that both refuse and the refusal's class is pinned (the digest check
    # comes first in the codec)
    {"op": "encode", "slug": "notify-enc-sha-wrong-tracing-65536", "refs": ["§3.1.6", "§3.3", "QK-19"],
     "description": "encode a NOTIFY whose digest is not the SHA-512 of its message and whose "
                    "tracing has 65536 bytes, more than a header value can hold",
     "input": {"direction": "s2b", "minimal_headers": True,
               "message": notify_unc(b"hi", verified_uncompressed_sha512=bytes(64),
                                     tracing=pattern(65536))},
     "verdict": "invalid"},
    {"op": "encode", "slug": "enable-zstd-preset-enc-id-65536", "refs": ["§3.2.7", "QK-03"],
     "description": "encode ENABLE_ZSTD_PRESET with identifier 65536, one past the preset range",
     "input": {"direction": "b2s", "minimal_headers": True,
               "message": preset(65536, 3, 0, 0)},
     "verdict": "implementation-defined"},
    {"op": "encode", "slug": "enable-zstd-custom-enc-id-65535", "refs": ["§3.2.8", "QK-03"],
     "description": "encode ENABLE_ZSTD_CUSTOM with identifier 65535, one below the custom range",
     "input": {"direction": "b2s", "minimal_headers": True,
               "message": custom(65535, 3, 0, 0, b"dict")},
     "verdict": "implementation-defined"},
    # the same for the dictionary digest of ENABLE_ZSTD_CUSTOM
    {"op": "encode", "slug": "enable-zstd-custom-enc-sha-wrong-tracing-65536",
     "refs": ["§3.2.8", "§3.3", "QK-12"],
     "description": "encode ENABLE_ZSTD_CUSTOM whose x-sha512 is not the SHA-512 of the "
                    "dictionary and whose tracing has 65536 bytes",
     "input": {"direction": "b2s", "minimal_headers": True,
               "message": custom(65536, 3, 0, 0, b"dict", sha512=bytes(64),
                                 tracing=pattern(65536))},
     "verdict": "invalid"},
]

# --- auth.c, b64.c, util.c, sink.c, pyint.c ---
# These rows are kept out of the list above so that the other section stays
# untouched; _insert_rows puts each after the last row of its area, so that
# an area's rows stay together in CASES (the vector files are the same as
# with plain appending: a row's vector lands after its area's others).
from ..protocol.auth_model import code_of, secret_decode, sign, to_sign  # noqa: E402
from .auth_cases import SECRET  # noqa: E402


def _glob_hex(glob_hex, recovery=None):
    """SUBSCRIBE_GLOB with a glob of the given bytes (hex): built from a
    4-byte placeholder glob, whose bytes are then replaced."""
    wire = encode_reference({"body": "SUBSCRIBE_GLOB", "url": SL_URL, "glob": "\x01\x02\x03\x04",
                             "recovery": recovery, "tracing": b""}).hex()
    assert wire.count("000401020304") == 1
    return wire.replace("000401020304", "%04x" % (len(glob_hex) // 2) + glob_hex)


def _x_hmac(ts, nonce, f):
    """An X-HMAC header whose code is the HMAC of f's to_sign with the
    timestamp as a u64 (2^64 + ts for a negative ts)."""
    data = to_sign(dict(f, timestamp=str(ts % (1 << 64)), nonce=nonce), False)
    return f"X-HMAC {ts}:{nonce}:{b64std(code_of(secret_decode(SECRET, False), data))}"


_CS = fields("CHECK_SUBSCRIPTIONS", url="u")
# every printable and control ASCII byte outside the base64 alphabet and '='
_B64_JUNK = "".join(chr(c) for c in range(1, 128)
                    if not (chr(c).isascii() and (chr(c).isalnum() or chr(c) in "+/=")))

_AUTH_OPS = {"hmac_to_sign", "hmac_sign", "hmac_verify", "hmac_parse_token", "hmac_secret_decode",
             "base64_lenient", "py_int", "bearer_check"}


def _area_key(row):
    return "stateless" if row["op"].startswith("stateless_") else "auth" if row["op"] in _AUTH_OPS else None


def _insert_rows(rows):
    for row in rows:
        key = _area_key(row)
        at = max((i for i, r in enumerate(CASES) if _area_key(r) == key), default=len(CASES) - 1)
        CASES.insert(at + 1, row)


_insert_rows([
    # util.c: the UTF-8 validator's lead-byte ranges and second-byte bounds
    {"op": "stateless_decode", "slug": "subscribe-glob-utf8-boundaries", "refs": ["§8.2.2", "§1.4"],
     "description": "SUBSCRIBE_GLOB whose glob holds the first and last code point of each "
                    "UTF-8 lead-byte range: c2 80, c2 bf, df bf, e0 a0 80, ed 9f bf, ef bf bf, "
                    "f0 90 80 80, f1 80 80 80, f4 8f bf bf",
     "input": {"body": "SUBSCRIBE_GLOB",
               "hex": encode_reference({"body": "SUBSCRIBE_GLOB", "url": SL_URL,
                                        "glob": "\u0080\u00bf\u07ff\u0800\ud7ff\uffff"
                                                "\U00010000\U00040000\U0010ffff",
                                        "recovery": None, "tracing": b""}).hex()},
     "verdict": "valid"},
    {"op": "stateless_decode", "slug": "subscribe-glob-utf8-third-byte-ascii", "refs": ["§8.2.2", "§1.4"],
     "description": "SUBSCRIBE_GLOB whose glob is e1 80 41: a three-byte sequence whose third "
                    "byte is not a continuation byte",
     "input": {"body": "SUBSCRIBE_GLOB", "hex": _glob_hex("e18041")},
     "verdict": "invalid"},
    {"op": "stateless_decode", "slug": "subscribe-glob-utf8-cut-before-80", "refs": ["§8.2.2", "§1.4"],
     "description": "SUBSCRIBE_GLOB whose glob ends in e1 80, one byte short of a three-byte "
                    "sequence, followed by a 32768-byte recovery whose length starts with 80 "
                    "(a continuation byte just past the glob)",
     "input": {"body": "SUBSCRIBE_GLOB", "hex": _glob_hex("6161e180", "r" * 32768)},
     "verdict": "invalid"},
    # pyint.c: each whitespace byte, nothing but whitespace, one past the int64 minimum
    {"op": "py_int", "slug": "py-int-all-ascii-spaces", "refs": ["§10.4.3"],
     "description": "int() strips each of the six ASCII whitespace bytes on both sides",
     "input": {"text": "\t\n\v\f\r 7 \r\f\v\n\t"}, "verdict": "valid"},
    {"op": "py_int", "slug": "py-int-spaces-only", "refs": ["§10.4.3"],
     "description": "int() of whitespace alone has no digits",
     "input": {"text": " \t "}, "verdict": "invalid"},
    {"op": "py_int", "slug": "py-int-int64-min-minus-1", "refs": ["§10.4.3", "QK-34"],
     "description": "-2^63 - 1, one below the int64 minimum",
     "input": {"text": str(-(1 << 63) - 1)}, "verdict": "implementation-defined"},
    # b64.c: '=' before the third character of a group, every junk byte
    {"op": "base64_lenient", "slug": "b64-one-char-three-pads", "refs": ["§10.4.4"],
     "description": "one data character then ===: padding counts only from a group's third "
                    "character on, so the data is one more than a multiple of 4",
     "input": {"text": "a==="}, "verdict": "invalid"},
    {"op": "base64_lenient", "slug": "b64-every-junk-ascii-byte", "refs": ["§10.4.4"],
     "description": "aG, every ASCII byte 01-7f outside the alphabet and '=', then k=: the "
                    "junk is skipped, leaving aGk= (hi)",
     "input": {"text": "aG" + _B64_JUNK + "k="}, "verdict": "valid"},
    # auth.c: secret decode, token parse and verify edges
    {"op": "hmac_secret_decode", "slug": "secret-85-chars", "refs": ["§10.3.1", "§10.4.4"],
     "description": "a secret of 85 base64 characters: one more than a multiple of 4 is not "
                    "base64 (not merely the wrong length)",
     "input": {"secret": "A" * 85}, "verdict": "invalid"},
    {"op": "hmac_parse_token", "slug": "parse-token-ts-not-int-now-0", "refs": ["§10.4.1", "§10.4.3"],
     "description": "a timestamp that is not an integer, checked at now 0 with lifetime 0 (so "
                    "only the integer check can refuse it)",
     "input": {"authorization": "X-HMAC x:abcdef:" + "A" * 86 + "==", "now": "0", "lifetime": 0},
     "verdict": "invalid"},
    {"op": "hmac_parse_token", "slug": "parse-token-empty-nonce", "refs": ["§10.4.1"],
     "description": "a token whose nonce is empty (two adjacent colons)",
     "input": {"authorization": "X-HMAC 1700000000::" + "A" * 86 + "==",
               "now": "1700000000", "lifetime": 0},
     "verdict": "valid"},
    {"op": "hmac_verify", "slug": "verify-timestamp-0", "refs": ["§10.4.1", "§10.4.2"],
     "description": "a correct token signed at timestamp 0, checked at now 0",
     "input": dict(_CS, secret=SECRET, now="0", lifetime=0,
                   authorization=sign(dict(_CS, timestamp="0", secret=SECRET), False)),
     "verdict": "valid"},
    {"op": "hmac_verify", "slug": "verify-timestamp-minus-5", "refs": ["§10.4.1", "§10.4.2", "§10.3.3"],
     "description": "a token at timestamp -5 (within lifetime 10 of now 0) whose code is the "
                    "HMAC of the to_sign with 2^64 - 5 as the u64 timestamp: a negative "
                    "timestamp cannot be signed, whatever the code",
     "input": dict(_CS, secret=SECRET, now="0", lifetime=10, authorization=_x_hmac(-5, "abcdef", _CS)),
     "verdict": "invalid"},
    {"op": "hmac_verify", "slug": "verify-timestamp-minus-1", "refs": ["§10.4.1", "§10.4.2", "§10.3.3"],
     "description": "a token at timestamp -1 (within lifetime 10 of now 0) whose code is the "
                    "HMAC of the to_sign with 2^64 - 1 as the u64 timestamp: -1 is negative too",
     "input": dict(_CS, secret=SECRET, now="0", lifetime=10, authorization=_x_hmac(-1, "abcdef", _CS)),
     "verdict": "invalid"},
    {"op": "hmac_verify", "slug": "verify-nonce-256", "refs": ["§10.4.2", "§10.3.3", "QK-33"],
     "description": "verify a token whose nonce has 256 bytes, one more than the u8 length of "
                    "to_sign holds",
     "input": dict(_CS, secret=SECRET, now="1700000000", lifetime=120,
                   authorization="X-HMAC 1700000000:" + "n" * 256 + ":" + "A" * 86 + "=="),
     "verdict": "invalid"},
    # auth.c: a compression level of 0 is signable (only negative ones are not)
    {"op": "hmac_to_sign", "slug": "to-sign-zstd-preset-level-0", "refs": ["§10.3.3", "QK-32"],
     "description": "to_sign of STATEFUL_ENABLE_ZSTD_PRESET with compression level 0",
     "input": fields("STATEFUL_ENABLE_ZSTD_PRESET", url="u", identifier=1, compression_level=0,
                     min_size=0, max_size=0),
     "verdict": "valid"},
])
