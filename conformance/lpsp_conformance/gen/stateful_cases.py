"""Stateful vectors: hand-written cases (§3, §5) and derived negatives (§4)."""

from collections import namedtuple

from ..protocol import stateful_model as M
from ..protocol.prim import Reject, pattern, sha512
from ..protocol.stateful_model import MODE_SECTION, SECTION
from .vec import jdict, judge

AREA = {"s2b": "stateful-s2b", "b2s": "stateful-b2s"}

HI = b"hi"
NONCE_S = bytes(range(0x00, 0x20))
NONCE_B = bytes(range(0x20, 0x40))
AUTH = "X-HMAC 1700000000:abcdef:" + "A" * 86 + "=="
BIG = 65535
U64MAX = (1 << 64) - 1
U32MAX = (1 << 32) - 1
# Bytes of each big test value (tracing/topic/glob of 65535 bytes).
BIG_BYTES = pattern(BIG, 3)
BIG_GLOB = ("abcdefghij" * 6554)[:BIG]

BAD_UTF8 = {
    "ff": b"\xff",
    "overlong": b"\xc0\xaf",
    "surrogate": b"\xed\xa0\x80",
    "cut": b"ab\xe2\x82",
    "f5": b"\xf5\x80\x80\x80",
    "cont": b"\x80",
}


def kebab(name):
    return name.lower().replace("_", "-")


def m(t, **kw):
    d = {"type": t}
    d.update(kw)
    return d


def notify_unc(body, **kw):
    base = dict(authorization=None, tracing=b"", identifier=b"\xde\xad\xbe\xef",
                compressor_id=None, topic=b"foo/bar",
                verified_uncompressed_sha512=sha512(body), uncompressed_message=body)
    base.update(kw)
    return m("NOTIFY", **base)


def notify_cmp(body, comp, dlen, **kw):
    base = dict(authorization=None, tracing=b"", identifier=b"\xde\xad\xbe\xef",
                compressor_id=comp, topic=b"foo/bar", verified_compressed_sha512=sha512(body),
                compressed_message=body, decompressed_length=dlen)
    base.update(kw)
    return m("NOTIFY", **base)


def stream_unc(t, total, payload, **kw):
    base = dict(authorization=None, tracing=b"", identifier=b"\x01\x02\x03\x04", part_id=None,
                topic=b"foo/bar", compressor_id=None, uncompressed_length=len(total),
                unverified_uncompressed_sha512=sha512(total), payload=payload)
    base.update(kw)
    return m(t, **base)


def stream_cmp(t, comp, total, dlen, payload, **kw):
    base = dict(authorization=None, tracing=b"", identifier=b"\x01\x02\x03\x04", part_id=None,
                topic=b"foo/bar", compressor_id=comp, compressed_length=len(total),
                decompressed_length=dlen, unverified_compressed_sha512=sha512(total),
                payload=payload)
    base.update(kw)
    return m(t, **base)


def stream_cont(t, part, payload, **kw):
    base = dict(authorization=None, tracing=b"", identifier=b"\x01\x02\x03\x04", part_id=part,
                payload=payload)
    base.update(kw)
    return m(t, **base)


def preset(ident, level, mn, mx, **kw):
    return m("ENABLE_ZSTD_PRESET", identifier=ident, compression_level=level, min_size=mn,
             max_size=mx, authorization=kw.get("authorization"), tracing=kw.get("tracing", b""))


def custom(ident, level, mn, mx, dictionary, **kw):
    return m("ENABLE_ZSTD_CUSTOM", identifier=ident, compression_level=level, min_size=mn,
             max_size=mx, dictionary=dictionary, authorization=kw.get("authorization"),
             tracing=kw.get("tracing", b""), sha512=kw.get("sha512", sha512(dictionary)))


# A hand-written case: direction, case name (the id is
# <dir>-<type>-<mode>-<name>), message (model values), description, the
# header modes it is written in (BOTH, MIN or EXP), extra spec refs. Each
# gives a decode and an encode vector per mode and the derived negatives of
# StatefulGen.run. The first case of each (direction, type, variant) is its
# "basic" case, used for the per-type mutations.
BOTH, MIN, EXP = ("min", "exp"), ("min",), ("exp",)
Row = namedtuple("Row", "d name msg desc modes refs", defaults=(BOTH, ()))


def _exact_rows(t):
    return [
        Row("s2b", "basic", m(t, authorization=None, tracing=b"", topic=b"foo/bar"),
            f"{t}, topic foo/bar", refs=["§5.1", "§5.2"] if t == "SUBSCRIBE_EXACT" else []),
        Row("s2b", "auth", m(t, authorization=AUTH, tracing=b"\x00trace\xff", topic=b"a"),
            f"{t} with authorization and binary tracing"),
        Row("s2b", "empty-topic", m(t, authorization=None, tracing=b"", topic=b""),
            f"{t} with an empty topic"),
        Row("s2b", "binary-topic", m(t, authorization="Bearer x", tracing=b"",
                                     topic=b"\xff\x00\xc0\xaf"),
            f"{t} with a topic that is not UTF-8 (topics are opaque)", refs=["§1.4"]),
    ]


def _glob_rows(t):
    return [
        Row("s2b", "basic", m(t, authorization=None, tracing=b"", glob="foo/*"),
            f"{t}, glob foo/*"),
        Row("s2b", "unicode", m(t, authorization="Bearer \u00e9t\u00e9", tracing=b"tr",
                                glob="donn\u00e9es/\U0001F642/*"),
            f"{t} with non-ASCII UTF-8 in the glob and the authorization", refs=["§1.4"]),
        Row("s2b", "empty-glob", m(t, authorization=None, tracing=b"", glob=""),
            f"{t} with an empty glob"),
    ]


def _confirm_exact_rows(t):
    return [
        Row("b2s", "basic", m(t, topic=b"foo/bar", authorization=None, tracing=b""),
            f"{t}, topic foo/bar (topic first)"),
        Row("b2s", "auth", m(t, topic=b"\xff\xfe", authorization=AUTH, tracing=b"x"),
            f"{t} with a binary topic and authorization"),
        Row("b2s", "empty-topic", m(t, topic=b"", authorization=None, tracing=b""),
            f"{t} with an empty topic"),
    ]


