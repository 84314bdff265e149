"""Steps against a broadcaster under test: the harness plays websocket subscribers."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Dict

from .. import links
from ..engine import Conn, HarnessError, Run, ScenarioFailure, Stream, as_int, sha512
from . import chunks, close, expect_close, need, step, tmo, variant


@step("connect")
async def connect(run: Run, s: Dict[str, Any]) -> None:
    need(run, "broadcaster")
    name = s.get("conn", "a")
    try:
        link = await links.connect(run.target.ws_url, tmo(s))
    except Exception as e:
        raise ScenarioFailure(f"{name}: cannot open a websocket to {run.target.ws_url}: {e}") from None
    run.conns[name] = Conn(name, link, "s2b", s.get("minimal", run.minimal))
    run.note(f"{name} connected")


@step("handshake")
async def handshake(run: Run, s: Dict[str, Any]) -> None:
    """connect (if needed), CONFIGURE, CONFIRM_CONFIGURE, the connection nonce (§6.1)."""
    name = s.get("conn", "a")
    if name not in run.conns:
        await connect(run, s)
    c = run.conn(name)
    fields = {k: run.value(k, v) for k, v in s.get("fields", {}).items()}
    msg = {"type": "CONFIGURE", "subscriber_nonce": os.urandom(32).hex(), "enable_zstd": False,
           "enable_training": False, "initial_dict": 0, **fields}
    c.zstd = bool(msg["enable_zstd"])
    c.subscriber_nonce = bytes.fromhex(msg["subscriber_nonce"])
    await run.send(c, msg, variant(run, s))
    if s.get("expect") == "close":
        await expect_close(run, {"conn": name, "timeout": tmo(s)})
        return
    reply = await run.expect_msg(c, ["CONFIRM_CONFIGURE"], tmo(s))
    c.broadcaster_nonce = bytes.fromhex(reply["broadcaster_nonce"])
    if len(c.broadcaster_nonce) != 32:
        raise ScenarioFailure(f"broadcaster nonce of {len(c.broadcaster_nonce)} bytes, not 32 (§6.1)")
    if c.broadcaster_nonce == c.subscriber_nonce:
        raise ScenarioFailure("the broadcaster nonce echoes the subscriber nonce (§6.1)")
    c.nonce_b64 = run.codec.connection_nonce(c.subscriber_nonce, c.broadcaster_nonce)
    if "save" in s:
        run.vars[s["save"]] = reply["broadcaster_nonce"]


@step("subscribe")
async def subscribe(run: Run, s: Dict[str, Any]) -> None:
    """(UN)SUBSCRIBE_EXACT / _GLOB and its confirmation (§6.3)."""
    c = run.conn(s.get("conn", "a"))
    un = "UN" if s.get("unsubscribe") else ""
    if "exact" in s:
        kind, key, val = "EXACT", "topic", run.value("topic", s["exact"])
    else:
        kind, key, val = "GLOB", "glob", run.value("glob", s["glob"])
    await run.send(c, {"type": f"{un}SUBSCRIBE_{kind}", key: val}, variant(run, s))
    if s.get("expect") == "close":
        await expect_close(run, {"conn": c.name, "timeout": tmo(s)})
        return
    reply = await run.expect_msg(c, [f"CONFIRM_{un}SUBSCRIBE_{kind}"], tmo(s))
    run.check(reply["type"], key, reply[key], {"hex": val} if key == "topic" else val)


@step("notify")
async def notify(run: Run, s: Dict[str, Any]) -> None:
    """NOTIFY, or NOTIFY_STREAM in parts of `part_size` (§6.4), with CONTINUE_NOTIFY
    after every part but the last and CONFIRM_NOTIFY with the subscriber count.

    `order` sends parts in another order (out of order, duplicated, abandoned);
    the first part that a correct broadcaster must refuse is followed by
    `expect_close`, and an `abandon` after the listed parts leaves the stream."""
    c = run.conn(s.get("conn", "a"))
    data = run.data(s.get("data"))
    topic = run.value("topic", s["topic"])
    ident = s.get("identifier") and run.value("identifier", s["identifier"]) or run.rng.randbytes(4).hex()
    comp = s.get("compressor")
    payload = data if comp is None else run.compress(c, int(comp), data)
    sent_sha = sha512(payload).hex()
    v = variant(run, s)
    # CONFIRM_NOTIFY is signed with the SHA-512 of the message for NOTIFY,
    # of the decompressed data for a compressed NOTIFY (QK-37), of what was
    # sent for NOTIFY_STREAM
    if "part_size" not in s:
        msg: Dict[str, Any] = {"type": "NOTIFY", "identifier": ident, "topic": topic}
        if comp is None:
            msg.update(compressor_id=None, verified_uncompressed_sha512=sent_sha,
                       uncompressed_message=payload.hex())
        else:
            msg.update(compressor_id=str(s.get("claim_compressor", comp)), verified_compressed_sha512=sent_sha,
                       compressed_message=payload.hex(), decompressed_length=str(len(data)))
        c.notifies[ident] = (topic, sha512(data).hex())
        if s.get("bad_sha"):  # a digest that is not the message's, signed as such
            bad = bytes(b ^ 0xFF for b in bytes.fromhex(sent_sha))
            await run.send(c, msg, v, extra={"sha512": bad.hex()}, patch=(bytes.fromhex(sent_sha), bad))
        else:
            await run.send(c, msg, v, extra={"sha512": sent_sha})
        await _notify_reply(run, c, s, ident, final=True)
        return
    parts = chunks(payload, int(s["part_size"]))
    c.notifies[ident] = (topic, sent_sha)
    order = s.get("order", list(range(len(parts))))
    expected_next = 0
    for i in order:
        if i == 0:
            msg = {"type": "NOTIFY_STREAM", "identifier": ident, "part_id": None, "topic": topic,
                   "payload": parts[0].hex()}
            if comp is None:
                msg.update(compressor_id=None, uncompressed_length=str(len(payload)),
                           unverified_uncompressed_sha512=sent_sha)
            else:
                msg.update(compressor_id=str(comp), compressed_length=str(len(payload)),
                           decompressed_length=str(len(data)), unverified_compressed_sha512=sent_sha)
        else:
            msg = {"type": "NOTIFY_STREAM", "identifier": ident, "part_id": str(i),
                   "payload": parts[i].hex()}
        await run.send(c, msg, v, extra={"topic": topic, "identifier": ident, "sha512": sent_sha})
        if i != expected_next:
            run.note(f"part {i} sent where part {expected_next} was due: the peer must refuse it")
            await expect_close(run, {"conn": c.name, "timeout": tmo(s)})
            return
        expected_next += 1
        if expected_next < len(parts):
            reply = await run.expect_msg(c, ["CONTINUE_NOTIFY"], tmo(s))
            run.check("CONTINUE_NOTIFY", "identifier", reply["identifier"], {"hex": ident})
            run.check("CONTINUE_NOTIFY", "part_id", reply["part_id"], i)
        else:
            await _notify_reply(run, c, s, ident, final=True)
    if s.get("abandon"):
        run.note(f"stream {ident} abandoned after {expected_next} of {len(parts)} parts")


async def _notify_reply(run: Run, c: Conn, s: Dict[str, Any], ident: str, final: bool) -> None:
    if s.get("expect") == "close":
        await expect_close(run, {"conn": c.name, "timeout": tmo(s)})
        return
    reply = await run.expect_msg(c, ["CONFIRM_NOTIFY"], tmo(s))
    run.check("CONFIRM_NOTIFY", "identifier", reply["identifier"], {"hex": ident})
    if "subscribers" in s:
        run.check("CONFIRM_NOTIFY", "subscribers", reply["subscribers"], s["subscribers"])


@step("receive")
async def receive(run: Run, s: Dict[str, Any]) -> None:
    """A RECEIVE_STREAM delivery (§6.4): every part verified (one broadcaster counter
    per part, §6.2), CONTINUE_RECEIVE after each part but the last,
    CONFIRM_RECEIVE after the SHA-512 and length check, the data compared."""
    c = run.conn(s.get("conn", "a"))
    want_topic = run.value("topic", s["topic"]) if "topic" in s else None
    want = run.data(s["data"]) if "data" in s else None
    part0 = await run.expect_msg(c, ["RECEIVE_STREAM"], tmo(s))
    if part0.get("part_id") is not None:
        raise ScenarioFailure(f"RECEIVE_STREAM starts with part {part0['part_id']}, not part 0 (§6.4)")
    st = Stream(part0)
    c.stream = st
    part = 0
    while not st.complete:
        await run.send(c, {"type": "CONTINUE_RECEIVE", "identifier": st.identifier, "part_id": str(part)})
        nxt = await run.expect_msg(c, ["RECEIVE_STREAM"], tmo(s))
        if nxt.get("part_id") is None:
            raise ScenarioFailure("RECEIVE_STREAM: a new part 0 while a stream is in progress (§6.4)")
        if nxt["identifier"] != st.identifier:
            raise ScenarioFailure(f"RECEIVE_STREAM continuation with identifier {nxt['identifier']}, "
                                  f"stream is {st.identifier} (§6.4)")
        part += 1
        if as_int(nxt["part_id"]) != part:
            raise ScenarioFailure(f"RECEIVE_STREAM part {nxt['part_id']} where part {part} was due (§6.4)")
        st.buf += bytes.fromhex(nxt["payload"])
        if part > 100000:
            raise ScenarioFailure("RECEIVE_STREAM: more than 100000 parts")
    c.stream = None
    if len(st.buf) != st.total:
        raise ScenarioFailure(f"RECEIVE_STREAM: {len(st.buf)} bytes where {st.total} were declared (§6.4)")
    if sha512(bytes(st.buf)).hex() != st.sha:
        raise ScenarioFailure("RECEIVE_STREAM: the SHA-512 of the parts is not the declared one (§6.4)")
    body = bytes(st.buf)
    if st.compressor is not None:
        body = run.decompress(c, as_int(st.compressor), body, as_int(st.decompressed_length))
        if len(body) != as_int(st.decompressed_length):
            raise ScenarioFailure(f"RECEIVE_STREAM: decompressed to {len(body)} bytes, "
                                  f"x-decompressed-length says {st.decompressed_length}")
    run.note(f"{c.name}: received {len(body)} bytes in {part + 1} part(s)"
             + (f", compressor {st.compressor}" if st.compressor is not None else ""))
    if want_topic is not None and st.topic != want_topic:
        raise ScenarioFailure(f"RECEIVE_STREAM on topic {bytes.fromhex(st.topic)!r}, "
                              f"expected {bytes.fromhex(want_topic)!r}")
    if want is not None and body != want:
        raise ScenarioFailure(f"RECEIVE_STREAM data differs from what was notified "
                              f"({len(body)} bytes received, {len(want)} sent)")
    if "compressed" in s and (st.compressor is not None) != bool(s["compressed"]):
        raise ScenarioFailure(f"RECEIVE_STREAM {'not ' if s['compressed'] else ''}compressed "
                              f"(compressor {st.compressor})")
    if "parts" in s:
        run.check("RECEIVE_STREAM", "parts", part + 1, s["parts"])
    await run.send(c, {"type": "CONFIRM_RECEIVE", "identifier": st.identifier, "num_subscribers": 1})


@step("alive")
async def alive(run: Run, s: Dict[str, Any]) -> None:
    """Liveness round trip on fresh connections: handshake, subscribe, notify, receive."""
    run.alive_n += 1
    sub, pub = f"alive{run.alive_n}s", f"alive{run.alive_n}p"
    topic = f"lpsp-peer/{run.vars['run']}/alive/{run.vars['id']}/{run.alive_n}"
    t = {"timeout": tmo(s)}
    try:
        await handshake(run, {"conn": sub, **t})
        await handshake(run, {"conn": pub, **t})
        await subscribe(run, {"conn": sub, "exact": topic, **t})
        await notify(run, {"conn": pub, "topic": topic, "data": "alive", "subscribers": {"ge": 1}, **t})
        await receive(run, {"conn": sub, "topic": topic, "data": "alive", **t})
    except ScenarioFailure as e:
        raise ScenarioFailure(f"liveness round trip failed: {e}") from None
    for name in (sub, pub):
        await close(run, {"conn": name})


@step("expect_compressors")
async def expect_compressors(run: Run, s: Dict[str, Any]) -> None:
    """The broadcaster announces these compressors (§7.2) within the timeout:
    `ids` (exact identifiers) and `custom` (how many trained ones, ids >= 65536);
    nothing else may arrive meanwhile."""
    c = run.conn(s.get("conn", "a"))
    ids = [int(i) for i in s.get("ids", [])]
    custom = int(s.get("custom", 0))
    deadline = time.monotonic() + tmo(s)

    def done() -> bool:
        return all(i in c.compressors for i in ids) and \
            sum(1 for i in c.compressors if i >= 65536) >= custom

    while not done():
        left = deadline - time.monotonic()
        if left <= 0:
            raise ScenarioFailure(f"{c.name}: compressors {sorted(c.compressors)} announced within "
                                  f"{tmo(s):g} s; expected {ids}" + (f" and {custom} trained" if custom else ""))
        try:
            msg = await run.recv(c, left)
        except asyncio.TimeoutError:
            continue
        except links.LinkClosed as e:
            raise ScenarioFailure(f"{c.name}: closed (code {e.code}) before the compressors were announced") from None
        if msg["type"] not in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM"):
            raise ScenarioFailure(f"{c.name}: {msg['type']} while waiting for compressor announcements")
    for k, want in s.get("fields", {}).items():
        checked = [m for m in c.control if as_int(m["identifier"]) in ids
                   or (custom and as_int(m["identifier"]) >= 65536)]
        if not checked:
            raise HarnessError("expect_compressors: fields given but no announcement to check")
        for m in checked:
            run.check(m["type"], k, m.get(k), want)
