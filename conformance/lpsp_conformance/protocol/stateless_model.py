"""Stateless (HTTP) bodies, spec §8: the bodies, builder and model parser.

The parsing rules are those of the reference routes (§8.2, §8.3) as chosen
for the strict codec: NOTIFY and RECEIVE need their exact length, other
bodies ignore trailing bytes (QK-47), SET_SUBSCRIPTIONS needs format 0,
strictly ascending entries and the right strong etag. The only parser where
the reference differs is the client's RESPONSE_CHECK_SUBSCRIPTIONS (QK-51).
"""

from .etag_model import document
from .prim import Reader, Reject, sha512, utf8

REQUESTS = ("NOTIFY", "SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB", "UNSUBSCRIBE_EXACT",
            "UNSUBSCRIBE_GLOB", "CHECK_SUBSCRIPTIONS", "SET_SUBSCRIPTIONS", "RECEIVE", "MISSED")
RESPONSE_TYPE = {"RESPONSE_GENERIC": 3, "RESPONSE_NOTIFY": 4, "RESPONSE_CHECK_SUBSCRIPTIONS": 5,
                 "RESPONSE_CONFIRM_RECEIVE": 8, "RESPONSE_CONFIRM_MISSED": 9,
                 "RESPONSE_UNSUBSCRIBE_IMMEDIATE": 10}
SECTION = {"NOTIFY": "§8.2.1", "SUBSCRIBE_EXACT": "§8.2.2", "SUBSCRIBE_GLOB": "§8.2.2",
           "UNSUBSCRIBE_EXACT": "§8.2.3", "UNSUBSCRIBE_GLOB": "§8.2.3",
           "CHECK_SUBSCRIPTIONS": "§8.2.4", "SET_SUBSCRIPTIONS": "§8.2.5", "RECEIVE": "§8.2.6",
           "MISSED": "§8.2.7", "RESPONSE_GENERIC": "§8.3.5", "RESPONSE_NOTIFY": "§8.3.1",
           "RESPONSE_CHECK_SUBSCRIPTIONS": "§8.3.2", "RESPONSE_CONFIRM_RECEIVE": "§8.3.3",
           "RESPONSE_CONFIRM_MISSED": "§8.3.4", "RESPONSE_UNSUBSCRIBE_IMMEDIATE": "§8.4"}
# Every body in the order of §8, requests then responses (the codec's
# lpsp_sl_body numbers them from 1 in this order).
BODIES = REQUESTS + tuple(RESPONSE_TYPE)


# -------------------------------------------------------------------- builder


class Parts:
    """A body as a list of parts; to_bytes also reports every length/count
    field (offset, width, value, label)."""

    def __init__(self):
        self.parts = []

    def lv(self, width, value, label):
        self.parts.append(("lv", width, value, label))
        return self

    def num(self, width, value, label):
        self.parts.append(("num", width, value, label))
        return self

    def raw(self, value, label):
        self.parts.append(("raw", 0, value, label))
        return self

    def to_bytes(self):
        out, fields = bytearray(), []
        for kind, width, value, label in self.parts:
            if kind == "lv":
                if len(value) >= 1 << (8 * width):
                    raise Reject("invalid_argument", f"{label} longer than its length prefix")
                fields.append((len(out), width, len(value), label))
                out += len(value).to_bytes(width, "big") + value
            elif kind == "num":
                if not 0 <= value < 1 << (8 * width):
                    raise Reject("invalid_argument", f"{label} does not fit {width} bytes")
                fields.append((len(out), width, value, label))
                out += value.to_bytes(width, "big")
            else:
                out += value
        return bytes(out), fields


def _t(s):
    return b"" if s is None else s.encode("utf-8")


