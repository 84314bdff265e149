"""Transports of peer conformance, all through aiohttp: websocket client and
server links, the harness's own HTTP endpoints, and HTTP requests to a peer.

Everything binds 127.0.0.1; every wait has a deadline.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

import aiohttp
from aiohttp import web

LOOPBACK = "127.0.0.1"
MAX_FRAME = 64 << 20  # frames the harness accepts from a peer (64 MiB)


class LinkClosed(Exception):
    def __init__(self, code: Optional[int], reason: str = ""):
        super().__init__(f"connection closed (code {code}{', ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


class Link:
    """One websocket, client or server side: frames in a queue, close as an event."""

    def __init__(self, ws: Any, session: Optional[aiohttp.ClientSession] = None):
        self.ws = ws
        self.session = session
        self.queue: "asyncio.Queue[Tuple[str, Any]]" = asyncio.Queue()
        self.closed: Optional[LinkClosed] = None
        self.frames_in = 0
        self.frames_out = 0
        self.done = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    self.frames_in += 1
                    await self.queue.put(("frame", bytes(msg.data)))
                elif msg.type == aiohttp.WSMsgType.TEXT:
                    self.frames_in += 1
                    await self.queue.put(("text", msg.data))
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    break
        except Exception:  # a reset connection ends the link like a close
            pass
        finally:
            self.closed = LinkClosed(self.ws.close_code)
            self.queue.put_nowait(("close", self.closed))
            self.done.set()

    async def send(self, data: bytes) -> None:
        if self.closed is not None:
            raise self.closed
        try:
            await self.ws.send_bytes(data)
        except (ConnectionError, RuntimeError) as e:
            raise LinkClosed(self.ws.close_code, f"send failed: {e}") from e
        self.frames_out += 1

    async def next(self, timeout: float) -> Tuple[str, Any]:
        """('frame', bytes) | ('text', str) | ('close', LinkClosed); raises TimeoutError."""
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.ws.close(), 2)
        except Exception:
            pass
        if self.session is not None:
            await self.session.close()
        self.reader.cancel()
        try:
            await asyncio.wait_for(self.reader, 2)
        except BaseException:
            pass


async def connect(url: str, timeout: float) -> Link:
    session = aiohttp.ClientSession()
    try:
        ws = await asyncio.wait_for(
            session.ws_connect(url, max_msg_size=MAX_FRAME, compress=0,
                               timeout=aiohttp.ClientWSTimeout(ws_close=2)), timeout)
    except BaseException:
        await session.close()
        raise
    return Link(ws, session)


@dataclass
class HttpRequest:
    path: str
    url: str
    headers: Dict[str, str]
    body: bytes


@dataclass
class HttpReply:
    status: int
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)


Handler = Callable[[HttpRequest], Awaitable[HttpReply]]


class Server:
    """The harness's own HTTP server on 127.0.0.1 (a free port).

    Websocket routes hand their links to a queue; HTTP routes call a handler.
    """

    def __init__(self) -> None:
        self.app = web.Application(client_max_size=MAX_FRAME)
        self.runner: Optional[web.AppRunner] = None
        self.port = 0
        self.links: "asyncio.Queue[Link]" = asyncio.Queue()
        self.handlers: Dict[str, Handler] = {}
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self, port: int = 0) -> "Server":
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, LOOPBACK, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await asyncio.wait_for(self.runner.cleanup(), 5)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/v1/websocket" and request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=True)
            await ws.prepare(request)
            link = Link(ws)
            await self.links.put(link)
            await link.done.wait()
            return ws
        handler = self.handlers.get(request.path)
        if handler is None:
            return web.Response(status=404)
        body = await request.read()
        reply = await handler(HttpRequest(request.path, str(request.url), dict(request.headers), body))
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)


async def post(url: str, body: bytes, headers: Dict[str, str], timeout: float) -> HttpReply:
    hdrs = {"Content-Type": "application/octet-stream", **headers}
    async with aiohttp.ClientSession() as s:
        async with s.post(url, data=body, headers=hdrs,
                          timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            return HttpReply(r.status, await r.read(), dict(r.headers))
