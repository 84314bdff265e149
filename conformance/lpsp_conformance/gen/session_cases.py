"""Session vectors, spec §6.1-§6.2: connection nonce and websocket URLs."""

from ..protocol.prim import pattern
from ..protocol.session_model import connection_nonce, ws_url, ws_url_parse
from .vec import judge

NONCE_B64 = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="


def run(col):
    def add(vid, desc, refs, op, inp, r, s, expect=None):
        verdict, kw, refs = judge(r, s, lambda x: x, refs)
        if expect:
            assert verdict in expect, f"{vid}: {verdict} {kw}"
        col.add("session", vid, desc, refs, "session", op, inp, verdict, **kw)

    for name, sn, bn, refs in (("example", bytes(range(32)), bytes(range(32, 64)),
                                ["§6.1", "QK-25"]),
                               ("zeros", bytes(32), bytes(32), ["§6.1"]),
                               ("pattern", pattern(32, 1), pattern(32, 2), ["§6.1", "QK-25"]),
                               ("short", bytes(31), bytes(32), ["§6.1", "§3.1.1"])):
        add(f"session-nonce-{name}", f"connection nonce ({name})", refs, "connection_nonce",
            {"subscriber_nonce": sn.hex(), "broadcaster_nonce": bn.hex()},
            lambda s=sn, b=bn: connection_nonce(s, b, False),
            lambda s=sn, b=bn: connection_nonce(s, b, True))
    for c in (1, 10, 16, 255, -1, -10, -26, 0, (1 << 63) - 1, -(1 << 63), 1 << 63, -(1 << 64)):
        name = ("m" + str(-c)) if c < 0 else str(c)
        refs = ["§6.2"] + (["QK-26"] if abs(c) >= 1 << 62 else [])
        add(f"session-ws-url-{name}", f"websocket URL for counter {c}", refs, "ws_url",
            {"nonce_b64": NONCE_B64, "counter": str(c)},
            lambda c=c: ws_url(NONCE_B64, c, False), lambda c=c: ws_url(NONCE_B64, c, True))
    for name, url in (("example", f"websocket:{NONCE_B64}:-1"),
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
                      ("no-separator", f"websocket:{NONCE_B64}")):
        add(f"session-ws-url-parse-{name}", f"parse the websocket URL {url!r}", ["§6.2"],
            "ws_url_parse", {"url": url}, lambda u=url: ws_url_parse(u),
            lambda u=url: ws_url_parse(u))