def _confirm_glob_rows(t):
    return [
        Row("b2s", "basic", m(t, glob="foo/*", authorization=None, tracing=b""),
            f"{t}, glob foo/*"),
        Row("b2s", "unicode", m(t, glob="\u65e5\u672c/**", authorization="Bearer \u00fc",
                                tracing=b"t"),
            f"{t} with non-ASCII UTF-8"),
    ]


def _stream_rows(d, t):
    ex = ["§5.7"] if t == "RECEIVE_STREAM" else []
    return [
        Row(d, "start-uncompressed-basic", stream_unc(t, HI, b"h"),
            f"{t} part 0, uncompressed, total 2, first chunk h; x-part-id 00",
            refs=ex + ["QK-18"]),
        Row(d, "start-uncompressed-full", stream_unc(t, pattern(300), pattern(300),
                                                     authorization=AUTH, tracing=b"t",
                                                     identifier=pattern(64)),
            f"{t} part 0 carrying the whole 300-byte body, 64-byte identifier"),
        Row(d, "start-uncompressed-empty", stream_unc(t, b"", b"", identifier=b"", topic=b""),
            f"{t} part 0 of an empty notification"),
        Row(d, "start-compressed-basic", stream_cmp(t, 1, pattern(10), 100, pattern(4)),
            f"{t} part 0, compressor 1, total 10 compressed bytes, first chunk 4 bytes"),
        Row(d, "start-compressed-max",
            m(t, authorization=None, tracing=b"", identifier=b"\x01", part_id=None, topic=b"t",
              compressor_id=U64MAX, compressed_length=U64MAX, decompressed_length=U64MAX,
              unverified_compressed_sha512=sha512(b"x"), payload=b"x"),
            f"{t} part 0 with compressor id, total and decompressed length 2^64-1"),
        Row(d, "continuation-basic", stream_cont(t, 1, b"i"),
            f"{t} continuation part 1, chunk i", refs=ex),
        Row(d, "continuation-max", stream_cont(t, U64MAX, pattern(33), authorization=AUTH,
                                               tracing=b"x"),
            f"{t} continuation with part id 2^64-1"),
        Row(d, "continuation-empty", stream_cont(t, 2, b""),
            f"{t} continuation with an empty chunk"),
    ]


