"""Strong etag, spec §9: vectors.

Every vector is a row of a case table (`Row`); `emit` turns one row into a
vector with the etag model (lpsp_conformance.protocol.etag_model). The same
op covers a one-call etag and a streaming builder fed entry by entry.
"""

from collections import namedtuple

from ..protocol.etag_model import etag
from .vec import jdict, judge

URL = "http://127.0.0.1:3002/v1/receive"
RECOVERY = "http://127.0.0.1:3002/v1/recover"


def X(topic, rec=None):
    return {"topic": topic, "recovery": rec}


def G(glob, rec=None):
    return {"glob": glob, "recovery": rec}


CASES = [
    ("empty", "", [], [], True, "no subscriptions, empty url", ["§9.3", "§9.1"]),
    ("example", URL, [X(b"a"), X(b"b/c", RECOVERY)], [G("x/*")], True,
     "the fuller example of §9.3", ["§9.3", "§9.1"]),
    ("empty-recovery", URL, [X(b"a", ""), X(b"b/c", RECOVERY)], [G("x/*", "")], True,
     "empty recoveries give the same etag as missing ones", ["§9.1", "QK-57"]),
    ("markers", "u", [X(b"\nEXACT"), X(b"\nGLOB\n"), X(b"URL")], [], True,
     "topics containing the markers and newlines are not escaped", ["§9.1", "QK-57"]),
    ("binary-topics", "u", [X(b""), X(b"\x00"), X(b"\x00\x00"), X(b"\x7f"), X(b"\xff")], [],
     True, "topics ordered by raw bytes, including the empty topic", ["§9.2"]),
    ("glob-utf8-order", "u", [], [G("Z"), G("a"), G("z"), G("\u00e9"), G("\U0001F642")], True,
     "globs ordered by UTF-8 bytes", ["§9.2"]),
    ("prefix-order", "u", [X(b"a"), X(b"ab")], [G("a"), G("a*")], True,
     "a prefix sorts before its extensions", ["§9.2"]),
    ("unicode-url", "http://h\u00f6st/\u65e5", [X(b"t", "r\u00e9")], [], True,
     "non-ASCII url and recovery are UTF-8 encoded", ["§9.1"]),
    ("unsorted-unchecked", "u", [X(b"b"), X(b"a"), X(b"a")], [G("y"), G("x")], False,
     "without order checking, entries are taken as given (duplicates too)", ["§9.2"]),
    ("unsorted", "u", [X(b"b"), X(b"a")], [], True, "exact entries out of order", ["§9.2"]),
    ("duplicate", "u", [X(b"a"), X(b"a", "r")], [], True,
     "a duplicate exact topic (even with another recovery)", ["§9.2", "QK-57"]),
    ("glob-unsorted", "u", [], [G("\u00e9"), G("z")], True,
     "globs out of UTF-8 byte order", ["§9.2"]),
    ("glob-duplicate", "u", [], [G("x"), G("x")], True, "a duplicate glob", ["§9.2"]),
]


# id, description, spec refs, url (text), exact entries (X), glob entries (G),
# whether order is checked, the verdicts the model must give (None: any)
Row = namedtuple("Row", "vid desc refs url exact glob check_order expect", defaults=(None,))


def emit(col, row, provenance="hand"):
    """Turn one row into an etag vector; the verdict comes from the model."""
    inp = {"url": row.url, "exact": [jdict(e) for e in row.exact],
           "glob": [jdict(g) for g in row.glob], "check_order": row.check_order}
    run = lambda: etag(row.url, row.exact, row.glob, row.check_order)  # noqa: E731
    verdict, kw, refs = judge(run, run, jdict, row.refs)
    if row.expect:
        assert verdict in row.expect, f"{row.vid}: {verdict} {kw}"
    col.add("etag", row.vid, row.desc, refs, "etag", "etag", inp, verdict,
            provenance=provenance, **kw)


def rows():
    return [Row(f"etag-{name}", desc, refs, url, exact, glob, check)
            for name, url, exact, glob, check, desc, refs in CASES]


def run(col):
    for row in rows():
        emit(col, row)
