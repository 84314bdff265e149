"""Vectors that kill surviving mutants of the C reference codec (codec/).

Add one dict to CASES per vector: keys op, slug, description, refs, input,
verdict; the format, and one example row of every kind of vector (stateful
decode and encode, stateless bodies, Repr-Digest, etag, HMAC to-sign, sign,
verify and tokens, base64, int, Bearer, session nonce and websocket URL),
are in mutation_cases.py. The row becomes the vector
`<area>-mutation-<slug>` with provenance "mutation"; its expected output
comes from the protocol model, never from the codec. Then regenerate
(`make vectors`) and check that the unmutated codec passes it
(`make conformance`).
"""

from ..protocol.prim import pattern
from .auth_cases import fields

CASES = [
    {"op": "hmac_to_sign", "slug": "to-sign-tracing-258", "refs": ["§10.3.3"],
     "description": "to_sign of kind NOTIFY with 258 bytes of tracing: the u16 length is "
                    "01 02, big-endian, so a swap of its bytes changes the digest input",
     "input": fields("NOTIFY", topic=b"foo/bar", identifier=b"\xde\xad\xbe\xef",
                     sha512=bytes(range(64)), tracing=pattern(258)),
     "verdict": "valid"},
]
