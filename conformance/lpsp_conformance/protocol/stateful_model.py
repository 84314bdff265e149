"""Stateful (websocket) messages, spec §2-§4: builder and model decoders.

The tables: type numbers, the minimal-mode header order of every type, the
stream-start headers, integer widths, output field order and the spec
section of every type. `encode_reference` reproduces the reference
serializers' byte output (§3, QK-18) and their failures (§3.3). `decode` is a
model parser with two personalities: `strict=False` follows the reference
behaviour described in §2-§4, `strict=True` follows the strict choices of
codec/docs/QUIRKS.md. The vector generator runs every derived input through
both to decide its verdict.
"""

from .prim import Reader, Reject, mu, s16, sha512, u16

S2B_TYPES = {
    "CONFIGURE": 1, "SUBSCRIBE_EXACT": 2, "SUBSCRIBE_GLOB": 3,
    "UNSUBSCRIBE_EXACT": 4, "UNSUBSCRIBE_GLOB": 5, "NOTIFY": 6,
    "NOTIFY_STREAM": 7, "CONTINUE_RECEIVE": 8, "CONFIRM_RECEIVE": 9,
}
B2S_TYPES = {
    "CONFIRM_CONFIGURE": 1, "CONFIRM_SUBSCRIBE_EXACT": 2,
    "CONFIRM_SUBSCRIBE_GLOB": 3, "CONFIRM_UNSUBSCRIBE_EXACT": 4,
    "CONFIRM_UNSUBSCRIBE_GLOB": 5, "CONFIRM_NOTIFY": 6, "CONTINUE_NOTIFY": 7,
    "RECEIVE_STREAM": 8, "ENABLE_ZSTD_PRESET": 9, "ENABLE_ZSTD_CUSTOM": 10,
    "DISABLE_ZSTD_CUSTOM": 11, "MISSED": 12,
}
TYPES = {"s2b": S2B_TYPES, "b2s": B2S_TYPES}
TYPE_NAMES = {d: {v: k for k, v in t.items()} for d, t in TYPES.items()}

STREAM_BASIC = ("authorization", "x-tracing", "x-identifier", "x-part-id")
STREAM_START = ("x-topic", "x-compressor", "x-compressed-length",
                "x-decompressed-length", "x-compressed-sha512")

# Minimal-mode header order of each type (§3); the stream types list only
# the four always-present headers here.
HEADERS = {
    ("s2b", "CONFIGURE"): ("x-subscriber-nonce", "x-enable-zstd", "x-enable-training",
                           "x-initial-dict", "authorization", "x-tracing"),
    ("s2b", "SUBSCRIBE_EXACT"): ("authorization", "x-tracing", "x-topic"),
    ("s2b", "UNSUBSCRIBE_EXACT"): ("authorization", "x-tracing", "x-topic"),
    ("s2b", "SUBSCRIBE_GLOB"): ("authorization", "x-tracing", "x-glob"),
    ("s2b", "UNSUBSCRIBE_GLOB"): ("authorization", "x-tracing", "x-glob"),
    ("s2b", "NOTIFY"): ("authorization", "x-tracing", "x-identifier", "x-topic",
                        "x-compressor", "x-compressed-length", "x-decompressed-length",
                        "x-compressed-sha512"),
    ("s2b", "NOTIFY_STREAM"): STREAM_BASIC,
    ("s2b", "CONTINUE_RECEIVE"): ("x-identifier", "x-part-id", "authorization", "x-tracing"),
    ("s2b", "CONFIRM_RECEIVE"): ("x-identifier", "authorization", "x-tracing",
                                 "x-num-subscribers"),
    ("b2s", "CONFIRM_CONFIGURE"): ("x-broadcaster-nonce", "authorization", "x-tracing"),
    ("b2s", "CONFIRM_SUBSCRIBE_EXACT"): ("x-topic", "authorization", "x-tracing"),
    ("b2s", "CONFIRM_UNSUBSCRIBE_EXACT"): ("x-topic", "authorization", "x-tracing"),
    ("b2s", "CONFIRM_SUBSCRIBE_GLOB"): ("x-glob", "authorization", "x-tracing"),
    ("b2s", "CONFIRM_UNSUBSCRIBE_GLOB"): ("x-glob", "authorization", "x-tracing"),
    ("b2s", "CONFIRM_NOTIFY"): ("x-identifier", "x-subscribers", "authorization", "x-tracing"),
    ("b2s", "CONTINUE_NOTIFY"): ("x-identifier", "x-part-id", "authorization", "x-tracing"),
    ("b2s", "RECEIVE_STREAM"): STREAM_BASIC,
    ("b2s", "ENABLE_ZSTD_PRESET"): ("x-identifier", "x-compression-level", "x-min-size",
                                    "x-max-size", "authorization", "x-tracing"),
    ("b2s", "ENABLE_ZSTD_CUSTOM"): ("x-identifier", "x-compression-level", "x-min-size",
                                    "x-max-size", "authorization", "x-tracing", "x-sha512"),
    ("b2s", "DISABLE_ZSTD_CUSTOM"): ("x-identifier", "authorization", "x-tracing"),
    ("b2s", "MISSED"): ("authorization", "x-tracing", "x-topic"),
}

