"""Steps against a broadcaster's HTTP side (§8): the harness serves HTTP subscriber
endpoints and calls the stateless endpoints."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Dict, Optional

from .. import links
from ..codec import CodecError
from ..engine import Endpoint, Run, ScenarioFailure, sha512
from ..vectors_ref import invalid_vector_bytes
from . import step, tmo, variant


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


def _response(run: Run, name: str, reply: links.HttpReply, kind: str,
              fields: Callable[[Dict[str, Any]], Dict[str, Any]]) -> Dict[str, Any]:
    """The response body decoded (a body that does not parse fails), with its
    authorization verified as `kind` over `fields(decoded body)`."""
    try:
        out = run.codec.sdecode(name, reply.body)
    except CodecError as e:
        raise ScenarioFailure(f"{name}: the response body does not parse ({e.error}: {e.detail}): "
                              f"{reply.body[:64].hex()}") from None
    res = run.auth.verify("to_subscriber", kind, bytes.fromhex(out.get("tracing", "")), fields(out),
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
        _response(run, "RESPONSE_GENERIC", reply, f"CONFIRM_SUBSCRIBE_{kind}", lambda _: sign)


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
    out = _response(run, "RESPONSE_NOTIFY", reply, "CONFIRM_NOTIFY",
                    lambda o: {"identifier": o["identifier"], "subscribers": o["subscribers"],
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
    raw = _response(run, "RESPONSE_CHECK_SUBSCRIPTIONS", reply, "CHECK_SUBSCRIPTIONS_RESPONSE",
                    lambda o: {"etag_format": o["etag_format"], "etag": o["etag"]})
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
                  lambda _: {"etag_format": 0, "etag": etag.hex()})


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
