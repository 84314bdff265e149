"""Vectors written to kill surviving mutants (provenance "mutation").

Mutation testing changes one operator, constant or statement of an
implementation at a time and runs the suite; a mutant that no vector fails
"survives" and shows behaviour the vectors do not pin down. The rows that
close those gaps live in two case tables, one per mutated implementation, so
that they can be edited independently:

    mutation_codec_cases.py      mutants of the C reference codec (codec/)
    mutation_lonelypsp_cases.py  mutants of the Python reference, lonelypsp

Both hold a list CASES of plain dicts. This module turns every row into one
vector with the same builders as the hand-written cases: the verdict and the
expected output come from the protocol model (lpsp_conformance.protocol),
never from the implementation that was mutated. The vector's id is
`<area>-mutation-<slug>`, it lands in vectors/<area>.json after that area's
other vectors, and the generator stops when the model's verdict is not the
one the row states.

A row has these keys, all required:

    op           the vector's operation (vectors/FORMAT.md, "Operations")
    slug         the id's tail: lower case, digits and '-', naming what the
                 vector pins down (not a mutant's number, which changes)
    description  one line
    refs         spec sections and quirks it exercises, at least one
    input        the operation's input as in FORMAT.md, except that bytes
                 are Python bytes (the decode ops keep their "hex" text) and
                 integers are Python ints
    verdict      what the model must say: "valid", "invalid" or
                 "implementation-defined"

A table may import the helpers of the hand-written tables
(stateful_cases.m, notify_unc, preset; auth_cases.fields, SECRET;
prim.pattern, sha512; auth_model.b64std, sign). One row of each kind of vector
(vectors/tests builds these examples):

    EXAMPLES = [
        # stateful decode: a u16 length (0x0102) longer than what follows
        {"op": "decode", "slug": "topic-len-258-short", "refs": ["§2.4", "§4.5"],
         "description": "SUBSCRIBE_EXACT whose topic length 258 exceeds the 2 bytes left",
         "input": {"direction": "s2b", "hex": "000100020000000001026162"},
         "verdict": "invalid"},
        # stateful encode: a count that needs three bytes in the minimal integer
        {"op": "encode", "slug": "confirm-notify-enc-65536", "refs": ["§3.2.4", "§1.2"],
         "description": "encode CONFIRM_NOTIFY with 65536 subscribers",
         "input": {"direction": "b2s", "minimal_headers": True,
                   "message": m("CONFIRM_NOTIFY", identifier=b"\\x01", subscribers=65536,
                                authorization=None, tracing=b"")},
         "verdict": "valid"},
        # stateless body decode and encode
        {"op": "stateless_decode", "slug": "response-notify-256", "refs": ["§8.3"],
         "description": "RESPONSE_NOTIFY with 256 subscribers",
         "input": {"body": "RESPONSE_NOTIFY", "hex": "000400000000000001000101"},
         "verdict": "valid"},
        {"op": "stateless_encode", "slug": "response-notify-enc-256", "refs": ["§8.3"],
         "description": "encode RESPONSE_NOTIFY with 256 subscribers",
         "input": {"body": "RESPONSE_NOTIFY", "authorization": None, "tracing": b"",
                   "subscribers": 256, "identifier": b"\\x01"},
         "verdict": "valid"},
        {"op": "repr_digest_parse", "slug": "repr-digest-two-items", "refs": ["§8.2.6"],
         "description": "Repr-Digest with the sha-512 item first",
         "input": {"header": "sha-512=" + b64std(sha512(b"")) + ",sha-256=x"},
         "verdict": "valid"},
        {"op": "repr_digest_format", "slug": "repr-digest-format-zero", "refs": ["§8.2.6"],
         "description": "the Repr-Digest header of a digest of 64 zero bytes",
         "input": {"digest": bytes(64).hex()},
         "verdict": "valid"},
        # etag, one call or the streaming builder fed entry by entry (same op)
        {"op": "etag", "slug": "topic-prefix-of-next", "refs": ["§9.2"],
         "description": "an exact topic that is a prefix of the next one",
         "input": {"url": "u", "exact": [{"topic": b"a", "recovery": None},
                                         {"topic": b"a\\x00", "recovery": None}],
                   "glob": [], "check_order": True},
         "verdict": "valid"},
        # HMAC: to_sign / sign / verify take auth_cases.fields(...); verify adds
        # the token, now and lifetime
        {"op": "hmac_to_sign", "slug": "to-sign-nonce-255", "refs": ["§10.3.3"],
         "description": "to_sign with a 255-byte nonce (the u8 length at its maximum)",
         "input": fields("CHECK_SUBSCRIPTIONS", url="u", nonce="n" * 255),
         "verdict": "valid"},
        {"op": "hmac_sign", "slug": "sign-tracing-1", "refs": ["§10.3.2"],
         "description": "X-HMAC of CHECK_SUBSCRIPTIONS with one byte of tracing",
         "input": dict(fields("CHECK_SUBSCRIPTIONS", url="u", tracing=b"t"), secret=SECRET),
         "verdict": "valid"},
        {"op": "hmac_verify", "slug": "verify-expired-by-1", "refs": ["§10.4.1"],
         "description": "a correct token checked lifetime + 1 seconds later",
         "input": dict(fields("CHECK_SUBSCRIPTIONS", url="u"), secret=SECRET,
                       authorization=sign(dict(fields("CHECK_SUBSCRIPTIONS", url="u"),
                                               secret=SECRET), False),
                       now="1700000121", lifetime=120),
         "verdict": "invalid"},
        {"op": "hmac_parse_token", "slug": "parse-token-lifetime-0", "refs": ["§10.4.1"],
         "description": "a token whose timestamp is now, with lifetime 0",
         "input": {"authorization": "X-HMAC 1700000000:n:" + "A" * 86 + "==",
                   "now": "1700000000", "lifetime": 0},
         "verdict": "valid"},
        {"op": "hmac_secret_decode", "slug": "secret-65", "refs": ["§10.3.1"],
         "description": "a secret of 65 bytes",
         "input": {"secret": b64std(bytes(65))}, "verdict": "invalid"},
        {"op": "base64_lenient", "slug": "b64-two-pads-then-data", "refs": ["§10.4.4"],
         "description": "lenient base64 stops at the first padding",
         "input": {"text": "aA==aGk="}, "verdict": "valid"},
        {"op": "py_int", "slug": "py-int-int64-max-plus-1", "refs": ["§10.4.3", "QK-34"],
         "description": "2^63 is outside int64",
         "input": {"text": str(1 << 63)}, "verdict": "implementation-defined"},
        {"op": "bearer_check", "slug": "bearer-prefix-only", "refs": ["§10.2"],
         "description": "the token is a prefix of the header's token",
         "input": {"token": "s3", "authorization": "Bearer s3cret"}, "verdict": "invalid"},
        # session
        {"op": "connection_nonce", "slug": "nonce-ff", "refs": ["§6.1"],
         "description": "connection nonce of two all-ff nonces",
         "input": {"subscriber_nonce": b"\\xff" * 32, "broadcaster_nonce": b"\\xff" * 32},
         "verdict": "valid"},
        {"op": "ws_url", "slug": "ws-url-256", "refs": ["§6.2"],
         "description": "websocket URL for counter 256",
         "input": {"nonce_b64": b64std(bytes(32)), "counter": 256}, "verdict": "valid"},
        {"op": "ws_url_parse", "slug": "ws-url-parse-100", "refs": ["§6.2"],
         "description": "parse a counter with inner zeros",
         "input": {"url": "websocket:" + b64std(bytes(32)) + ":100"}, "verdict": "valid"},
    ]
"""

