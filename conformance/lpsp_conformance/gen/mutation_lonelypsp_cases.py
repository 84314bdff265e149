"""Vectors that kill surviving mutants of the Python reference, lonelypsp.

Add one dict to CASES per vector: keys op, slug, description, refs, input,
verdict; the format, and one example row of every kind of vector (stateful
decode and encode, stateless bodies, Repr-Digest, etag, HMAC to-sign, sign,
verify and tokens, base64, int, Bearer, session nonce and websocket URL),
are in mutation_cases.py. The row becomes the vector
`<area>-mutation-<slug>` with provenance "mutation"; its expected output
comes from the protocol model, never from lonelypsp. Then regenerate
(`make vectors`) and check that the unmutated lonelypsp passes it
(`lpsp-conformance run --impl lonelypsp`).
"""

from ..protocol.auth_model import sign
from .auth_cases import LIFETIME, SECRET, TS, URL, fields

# the largest nonce the u8 length of to_sign holds
NONCE_255 = dict(fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="x" * 255), secret=SECRET)

CASES = [
    {"op": "hmac_verify", "slug": "verify-nonce-255", "refs": ["§10.4.2", "§10.3.3", "QK-33"],
     "description": "verify a correct token whose nonce has 255 bytes, the most the u8 "
                    "length of to_sign holds",
     "input": dict(NONCE_255, authorization=sign(NONCE_255, False), now=TS, lifetime=LIFETIME),
     "verdict": "valid"},
]
