#!/usr/bin/env python3
"""Turn a minimised crash or oracle-disagreement input into a conformance
case definition with provenance "fuzz", and keep it as a regression input.

    .venv/bin/python fuzz/crash_to_vector.py --target TARGET [--note TEXT] [--replay BIN] FILE

Writes
  fuzz/found/<id>.json            the case definition (below)
  fuzz/regressions/<target>/<sha1>  the raw input, replayed by `make fuzz-replay`

The case definition carries the input only, in the vector format of
vectors/FORMAT.md (id, description, refs, provenance "fuzz", feature, op,
input), plus "area", "found_by" (the target) and "note" (the oracle message).
It deliberately has no verdict or expected output: expected outputs must not
come from the codec under test, so the vector generator computes them from
its own spec model when it reads fuzz/found/*.json.

The input is first decoded from the target's encoding (fuzz/make_corpus.py,
lpsp_conformance.fuzz_targets): typed stateful targets get their 4-byte
prefix back. With --replay (default:
build/fuzz/replay/<target> when it exists) the input is replayed to record
the oracle or sanitizer message as the note.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

from lpsp_conformance.fuzz_targets import load_targets, typed_message
from lpsp_conformance.protocol.stateful_model import SECTION, TYPE_NAMES
from lpsp_conformance.protocol.stateless_model import BODIES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def utf8(data, what):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SystemExit("crash_to_vector: %s is not UTF-8 text; the vector format carries text "
                         "for this operation, so keep it as a regression input only" % what)


def other_case(target, data):
    """(area, feature, op, input, refs) for the non-stateful targets."""
    name = target.name
    if target.source == "fuzz_stateless.c":
        body = BODIES[target.type - 1]  # target.type is the codec's lpsp_sl_body
        return "stateless", "stateless", "stateless_decode", {"body": body, "hex": data.hex()}, ["§8"]
    if name == "subs_iter":
        return ("stateless", "stateless", "stateless_decode",
                {"body": "SET_SUBSCRIPTIONS", "hex": data.hex()}, ["§8.2.5"])
    if name == "repr_digest":
        return "stateless", "stateless", "repr_digest_parse", {"header": utf8(data, "header")}, ["§8.2.6"]
    if name == "py_int":
        return "auth", "hmac", "py_int", {"text": utf8(data, "text")}, ["§10.4.3"]
    if name == "b64_lenient":
        return "auth", "hmac", "base64_lenient", {"text": utf8(data, "text")}, ["§10.4.4"]
    if name == "hmac_secret":
        return "auth", "hmac", "hmac_secret_decode", {"secret": utf8(data, "secret")}, ["§10.3.1"]
    if name == "hmac_token" and data:
        lifetime = "18446744073709551615" if data[0] & 1 else str(data[0] * 1000)
        return ("auth", "hmac", "hmac_parse_token",
                {"authorization": utf8(data[1:], "authorization"), "now": "1700000000",
                 "lifetime": lifetime}, ["§10.4.1"])
    if name == "bearer":
        tok, _, auth = data.partition(b"\x00") if b"\x00" in data else (data[:len(data) // 2], b"", data[len(data) // 2:])
        return ("auth", "bearer", "bearer_check",
                {"token": utf8(tok, "token"), "authorization": utf8(auth, "authorization")}, ["§10.2"])
    if name == "ws_url":
        return "session", "session", "ws_url_parse", {"url": utf8(data, "url")}, ["§6.2"]
    raise SystemExit("crash_to_vector: no vector mapping for target %s; keep it as a regression "
                     "input only" % name)


def to_case(target, data):
    if not target.stateful:
        area, feature, op, inp, refs = other_case(target, data)
        digest = hashlib.sha1(json.dumps(inp, sort_keys=True).encode()).hexdigest()[:12]
        return {"id": "fuzz-%s-%s" % (target.name.replace("_", "-"), digest), "area": area,
                "description": "fuzz-found input (%d bytes) from target %s" % (len(data), target.name),
                "refs": refs, "provenance": "fuzz", "feature": feature, "op": op, "input": inp,
                "found_by": target.name}
    direction = target.direction
    if target.type == 0:
        msg = data
    else:
        msg = typed_message(target.type, data)
        if msg is None:
            raise SystemExit("crash_to_vector: empty input is not a message for a typed target")
    wire_type = int.from_bytes(msg[2:4], "big") if len(msg) >= 4 else None
    type_name = TYPE_NAMES[direction].get(wire_type)
    refs = [SECTION[type_name] if type_name else "§2.2", "§4"]
    digest = hashlib.sha1(msg).hexdigest()[:12]
    return {
        "id": "fuzz-%s-%s" % (direction, digest),
        "area": "stateful-" + direction,
        "description": "fuzz-found %s input (%d bytes) from target %s"
                       % (direction.upper(), len(msg), target.name),
        "refs": refs,
        "provenance": "fuzz",
        "feature": "stateful",
        "op": "decode",
        "input": {"direction": direction, "hex": msg.hex()},
        "found_by": target.name,
    }


def replay_note(binary, path):
    try:
        r = subprocess.run([binary, "-q", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "replay failed: %s" % e
    for line in r.stderr.decode(errors="replace").splitlines():
        if "ORACLE VIOLATED" in line or line.startswith("SUMMARY:"):
            return line.strip()
    return "replays clean now (exit %d)" % r.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--note", default=None)
    ap.add_argument("--replay", default=None)
    ap.add_argument("file")
    a = ap.parse_args()

    targets = {t.name: t for t in load_targets()}
    if a.target not in targets:
        raise SystemExit("crash_to_vector: unknown target %s" % a.target)
    with open(a.file, "rb") as f:
        data = f.read()
    case = to_case(targets[a.target], data)
    note = a.note
    if note is None:
        binary = a.replay or os.path.join(ROOT, "build", "fuzz", "replay", a.target)
        note = replay_note(binary, a.file) if os.access(binary, os.X_OK) else ""
    case["note"] = note

    reg = os.path.join(ROOT, "fuzz", "regressions", a.target)
    os.makedirs(reg, exist_ok=True)
    reg_path = os.path.join(reg, hashlib.sha1(data).hexdigest())
    with open(reg_path, "wb") as f:
        f.write(data)
    found = os.path.join(ROOT, "fuzz", "found")
    os.makedirs(found, exist_ok=True)
    out = os.path.join(found, case["id"] + ".json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(case, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("crash_to_vector: case %s -> %s; regression input %s"
          % (case["id"], os.path.relpath(out, ROOT), os.path.relpath(reg_path, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
