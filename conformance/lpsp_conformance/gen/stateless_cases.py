"""Stateless (HTTP) body vectors, spec §8: hand-written bodies and derived
negatives (truncations, length fields off by one, trailing bytes, types, UTF-8)."""

from collections import namedtuple

from ..protocol.auth_model import b64std, repr_digest_format, repr_digest_parse
from ..protocol.etag_model import document
from ..protocol.prim import Reject, pattern, sha512
from ..protocol.stateless_model import (RESPONSE_TYPE, SECTION, decode, encode_reference,
                                        encode_strict, parts_of)
from .vec import jdict, judge

URL = "http://127.0.0.1:3002/v1/receive"
RECOVERY = "http://127.0.0.1:3002/v1/recover"
HI = b"hi"

BAD_UTF8 = b"\xc3\x28"
# the part label of each UTF-8 field in stateless_model.parts_of
UTF8_LABEL = {"url": "url", "glob": "topic", "recovery": "recovery",
              "authorization": "authorization"}


def kebab(s):
    return s.lower().replace("_", "-")


# ---------------------------------------------------------------------- cases


def set_subs(url, exact, glob, **kw):
    etag = kw.get("etag") or sha512(document(url, exact, glob, check_order=False))
    return {"body": "SET_SUBSCRIPTIONS", "tracing": kw.get("tracing", b""), "url": url,
            "etag_format": kw.get("etag_format", 0), "etag": etag, "exact": exact, "glob": glob}


EX9 = ([{"topic": b"a", "recovery": None}, {"topic": b"b/c", "recovery": RECOVERY}],
       [{"glob": "x/*", "recovery": None}])


# A hand-written body: case name (the id is sl-<body>-<name>), the message
# as model values, description, extra spec refs (the body's section is
# always first). Each gets a decode and an encode vector and the derived
# negatives of Gen.run.
Row = namedtuple("Row", "name msg desc refs", defaults=((),))

