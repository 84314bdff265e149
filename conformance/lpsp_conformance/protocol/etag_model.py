"""Strong etag, spec §9: the document of a subscription set and its SHA-512."""

from .prim import Reject, sha512, u16


def _t(s):
    return b"" if s is None else s.encode("utf-8")


def _sized(b, field):
    """u16 length prefix, then the bytes; a value the prefix cannot hold is
    refused as the serializers refuse one (invalid_argument)."""
    if len(b) > 0xFFFF:
        raise Reject("invalid_argument", f"{field} longer than 65535 bytes")
    return u16(len(b)) + b


def document(url, exact, glob, check_order=True):
    out = bytearray(b"URL" + _sized(_t(url), "url") + b"\nEXACT")
    prev = None
    for e in exact:
        if check_order and prev is not None and e["topic"] <= prev:
            raise Reject("out_of_order", "exact entries not strictly ascending")
        prev = e["topic"]
        out += _sized(e["topic"], "topic") + _sized(_t(e["recovery"]), "recovery")
    out += b"\nGLOB"
    prev = None
    for e in glob:
        g = _t(e["glob"])
        if check_order and prev is not None and g <= prev:
            raise Reject("out_of_order", "glob entries not strictly ascending")
        prev = g
        out += _sized(g, "glob") + _sized(_t(e["recovery"]), "recovery")
    out += b"\n"
    return bytes(out)


def etag(url, exact, glob, check_order=True):
    doc = document(url, exact, glob, check_order)
    return {"document": doc, "etag": sha512(doc)}
