"""The scenario engine: runs one scenario's steps against a running peer.

A scenario (``vectors/peer-*.json``, described in ``vectors/PEER-FORMAT.md``)
is a list of steps. The engine keeps, per websocket, the session state of
§6 (nonces, both URL counters, the FIFO of subscribe URLs that confirmations
are signed with, incoming streams, compressors), signs every message it sends
and verifies every authorization it receives (§10.3.4), so that a scenario
only states what matters: send this, expect that.

Every wait has a deadline; a scenario as a whole has one too (the plugin
enforces it).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import io
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional, Tuple

import zstandard

from . import links
from .auth import Authorizer, AuthConfig
from .codec import Codec, CodecError
from .model import AUTH, BYTE_FIELDS, COMPRESSION_CONTROL, HAS_RECOVERY, INT_FIELDS, URL_KEY, other

DEFAULT_TIMEOUT = 5.0
TRACE_KEEP = 60


class ScenarioFailure(Exception):
    """The peer did not do what the scenario requires."""


class NotApplicable(Exception):
    """The scenario cannot run against this peer or configuration."""


class HarnessError(Exception):
    """The harness itself could not do its part (not the peer's fault)."""


@dataclass
class Target:
    """The peer under test and how to reach it."""

    role: str                      # "broadcaster" or "subscriber": what the peer is
    auth: AuthConfig
    ws_url: str = ""               # broadcaster: its websocket URL
    http_base: str = ""            # broadcaster: its HTTP base URL
    capabilities: frozenset = frozenset()
    presets: Dict[int, bytes] = field(default_factory=dict)   # preset dictionaries (§7.1)
    subscriber: Any = None         # subscriber role: a peers.SubscriberLauncher
    name: str = "peer"


def sha512(b: bytes) -> bytes:
    return hashlib.sha512(b).digest()


def as_int(v: Any) -> int:
    return int(v) if not isinstance(v, bool) else int(v)


def short(msg: Dict[str, Any]) -> str:
    """A one-line rendering of a decoded message for transcripts."""
    parts = []
    for k, v in msg.items():
        if k in ("type", "flags"):
            continue
        if isinstance(v, str) and len(v) > 40:
            v = f"{v[:32]}…({len(v) // 2}B)" if k in BYTE_FIELDS else f"{v[:32]}…"
        parts.append(f"{k}={v}")
    return f"{msg.get('type')} " + " ".join(parts)


class Stream:
    """An incoming RECEIVE_STREAM / NOTIFY_STREAM being reassembled."""

    def __init__(self, part0: Dict[str, Any]):
        self.identifier = part0["identifier"]
        self.topic = part0["topic"]
        self.compressor = part0.get("compressor_id")
        if self.compressor is None:
            self.total = as_int(part0["uncompressed_length"])
            self.sha = part0["unverified_uncompressed_sha512"]
        else:
            self.total = as_int(part0["compressed_length"])
            self.sha = part0["unverified_compressed_sha512"]
        self.decompressed_length = part0.get("decompressed_length")
        self.buf = bytearray(bytes.fromhex(part0["payload"]))
        self.next_part = 1

    @property
    def complete(self) -> bool:
        return len(self.buf) >= self.total


class Conn:
    """One websocket with the §6 session state, from the harness's side."""

    def __init__(self, name: str, link: links.Link, out_dir: str, minimal: bool):
        self.name = name
        self.link = link
        self.out_dir = out_dir           # direction of what the harness sends
        self.in_dir = other(out_dir)
        self.minimal = minimal
        self.subscriber_nonce = b""
        self.broadcaster_nonce = b""
        self.nonce_b64 = ""
        self.counters = {"S": -1, "B": 1}
        self.request_urls: Deque[str] = collections.deque()   # QK-29
        self.notifies: Dict[str, Tuple[str, str]] = {}         # identifier -> (topic, sha)
        self.stream: Optional[Stream] = None                   # incoming
        self.zstd = False
        self.compressors: Dict[int, Optional[bytes]] = {}      # id -> dictionary (None: none)
        self.control: List[Dict[str, Any]] = []                # compression messages seen

    @property
    def my_counter(self) -> str:
        return "S" if self.out_dir == "s2b" else "B"

    @property
    def peer_counter(self) -> str:
        return "B" if self.out_dir == "s2b" else "S"

    def take_url(self, which: str, ws_url) -> str:
        if not self.nonce_b64:
            raise HarnessError("a websocket URL is needed before the handshake completed")
        ctr = self.counters[which]
        self.counters[which] = ctr + (1 if which == "B" else -1)
        return ws_url(self.nonce_b64, ctr)


class Run:
    """One scenario in one configuration (authorization mode, header mode)."""

    def __init__(self, scenario: Dict[str, Any], target: Target, codec: Codec, minimal: bool,
                 run_id: str):
        self.sc = scenario
        self.target = target
        self.codec = codec
        self.minimal = minimal
        self.auth = Authorizer(codec, target.auth)
        self.conns: Dict[str, Conn] = {}
        self.vars: Dict[str, Any] = {"run": run_id, "id": scenario["id"]}
        for ident, d in target.presets.items():  # preset dictionaries, for scenarios that send them
            self.vars[f"preset{ident}"] = d.hex()
            self.vars[f"preset{ident}_sha"] = sha512(d).hex()
        for k, v in scenario.get("let", {}).items():
            self.vars[k] = self.fmt(v)
        self.rng = random.Random(f"{scenario['id']}/{run_id}")
        self.trace: Deque[str] = collections.deque(maxlen=TRACE_KEEP)
        self.outcome: Optional[str] = None
        self.server: Optional[links.Server] = None
        self.endpoints: Dict[str, "Endpoint"] = {}
        self.process = None          # subscriber role: the peer's process
        self.t0 = time.monotonic()
        self.alive_n = 0

    # -- values ---------------------------------------------------------------------

    def fmt(self, s: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(self.vars.get(m.group(1), m.group(0))), s)

    def data(self, spec: Any) -> bytes:
        """Message bytes: text, {"hex": H}, {"random": N}, {"repeat": TEXT, "times": N}."""
        if spec is None:
            return b""
        if isinstance(spec, str):
            return self.fmt(spec).encode()
        if "hex" in spec:
            return bytes.fromhex(spec["hex"])
        if "random" in spec:  # the same bytes wherever the same spec appears in a run
            seed = f"{self.vars['run']}/{self.sc['id']}/{spec['random']}/{spec.get('seed', 0)}"
            return random.Random(seed).randbytes(int(spec["random"]))
        if "repeat" in spec:
            return self.fmt(spec["repeat"]).encode() * int(spec["times"])
        if "var" in spec:
            return bytes.fromhex(self.vars[spec["var"]])
        raise HarnessError(f"bad data spec {spec!r}")

    def value(self, key: str, v: Any) -> Any:
        """A scenario field value in the codec's JSON form."""
        if isinstance(v, dict):
            if "var" in v:
                return self.vars[v["var"]]
            return self.data(v).hex() if key in BYTE_FIELDS else self.data(v).decode()
        if isinstance(v, str):
            s = self.fmt(v)
            return s.encode().hex() if key in BYTE_FIELDS else s
        if isinstance(v, list):
            return [self.value(key, x) for x in v]
        return v

    def check(self, what: str, key: str, actual: Any, want: Any) -> None:
        """Field predicates: a plain value (equality), or {ge|le|gt|ne|len|any|in}."""
        if isinstance(want, dict) and not ({"var", "hex", "random", "repeat"} & set(want)):
            for op, arg in want.items():
                ok = {
                    "ge": lambda: as_int(actual) >= arg, "le": lambda: as_int(actual) <= arg,
                    "gt": lambda: as_int(actual) > arg, "ne": lambda: not self._eq(key, actual, self.value(key, arg)),
                    "len": lambda: actual is not None and len(actual) // 2 == arg,
                    "any": lambda: True,
                    "in": lambda: any(self._eq(key, actual, self.value(key, a)) for a in arg),
                }.get(op)
                if ok is None:
                    raise HarnessError(f"unknown predicate {op!r}")
                if not ok():
                    raise ScenarioFailure(f"{what}: {key} is {actual!r}, expected {op} {arg!r}")
            return
        exp = self.value(key, want)
        if not self._eq(key, actual, exp):
            raise ScenarioFailure(f"{what}: {key} is {actual!r}, expected {exp!r}")

    @staticmethod
    def _eq(key: str, a: Any, b: Any) -> bool:
        if a is None or b is None:
            return a is b
        if key in INT_FIELDS or (isinstance(a, (int, str)) and isinstance(b, int) and not isinstance(b, bool)):
            try:
                return as_int(a) == as_int(b)
            except (TypeError, ValueError):
                return False
        return a == b

    def note(self, line: str) -> None:
        self.trace.append(f"{time.monotonic() - self.t0:7.3f}s {line}")

    def conn(self, name: str) -> Conn:
        c = self.conns.get(name)
        if c is None:
            raise HarnessError(f"no connection named {name!r} (connect or accept it first)")
        return c

    # -- sending ----------------------------------------------------------------------

    @staticmethod
    def to_sign(msg: Dict[str, Any], fmap: Any) -> Dict[str, Any]:
        """The message's own fields of its to-sign layout (model.AUTH)."""
        return {sign_key: msg[msg_key] for sign_key, msg_key in fmap if msg_key is not None}

    @staticmethod
    def put_url(fields: Dict[str, Any], kind: str, url: Optional[str]) -> None:
        """The URL (MISSED: the recovery) and the empty recovery of §10.3.4."""
        if url is not None:
            fields[URL_KEY.get(kind, "url")] = url
        if kind in HAS_RECOVERY:
            fields["recovery"] = None

    def sign_stateful(self, c: Conn, msg: Dict[str, Any], variant: str,
                      extra: Optional[Dict[str, Any]] = None) -> None:
        kind, counter, fmap = AUTH[(c.out_dir, msg["type"])]
        fields = {**self.to_sign(msg, fmap), **(extra or {})}
        url = None
        if counter == c.my_counter and variant == "stale-url":
            # the URL of the counter value before this one (never the current one),
            # and the counter does not move: a verifier that checks §6.2 refuses it
            if not c.nonce_b64:
                raise HarnessError("a websocket URL is needed before the handshake completed")
            prev = c.counters[counter] + (-1 if counter == "B" else 1)
            url = self.codec.ws_url(c.nonce_b64, prev)
        elif counter == c.my_counter:
            url = c.take_url(counter, self.codec.ws_url)
        elif counter == "request":
            if not c.request_urls:
                raise HarnessError(f"{msg['type']}: no request URL to confirm")
            url = c.request_urls.popleft()
        elif variant == "stale-url":
            raise HarnessError(f"{msg['type']} is signed without a websocket URL: no stale-url variant")
        self.put_url(fields, kind, url)
        if msg["type"].startswith(("SUBSCRIBE_", "UNSUBSCRIBE_")) and c.out_dir == "s2b":
            c.request_urls.append(url or "")
        side = "to_broadcaster" if c.out_dir == "s2b" else "to_subscriber"
        msg["authorization"] = self.auth.sign(side, kind, bytes.fromhex(msg.get("tracing", "")),
                                              fields, variant)

    async def send(self, c: Conn, msg: Dict[str, Any], variant: str = "auto",
                   extra: Optional[Dict[str, Any]] = None, minimal: Optional[bool] = None,
                   patch: Optional[Tuple[bytes, bytes]] = None) -> None:
        msg.setdefault("tracing", "")
        msg.setdefault("authorization", None)
        self.sign_stateful(c, msg, variant, extra)
        try:
            frame = self.codec.encode(c.out_dir, msg, c.minimal if minimal is None else minimal)
        except CodecError as e:
            raise HarnessError(f"the codec cannot encode {short(msg)}: {e}") from e
        if patch is not None:  # what the codec refuses to write: replace bytes after encoding
            at = frame.index(patch[0])
            frame = frame[:at] + patch[1] + frame[at + len(patch[0]):]
        self.note(f"{c.name} > {short(msg)}" + ("" if variant == "auto" else f" [auth {variant}]"))
        await c.link.send(frame)
        if msg["type"] in COMPRESSION_CONTROL:  # the harness's own announcements apply to itself
            ident = as_int(msg["identifier"])
            if msg["type"] == "DISABLE_ZSTD_CUSTOM":
                c.compressors.pop(ident, None)
            else:
                c.compressors[ident] = (bytes.fromhex(msg["dictionary"]) if "dictionary" in msg
                                        else self.target.presets.get(ident))

    async def send_raw(self, c: Conn, frame: bytes, label: str) -> None:
        self.note(f"{c.name} > raw {label} {frame[:24].hex()}{'…' if len(frame) > 24 else ''} ({len(frame)}B)")
        await c.link.send(frame)

    # -- receiving --------------------------------------------------------------------

    def verify_stateful(self, c: Conn, msg: Dict[str, Any]) -> None:
        t = msg["type"]
        kind, counter, fmap = AUTH[(c.in_dir, t)]
        fields = self.to_sign(msg, fmap)
        if t == "NOTIFY":
            fields["sha512"] = msg.get("verified_uncompressed_sha512") or msg.get("verified_compressed_sha512")
        elif t in ("NOTIFY_STREAM", "RECEIVE_STREAM"):
            s = c.stream
            if msg.get("part_id") is None:
                s = Stream(msg)
            if s is None:
                if counter == c.peer_counter:
                    c.take_url(counter, self.codec.ws_url)  # keep the counters in step
                raise ScenarioFailure(f"{t} continuation part {msg.get('part_id')} without a part 0")
            fields.update(topic=s.topic, identifier=s.identifier, sha512=s.sha)
        elif t == "CONFIRM_NOTIFY":
            topic, sha = c.notifies.get(msg["identifier"], (None, None))
            if topic is None:
                raise ScenarioFailure(f"CONFIRM_NOTIFY for identifier {msg['identifier']} that was never sent")
            fields.update(topic=topic, sha512=sha)
        url = None
        if counter == c.peer_counter:
            url = c.take_url(counter, self.codec.ws_url)
        elif counter == "request":
            if not c.request_urls:
                raise ScenarioFailure(f"{t} confirms a request that was never sent (§6.3)")
            url = c.request_urls.popleft()
        self.put_url(fields, kind, url)
        if c.in_dir == "s2b" and t.startswith(("SUBSCRIBE_", "UNSUBSCRIBE_")):
            c.request_urls.append(url or "")
        side = "to_broadcaster" if c.in_dir == "s2b" else "to_subscriber"
        res = self.auth.verify(side, kind, bytes.fromhex(msg.get("tracing", "")), fields,
                               msg.get("authorization"))
        if res != "OK":
            where = f" with url {url!r}" if url is not None else ""
            raise ScenarioFailure(
                f"{t}: its authorization {msg.get('authorization')!r} does not verify as {kind}{where} "
                f"({res}; §10.3.4{', §6.2 counter' if url else ''})")

    async def recv(self, c: Conn, timeout: float) -> Dict[str, Any]:
        """The next message from the peer, decoded and verified. Raises LinkClosed / TimeoutError."""
        kind, item = await c.link.next(timeout)
        if kind == "close":
            self.note(f"{c.name} < closed (code {item.code})")
            raise item
        if kind == "text":
            self.note(f"{c.name} < text frame {item[:60]!r}")
            raise ScenarioFailure(f"peer sent a text frame ({item[:60]!r}); the protocol uses binary frames (§2.1)")
        try:
            msg = self.codec.decode(c.in_dir, item)
        except CodecError as e:
            self.note(f"{c.name} < undecodable {item[:24].hex()}… ({len(item)}B)")
            raise ScenarioFailure(f"peer sent a frame the codec rejects ({e.error}: {e.detail}): "
                                  f"{item[:64].hex()}{'…' if len(item) > 64 else ''}") from e
        self.note(f"{c.name} < {short(msg)}")
        self.verify_stateful(c, msg)
        if msg["type"] in COMPRESSION_CONTROL:
            self.on_compression(c, msg)
        return msg

    def on_compression(self, c: Conn, msg: Dict[str, Any]) -> None:
        ident = as_int(msg["identifier"])
        c.control.append(msg)
        if msg["type"] == "DISABLE_ZSTD_CUSTOM":
            if ident not in c.compressors:
                raise ScenarioFailure(f"DISABLE_ZSTD_CUSTOM for compressor {ident} that was never enabled (§7.3)")
            del c.compressors[ident]
            return
        if ident in c.compressors:
            raise ScenarioFailure(f"{msg['type']} for compressor {ident} that is already enabled (§7.3)")
        if msg["type"] == "ENABLE_ZSTD_CUSTOM":
            if ident < 65536:
                raise ScenarioFailure(f"ENABLE_ZSTD_CUSTOM with identifier {ident} < 65536 (§7.1)")
            d = bytes.fromhex(msg["dictionary"])
            if sha512(d).hex() != msg["sha512"]:
                raise ScenarioFailure("ENABLE_ZSTD_CUSTOM: x-sha512 is not the SHA-512 of the dictionary (QK-12)")
            c.compressors[ident] = d
        else:
            if not 1 <= ident < 65536:
                raise ScenarioFailure(f"ENABLE_ZSTD_PRESET with identifier {ident} outside 1..65535 (§7.1, QK-03)")
            if ident > 1 and ident not in self.target.presets:
                raise ScenarioFailure(f"ENABLE_ZSTD_PRESET {ident}: not a preset this subscriber has")
            c.compressors[ident] = self.target.presets.get(ident)

    async def expect_msg(self, c: Conn, types: List[str], timeout: float) -> Dict[str, Any]:
        """The next message of one of `types`, passing over compression control messages
        on a connection that enabled zstd."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                msg = await self.recv(c, max(left, 0.001))
            except asyncio.TimeoutError:
                raise ScenarioFailure(f"{c.name}: no {' or '.join(types)} within {timeout:g} s") from None
            except links.LinkClosed as e:
                raise ScenarioFailure(f"{c.name}: the peer closed the connection (code {e.code}) "
                                      f"while {' or '.join(types)} was expected") from None
            if msg["type"] in types:
                return msg
            if msg["type"] in COMPRESSION_CONTROL and c.zstd:
                continue
            raise ScenarioFailure(f"{c.name}: expected {' or '.join(types)}, got {msg['type']}")

    # -- compression ------------------------------------------------------------------

    def compress(self, c: Conn, ident: int, data: bytes) -> bytes:
        if ident not in c.compressors:
            raise HarnessError(f"compressor {ident} is not enabled on {c.name}")
        d = c.compressors[ident]
        level = 3
        params = zstandard.ZstdCompressionParameters.from_level(
            level, write_checksum=False, write_content_size=False, write_dict_id=False)
        zd = zstandard.ZstdCompressionDict(d) if d else None
        return zstandard.ZstdCompressor(compression_params=params, dict_data=zd).compress(data)

    def decompress(self, c: Conn, ident: int, data: bytes, limit: int) -> bytes:
        if ident not in c.compressors:
            raise ScenarioFailure(f"data compressed with compressor {ident}, which was never enabled (§7)")
        d = c.compressors[ident]
        zd = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(d) if d else None,
                                        max_window_size=8 << 20)
        try:  # never more than one byte past the declared length
            with zd.stream_reader(io.BytesIO(data)) as r:
                return r.read(limit + 1)
        except zstandard.ZstdError as e:
            raise ScenarioFailure(f"compressed data (compressor {ident}) does not decompress: {e}") from e


class Endpoint:
    """An HTTP subscriber the harness serves: receive and recovery URLs (§8.2.6–7)."""

    def __init__(self, run: Run, name: str, behaviour: str):
        self.run = run
        self.name = name
        self.behaviour = behaviour            # ok | fail | unsubscribe
        self.requests: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        assert run.server is not None
        # unique per run and scenario: late callbacks of earlier scenarios get 404
        prefix = f"/{run.vars['run']}/{run.vars['id']}/{name}"
        self.receive_url = f"{run.server.base}{prefix}/v1/receive"
        self.recover_url = f"{run.server.base}{prefix}/v1/recover"
        run.server.handlers[f"{prefix}/v1/receive"] = self.on_receive
        run.server.handlers[f"{prefix}/v1/recover"] = self.on_missed

    async def on_receive(self, req: links.HttpRequest) -> links.HttpReply:
        run = self.run
        event: Dict[str, Any] = {"kind": "RECEIVE", "problems": []}
        try:
            digest = run.codec.repr_digest_parse(req.headers.get("Repr-Digest"))
            body = run.codec.sdecode("RECEIVE", req.body)
        except CodecError as e:
            event["problems"].append(f"malformed RECEIVE request ({e})")
            await self.requests.put(event)
            return links.HttpReply(400, b"\x00\x0a")
        event.update(body)
        msg = bytes.fromhex(body["message"])
        if sha512(msg) != digest:
            event["problems"].append("Repr-Digest is not the SHA-512 of the message (§8.2.6)")
        res = run.auth.verify("to_subscriber", "RECEIVE", bytes.fromhex(body["tracing"]),
                              {"url": self.receive_url, "topic": body["topic"],
                               "identifier": body["identifier"], "sha512": digest.hex()},
                              req.headers.get("Authorization"))
        if res != "OK":
            event["problems"].append(f"RECEIVE authorization does not verify ({res}, §10.3.4)")
        run.note(f"http {self.name} < RECEIVE topic={body['topic']} {len(msg)}B"
                 + (f" problems={event['problems']}" if event["problems"] else ""))
        await self.requests.put(event)
        if self.behaviour == "fail":
            return links.HttpReply(500, b"")
        if self.behaviour == "unsubscribe":
            return links.HttpReply(200, b"\x00\x0a")
        auth = run.auth.sign("to_broadcaster", "CONFIRM_RECEIVE", b"",
                             {"identifier": body["identifier"], "num_subscribers": 1,
                              "url": self.receive_url})
        out = run.codec.sencode("RESPONSE_CONFIRM_RECEIVE", {
            "authorization": auth, "tracing": "", "identifier": body["identifier"],
            "num_subscribers": 1})
        return links.HttpReply(200, out, {"Content-Type": "application/octet-stream"})

    async def on_missed(self, req: links.HttpRequest) -> links.HttpReply:
        run = self.run
        event: Dict[str, Any] = {"kind": "MISSED", "problems": []}
        try:
            body = run.codec.sdecode("MISSED", req.body)
        except CodecError as e:
            event["problems"].append(f"malformed MISSED request ({e})")
            await self.requests.put(event)
            return links.HttpReply(400, b"")
        event.update(body)
        res = run.auth.verify("to_subscriber", "MISSED", bytes.fromhex(body["tracing"]),
                              {"recovery": self.recover_url, "topic": body["topic"]},
                              req.headers.get("Authorization"))
        if res != "OK":
            event["problems"].append(f"MISSED authorization does not verify ({res}, §10.3.4)")
        run.note(f"http {self.name} < MISSED topic={body['topic']}"
                 + (f" problems={event['problems']}" if event["problems"] else ""))
        await self.requests.put(event)
        auth = run.auth.sign("to_broadcaster", "CONFIRM_MISSED", b"",
                             {"topic": body["topic"], "url": self.recover_url})
        out = run.codec.sencode("RESPONSE_CONFIRM_MISSED", {"authorization": auth, "tracing": ""})
        return links.HttpReply(200, out, {"Content-Type": "application/octet-stream"})