CASES = [
    Row("basic", {"body": "NOTIFY", "topic": b"foo/bar", "sha512": sha512(HI), "tracing": b"",
                  "identifier": b"\xde\xad\xbe\xef", "message": HI},
        "NOTIFY request: topic foo/bar, message hi", ["§8.5"]),
    Row("id-255", {"body": "NOTIFY", "topic": b"\xff", "sha512": sha512(b""),
                   "tracing": b"trace", "identifier": pattern(255), "message": b""},
        "NOTIFY with a 255-byte identifier (u8 length), an empty message", ["QK-23"]),
    Row("long", {"body": "NOTIFY", "topic": b"", "sha512": sha512(pattern(300)),
                 "tracing": pattern(10), "identifier": b"", "message": pattern(300)},
        "NOTIFY with a 300-byte message, empty topic and identifier"),
    Row("basic", {"body": "SUBSCRIBE_EXACT", "url": URL, "topic": b"foo/bar",
                  "recovery": RECOVERY, "tracing": b""},
        "SUBSCRIBE_EXACT request with a recovery url", ["§8.5"]),
    Row("no-recovery", {"body": "SUBSCRIBE_EXACT", "url": "", "topic": b"\x00\xff",
                        "recovery": None, "tracing": b"t"},
        "SUBSCRIBE_EXACT without recovery (R = 0), empty url, binary topic"),
    Row("basic", {"body": "SUBSCRIBE_GLOB", "url": URL, "glob": "foo/*", "recovery": None,
                  "tracing": b""}, "SUBSCRIBE_GLOB request"),
    Row("unicode", {"body": "SUBSCRIBE_GLOB", "url": "http://h\u00f6st/\u00e9",
                    "glob": "\u65e5\u672c/*", "recovery": "http://r/\U0001F642",
                    "tracing": b"\xff"}, "SUBSCRIBE_GLOB with non-ASCII url, glob and recovery",
        ["§1.4"]),
    Row("basic", {"body": "UNSUBSCRIBE_EXACT", "url": URL, "topic": b"foo/bar", "tracing": b""},
        "UNSUBSCRIBE_EXACT request (no recovery field)"),
    Row("basic", {"body": "UNSUBSCRIBE_GLOB", "url": URL, "glob": "foo/*", "tracing": b"tr"},
        "UNSUBSCRIBE_GLOB request"),
    Row("basic", {"body": "CHECK_SUBSCRIPTIONS", "tracing": b"", "url": URL},
        "CHECK_SUBSCRIPTIONS request: tracing comes first", ["§8.5", "QK-41"]),
    Row("basic", set_subs(URL, *EX9), "SET_SUBSCRIPTIONS with the §9 example subscriptions",
        ["§8.5", "§9.3", "QK-42"]),
    Row("empty", set_subs("", [], []), "SET_SUBSCRIPTIONS with no subscriptions", ["§9.3"]),
    Row("unicode", set_subs(URL, [{"topic": b"\x00", "recovery": ""},
                                  {"topic": b"\x00\x00", "recovery": RECOVERY}],
                            [{"glob": "z", "recovery": None}, {"glob": "\u00e9", "recovery": None}],
                            tracing=b"x"),
        "SET_SUBSCRIPTIONS: globs ordered by UTF-8 bytes (z < \u00e9), an empty recovery",
        ["§9.2", "QK-57"]),
    Row("basic", {"body": "RECEIVE", "tracing": b"", "topic": b"foo/bar",
                  "identifier": bytes(range(8)), "message": HI},
        "RECEIVE request: identifier 0001020304050607, message hi", ["§8.5"]),
    Row("id-255", {"body": "RECEIVE", "tracing": pattern(3), "topic": b"", "identifier": pattern(255),
                   "message": b""}, "RECEIVE with a 255-byte identifier, empty message", ["QK-23"]),
    Row("basic", {"body": "MISSED", "tracing": b"", "topic": b"foo/bar"}, "MISSED request"),
    Row("basic", {"body": "RESPONSE_GENERIC", "authorization": None, "tracing": b""},
        "RESPONSE_GENERIC without authorization", ["§8.5", "§8.3", "QK-50"]),
    Row("auth", {"body": "RESPONSE_GENERIC", "authorization": "Bearer \u00e9", "tracing": b"t"},
        "RESPONSE_GENERIC with authorization and tracing", ["§8.3"]),
    Row("basic", {"body": "RESPONSE_NOTIFY", "authorization": None, "tracing": b"",
                  "subscribers": 3, "identifier": b"\xde\xad\xbe\xef"},
        "RESPONSE_NOTIFY: 3 subscribers (u32) before the identifier", ["§8.5", "§8.3", "QK-40"]),
    Row("max", {"body": "RESPONSE_NOTIFY", "authorization": "X-HMAC 1:n:c", "tracing": b"t",
                "subscribers": 0xFFFFFFFF, "identifier": pattern(255)},
        "RESPONSE_NOTIFY with 2^32-1 subscribers and a 255-byte identifier", ["§8.3"]),
    Row("basic", {"body": "RESPONSE_CHECK_SUBSCRIPTIONS", "authorization": None, "tracing": b"",
                  "etag_format": 0, "etag": sha512(document(URL, *EX9))},
        "RESPONSE_CHECK_SUBSCRIPTIONS carrying the §9 example etag", ["§8.3", "§9.3"]),
    Row("basic", {"body": "RESPONSE_CONFIRM_RECEIVE", "authorization": None, "tracing": b"",
                  "identifier": bytes(range(8)), "num_subscribers": 1},
        "RESPONSE_CONFIRM_RECEIVE: identifier before the u32 count", ["§8.5", "§8.3"]),
    Row("max", {"body": "RESPONSE_CONFIRM_RECEIVE", "authorization": "a", "tracing": b"",
                "identifier": b"", "num_subscribers": 0xFFFFFFFF},
        "RESPONSE_CONFIRM_RECEIVE with 2^32-1 subscribers, empty identifier", ["§8.3"]),
    Row("basic", {"body": "RESPONSE_CONFIRM_MISSED", "authorization": None, "tracing": b"x"},
        "RESPONSE_CONFIRM_MISSED", ["§8.3", "QK-44"]),
    Row("basic", {"body": "RESPONSE_UNSUBSCRIBE_IMMEDIATE"},
        "RESPONSE_UNSUBSCRIBE_IMMEDIATE: the two bytes 00 0a", ["§8.3", "§8.4", "QK-46"]),
]


