"""Authorization vectors, spec §10: HMAC to-sign layouts, X-HMAC tokens, the
lenient base64 decoder, Python int() timestamps, secrets, Bearer tokens."""

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
    """to_sign input fields as JSON."""
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


def run(col):
    def add(vid, desc, refs, op, inp, run_ref, run_strict, to_json, feature="hmac",
            force_impl=False, expect=None):
        verdict, kw, refs = judge(run_ref, run_strict, to_json, refs)
        if force_impl and verdict == "invalid" and len(set(kw["errors"])) > 1:
            a, b = kw["errors"][0], kw["errors"][1]
            try:
                run_ref()
            except Reject as e:
                ra = e
            try:
                run_strict()
            except Reject as e:
                sa = e
            verdict = "implementation-defined"
            kw = {"outcomes": {"reference": {"reject": [ra.cls]}, "strict": {"reject": [sa.cls]},
                               "note": f"reference rejects it ({ra.cls}: {ra.detail}); strict "
                                       f"rejects it ({sa.cls}: {sa.detail})."}}
            del a, b
        if expect:
            assert verdict in expect, f"{vid}: {verdict} {kw}"
        col.add("auth", vid, desc, refs, feature, op, inp, verdict, **kw)

    hexout = lambda b: {"hex": b.hex()}  # noqa: E731

    # to_sign of every kind, and its signature
    for f in kind_examples():
        k = kebab(f["kind"])
        qk = ["QK-28"] if f["kind"] in ("NOTIFY", "CONFIRM_NOTIFY",
                                        "STATEFUL_CONTINUE_NOTIFY") else []
        add(f"hmac-to-sign-{k}", f"to_sign of kind {f['kind']}", ["§10.3.3"] + qk, "hmac_to_sign",
            jf(f), lambda f=f: to_sign(f, False), lambda f=f: to_sign(f, True), hexout,
            expect=("valid",))
        fs = dict(f, secret=SECRET)
        add(f"hmac-sign-{k}", f"X-HMAC authorization of kind {f['kind']}",
            ["§10.3.2", "§10.3.3"], "hmac_sign", jf(fs), lambda fs=fs: sign(fs, False),
            lambda fs=fs: sign(fs, True), lambda a: {"authorization": a}, expect=("valid",))
        tok = sign(fs, False)
        fv = dict(fs, authorization=tok, now=TS, lifetime=120)
        add(f"hmac-verify-{k}", f"verify a correct token of kind {f['kind']}",
            ["§10.4.1", "§10.4.2"], "hmac_verify", jf(fv), lambda fv=fv: verify(fv, False),
            lambda fv=fv: verify(fv, True), lambda r: r, expect=("valid",))
    # §10.5 examples, stateful SUBSCRIBE_EXACT over the §6.1 URL
    ex4 = fields("SUBSCRIBE_EXACT", url=WSURL, recovery=None, topic=b"foo/bar")
    add("hmac-to-sign-example-stateful-subscribe", "§10.5: stateful SUBSCRIBE_EXACT after "
        "the §6.1 handshake", ["§10.5", "§6.2"], "hmac_to_sign", jf(ex4),
        lambda: to_sign(ex4, False), lambda: to_sign(ex4, True), hexout, expect=("valid",))
    ex4s = dict(ex4, secret=SECRET)
    add("hmac-sign-example-stateful-subscribe", "§10.5: its X-HMAC header", ["§10.5"],
        "hmac_sign", jf(ex4s), lambda: sign(ex4s, False), lambda: sign(ex4s, True),
        lambda a: {"authorization": a}, expect=("valid",))
    # QK-30: unsubscribe uses SUBSCRIBE_EXACT with an empty recovery
    u = fields("SUBSCRIBE_EXACT", url=URL, recovery="", topic=b"foo/bar")
    add("hmac-to-sign-unsubscribe-empty-recovery", "an unsubscribe is signed as "
        "SUBSCRIBE_EXACT with an empty recovery, identical to no recovery",
        ["QK-30", "§10.3.3"], "hmac_to_sign", jf(u), lambda: to_sign(u, False),
        lambda: to_sign(u, True), hexout, expect=("valid",))
    # QK-28: NOTIFY kinds carry no url (covered by the NOTIFY example); QK-31/32/33 errors
    errs = [
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
    for name, f, desc, refs in errs:
        add(f"hmac-to-sign-{name}", "to_sign with " + desc, refs, "hmac_to_sign", jf(f),
            lambda f=f: to_sign(f, False), lambda f=f: to_sign(f, True), hexout)
    # the timestamp is a u64: the whole range, also where a signed 64-bit
    # integer would be negative, and one past it
    for name, ts_ in (("2pow63", 1 << 63), ("2pow64-minus-1", (1 << 64) - 1), ("2pow64", 1 << 64)):
        f = fields("CHECK_SUBSCRIPTIONS", url=URL, timestamp=str(ts_))
        add(f"hmac-to-sign-timestamp-{name}", f"to_sign with timestamp {ts_} (u64 on the wire)",
            ["§10.3.3"], "hmac_to_sign", jf(f), lambda f=f: to_sign(f, False),
            lambda f=f: to_sign(f, True), hexout)
    fl = fields("CHECK_SUBSCRIPTIONS", url=URL, timestamp=str((1 << 64) - 1), secret=SECRET)
    add("hmac-sign-timestamp-2pow64-minus-1", "sign with the largest u64 timestamp (20 digits)",
        ["§10.3.2", "§10.3.3"], "hmac_sign", jf(fl), lambda: sign(fl, False),
        lambda: sign(fl, True), lambda a: {"authorization": a}, expect=("valid",))
    # QK-35-free: a nonce containing ':' cannot be parsed back
    fc = fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="ab:cd", secret=SECRET)
    add("hmac-sign-nonce-colon", "sign with a nonce that contains ':'", ["§10.3.2", "§10.4.1"],
        "hmac_sign", jf(fc), lambda: sign(fc, False), lambda: sign(fc, True),
        lambda a: {"authorization": a})
    # nonce shapes
    for name, nonce in (("empty", ""), ("unicode", "n\u00f6nce\U0001F642"), ("255", "x" * 255)):
        f = fields("CHECK_SUBSCRIPTIONS", url=URL, nonce=nonce, secret=SECRET)
        add(f"hmac-sign-nonce-{name}", f"sign with a nonce: {name}", ["§10.3.2", "§10.4.1"],
            "hmac_sign", jf(f), lambda f=f: sign(f, False), lambda f=f: sign(f, True),
            lambda a: {"authorization": a}, expect=("valid",))

    # verification: variations on one correct token
    base = fields("SUBSCRIBE_EXACT", url=URL, recovery=None, topic=b"foo/bar", secret=SECRET)
    good = sign(base, False)
    code = good.rsplit(":", 1)[1]
    ts = int(TS)

    def V(name, auth, desc, refs, now=TS, lifetime=120, f=base, force=False, expect=None):
        fv = dict(f, authorization=auth, now=str(now), lifetime=lifetime)
        add(f"hmac-verify-{name}", desc, refs, "hmac_verify", jf(fv),
            lambda: verify(fv, False), lambda: verify(fv, True), lambda r: r,
            force_impl=force, expect=expect)
        pt = {"authorization": auth, "now": str(now), "lifetime": lifetime}
        add(f"hmac-parse-token-{name}", "parse: " + desc, refs, "hmac_parse_token", pt,
            lambda: parse_token(auth, now, lifetime, False),
            lambda: parse_token(auth, now, lifetime, True),
            lambda t: {"timestamp": str(t[0]), "nonce": t[1], "code": t[2].hex()})

    V("example", "X-HMAC 1700000000:abcdef:acAtizNS+K7OfssM7yA8XU6o0DTkx/yhiDul0/LlKunwAkxPsZLn"
      "rOWWIc75QRvOxfmBdQq6pnj9VRdUN7y8gQ==", "the §10.5 SUBSCRIBE_EXACT header", ["§10.5"],
      expect=("valid",))
    V("none", None, "no authorization", ["§10.4.1"], expect=("invalid",))
    V("empty", "", "an empty authorization", ["§10.4.1", "QK-50"], expect=("invalid",))
    V("bearer", "Bearer abc", "a Bearer token", ["§10.4.1"], expect=("invalid",))
    V("lowercase-prefix", good.replace("X-HMAC", "x-hmac"), "prefix in lower case",
      ["§10.4.1"], expect=("invalid",))
    V("no-colon", "X-HMAC 1700000000", "no ':' after the timestamp", ["§10.4.1"],
      expect=("invalid",))
    V("one-colon", "X-HMAC 1700000000:abcdef", "no second ':'", ["§10.4.1"],
      expect=("invalid",))
    V("tampered", good[:-4] + ("A" if good[-4] != "A" else "B") + good[-3:],
      "one character of the code changed", ["§10.4.2"], expect=("invalid",))
    V("other-topic", good, "a correct token checked against another topic", ["§10.4.2"],
      f=dict(base, topic=b"foo/baz"), expect=("invalid",))
    V("expired", good, "now is lifetime + 1 seconds later", ["§10.4.1"], now=ts + 121,
      expect=("invalid",))
    V("lifetime-edge", good, "now is exactly lifetime seconds later", ["§10.4.1"],
      now=ts + 120, expect=("valid",))
    V("future", good, "a timestamp 120 s in the future", ["§10.4.1"], now=ts - 120,
      expect=("valid",))
    V("unpadded", good.rstrip("="), "the code without its padding", ["§10.4.4", "QK-34"],
      expect=("valid",))
    V("after-padding", good + "AAAA", "data after the padding is ignored",
      ["§10.4.4", "QK-34"], expect=("valid",))
    V("junk", good[:30] + " \t:-_" + good[30:], "junk characters inside the code",
      ["§10.4.4", "QK-34"], expect=("valid",))
    V("urlsafe", good.replace("+", "-").replace("/", "_"), "the code in the URL-safe alphabet",
      ["§10.4.4", "QK-34"], expect=("invalid",))
    V("short-code", good[:-8] + "==", "a code that decodes to fewer than 64 bytes",
      ["§10.4.1"], expect=("invalid",))
    V("non-ascii-code", good[:-2] + "\u00e9=", "a non-ASCII character in the code",
      ["§10.4.1"], expect=("invalid",))
    for name, tstext, refs in (
            ("spaces", "  1700000000 ", ["§10.4.3", "QK-34"]),
            ("plus", "+1700000000", ["§10.4.3", "QK-34"]),
            ("underscores", "1_700_000_000", ["§10.4.3", "QK-34"]),
            ("zeros", "0001700000000", ["§10.4.3", "QK-34"]),
            ("arabic-digits", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
             ["§10.4.3", "QK-34"]),
            ("unicode-space", "\u20031700000000", ["§10.4.3", "QK-34"]),
            ("hex", "0x6553f100", ["§10.4.3"]),
            ("double-underscore", "1__700000000", ["§10.4.3"])):
        V(f"ts-{name}", f"X-HMAC {tstext}:abcdef:{code}", f"timestamp written as {tstext!r}",
          refs)
    big = fields("CHECK_SUBSCRIPTIONS", url=URL, nonce="n" * 300, secret=SECRET)
    V("nonce-300", "X-HMAC 1700000000:" + "n" * 300 + ":" + code,
      "a token nonce of 300 bytes", ["QK-33", "§10.4.2"], f=big, force=True)
    V("negative-timestamp", f"X-HMAC -1:abcdef:{code}", "a negative timestamp within the "
      "lifetime", ["§10.4.2", "QK-33"], now=0, force=True)

    # secrets
    key = bytes(range(64))
    for name, text, refs in (
            ("example", SECRET, ["§10.5", "§10.3.1"]),
            ("standard-padded", b64std(key), ["§10.3.1"]),
            ("standard-unpadded", b64std(key).rstrip("="), ["§10.3.1"]),
            ("urlsafe-padded", SECRET + "==", ["§10.3.1"]),
            ("short", b64std(key[:63]), ["§10.3.1"]),
            ("long", b64std(key + b"\x00"), ["§10.3.1"]),
            ("garbage", "!!!!", ["§10.3.1"])):
        add(f"hmac-secret-{name}", f"decode the secret string ({name})", refs,
            "hmac_secret_decode", {"secret": text}, lambda t=text: secret_decode(t, False),
            lambda t=text: secret_decode(t, True), hexout)

    # lenient base64 standalone
    for name, text in (("canonical", "aGk="), ("unpadded-2", "aGk"), ("padded-1", "aA=="),
                       ("one-pad-of-two", "aA="), ("junk", "a G\nk-_=:"), ("stop", "aGk=AAAA"),
                       ("pad-early", "=a=G=k="), ("single", "a"), ("five", "aGkaa"),
                       ("empty", ""), ("only-pads", "===="), ("leftover-bits", "aGl="),
                       ("non-ascii", "aGk\u00e9"), ("full", b64std(bytes(range(256))))):
        add(f"b64-{name}", f"lenient base64 of {text[:20]!r}", ["§10.4.4"], "base64_lenient",
            {"text": text}, lambda t=text: b64_lenient(t), lambda t=text: b64_lenient(t), hexout)

    # Python int() standalone
    for name, text in (("plain", "1700000000"), ("negative", "-5"), ("plus", "+7"),
                       ("spaces", " \t42\n"), ("underscores", "1_000"), ("zeros", "007"),
                       ("zero", "0"), ("int64-max", str((1 << 63) - 1)),
                       ("int64-min", str(-(1 << 63))), ("2pow64", str(1 << 64)),
                       ("arabic", "\u0664\u0662"), ("fullwidth", "\uff14\uff12"),
                       ("nbsp", "\u00a042"), ("fs", "\x1c42"), ("empty", ""), ("hex", "0x10"),
                       ("float", "1.0"), ("double-underscore", "1__0"), ("lead-underscore", "_10"),
                       ("trail-underscore", "10_"), ("sign-only", "-"), ("inner-space", "1 0")):
        add(f"py-int-{name}", f"Python int() of {text!r}", ["§10.4.3", "QK-34"], "py_int",
            {"text": text}, lambda t=text: py_int(t, False), lambda t=text: py_int(t, True),
            lambda v: {"value": str(v)})

    # Bearer
    for name, token, auth, refs in (
            ("ok", "s3cret", "Bearer s3cret", ["§10.2"]),
            ("none", "s3cret", None, ["§10.2"]),
            ("empty", "s3cret", "", ["§10.2", "QK-50"]),
            ("wrong", "s3cret", "Bearer s3cret2", ["§10.2"]),
            ("case", "s3cret", "bearer s3cret", ["§10.2"]),
            ("space", "s3cret", "Bearer  s3cret", ["§10.2"]),
            ("trailing", "s3cret", "Bearer s3cret ", ["§10.2"]),
            ("non-ascii", "s3cret", "Bearer s3cr\u00e9t", ["§10.2", "QK-36"])):
        add(f"bearer-{name}", f"Bearer check: {auth!r} against token {token!r}", refs,
            "bearer_check", {"token": token, "authorization": auth},
            lambda t=token, a=auth: bearer(t, a, False), lambda t=token, a=auth: bearer(t, a, True),
            lambda r: r, feature="bearer", force_impl=(name == "non-ascii"))