from . import auth_cases, etag_cases, session_cases, stateful_cases, stateless_cases

PROVENANCE = "mutation"
KEYS = {"op", "slug", "description", "refs", "input", "verdict"}
VERDICTS = ("valid", "invalid", "implementation-defined")


def _stateful(col, vid, r, inp):
    gen = stateful_cases.StatefulGen(col)
    if r["op"] == "decode":
        row = stateful_cases.Dec(inp["direction"], vid, r["description"],
                                 bytes.fromhex(inp["hex"]), r["refs"], (r["verdict"],))
    else:
        row = stateful_cases.Enc(inp["direction"], vid, r["description"], inp["message"],
                                 inp["minimal_headers"], r["refs"], (r["verdict"],))
    gen.emit(row, PROVENANCE)


def _stateless(col, vid, r, inp):
    gen = stateless_cases.Gen(col)
    if r["op"] == "stateless_decode":
        row = stateless_cases.Dec(vid, r["description"], inp["body"], bytes.fromhex(inp["hex"]),
                                  r["refs"], (r["verdict"],))
    elif r["op"] == "stateless_encode":
        row = stateless_cases.Enc(vid, r["description"], inp, r["refs"], (r["verdict"],))
    elif r["op"] == "repr_digest_format":
        row = stateless_cases.Format(vid, r["description"], bytes.fromhex(inp["digest"]), r["refs"],
                                     (r["verdict"],))
    else:
        row = stateless_cases.Digest(vid, r["description"], inp["header"], r["refs"],
                                     (r["verdict"],))
    gen.emit(row, PROVENANCE)