def _qk51(body, data):
    try:
        decode(body, data, strict=False)
    except Reject:
        return False
    try:
        decode(body, data, strict=True)
    except Reject:
        return True
    return False


class Gen:
    def __init__(self, col):
        self.col = col

    def dec(self, vid, desc, body, data, refs, expect=None, derived_from=None, note=None,
            shifted=False, provenance=None):
        if body == "RESPONSE_CHECK_SUBSCRIPTIONS" and note is None:
            note = ("QK-51: the reference client reads the authorization, tracing, format "
                    "and etag of this response with non-exact reads, so a short body gives "
                    "shorter values instead of an error.")
            refs = list(refs) + ["QK-51"] if _qk51(body, data) else refs
        verdict, kw, refs = judge(lambda: decode(body, data, False),
                                  lambda: decode(body, data, True), jdict, refs, note)
        if verdict == "invalid" and "length_mismatch" in kw["errors"]:
            kw["errors"] = kw["errors"] + ["trailing_bytes"]
        if (shifted and verdict == "invalid" and body not in ("NOTIFY", "RECEIVE", "MISSED")
                and {"truncated", "bad_utf8"} & set(kw["errors"])):
            # A length field off by one shifts every later field: in a body with
            # UTF-8 fields, whether the
            # defect surfaces first as a cut UTF-8 field or as running out of
            # bytes depends on whether a parser validates each field as it
            # reads it (the routes do) or after reading them all; §8 does
            # not fix that order.
            kw["errors"] = sorted(set(kw["errors"]) | {"truncated", "bad_utf8"})
        if expect:
            assert verdict in expect, f"{vid}: {verdict} {kw}"
        self.col.add("stateless", vid, desc, refs, "stateless", "stateless_decode",
                     {"body": body, "hex": data.hex()}, verdict,
                     provenance=provenance or ("derived" if derived_from else "hand"),
                     derived_from=derived_from, **kw)

    def enc(self, vid, desc, m, refs, expect=None, provenance="hand"):
        verdict, kw, refs = judge(lambda: encode_reference(m), lambda: encode_strict(m),
                                  lambda b: {"hex": b.hex()}, refs)
        if expect:
            assert verdict in expect, f"{vid}: {verdict} {kw}"
        self.col.add("stateless", vid, desc, refs, "stateless", "stateless_encode", jdict(m),
                     verdict, provenance=provenance, **kw)

    def run(self):
        for name, m, desc, refs in CASES:
            b = m["body"]
            vid = f"sl-{kebab(b)}-{name}"
            sec = SECTION[b]
            r = [sec, *refs]
            data, fields = parts_of(m).to_bytes()
            self.dec(vid, desc, b, data, r, expect=("valid",))
            self.enc(vid + "-enc", "encode: " + desc, m, r, expect=("valid",))
            for n in range(len(data)):
                self.dec(f"{vid}-trunc-{n:04d}", f"{vid} cut to its first {n} bytes", b,
                         data[:n], ["§8.1", sec], derived_from=vid,
                         expect=("invalid", "implementation-defined"))
            for off, width, val, label in fields:
                if label == "type":
                    continue
                for delta, word in ((1, "plus1"), (-1, "minus1")):
                    nv = val + delta
                    if not 0 <= nv < 1 << (8 * width):
                        continue
                    mut = data[:off] + nv.to_bytes(width, "big") + data[off + width:]
                    self.dec(f"{vid}-len-{label}-{word}",
                             f"{vid} with {label} {word[:-1]} one", b, mut, [sec],
                             derived_from=vid, shifted=True)
            exact_len = b in ("NOTIFY", "RECEIVE")
            self.dec(f"{vid}-trailing", f"{vid} followed by one extra byte", b, data + b"\x00",
                     [sec, "QK-47"], derived_from=vid,
                     expect=("invalid",) if exact_len else ("valid",))
            if b in RESPONSE_TYPE:
                for t in (0, 1, 2, 6, 7, 11, 0xFFFF) + tuple(RESPONSE_TYPE.values()):
                    if t == RESPONSE_TYPE[b] or (b == "RESPONSE_CONFIRM_RECEIVE" and t == 10):
                        continue
                    if t in RESPONSE_TYPE.values() and t not in (3, 9, 10):
                        continue
                    self.dec(f"{vid}-type-{t}", f"{vid} with type {t}", b,
                             t.to_bytes(2, "big") + data[2:], ["§8.3", "§8.1"],
                             derived_from=vid, expect=("invalid",))
            self.bad_utf8(vid, b, m, sec)
        self.special()

    def bad_utf8(self, vid, b, m, sec):
        """Each UTF-8 field of the body replaced by invalid UTF-8 (SET_SUBSCRIPTIONS:
        see the special cases)."""
        if b == "SET_SUBSCRIPTIONS":
            return
        for k in ("url", "glob", "recovery", "authorization"):
            if m.get(k) is None:
                continue
            label = UTF8_LABEL[k]
            p = parts_of(m)
            p.parts = [(kind, width, BAD_UTF8 if lab == label else value, lab)
                       for kind, width, value, lab in p.parts]
            self.dec(f"{vid}-{k}-utf8", f"{vid} with invalid UTF-8 ({BAD_UTF8.hex()}) in {k}",
                     b, p.to_bytes()[0], ["§1.4", sec], derived_from=vid, expect=("invalid",))

    def emit(self, row, provenance="hand"):
        """One row of a special table (Dec, Enc, Digest, Format) as a vector."""
        if isinstance(row, Dec):
            self.dec(row.vid, row.desc, row.body, row.data, row.refs, expect=row.expect,
                     note=row.note, provenance=provenance)
        elif isinstance(row, Enc):
            self.enc(row.vid, row.desc, row.msg, row.refs, expect=row.expect,
                     provenance=provenance)
        elif isinstance(row, Format):
            self.format(row, provenance)
        else:
            self.digest(row, provenance)

    def digest(self, row, provenance="hand"):
        verdict, kw, refs = judge(lambda: repr_digest_parse(row.header, strict=False),
                                  lambda: repr_digest_parse(row.header, strict=True),
                                  lambda dg: {"digest": dg.hex()}, row.refs)
        if row.expect:
            assert verdict in row.expect, f"{row.vid}: {verdict} {kw}"
        self.col.add("stateless", row.vid, row.desc, refs, "stateless", "repr_digest_parse",
                     {"header": row.header}, verdict, provenance=provenance, **kw)

    def format(self, row, provenance="hand"):
        run = lambda: repr_digest_format(row.digest)  # noqa: E731
        verdict, kw, refs = judge(run, run, lambda h: {"header": h}, row.refs)
        if row.expect:
            assert verdict in row.expect, f"{row.vid}: {verdict} {kw}"
        self.col.add("stateless", row.vid, row.desc, refs, "stateless", "repr_digest_format",
                     {"digest": row.digest.hex()}, verdict, provenance=provenance, **kw)

    def special(self):
        for row in SPECIAL + REPR_DIGEST:
            self.emit(row)
        for name, dg in (("hi", sha512(HI)), ("zero", bytes(64))):
            self.emit(Format(f"sl-repr-digest-format-{name}", "format a Repr-Digest header", dg,
                             ["§8.2.6"], ("valid",)))


