"""Times the Python reference parser (lonelypsp) on the messages the C
benchmark measured, and prints C-vs-Python ratios.

Usage: bench_lonelypsp.py RESULTS.jsonl
"""

import io
import json
import sys
import timeit

from lonelypsp.stateful.parser import B2S_AnyMessageParser, S2B_AnyMessageParser
from lonelypsp.stateful.parser_helpers import parse_b2s_message_prefix, parse_s2b_message_prefix


ROUNDS = 15
NUMBER = 400


def parse_once(direction: str, data: bytes):
    prefix = parse_s2b_message_prefix if direction == "s2b" else parse_b2s_message_prefix
    parser = S2B_AnyMessageParser if direction == "s2b" else B2S_AnyMessageParser

    def once() -> None:
        body = io.BytesIO(data)
        p = prefix(body)
        parser.parse(p.flags, p.type, body)

    return once


def python_parse_ns(rows) -> list:
    """Minimum over interleaved rounds, as the C side measures."""
    fns = [parse_once(r["direction"], bytes.fromhex(r["hex"])) for r in rows]
    best = [float("inf")] * len(fns)
    for _ in range(ROUNDS):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timeit.timeit(fn, number=NUMBER) / NUMBER * 1e9)
    return best


def main() -> int:
    rows = [json.loads(line) for line in open(sys.argv[1])]
    msgs = [r for r in rows if "hex" in r]
    print(f"{'dir':4} {'type (minimal headers)':26} {'C parse ns':>11} {'lonelypsp ns':>13} {'ratio':>8}")
    worst = None
    for row, py in zip(msgs, python_parse_ns(msgs)):
        ratio = py / row["parse_ns"]
        print(f"{row['direction']:4} {row['type']:26} {row['parse_ns']:11.1f} {py:13.0f} {ratio:7.0f}x")
        if row["direction"] == "s2b" and row["type"] == "SUBSCRIBE_EXACT":
            worst = ratio
    tail = rows[-1]
    share = 100.0 * tail["sha512_1mib_ns"] / tail["notify_1mib_parse_ns"]
    print(f"\nbar: minimal SUBSCRIBE_EXACT parse >= 300x faster than lonelypsp: {worst:.0f}x "
          f"({'met' if worst and worst >= 300 else 'NOT met'})")
    print(f"bar: NOTIFY 1 MiB parse >= 90 % of raw SHA-512 throughput: {share:.1f} % "
          f"({'met' if share >= 90 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
