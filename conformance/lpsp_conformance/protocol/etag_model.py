"""Strong etag, spec §9: the document of a subscription set and its SHA-512."""

from .prim import Reject, sha512, u16


def _t(s):
    return b"" if s is None else s.encode("utf-8")


def document(url, exact, glob, check_order=True):
    out = bytearray(b"URL" + u16(len(_t(url))) + _t(url) + b"\nEXACT")
    prev = None
    for e in exact:
        if check_order and prev is not None and e["topic"] <= prev:
            raise Reject("out_of_order", "exact entries not strictly ascending")
        prev = e["topic"]
        out += u16(len(e["topic"])) + e["topic"] + u16(len(_t(e["recovery"]))) + _t(e["recovery"])
    out += b"\nGLOB"
    prev = None
    for e in glob:
        g = _t(e["glob"])
        if check_order and prev is not None and g <= prev:
            raise Reject("out_of_order", "glob entries not strictly ascending")
        prev = g
        out += u16(len(g)) + g + u16(len(_t(e["recovery"]))) + _t(e["recovery"])
    out += b"\n"
    return bytes(out)


def etag(url, exact, glob, check_order=True):
    doc = document(url, exact, glob, check_order)
    return {"document": doc, "etag": sha512(doc)}
