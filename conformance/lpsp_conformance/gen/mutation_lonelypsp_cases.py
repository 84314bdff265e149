"""Vectors that kill surviving mutants of the Python reference, lonelypsp.

One dict per vector in CASES (op, slug, description, refs, input, verdict);
mutation_cases.py describes the keys and has an example row for every op.
Each row becomes the vector <area>-mutation-<slug>, provenance "mutation",
judged by the protocol model. After adding rows: `make vectors`, then
`lpsp-conformance run --impl lonelypsp` must still pass.
"""

from ..protocol.auth_model import sign
from ..protocol.prim import pattern
from .auth_cases import LIFETIME, SECRET, TS, URL, fields, kebab, kind_examples

# the largest nonce the u8 length of to_sign holds
NONCE_255 = dict(fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="x" * 255), secret=SECRET)

# 258 = 01 02: a u16 length whose two bytes differ, so writing it
# little-endian changes the to-sign bytes (the hand-written kind examples
# sign empty tracing, whose length 00 00 reads the same either way)
TRACING_258 = pattern(258)
# a recovery URL of 300 bytes (u16 length 01 2c)
RECOVERY_300 = "http://127.0.0.1:3002/v1/recover/" + "r" * 267
assert len(RECOVERY_300) == 300

# to_sign kinds whose tracing length only the empty tracing of the kind
# examples reaches (NOTIFY and CHECK_SUBSCRIPTIONS sign non-empty tracing
# in other vectors); per kind, the other fields that get a value whose
# byte order shows
_WIDE = {
    "SUBSCRIBE_EXACT": ({"recovery": RECOVERY_300}, "and a 300-byte recovery URL"),
    "SUBSCRIBE_GLOB": ({}, ""),
    "STATEFUL_CONFIGURE": ({"initial_dict": 258}, "and initial_dict 258 (u16 01 02)"),
    "SET_SUBSCRIPTIONS": ({}, ""),
    "STATEFUL_CONTINUE_RECEIVE": ({}, ""),
    "CONFIRM_RECEIVE": ({}, ""),
    "CONFIRM_MISSED": ({}, ""),
    "RECEIVE": ({}, ""),
    "MISSED": ({}, ""),
    "CONFIRM_SUBSCRIBE_EXACT": ({"recovery": RECOVERY_300}, "and a 300-byte recovery URL"),
    "CONFIRM_SUBSCRIBE_GLOB": ({"recovery": RECOVERY_300},
                               "and a 300-byte recovery URL (not absent, not empty)"),
    "CONFIRM_NOTIFY": ({}, ""),
    "CHECK_SUBSCRIPTIONS_RESPONSE": ({}, ""),
    "SET_SUBSCRIPTIONS_RESPONSE": ({}, ""),
    "STATEFUL_CONFIRM_CONFIGURE": ({}, ""),
    "STATEFUL_ENABLE_ZSTD_PRESET": ({"max_size": 1 << 20},
                                    "and max_size 2^20 (u64 00 00 00 00 00 10 00 00)"),
    "STATEFUL_ENABLE_ZSTD_CUSTOM": ({}, ""),
    "STATEFUL_DISABLE_ZSTD_CUSTOM": ({}, ""),
    "STATEFUL_CONTINUE_NOTIFY": ({}, ""),
}


def _wide_to_sign_rows():
    rows = []
    examples = {f["kind"]: f for f in kind_examples()}
    for kind, (extra, what) in _WIDE.items():
        inp = dict(examples[kind], tracing=TRACING_258, **extra)
        rows.append({
            "op": "hmac_to_sign", "slug": f"to-sign-{kebab(kind)}-tracing-258",
            "refs": ["§10.3.3"] + (["QK-30"] if "recovery" in extra else []),
            "description": f"to_sign of kind {kind} with 258 bytes of tracing (u16 length 01 02)"
                           + (f" {what}" if what else "") + ": every u16/u64 is big-endian",
            "input": inp, "verdict": "valid"})
    return rows


# CONFIGURE (s2b-configure-min-basic) with its type set to 10, one past the
# largest S2B type: the dispatch's "too large" branch when it is handed the
# wire's integer type
_CONFIGURE_TYPE_10 = ("0001000a0020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                      "0001010001010002000000000000")

CASES = [
    {"op": "hmac_verify", "slug": "verify-nonce-255", "refs": ["§10.4.2", "§10.3.3", "QK-33"],
     "description": "verify a correct token whose nonce has 255 bytes, the most the u8 "
                    "length of to_sign holds",
     "input": dict(NONCE_255, authorization=sign(NONCE_255, False), now=TS, lifetime=LIFETIME),
     "verdict": "valid"},
    *_wide_to_sign_rows(),
    {"op": "decode", "slug": "type-10", "refs": ["§2.2", "§3.0", "§4.1"],
     "description": "CONFIGURE with type 10, one past the largest S2B type (9): no such type",
     "input": {"direction": "s2b", "hex": _CONFIGURE_TYPE_10},
     "verdict": "invalid"},
    {"op": "etag", "slug": "glob-recovery-300", "refs": ["§9.1"],
     "description": "a glob whose recovery URL has 300 bytes: its u16 length is 01 2c, big-endian",
     "input": {"url": URL, "exact": [], "glob": [{"glob": "foo/*", "recovery": RECOVERY_300}],
               "check_order": True},
     "verdict": "valid"},
]
