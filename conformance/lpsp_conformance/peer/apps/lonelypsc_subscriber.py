"""A lonelypsc websocket subscriber, driven by the peer harness.

Configuration comes from the environment that ``peers.SubscriberLauncher``
sets: LPSP_PEER_WS_URL (the harness broadcaster), LPSP_PEER_EXACT and
LPSP_PEER_GLOB (newline-separated topics and patterns), LPSP_PEER_AUTH with
LPSP_PEER_TO_BROADCASTER / LPSP_PEER_TO_SUBSCRIBER, and optionally
LPSP_PEER_HEADERS (minimal|expanded) and LPSP_PEER_INITIAL_DICT.

Prints one JSON line per event on stdout: ``{"event": "receive", "topic": HEX,
"data": HEX}`` for each message delivered to the application,
``{"event": "status", "status": ...}`` on connection changes, and
``{"event": "error", ...}``. Exits on SIGTERM or after LPSP_PEER_MAX_SECONDS
(default 120).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any, Dict

from . import auth_config


def emit(obj: Dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class Handlers:
    async def on_message(self, message: Any) -> None:
        try:
            data = bytearray()
            while True:
                chunk = message.data.read(1 << 20)
                if not chunk:
                    break
                data += chunk
            emit({"event": "receive", "topic": message.topic.hex(), "data": bytes(data).hex()})
        finally:
            await message.cleanup()

    async def on_connection_lost(self) -> None:
        emit({"event": "status", "status": "lost"})

    async def on_connection_established(self) -> None:
        emit({"event": "status", "status": "established"})

    async def on_connection_abandoned(self) -> None:
        emit({"event": "status", "status": "abandoned"})


async def run() -> int:
    import zstandard
    from lonelypsc.config.ws_config import make_websocket_pub_sub_config
    from lonelypsc.ws_client import WebsocketPubSubClient

    from ..peers import preset_dictionary

    url = os.environ["LPSP_PEER_WS_URL"].rstrip("/")
    host = url[: -len("/v1/websocket")] if url.endswith("/v1/websocket") else url
    exact = [t for t in os.environ.get("LPSP_PEER_EXACT", "").split("\n") if t]
    globs = [g for g in os.environ.get("LPSP_PEER_GLOB", "").split("\n") if g]
    initial = int(os.environ.get("LPSP_PEER_INITIAL_DICT", "0")) or None
    preset = zstandard.ZstdCompressionDict(preset_dictionary())
    config = make_websocket_pub_sub_config(
        broadcasters=[{"host": host}], outgoing_initial_connect_retries=0,
        outgoing_min_reconnect_interval=1, max_websocket_message_size=64 << 10,
        websocket_open_timeout=5, websocket_close_timeout=2, websocket_heartbeat_interval=10,
        websocket_minimal_headers=os.environ.get("LPSP_PEER_HEADERS", "minimal") == "minimal",
        max_sent_notifications=None, max_unsent_notifications=None, max_expected_acks=None,
        max_received=None, max_unsent_acks=None, allow_compression=True,
        compression_dictionary_by_id={2: (preset, 3)}, initial_compression_dict_id=initial,
        allow_training_compression=True, decompression_max_window_size=0, auth=auth_config(os.environ.get("LPSP_PEER_AUTH", "none"), replay_store=(False, True)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    client = WebsocketPubSubClient(config)
    handlers = Handlers()
    try:
        async with client:
            await client.direct_register_on_message(receiver=handlers)
            await client.direct_register_status_handler(receiver=handlers)
            await client.direct_subscribe_multiple(exact=[t.encode() for t in exact], glob=globs)
            await asyncio.wait_for(stop.wait(), float(os.environ.get("LPSP_PEER_MAX_SECONDS", "120")))
    except asyncio.TimeoutError:
        pass
    except BaseException as e:  # the client's failures end the run; report them
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        emit({"event": "error", "type": type(e).__name__, "error": repr(e)[:500]})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
