"""Generator of the lonelypsp conformance vectors.

Everything here is written from the protocol specification (spec/PROTOCOL.md):
the byte builders, the model decoders (reference behaviour and the strict
behaviour of codec/docs/QUIRKS.md) and the hand-written cases. It depends on
the Python standard library only.
"""

SUITE = "lonelypsp-conformance"
SUITE_VERSION = "1.2.0"
AREAS = ("stateful-s2b", "stateful-b2s", "stateless", "etag", "auth", "session")
# Hand-written scenario files of peer conformance (PEER-FORMAT.md); their ids
# share the manifest ids.txt.
PEER_AREAS = ("peer-broadcaster", "peer-subscriber")