BASE_CASES = [
    # ---- S2B
    Row("s2b", "basic", m("CONFIGURE", subscriber_nonce=NONCE_S, enable_zstd=True,
                          enable_training=True, initial_dict=0, authorization=None,
                          tracing=b""),
        "CONFIGURE, nonce 00..1f, zstd and training on, no preset", refs=["§5.3"]),
    Row("s2b", "auth", m("CONFIGURE", subscriber_nonce=bytes(32), enable_zstd=False,
                         enable_training=False, initial_dict=65535, authorization=AUTH,
                         tracing=b"trace"),
        "CONFIGURE with flags off, initial_dict 65535, authorization and tracing",
        refs=["QK-18"]),
    Row("s2b", "preset", m("CONFIGURE", subscriber_nonce=pattern(32), enable_zstd=True,
                           enable_training=False, initial_dict=2, authorization=None,
                           tracing=b""),
        "CONFIGURE asking for preset dictionary 2"),
    *_exact_rows("SUBSCRIBE_EXACT"), *_exact_rows("UNSUBSCRIBE_EXACT"),
    Row("s2b", "topic-max", m("SUBSCRIBE_EXACT", authorization=None, tracing=b"",
                              topic=BIG_BYTES),
        "SUBSCRIBE_EXACT with a 65535-byte topic", refs=["§2.7"]),
    Row("s2b", "tracing-max", m("SUBSCRIBE_EXACT", authorization=None, tracing=BIG_BYTES,
                                topic=b"t"),
        "SUBSCRIBE_EXACT with 65535 bytes of tracing", MIN, refs=["§1.6"]),
    *_glob_rows("SUBSCRIBE_GLOB"), *_glob_rows("UNSUBSCRIBE_GLOB"),
    Row("s2b", "nul-bom", m("SUBSCRIBE_GLOB", authorization="\ufeffa\x00b", tracing=b"",
                            glob="\ufeffx\x00y"),
        "SUBSCRIBE_GLOB: NUL is accepted and a leading BOM is kept, in glob and authorization",
        refs=["§1.4"]),
    Row("s2b", "glob-max", m("SUBSCRIBE_GLOB", authorization=None, tracing=b"",
                             glob=BIG_GLOB),
        "SUBSCRIBE_GLOB with a 65535-byte glob", MIN),

    Row("s2b", "uncompressed-basic", notify_unc(HI),
        "NOTIFY, uncompressed, body hi, identifier deadbeef, topic foo/bar",
        refs=["§5.4", "§5.5"]),
    Row("s2b", "uncompressed-empty", notify_unc(b"", identifier=b"id", topic=b"t"),
        "NOTIFY with an empty body: both lengths are empty values", refs=["§5.6", "QK-18"]),
    Row("s2b", "uncompressed-auth", notify_unc(pattern(300), authorization=AUTH,
                                               tracing=b"trace", identifier=pattern(64, 9),
                                               topic=b""),
        "NOTIFY with a 300-byte body (2-byte lengths), a 64-byte identifier, an empty topic"),
    Row("s2b", "uncompressed-noid", notify_unc(b"x", identifier=b""),
        "NOTIFY with an empty identifier"),
    Row("s2b", "uncompressed-tracing-max", notify_unc(HI, tracing=BIG_BYTES),
        "NOTIFY with 65535 bytes of tracing", MIN, refs=["§1.6"]),
    Row("s2b", "compressed-basic", notify_cmp(pattern(10), 1, 100),
        "NOTIFY, compressed with compressor 1, decompressed length 100 (not verified)"),
    Row("s2b", "compressed-max", notify_cmp(pattern(5), U64MAX, U64MAX),
        "NOTIFY, compressor id and decompressed length 2^64-1"),
    Row("s2b", "compressed-empty", notify_cmp(b"", 65536, 0),
        "NOTIFY, compressed with an empty body and decompressed length 0", refs=["QK-13"]),

    *_stream_rows("s2b", "NOTIFY_STREAM"),

    Row("s2b", "basic", m("CONTINUE_RECEIVE", identifier=b"\x01\x02\x03\x04", part_id=1,
                          authorization=None, tracing=b""),
        "CONTINUE_RECEIVE for part 1"),
    Row("s2b", "part0", m("CONTINUE_RECEIVE", identifier=b"\x01\x02\x03\x04", part_id=0,
                          authorization=None, tracing=b""),
        "CONTINUE_RECEIVE for part 0: x-part-id is written empty", refs=["QK-18"]),
    Row("s2b", "max", m("CONTINUE_RECEIVE", identifier=pattern(64), part_id=U64MAX,
                        authorization=AUTH, tracing=b"t"),
        "CONTINUE_RECEIVE with part id 2^64-1 and a 64-byte identifier"),
    Row("s2b", "basic", m("CONFIRM_RECEIVE", identifier=b"\x01\x02\x03\x04",
                          authorization=None, tracing=b"", num_subscribers=1),
        "CONFIRM_RECEIVE, num_subscribers 1 in a fixed 4-byte field",
        refs=["§5.7", "QK-18", "§1.1"]),
    Row("s2b", "zero", m("CONFIRM_RECEIVE", identifier=b"", authorization=None, tracing=b"",
                         num_subscribers=0),
        "CONFIRM_RECEIVE with num_subscribers 0 and an empty identifier"),
    Row("s2b", "max", m("CONFIRM_RECEIVE", identifier=pattern(64), authorization=AUTH,
                        tracing=b"tr", num_subscribers=U32MAX),
        "CONFIRM_RECEIVE with num_subscribers 2^32-1 and a 64-byte identifier"),

    # ---- B2S
    Row("b2s", "basic", m("CONFIRM_CONFIGURE", broadcaster_nonce=NONCE_B, authorization=None,
                          tracing=b""),
        "CONFIRM_CONFIGURE, nonce 20..3f", refs=["§5.7"]),
    Row("b2s", "auth", m("CONFIRM_CONFIGURE", broadcaster_nonce=b"\xff" * 32,
                         authorization=AUTH, tracing=b"tracing"),
        "CONFIRM_CONFIGURE with authorization and tracing"),
    *_confirm_exact_rows("CONFIRM_SUBSCRIBE_EXACT"),
    *_confirm_exact_rows("CONFIRM_UNSUBSCRIBE_EXACT"),
    Row("b2s", "topic-max", m("CONFIRM_SUBSCRIBE_EXACT", topic=BIG_BYTES, authorization=None,
                              tracing=b""),
        "CONFIRM_SUBSCRIBE_EXACT with a 65535-byte topic", MIN),
    *_confirm_glob_rows("CONFIRM_SUBSCRIBE_GLOB"),
    *_confirm_glob_rows("CONFIRM_UNSUBSCRIBE_GLOB"),
    Row("b2s", "basic", m("CONFIRM_NOTIFY", identifier=b"\xde\xad\xbe\xef", subscribers=3,
                          authorization=None, tracing=b""),
        "CONFIRM_NOTIFY, 3 subscribers (minimal integer)", refs=["§5.7", "QK-18"]),
    Row("b2s", "zero", m("CONFIRM_NOTIFY", identifier=b"", subscribers=0, authorization=None,
                         tracing=b""),
        "CONFIRM_NOTIFY with 0 subscribers: an empty value", refs=["QK-18"]),
    Row("b2s", "max", m("CONFIRM_NOTIFY", identifier=pattern(64), subscribers=U64MAX,
                        authorization=AUTH, tracing=b"t"),
        "CONFIRM_NOTIFY with 2^64-1 subscribers and a 64-byte identifier"),
    Row("b2s", "tracing-max", m("CONFIRM_NOTIFY", identifier=b"\x01", subscribers=256,
                                authorization=None, tracing=BIG_BYTES),
        "CONFIRM_NOTIFY with 65535 bytes of tracing", MIN, refs=["§1.6"]),
    Row("b2s", "basic", m("CONTINUE_NOTIFY", identifier=b"\x01\x02\x03\x04", part_id=1,
                          authorization=None, tracing=b""),
        "CONTINUE_NOTIFY for part 1"),
    Row("b2s", "part0", m("CONTINUE_NOTIFY", identifier=b"\x01\x02\x03\x04", part_id=0,
                          authorization=None, tracing=b""),
        "CONTINUE_NOTIFY for part 0: x-part-id is written empty", refs=["QK-18"]),
    Row("b2s", "max", m("CONTINUE_NOTIFY", identifier=pattern(64), part_id=U64MAX,
                        authorization=AUTH, tracing=b"t"),
        "CONTINUE_NOTIFY with part id 2^64-1"),
    *_stream_rows("b2s", "RECEIVE_STREAM"),
    Row("b2s", "basic", preset(1, 3, 16384, U64MAX),
        "ENABLE_ZSTD_PRESET, identifier 1, level 3, min 16384, max 2^64-1",
        refs=["§5.7", "QK-02", "§7.1"]),
    Row("b2s", "zero-sizes", preset(2, -1, 0, 0, authorization=AUTH, tracing=b"t"),
        "ENABLE_ZSTD_PRESET, preset 2, level -1, min and max 0 (empty values)",
        refs=["QK-02", "QK-18"]),
    Row("b2s", "max", preset(65535, 22, U32MAX, 65536),
        "ENABLE_ZSTD_PRESET, identifier 65535, level 22, min 2^32-1"),
    Row("b2s", "negative-level", preset(7, -32768, 32, 1),
        "ENABLE_ZSTD_PRESET with level -32768"),
    Row("b2s", "basic", custom(65536, 3, 32, 16384, pattern(40)),
        "ENABLE_ZSTD_CUSTOM, identifier 65536, a 40-byte dictionary with its SHA-512"),
    Row("b2s", "max", custom(U64MAX, 10, U32MAX, U64MAX, b"", authorization=AUTH,
                             tracing=b"tr"),
        "ENABLE_ZSTD_CUSTOM, identifier 2^64-1, empty dictionary"),
    Row("b2s", "basic", m("DISABLE_ZSTD_CUSTOM", identifier=65536, authorization=None,
                          tracing=b""),
        "DISABLE_ZSTD_CUSTOM, identifier 65536"),
    Row("b2s", "max", m("DISABLE_ZSTD_CUSTOM", identifier=U64MAX, authorization=AUTH,
                        tracing=b"t"),
        "DISABLE_ZSTD_CUSTOM, identifier 2^64-1"),
    Row("b2s", "basic", m("MISSED", authorization=None, tracing=b"", topic=b"foo/bar"),
        "MISSED, topic foo/bar"),
    Row("b2s", "auth", m("MISSED", authorization=AUTH, tracing=b"\x01", topic=b""),
        "MISSED with authorization and an empty topic"),
    Row("b2s", "topic-max", m("MISSED", authorization=None, tracing=b"", topic=BIG_BYTES),
        "MISSED with a 65535-byte topic", MIN),
]




