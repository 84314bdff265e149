"""Authorization vectors, spec §10: HMAC to-sign layouts, X-HMAC tokens, the
lenient base64 decoder, Python int() timestamps, secrets, Bearer tokens.

Every vector is a row of a case table (`Row`); `emit` turns one row into a
vector by running the operation's model (lpsp_conformance.protocol.auth_model)
under both personalities. The tables below are listed in publication order.
"""

from collections import namedtuple

from ..protocol.auth_model import (b64_lenient, b64std, bearer, parse_token, py_int,
                                   secret_decode, sign, to_sign, verify)
from ..protocol.prim import Reject, pattern, sha512
from .vec import judge

SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw"
TS = "1700000000"
URL = "http://127.0.0.1:3002/v1/receive"
RECOVERY = "http://127.0.0.1:3002/v1/recover"
WSURL = "websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1"
SHA_HI = sha512(b"hi")
LIFETIME = 120


def fields(kind, **kw):
    f = {"kind": kind, "timestamp": TS, "nonce": "abcdef", "tracing": b""}
    f.update(kw)
    return f


def kind_examples():
    """One to_sign input per kind (all 21)."""
    return [
        fields("SUBSCRIBE_EXACT", url=URL, recovery=None, topic=b"foo/bar"),
        fields("SUBSCRIBE_GLOB", url=URL, recovery=RECOVERY, glob="foo/*"),
        fields("NOTIFY", topic=b"foo/bar", identifier=b"\xde\xad\xbe\xef", sha512=SHA_HI),
        fields("STATEFUL_CONFIGURE", subscriber_nonce=bytes(range(32)), enable_zstd=True,
               enable_training=True, initial_dict=0),
        fields("CHECK_SUBSCRIPTIONS", url=URL, tracing=b"tr"),
        fields("SET_SUBSCRIPTIONS", url=URL, etag_format=0, etag=pattern(64)),
        fields("STATEFUL_CONTINUE_RECEIVE", identifier=b"\x01\x02\x03\x04", part_id=255,
               url=WSURL),
        fields("CONFIRM_RECEIVE", identifier=bytes(range(8)), num_subscribers=1, url=URL),
        fields("CONFIRM_MISSED", topic=b"foo/bar", url=RECOVERY),
        fields("RECEIVE", url=URL, topic=b"foo/bar", identifier=bytes(range(8)), sha512=SHA_HI),
        fields("MISSED", recovery=RECOVERY, topic=b"foo/bar"),
        fields("CONFIRM_SUBSCRIBE_EXACT", url=WSURL, recovery=None, topic=b"foo/bar"),
        fields("CONFIRM_SUBSCRIBE_GLOB", url=URL, recovery="", glob="\u00e9/*"),
        fields("CONFIRM_NOTIFY", identifier=b"\xde\xad\xbe\xef", subscribers=3, topic=b"foo/bar",
               sha512=SHA_HI),
        fields("CHECK_SUBSCRIPTIONS_RESPONSE", etag_format=0, etag=pattern(64, 1)),
        fields("SET_SUBSCRIPTIONS_RESPONSE", etag_format=0, etag=pattern(64, 2)),
        fields("STATEFUL_CONFIRM_CONFIGURE", broadcaster_nonce=bytes(range(32, 64))),
        fields("STATEFUL_ENABLE_ZSTD_PRESET", url=WSURL, identifier=1, compression_level=3,
               min_size=16384, max_size=(1 << 64) - 1),
        fields("STATEFUL_ENABLE_ZSTD_CUSTOM", url=WSURL, identifier=65536, compression_level=22,
               min_size=32, max_size=16384, sha512=sha512(pattern(40))),
        fields("STATEFUL_DISABLE_ZSTD_CUSTOM", identifier=65536, url=WSURL),
        fields("STATEFUL_CONTINUE_NOTIFY", identifier=b"\x01\x02\x03\x04", part_id=7),
    ]


def jf(f):
    """Operation input (model values) as JSON."""
    out = {}
    for k, v in f.items():
        if isinstance(v, bytes):
            out[k] = v.hex()
        elif isinstance(v, bool) or v is None or isinstance(v, str):
            out[k] = v
        elif k in ("timestamp", "max_size", "now", "identifier"):
            out[k] = str(v)
        else:
            out[k] = v
    return out


def kebab(s):
    return s.lower().replace("_", "-")


# ------------------------------------------------------------ the one loop

# One vector: id, description, spec refs, op, the op's input as model values,
# the verdicts the model must give (None: any), and whether two different
# rejections (reference against strict) make the vector implementation-defined.
Row = namedtuple("Row", "vid desc refs op args expect split_rejects",
                 defaults=(None, False))

