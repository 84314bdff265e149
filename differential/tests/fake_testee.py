#!/usr/bin/env python3
"""A fake testee-protocol adapter for the differential self-tests.

    fake_testee.py MODE

Answers `decode` without parsing anything, by MODE:
  accept        ok, output {"type": "SUBSCRIBE_EXACT", "flags": 1, "topic": <the hex>}
  accept-other  ok, output as accept but with another topic
  reject        rejected, class truncated, an lpsp-style detail
  trailing      rejected, class trailing_bytes (the QK-11 signature)
  crash         exits on the first decode
`encode` answers with the hex of the message's "topic" field.

The text and computed ops of the testee protocol (py_int, hmac_parse_token,
etag, ...):
  accept, accept-other   ok, output {"value": "0"} (accept-other: "1")
  reject, trailing       rejected, class invalid_value
  py-int-ascii           py_int by the ASCII int() grammar within int64 (a
                         strict codec); other ops unsupported
  py-int-python          py_int by Python int() (the reference)
"""
import json
import re
import sys

MODE = sys.argv[1]


def answer(req):
    if req["op"] == "hello":
        return {"status": "ok", "output": {"name": f"fake-{MODE}", "version": "0", "protocol": 1,
                                           "features": ["stateful", "hmac", "bearer", "etag", "session"]}}
    if req["op"] == "encode":
        return {"status": "ok", "output": {"hex": req["input"]["message"].get("topic", "")}}
    if req["op"] != "decode":
        return op_answer(req["op"], req["input"])
    h = req["input"]["hex"]
    if MODE == "accept":
        return {"status": "ok", "output": {"type": "SUBSCRIBE_EXACT", "flags": 1, "topic": h}}
    if MODE == "accept-other":
        return {"status": "ok", "output": {"type": "SUBSCRIBE_EXACT", "flags": 1, "topic": h + "00"}}
    if MODE == "reject":
        return {"status": "rejected", "error": "truncated", "detail": "x-topic: header value cut short (offset 10)"}
    if MODE == "trailing":
        return {"status": "rejected", "error": "trailing_bytes",
                "detail": "payload: bytes after the last header of a message without body (offset 17)"}
    if MODE == "crash":
        sys.exit(3)
    raise SystemExit(f"unknown mode {MODE}")


def op_answer(op, inp):
    if MODE in ("accept", "accept-other"):
        return {"status": "ok", "output": {"value": "1" if MODE == "accept-other" else "0"}}
    if MODE in ("reject", "trailing"):
        return {"status": "rejected", "error": "invalid_value", "detail": "integer: not a decimal digit (offset 0)"}
    if MODE == "crash":
        sys.exit(3)
    if op != "py_int":
        return {"status": "unsupported", "detail": op}
    t = inp["text"]
    if MODE == "py-int-python":
        try:
            return {"status": "ok", "output": {"value": str(int(t))}}
        except ValueError:
            return {"status": "rejected", "error": "invalid_value", "detail": "ValueError"}
    if MODE == "py-int-ascii":
        if not re.fullmatch(r"[ \t\n\v\f\r]*[+-]?[0-9]+(_[0-9]+)*[ \t\n\v\f\r]*", t):
            return {"status": "rejected", "error": "invalid_value", "detail": "integer: not ASCII"}
        v = int(t)
        if not -(1 << 63) <= v < 1 << 63:
            return {"status": "rejected", "error": "overflow", "detail": "outside int64"}
        return {"status": "ok", "output": {"value": str(v)}}
    raise SystemExit(f"unknown mode {MODE}")


for line in sys.stdin:
    req = json.loads(line)
    resp = answer(req)
    resp["id"] = req["id"]
    sys.stdout.write(json.dumps(resp) + "\n")
    sys.stdout.flush()
