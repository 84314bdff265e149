"""Generator of the lonelypsp conformance vectors (vectors/*.json, vectors/ids.txt).

    .venv/bin/python -m lpsp_conformance.gen --out vectors --manifest vectors/ids.txt

The hand-written cases and the negatives derived from them are here; the
byte builders and the model decoders that give every vector its verdict
(reference behaviour and the strict behaviour of codec/docs/QUIRKS.md) are
the protocol model, lpsp_conformance.protocol. Both are written from the
protocol specification (spec/PROTOCOL.md) and depend on the Python standard
library only.
"""

from pathlib import Path

SUITE = "lonelypsp-conformance"
SUITE_VERSION = "1.4.0"
# Hand-written scenario files of peer conformance (PEER-FORMAT.md); their ids
# share the manifest ids.txt.
# The area files are lpsp_conformance.AREAS, written in that order.
PEER_AREAS = ("peer-broadcaster", "peer-subscriber")

# Decode inputs found by fuzzing or differential testing, turned into vectors
# by fuzz_cases.py; the differential tester's --write-cases appends to it.
CASES_FILE = Path(__file__).resolve().parent / "fuzz_cases.json"
