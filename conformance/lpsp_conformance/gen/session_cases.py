"""Session vectors, spec §6.1-§6.2: connection nonce and websocket URLs.

Every vector is a row of a case table (`Row`); `emit` turns one row into a
vector with the session model (lpsp_conformance.protocol.session_model).
"""

from collections import namedtuple

from ..protocol.prim import pattern
from ..protocol.session_model import connection_nonce, ws_url, ws_url_parse
from .vec import jdict, judge

NONCE_B64 = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="

# id, description, spec refs, op, the op's input as model values, the
# verdicts the model must give (None: any)
Row = namedtuple("Row", "vid desc refs op args expect", defaults=(None,))

# op -> model run(args, strict)
OPS = {
    "connection_nonce": lambda a, s: connection_nonce(a["subscriber_nonce"],
                                                      a["broadcaster_nonce"], s),
    "ws_url": lambda a, s: ws_url(a["nonce_b64"], a["counter"], s),
    "ws_url_parse": lambda a, s: ws_url_parse(a["url"]),
}


def emit(col, row, provenance="hand"):
    """Turn one row into a session vector; the verdict comes from the model."""
    run = OPS[row.op]
    verdict, kw, refs = judge(lambda: run(row.args, False), lambda: run(row.args, True),
                              lambda x: x, row.refs)
    if row.expect:
        assert verdict in row.expect, f"{row.vid}: {verdict} {kw}"
    col.add("session", row.vid, row.desc, refs, "session", row.op, jdict(row.args), verdict,
            provenance=provenance, **kw)


# connection nonces: (name, subscriber nonce, broadcaster nonce, refs)
NONCES = [
    ("example", bytes(range(32)), bytes(range(32, 64)), ["§6.1", "QK-25"]),
    ("zeros", bytes(32), bytes(32), ["§6.1"]),
    ("pattern", pattern(32, 1), pattern(32, 2), ["§6.1", "QK-25"]),
    ("short", bytes(31), bytes(32), ["§6.1", "§3.1.1"]),
]

# websocket URL counters
COUNTERS = [1, 10, 16, 255, -1, -10, -26, 0, (1 << 63) - 1, -(1 << 63), 1 << 63, -(1 << 64)]

# websocket URLs to parse: (name, url)
URLS = [
    ("example", f"websocket:{NONCE_B64}:-1"),
    ("positive", f"websocket:{NONCE_B64}:1a"),
    ("zero", f"websocket:{NONCE_B64}:0"),
    ("int64-min", f"websocket:{NONCE_B64}:-8000000000000000"),
    ("overflow", f"websocket:{NONCE_B64}:8000000000000000"),
    ("no-prefix", f"ws:{NONCE_B64}:1"),
    ("urlsafe", "websocket:" + NONCE_B64.replace("/", "_").replace("+", "-") + ":1"),
    ("unpadded", f"websocket:{NONCE_B64[:-1]}:1"),
    ("uppercase", f"websocket:{NONCE_B64}:1A"),
    ("leading-zero", f"websocket:{NONCE_B64}:01"),
    ("minus-zero", f"websocket:{NONCE_B64}:-0"),
    ("no-counter", f"websocket:{NONCE_B64}:"),
    ("no-separator", f"websocket:{NONCE_B64}"),
]


def counter_name(c):
    return ("m" + str(-c)) if c < 0 else str(c)


def rows():
    """Every session row, in publication order."""
    out = [Row(f"session-nonce-{name}", f"connection nonce ({name})", refs, "connection_nonce",
               {"subscriber_nonce": sn, "broadcaster_nonce": bn})
           for name, sn, bn, refs in NONCES]
    out += [Row(f"session-ws-url-{counter_name(c)}", f"websocket URL for counter {c}",
                ["§6.2"] + (["QK-26"] if abs(c) >= 1 << 62 else []), "ws_url",
                {"nonce_b64": NONCE_B64, "counter": c})
            for c in COUNTERS]
    out += [Row(f"session-ws-url-parse-{name}", f"parse the websocket URL {url!r}", ["§6.2"],
                "ws_url_parse", {"url": url}) for name, url in URLS]
    return out


def run(col):
    for row in rows():
        emit(col, row)
