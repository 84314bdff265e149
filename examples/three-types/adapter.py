#!/usr/bin/env python3
"""A small lonelypsp implementation and its conformance adapter.

It implements decode and encode of three stateful message types, written
from the wire-format specification (spec/PROTOCOL.md §2, §3.1.2, §3.2.2,
§4), and declares exactly those in the handshake:

    stateful:s2b:SUBSCRIBE_EXACT
    stateful:s2b:UNSUBSCRIBE_EXACT
    stateful:b2s:CONFIRM_SUBSCRIBE_EXACT

The runner sends only vectors of these types, plus the decode inputs that
name no valid type of a direction, which every parser of that direction
must reject. Anything else is answered ``unsupported``.

Two environment switches, for demonstrations only:

* ``EXAMPLE_STRICT=1``: reject unknown flag bits (``bad_flags``) and bytes
  after the last header (``trailing_bytes``) instead of ignoring them as the
  reference does (QK-21, QK-11); both are implementation-defined.
* ``EXAMPLE_BUG=topic``: a deliberate bug, decode drops the last byte of
  every topic; the run then fails and names the field (``output.topic``).

Python 3.9+, standard library only. Testee protocol: one JSON object per
line on stdin and stdout (conformance/TESTEE-PROTOCOL.md).
"""

import json
import os
import sys

STRICT = os.environ.get("EXAMPLE_STRICT") == "1"
BUG = os.environ.get("EXAMPLE_BUG", "")

# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------

MINIMAL_HEADERS = 0x0001
MAX_VALUE = 0xFFFF  # a header value's length is a u16
VALID_CODES = {"s2b": range(1, 10), "b2s": range(1, 13)}  # §3.0
# (direction, type code) -> (type name, headers in wire order); for these
# three types the wire order is also the order the checks are made in.
TYPES = {
    ("s2b", 2): ("SUBSCRIBE_EXACT", ("authorization", "x-tracing", "x-topic")),
    ("s2b", 4): ("UNSUBSCRIBE_EXACT", ("authorization", "x-tracing", "x-topic")),
    ("b2s", 2): ("CONFIRM_SUBSCRIBE_EXACT", ("x-topic", "authorization", "x-tracing")),
}
FIELDS = {"authorization": "authorization", "x-tracing": "tracing", "x-topic": "topic"}


class Rejected(Exception):
    """The input is refused; ``error`` is the error class."""

    def __init__(self, error, detail):
        super().__init__(detail)
        self.error = error


class NotImplementedType(Exception):
    """A valid message type that this library does not implement."""


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n, what):
        if self.pos + n > len(self.data):
            raise Rejected("truncated", f"{what}: need {n} bytes at offset {self.pos}, "
                                        f"have {len(self.data) - self.pos}")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def u16(self, what):
        return int.from_bytes(self.take(2, what), "big")

    def value(self, what):
        return self.take(self.u16(f"{what} length"), what)


def parse(direction, data):
    """Decodes one message; returns a dict with type, flags and the fields."""
    r = Reader(data)
    flags, code = r.u16("flags"), r.u16("type")
    if code not in VALID_CODES[direction]:
        raise Rejected("bad_type", f"{code} is not a {direction} message type")
    if (direction, code) not in TYPES:
        raise NotImplementedType(f"{direction} type {code}")
    name, headers = TYPES[direction, code]
    if STRICT and flags & ~MINIMAL_HEADERS:
        raise Rejected("bad_flags", f"unknown flag bits in {flags:#06x}")
    if flags & MINIMAL_HEADERS:  # §2.4: the values only, in the type's order
        found = {h: r.value(h) for h in headers}
    else:  # §2.5: a count, then name/value pairs
        pairs = [(r.value("header name"), r.value("header value")) for _ in range(r.u16("header count"))]
        found = {}
        for raw_name, value in pairs:
            try:
                found[raw_name.decode("ascii").lower()] = value  # last duplicate wins
            except UnicodeDecodeError:
                raise Rejected("bad_header_name", f"header name {raw_name.hex()} is not ASCII") from None
    msg = {"type": name, "flags": flags}
    for h in headers:
        if h not in found:
            raise Rejected("missing_header", f"no {h} header")
        msg[FIELDS[h]] = found[h]
    try:  # §1.5: empty means none, otherwise strict UTF-8
        msg["authorization"] = msg["authorization"].decode("utf-8") or None
    except UnicodeDecodeError:
        raise Rejected("bad_utf8", "authorization must be UTF-8") from None
    if STRICT and r.pos != len(data):  # §2.6: the reference ignores them (QK-11)
        raise Rejected("trailing_bytes", f"{len(data) - r.pos} bytes after the last header")
    return msg


def serialize(direction, minimal, msg):
    """Encodes one message (authorization: str or None; tracing, topic: bytes)."""
    for (d, code), (name, headers) in TYPES.items():
        if d == direction and name == msg["type"]:
            break
    else:
        raise NotImplementedType(f"{direction} {msg['type']}")
    try:
        auth = (msg["authorization"] or "").encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected("invalid_argument", "authorization is not encodable as UTF-8") from None
    values = {"authorization": auth, "x-tracing": msg["tracing"], "x-topic": msg["topic"]}
    out = [(MINIMAL_HEADERS if minimal else 0).to_bytes(2, "big"), code.to_bytes(2, "big")]
    if not minimal:
        out.append(len(headers).to_bytes(2, "big"))
    for h in headers:
        if len(values[h]) > MAX_VALUE:
            raise Rejected("invalid_argument", f"{h}: {len(values[h])} bytes, at most {MAX_VALUE}")
        if not minimal:
            out += [len(h).to_bytes(2, "big"), h.encode("ascii")]
        out += [len(values[h]).to_bytes(2, "big"), values[h]]
    return b"".join(out)


# ---------------------------------------------------------------------------
# The adapter: testee protocol v1 around the library
# ---------------------------------------------------------------------------

CAPABILITIES = ["stateful:s2b:SUBSCRIBE_EXACT", "stateful:s2b:UNSUBSCRIBE_EXACT",
                "stateful:b2s:CONFIRM_SUBSCRIBE_EXACT"]


def decode(inp):
    msg = parse(inp["direction"], bytes.fromhex(inp["hex"]))
    if BUG == "topic":
        msg["topic"] = msg["topic"][:-1]
    return {k: v.hex() if isinstance(v, bytes) else v for k, v in msg.items()}


def encode(inp):
    m = dict(inp["message"])
    m["tracing"], m["topic"] = bytes.fromhex(m["tracing"]), bytes.fromhex(m["topic"])
    return {"hex": serialize(inp["direction"], inp["minimal_headers"], m).hex()}


OPS = {"decode": decode, "encode": encode}


def answer(req):
    op, inp = req.get("op"), req.get("input") or {}
    if op == "hello":
        return {"status": "ok", "output": {"name": "three-types-example", "version": "1.0.0",
                                           "protocol": 1, "features": CAPABILITIES}}
    if op not in OPS or inp.get("direction") not in VALID_CODES:
        return {"status": "unsupported", "detail": f"{op} is not implemented"}
    try:
        return {"status": "ok", "output": OPS[op](inp)}
    except Rejected as e:
        return {"status": "rejected", "error": e.error, "detail": str(e)}
    except NotImplementedType as e:
        return {"status": "unsupported", "detail": f"not implemented: {e}"}
    except Exception as e:  # a bug or a malformed request: refuse, do not crash
        return {"status": "rejected", "error": "invalid_value", "detail": repr(e)}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        resp = answer(req)
        resp["id"] = req.get("id")
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