# --------------------------------------------------------------------------


# A decode vector: direction, id, description, bytes, spec refs, the verdicts
# the model must give (None: any).
Dec = namedtuple("Dec", "d vid desc data refs expect", defaults=(None,))
# An encode vector: direction, id, description, message (model values),
# minimal headers (bool), spec refs, verdicts.
Enc = namedtuple("Enc", "d vid desc msg minimal refs expect", defaults=(None,))
# A negative derived from a basic case: id suffix, description, the frame
# (or raw bytes), spec refs, verdicts.
Derived = namedtuple("Derived", "suffix desc frame refs expect", defaults=(None,))


class StatefulGen:
    def __init__(self, col):
        self.col = col

    # -- single vectors

    def emit(self, row, provenance="hand"):
        """One Dec or Enc row as a vector."""
        if isinstance(row, Dec):
            self.decode_vec(row.d, row.vid, row.desc, row.data, row.refs,
                            provenance=provenance, expect=row.expect)
        else:
            self.encode_vec(row.d, row.vid, row.desc, row.msg, row.minimal, row.refs,
                            provenance=provenance, expect=row.expect)

    def decode_vec(self, d, vid, desc, data, refs, provenance="hand", derived_from=None,
                   expect=None, note=None):
        verdict, kw, refs = judge(lambda: M.decode(d, data, False),
                                  lambda: M.decode(d, data, True), jdict, refs, note)
        if verdict == "invalid" and "length_mismatch" in kw["errors"]:
            try:
                M.decode(d, data, True)
            except Reject as e:
                if "(truncated)" in e.detail:  # a short body also reads as truncated
                    kw["errors"] = kw["errors"] + ["truncated"]
        if expect is not None:
            assert verdict in expect, f"{vid}: expected {expect}, model says {verdict} {kw}"
        self.col.add(AREA[d], vid, desc, refs, "stateful", "decode",
                     {"direction": d, "hex": data.hex()}, verdict, provenance=provenance,
                     derived_from=derived_from, **kw)
        return verdict

    def encode_vec(self, d, vid, desc, msg, minimal, refs, provenance="hand",
                   derived_from=None, expect=None, note=None):
        verdict, kw, refs = judge(lambda: M.encode_reference(d, msg, minimal),
                                  lambda: M.encode_strict(d, msg, minimal),
                                  lambda b: {"hex": b.hex()}, refs, note)
        if expect is not None:
            assert verdict in expect, f"{vid}: expected {expect}, model says {verdict} {kw}"
        self.col.add(AREA[d], vid, desc, refs, "stateful", "encode",
                     {"direction": d, "minimal_headers": minimal, "message": jdict(msg)},
                     verdict, provenance=provenance, derived_from=derived_from, **kw)

    # -- everything

    def run(self):
        basics = {}
        for d, name, msg, desc, modes, refs in BASE_CASES:
            t = msg["type"]
            for mode in modes:
                minimal = mode == "min"
                vid = f"{d}-{kebab(t)}-{mode}-{name}"
                frame = M.to_frame(d, msg, minimal)
                data = frame.to_bytes()
                r = [SECTION[t], MODE_SECTION[minimal], *refs]
                self.decode_vec(d, vid, desc + f" ({'minimal' if minimal else 'expanded'})",
                                data, r, expect=("valid",))
                self.encode_vec(d, vid + "-enc", "encode: " + desc, msg, minimal, r,
                                expect=("valid",))
                variant = M.variant_of(d, msg)
                key = (d, t, variant, mode)
                if key not in basics:
                    basics[key] = (vid, frame)
                self.derive_generic(d, vid, frame, msg)
        for (d, t, variant, _mode), (vid, frame) in basics.items():
            self.derive_per_type(d, t, variant, vid, frame)
        self.special()

    # -- derived from every valid base

    def derive_generic(self, d, vid, frame, msg):
        t = msg["type"]
        data, lengths = frame.to_bytes_and_lengths()
        sec = SECTION[t]
        in_body_ok = t in M.STREAM_TYPES or t == "ENABLE_ZSTD_CUSTOM"
        body_start = len(data) - len(frame.body)
        # every strict prefix (§4.5). The cases with a 65535-byte value get
        # only two: one byte into that value and one byte short of the end.
        big = len(data) > 4096
        if not big:
            cuts = range(len(data))
        else:
            bo = max(lengths, key=lambda x: x[1])[0]
            cuts = [bo + 3, len(data) - 1]
        for n in cuts:
            expect = ("invalid",)
            if in_body_ok and n >= body_start:
                expect = ("valid", "implementation-defined")
            self.decode_vec(d, f"{vid}-trunc-{n:04d}" if not big else f"{vid}-trunc-{n:06d}",
                            f"{vid} cut to its first {n} bytes", data[:n], ["§4.5", sec],
                            provenance="derived", derived_from=vid, expect=expect)
        if big:
            # the length of the big value off by one, nothing else
            off, val, label = max(lengths, key=lambda x: x[1])
            mutated = data[:off] + (val - 1).to_bytes(2, "big") + data[off + 2:]
            self.decode_vec(d, f"{vid}-len-{label}-minus1",
                            f"{vid} with the length of {label} one less", mutated,
                            [MODE_SECTION[frame.minimal], sec], provenance="derived",
                            derived_from=vid)
            return
        # every u16 length field off by one (§2.4, §2.5)
        for off, val, label in lengths:
            for delta, word in ((1, "plus1"), (-1, "minus1")):
                nv = val + delta
                if not 0 <= nv <= 0xFFFF:
                    continue
                mutated = data[:off] + nv.to_bytes(2, "big") + data[off + 2:]
                self.decode_vec(d, f"{vid}-len-{label.strip('-') or 'empty'}-{word}",
                                f"{vid} with the length of {label} {word[:-1]} one",
                                mutated, [MODE_SECTION[frame.minimal], sec, "§4.5"],
                                provenance="derived", derived_from=vid)
        # trailing bytes after the message (§2.6, §4.3, QK-11)
        self.decode_vec(d, f"{vid}-trailing", f"{vid} followed by the bytes 'garbage'",
                        data + b"garbage", ["§2.6", "§4.3", sec] +
                        ([] if t in M.BODY_TYPES else ["QK-11"]),
                        provenance="derived", derived_from=vid)

    # -- derived once per (type, variant, mode)

    def derive_per_type(self, d, t, variant, vid, frame):
        for row in _per_type_rows(d, t, variant, frame):
            fr = row.frame
            self.decode_vec(d, f"{vid}-{row.suffix}", f"{vid}: {row.desc}",
                            fr.to_bytes() if isinstance(fr, M.Frame) else fr, row.refs,
                            provenance="derived", derived_from=vid, expect=row.expect)
        if d == "b2s" and M.TYPES["b2s"][t] > max(M.S2B_TYPES.values()):
            # a B2S-only type number read as S2B
            self.decode_vec("s2b", f"s2b-as-{vid}", f"{vid} read in the S2B direction",
                            frame.to_bytes(), ["§2.2", "QK-22"], provenance="derived",
                            derived_from=vid, expect=("invalid",))

    # -- individual hand-written cases

    def special(self):
        for row in special_rows():
            self.emit(row)