VALID, INVALID = ("valid",), ("invalid",)


def _hex(b):
    return {"hex": b.hex()}


def _authorization(a):
    return {"authorization": a}


def _same(r):
    return r


def _token(t):
    return {"timestamp": str(t[0]), "nonce": t[1], "code": t[2].hex()}


def _value(v):
    return {"value": str(v)}


# op -> (model run(args, strict), result as JSON)
OPS = {
    "hmac_to_sign": (to_sign, _hex),
    "hmac_sign": (sign, _authorization),
    "hmac_verify": (verify, _same),
    "hmac_parse_token": (lambda a, s: parse_token(a["authorization"], a["now"], a["lifetime"], s),
                         _token),
    "hmac_secret_decode": (lambda a, s: secret_decode(a["secret"], s), _hex),
    "base64_lenient": (lambda a, s: b64_lenient(a["text"]), _hex),
    "py_int": (lambda a, s: py_int(a["text"], s), _value),
    "bearer_check": (lambda a, s: bearer(a["token"], a["authorization"], s), _same),
}


def _rejection(run, args, strict):
    try:
        run(args, strict)
    except Reject as e:
        return e
    raise AssertionError("the model accepted what judge saw rejected")


def emit(col, row, provenance="hand"):
    """Turn one row into an auth vector; the verdict comes from the model."""
    run, to_json = OPS[row.op]
    verdict, kw, refs = judge(lambda: run(row.args, False), lambda: run(row.args, True),
                              to_json, row.refs)
    if row.split_rejects and verdict == "invalid" and len(set(kw["errors"])) > 1:
        ra, sa = (_rejection(run, row.args, s) for s in (False, True))
        verdict = "implementation-defined"
        kw = {"outcomes": {"reference": {"reject": [ra.cls]}, "strict": {"reject": [sa.cls]},
                           "note": f"reference rejects it ({ra.cls}: {ra.detail}); strict "
                                   f"rejects it ({sa.cls}: {sa.detail})."}}
    if row.expect:
        assert verdict in row.expect, f"{row.vid}: {verdict} {kw}"
    feature = "bearer" if row.op == "bearer_check" else "hmac"
    col.add("auth", row.vid, row.desc, refs, feature, row.op, jf(row.args), verdict,
            provenance=provenance, **kw)


# ------------------------------------------------------------ the tables


def kind_rows():
    """to_sign, X-HMAC and verification of one example of every kind."""
    rows = []
    for f in kind_examples():
        k, kind = kebab(f["kind"]), f["kind"]
        qk = ["QK-28"] if kind in ("NOTIFY", "CONFIRM_NOTIFY", "STATEFUL_CONTINUE_NOTIFY") else []
        fs = dict(f, secret=SECRET)
        fv = dict(fs, authorization=sign(fs, False), now=TS, lifetime=LIFETIME)
        rows += [
            Row(f"hmac-to-sign-{k}", f"to_sign of kind {kind}", ["§10.3.3"] + qk,
                "hmac_to_sign", f, VALID),
            Row(f"hmac-sign-{k}", f"X-HMAC authorization of kind {kind}", ["§10.3.2", "§10.3.3"],
                "hmac_sign", fs, VALID),
            Row(f"hmac-verify-{k}", f"verify a correct token of kind {kind}",
                ["§10.4.1", "§10.4.2"], "hmac_verify", fv, VALID),
        ]
    return rows


# §10.5 examples, stateful SUBSCRIBE_EXACT over the §6.1 URL
EX4 = fields("SUBSCRIBE_EXACT", url=WSURL, recovery=None, topic=b"foo/bar")

SIGN_ROWS = [
    Row("hmac-to-sign-example-stateful-subscribe", "§10.5: stateful SUBSCRIBE_EXACT after "
        "the §6.1 handshake", ["§10.5", "§6.2"], "hmac_to_sign", EX4, VALID),
    Row("hmac-sign-example-stateful-subscribe", "§10.5: its X-HMAC header", ["§10.5"],
        "hmac_sign", dict(EX4, secret=SECRET), VALID),
    # QK-30: unsubscribe uses SUBSCRIBE_EXACT with an empty recovery
    Row("hmac-to-sign-unsubscribe-empty-recovery", "an unsubscribe is signed as "
        "SUBSCRIBE_EXACT with an empty recovery, identical to no recovery",
        ["QK-30", "§10.3.3"], "hmac_to_sign",
        fields("SUBSCRIBE_EXACT", url=URL, recovery="", topic=b"foo/bar"), VALID),
]