def parts_of(m):
    b = m["body"]
    p = Parts()
    if b in RESPONSE_TYPE:
        p.num(2, RESPONSE_TYPE[b], "type")
        if b == "RESPONSE_UNSUBSCRIBE_IMMEDIATE":
            return p
        p.lv(2, _t(m["authorization"]), "authorization").lv(2, m["tracing"], "tracing")
        if b == "RESPONSE_NOTIFY":
            p.num(4, m["subscribers"], "subscribers").lv(1, m["identifier"], "identifier")
        elif b == "RESPONSE_CHECK_SUBSCRIPTIONS":
            p.num(1, m["etag_format"], "format").raw(m["etag"], "etag")
        elif b == "RESPONSE_CONFIRM_RECEIVE":
            p.lv(1, m["identifier"], "identifier").num(4, m["num_subscribers"], "num-subscribers")
        return p
    if b == "NOTIFY":
        p.lv(2, m["topic"], "topic").raw(m["sha512"], "sha512").lv(2, m["tracing"], "tracing")
        p.lv(1, m["identifier"], "identifier").lv(8, m["message"], "message")
    elif b in ("SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB"):
        p.lv(2, _t(m["url"]), "url")
        p.lv(2, m["topic"] if b == "SUBSCRIBE_EXACT" else _t(m["glob"]), "topic")
        p.lv(2, _t(m["recovery"]), "recovery").lv(2, m["tracing"], "tracing")
    elif b in ("UNSUBSCRIBE_EXACT", "UNSUBSCRIBE_GLOB"):
        p.lv(2, _t(m["url"]), "url")
        p.lv(2, m["topic"] if b == "UNSUBSCRIBE_EXACT" else _t(m["glob"]), "topic")
        p.lv(2, m["tracing"], "tracing")
    elif b == "CHECK_SUBSCRIPTIONS":
        p.lv(2, m["tracing"], "tracing").lv(2, _t(m["url"]), "url")
    elif b == "SET_SUBSCRIPTIONS":
        p.lv(2, m["tracing"], "tracing").lv(2, _t(m["url"]), "url")
        p.num(1, m["etag_format"], "format").raw(m["etag"], "etag")
        p.num(4, len(m["exact"]), "exact-count")
        for i, e in enumerate(m["exact"]):
            p.lv(2, e["topic"], f"exact{i}-topic").lv(2, _t(e["recovery"]), f"exact{i}-recovery")
        p.num(4, len(m["glob"]), "glob-count")
        for i, e in enumerate(m["glob"]):
            p.lv(2, _t(e["glob"]), f"glob{i}-glob").lv(2, _t(e["recovery"]), f"glob{i}-recovery")
    elif b == "RECEIVE":
        p.lv(2, m["tracing"], "tracing").lv(2, m["topic"], "topic")
        p.lv(1, m["identifier"], "identifier").lv(8, m["message"], "message")
    elif b == "MISSED":
        p.lv(2, m["tracing"], "tracing").lv(2, m["topic"], "topic")
    else:
        raise AssertionError(b)
    return p


def encode_reference(m):
    """The write sequence of the reference client/server (§8.5)."""
    return parts_of(m).to_bytes()[0]


def encode_strict(m):
    """Refuses what the strict parser would reject or read differently."""
    data = encode_reference(m)
    try:
        back = decode(m["body"], data, strict=True)
    except Reject as e:
        raise Reject("invalid_argument", f"the parser rejects the output ({e.cls})")
    if _norm(back) != _norm(m):
        raise Reject("invalid_argument", "the parser reads the output differently")
    return data


def _norm(m):
    out = {}
    for k, v in m.items():
        if k in ("recovery", "authorization") and v == "":
            v = None
        if k in ("exact", "glob") and isinstance(v, list):
            v = [_norm(e) for e in v]
        out[k] = v
    return out


# --------------------------------------------------------------------- parser


def _lv(r, width, what):
    n = r.int(width, what + " length")
    return r.take(n, what)


def _opt_text(b, what):
    return None if not b else utf8(b, what)


