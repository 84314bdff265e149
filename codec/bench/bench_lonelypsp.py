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


def python_parse_ns(direction: str, data: bytes) -> float:
    prefix = parse_s2b_message_prefix if direction == "s2b" else parse_b2s_message_prefix
    parser = S2B_AnyMessageParser if direction == "s2b" else B2S_AnyMessageParser

    def once() -> None:
        body = io.BytesIO(data)
        p = prefix(body)
        parser.parse(p.flags, p.type, body)

    number = 2000
    best = min(timeit.repeat(once, number=number, repeat=5))
    return best / number * 1e9


def main() -> int:
    rows = [json.loads(line) for line in open(sys.argv[1])]
    print(f"{'dir':4} {'type (minimal headers)':26} {'C parse ns':>11} {'lonelypsp ns':>13} {'ratio':>8}")
    worst = None
    for row in rows:
        if "hex" not in row:
            continue
        py = python_parse_ns(row["direction"], bytes.fromhex(row["hex"]))
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