# ------------------------------------------------------- hand-written tables

# A decode vector: id, description, body name, bytes, spec refs, the verdicts
# the model must give (None: any), a note for implementation-defined ones.
Dec = namedtuple("Dec", "vid desc body data refs expect note", defaults=(None, None))
# An encode vector: id, description, message (model values), refs, verdicts.
Enc = namedtuple("Enc", "vid desc msg refs expect", defaults=(None,))
# A Repr-Digest header to parse (text, or None for no header).
Digest = namedtuple("Digest", "vid desc header refs expect", defaults=(None,))
# A Repr-Digest header written from a digest (bytes).
Format = namedtuple("Format", "vid desc digest refs expect", defaults=(None,))

SS = "SET_SUBSCRIPTIONS"
SS_BASE = set_subs(URL, *EX9)
SS_BA = [{"topic": b"b", "recovery": None}, {"topic": b"a", "recovery": None}]
SS_DUP = [{"topic": b"a", "recovery": None}, {"topic": b"a", "recovery": RECOVERY}]
SS_GDUP = [{"glob": "x", "recovery": None}, {"glob": "x", "recovery": None}]
SS_X = encode_reference(set_subs(URL, [], [{"glob": "x", "recovery": None}]))
NOTIFY_HI = {"body": "NOTIFY", "topic": b"foo/bar", "sha512": sha512(HI), "tracing": b"",
             "identifier": b"\xde\xad\xbe\xef", "message": HI}
