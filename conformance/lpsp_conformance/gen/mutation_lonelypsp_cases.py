"""Vectors that kill surviving mutants of the Python reference, lonelypsp.

One dict per vector in CASES (op, slug, description, refs, input, verdict);
mutation_cases.py describes the keys and has an example row for every op.
Each row becomes the vector <area>-mutation-<slug>, provenance "mutation",
judged by the protocol model. After adding rows: `make vectors`, then
`lpsp-conformance run --impl lonelypsp` must still pass.
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