# to_sign inputs the layouts cannot carry (QK-31/32/33) or that no check
# stops: (name, fields, description, refs)
TO_SIGN_EDGES = [
    ("continue-receive-part-256", fields("STATEFUL_CONTINUE_RECEIVE", identifier=b"\x01",
                                         part_id=256, url=WSURL),
     "part_id 256 does not fit the single byte", ["QK-31"]),
    ("enable-zstd-preset-negative-level",
     fields("STATEFUL_ENABLE_ZSTD_PRESET", url=WSURL, identifier=1, compression_level=-1,
            min_size=0, max_size=0), "a negative level in the unsigned u32", ["QK-32"]),
    ("enable-zstd-preset-identifier-2pow32",
     fields("STATEFUL_ENABLE_ZSTD_PRESET", url=WSURL, identifier=1 << 32,
            compression_level=3, min_size=0, max_size=0),
     "an identifier of 2^32 in the u32", ["QK-32"]),
    ("nonce-256", fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="n" * 256),
     "a nonce of 256 bytes", ["QK-33", "§10.3.3"]),
    ("negative-timestamp", fields("CHECK_SUBSCRIPTIONS", url=URL, timestamp="-1"),
     "a negative timestamp", ["§10.3.3"]),
    ("identifier-256", fields("NOTIFY", topic=b"t", identifier=pattern(256), sha512=SHA_HI),
     "a 256-byte identifier", ["§10.3.3", "QK-23"]),
    ("receive-sha-63", fields("RECEIVE", url=URL, topic=b"t", identifier=b"",
                              sha512=bytes(63)), "a 63-byte digest (the signer asserts)",
     ["§10.3.3", "QK-43"]),
    ("notify-sha-63", fields("NOTIFY", topic=b"t", identifier=b"", sha512=bytes(63)),
     "a 63-byte digest (only the verifier asserts)", ["§10.3.3"]),
    ("set-subscriptions-etag-63", fields("SET_SUBSCRIPTIONS", url=URL, etag_format=0,
                                         etag=bytes(63)), "a 63-byte etag (never checked)",
     ["§10.3.3"]),
    ("initial-dict-65536", fields("STATEFUL_CONFIGURE", subscriber_nonce=bytes(32),
                                  enable_zstd=False, enable_training=False,
                                  initial_dict=65536), "initial_dict 65536", ["§10.3.3"]),
]
TO_SIGN_EDGES += [
    # the timestamp is a u64: the whole range, also where a signed 64-bit
    # integer would be negative, and one past it
    (f"timestamp-{name}", fields("CHECK_SUBSCRIPTIONS", url=URL, timestamp=str(ts)),
     f"timestamp {ts} (u64 on the wire)", ["§10.3.3"])
    for name, ts in (("2pow63", 1 << 63), ("2pow64-minus-1", (1 << 64) - 1), ("2pow64", 1 << 64))
]

# X-HMAC headers of unusual inputs: (name, fields, description, refs, expect)
SIGN_EDGES = [
    ("timestamp-2pow64-minus-1", fields("CHECK_SUBSCRIPTIONS", url=URL,
                                        timestamp=str((1 << 64) - 1)),
     "sign with the largest u64 timestamp (20 digits)", ["§10.3.2", "§10.3.3"], VALID),
    # a nonce containing ':' cannot be parsed back
    ("nonce-colon", fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="ab:cd"),
     "sign with a nonce that contains ':'", ["§10.3.2", "§10.4.1"], None),
]
SIGN_EDGES += [
    (f"nonce-{name}", fields("CHECK_SUBSCRIPTIONS", url=URL, nonce=nonce),
     f"sign with a nonce: {name}", ["§10.3.2", "§10.4.1"], VALID)
    for name, nonce in (("empty", ""), ("unicode", "n\u00f6nce\U0001F642"), ("255", "x" * 255))
]

# verification: variations on one correct token
VERIFY_BASE = fields("SUBSCRIBE_EXACT", url=URL, recovery=None, topic=b"foo/bar", secret=SECRET)
GOOD = sign(VERIFY_BASE, False)
CODE = GOOD.rsplit(":", 1)[1]
NONCE_300 = fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="n" * 300, secret=SECRET)