def _etag(col, vid, r, inp):
    etag_cases.emit(col, etag_cases.Row(vid, r["description"], r["refs"], inp["url"],
                                        inp["exact"], inp["glob"], inp["check_order"],
                                        (r["verdict"],)), PROVENANCE)


def _auth(col, vid, r, inp):
    auth_cases.emit(col, auth_cases.Row(vid, r["description"], r["refs"], r["op"], inp,
                                        (r["verdict"],)), PROVENANCE)


def _session(col, vid, r, inp):
    session_cases.emit(col, session_cases.Row(vid, r["description"], r["refs"], r["op"], inp,
                                              (r["verdict"],)), PROVENANCE)


# op -> (area of the vector, or None: by direction; builder)
OPS = {
    "decode": (None, _stateful),
    "encode": (None, _stateful),
    "stateless_decode": ("stateless", _stateless),
    "stateless_encode": ("stateless", _stateless),
    "repr_digest_parse": ("stateless", _stateless),
    "repr_digest_format": ("stateless", _stateless),
    "etag": ("etag", _etag),
    **{op: ("auth", _auth) for op in auth_cases.OPS},
    **{op: ("session", _session) for op in session_cases.OPS},
}


def area_of(row):
    area = OPS[row["op"]][0]
    return area or stateful_cases.AREA[row["input"]["direction"]]


def check(row, where):
    """A row's shape; a mistake stops the generator with the table's name."""
    def bad(msg):
        raise SystemExit(f"{where}: {row.get('slug', '?')}: {msg}")
    if set(row) != KEYS:
        bad(f"keys must be exactly {sorted(KEYS)}, not {sorted(row)}")
    if row["op"] not in OPS:
        bad(f"op {row['op']!r} is not one of {', '.join(sorted(OPS))}")
    if row["verdict"] not in VERDICTS:
        bad(f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}")
    if not row["refs"]:
        bad("at least one spec reference (§n.n or QK-nn)")


def run(col):
    from . import mutation_codec_cases, mutation_lonelypsp_cases

    for table in (mutation_codec_cases, mutation_lonelypsp_cases):
        for row in table.CASES:
            check(row, table.__name__.rsplit(".", 1)[1] + ".py")
            vid = f"{area_of(row)}-mutation-{row['slug']}"
            OPS[row["op"]][1](col, vid, row, row["input"])