def _per_type_rows(d, t, variant, frame):
    """Negatives derived once per (direction, type, variant, mode) from its basic
    frame: Derived rows (id suffix, description, frame or bytes, refs, verdicts)."""
    sec = SECTION[t]
    minimal = frame.minimal
    msec = MODE_SECTION[minimal]
    names = [n.decode() for n, _v in frame.headers]

    # unknown flag bits (§2.3, QK-21)
    yield Derived("flags-all", "every unknown flag bit set",
                  frame.copy(flags=0xFFFF if minimal else 0xFFFE),
                  ["§2.3", "§4.2", "QK-21"], expect=("implementation-defined",))
    yield Derived("flags-bit15", "flag bit 15 set", frame.copy(flags=frame.flags | 0x8000),
                  ["§2.3", "QK-21"], expect=("implementation-defined",))
    yield Derived("flags-bit1", "flag bit 1 set", frame.copy(flags=frame.flags | 0x0002),
                  ["§2.3", "QK-21"], expect=("implementation-defined",))
    if not minimal:
        # the other mode's bytes under the wrong flag: cannot stay valid
        yield Derived("flags-as-minimal", "expanded headers under the minimal flag",
                      frame.copy(flags=1), ["§2.3", msec])
    # unknown types (§2.2, §3.0, QK-22)
    top = max(M.TYPES[d].values())
    for tv, word in ((0, "0"), (top + 1, str(top + 1)), (0xFFFF, "65535")):
        yield Derived(f"type-{word}", f"type set to {tv}", frame.copy(type_value=tv),
                      ["§2.2", "§3.0", "§4.1", "QK-22"], expect=("invalid",))
    # fixed sizes (nonce 32, digests 64)
    for h, size in M.FIXED_SIZE.items():
        if h in names:
            v = frame.headers[frame.header_index(h)][1]
            for n in (size - 1, size + 1, 0):
                nv = (v + b"\x00" * 2)[:n]
                yield Derived(f"{h[2:]}-{n}", f"{h} of {n} bytes", frame.with_value(h, nv),
                              [sec, "§3.3"], expect=("invalid",))
    # identifier of 65 bytes (byte identifiers only)
    if "x-identifier" in names and t not in M.ZSTD_TYPES:
        yield Derived("identifier-65", "x-identifier of 65 bytes",
                      frame.with_value("x-identifier", pattern(65)), [sec, "QK-23"],
                      expect=("invalid",))
    # bad UTF-8 in each UTF-8 header
    for h in M.UTF8_HEADERS:
        if h in names:
            for word, bad in BAD_UTF8.items():
                yield Derived(f"{h.replace('authorization', 'auth')}-utf8-{word}",
                              f"{h} with invalid UTF-8 ({bad.hex()})", frame.with_value(h, bad),
                              ["§1.4", "§1.5" if h == "authorization" else sec, "QK-09"],
                              expect=("invalid",))
    # integer headers: too wide, and the widest accepted form
    for h in names:
        width = M.INT_WIDTH.get(h)
        if h == "x-identifier" and t in M.ZSTD_TYPES:
            width = M.ZSTD_ID_WIDTH
        if width is None:
            continue
        v = frame.headers[frame.header_index(h)][1]
        val = int.from_bytes(v, "big")
        if h == "x-compression-level":
            wide = val.to_bytes(2, "big")
        else:
            wide = val.to_bytes(width, "big")
        yield Derived(f"{h[2:]}-wide", f"{h} written with {width} bytes (leading zeros)",
                      frame.with_value(h, wide), ["§1.2", sec, "QK-18"])
        yield Derived(f"{h[2:]}-oversize", f"{h} of {width + 1} bytes",
                      frame.with_value(h, b"\x00" + wide), ["§1.2", sec],
                      expect=("invalid",))
    # digests that do not match
    if t == "NOTIFY":
        h = "x-compressed-sha512"
        v = frame.headers[frame.header_index(h)][1]
        yield Derived("sha-mismatch", "x-compressed-sha512 with its last bit flipped",
                      frame.with_value(h, v[:-1] + bytes([v[-1] ^ 1])), [sec], expect=("invalid",))
        if frame.body:
            yield Derived("body-flip", "body with one bit flipped",
                          frame.copy(body=bytes([frame.body[0] ^ 0x80]) + frame.body[1:]), [sec],
                          expect=("invalid",))
        yield Derived("body-longer", "one more body byte than x-compressed-length",
                      frame.copy(body=frame.body + b"!"), [sec, "§4.3"], expect=("invalid",))
    if t in M.STREAM_TYPES and variant != "continuation":
        h = "x-compressed-sha512"
        v = frame.headers[frame.header_index(h)][1]
        yield Derived("sha-mismatch",
                      "a wrong x-compressed-sha512 (the stream parser does not check it)",
                      frame.with_value(h, bytes(64)), [sec, "QK-13"], expect=("valid",))
    if t == "ENABLE_ZSTD_CUSTOM":
        yield Derived("sha-mismatch", "an x-sha512 that is not the SHA-512 of the dictionary",
                      frame.with_value("x-sha512", bytes(64)), [sec, "QK-12"],
                      expect=("implementation-defined",))
        yield Derived("dict-flip", "dictionary changed after x-sha512 was computed",
                      frame.copy(body=frame.body + b"\x00"), [sec, "QK-12"],
                      expect=("implementation-defined",))

    if minimal:
        return
    # ---- expanded mode only (§2.5, §4.4, QK-08, QK-10)
    refs = ["§2.5", "§4.4", sec]
    hs = frame.headers
    yield Derived("upper", "every header name in upper case",
                  frame.copy(headers=[(n.upper(), v) for n, v in hs]), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("mixed-case", "header names in mixed case (X-Tracing)",
                  frame.copy(headers=[(n.title(), v) for n, v in hs]), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("reversed", "headers in reverse order", frame.copy(headers=hs[::-1]), refs,
                  expect=("valid",))
    yield Derived("dup-tracing-first", "a duplicate x-tracing before the real one (last wins)",
                  frame.copy(headers=[(b"x-tracing", b"first")] + hs), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("dup-tracing-last", "a duplicate x-tracing after the real one (last wins)",
                  frame.copy(headers=hs + [(b"X-TRACING", b"second")]), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("unknown-header", "an extra unknown header",
                  frame.copy(headers=[(b"x-unknown", b"\xff\x00")] + hs), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("empty-name", "an extra header with an empty name",
                  frame.copy(headers=hs + [(b"", b"v")]), refs + ["QK-10"], expect=("valid",))
    yield Derived("spaced-name", "an extra header named 'x-tracing ' (not trimmed, so unknown)",
                  frame.copy(headers=hs + [(b"x-tracing ", b"ignored")]), refs + ["QK-10"],
                  expect=("valid",))
    yield Derived("nonascii-unknown", "an extra unknown header whose name is not ASCII",
                  frame.copy(headers=hs + [(b"x-\xc3\xa9", b"")]), refs + ["QK-10", "§4.8"],
                  expect=("invalid",))
    yield Derived("nonascii-name", "the first header name with a byte 0x80 appended",
                  frame.copy(headers=[(hs[0][0] + b"\x80", hs[0][1])] + hs[1:]), refs + ["QK-10"],
                  expect=("invalid",))
    yield Derived("count-zero", "header count 0 with the headers left in place as trailing bytes",
                  frame.copy(count=0), refs + ["QK-08"],
                  expect=("invalid", "implementation-defined"))
    for i, (n, _v) in enumerate(hs):
        name = n.decode()
        yield Derived(f"missing-{name}", f"required header {name} left out",
                      frame.copy(headers=hs[:i] + hs[i + 1:]), refs + ["QK-08"],
                      expect=("invalid", "implementation-defined"))


def special_rows():
    """The hand-written decode (Dec) and encode (Enc) rows, in publication order."""
    # QK-01: the README's 15-byte SUBSCRIBE_EXACT
    yield Dec("s2b", "s2b-subscribe-exact-min-readme", "the lonelypsp README's 15-byte "
              "SUBSCRIBE_EXACT (x-tracing missing) is rejected",
              bytes.fromhex("000100020000000766 6f6f2f626172".replace(" ", "")),
              ["QK-01", "§5.1"], expect=("invalid",))
    # QK-11: the spec's trailing-bytes example
    yield Dec("s2b", "s2b-subscribe-exact-min-garbage", "SUBSCRIBE_EXACT followed by 'garbage'",
              bytes.fromhex("0001000200000000000766 6f6f2f626172".replace(" ", "")) +
              b"garbage", ["QK-11", "§4.3"], expect=("implementation-defined",))
    # §4.1 prefix truncation
    for n in range(4):
        for d in ("s2b", "b2s"):
            yield Dec(d, f"{d}-prefix-{n}", f"only {n} bytes: the prefix is incomplete",
                      bytes.fromhex("00010002")[:n], ["§4.1", "§2.2", "§4.8"],
                      expect=("invalid",))
    # QK-06: enable flags other than 00/01
    base = M.to_frame("s2b", BASE_CASES[0].msg, True)
    for word, val in (("empty", b""), ("02", b"\x02"), ("0001", b"\x00\x01"),
                      ("ff", b"\xff")):
        for h in ("x-enable-zstd", "x-enable-training"):
            yield Dec("s2b", f"s2b-configure-min-{h[9:]}-{word}",
                      f"CONFIGURE with {h} = {val.hex() or 'empty'} (read as false)",
                      base.with_value(h, val).to_bytes(), ["QK-06", "§3.1.1"],
                      expect=("implementation-defined",))
    # QK-07: x-initial-dict of 0 and 1 bytes
    for word, val in (("empty", b""), ("1byte", b"\x05")):
        yield Dec("s2b", f"s2b-configure-min-initial-dict-{word}",
                  f"CONFIGURE with a {len(val)}-byte x-initial-dict",
                  base.with_value("x-initial-dict", val).to_bytes(), ["QK-07", "§3.1.1"],
                  expect=("valid",))
    # QK-02: x-min-size of 0, 3, 4 and 5 bytes
    pbase = M.to_frame("b2s", preset(1, 3, 16384, U64MAX), True)
    for n, exp in ((0, "valid"), (3, "valid"), (4, "valid"), (5, "invalid")):
        val = b"" if n == 0 else (16384).to_bytes(n, "big")
        yield Dec("b2s", f"b2s-enable-zstd-preset-min-min-size-{n}bytes",
                  f"ENABLE_ZSTD_PRESET with a {n}-byte x-min-size",
                  pbase.with_value("x-min-size", val).to_bytes(), ["QK-02", "§3.2.7"],
                  expect=(exp,))
    # QK-03: identifiers outside the documented ranges
    for word, ident in (("0", 0), ("65536", 65536), ("max", U64MAX)):
        fr = M.to_frame("b2s", preset(ident, 3, 0, U64MAX), True)
        yield Dec("b2s", f"b2s-enable-zstd-preset-min-id-{word}",
                  f"ENABLE_ZSTD_PRESET with identifier {ident}", fr.to_bytes(),
                  ["QK-03", "§3.2.7", "§7.1"], expect=("implementation-defined",))
    for t, word, ident in (("ENABLE_ZSTD_CUSTOM", "1", 1), ("ENABLE_ZSTD_CUSTOM", "65535", 65535),
                           ("DISABLE_ZSTD_CUSTOM", "0", 0), ("DISABLE_ZSTD_CUSTOM", "2", 2)):
        msg = (custom(ident, 3, 0, 0, b"d") if t == "ENABLE_ZSTD_CUSTOM" else
               m(t, identifier=ident, authorization=None, tracing=b""))
        yield Dec("b2s", f"b2s-{kebab(t)}-min-id-{word}", f"{t} with identifier {ident}",
                  M.to_frame("b2s", msg, True).to_bytes(), ["QK-03", SECTION[t]],
                  expect=("implementation-defined",))
    # QK-04: levels
    for word, val in (("ff", b"\xff"), ("00ff", b"\x00\xff"), ("7fff", b"\x7f\xff"),
                      ("0017", b"\x00\x17"), ("16", b"\x16"), ("empty", b"")):
        yield Dec("b2s", f"b2s-enable-zstd-preset-min-level-{word}",
                  f"ENABLE_ZSTD_PRESET with x-compression-level = {val.hex() or 'empty'}",
                  pbase.with_value("x-compression-level", val).to_bytes(),
                  ["QK-04", "§1.3", "§3.2.7"])
    # QK-05 minimal mode is fine; expanded without x-initial-dict is covered by
    # the derived missing-x-initial-dict vector. Here also with zstd on.
    # QK-13: part 0 payload longer than the total
    for d, t in (("s2b", "NOTIFY_STREAM"), ("b2s", "RECEIVE_STREAM")):
        fr = M.to_frame(d, stream_unc(t, HI, b"hi!"), True)
        yield Dec(d, f"{d}-{kebab(t)}-min-start-overlong",
                  f"{t} part 0 whose chunk (3 bytes) exceeds the declared total (2)",
                  fr.to_bytes(), ["QK-13", SECTION[t]], expect=("implementation-defined",))
        # QK-15: part id 0 forms
        base_fr = M.to_frame(d, stream_unc(t, HI, b"h"), True)
        for word, val in (("empty", b""), ("0000", b"\x00\x00"), ("8zero", bytes(8))):
            yield Dec(d, f"{d}-{kebab(t)}-min-part0-{word}",
                      f"{t} part 0 with x-part-id written as {val.hex() or 'empty'}",
                      base_fr.with_value("x-part-id", val).to_bytes(), ["QK-15", SECTION[t]],
                      expect=("valid",))
        yield Dec(d, f"{d}-{kebab(t)}-min-part0-9zero", f"{t} with a 9-byte x-part-id",
                  base_fr.with_value("x-part-id", bytes(9)).to_bytes(), ["QK-14", SECTION[t]],
                  expect=("invalid",))
        # QK-14: oversized part id and bad authorization together
        yield Dec(d, f"{d}-{kebab(t)}-min-part9-badauth",
                  f"{t}: a 9-byte x-part-id and an authorization that is not UTF-8",
                  base_fr.with_value("x-part-id", bytes(9)).with_value("authorization", b"\xff")
                  .to_bytes(), ["QK-14", SECTION[t]], expect=("invalid",))
        # QK-15: continuation ignores part-0 headers in expanded mode
        cont = M.to_frame(d, stream_cont(t, 3, b"z"), False)
        cont = cont.copy(headers=cont.headers + [(b"x-compressor", bytes(20)),
                                                 (b"x-compressed-sha512", b"short"),
                                                 (b"x-topic", b"ignored")])
        yield Dec(d, f"{d}-{kebab(t)}-exp-continuation-stray-start-headers",
                  f"{t} continuation carrying invalid part-0 headers, which are ignored",
                  cont.to_bytes(), ["QK-15", SECTION[t]], expect=("valid",))
        # uncompressed start whose two lengths differ
        fr = M.to_frame(d, stream_unc(t, HI, b"h"), True)
        yield Dec(d, f"{d}-{kebab(t)}-min-start-lengths-differ",
                  f"{t} uncompressed part 0 with x-decompressed-length 3 != 2",
                  fr.with_value("x-decompressed-length", b"\x03").to_bytes(), [SECTION[t]],
                  expect=("invalid",))
        # continuation in minimal mode: what follows the 4th header is payload
        fr = M.to_frame(d, stream_cont(t, 1, b"\x00\x07foo/bar"), True)
        yield Dec(d, f"{d}-{kebab(t)}-min-continuation-headerlike-payload",
                  f"{t} continuation whose payload looks like more headers",
                  fr.to_bytes(), ["§2.4", SECTION[t]], expect=("valid",))
    # NOTIFY: uncompressed with differing lengths, compressor written empty
    nb = M.to_frame("s2b", notify_unc(HI), True)
    yield Dec("s2b", "s2b-notify-min-uncompressed-lengths-differ",
              "NOTIFY uncompressed with x-decompressed-length 3 != x-compressed-length 2",
              nb.with_value("x-decompressed-length", b"\x03").to_bytes(), ["§3.1.6"],
              expect=("invalid",))
    yield Dec("s2b", "s2b-notify-min-compressor-empty",
              "NOTIFY whose x-compressor is empty: compressor 0, the uncompressed variant",
              nb.with_value("x-compressor", b"").to_bytes(), ["§3.1.6", "QK-16", "QK-18"],
              expect=("valid",))
    yield Dec("s2b", "s2b-notify-min-body-short", "NOTIFY with one body byte missing",
              nb.copy(body=b"h").to_bytes(), ["§3.1.6"], expect=("invalid",))
    # direction matters (QK-22): the same bytes differ by direction
    yield Dec("b2s", "b2s-as-s2b-subscribe-exact-min-basic",
              "the §5.1 SUBSCRIBE_EXACT bytes read as B2S (CONFIRM_SUBSCRIBE_EXACT)",
              bytes.fromhex("0001000200000000000766 6f6f2f626172".replace(" ", "")),
              ["QK-22", "§2.2"])

    # ---- encoder-only cases (§3.3, QK-16, QK-17, QK-19)
    for minimal, mode in ((True, "min"), (False, "exp")):
        yield Enc("s2b", f"s2b-notify-{mode}-enc-compressor-0",
                  "encode a compressed NOTIFY with compressor id 0",
                  notify_cmp(HI, 0, 2), minimal, ["QK-16", "§3.1.6"],
                  expect=("implementation-defined",))
        for d, t in (("s2b", "NOTIFY_STREAM"), ("b2s", "RECEIVE_STREAM")):
            yield Enc(d, f"{d}-{kebab(t)}-{mode}-enc-compressor-0",
                      f"encode a compressed {t} start with compressor id 0",
                      stream_cmp(t, 0, HI, 2, b"h"), minimal, ["QK-16", SECTION[t]],
                      expect=("implementation-defined",))
            yield Enc(d, f"{d}-{kebab(t)}-{mode}-enc-part-0",
                      f"encode a {t} continuation with part id 0",
                      stream_cont(t, 0, b"abc"), minimal, ["QK-17", SECTION[t]],
                      expect=("implementation-defined",))
            yield Enc(d, f"{d}-{kebab(t)}-{mode}-enc-overlong",
                      f"encode a {t} part 0 whose chunk exceeds the declared total",
                      stream_unc(t, HI, b"hi!"), minimal, ["QK-13", "QK-19", SECTION[t]],
                      expect=("implementation-defined",))
    enc_refuse = [
        ("s2b", "notify", "identifier-65", notify_unc(HI, identifier=pattern(65)),
         "a 65-byte identifier", ["QK-19"], "implementation-defined"),
        ("s2b", "notify", "sha-63", notify_unc(HI, verified_uncompressed_sha512=bytes(63)),
         "a 63-byte digest", ["QK-19"], "implementation-defined"),
        ("s2b", "notify", "sha-wrong", notify_unc(HI, verified_uncompressed_sha512=bytes(64)),
         "a digest that is not the SHA-512 of the message", ["QK-19"],
         "implementation-defined"),
        ("s2b", "configure", "nonce-31",
         m("CONFIGURE", subscriber_nonce=bytes(31), enable_zstd=False,
           enable_training=False, initial_dict=0, authorization=None, tracing=b""),
         "a 31-byte subscriber nonce", ["QK-19"], "implementation-defined"),
        ("s2b", "configure", "initial-dict-65536",
         m("CONFIGURE", subscriber_nonce=bytes(32), enable_zstd=False,
           enable_training=False, initial_dict=65536, authorization=None, tracing=b""),
         "initial_dict 65536, which does not fit the fixed 2 bytes", ["QK-19", "§3.3", "§1.1"],
         "invalid"),
        ("s2b", "confirm-receive", "num-subscribers-2pow32",
         m("CONFIRM_RECEIVE", identifier=b"", authorization=None, tracing=b"",
           num_subscribers=1 << 32),
         "num_subscribers 2^32, which does not fit the fixed 4 bytes",
         ["QK-19", "§3.3", "§1.1"],
         "invalid"),
        ("s2b", "continue-receive", "identifier-65",
         m("CONTINUE_RECEIVE", identifier=pattern(65), part_id=1, authorization=None,
           tracing=b""), "a 65-byte identifier", ["QK-19"], "implementation-defined"),
        ("b2s", "confirm-configure", "nonce-33",
         m("CONFIRM_CONFIGURE", broadcaster_nonce=bytes(33), authorization=None,
           tracing=b""), "a 33-byte broadcaster nonce", ["QK-19"],
         "implementation-defined"),
        ("b2s", "enable-zstd-preset", "min-size-2pow32", preset(1, 3, 1 << 32, 0),
         "min_size 2^32, written as 5 bytes", ["QK-19", "§3.2.7"],
         "implementation-defined"),
        ("b2s", "enable-zstd-preset", "max-size-2pow64", preset(1, 3, 0, 1 << 64),
         "max_size 2^64, written as 9 bytes", ["QK-19", "§3.2.7"],
         "implementation-defined"),
        ("b2s", "enable-zstd-preset", "id-0", preset(0, 3, 0, 0),
         "identifier 0", ["QK-03"], "implementation-defined"),
        ("b2s", "enable-zstd-preset", "level-23", preset(1, 23, 0, 0),
         "compression level 23", ["QK-04"], "implementation-defined"),
        ("b2s", "enable-zstd-preset", "level-32768", preset(1, 32768, 0, 0),
         "compression level 32768, outside int16", ["§3.3"], "invalid"),
        ("b2s", "enable-zstd-custom", "sha-wrong",
         custom(65536, 3, 0, 0, b"dict", sha512=bytes(64)),
         "an x-sha512 that is not the SHA-512 of the dictionary", ["QK-12"],
         "implementation-defined"),
        ("b2s", "disable-zstd-custom", "id-1",
         m("DISABLE_ZSTD_CUSTOM", identifier=1, authorization=None, tracing=b""),
         "identifier 1", ["QK-03"], "implementation-defined"),
        ("b2s", "confirm-notify", "subscribers-negative",
         m("CONFIRM_NOTIFY", identifier=b"", subscribers=-1, authorization=None,
           tracing=b""), "a negative subscriber count", ["§3.3"], "invalid"),
        ("s2b", "subscribe-exact", "tracing-65536",
         m("SUBSCRIBE_EXACT", authorization=None, tracing=pattern(65536), topic=b""),
         "65536 bytes of tracing, longer than a header value can be", ["§3.3", "§2.7"],
         "invalid"),
    ]
    for d, tk, word, msg, desc, refs, exp in enc_refuse:
        yield Enc(d, f"{d}-{tk}-min-enc-{word}", f"encode {msg['type']} with {desc}", msg, True,
                  refs + [SECTION[msg["type"]]], expect=(exp,))
