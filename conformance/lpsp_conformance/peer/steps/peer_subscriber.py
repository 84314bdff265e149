"""Steps against a subscriber under test: the harness plays the broadcaster."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any, Dict, List

from .. import links
from ..engine import Conn, HarnessError, NotApplicable, Run, ScenarioFailure, sha512
from . import chunks, expect_close, need, step, tmo, variant


@step("start_subscriber")
async def start_subscriber(run: Run, s: Dict[str, Any]) -> None:
    """Serves the harness broadcaster on 127.0.0.1 and starts the subscriber under
    test with the scenario's topics and patterns."""
    need(run, "subscriber")
    if run.server is None:
        run.server = links.Server()
        await run.server.start()
    ws_url = f"ws://{links.LOOPBACK}:{run.server.port}/v1/websocket"
    exact = [run.fmt(t) for t in s.get("exact", [])]
    glob = [run.fmt(g) for g in s.get("glob", [])]
    run.vars["ws_url"] = ws_url
    if run.target.subscriber is None:
        raise HarnessError("no subscriber command: the subscriber under test is started by the suite")
    run.process = run.target.subscriber.start(ws_url, exact, glob)
    run.note(f"started {run.target.subscriber.name} (pid {run.process.pid}) for {ws_url}")


async def accept(run: Run, s: Dict[str, Any]) -> None:
    need(run, "subscriber")
    if run.server is None:
        raise HarnessError("accept before start_subscriber")
    name = s.get("conn", "s")
    try:
        link = await asyncio.wait_for(run.server.links.get(), float(s.get("timeout", 20)))
    except asyncio.TimeoutError:
        tail = f"; its output:\n{run.process.tail(10)}" if run.process is not None else ""
        raise ScenarioFailure(f"the subscriber did not connect within {s.get('timeout', 20)} s{tail}") from None
    run.conns[name] = Conn(name, link, "b2s", run.minimal)
    run.note(f"{name}: the subscriber connected")


@step("accept_handshake")
async def accept_handshake(run: Run, s: Dict[str, Any]) -> None:
    """accept, CONFIGURE (verified, a 32-byte nonce), CONFIRM_CONFIGURE, the connection nonce."""
    name = s.get("conn", "s")
    if name not in run.conns:
        await accept(run, {"conn": name, "timeout": s.get("timeout", 20)})
    c = run.conn(name)
    msg = await run.expect_msg(c, ["CONFIGURE"], tmo(s))
    c.subscriber_nonce = bytes.fromhex(msg["subscriber_nonce"])
    if len(c.subscriber_nonce) != 32:
        raise ScenarioFailure(f"subscriber nonce of {len(c.subscriber_nonce)} bytes, not 32 (§6.1)")
    c.zstd = bool(msg["enable_zstd"])
    run.vars["initial_dict"] = msg["initial_dict"]
    c.broadcaster_nonce = os.urandom(32)
    await run.send(c, {"type": "CONFIRM_CONFIGURE", "broadcaster_nonce": c.broadcaster_nonce.hex()},
                   variant(run, s))
    c.nonce_b64 = run.codec.connection_nonce(c.subscriber_nonce, c.broadcaster_nonce)
    if "save" in s:
        run.vars[s["save"]] = msg["subscriber_nonce"]


@step("confirm_subscriptions")
async def confirm_subscriptions(run: Run, s: Dict[str, Any]) -> None:
    """The subscriber asks for exactly these subscriptions (any order); each is
    confirmed, signed with its request's URL (QK-29)."""
    c = run.conn(s.get("conn", "s"))
    want = [("SUBSCRIBE_EXACT", run.value("topic", t)) for t in s.get("exact", [])] + \
           [("SUBSCRIBE_GLOB", run.value("glob", g)) for g in s.get("glob", [])]
    for _ in range(len(want)):
        msg = await run.expect_msg(c, ["SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB"], tmo(s))
        key = "topic" if msg["type"] == "SUBSCRIBE_EXACT" else "glob"
        got = (msg["type"], msg[key])
        if got not in want:
            raise ScenarioFailure(f"unexpected {msg['type']} {msg[key]!r}; expected one of {want}")
        want.remove(got)
        await run.send(c, {"type": "CONFIRM_" + msg["type"], key: msg[key]})


