"""The step language of peer scenarios: one async function per step name.

``STEPS[name](run, step)`` runs one step of a scenario. The step names,
their arguments and what each checks are documented in
``vectors/PEER-FORMAT.md``; the JSON Schema ``vectors/peer-schema.json``
lists the same names (a test keeps the two in step).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from . import links
from .codec import CodecError
from .engine import (DEFAULT_TIMEOUT, Conn, Endpoint, HarnessError, NotApplicable, Run,
                     ScenarioFailure, Stream, as_int, sha512, short)
from .vectors_ref import invalid_vector_bytes

Step = Callable[[Run, Dict[str, Any]], Awaitable[None]]
STEPS: Dict[str, Step] = {}


def step(name: str):
    def deco(fn: Step) -> Step:
        STEPS[name] = fn
        return fn
    return deco


def tmo(s: Dict[str, Any]) -> float:
    return float(s.get("timeout", DEFAULT_TIMEOUT))


def need(run: Run, role: str) -> None:
    if run.target.role != role:
        raise HarnessError(f"this step needs the peer to be a {role}")


def variant(run: Run, s: Dict[str, Any]) -> str:
    v = s.get("auth", "auto")
    mode = run.target.auth.mode
    if v != "auto" and mode == "none":
        raise NotApplicable(f"authorization variant {v!r} needs token or HMAC authorization")
    if v in ("expired", "replay") and mode != "hmac":
        raise NotApplicable(f"authorization variant {v!r} needs HMAC authorization")
    return v


# -- websocket: both roles --------------------------------------------------------------

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


@step("send")
async def send(run: Run, s: Dict[str, Any]) -> None:
    c = run.conn(s.get("conn", "a"))
    msg = {"type": s["type"], **{k: run.value(k, v) for k, v in s.get("fields", {}).items()}}
    await run.send(c, msg, variant(run, s))


@step("send_raw")
async def send_raw(run: Run, s: Dict[str, Any]) -> None:
    """A frame as bytes, or the input of an invalid message vector (by id)."""
    c = run.conn(s.get("conn", "a"))
    if "vector" in s:
        frame = invalid_vector_bytes(s["vector"])
        label = s["vector"]
    else:
        frame = bytes.fromhex(s["hex"])
        label = "hex"
    await run.send_raw(c, frame, label)


@step("expect")
async def expect(run: Run, s: Dict[str, Any]) -> None:
    """The next message is of `type` with `fields`; or, with `one_of`, the first
    alternative that matches names the outcome (implementation-defined)."""
    c = run.conn(s.get("conn", "a"))
    if "one_of" in s:
        await expect_one_of(run, c, s)
        return
    msg = await run.expect_msg(c, [s["type"]], tmo(s))
    for k, want in s.get("fields", {}).items():
        run.check(s["type"], k, msg.get(k), want)
    for var, key in s.get("save", {}).items():
        run.vars[var] = msg.get(key)


async def expect_one_of(run: Run, c: Conn, s: Dict[str, Any]) -> None:
    alts: Dict[str, Dict[str, Any]] = s["one_of"]
    types = [a["type"] for a in alts.values() if "type" in a]
    deadline = time.monotonic() + tmo(s)
    while True:
        try:
            msg = await run.recv(c, max(deadline - time.monotonic(), 0.001))
        except links.LinkClosed as e:
            for label, a in alts.items():
                if a.get("close"):
                    run.outcome = label
                    return
            raise ScenarioFailure(f"{c.name}: closed (code {e.code}); expected one of {types}") from None
        except asyncio.TimeoutError:
            for label, a in alts.items():
                if a.get("silence"):
                    run.outcome = label
                    return
            raise ScenarioFailure(f"{c.name}: none of {list(alts)} within {tmo(s):g} s") from None
        for label, a in alts.items():
            if a.get("type") == msg["type"]:
                for k, want in a.get("fields", {}).items():
                    run.check(msg["type"], k, msg.get(k), want)
                run.outcome = label
                return
        if not (msg["type"] in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM") and c.zstd):
            raise ScenarioFailure(f"{c.name}: got {msg['type']}, expected one of {list(alts)}")


@step("expect_close")
async def expect_close(run: Run, s: Dict[str, Any]) -> None:
    """The peer closes the connection (any close code, or those in `codes`)."""
    c = run.conn(s.get("conn", "a"))
    deadline = time.monotonic() + tmo(s)
    while True:
        try:
            msg = await run.recv(c, max(deadline - time.monotonic(), 0.001))
        except links.LinkClosed as e:
            codes = s.get("codes")
            if codes and e.code not in codes:
                raise ScenarioFailure(f"{c.name}: closed with code {e.code}, expected one of {codes}") from None
            return
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"{c.name}: still open {tmo(s):g} s after a message it must refuse "
                                  f"(the peer neither closed nor stopped)") from None
        except ScenarioFailure:
            continue  # anything it says before closing does not matter here
        run.note(f"{c.name}: {msg['type']} before the close")


@step("expect_silence")
async def expect_silence(run: Run, s: Dict[str, Any]) -> None:
    c = run.conn(s.get("conn", "a"))
    seconds = float(s.get("seconds", 0.5))
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            msg = await run.recv(c, left)
        except asyncio.TimeoutError:
            return
        except links.LinkClosed as e:
            if s.get("allow_close"):
                return
            raise ScenarioFailure(f"{c.name}: closed (code {e.code}) where nothing was expected") from None
        if msg["type"] in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM") and c.zstd:
            continue
        raise ScenarioFailure(f"{c.name}: {msg['type']} arrived where nothing was expected: {short(msg)}")


@step("close")
async def close(run: Run, s: Dict[str, Any]) -> None:
    c = run.conns.pop(s.get("conn", "a"))
    await c.link.close()
    run.note(f"{c.name} closed by the harness")


# -- harness as subscriber (the peer is a broadcaster) ---------------------------------

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


def chunks(payload: bytes, size: int) -> List[bytes]:
    if not payload:
        return [b""]
    return [payload[i:i + size] for i in range(0, len(payload), size)]


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


# -- HTTP (stateless) against a broadcaster ---------------------------------------------

async def _http(run: Run, s: Dict[str, Any], path: str, body: bytes,
                auth: Optional[str]) -> links.HttpReply:
    url = run.target.http_base.rstrip("/") + path
    headers = {"Authorization": auth} if auth is not None else {}
    try:
        reply = await links.post(url, body, headers, tmo(s))
    except asyncio.TimeoutError:
        raise ScenarioFailure(f"POST {path}: no answer within {tmo(s):g} s") from None
    except Exception as e:
        raise ScenarioFailure(f"POST {path}: {e}") from None
    run.note(f"http > {path} ({len(body)}B) < {reply.status} {reply.body[:24].hex()}")
    if "outcomes" in s:  # implementation-defined: the status names the outcome
        for label, codes in s["outcomes"].items():
            if reply.status in codes:
                run.outcome = label
                return reply
        raise ScenarioFailure(f"POST {path}: status {reply.status} is none of the outcomes "
                              + ", ".join(f"{k} {v}" for k, v in s["outcomes"].items()))
    statuses = s.get("status", [200])
    statuses = statuses if isinstance(statuses, list) else [statuses]
    if reply.status not in statuses:
        raise ScenarioFailure(f"POST {path}: status {reply.status}, expected {' or '.join(map(str, statuses))}")
    return reply


def _response(run: Run, name: str, reply: links.HttpReply, kind: str, fields: Dict[str, Any]) -> Dict[str, Any]:
    try:
        out = run.codec.sdecode(name, reply.body)
    except CodecError as e:
        raise ScenarioFailure(f"{name}: the response body does not parse ({e.error}: {e.detail}): "
                              f"{reply.body[:64].hex()}") from None
    res = run.auth.verify("to_subscriber", kind, bytes.fromhex(out.get("tracing", "")), fields,
                          out.get("authorization"))
    if res != "OK":
        raise ScenarioFailure(f"{name}: authorization {out.get('authorization')!r} does not verify "
                              f"as {kind} ({res}, §10.3.4)")
    return out


@step("serve")
async def serve(run: Run, s: Dict[str, Any]) -> None:
    """An HTTP subscriber endpoint of the harness (receive and recovery URLs)."""
    if run.server is None:
        run.server = await links.Server().start()
    name = s["name"]
    if name in run.endpoints:
        run.endpoints[name].behaviour = s.get("behaviour", "ok")
        return
    run.endpoints[name] = Endpoint(run, name, s.get("behaviour", "ok"))


@step("http_subscribe")
async def http_subscribe(run: Run, s: Dict[str, Any]) -> None:
    """/v1/(un)subscribe/exact|glob for a served endpoint (§8.2.2–3)."""
    ep = run.endpoints[s["endpoint"]]
    un = s.get("unsubscribe", False)
    if "exact" in s:
        kind, key, val = "EXACT", "topic", run.value("topic", s["exact"])
    else:
        kind, key, val = "GLOB", "glob", run.value("glob", s["glob"])
    recovery = None if un else ep.recover_url
    fields = {"url": ep.receive_url, key: val, "tracing": ""}
    if not un:
        fields["recovery"] = recovery
    body = run.codec.sencode(f"{'UN' if un else ''}SUBSCRIBE_{kind}", fields)
    sign = {"url": ep.receive_url, "recovery": recovery, key: val}
    auth = run.auth.sign("to_broadcaster", f"SUBSCRIBE_{kind}", b"", sign, variant(run, s))
    path = f"/v1/{'unsubscribe' if un else 'subscribe'}/{kind.lower()}"
    reply = await _http(run, s, path, body, auth)
    if reply.status == 200:
        _response(run, "RESPONSE_GENERIC", reply, f"CONFIRM_SUBSCRIBE_{kind}", sign)


@step("http_notify")
async def http_notify(run: Run, s: Dict[str, Any]) -> None:
    """/v1/notify (§8.2.1) and its RESPONSE_NOTIFY with the subscriber count."""
    data = run.data(s.get("data"))
    topic = run.value("topic", s["topic"])
    ident = run.rng.randbytes(4).hex()
    sha = sha512(data).hex()
    body = run.codec.sencode("NOTIFY", {"topic": topic, "sha512": sha, "tracing": "",
                                        "identifier": ident, "message": data.hex()})
    auth = run.auth.sign("to_broadcaster", "NOTIFY", b"", {"topic": topic, "identifier": ident,
                                                          "sha512": sha}, variant(run, s))
    reply = await _http(run, s, "/v1/notify", body, auth)
    if reply.status != 200:
        return
    out = run.codec.sdecode("RESPONSE_NOTIFY", reply.body) if reply.body else {}
    out = _response(run, "RESPONSE_NOTIFY", reply, "CONFIRM_NOTIFY",
                    {"identifier": out.get("identifier", ident), "subscribers": out.get("subscribers", 0),
                     "topic": topic, "sha512": sha})
    run.check("RESPONSE_NOTIFY", "identifier", out["identifier"], {"hex": ident})
    if "subscribers" in s:
        run.check("RESPONSE_NOTIFY", "subscribers", out["subscribers"], s["subscribers"])


def _sorted_subs(run: Run, s: Dict[str, Any], ep: Endpoint):
    exact = sorted({run.value("topic", t) for t in s.get("exact", [])}, key=bytes.fromhex)
    glob = sorted({run.value("glob", g) for g in s.get("glob", [])}, key=lambda g: g.encode())
    return ([{"topic": t, "recovery": ep.recover_url} for t in exact],
            [{"glob": g, "recovery": ep.recover_url} for g in glob])


@step("http_check")
async def http_check(run: Run, s: Dict[str, Any]) -> None:
    """/v1/check_subscriptions: the strong etag of §9 over what the endpoint should have."""
    ep = run.endpoints[s["endpoint"]]
    exact, glob = _sorted_subs(run, s, ep)
    _, etag = run.codec.etag(ep.receive_url, exact, glob)
    body = run.codec.sencode("CHECK_SUBSCRIPTIONS", {"tracing": "", "url": ep.receive_url})
    auth = run.auth.sign("to_broadcaster", "CHECK_SUBSCRIPTIONS", b"", {"url": ep.receive_url},
                         variant(run, s))
    reply = await _http(run, s, "/v1/check_subscriptions", body, auth)
    if reply.status != 200:
        return
    try:
        raw = run.codec.sdecode("RESPONSE_CHECK_SUBSCRIPTIONS", reply.body)
    except CodecError as e:
        raise ScenarioFailure(f"RESPONSE_CHECK_SUBSCRIPTIONS does not parse: {e}") from None
    _response(run, "RESPONSE_CHECK_SUBSCRIPTIONS", reply, "CHECK_SUBSCRIPTIONS_RESPONSE",
              {"etag_format": raw["etag_format"], "etag": raw["etag"]})
    if raw["etag"] != etag.hex():
        raise ScenarioFailure(f"strong etag {raw['etag'][:32]}… is not the etag of the expected "
                              f"subscriptions ({etag.hex()[:32]}…; {len(exact)} exact, {len(glob)} glob, §9)")


@step("http_set")
async def http_set(run: Run, s: Dict[str, Any]) -> None:
    """/v1/set_subscriptions with the strong etag of the new set (§8.2.5)."""
    ep = run.endpoints[s["endpoint"]]
    exact, glob = _sorted_subs(run, s, ep)
    _, etag = run.codec.etag(ep.receive_url, exact, glob)
    body = run.codec.sencode("SET_SUBSCRIPTIONS", {"tracing": "", "url": ep.receive_url, "etag_format": 0,
                                                   "etag": etag.hex(), "exact": exact, "glob": glob})
    if s.get("wrong_etag"):  # the codec refuses to write a wrong etag: flip it in the body
        at = body.index(etag)
        etag = bytes(b ^ 0xFF for b in etag)
        body = body[:at] + etag + body[at + len(etag):]
    auth = run.auth.sign("to_broadcaster", "SET_SUBSCRIPTIONS", b"",
                         {"url": ep.receive_url, "etag_format": 0, "etag": etag.hex()}, variant(run, s))
    reply = await _http(run, s, "/v1/set_subscriptions", body, auth)
    if reply.status == 200:
        _response(run, "RESPONSE_GENERIC", reply, "SET_SUBSCRIPTIONS_RESPONSE",
                  {"etag_format": 0, "etag": etag.hex()})


@step("http_raw")
async def http_raw(run: Run, s: Dict[str, Any]) -> None:
    """A raw body (or an invalid stateless vector's input) to a path; `status` lists
    the acceptable answers."""
    body = invalid_vector_bytes(s["vector"]) if "vector" in s else bytes.fromhex(s.get("hex", ""))
    await _http(run, s, s["path"], body, None)


@step("expect_request")
async def expect_request(run: Run, s: Dict[str, Any]) -> None:
    """The broadcaster POSTs a RECEIVE (or MISSED) to a served endpoint, signed (§8.2.6–7)."""
    ep = run.endpoints[s["endpoint"]]
    kind = s.get("kind", "RECEIVE")
    deadline = time.monotonic() + tmo(s)
    while True:
        try:
            ev = await asyncio.wait_for(ep.requests.get(), max(deadline - time.monotonic(), 0.001))
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"endpoint {ep.name}: no {kind} request within {tmo(s):g} s") from None
        if ev["problems"]:
            raise ScenarioFailure(f"endpoint {ep.name}: {'; '.join(ev['problems'])}")
        if ev["kind"] != kind:
            if s.get("skip_other"):
                continue
            raise ScenarioFailure(f"endpoint {ep.name}: {ev['kind']} where {kind} was expected")
        break
    if "topic" in s:
        run.check(kind, "topic", ev["topic"], s["topic"])
    if "data" in s and ev["message"] != run.data(s["data"]).hex():
        raise ScenarioFailure(f"endpoint {ep.name}: RECEIVE data differs from what was notified")


@step("expect_no_request")
async def expect_no_request(run: Run, s: Dict[str, Any]) -> None:
    ep = run.endpoints[s["endpoint"]]
    try:
        ev = await asyncio.wait_for(ep.requests.get(), float(s.get("seconds", 0.5)))
    except asyncio.TimeoutError:
        return
    raise ScenarioFailure(f"endpoint {ep.name}: unexpected {ev['kind']} on topic "
                          f"{bytes.fromhex(ev.get('topic', '')).decode(errors='replace')!r}")


# -- harness as broadcaster (the peer is a subscriber) ----------------------------------

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


# -- running a scenario ---------------------------------------------------------------

async def execute(run: Run) -> None:
    """Runs every step; always closes what the scenario opened."""
    try:
        for i, s in enumerate(run.sc["steps"]):
            fn = STEPS.get(s["do"])
            if fn is None:
                raise HarnessError(f"step {i}: unknown step {s['do']!r}")
            try:
                await fn(run, s)
            except (ScenarioFailure, HarnessError) as e:
                raise type(e)(f"step {i + 1} ({s['do']}): {e}") from None
            except links.LinkClosed as e:
                raise ScenarioFailure(f"step {i + 1} ({s['do']}): the peer closed the connection "
                                      f"(code {e.code})") from None
    finally:
        await cleanup(run)


@step("repeat")
async def repeat(run: Run, s: Dict[str, Any]) -> None:
    """The nested `steps`, `times` times, with {i} set to 0, 1, ..."""
    times = int(s["times"])
    if not 0 < times <= 1000:
        raise HarnessError("repeat: times must be 1..1000")
    for i in range(times):
        run.vars["i"] = i
        for sub in s["steps"]:
            await STEPS[sub["do"]](run, sub)


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
        for m in c.control:
            if as_int(m["identifier"]) in ids:
                run.check(m["type"], k, m.get(k), want)


@step("distinct")
async def distinct(run: Run, s: Dict[str, Any]) -> None:
    """The saved variables all differ (e.g. nonces of two connections)."""
    vals = [run.vars.get(v) for v in s["vars"]]
    if len(set(map(str, vals))) != len(vals):
        raise ScenarioFailure(f"{', '.join(s['vars'])} are not all different: {vals}")


async def cleanup(run: Run) -> None:
    if run.process is not None:
        await asyncio.get_running_loop().run_in_executor(None, run.process.stop)
    for c in list(run.conns.values()):
        await c.link.close()
    run.conns.clear()
    if run.server is not None and run.server is not getattr(run.target, "server", None):
        await run.server.stop()
        run.server = None