def decode(body, data, strict=True):
    r = Reader(data)
    out = {"body": body}
    if body in RESPONSE_TYPE:
        t = r.int(2, "type")
        if body == "RESPONSE_CONFIRM_RECEIVE" and t == 10:
            return {"body": "RESPONSE_UNSUBSCRIBE_IMMEDIATE"}
        if t != RESPONSE_TYPE[body]:
            raise Reject("bad_type", f"type {t}")
        if body == "RESPONSE_UNSUBSCRIBE_IMMEDIATE":
            return out
        if body == "RESPONSE_CHECK_SUBSCRIPTIONS" and not strict:
            # QK-51: the client reads A, T, format and etag with non-exact reads
            def soft(n):
                b = r.data[r.pos:r.pos + n]
                r.pos += len(b)
                return b
            a = int.from_bytes(soft(2), "big")
            out["authorization"] = _opt_text(soft(a), "authorization")
            tl = int.from_bytes(soft(2), "big")
            out["tracing"] = soft(tl)
            fmt = soft(1)
            if fmt != b"\x00":
                raise Reject("invalid_value", "format")
            out["etag_format"] = 0
            out["etag"] = soft(64)
            return out
        out["authorization"] = _opt_text(_lv(r, 2, "authorization"), "authorization")
        out["tracing"] = _lv(r, 2, "tracing")
        if body == "RESPONSE_NOTIFY":
            out["subscribers"] = r.int(4, "subscribers")
            out["identifier"] = _lv(r, 1, "identifier")
        elif body == "RESPONSE_CHECK_SUBSCRIPTIONS":
            fmt = r.int(1, "format")
            if fmt != 0:
                raise Reject("invalid_value", "etag format must be 0")
            out["etag_format"] = fmt
            out["etag"] = r.take(64, "etag")
        elif body == "RESPONSE_CONFIRM_RECEIVE":
            out["identifier"] = _lv(r, 1, "identifier")
            out["num_subscribers"] = r.int(4, "num_subscribers")
        return out  # trailing bytes of responses are ignored
    if body in ("NOTIFY", "RECEIVE"):
        if body == "NOTIFY":
            out["topic"] = _lv(r, 2, "topic")
            out["sha512"] = r.take(64, "sha512")
            out["tracing"] = _lv(r, 2, "tracing")
        else:
            out["tracing"] = _lv(r, 2, "tracing")
            out["topic"] = _lv(r, 2, "topic")
        out["identifier"] = _lv(r, 1, "identifier")
        m = r.int(8, "message length")
        rest = r.rest()
        if len(rest) < m:
            raise Reject("truncated", "message shorter than its length")
        if len(rest) > m:
            raise Reject("length_mismatch", "bytes after the message")
        if body == "NOTIFY" and sha512(rest) != out["sha512"]:
            raise Reject("hash_mismatch", "SHA-512 of the message")
        out["message"] = rest
        return out
    if body in ("SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB", "UNSUBSCRIBE_EXACT", "UNSUBSCRIBE_GLOB"):
        out["url"] = utf8(_lv(r, 2, "url"), "url")
        v = _lv(r, 2, "topic")
        if body.endswith("GLOB"):
            out["glob"] = utf8(v, "glob")
        else:
            out["topic"] = v
        if body.startswith("SUBSCRIBE"):
            out["recovery"] = _opt_text(_lv(r, 2, "recovery"), "recovery")
        out["tracing"] = _lv(r, 2, "tracing")
        return out
    if body == "CHECK_SUBSCRIPTIONS":
        out["tracing"] = _lv(r, 2, "tracing")
        out["url"] = utf8(_lv(r, 2, "url"), "url")
        return out
    if body == "MISSED":
        out["tracing"] = _lv(r, 2, "tracing")
        out["topic"] = _lv(r, 2, "topic")
        return out
    if body == "SET_SUBSCRIPTIONS":
        out["tracing"] = _lv(r, 2, "tracing")
        out["url"] = utf8(_lv(r, 2, "url"), "url")
        fmt = r.int(1, "format")
        if fmt != 0:
            raise Reject("invalid_value", "etag format must be 0")
        out["etag_format"] = fmt
        out["etag"] = r.take(64, "etag")
        lists = {}
        for kind in ("exact", "glob"):
            n = r.int(4, f"{kind} count")
            entries, prev = [], None
            for _ in range(n):
                key = _lv(r, 2, kind)
                rec = _opt_text(_lv(r, 2, "recovery"), "recovery")
                if kind == "glob":
                    utf8(key, "glob")
                if prev is not None and key <= prev:
                    raise Reject("out_of_order", f"{kind} entries not strictly ascending")
                prev = key
                entries.append({"topic": key, "recovery": rec} if kind == "exact"
                               else {"glob": key.decode("utf-8"), "recovery": rec})
            lists[kind] = entries
        out["exact"], out["glob"] = lists["exact"], lists["glob"]
        doc = document(out["url"], out["exact"], out["glob"], check_order=True)
        if sha512(doc) != out["etag"]:
            raise Reject("hash_mismatch", "etag differs from the strong etag of the entries")
        return out
    raise AssertionError(body)