STREAM_TYPES = ("NOTIFY_STREAM", "RECEIVE_STREAM")


def _header_names():
    names = []
    for direction, types in TYPES.items():
        for t in sorted(types, key=types.get):
            for name in HEADERS[(direction, t)] + (STREAM_START if t in STREAM_TYPES else ()):
                if name not in names:
                    names.append(name)
    return tuple(names)


# Every header name of the stateful messages (§2.7), in order of first use
# (S2B then B2S, by type number).
HEADER_NAMES = _header_names()

# The section of §3 that defines each type, and the sections of the two
# framing modes (minimal: True).
SECTION = {
    "CONFIGURE": "§3.1.1", "SUBSCRIBE_EXACT": "§3.1.2", "UNSUBSCRIBE_EXACT": "§3.1.2",
    "SUBSCRIBE_GLOB": "§3.1.3", "UNSUBSCRIBE_GLOB": "§3.1.3", "CONTINUE_RECEIVE": "§3.1.4",
    "CONFIRM_RECEIVE": "§3.1.5", "NOTIFY": "§3.1.6", "NOTIFY_STREAM": "§3.1.7",
    "CONFIRM_CONFIGURE": "§3.2.1", "CONFIRM_SUBSCRIBE_EXACT": "§3.2.2",
    "CONFIRM_UNSUBSCRIBE_EXACT": "§3.2.2", "CONFIRM_SUBSCRIBE_GLOB": "§3.2.3",
    "CONFIRM_UNSUBSCRIBE_GLOB": "§3.2.3", "CONFIRM_NOTIFY": "§3.2.4",
    "CONTINUE_NOTIFY": "§3.2.5", "RECEIVE_STREAM": "§3.2.6", "ENABLE_ZSTD_PRESET": "§3.2.7",
    "ENABLE_ZSTD_CUSTOM": "§3.2.8", "DISABLE_ZSTD_CUSTOM": "§3.2.9", "MISSED": "§3.2.10",
}
MODE_SECTION = {True: "§2.4", False: "§2.5"}

BODY_TYPES = ("NOTIFY", "NOTIFY_STREAM", "RECEIVE_STREAM", "ENABLE_ZSTD_CUSTOM")
ZSTD_TYPES = ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM")

# Integer headers and the most bytes the parser accepts (§1.2, §1.3, §3).
INT_WIDTH = {
    "x-initial-dict": 2, "x-part-id": 8, "x-compressor": 8,
    "x-compressed-length": 8, "x-decompressed-length": 8,
    "x-num-subscribers": 4, "x-subscribers": 8, "x-compression-level": 2,
    "x-min-size": 4, "x-max-size": 8,
}
# x-identifier is an integer header only in the ZSTD messages.
ZSTD_ID_WIDTH = 8
FIXED_SIZE = {"x-subscriber-nonce": 32, "x-broadcaster-nonce": 32,
              "x-compressed-sha512": 64, "x-sha512": 64}
IDENTIFIER_MAX = 64
UTF8_HEADERS = ("authorization", "x-glob")

