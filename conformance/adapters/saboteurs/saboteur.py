#!/usr/bin/env python3
"""Saboteur adapters for the runner's self-test (testee protocol v1).

    saboteur.py MODE [--after N] [--every K] [--vectors DIR] [--features F,..] [--log FILE]
                [-- INNER ADAPTER COMMAND ...]

Without an inner command the answers come from a "fake correct" adapter: it
looks each request up in the vector files of DIR (by op and input) and answers
what the vector expects (the strict outcome for implementation-defined
vectors). With an inner command it proxies a real adapter. MODE then corrupts
the answers:

  honest       no sabotage (the fake correct adapter itself)
  wrong-bytes  alters one byte (or character) of every ok output
  accept-all   answers every request ok (rejections become ok with {})
  reject-all   rejects every request with invalid_value
  wrong-class  answers every rejection with error class "overflow"
  refuse       answers every request unsupported
  crash        exits (status 3) on the request after N answered ones
  hang         stops answering after N answered ones (keeps running)
  garbage      every K-th request gets a line that is not JSON
  wrong-id     every K-th request gets a response with another id
  bad-hello    answers the handshake with protocol version 99
  die          exits at once without a handshake
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional

MODES = ("honest", "wrong-bytes", "accept-all", "reject-all", "wrong-class", "refuse", "crash", "hang",
         "garbage", "wrong-id", "bad-hello", "die")
ALL_FEATURES = ["stateful", "stateless", "etag", "hmac", "bearer", "session"]
DEFAULT_VECTORS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "vectors"


def _key(op: Any, inp: Any) -> str:
    return json.dumps([op, inp], sort_keys=True, separators=(",", ":"))


class Fake:
    """Answers vectors from their own expectations."""

    def __init__(self, vdir: Path, features):
        self.table: Dict[str, Dict[str, Any]] = {}
        for p in sorted(vdir.glob("*.json")):
            for v in json.loads(p.read_text(encoding="utf-8"))["vectors"]:
                self.table[_key(v.get("op"), v.get("input"))] = v
        self.features = features

    def hello(self) -> Dict[str, Any]:
        return {"status": "ok", "output": {"name": "fake-correct", "version": "1", "protocol": 1,
                                           "features": self.features}}

    def answer(self, req: Dict[str, Any]) -> Dict[str, Any]:
        v = self.table.get(_key(req.get("op"), req.get("input")))
        if v is None:
            return {"status": "unsupported", "detail": "no vector with this input"}
        if v["verdict"] == "valid":
            return {"status": "ok", "output": v["expected"]}
        if v["verdict"] == "invalid":
            return {"status": "rejected", "error": v["errors"][0], "detail": "as the vector says"}
        strict = v["outcomes"]["strict"]
        if "accept" in strict:
            return {"status": "ok", "output": strict["accept"]}
        return {"status": "rejected", "error": strict["reject"][0], "detail": "strict outcome"}


class Proxy:
    """Forwards requests to a real adapter."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def _ask(self, req):
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        line = self.p.stdout.readline()
        if not line:
            sys.exit(4)
        resp = json.loads(line)
        resp.pop("id", None)
        return resp

    def hello(self):
        return self._ask({"id": 0, "op": "hello", "protocol": 1})

    def answer(self, req):
        return self._ask(req)


def corrupt(value: Any) -> Any:
    """Changes exactly one leaf of an output: one byte of the first string."""
    if isinstance(value, dict):
        for k in sorted(value):
            changed = corrupt(value[k])
            if changed is not _NOTHING:
                return {**value, k: changed}
        return _NOTHING
    if isinstance(value, list):
        for i, x in enumerate(value):
            changed = corrupt(x)
            if changed is not _NOTHING:
                return value[:i] + [changed] + value[i + 1:]
        return _NOTHING
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        if value and all(c in "0123456789abcdef" for c in value) and len(value) % 2 == 0:
            return "%02x" % (int(value[:2], 16) ^ 0x01) + value[2:]
        if value:
            return value[:-1] + ("A" if value[-1] != "A" else "B")
        return "00"
    if value is None:
        return "00"
    return _NOTHING


_NOTHING = object()


def main() -> int:
    argv = sys.argv[1:]
    inner = None
    if "--" in argv:
        i = argv.index("--")
        argv, inner = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=MODES)
    ap.add_argument("--after", type=int, default=5)
    ap.add_argument("--every", type=int, default=4)
    ap.add_argument("--vectors", default=str(DEFAULT_VECTORS))
    ap.add_argument("--features", default=",".join(ALL_FEATURES))
    ap.add_argument("--log", default=None, help="append the vector id of every request to FILE")
    a = ap.parse_args(argv)
    if a.mode == "die":
        print("saboteur: dying before the handshake", file=sys.stderr)
        return 1
    features = [f for f in a.features.split(",") if f]
    impl = Proxy(inner) if inner else Fake(Path(a.vectors), features)
    out = sys.stdout
    answered = 0
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("op") == "hello":
            resp = impl.hello()
            if a.mode == "bad-hello":
                resp["output"]["protocol"] = 99
            resp["id"] = req["id"]
            out.write(json.dumps(resp) + "\n")
            out.flush()
            continue
        n = answered + 1
        if a.log:
            with open(a.log, "a", encoding="utf-8") as f:
                f.write(f"{req.get('vector', '')}\n")
        if a.mode == "crash" and answered >= a.after:
            print(f"saboteur: crashing on request {n}", file=sys.stderr)
            os._exit(3)
        if a.mode == "hang" and answered >= a.after:
            print(f"saboteur: hanging on request {n}", file=sys.stderr)
            sys.stderr.flush()
            while True:
                time.sleep(3600)
        resp = impl.answer(req)
        if a.mode == "wrong-bytes" and resp.get("status") == "ok":
            changed = corrupt(resp.get("output"))
            resp["output"] = {"x": "00"} if changed is _NOTHING else changed
        elif a.mode == "accept-all" and resp.get("status") != "ok":
            resp = {"status": "ok", "output": {}}
        elif a.mode == "reject-all":
            resp = {"status": "rejected", "error": "invalid_value", "detail": "saboteur rejects everything"}
        elif a.mode == "wrong-class" and resp.get("status") == "rejected":
            resp["error"] = "overflow"
        elif a.mode == "refuse":
            resp = {"status": "unsupported", "detail": "saboteur supports nothing"}
        resp["id"] = req["id"]
        if a.mode == "wrong-id" and n % a.every == 0:
            resp["id"] = req["id"] + 1000
        if a.mode == "garbage" and n % a.every == 0:
            out.write("this is not json\n")
        else:
            out.write(json.dumps(resp) + "\n")
        out.flush()
        answered += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
