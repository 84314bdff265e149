"""Vectors that kill surviving mutants of the C reference codec (codec/).

One dict per vector in CASES (op, slug, description, refs, input, verdict);
mutation_cases.py describes the keys and has an example row for every op.
Each row becomes the vector <area>-mutation-<slug>, provenance "mutation",
judged by the protocol model. After adding rows: `make vectors`, then
`make conformance` must still pass.
"""

from ..protocol.auth_model import b64std
from ..protocol.prim import pattern, sha512
from .auth_cases import fields
from .stateful_cases import custom, preset, stream_unc
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
]