# Output field order of every variant (the reference dataclass order, FORMAT.md).
FIELDS = {
    ("s2b", "CONFIGURE"): ("subscriber_nonce", "enable_zstd", "enable_training",
                           "initial_dict", "authorization", "tracing"),
    ("s2b", "SUBSCRIBE_EXACT"): ("authorization", "tracing", "topic"),
    ("s2b", "UNSUBSCRIBE_EXACT"): ("authorization", "tracing", "topic"),
    ("s2b", "SUBSCRIBE_GLOB"): ("authorization", "tracing", "glob"),
    ("s2b", "UNSUBSCRIBE_GLOB"): ("authorization", "tracing", "glob"),
    ("s2b", "NOTIFY", "uncompressed"): ("authorization", "tracing", "identifier",
                                        "compressor_id", "topic",
                                        "verified_uncompressed_sha512", "uncompressed_message"),
    ("s2b", "NOTIFY", "compressed"): ("authorization", "tracing", "identifier",
                                      "compressor_id", "topic", "verified_compressed_sha512",
                                      "compressed_message", "decompressed_length"),
    ("stream", "start-uncompressed"): ("authorization", "tracing", "identifier", "part_id",
                                       "topic", "compressor_id", "uncompressed_length",
                                       "unverified_uncompressed_sha512", "payload"),
    ("stream", "start-compressed"): ("authorization", "tracing", "identifier", "part_id",
                                     "topic", "compressor_id", "compressed_length",
                                     "decompressed_length", "unverified_compressed_sha512",
                                     "payload"),
    ("stream", "continuation"): ("authorization", "tracing", "identifier", "part_id",
                                 "payload"),
    ("s2b", "CONTINUE_RECEIVE"): ("identifier", "part_id", "authorization", "tracing"),
    ("s2b", "CONFIRM_RECEIVE"): ("identifier", "authorization", "tracing", "num_subscribers"),
    ("b2s", "CONFIRM_CONFIGURE"): ("broadcaster_nonce", "authorization", "tracing"),
    ("b2s", "CONFIRM_SUBSCRIBE_EXACT"): ("topic", "authorization", "tracing"),
    ("b2s", "CONFIRM_UNSUBSCRIBE_EXACT"): ("topic", "authorization", "tracing"),
    ("b2s", "CONFIRM_SUBSCRIBE_GLOB"): ("glob", "authorization", "tracing"),
    ("b2s", "CONFIRM_UNSUBSCRIBE_GLOB"): ("glob", "authorization", "tracing"),
    ("b2s", "CONFIRM_NOTIFY"): ("identifier", "subscribers", "authorization", "tracing"),
    ("b2s", "CONTINUE_NOTIFY"): ("identifier", "part_id", "authorization", "tracing"),
    ("b2s", "ENABLE_ZSTD_PRESET"): ("identifier", "compression_level", "min_size",
                                    "max_size", "authorization", "tracing"),
    ("b2s", "ENABLE_ZSTD_CUSTOM"): ("identifier", "compression_level", "min_size",
                                    "max_size", "dictionary", "authorization", "tracing",
                                    "sha512"),
    ("b2s", "DISABLE_ZSTD_CUSTOM"): ("identifier", "authorization", "tracing"),
    ("b2s", "MISSED"): ("authorization", "tracing", "topic"),
}


def variant_of(direction, msg):
    t = msg["type"]
    if t == "NOTIFY":
        return "uncompressed" if msg["compressor_id"] is None else "compressed"
    if t in STREAM_TYPES:
        if msg["part_id"] is not None:
            return "continuation"
        return "start-uncompressed" if msg["compressor_id"] is None else "start-compressed"
    return None


def fields_of(direction, msg):
    t = msg["type"]
    v = variant_of(direction, msg)
    if t in STREAM_TYPES:
        return FIELDS[("stream", v)]
    if v:
        return FIELDS[(direction, t, v)]
    return FIELDS[(direction, t)]


# --------------------------------------------------------------------------
# framing