RCS = "RESPONSE_CHECK_SUBSCRIPTIONS"
RCS_RAW = encode_reference({"body": RCS, "authorization": None, "tracing": b"",
                            "etag_format": 0, "etag": bytes(64)})
INVALID = ("invalid",)
IMPL = ("implementation-defined",)

SPECIAL = [
    Dec("sl-set-subscriptions-format-1", "SET_SUBSCRIPTIONS with etag format 1", SS,
        encode_reference(dict(SS_BASE, etag_format=1)), ["§8.2.5"], INVALID),
    Dec("sl-set-subscriptions-out-of-order", "SET_SUBSCRIPTIONS with topics b, a", SS,
        encode_reference(set_subs(URL, SS_BA, [])), ["§8.2.5", "§9.2"], INVALID),
    Dec("sl-set-subscriptions-duplicate", "SET_SUBSCRIPTIONS with topic a twice", SS,
        encode_reference(set_subs(URL, SS_DUP, [])), ["§8.2.5", "§9.2", "QK-57"], INVALID),
    Dec("sl-set-subscriptions-glob-duplicate", "SET_SUBSCRIPTIONS with glob x twice", SS,
        encode_reference(set_subs(URL, [], SS_GDUP)), ["§8.2.5", "§9.2"], INVALID),
    Dec("sl-set-subscriptions-etag-mismatch", "SET_SUBSCRIPTIONS whose etag is not the "
        "strong etag of its entries", SS, encode_reference(dict(SS_BASE, etag=bytes(64))),
        ["§8.2.5", "§9.1"], INVALID),
    Dec("sl-set-subscriptions-glob-utf8", "SET_SUBSCRIPTIONS with a glob that is not UTF-8",
        SS, SS_X[:SS_X.rindex(b"x")] + b"\xff" + SS_X[SS_X.rindex(b"x") + 1:],
        ["§8.2.5", "§1.4"], INVALID),
    Dec("sl-set-subscriptions-trailing-after-globs", "SET_SUBSCRIPTIONS: bytes after the "
        "glob list are ignored", SS, encode_reference(SS_BASE) + b"\x00\x00\x00\x05junk",
        ["§8.2.5", "QK-47"], ("valid",)),
    Dec("sl-notify-sha-mismatch", "NOTIFY whose message does not match its SHA-512",
        "NOTIFY", encode_reference(dict(NOTIFY_HI, message=b"ho")), ["§8.2.1"], INVALID),
    Enc("sl-notify-enc-sha-mismatch", "encode a NOTIFY whose digest is not the SHA-512 of "
        "its message", dict(NOTIFY_HI, sha512=bytes(64)), ["§8.2.1"], IMPL),
    Enc("sl-set-subscriptions-enc-out-of-order", "encode SET_SUBSCRIPTIONS with entries "
        "out of order", set_subs(URL, SS_BA, []), ["§8.2.5", "§9.2"], IMPL),
    Enc("sl-notify-enc-id-256", "encode a NOTIFY with a 256-byte identifier",
        dict(NOTIFY_HI, identifier=pattern(256)), ["§8.2.1", "QK-23"], INVALID),
    Enc("sl-subscribe-exact-enc-empty-recovery", "encode SUBSCRIBE_EXACT with recovery \"\":"
        " the same bytes as no recovery", {"body": "SUBSCRIBE_EXACT", "url": URL,
                                           "topic": b"t", "recovery": "", "tracing": b""},
        ["§8.2.2", "QK-57"], ("valid",)),
    # QK-51: the client's RESPONSE_CHECK_SUBSCRIPTIONS parser reads short
    Dec("sl-response-check-subscriptions-short-etag", "RESPONSE_CHECK_SUBSCRIPTIONS whose "
        "etag is 10 bytes short", RCS, RCS_RAW[:-10], ["QK-51", "§8.3.2"], IMPL,
        "QK-51: the reference client reads the etag with a non-exact read and keeps "
        "the shorter value."),
    Dec("sl-response-check-subscriptions-format-1", "RESPONSE_CHECK_SUBSCRIPTIONS with "
        "format 1", RCS, RCS_RAW[:6] + b"\x01" + RCS_RAW[7:], ["§8.3.2"], INVALID),
    Dec("sl-response-confirm-receive-unsubscribe", "the RESPONSE_CONFIRM_RECEIVE parser "
        "reading 00 0a answers RESPONSE_UNSUBSCRIBE_IMMEDIATE", "RESPONSE_CONFIRM_RECEIVE",
        b"\x00\x0a", ["§8.3.3", "§8.4", "QK-46"], ("valid",)),
    Dec("sl-response-confirm-receive-unsubscribe-trailing", "00 0a followed by more bytes "
        "still unsubscribes", "RESPONSE_CONFIRM_RECEIVE", b"\x00\x0a\x00\x00\x00\x00",
        ["§8.4", "QK-46"], ("valid",)),
    Dec("sl-missed-truncated", "MISSED whose topic is cut short (the reference answers 500)",
        "MISSED", b"\x00\x00\x00\x05ab", ["§8.2.7", "QK-45"], INVALID),
    Dec("sl-receive-short-message", "RECEIVE with one message byte missing", "RECEIVE",
        bytes.fromhex("00000007666f6f2f626172080001020304050607000000000000000268"),
        ["§8.2.6"], INVALID),
]

