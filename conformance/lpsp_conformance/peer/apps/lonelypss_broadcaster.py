"""A lonelypss broadcaster on 127.0.0.1, configured from the command line.

    python -m lpsp_conformance.peer.apps.lonelypss_broadcaster --port N
        [--auth none|token|hmac] [--db sqlite-memory|sqlite-file --db-path F]
        [--preset ID=HEXFILE] [--training-low-watermark BYTES] [--minimal|--expanded]

Secrets come from the environment (LPSP_PEER_TO_BROADCASTER,
LPSP_PEER_TO_SUBSCRIBER): tokens in token mode, 64-byte URL-safe base64
secrets in HMAC mode. Prints ``READY <base url>`` on stdout once the
application has started; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, Tuple

from . import auth_config


def presets(specs: list) -> Dict[int, Tuple[Any, int]]:
    import zstandard
    out: Dict[int, Tuple[Any, int]] = {}
    for spec in specs:
        ident, path = spec.split("=", 1)
        with open(path, "rb") as f:
            d = zstandard.ZstdCompressionDict(f.read())
        d.precompute_compress(level=3)
        out[int(ident)] = (d, 3)
    return out


def build(args: argparse.Namespace) -> Any:
    from fastapi import FastAPI
    from lonelypss.bknd.sweep_missed import sweep_missed
    from lonelypss.config.config import (CompressionConfigFromParts, ConfigFromParts,
                                         GenericConfigFromValues, MissedRetryStandard,
                                         NotifySessionStandard, TracingConfigSimple)
    from lonelypss.config.helpers.sqlite_db_config import SqliteDBConfig
    from lonelypss.config.lifespan import setup_config, teardown_config
    from lonelypss.middleware.config import ConfigMiddleware
    from lonelypss.middleware.ws_receiver import WSReceiverMiddleware
    from lonelypss.router import router
    from lonelypss.util.ws_receiver import SimpleFanoutWSReceiver

    base = f"http://127.0.0.1:{args.port}"
    config = ConfigFromParts(
        auth=auth_config(args.auth, replay_store=(True, True)),
        db=SqliteDBConfig(":memory:" if args.db == "sqlite-memory" else args.db_path,
                          missed_lock_time=30),
        generic=GenericConfigFromValues(
            message_body_spool_size=10 << 20, outgoing_http_timeout_total=10.0,
            outgoing_http_timeout_connect=None, outgoing_http_timeout_sock_read=5.0,
            outgoing_http_timeout_sock_connect=5.0, websocket_accept_timeout=2.0,
            websocket_max_pending_sends=255, websocket_max_unprocessed_receives=255,
            websocket_large_direct_send_timeout=0.3, websocket_send_max_unacknowledged=3,
            websocket_minimal_headers=args.minimal, sweep_missed_interval=args.sweep_interval),
        # retries come quickly so that a MISSED scenario takes seconds, not minutes
        missed=MissedRetryStandard(expo_factor=0.1, expo_base=2.0, expo_max=3, max_retries=5,
                                   constant=0.1, jitter=0.1),
        compression=CompressionConfigFromParts(
            compression_allowed=True, compression_dictionary_by_id=presets(args.preset),
            outgoing_max_ws_message_size=args.max_ws_message, allow_training=True,
            compression_min_size=32, compression_trained_max_size=16 * 1024,
            compression_training_low_watermark=args.training_low_watermark,
            compression_training_high_watermark=10 << 20,
            compression_retrain_interval_seconds=86400, decompression_max_window_size=8 << 20),
        tracing=TracingConfigSimple(),
        notify_session=NotifySessionStandard(),
    )
    fanout = SimpleFanoutWSReceiver(receiver_url=f"{base}/v1/receive_for_websockets",
                                    recovery=f"{base}/v1/missed_for_websockets", db=config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await setup_config(config)
        try:
            async with fanout, sweep_missed(config):
                print(f"READY {base}", flush=True)
                yield
        finally:
            await teardown_config(config)

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(ConfigMiddleware, config=config)
    app.add_middleware(WSReceiverMiddleware, ws_receiver=fanout)
    app.include_router(router)
    app.router.redirect_slashes = False
    return app


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--auth", choices=("none", "token", "hmac"), default="none")
    ap.add_argument("--db", choices=("sqlite-memory", "sqlite-file"), default="sqlite-memory")
    ap.add_argument("--db-path", default=None)
    ap.add_argument("--preset", action="append", default=[], metavar="ID=FILE")
    ap.add_argument("--training-low-watermark", type=int, default=100 * 1024)
    ap.add_argument("--max-ws-message", type=int, default=16 << 20)
    ap.add_argument("--sweep-interval", type=float, default=1.0)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--minimal", dest="minimal", action="store_true", default=True)
    g.add_argument("--expanded", dest="minimal", action="store_false")
    args = ap.parse_args(argv)
    if args.db == "sqlite-file" and not args.db_path:
        ap.error("--db sqlite-file needs --db-path")
    import uvicorn
    server = uvicorn.Server(uvicorn.Config(build(args), host="127.0.0.1", port=args.port,
                                           lifespan="on", log_level="warning",
                                           ws_max_size=64 << 20, ws_per_message_deflate=False))
    asyncio.run(server.serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