class Frame:
    """A structured stateful message: prefix, ordered headers and body.

    `count` overrides the expanded-mode header count written on the wire.
    `to_bytes` also records where each u16 length field sits, for the
    length ±1 mutations.
    """

    def __init__(self, flags, type_value, headers, body=b"", minimal=True, count=None,
                 trailing=b""):
        self.flags = flags
        self.type_value = type_value
        self.headers = [(n if isinstance(n, bytes) else n.encode("ascii"), v)
                        for n, v in headers]
        self.body = body
        self.minimal = minimal
        self.count = count
        self.trailing = trailing

    def copy(self, **kw):
        f = Frame(self.flags, self.type_value, list(self.headers), self.body, self.minimal,
                  self.count, self.trailing)
        for k, v in kw.items():
            setattr(f, k, v)
        return f

    def to_bytes_and_lengths(self):
        out = bytearray(u16(self.flags) + u16(self.type_value))
        lengths = []  # (offset, value, label)
        if self.minimal:
            for name, value in self.headers:
                lengths.append((len(out), len(value), name.decode("latin-1")))
                out += u16(len(value)) + value
        else:
            n = len(self.headers) if self.count is None else self.count
            lengths.append((len(out), n, "count"))
            out += u16(n)
            for name, value in self.headers:
                lengths.append((len(out), len(name), name.decode("latin-1") + "-name"))
                out += u16(len(name)) + name
                lengths.append((len(out), len(value), name.decode("latin-1")))
                out += u16(len(value)) + value
        out += self.body + self.trailing
        return bytes(out), lengths

    def to_bytes(self):
        return self.to_bytes_and_lengths()[0]

    def header_index(self, name):
        name = name.encode("ascii") if isinstance(name, str) else name
        for i, (n, _v) in enumerate(self.headers):
            if n == name:
                return i
        raise KeyError(name)

    def with_value(self, name, value):
        f = self.copy()
        i = f.header_index(name)
        f.headers[i] = (f.headers[i][0], value)
        return f


# --------------------------------------------------------------------------
# serializer (reference byte output, §3 "Serializer writes")


def _auth_bytes(a):
    return b"" if a is None else a.encode("utf-8")


def _fixed(n, width):
    if n < 0 or n >= 1 << (8 * width):
        raise Reject("invalid_argument", "fixed-width overflow")
    return n.to_bytes(width, "big")


def _mu(n):
    if n < 0:
        raise Reject("invalid_argument", "negative")
    return mu(n)


def header_values(direction, msg):
    """(header list, body) as the reference serializer writes them."""
    t = msg["type"]
    g = msg.get
    auth = _auth_bytes(g("authorization"))
    if t == "CONFIGURE":
        hv = [msg["subscriber_nonce"], b"\x01" if msg["enable_zstd"] else b"\x00",
              b"\x01" if msg["enable_training"] else b"\x00",
              _fixed(msg["initial_dict"], 2), auth, msg["tracing"]]
        body = b""
    elif t in ("SUBSCRIBE_EXACT", "UNSUBSCRIBE_EXACT", "MISSED"):
        hv = [auth, msg["tracing"], msg["topic"]]
        body = b""
    elif t in ("SUBSCRIBE_GLOB", "UNSUBSCRIBE_GLOB"):
        hv = [auth, msg["tracing"], msg["glob"].encode("utf-8")]
        body = b""
    elif t == "NOTIFY":
        if msg["compressor_id"] is None:
            body = msg["uncompressed_message"]
            hv = [auth, msg["tracing"], msg["identifier"], msg["topic"], b"\x00",
                  _mu(len(body)), _mu(len(body)), msg["verified_uncompressed_sha512"]]
        else:
            body = msg["compressed_message"]
            hv = [auth, msg["tracing"], msg["identifier"], msg["topic"],
                  _mu(msg["compressor_id"]), _mu(len(body)), _mu(msg["decompressed_length"]),
                  msg["verified_compressed_sha512"]]
    elif t in STREAM_TYPES:
        body = msg["payload"]
        if msg["part_id"] is not None:
            hv = [auth, msg["tracing"], msg["identifier"], _mu(msg["part_id"])]
        elif msg["compressor_id"] is None:
            hv = [auth, msg["tracing"], msg["identifier"], b"\x00", msg["topic"], b"\x00",
                  _mu(msg["uncompressed_length"]), _mu(msg["uncompressed_length"]),
                  msg["unverified_uncompressed_sha512"]]
        else:
            hv = [auth, msg["tracing"], msg["identifier"], b"\x00", msg["topic"],
                  _mu(msg["compressor_id"]), _mu(msg["compressed_length"]),
                  _mu(msg["decompressed_length"]), msg["unverified_compressed_sha512"]]
    elif t in ("CONTINUE_RECEIVE", "CONTINUE_NOTIFY"):
        hv = [msg["identifier"], _mu(msg["part_id"]), auth, msg["tracing"]]
        body = b""
    elif t == "CONFIRM_RECEIVE":
        hv = [msg["identifier"], auth, msg["tracing"], _fixed(msg["num_subscribers"], 4)]
        body = b""
    elif t == "CONFIRM_CONFIGURE":
        hv = [msg["broadcaster_nonce"], auth, msg["tracing"]]
        body = b""
    elif t in ("CONFIRM_SUBSCRIBE_EXACT", "CONFIRM_UNSUBSCRIBE_EXACT"):
        hv = [msg["topic"], auth, msg["tracing"]]
        body = b""
    elif t in ("CONFIRM_SUBSCRIBE_GLOB", "CONFIRM_UNSUBSCRIBE_GLOB"):
        hv = [msg["glob"].encode("utf-8"), auth, msg["tracing"]]
        body = b""
    elif t == "CONFIRM_NOTIFY":
        hv = [msg["identifier"], _mu(msg["subscribers"]), auth, msg["tracing"]]
        body = b""
    elif t in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM"):
        lvl = msg["compression_level"]
        if not -32768 <= lvl <= 32767:
            raise Reject("invalid_argument", "level outside int16")
        hv = [_mu(msg["identifier"]), s16(lvl), _mu(msg["min_size"]), _mu(msg["max_size"]),
              auth, msg["tracing"]]
        body = b""
        if t == "ENABLE_ZSTD_CUSTOM":
            hv.append(msg["sha512"])
            body = msg["dictionary"]
    elif t == "DISABLE_ZSTD_CUSTOM":
        hv = [_mu(msg["identifier"]), auth, msg["tracing"]]
        body = b""
    else:
        raise AssertionError(t)
    names = HEADERS[(direction, t)]
    if t in STREAM_TYPES and len(hv) == 9:
        names = STREAM_BASIC + STREAM_START
    for v in hv:
        if len(v) > 65535:
            raise Reject("invalid_argument", "header value longer than 65535 bytes")
    return list(zip(names, hv)), body


