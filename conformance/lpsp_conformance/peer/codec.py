"""The project's C codec, seen from Python: one long-lived ``lpsp testee``.

Peer conformance never encodes or decodes a frame itself and never uses
lonelypsp: every message, body, etag, HMAC code, connection nonce and
websocket URL goes through the C codec over the testee protocol
(``conformance/TESTEE-PROTOCOL.md``), so the peer suite checks peers with
the same code that the message vectors check.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, Dict, List, Optional, Tuple

from .. import REPO_ROOT
from ..testee import AdapterFault, HandshakeError, Testee


class CodecError(Exception):
    """The codec refused an input (``rejected``); ``error`` is its error class."""

    def __init__(self, op: str, error: str, detail: str):
        super().__init__(f"{op}: {error}: {detail}")
        self.op = op
        self.error = error
        self.detail = detail


class CodecFault(Exception):
    """The codec process crashed or hung twice on one request: a harness error."""


def default_codec_argv() -> List[str]:
    env = os.environ.get("LPSP_CODEC")
    if env:
        return shlex.split(env)
    return [str(REPO_ROOT / "build" / "lpsp"), "testee"]


class Codec:
    """Typed calls over one ``lpsp testee`` process. Not thread-safe."""

    def __init__(self, argv: Optional[List[str]] = None, timeout: float = 10.0):
        self.testee = Testee(argv or default_codec_argv(), timeout=timeout, startup_timeout=10.0)
        self.hello = self.testee.start()

    def close(self) -> None:
        self.testee.stop()

    def __enter__(self) -> "Codec":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call(self, op: str, inp: Dict[str, Any]) -> Dict[str, Any]:
        try:
            resp = self.testee.request(op, inp, vector="peer")
        except AdapterFault:
            # one restart: a codec fault must not take a whole peer run down
            try:
                self.testee.restart()
                resp = self.testee.request(op, inp, vector="peer")
            except (AdapterFault, HandshakeError) as e:
                raise CodecFault(f"the codec ({' '.join(self.testee.argv)}) failed on {op}: {e}") from e
        if resp["status"] == "ok":
            return resp["output"]
        if resp["status"] == "rejected":
            raise CodecError(op, resp["error"], resp.get("detail", ""))
        raise CodecError(op, "unsupported", resp.get("detail", ""))

    # -- stateful frames ------------------------------------------------------------

    def encode(self, direction: str, message: Dict[str, Any], minimal: bool) -> bytes:
        out = self.call("encode", {"direction": direction, "minimal_headers": minimal,
                                   "message": message})
        return bytes.fromhex(out["hex"])

    def decode(self, direction: str, frame: bytes) -> Dict[str, Any]:
        return self.call("decode", {"direction": direction, "hex": frame.hex()})

    # -- stateless bodies -----------------------------------------------------------

    def sencode(self, body: str, fields: Dict[str, Any]) -> bytes:
        return bytes.fromhex(self.call("stateless_encode", {"body": body, **fields})["hex"])

    def sdecode(self, body: str, data: bytes) -> Dict[str, Any]:
        return self.call("stateless_decode", {"body": body, "hex": data.hex()})

    def repr_digest(self, digest: bytes) -> str:
        return self.call("repr_digest_format", {"digest": digest.hex()})["header"]

    def repr_digest_parse(self, header: Optional[str]) -> bytes:
        return bytes.fromhex(self.call("repr_digest_parse", {"header": header})["digest"])

    def etag(self, url: str, exact: List[Dict[str, Any]], glob: List[Dict[str, Any]]) -> Tuple[bytes, bytes]:
        out = self.call("etag", {"url": url, "exact": exact, "glob": glob, "check_order": True})
        return bytes.fromhex(out["document"]), bytes.fromhex(out["etag"])

    # -- authorization --------------------------------------------------------------

    def hmac_sign(self, fields: Dict[str, Any]) -> str:
        return self.call("hmac_sign", fields)["authorization"]

    def hmac_verify(self, fields: Dict[str, Any]) -> str:
        """'OK', or the error class ('unauthorized' / 'forbidden' / ...)."""
        try:
            return self.call("hmac_verify", fields)["result"]
        except CodecError as e:
            return e.error

    def bearer_check(self, token: str, authorization: Optional[str]) -> str:
        try:
            return self.call("bearer_check", {"token": token, "authorization": authorization})["result"]
        except CodecError as e:
            return e.error

    # -- session --------------------------------------------------------------------

    def connection_nonce(self, subscriber_nonce: bytes, broadcaster_nonce: bytes) -> str:
        out = self.call("connection_nonce", {"subscriber_nonce": subscriber_nonce.hex(),
                                             "broadcaster_nonce": broadcaster_nonce.hex()})
        return out["nonce_b64"]

    def ws_url(self, nonce_b64: str, counter: int) -> str:
        return self.call("ws_url", {"nonce_b64": nonce_b64, "counter": str(counter)})["url"]
