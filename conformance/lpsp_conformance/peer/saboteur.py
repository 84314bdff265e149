"""Saboteur broadcasters: a man-in-the-middle proxy in front of a real broadcaster
that injects one fault, so that the self-test can prove the broadcaster
scenarios catch it (``conformance/tests/test_peer_saboteurs.py``).

    python -m lpsp_conformance.peer.saboteur --fault NAME \\
        --upstream-ws ws://127.0.0.1:P/v1/websocket --upstream-http http://127.0.0.1:P \\
        --auth none|token|hmac

The secrets come from LPSP_PEER_TO_BROADCASTER / LPSP_PEER_TO_SUBSCRIBER (as
``peers.peer_env`` sets them). The proxy listens on 127.0.0.1 (a free port,
or ``--port``), prints ``READY http://127.0.0.1:<port>`` when it serves,
forwards websocket frames both ways (``/v1/websocket``) and every other HTTP
request to the upstream (same path, body, Authorization / Repr-Digest /
Content-Type; status, body and headers back). Frames are decoded with the
project's C codec (never lonelypsp), and only in the direction a fault needs.

Faults:

* ``drop-part``: drops RECEIVE_STREAM continuation part 1 of every
  multi-part stream to the subscriber;
* ``counter-per-stream``: under HMAC, re-signs every broadcaster-counter
  message (§6.2) with the proxy's own counter, which advances once per
  RECEIVE_STREAM stream (continuation parts reuse part 0's URL), as the
  buggy reference client expects (QK-27);
* ``wrong-count``: ``subscribers`` + 1 in every CONFIRM_NOTIFY and every
  RESPONSE_NOTIFY body (re-signed under HMAC where the proxy can: HTTP
  always, websocket for uncompressed NOTIFY and NOTIFY_STREAM);
* ``die-on-malformed``: a subscriber frame the codec rejects makes the proxy
  exit at once (status 3);
* ``mute``: accepts websockets and HTTP requests, never answers or forwards
  anything, and holds every connection until the client gives up (or
  ``--idle-timeout``);
* ``none``: an honest proxy (forwards everything unchanged).

Every wait has a deadline; SIGTERM and SIGINT stop the proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import signal
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from aiohttp import web

from . import links
from .auth import MODES, AuthConfig, Authorizer
from .codec import Codec, CodecError
from .model import AUTH, HAS_RECOVERY, URL_KEY

FAULTS = ("none", "drop-part", "counter-per-stream", "wrong-count", "die-on-malformed", "mute")
DIE_STATUS = 3
CONNECT_TIMEOUT = 10.0
HTTP_TIMEOUT = 30.0
# request headers forwarded upstream, and response headers that are not passed back
FORWARD_HEADERS = ("Authorization", "Repr-Digest", "Content-Type")
HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding",
              "date", "server"}


def log(line: str) -> None:
    print(f"saboteur: {line}", flush=True)


def _close_code(code: Optional[int]) -> int:
    """A close code that may be sent on (1005, 1006, 1015 and unknown ones may not)."""
    if code is None or code in (1005, 1006, 1015) or not (1000 <= code <= 4999):
        return 1000
    return code


class Session:
    """What the proxy knows of one websocket (§6.1, §6.2)."""

    def __init__(self, n: int):
        self.n = n
        self.subscriber_nonce: Optional[bytes] = None
        self.nonce_b64 = ""
        self.handshake_done = False
        self.counter = 1                 # the proxy's broadcaster counter (counter-per-stream)
        self.stream: Optional[Tuple[str, str, str, str]] = None   # topic, identifier, sha, url
        self.notifies: Dict[str, Tuple[str, str]] = {}             # identifier -> (topic, sha)
        self.notify_stream: Optional[Tuple[str, str, str]] = None  # identifier, topic, sha
        self.frames = {"s2b": 0, "b2s": 0}


class Proxy:
    def __init__(self, fault: str, upstream_ws: str, upstream_http: str, auth: AuthConfig,
                 idle_timeout: float):
        self.fault = fault
        self.upstream_ws = upstream_ws
        self.upstream_http = upstream_http.rstrip("/")
        self.auth = auth
        self.idle = idle_timeout
        self.codec: Optional[Codec] = None if fault == "mute" else Codec()
        self.authz = Authorizer(self.codec, auth) if self.codec is not None else None
        self.sessions = 0
        self.http: Optional[aiohttp.ClientSession] = None
        self.app = web.Application(client_max_size=links.MAX_FRAME)
        self.app.router.add_route("*", "/{tail:.*}", self.dispatch)
        self.runner: Optional[web.AppRunner] = None
        self.port = 0

    # -- serving ----------------------------------------------------------------------

    async def start(self, port: int) -> None:
        self.http = aiohttp.ClientSession(auto_decompress=False)
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, links.LOOPBACK, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner is not None:
            try:
                await asyncio.wait_for(self.runner.cleanup(), 5)
            except Exception:
                pass
        if self.http is not None:
            try:
                await asyncio.wait_for(self.http.close(), 2)
            except Exception:
                pass
        if self.codec is not None:
            self.codec.close()

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        is_ws = request.headers.get("Upgrade", "").lower() == "websocket"
        if self.fault == "mute":
            return await self.mute(request, is_ws)
        if is_ws:
            if request.path != "/v1/websocket":
                return web.Response(status=404)
            return await self.websocket(request)
        return await self.forward_http(request)

    async def mute(self, request: web.Request, is_ws: bool) -> web.StreamResponse:
        """Accept, then say nothing and read nothing until the client goes away."""
        resp: web.StreamResponse
        if is_ws:
            resp = web.WebSocketResponse(max_msg_size=links.MAX_FRAME, autoping=False, autoclose=False)
            await resp.prepare(request)
            log(f"mute: websocket accepted from {request.remote}, holding it")
        else:
            resp = web.Response(status=503)
            log(f"mute: {request.method} {request.path} held")
        deadline = time.monotonic() + self.idle
        while time.monotonic() < deadline:
            tr = request.transport
            if tr is None or tr.is_closing():
                break
            await asyncio.sleep(0.2)
        return resp

    # -- websocket ----------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        self.sessions += 1
        sess = Session(self.sessions)
        try:
            up = await links.connect(self.upstream_ws, CONNECT_TIMEOUT)
        except Exception as e:
            log(f"ws{sess.n}: cannot reach the upstream {self.upstream_ws}: {e!r}")
            return web.Response(status=502)
        ws = web.WebSocketResponse(max_msg_size=links.MAX_FRAME, autoping=True)
        await ws.prepare(request)
        down = links.Link(ws)
        t_up = asyncio.ensure_future(self.pump(down, up, "s2b", sess))
        t_down = asyncio.ensure_future(self.pump(up, down, "b2s", sess))
        try:
            done, _ = await asyncio.wait({t_up, t_down}, return_when=asyncio.FIRST_COMPLETED)
            first = done.pop()
            code = first.result() if not first.cancelled() and first.exception() is None else None
            other_link = up if first is t_up else down
            # the side that closed first: pass its close code on to the other side
            try:
                await asyncio.wait_for(other_link.ws.close(code=_close_code(code)), 2)
            except Exception:
                pass
        finally:
            for t in (t_up, t_down):
                t.cancel()
            await asyncio.gather(t_up, t_down, return_exceptions=True)
            await up.close()
            await down.close()
        log(f"ws{sess.n}: ended ({sess.frames['s2b']} frames to the broadcaster, "
            f"{sess.frames['b2s']} to the subscriber)")
        return ws

    async def pump(self, src: links.Link, dst: links.Link, direction: str, sess: Session) -> Optional[int]:
        """Frames from src to dst, through the fault; returns src's close code when it closes."""
        while True:
            try:
                kind, item = await src.next(self.idle)
            except asyncio.TimeoutError:
                log(f"ws{sess.n}: {direction} idle for {self.idle:g} s, closing")
                return 1001
            if kind == "close":
                return item.code
            try:
                if kind == "text":
                    await asyncio.wait_for(dst.ws.send_str(item), CONNECT_TIMEOUT)
                    continue
                for frame in self.transform(direction, item, sess):
                    await asyncio.wait_for(dst.send(frame), CONNECT_TIMEOUT)
                    sess.frames[direction] += 1
            except (links.LinkClosed, ConnectionError, RuntimeError, asyncio.TimeoutError):
                return None

    # -- faults -------------------------------------------------------------------------

    def decode(self, direction: str, frame: bytes) -> Optional[Dict[str, Any]]:
        assert self.codec is not None
        try:
            return self.codec.decode(direction, frame)
        except CodecError:
            return None

    def encode_like(self, msg: Dict[str, Any]) -> bytes:
        """Re-encodes a decoded b2s message in the header mode of the original frame."""
        assert self.codec is not None
        flags = msg.get("flags")
        minimal = True if flags is None else bool(int(flags) & 1)
        out = {k: v for k, v in msg.items() if k != "flags"}
        return self.codec.encode("b2s", out, minimal)

    def transform(self, direction: str, frame: bytes, sess: Session) -> List[bytes]:
        f = self.fault
        if f == "die-on-malformed" and direction == "s2b":
            if self.decode("s2b", frame) is None:
                log(f"ws{sess.n}: a subscriber frame the codec rejects ({frame[:16].hex()}…): exiting")
                sys.stdout.flush()
                os._exit(DIE_STATUS)
            return [frame]
        if f == "drop-part" and direction == "b2s":
            msg = self.decode("b2s", frame)
            if msg is not None and msg["type"] == "RECEIVE_STREAM" and msg.get("part_id") is not None \
                    and int(msg["part_id"]) == 1:
                log(f"ws{sess.n}: dropped RECEIVE_STREAM {msg['identifier']} part 1")
                return []
            return [frame]
        if f == "counter-per-stream":
            return self.counter_per_stream(direction, frame, sess)
        if f == "wrong-count":
            return self.wrong_count(direction, frame, sess)
        return [frame]

    def _track_handshake(self, direction: str, msg: Optional[Dict[str, Any]], sess: Session) -> None:
        if msg is None:
            return
        if direction == "s2b" and msg["type"] == "CONFIGURE" and sess.subscriber_nonce is None:
            sess.subscriber_nonce = bytes.fromhex(msg["subscriber_nonce"])
        elif direction == "b2s" and msg["type"] == "CONFIRM_CONFIGURE" and sess.subscriber_nonce is not None:
            assert self.codec is not None
            sess.nonce_b64 = self.codec.connection_nonce(sess.subscriber_nonce,
                                                         bytes.fromhex(msg["broadcaster_nonce"]))
            sess.handshake_done = True

    def counter_per_stream(self, direction: str, frame: bytes, sess: Session) -> List[bytes]:
        if direction == "s2b":
            if not sess.handshake_done:  # only the CONFIGURE matters on the way up
                self._track_handshake("s2b", self.decode("s2b", frame), sess)
            return [frame]
        msg = self.decode("b2s", frame)
        if msg is None:
            return [frame]
        self._track_handshake("b2s", msg, sess)
        spec = AUTH.get(("b2s", msg["type"]))
        if self.auth.mode != "hmac" or not sess.nonce_b64 or spec is None or spec[1] != "B":
            return [frame]
        assert self.codec is not None and self.authz is not None
        kind, _, fmap = spec
        fields: Dict[str, Any] = {sk: msg[mk] for sk, mk in fmap if mk is not None}
        if msg["type"] == "RECEIVE_STREAM":
            if msg.get("part_id") is None:
                sha = (msg.get("unverified_compressed_sha512") if msg.get("compressor_id") is not None
                       else msg.get("unverified_uncompressed_sha512"))
                url = self.codec.ws_url(sess.nonce_b64, sess.counter)
                sess.counter += 1
                sess.stream = (msg["topic"], msg["identifier"], sha, url)
            elif sess.stream is None:
                return [frame]
            topic, ident, sha, url = sess.stream
            fields.update(topic=topic, identifier=ident, sha512=sha)
        else:
            url = self.codec.ws_url(sess.nonce_b64, sess.counter)
            sess.counter += 1
        fields[URL_KEY.get(kind, "url")] = url
        if kind in HAS_RECOVERY:
            fields["recovery"] = None
        msg["authorization"] = self.authz.sign("to_subscriber", kind,
                                               bytes.fromhex(msg.get("tracing") or ""), fields)
        return [self.encode_like(msg)]

    def wrong_count(self, direction: str, frame: bytes, sess: Session) -> List[bytes]:
        hmac = self.auth.mode == "hmac"
        if direction == "s2b":
            if hmac:  # what CONFIRM_NOTIFY is signed with (topic, SHA-512), where it can be known
                msg = self.decode("s2b", frame)
                if msg is not None and msg["type"] == "NOTIFY" and msg.get("compressor_id") is None:
                    sess.notifies[msg["identifier"]] = (msg["topic"], msg["verified_uncompressed_sha512"])
                elif msg is not None and msg["type"] == "NOTIFY_STREAM" and msg.get("part_id") is None:
                    sha = (msg.get("unverified_compressed_sha512") if msg.get("compressor_id") is not None
                           else msg.get("unverified_uncompressed_sha512"))
                    sess.notifies[msg["identifier"]] = (msg["topic"], sha)
            return [frame]
        msg = self.decode("b2s", frame)
        if msg is None or msg["type"] != "CONFIRM_NOTIFY":
            return [frame]
        n = int(msg["subscribers"])
        msg["subscribers"] = str(n + 1)
        known = sess.notifies.pop(msg["identifier"], None)
        if hmac and known is not None:
            assert self.authz is not None
            msg["authorization"] = self.authz.sign(
                "to_subscriber", "CONFIRM_NOTIFY", bytes.fromhex(msg.get("tracing") or ""),
                {"identifier": msg["identifier"], "subscribers": n + 1, "topic": known[0],
                 "sha512": known[1]})
        log(f"ws{sess.n}: CONFIRM_NOTIFY {msg['identifier']} subscribers {n} -> {n + 1}")
        return [self.encode_like(msg)]

    # -- HTTP -----------------------------------------------------------------------------

    async def forward_http(self, request: web.Request) -> web.StreamResponse:
        assert self.http is not None
        body = await request.read()
        headers = {h: request.headers[h] for h in FORWARD_HEADERS if h in request.headers}
        try:
            async with self.http.request(request.method, self.upstream_http + request.path_qs, data=body,
                                         headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT)) as r:
                status, rbody = r.status, await r.read()
                rheaders = {k: v for k, v in r.headers.items() if k.lower() not in HOP_BY_HOP}
        except Exception as e:
            log(f"http: {request.method} {request.path} upstream failed: {e!r}")
            return web.Response(status=502)
        if self.fault == "wrong-count" and request.path == "/v1/notify" and status == 200 and rbody:
            rbody = self.http_wrong_count(body, rbody)
        return web.Response(status=status, body=rbody, headers=rheaders)

    def http_wrong_count(self, request_body: bytes, rbody: bytes) -> bytes:
        assert self.codec is not None and self.authz is not None
        try:
            out = self.codec.sdecode("RESPONSE_NOTIFY", rbody)
        except CodecError:
            return rbody
        out.pop("body", None)
        n = int(out["subscribers"])
        out["subscribers"] = n + 1
        if self.auth.mode == "hmac":
            try:
                req = self.codec.sdecode("NOTIFY", request_body)
                sha = req.get("sha512") or hashlib.sha512(bytes.fromhex(req["message"])).hexdigest()
                out["authorization"] = self.authz.sign(
                    "to_subscriber", "CONFIRM_NOTIFY", bytes.fromhex(out.get("tracing") or ""),
                    {"identifier": out["identifier"], "subscribers": n + 1, "topic": req["topic"],
                     "sha512": sha})
            except (CodecError, KeyError, ValueError):
                pass
        log(f"http: RESPONSE_NOTIFY subscribers {n} -> {n + 1}")
        try:
            return self.codec.sencode("RESPONSE_NOTIFY", out)
        except CodecError:
            return rbody


