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
"""
import json
import sys

MODE = sys.argv[1]


def answer(req):
    if req["op"] == "hello":
        return {"status": "ok", "output": {"name": f"fake-{MODE}", "version": "0", "protocol": 1,
                                           "features": ["stateful"]}}
    if req["op"] == "encode":
        return {"status": "ok", "output": {"hex": req["input"]["message"].get("topic", "")}}
    if req["op"] != "decode":
        return {"status": "unsupported", "detail": req["op"]}
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


for line in sys.stdin:
    req = json.loads(line)
    resp = answer(req)
    resp["id"] = req["id"]
    sys.stdout.write(json.dumps(resp) + "\n")
    sys.stdout.flush()