def to_frame(direction, msg, minimal):
    headers, body = header_values(direction, msg)
    return Frame(1 if minimal else 0, TYPES[direction][msg["type"]], headers, body, minimal)


def encode_reference(direction, msg, minimal):
    """Bytes the reference serializer writes, or Reject(invalid_argument)."""
    return to_frame(direction, msg, minimal).to_bytes()


def _normalize(msg):
    m = dict(msg)
    m.pop("flags", None)
    if m.get("authorization") == "":
        m["authorization"] = None
    return m


def encode_strict(direction, msg, minimal):
    """The strict serializer (QUIRKS.md): refuses every message that its own
    strict parser would reject or read back differently."""
    data = encode_reference(direction, msg, minimal)
    try:
        back = decode(direction, data, strict=True)
    except Reject as e:
        raise Reject("invalid_argument", f"strict parser rejects the output ({e.cls})")
    if _normalize(back) != _normalize(msg):
        raise Reject("invalid_argument", "strict parser reads the output differently")
    return data


# --------------------------------------------------------------------------
# model decoder


def _read_minimal(r, n, into, names):
    for name in names[:n]:
        ln = r.int(2, name + " length")
        into[name] = r.take(ln, name)


def _read_expanded(r):
    n = r.int(2, "header count")
    pairs = []
    for _ in range(n):
        m = r.int(2, "name length")
        name = r.take(m, "name")
        ln = r.int(2, "value length")
        pairs.append((name, r.take(ln, "value")))
    out = {}
    for name, value in pairs:
        if any(b >= 0x80 for b in name):
            raise Reject("bad_header_name", repr(name))
        out[name.decode("ascii").translate(_LOWER)] = value
    return out


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class _H:
    def __init__(self, d):
        self.d = d

    def __call__(self, name):
        if name not in self.d:
            raise Reject("missing_header", name)
        return self.d[name]

    def has(self, name):
        return name in self.d


def _uint(v, width, name):
    if len(v) > width:
        raise Reject("field_size", f"{name} longer than {width} bytes")
    return int.from_bytes(v, "big")