async def amain(args: argparse.Namespace) -> int:
    auth = AuthConfig(args.auth, os.environ.get("LPSP_PEER_TO_BROADCASTER", ""),
                      os.environ.get("LPSP_PEER_TO_SUBSCRIBER", ""))
    if auth.mode != "none" and not (auth.to_broadcaster and auth.to_subscriber):
        print("saboteur: --auth token|hmac needs LPSP_PEER_TO_BROADCASTER and LPSP_PEER_TO_SUBSCRIBER",
              file=sys.stderr)
        return 2
    proxy = Proxy(args.fault, args.upstream_ws, args.upstream_http, auth, args.idle_timeout)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await proxy.start(args.port)
        print(f"READY http://{links.LOOPBACK}:{proxy.port}", flush=True)
        log(f"fault {args.fault}, auth {auth.mode}, upstream {args.upstream_ws} / {args.upstream_http}")
        try:
            await asyncio.wait_for(stop.wait(), args.lifetime)
        except asyncio.TimeoutError:
            log(f"lifetime of {args.lifetime:g} s over, exiting")
    finally:
        await proxy.stop()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m lpsp_conformance.peer.saboteur", description=__doc__.split("\n\n")[0])
    p.add_argument("--fault", required=True, choices=FAULTS)
    p.add_argument("--upstream-ws", required=True, help="websocket URL of the real broadcaster")
    p.add_argument("--upstream-http", required=True, help="HTTP base URL of the real broadcaster")
    p.add_argument("--auth", default="none", choices=MODES)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--idle-timeout", type=float, default=300.0,
                   help="close a websocket (or end a held mute connection) after this many idle seconds")
    p.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds at most")
    args = p.parse_args(argv)
    for u in (args.upstream_ws, args.upstream_http):
        if "://127.0.0.1" not in u and "://localhost" not in u:
            p.error(f"the upstream must be on 127.0.0.1: {u}")
    code = asyncio.run(amain(args))
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