# (name, authorization, description, refs, options); options: now (default
# TS), f (the fields checked, default VERIFY_BASE), expect (verify only),
# split (verify only: see Row.split_rejects)
VERIFY = [
    ("example", "X-HMAC 1700000000:abcdef:acAtizNS+K7OfssM7yA8XU6o0DTkx/yhiDul0/LlKunwAkxPsZLn"
     "rOWWIc75QRvOxfmBdQq6pnj9VRdUN7y8gQ==", "the §10.5 SUBSCRIBE_EXACT header", ["§10.5"],
     {"expect": VALID}),
    ("none", None, "no authorization", ["§10.4.1"], {"expect": INVALID}),
    ("empty", "", "an empty authorization", ["§10.4.1", "QK-50"], {"expect": INVALID}),
    ("bearer", "Bearer abc", "a Bearer token", ["§10.4.1"], {"expect": INVALID}),
    ("lowercase-prefix", GOOD.replace("X-HMAC", "x-hmac"), "prefix in lower case",
     ["§10.4.1"], {"expect": INVALID}),
    ("no-colon", "X-HMAC 1700000000", "no ':' after the timestamp", ["§10.4.1"],
     {"expect": INVALID}),
    ("one-colon", "X-HMAC 1700000000:abcdef", "no second ':'", ["§10.4.1"],
     {"expect": INVALID}),
    ("tampered", GOOD[:-4] + ("A" if GOOD[-4] != "A" else "B") + GOOD[-3:],
     "one character of the code changed", ["§10.4.2"], {"expect": INVALID}),
    ("other-topic", GOOD, "a correct token checked against another topic", ["§10.4.2"],
     {"f": dict(VERIFY_BASE, topic=b"foo/baz"), "expect": INVALID}),
    ("expired", GOOD, "now is lifetime + 1 seconds later", ["§10.4.1"],
     {"now": int(TS) + LIFETIME + 1, "expect": INVALID}),
    ("lifetime-edge", GOOD, "now is exactly lifetime seconds later", ["§10.4.1"],
     {"now": int(TS) + LIFETIME, "expect": VALID}),
    ("future", GOOD, "a timestamp 120 s in the future", ["§10.4.1"],
     {"now": int(TS) - LIFETIME, "expect": VALID}),
    ("unpadded", GOOD.rstrip("="), "the code without its padding", ["§10.4.4", "QK-34"],
     {"expect": VALID}),
    ("after-padding", GOOD + "AAAA", "data after the padding is ignored",
     ["§10.4.4", "QK-34"], {"expect": VALID}),
    ("junk", GOOD[:30] + " \t:-_" + GOOD[30:], "junk characters inside the code",
     ["§10.4.4", "QK-34"], {"expect": VALID}),
    ("urlsafe", GOOD.replace("+", "-").replace("/", "_"), "the code in the URL-safe alphabet",
     ["§10.4.4", "QK-34"], {"expect": INVALID}),
    ("short-code", GOOD[:-8] + "==", "a code that decodes to fewer than 64 bytes",
     ["§10.4.1"], {"expect": INVALID}),
    ("non-ascii-code", GOOD[:-2] + "\u00e9=", "a non-ASCII character in the code",
     ["§10.4.1"], {"expect": INVALID}),
]
VERIFY += [
    (f"ts-{name}", f"X-HMAC {tstext}:abcdef:{CODE}", f"timestamp written as {tstext!r}", refs, {})
    for name, tstext, refs in (
        ("spaces", "  1700000000 ", ["§10.4.3", "QK-34"]),
        ("plus", "+1700000000", ["§10.4.3", "QK-34"]),
        ("underscores", "1_700_000_000", ["§10.4.3", "QK-34"]),
        ("zeros", "0001700000000", ["§10.4.3", "QK-34"]),
        ("arabic-digits", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
         ["§10.4.3", "QK-34"]),
        ("unicode-space", "\u20031700000000", ["§10.4.3", "QK-34"]),
        ("hex", "0x6553f100", ["§10.4.3"]),
        ("double-underscore", "1__700000000", ["§10.4.3"]))
]
VERIFY += [
    ("nonce-300", "X-HMAC 1700000000:" + "n" * 300 + ":" + CODE,
     "a token nonce of 300 bytes", ["QK-33", "§10.4.2"], {"f": NONCE_300, "split": True}),
    ("negative-timestamp", f"X-HMAC -1:abcdef:{CODE}", "a negative timestamp within the "
     "lifetime", ["§10.4.2", "QK-33"], {"now": 0, "split": True}),
]


