"""Where each header of a stateful message lies, for failure reports.

A lenient walk of spec §2.2-§2.6 over the bytes of one message: the prefix,
then the minimal-mode values in the type's fixed order (§2.4, with the
NOTIFY_STREAM / RECEIVE_STREAM part-0 rule of §3.1.7) or the expanded-mode
name/value pairs (§2.5), then the body. It never raises: a region that runs
past the end is cut at the end, and an unknown type stops after the prefix.
Used to say which header or field a first differing byte falls in.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .protocol.stateful_model import HEADERS, STREAM_START, TYPE_NAMES

Region = Tuple[str, int, int]  # (name, start, end): bytes [start, end)

_STREAMS = ("NOTIFY_STREAM", "RECEIVE_STREAM")


def _u16(b: bytes, i: int) -> Optional[int]:
    return (b[i] << 8) | b[i + 1] if i + 2 <= len(b) else None


def regions(direction: str, data: bytes) -> List[Region]:
    """The named byte ranges of a stateful message, in order."""
    out: List[Region] = []
    n = len(data)
    out.append(("flags", 0, min(2, n)))
    if n < 4:
        if n > 2:
            out.append(("type", 2, n))
        return out
    out.append(("type", 2, 4))
    mtype = TYPE_NAMES.get(direction, {}).get(_u16(data, 2) or 0)
    if mtype is None:
        return out
    minimal = bool(data[1] & 1)
    i = 4

    def value(name: str) -> bytes:
        nonlocal i
        ln = _u16(data, i)
        if ln is None:
            out.append((f"{name} length", i, n))
            i = n
            return b""
        out.append((f"{name} length", i, i + 2))
        start, end = i + 2, min(i + 2 + ln, n)
        out.append((name, start, end))
        i = end
        return data[start:end]

    if minimal:
        names = list(HEADERS.get((direction, mtype), ()))
        for k, name in enumerate(names):
            if i >= n:
                break
            v = value(name)
            if mtype in _STREAMS and name == "x-part-id" and k == len(names) - 1 \
                    and int.from_bytes(v, "big") == 0 and len(v) <= 8:
                names.extend(STREAM_START)
    else:
        count = _u16(data, i)
        if count is None:
            out.append(("header count", i, n))
            return out
        out.append(("header count", i, i + 2))
        i += 2
        for _ in range(count):
            if i >= n:
                break
            ln = _u16(data, i)
            if ln is None:
                out.append(("header name length", i, n))
                return out
            name = data[i + 2:i + 2 + ln].decode("ascii", "replace").lower()
            out.append((f"name of {name!r}", i, min(i + 2 + ln, n)))
            i = min(i + 2 + ln, n)
            value(name)
    if i < n:
        out.append(("body or trailing bytes", i, n))
    return out


def locate(direction: str, data: bytes, offset: int) -> str:
    """The region holding byte `offset`, e.g. "x-topic (bytes 10..17)"."""
    for name, start, end in regions(direction, data):
        if start <= offset < end:
            return f"{name} (bytes {start}..{end - 1})"
    return f"past the end of the expected {len(data)} byte(s)" if offset >= len(data) else "?"


def field_region(direction: str, data: bytes, field: str) -> Optional[str]:
    """The bytes of the header carrying a decoded field (``topic`` -> x-topic)."""
    want = field if field in ("authorization", "flags", "type") else "x-" + field.replace("_", "-")
    for name, start, end in regions(direction, data):
        if name == want:
            return f"{name} (input bytes {start}..{end - 1})" if end > start else f"{name} (empty, at byte {start})"
    if field in ("body", "data", "payload"):
        for name, start, end in regions(direction, data):
            if name.startswith("body"):
                return f"body (input bytes {start}..{end - 1})"
    return None


def first_difference(expected: bytes, actual: bytes) -> Optional[int]:
    """Offset of the first differing byte (a length difference counts at the shorter end)."""
    for k, (a, b) in enumerate(zip(expected, actual)):
        if a != b:
            return k
    if len(expected) != len(actual):
        return min(len(expected), len(actual))
    return None
