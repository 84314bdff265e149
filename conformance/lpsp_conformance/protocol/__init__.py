"""The protocol model: what spec/PROTOCOL.md says about the bytes, as code.

Shared by the vector generator (lpsp_conformance.gen), the differential
tester (lpsp_conformance.differential), the corpus maker and crash converter
of the fuzz harness (fuzz/make_corpus.py, fuzz/crash_to_vector.py) and the
conformance runner. Standard library only.

Modules: ``prim`` (primitive encodings of §1, the Reject error, a byte
reader), ``stateful_model`` (§2-§4: type numbers, header lists, stream-start
headers, sections, the serializer and the model parser), ``stateless_model``
(§8: bodies, response types, builder and parser), ``etag_model`` (§9),
``auth_model`` (§10: to-sign kinds and layouts, X-HMAC, lenient base64,
Python int(), Bearer, Repr-Digest) and ``session_model`` (§6: connection
nonce, websocket URLs). Where the reference implementation and the strict
codec differ, a function takes ``strict`` and models both.
"""