def verify_rows(name, auth, desc, refs, opt):
    """The verification of a token and the parse of the token alone."""
    now = str(opt.get("now", TS))
    fv = dict(opt.get("f", VERIFY_BASE), authorization=auth, now=now, lifetime=LIFETIME)
    pt = {"authorization": auth, "now": now, "lifetime": LIFETIME}
    return [Row(f"hmac-verify-{name}", desc, refs, "hmac_verify", fv, opt.get("expect"),
                opt.get("split", False)),
            Row(f"hmac-parse-token-{name}", "parse: " + desc, refs, "hmac_parse_token", pt)]


KEY = bytes(range(64))
# secret strings: (name, text, refs)
SECRETS = [
    ("example", SECRET, ["§10.5", "§10.3.1"]),
    ("standard-padded", b64std(KEY), ["§10.3.1"]),
    ("standard-unpadded", b64std(KEY).rstrip("="), ["§10.3.1"]),
    ("urlsafe-padded", SECRET + "==", ["§10.3.1"]),
    ("short", b64std(KEY[:63]), ["§10.3.1"]),
    ("long", b64std(KEY + b"\x00"), ["§10.3.1"]),
    ("garbage", "!!!!", ["§10.3.1"]),
]

# lenient base64 standalone: (name, text)
BASE64 = [("canonical", "aGk="), ("unpadded-2", "aGk"), ("padded-1", "aA=="),
          ("one-pad-of-two", "aA="), ("junk", "a G\nk-_=:"), ("stop", "aGk=AAAA"),
          ("pad-early", "=a=G=k="), ("single", "a"), ("five", "aGkaa"),
          ("empty", ""), ("only-pads", "===="), ("leftover-bits", "aGl="),
          ("non-ascii", "aGk\u00e9"), ("full", b64std(bytes(range(256))))]

# Python int() standalone: (name, text)
PY_INT = [("plain", "1700000000"), ("negative", "-5"), ("plus", "+7"),
          ("spaces", " \t42\n"), ("underscores", "1_000"), ("zeros", "007"),
          ("zero", "0"), ("int64-max", str((1 << 63) - 1)),
          ("int64-min", str(-(1 << 63))), ("2pow64", str(1 << 64)),
          ("arabic", "\u0664\u0662"), ("fullwidth", "\uff14\uff12"),
          ("nbsp", "\u00a042"), ("fs", "\x1c42"), ("empty", ""), ("hex", "0x10"),
          ("float", "1.0"), ("double-underscore", "1__0"), ("lead-underscore", "_10"),
          ("trail-underscore", "10_"), ("sign-only", "-"), ("inner-space", "1 0")]

# Bearer: (name, token, authorization, refs)
BEARER = [
    ("ok", "s3cret", "Bearer s3cret", ["§10.2"]),
    ("none", "s3cret", None, ["§10.2"]),
    ("empty", "s3cret", "", ["§10.2", "QK-50"]),
    ("wrong", "s3cret", "Bearer s3cret2", ["§10.2"]),
    ("case", "s3cret", "bearer s3cret", ["§10.2"]),
    ("space", "s3cret", "Bearer  s3cret", ["§10.2"]),
    ("trailing", "s3cret", "Bearer s3cret ", ["§10.2"]),
    ("non-ascii", "s3cret", "Bearer s3cr\u00e9t", ["§10.2", "QK-36"]),
]


def rows():
    """Every auth row, in publication order."""
    out = kind_rows() + SIGN_ROWS
    out += [Row(f"hmac-to-sign-{name}", "to_sign with " + desc, refs, "hmac_to_sign", f)
            for name, f, desc, refs in TO_SIGN_EDGES]
    out += [Row(f"hmac-sign-{name}", desc, refs, "hmac_sign", dict(f, secret=SECRET), expect)
            for name, f, desc, refs, expect in SIGN_EDGES]
    for case in VERIFY:
        out += verify_rows(*case)
    out += [Row(f"hmac-secret-{name}", f"decode the secret string ({name})", refs,
                "hmac_secret_decode", {"secret": text}) for name, text, refs in SECRETS]
    out += [Row(f"b64-{name}", f"lenient base64 of {text[:20]!r}", ["§10.4.4"],
                "base64_lenient", {"text": text}) for name, text in BASE64]
    out += [Row(f"py-int-{name}", f"Python int() of {text!r}", ["§10.4.3", "QK-34"], "py_int",
                {"text": text}) for name, text in PY_INT]
    out += [Row(f"bearer-{name}", f"Bearer check: {auth!r} against token {token!r}", refs,
                "bearer_check", {"token": token, "authorization": auth},
                split_rejects=(name == "non-ascii"))
            for name, token, auth, refs in BEARER]
    return out


def run(col):
    for row in rows():
        emit(col, row)
