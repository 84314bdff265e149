"""Strong etag, spec §9: vectors."""

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


def run(col):
    for name, url, exact, glob, check, desc, refs in CASES:
        inp = {"url": url, "exact": [jdict(e) for e in exact], "glob": [jdict(g) for g in glob],
               "check_order": check}
        verdict, kw, refs = judge(lambda: etag(url, exact, glob, check),
                                  lambda: etag(url, exact, glob, check), jdict, refs)
        col.add("etag", f"etag-{name}", desc, refs, "etag", "etag", inp, verdict, **kw)