B64_HI = b64std(sha512(HI))
REPR_DIGEST = [
    Digest(f"sl-repr-digest-{name}", "Repr-Digest: " + desc, header, refs)
    for name, header, desc, refs in (
        ("example", "sha-512=" + B64_HI, "the §8.5 Repr-Digest header", ["§8.5", "§8.2.6"]),
        ("unpadded", "sha-512=" + B64_HI.rstrip("="), "value without its padding", ["§8.2.6"]),
        ("last-wins", "sha-512=" + b64std(bytes(64)) + ",sha-512=" + B64_HI,
         "two sha-512 items: the last wins", ["§8.2.6", "QK-43"]),
        ("other-items", "sha-256=abc,foo,sha-512=" + B64_HI + ",x=y",
         "other items and an item without '=' are skipped", ["§8.2.6"]),
        ("space", "sha-256=abc, sha-512=" + B64_HI,
         "' sha-512' after a comma-space does not match", ["§8.2.6", "QK-43"]),
        ("case", "SHA-512=" + B64_HI, "the name is case-sensitive", ["§8.2.6", "QK-43"]),
        ("colon-form", "sha-512=:" + B64_HI + ":", "the RFC 9530 byte-sequence form, read by "
         "the lenient decoder", ["§8.2.6", "QK-43"]),
        ("short-digest", "sha-512=" + b64std(bytes(32)), "a 32-byte digest",
         ["§8.2.6", "QK-43"]),
        ("bad-base64", "sha-512=A", "a value that does not decode", ["§8.2.6", "§10.4.4"]),
        ("empty", "", "an empty header", ["§8.2.6"]),
        ("missing", None, "no Repr-Digest header", ["§8.2.6"]))
]


def run(col):
    Gen(col).run()