@step("deliver")
async def deliver(run: Run, s: Dict[str, Any]) -> None:
    """RECEIVE_STREAM in parts of `part_size` (§6.4), each signed with the next
    broadcaster counter (§6.2); CONTINUE_RECEIVE is expected after every part
    but the last and CONFIRM_RECEIVE after it. A `fault` makes the delivery
    wrong in one way; the subscriber must then close the connection."""
    c = run.conn(s.get("conn", "s"))
    data = run.data(s.get("data"))
    topic = run.value("topic", s["topic"])
    comp = s.get("compressor")
    payload = data if comp is None else run.compress(c, int(comp), data)
    sha = sha512(payload).hex()
    fault = s.get("fault")
    ident = run.rng.randbytes(4).hex()
    parts = chunks(payload, int(s.get("part_size", 65536)))
    order = {"skip-part": [0, 2], "duplicate-part": [0, 1, 1], "restart": [0, 0]}.get(
        fault or "", list(range(len(parts))))
    if max(order) >= len(parts):
        raise HarnessError(f"fault {fault} needs at least {max(order) + 1} parts")
    declared = bytes(64) if fault == "sha" else bytes.fromhex(sha)
    expected_next = 0
    for i in order:
        if i == 0:
            msg: Dict[str, Any] = {"type": "RECEIVE_STREAM", "identifier": ident, "part_id": None,
                                   "topic": topic, "payload": parts[0].hex()}
            total = len(payload) - (1 if fault == "overlong" else 0)
            if comp is None:
                msg.update(compressor_id=None, uncompressed_length=str(total),
                           unverified_uncompressed_sha512=declared.hex())
            else:
                msg.update(compressor_id=str(comp), compressed_length=str(total),
                           decompressed_length=str(len(data)), unverified_compressed_sha512=declared.hex())
        else:
            pid = ident if fault != "wrong-identifier" else run.rng.randbytes(4).hex()
            msg = {"type": "RECEIVE_STREAM", "identifier": pid, "part_id": str(i), "payload": parts[i].hex()}
        await run.send(c, msg, variant(run, s) if i == 0 else "auto",
                       extra={"topic": topic, "identifier": ident, "sha512": declared.hex()})
        bad = i != expected_next or (fault == "wrong-identifier" and i > 0) or \
            (fault == "overlong" and i == 0 and len(parts) == 1)
        expected_next += 1
        if bad or (fault and expected_next == len(order)):
            await expect_close(run, {"conn": c.name, "timeout": tmo(s)})
            return
        if expected_next < len(parts):
            reply = await run.expect_msg(c, ["CONTINUE_RECEIVE"], tmo(s))
            run.check("CONTINUE_RECEIVE", "identifier", reply["identifier"], {"hex": ident})
            run.check("CONTINUE_RECEIVE", "part_id", reply["part_id"], i)
    if s.get("expect") == "close":
        await expect_close(run, {"conn": c.name, "timeout": tmo(s)})
        return
    reply = await run.expect_msg(c, ["CONFIRM_RECEIVE"], tmo(s))
    run.check("CONFIRM_RECEIVE", "identifier", reply["identifier"], {"hex": ident})
    run.check("CONFIRM_RECEIVE", "num_subscribers", reply["num_subscribers"], 1)


@step("app_event")
async def app_event(run: Run, s: Dict[str, Any]) -> None:
    """The subscriber application reports this delivery on stdout (capability `events`).
    Events are consumed in order: earlier ones that do not match are passed over."""
    if run.process is None:
        raise NotApplicable("the subscriber is not started by the suite")
    want_topic = run.value("topic", s["topic"]) if "topic" in s else None
    want = run.data(s["data"]).hex() if "data" in s else None
    kind = s.get("event", "receive")
    deadline = time.monotonic() + tmo(s)
    passed: List[str] = []
    while time.monotonic() < deadline:
        while run.process.events:
            line = run.process.events.popleft()
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("event") == kind and (want_topic is None or ev.get("topic") == want_topic) \
                    and (want is None or ev.get("data") == want):
                return
            passed.append(f"{ev.get('event')} topic={ev.get('topic', '')[:40]} "
                          f"{len(ev.get('data', '')) // 2}B")
        await asyncio.sleep(0.05)
    raise ScenarioFailure(f"the subscriber application reported no matching {kind} within {tmo(s):g} s"
                          + (f" (it reported: {'; '.join(passed[-5:])})" if passed else ""))