def _sint2(v, name):
    if len(v) > 2:
        raise Reject("field_size", f"{name} longer than 2 bytes")
    return int.from_bytes(v, "big", signed=True) if v else 0


def _auth(h):
    v = h("authorization")
    if not v:
        return None
    try:
        return v.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("bad_utf8", "authorization must be a utf-8 string")


def _glob(h):
    try:
        return h("x-glob").decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("bad_utf8", "x-glob")


def _ident(h):
    v = h("x-identifier")
    if len(v) > IDENTIFIER_MAX:
        raise Reject("field_size", "x-identifier longer than 64 bytes")
    return v


def _exact(h, name, size):
    v = h(name)
    if len(v) != size:
        raise Reject("field_size", f"{name} must be {size} bytes")
    return v


def decode(direction, data, strict=False):
    """Model parser. Returns the output dict (type, flags, fields) or raises
    Reject with the error class."""
    r = Reader(data)
    flags = r.int(2, "flags")
    tv = r.int(2, "type")
    t = TYPE_NAMES[direction].get(tv)
    if t is None:
        raise Reject("bad_type", f"type {tv}")
    if strict and flags & ~1 & 0xFFFF:
        raise Reject("bad_flags", f"QK-21: unknown flag bits in {flags:#06x}")
    minimal = bool(flags & 1)
    names = HEADERS[(direction, t)]
    if minimal:
        d = {}
        _read_minimal(r, len(names), d, names)
        if t in STREAM_TYPES:
            pid = d["x-part-id"]
            if len(pid) > 8:  # QK-14: before the authorization check
                raise Reject("field_size", "x-part-id longer than 8 bytes")
            if int.from_bytes(pid, "big") == 0:
                _read_minimal(r, 5, d, STREAM_START)
    else:
        d = _read_expanded(r)
    h = _H(d)
    out = {"type": t, "flags": flags}
    has_body = t in BODY_TYPES

    if t == "CONFIGURE":
        out["subscriber_nonce"] = _exact(h, "x-subscriber-nonce", 32)
        for hn, fn in (("x-enable-zstd", "enable_zstd"), ("x-enable-training", "enable_training")):
            v = h(hn)
            if strict and v not in (b"\x00", b"\x01"):
                raise Reject("invalid_value", f"QK-06: {hn} must be 00 or 01")
            out[fn] = v == b"\x01"
        if h.has("x-initial-dict"):
            out["initial_dict"] = _uint(h("x-initial-dict"), 2, "x-initial-dict")
        elif strict:
            raise Reject("missing_header", "QK-05: x-initial-dict is required")
        else:
            out["initial_dict"] = 48  # QK-05: default is the byte "0"
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t in ("SUBSCRIBE_EXACT", "UNSUBSCRIBE_EXACT", "MISSED"):
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
        out["topic"] = h("x-topic")
    elif t in ("SUBSCRIBE_GLOB", "UNSUBSCRIBE_GLOB"):
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
        out["glob"] = _glob(h)
    elif t == "NOTIFY":
        auth = _auth(h)
        tracing = h("x-tracing")
        ident = _ident(h)
        topic = h("x-topic")
        comp = _uint(h("x-compressor"), 8, "x-compressor")
        clen = _uint(h("x-compressed-length"), 8, "x-compressed-length")
        dlen = _uint(h("x-decompressed-length"), 8, "x-decompressed-length")
        digest = _exact(h, "x-compressed-sha512", 64)
        body = r.rest()
        if len(body) < clen:
            raise Reject("length_mismatch", "body shorter than x-compressed-length (truncated)")
        if len(body) > clen:
            raise Reject("length_mismatch", "body longer than x-compressed-length")
        if sha512(body) != digest:
            raise Reject("hash_mismatch", "x-compressed-sha512")
        out.update(authorization=auth, tracing=tracing, identifier=ident)
        if comp == 0:
            if dlen != clen:
                raise Reject("length_mismatch", "x-decompressed-length != x-compressed-length")
            out.update(compressor_id=None, topic=topic, verified_uncompressed_sha512=digest,
                       uncompressed_message=body)
        else:
            out.update(compressor_id=comp, topic=topic, verified_compressed_sha512=digest,
                       compressed_message=body, decompressed_length=dlen)
    elif t in STREAM_TYPES:
        auth = _auth(h)
        tracing = h("x-tracing")
        ident = _ident(h)
        part = _uint(h("x-part-id"), 8, "x-part-id")
        out.update(authorization=auth, tracing=tracing, identifier=ident)
        if part > 0:
            out.update(part_id=part, payload=r.rest())
        else:
            topic = h("x-topic")
            comp = _uint(h("x-compressor"), 8, "x-compressor")
            clen = _uint(h("x-compressed-length"), 8, "x-compressed-length")
            dlen = _uint(h("x-decompressed-length"), 8, "x-decompressed-length")
            digest = _exact(h, "x-compressed-sha512", 64)
            payload = r.rest()
            if comp == 0:
                if clen != dlen:
                    raise Reject("length_mismatch",
                                 "x-compressed-length != x-decompressed-length")
                out.update(part_id=None, topic=topic, compressor_id=None,
                           uncompressed_length=clen, unverified_uncompressed_sha512=digest,
                           payload=payload)
            else:
                out.update(part_id=None, topic=topic, compressor_id=comp,
                           compressed_length=clen, decompressed_length=dlen,
                           unverified_compressed_sha512=digest, payload=payload)
            if strict and len(payload) > clen:  # QK-13
                raise Reject("length_mismatch", "QK-13: part 0 payload longer than the declared total")
    elif t in ("CONTINUE_RECEIVE", "CONTINUE_NOTIFY"):
        out["identifier"] = _ident(h)
        out["part_id"] = _uint(h("x-part-id"), 8, "x-part-id")
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t == "CONFIRM_RECEIVE":
        out["identifier"] = _ident(h)
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
        out["num_subscribers"] = _uint(h("x-num-subscribers"), 4, "x-num-subscribers")
    elif t == "CONFIRM_CONFIGURE":
        out["broadcaster_nonce"] = _exact(h, "x-broadcaster-nonce", 32)
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t in ("CONFIRM_SUBSCRIBE_EXACT", "CONFIRM_UNSUBSCRIBE_EXACT"):
        out["topic"] = h("x-topic")
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t in ("CONFIRM_SUBSCRIBE_GLOB", "CONFIRM_UNSUBSCRIBE_GLOB"):
        out["glob"] = _glob(h)
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t == "CONFIRM_NOTIFY":
        out["identifier"] = _ident(h)
        out["subscribers"] = _uint(h("x-subscribers"), 8, "x-subscribers")
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
    elif t in ZSTD_TYPES:
        ident = _uint(h("x-identifier"), ZSTD_ID_WIDTH, "x-identifier")
        if strict:  # QK-03
            if t == "ENABLE_ZSTD_PRESET" and not 1 <= ident <= 65535:
                raise Reject("invalid_value", "QK-03: preset identifier outside 1..65535")
            if t != "ENABLE_ZSTD_PRESET" and ident < 65536:
                raise Reject("invalid_value", "QK-03: custom dictionary identifier below 65536")
        out["identifier"] = ident
        if t != "DISABLE_ZSTD_CUSTOM":
            lvl = _sint2(h("x-compression-level"), "x-compression-level")
            if strict and lvl > 22:  # QK-04
                raise Reject("invalid_value", "QK-04: compression level above 22")
            out["compression_level"] = lvl
            out["min_size"] = _uint(h("x-min-size"), 4, "x-min-size")
            out["max_size"] = _uint(h("x-max-size"), 8, "x-max-size")
            if t == "ENABLE_ZSTD_CUSTOM":
                out["dictionary"] = r.rest()
        out["authorization"] = _auth(h)
        out["tracing"] = h("x-tracing")
        if t == "ENABLE_ZSTD_CUSTOM":
            out["sha512"] = _exact(h, "x-sha512", 64)
            if strict and sha512(out["dictionary"]) != out["sha512"]:  # QK-12
                raise Reject("hash_mismatch", "QK-12: x-sha512 differs from SHA-512(dictionary)")
    else:
        raise AssertionError(t)

    if not has_body and strict and r.remaining():  # QK-11
        raise Reject("trailing_bytes", f"QK-11: {r.remaining()} bytes after the last header")
    return out


def outcome(direction, data, strict):
    try:
        return ("accept", decode(direction, data, strict))
    except Reject as e:
        return ("reject", e.cls)
