"""Vectors that kill surviving mutants of the C reference codec (codec/).

One dict per vector in CASES (op, slug, description, refs, input, verdict);
mutation_cases.py describes the keys and has an example row for every op.
Each row becomes the vector <area>-mutation-<slug>, provenance "mutation",
judged by the protocol model. After adding rows: `make vectors`, then
`make conformance` must still pass.
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
