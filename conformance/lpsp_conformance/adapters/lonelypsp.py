"""Testee-protocol adapter for the Python reference implementation, lonelypsp.

It answers every operation it can with the reference's own functions, so a
run against it shows exactly where the reference deviates from the vectors:

* decode: lonelypsp.stateful.parser_helpers prefix parsers, then
  S2B_AnyMessageParser / B2S_AnyMessageParser; the prefix parsers, then the
  type's own parser from S2B_MESSAGE_PARSERS / B2S_MESSAGE_PARSERS; and the
  AnyMessageParser dispatch handed the wire's type as a plain integer;
* encode: the serialize_* functions of lonelypsp.stateful.messages.*;
* etag: lonelypsp.stateless.make_strong_etag and the streaming builder
  create_strong_etag_generator, fed in three ways (the document is the exact
  byte string each one hashes, captured at its hash calls);
* hmac_to_sign / hmac_sign / hmac_verify / hmac_parse_token /
  hmac_secret_decode: the to-sign builders, sign(), the authorize_* signers,
  the is_*_allowed verifiers, get_token() + check_code() and the secret
  decoding of both HMAC auth classes in lonelypsp.auth.helpers.hmac_auth_config,
  the signers and verifiers also through lonelypsp.auth.config.AuthConfigFromParts;
* bearer_check: both classes of lonelypsp.auth.helpers.token_auth_config,
  their header check and every is_*_allowed, directly and through
  AuthConfigFromParts;
* base64_lenient: binascii.a2b_base64 (the decoder the reference calls);
  py_int: int() (the parser the reference calls).

Where several public entry points compute the same result, every request
runs through all of them (ENTRY_POINTS, also sent in the handshake, lists
them) and they must agree; if one does not, the answer is an `ok` whose only
output field, entry_point_disagreement, names it. No vector expects that, so
a deviation in any one of them (a mutant in mutation testing) fails vectors.

connection_nonce and ws_url have no function in lonelypsp: the reference
peers (lonelypss broadcaster, lonelypsc client) compute them inline with
hashlib and base64. This adapter mirrors that code path as the protocol
specification describes it (§6.1, §6.2). Stateless body parsing and
serializing, Repr-Digest and websocket-URL parsing are not in lonelypsp: those
operations answer `unsupported`.

By default the installed lonelypsp is used; set LONELYPSP_SRC to a source
checkout (its root or its src/ directory) to test an unreleased version.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import hashlib
import hmac as _std_hmac
import importlib
import io
import json
import os
import pkgutil
import sys
import typing
from typing import Any, Callable, Dict, List, Optional, Tuple

_src = os.environ.get("LONELYPSP_SRC")
_checkout = ""  # the directory holding the checkout's pyproject.toml
if _src:
    _root = _checkout = os.path.abspath(_src)
    if os.path.isdir(os.path.join(_root, "src", "lonelypsp")):
        _root = os.path.join(_root, "src")
    if os.environ.get("_LPSP_ADAPTER_SRC") != _root:
        # start again with the checkout first on PYTHONPATH (the interpreter
        # builds the module search path; this module does not edit it)
        env = dict(os.environ, _LPSP_ADAPTER_SRC=_root,
                   PYTHONPATH=os.pathsep.join(p for p in (_root, os.environ.get("PYTHONPATH")) if p))
        os.execve(sys.executable, [sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp", *sys.argv[1:]], env)


def _in_checkout(path: str) -> bool:
    return os.path.abspath(path).startswith(os.path.join(_root, ""))


try:
    import lonelypsp
    if _src:
        # lonelypsp is a namespace package: its portions in the checkout and
        # in an installed copy would merge, so keep only the checkout's
        lonelypsp.__path__ = [p for p in lonelypsp.__path__ if _in_checkout(p)]
        if not lonelypsp.__path__:
            raise ImportError(f"LONELYPSP_SRC: no lonelypsp package under {_root}")
    import lonelypsp.stateful.messages as _messages_pkg
    import lonelypsp.stateless.make_strong_etag as _etag_mod
    from lonelypsp.auth.config import AuthConfigFromParts, AuthResult
    from lonelypsp.auth.helpers import hmac_auth_config as _hmac
    from lonelypsp.auth.helpers import token_auth_config as _token
    from lonelypsp.stateful.constants import (BroadcasterToSubscriberStatefulMessageType as B2SType,
                                              SubscriberToBroadcasterStatefulMessageType as S2BType)
    from lonelypsp.stateful.constants import PubSubStatefulMessageFlags
    from lonelypsp.stateful.parser import (B2S_MESSAGE_PARSERS, S2B_MESSAGE_PARSERS, B2S_AnyMessageParser,
                                           S2B_AnyMessageParser)
    from lonelypsp.stateful.parser_helpers import parse_b2s_message_prefix, parse_s2b_message_prefix
    if _src:
        _outside = sorted(name for name, mod in list(sys.modules.items())
                          if name.split(".")[0] == "lonelypsp" and getattr(mod, "__file__", None)
                          and not _in_checkout(mod.__file__))
        if _outside:
            raise ImportError(f"LONELYPSP_SRC={_src}, but these modules come from elsewhere: {_outside}")
except ImportError as _e:  # reported through the handshake
    _IMPORT_ERROR: Optional[BaseException] = _e
else:
    _IMPORT_ERROR = None

# what lonelypsp has code for: no stateless bodies, no Repr-Digest, no URL parser
FEATURES = ["stateful", "etag", "hmac", "bearer", "session:connection_nonce", "session:ws_url"]
JS_SAFE = 2 ** 53

# informative (handshake "entry_points"): the lonelypsp functions each
# capability is answered through; where there are several, every one of them
# runs for every request and they must agree
ENTRY_POINTS: Dict[str, List[str]] = {
    "stateful": ["parse_s2b_message_prefix + S2B_AnyMessageParser.parse",
                 "parse_b2s_message_prefix + B2S_AnyMessageParser.parse",
                 "parse_s2b_message_prefix + the type's S2B_*Parser.parse (from S2B_MESSAGE_PARSERS)",
                 "parse_b2s_message_prefix + the type's B2S_*Parser.parse (from B2S_MESSAGE_PARSERS)",
                 "S2B_AnyMessageParser.parse / B2S_AnyMessageParser.parse with the wire's type as an int",
                 "serialize_s2b_* / serialize_b2s_*"],
    "etag": ["make_strong_etag",
             "create_strong_etag_generator + add_topic + finish_topics + add_glob + finish, fed three ways: "
             "all entries in one call each; one entry per call; split at an input-derived position around an "
             "empty call"],
    "hmac:to_sign": ["To{Broadcaster,Subscriber}HmacAuth._prepare_* (the to-sign builders)",
                     "To{Broadcaster,Subscriber}HmacAuth.authorize_* (to-sign read at the HMAC)",
                     "AuthConfigFromParts.authorize_* (to-sign read at the HMAC)",
                     "To{Broadcaster,Subscriber}HmacAuth.is_*_allowed (to-sign read at the HMAC; "
                     "nonces without ':')",
                     "AuthConfigFromParts.is_*_allowed (to-sign read at the HMAC; nonces without ':')"],
    "hmac:sign": ["sign() over the to-sign builder's bytes", "To{Broadcaster,Subscriber}HmacAuth.authorize_*",
                  "AuthConfigFromParts.authorize_*"],
    "hmac:verify": ["To{Broadcaster,Subscriber}HmacAuth.is_*_allowed", "AuthConfigFromParts.is_*_allowed",
                    "get_token + the to-sign builder + check_code"],
    "hmac:parse_token": ["get_token"],
    "hmac:secret_decode": ["ToBroadcasterHmacAuth(secret=...)", "ToSubscriberHmacAuth(secret=...)"],
    "hmac:base64_lenient": ["binascii.a2b_base64"],
    "hmac:py_int": ["int"],
    "bearer:check": ["ToBroadcasterTokenAuth._check_header", "ToSubscriberTokenAuth._check_header",
                     "To{Broadcaster,Subscriber}TokenAuth.is_*_allowed (all 21 message kinds)",
                     "AuthConfigFromParts.is_*_allowed over the token classes (all 21 message kinds)"],
    "session:connection_nonce": ["hashlib.sha256 + base64.b64encode, as the reference peers compute it"],
    "session:ws_url": ["the reference peers' format string"],
}


class Reject(Exception):
    def __init__(self, cls: str, detail: str):
        super().__init__(detail)
        self.cls = cls
        self.detail = detail


class Unsupported(Exception):
    pass


# --------------------------------------------------------------------------- values

def to_json(v: Any) -> Any:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return int(v) if -JS_SAFE < v < JS_SAFE else str(int(v))
    raise TypeError(f"cannot represent {type(v).__name__}")


def hexbytes(v: Any, what: str) -> bytes:
    if not isinstance(v, str):
        raise Reject("invalid_argument", f"{what}: expected a hex string")
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise Reject("invalid_argument", f"{what}: not hex")


def integer(v: Any, what: str) -> int:
    if isinstance(v, bool):
        raise Reject("invalid_argument", f"{what}: expected an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return int(v, 10)
        except ValueError:
            pass
    raise Reject("invalid_argument", f"{what}: expected an integer")


def text(v: Any, what: str, optional: bool = False) -> Optional[str]:
    if v is None and optional:
        return None
    if not isinstance(v, str):
        raise Reject("invalid_argument", f"{what}: expected a string")
    return v


# --------------------------------------------------------------------------- stateful

_LOOP: Optional[asyncio.AbstractEventLoop] = None


def run(coro: Any) -> Any:
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    return _LOOP.run_until_complete(coro)


class _Registry:
    """Message dataclasses and serializers of lonelypsp.stateful.messages."""

    def __init__(self) -> None:
        self.classes: Dict[Tuple[str, str], List[type]] = {}
        self.serializers: Dict[str, Callable] = {}
        for info in pkgutil.iter_modules(_messages_pkg.__path__):
            mod = importlib.import_module(f"{_messages_pkg.__name__}.{info.name}")
            for name, obj in vars(mod).items():
                if name.startswith("serialize_") and callable(obj):
                    self.serializers[name] = obj
                if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                    hints = typing.get_type_hints(obj)
                    lit = typing.get_args(hints.get("type"))
                    if len(lit) == 1 and isinstance(lit[0], (S2BType, B2SType)):
                        d = "s2b" if isinstance(lit[0], S2BType) else "b2s"
                        self.classes.setdefault((d, lit[0].name), []).append(obj)

    def message_class(self, direction: str, typename: str, keys: set) -> type:
        for cls in self.classes.get((direction, typename), []):
            if {f.name for f in dataclasses.fields(cls)} - {"type"} == keys:
                return cls
        raise Reject("invalid_argument", f"no {direction} {typename} variant has the fields {sorted(keys)}")


_REG: Optional[_Registry] = None


def registry() -> _Registry:
    global _REG
    if _REG is None:
        _REG = _Registry()
    return _REG


def _convert_field(hint: Any, value: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        if args == (None,):
            if value is not None:
                raise Reject("invalid_argument", f"{name}: must be null for this variant")
            return None
        return args[0]
    if origin is typing.Union and type(None) in args:
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)][0]
        return _convert_field(inner, value, name)
    if hint is bytes:
        return hexbytes(value, name)
    if hint is bool:
        if not isinstance(value, bool):
            raise Reject("invalid_argument", f"{name}: expected a boolean")
        return value
    if hint is int:
        return integer(value, name)
    if hint is str:
        return text(value, name)
    raise Reject("invalid_argument", f"{name}: unsupported field type {hint!r}")


def build_message(direction: str, msg: Dict[str, Any]) -> Any:
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise Reject("invalid_argument", "message must be an object with a type")
    enum = S2BType if direction == "s2b" else B2SType
    if msg["type"] not in enum.__members__:
        raise Reject("invalid_argument", f"unknown {direction} type {msg['type']}")
    keys = set(msg) - {"type"}
    cls = registry().message_class(direction, msg["type"], keys)
    hints = typing.get_type_hints(cls)
    kwargs = {"type": enum[msg["type"]]}
    for f in dataclasses.fields(cls):
        if f.name != "type":
            kwargs[f.name] = _convert_field(hints[f.name], msg[f.name], f.name)
    return cls(**kwargs)


def classify_parse_error(e: BaseException) -> str:
    if isinstance(e, KeyError):
        return "missing_header"
    if isinstance(e, UnicodeDecodeError):
        return "bad_header_name" if e.encoding == "ascii" else "bad_utf8"
    msg = str(e)
    if isinstance(e, ValueError):
        if "underflow" in msg:
            return "truncated"
        if "is not a valid" in msg or "Message type" in msg:
            return "bad_type"
        if "utf-8" in msg:
            return "bad_utf8"
        if "does not match the message length" in msg or "must equal" in msg:
            return "length_mismatch"
        if "does not match" in msg:
            return "hash_mismatch"
        if "at most" in msg or " max " in msg or "must be 32 bytes" in msg or "must be 64 bytes" in msg:
            return "field_size"
    return "invalid_value"


def _decoded(flags: Any, msg: Any, enum: Any) -> Dict[str, Any]:
    # the parsers keep the type they are handed; the wire-type path hands
    # them a plain int, so the name comes from the enum
    out: Dict[str, Any] = {"type": enum(int(msg.type)).name, "flags": int(flags)}
    for f in dataclasses.fields(msg):
        if f.name != "type":
            out[f.name] = to_json(getattr(msg, f.name))
    return out


def _parsed(fn: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    try:
        return fn()
    except (ValueError, KeyError) as e:
        raise Reject(classify_parse_error(e), f"{type(e).__name__}: {e}")


def op_decode(inp: Dict[str, Any]) -> Dict[str, Any]:
    """Three ways into the parsers (ENTRY_POINTS["stateful"]): the prefix
    parser and the type's own parser, as the peers read the configure
    handshake; the prefix parser and the dispatch, as they read an open
    connection; and the dispatch handed the wire's type as a plain integer,
    which is what its own checks (negative, past the table, no parser) are
    there for. The type's own parser goes first, so a disagreement names the
    dispatch."""
    direction = inp.get("direction")
    if direction not in ("s2b", "b2s"):
        raise Reject("invalid_argument", "direction must be s2b or b2s")
    data = hexbytes(inp.get("hex"), "hex")
    if direction == "s2b":
        prefix_of, anyp, parsers, enum = parse_s2b_message_prefix, S2B_AnyMessageParser, S2B_MESSAGE_PARSERS, S2BType
    else:
        prefix_of, anyp, parsers, enum = parse_b2s_message_prefix, B2S_AnyMessageParser, B2S_MESSAGE_PARSERS, B2SType

    def dispatch() -> Dict[str, Any]:
        stream = io.BytesIO(data)
        prefix = prefix_of(stream)
        return _decoded(prefix.flags, anyp.parse(prefix.flags, prefix.type, stream), enum)

    def own_parser() -> Dict[str, Any]:
        stream = io.BytesIO(data)
        prefix = prefix_of(stream)
        for p in parsers:
            if prefix.type in p.relevant_types():
                return _decoded(prefix.flags, p.parse(prefix.flags, prefix.type, stream), enum)
        raise NotApplicable(f"no {direction} message parser lists {prefix.type!r}")

    def wire_type() -> Dict[str, Any]:
        if len(data) < 4:
            raise NotApplicable("shorter than the prefix: the prefix parser's to judge")
        flags = PubSubStatefulMessageFlags(int.from_bytes(data[:2], "big"))
        typ = int.from_bytes(data[2:4], "big")
        return _decoded(flags, anyp.parse(flags, typ, io.BytesIO(data[4:])), enum)

    p = direction.upper()
    return agree([(f"parse_{direction}_message_prefix + the type's {p}_*Parser.parse", lambda: _parsed(own_parser)),
                  (f"parse_{direction}_message_prefix + {p}_AnyMessageParser.parse", lambda: _parsed(dispatch)),
                  (f"{p}_AnyMessageParser.parse with the wire's type as an int", lambda: _parsed(wire_type))])


def op_encode(inp: Dict[str, Any]) -> Dict[str, Any]:
    direction = inp.get("direction")
    if direction not in ("s2b", "b2s"):
        raise Reject("invalid_argument", "direction must be s2b or b2s")
    minimal = inp.get("minimal_headers")
    if not isinstance(minimal, bool):
        raise Reject("invalid_argument", "minimal_headers must be a boolean")
    msg = build_message(direction, inp.get("message"))
    ser = registry().serializers.get(f"serialize_{direction}_{msg.type.name.lower()}")
    if ser is None:
        raise Unsupported(f"no serializer for {direction} {msg.type.name}")
    try:
        data = ser(msg, minimal_headers=minimal)
    except OverflowError as e:
        raise Reject("invalid_argument", f"OverflowError: {e}")
    except (AssertionError, UnicodeEncodeError, ValueError) as e:
        raise Reject("invalid_argument", f"{type(e).__name__}: {e}")
    return {"hex": bytes(data).hex()}


# --------------------------------------------------------------------------- agreement
# Every operation with more than one lonelypsp entry point computing the same
# result is answered through all of them. They must agree on the outcome (the
# output, or the error class); when one does not, the answer is an `ok` whose
# output names it. No vector expects that output, so the vector fails whatever
# its verdict, and the report shows which entry point went its own way.

class Disagreement(Exception):
    def __init__(self, first: str, first_outcome: Tuple[Any, ...], other: str, outcome: Tuple[Any, ...]):
        super().__init__(f"{other} disagrees with {first}")
        self.first, self.first_outcome, self.other, self.outcome = first, first_outcome, other, outcome

    def answer(self) -> Dict[str, Any]:
        def show(o: Tuple[Any, ...]) -> Any:
            return {"status": "ok", "output": o[1]} if o[0] == "ok" else {"status": o[0], "error": o[1], "detail": o[2]}
        return {"entry_point_disagreement": {"entry_point": self.other, "answer": show(self.outcome),
                                             "versus": self.first, "versus_answer": show(self.first_outcome)}}


class NotApplicable(Exception):
    """This entry point has nothing to say about this input (it stopped at a
    check of its own before reaching the computation being compared)."""


def _outcome(fn: Callable[[], Dict[str, Any]]) -> Tuple[Any, ...]:
    try:
        return ("ok", fn())
    except NotApplicable as n:
        return ("n/a", None, str(n))
    except Reject as r:
        return ("rejected", r.cls, r.detail)
    except Unsupported as u:
        return ("unsupported", None, str(u))
    except Exception as e:  # as handle() would answer it
        return ("rejected", "invalid_value", f"unexpected {type(e).__name__}: {e}")


def agree(paths: List[Tuple[str, Callable[[], Dict[str, Any]]]]) -> Dict[str, Any]:
    """Runs every (entry point, computation); returns the common output or
    raises the common rejection. Rejections agree when their classes do."""
    first_name, first = paths[0][0], _outcome(paths[0][1])
    for name, fn in paths[1:]:
        o = _outcome(fn)
        if o[0] != "n/a" and o[:2] != first[:2]:
            raise Disagreement(first_name, first, name, o)
    if first[0] == "ok":
        return first[1]
    if first[0] == "unsupported":
        raise Unsupported(first[2])
    raise Reject(first[1], first[2])


# --------------------------------------------------------------------------- etag

class _HashTap:
    """Stands in for hashlib inside the etag module: each SHA-512 made there
    records the bytes it is fed, which is the document that builder hashed."""

    def __init__(self) -> None:
        self.parts: List[bytes] = []

    def sha512(self, data: bytes = b"") -> Any:
        self.parts = [bytes(data)]
        return _TapHasher(hashlib.sha512(data), self.parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(hashlib, name)


class _TapHasher:
    def __init__(self, h: Any, parts: List[bytes]) -> None:
        self._h = h
        self._parts = parts

    def update(self, data: bytes) -> None:
        self._parts.append(bytes(data))
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.digest()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._h, name)


def _etag_call(tap: _HashTap, fn: Callable[[], Any]) -> Dict[str, Any]:
    saved = _etag_mod.hashlib
    _etag_mod.hashlib = tap
    try:
        etag = fn()
    except ValueError as e:
        if "order" in str(e):
            raise Reject("out_of_order", str(e))
        raise Reject("invalid_value", f"{type(e).__name__}: {e}")
    except UnicodeEncodeError as e:
        raise Reject("invalid_argument", f"{type(e).__name__}: {e}")
    finally:
        _etag_mod.hashlib = saved
    if not isinstance(etag, _etag_mod.StrongEtag):
        raise Reject("invalid_value", f"the builder returned {type(etag).__name__}, not StrongEtag")
    return {"document": b"".join(tap.parts).hex(), "etag": etag.etag.hex(), "format": etag.format}


def _chunks(items: List[Any], plan: str, cut: int) -> List[List[Any]]:
    """How the streaming builder is fed: one call with everything (also when
    there is nothing), one call per entry, or two calls around an empty one."""
    if plan == "whole":
        return [items]
    if plan == "each":
        return [[x] for x in items]
    k = cut % (len(items) + 1)
    return [items[:k], [], items[k:]]


def _stream(url: str, topics: List[Any], globs: List[Any], check: bool, plan: str, seed: int) -> Any:
    gen = _etag_mod.create_strong_etag_generator(url, recheck_sort=check)
    for chunk in _chunks(topics, plan, seed):
        gen = gen.add_topic(*chunk)
    gen = gen.finish_topics()
    for chunk in _chunks(globs, plan, seed // 7):
        gen = gen.add_glob(*chunk)
    return gen.finish()


_STREAM_PLANS = (("whole", "create_strong_etag_generator: one add_topic and one add_glob call with every entry"),
                 ("each", "create_strong_etag_generator: one add_topic/add_glob call per entry"),
                 ("split", "create_strong_etag_generator: add_topic/add_glob calls split at an input-derived "
                           "position around an empty call"))


def op_etag(inp: Dict[str, Any]) -> Dict[str, Any]:
    url = text(inp.get("url"), "url")
    topics = [_etag_mod.TopicAndRecovery(hexbytes(e.get("topic"), "topic"),
                                         text(e.get("recovery"), "recovery", True))
              for e in inp.get("exact") or []]
    globs = [_etag_mod.GlobAndRecovery(text(e.get("glob"), "glob"), text(e.get("recovery"), "recovery", True))
             for e in inp.get("glob") or []]
    check = bool(inp.get("check_order", True))
    # the split position depends on the input only (the same vector always
    # splits the same way; different vectors split differently)
    seed = int.from_bytes(hashlib.sha256(json.dumps(inp, sort_keys=True).encode()).digest()[:4], "big")
    paths: List[Tuple[str, Callable[[], Dict[str, Any]]]] = [
        ("make_strong_etag", lambda: _etag_call(_HashTap(), lambda: _etag_mod.make_strong_etag(
            url, topics, globs, recheck_sort=check)))]
    for plan, name in _STREAM_PLANS:
        paths.append((name, lambda plan=plan: _etag_call(_HashTap(), lambda: _stream(
            url, topics, globs, check, plan, seed))))
    out = agree(paths)
    if out.pop("format") != 0:
        raise Reject("invalid_value", "StrongEtag.format is not 0")
    return out


# --------------------------------------------------------------------------- hmac

def _secret_config(secret: Any, lifetime: float = 120) -> Tuple[Any, Any]:
    s = text(secret, "secret")
    db = _hmac.IncomingHmacAuthNoneDBConfig()
    try:
        b = _hmac.ToBroadcasterHmacAuth(secret=s, token_lifetime=lifetime, db_config=db)
        sub = _hmac.ToSubscriberHmacAuth(secret=s, token_lifetime=lifetime, db_config=db)
    except binascii.Error as e:
        raise Reject("bad_base64", f"secret: {e}")
    except AssertionError as e:
        raise Reject("field_size", f"secret: {e}")
    except ValueError as e:  # non-ASCII text
        raise Reject("bad_base64", f"secret: {e}")
    return b, sub


def _etag_obj(f: Dict[str, Any]) -> Any:
    return _etag_mod.StrongEtag(format=f["etag_format"], etag=f["etag"])


def _f(inp: Dict[str, Any]) -> Dict[str, Any]:
    """Decodes the kind fields present in a request into Python values."""
    out: Dict[str, Any] = {}
    byte_fields = ("tracing", "topic", "sha512", "subscriber_nonce", "broadcaster_nonce", "etag")
    int_fields = ("initial_dict", "etag_format", "part_id", "num_subscribers", "subscribers",
                  "compression_level", "min_size", "max_size")
    for k, v in inp.items():
        if k in byte_fields:
            out[k] = hexbytes(v, k)
        elif k in int_fields:
            out[k] = integer(v, k)
        elif k == "identifier":
            # an integer for the three ZSTD kinds, bytes for the others
            out[k] = integer(v, k) if inp.get("kind") in _ZSTD_KINDS else hexbytes(v, k)
        elif k in ("url", "glob", "nonce"):
            out[k] = text(v, k)
        elif k == "recovery":
            out[k] = text(v, k, True)
        elif k in ("enable_zstd", "enable_training"):
            if not isinstance(v, bool):
                raise Reject("invalid_argument", f"{k}: expected a boolean")
            out[k] = v
    out.setdefault("tracing", b"")
    return out


_ZSTD_KINDS = ("STATEFUL_ENABLE_ZSTD_PRESET", "STATEFUL_ENABLE_ZSTD_CUSTOM", "STATEFUL_DISABLE_ZSTD_CUSTOM")


def _zstd_id(f: Dict[str, Any]) -> int:
    v = f.get("identifier")
    if isinstance(v, (bytes, bytearray)):
        raise Reject("invalid_argument", "identifier: an integer for the ZSTD kinds")
    return v


# kind -> (side, builder of to_sign(cfg, f, ts, nonce), verifier(cfg, f, auth, now),
#          authorizer(cfg, f, now), a coroutine making the authorization header)
def _kinds() -> Dict[str, Tuple[str, Callable, Callable, Callable]]:
    S, B = "subscriber", "broadcaster"
    T = S2BType
    Bt = B2SType
    reg = registry()

    def msg(direction: str, typename: str, **fields: Any) -> Any:
        cls = reg.message_class(direction, typename, set(fields))
        return cls(type=(T if direction == "s2b" else Bt)[typename], **fields)

    return {
        "SUBSCRIBE_EXACT": (B,
            lambda c, f, ts, n: c._prepare_subscribe_exact(f["tracing"], f["url"], f.get("recovery"), f["topic"], ts, n),
            lambda c, f, a, now: c.is_subscribe_exact_allowed(tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"),
                                                              exact=f["topic"], now=now, authorization=a),
            lambda c, f, now: c.authorize_subscribe_exact(tracing=f["tracing"], url=f["url"],
                recovery=f.get("recovery"), exact=f["topic"], now=now)),
        "SUBSCRIBE_GLOB": (B,
            lambda c, f, ts, n: c._prepare_subscribe_glob(f["tracing"], f["url"], f.get("recovery"), f["glob"], ts, n),
            lambda c, f, a, now: c.is_subscribe_glob_allowed(tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"),
                                                             glob=f["glob"], now=now, authorization=a),
            lambda c, f, now: c.authorize_subscribe_glob(tracing=f["tracing"], url=f["url"],
                recovery=f.get("recovery"), glob=f["glob"], now=now)),
        "NOTIFY": (B,
            lambda c, f, ts, n: c._prepare_notify(f["tracing"], f["topic"], f["identifier"], f["sha512"], ts, n),
            lambda c, f, a, now: c.is_notify_allowed(tracing=f["tracing"], topic=f["topic"], identifier=f["identifier"],
                                                     message_sha512=f["sha512"], now=now, authorization=a),
            lambda c, f, now: c.authorize_notify(tracing=f["tracing"], topic=f["topic"], identifier=f["identifier"],
                message_sha512=f["sha512"], now=now)),
        "STATEFUL_CONFIGURE": (B,
            lambda c, f, ts, n: c._prepare_stateful_configure(
                tracing=f["tracing"], subscriber_nonce=f["subscriber_nonce"], enable_zstd=f["enable_zstd"],
                enable_training=f["enable_training"], initial_dict=f["initial_dict"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_stateful_configure_allowed(message=msg(
                "s2b", "CONFIGURE", subscriber_nonce=f["subscriber_nonce"], enable_zstd=f["enable_zstd"],
                enable_training=f["enable_training"], initial_dict=f["initial_dict"], authorization=a,
                tracing=f["tracing"]), now=now),
            lambda c, f, now: c.authorize_stateful_configure(tracing=f["tracing"],
                subscriber_nonce=f["subscriber_nonce"], enable_zstd=f["enable_zstd"],
                enable_training=f["enable_training"], initial_dict=f["initial_dict"])),
        "CHECK_SUBSCRIPTIONS": (B,
            lambda c, f, ts, n: c._prepare_check_subscriptions(f["tracing"], f["url"], ts, n),
            lambda c, f, a, now: c.is_check_subscriptions_allowed(tracing=f["tracing"], url=f["url"], now=now,
                                                                  authorization=a),
            lambda c, f, now: c.authorize_check_subscriptions(tracing=f["tracing"], url=f["url"], now=now)),
        "SET_SUBSCRIPTIONS": (B,
            lambda c, f, ts, n: c._prepare_set_subscriptions(tracing=f["tracing"], url=f["url"],
                                                             strong_etag=_etag_obj(f), timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_set_subscriptions_allowed(tracing=f["tracing"], url=f["url"],
                                                                strong_etag=_etag_obj(f), subscriptions=None,
                                                                now=now, authorization=a),
            lambda c, f, now: c.authorize_set_subscriptions(tracing=f["tracing"], url=f["url"],
                strong_etag=_etag_obj(f), now=now)),
        "STATEFUL_CONTINUE_RECEIVE": (B,
            lambda c, f, ts, n: c._prepare_stateful_continue_receive(
                tracing=f["tracing"], identifier=f["identifier"], part_id=f["part_id"], url=f["url"],
                timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_stateful_continue_receive_allowed(url=f["url"], message=msg(
                "s2b", "CONTINUE_RECEIVE", identifier=f["identifier"], part_id=f["part_id"], authorization=a,
                tracing=f["tracing"]), now=now),
            lambda c, f, now: c.authorize_stateful_continue_receive(tracing=f["tracing"],
                identifier=f["identifier"], part_id=f["part_id"], url=f["url"], now=now)),
        "CONFIRM_RECEIVE": (B,
            lambda c, f, ts, n: c._prepare_confirm_receive(
                tracing=f["tracing"], identifier=f["identifier"], num_subscribers=f["num_subscribers"],
                url=f["url"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_confirm_receive_allowed(
                tracing=f["tracing"], identifier=f["identifier"], num_subscribers=f["num_subscribers"],
                url=f["url"], now=now, authorization=a),
            lambda c, f, now: c.authorize_confirm_receive(tracing=f["tracing"], identifier=f["identifier"],
                num_subscribers=f["num_subscribers"], url=f["url"], now=now)),
        "CONFIRM_MISSED": (B,
            lambda c, f, ts, n: run(c._prepare_confirm_missed(tracing=f["tracing"], topic=f["topic"], url=f["url"],
                                                              timestamp=ts, nonce=n)),
            lambda c, f, a, now: c.is_confirm_missed_allowed(tracing=f["tracing"], topic=f["topic"], url=f["url"],
                                                             now=now, authorization=a),
            lambda c, f, now: c.authorize_confirm_missed(tracing=f["tracing"], topic=f["topic"], url=f["url"],
                now=now)),
        "RECEIVE": (S,
            lambda c, f, ts, n: c._prepare_receive(tracing=f["tracing"], url=f["url"], topic=f["topic"],
                                                   message_sha512=f["sha512"], identifier=f["identifier"],
                                                   timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_receive_allowed(tracing=f["tracing"], url=f["url"], topic=f["topic"],
                                                      message_sha512=f["sha512"], identifier=f["identifier"],
                                                      now=now, authorization=a),
            lambda c, f, now: c.authorize_receive(tracing=f["tracing"], url=f["url"], topic=f["topic"],
                message_sha512=f["sha512"], identifier=f["identifier"], now=now)),
        "MISSED": (S,
            lambda c, f, ts, n: c._prepare_missed(tracing=f["tracing"], recovery=f.get("recovery"), topic=f["topic"],
                                                  timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_missed_allowed(tracing=f["tracing"], recovery=f.get("recovery"),
                                                     topic=f["topic"], now=now, authorization=a),
            lambda c, f, now: c.authorize_missed(tracing=f["tracing"], recovery=f.get("recovery"), topic=f["topic"],
                now=now)),
        "CONFIRM_SUBSCRIBE_EXACT": (S,
            lambda c, f, ts, n: c._prepare_confirm_subscribe_exact(
                tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"), exact=f["topic"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_confirm_subscribe_exact_allowed(
                tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"), exact=f["topic"], now=now,
                authorization=a),
            lambda c, f, now: c.authorize_confirm_subscribe_exact(tracing=f["tracing"], url=f["url"],
                recovery=f.get("recovery"), exact=f["topic"], now=now)),
        "CONFIRM_SUBSCRIBE_GLOB": (S,
            lambda c, f, ts, n: c._prepare_confirm_subscribe_glob(
                tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"), glob=f["glob"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_confirm_subscribe_glob_allowed(
                tracing=f["tracing"], url=f["url"], recovery=f.get("recovery"), glob=f["glob"], now=now,
                authorization=a),
            lambda c, f, now: c.authorize_confirm_subscribe_glob(tracing=f["tracing"], url=f["url"],
                recovery=f.get("recovery"), glob=f["glob"], now=now)),
        "CONFIRM_NOTIFY": (S,
            lambda c, f, ts, n: run(c._prepare_confirm_notify(
                tracing=f["tracing"], identifier=f["identifier"], subscribers=f["subscribers"], topic=f["topic"],
                message_sha512=f["sha512"], timestamp=ts, nonce=n)),
            lambda c, f, a, now: c.is_confirm_notify_allowed(
                tracing=f["tracing"], identifier=f["identifier"], subscribers=f["subscribers"], topic=f["topic"],
                message_sha512=f["sha512"], authorization=a, now=now),
            lambda c, f, now: c.authorize_confirm_notify(tracing=f["tracing"], identifier=f["identifier"],
                subscribers=f["subscribers"], topic=f["topic"], message_sha512=f["sha512"], now=now)),
        "CHECK_SUBSCRIPTIONS_RESPONSE": (S,
            lambda c, f, ts, n: c._prepare_check_subscriptions_response(
                tracing=f["tracing"], strong_etag=_etag_obj(f), timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_check_subscription_response_allowed(
                tracing=f["tracing"], strong_etag=_etag_obj(f), authorization=a, now=now),
            lambda c, f, now: c.authorize_check_subscriptions_response(tracing=f["tracing"],
                strong_etag=_etag_obj(f), now=now)),
        "SET_SUBSCRIPTIONS_RESPONSE": (S,
            lambda c, f, ts, n: c._prepare_set_subscriptions_response(
                tracing=f["tracing"], strong_etag=_etag_obj(f), timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_set_subscription_response_allowed(
                tracing=f["tracing"], strong_etag=_etag_obj(f), authorization=a, now=now),
            lambda c, f, now: c.authorize_set_subscriptions_response(tracing=f["tracing"], strong_etag=_etag_obj(f),
                now=now)),
        "STATEFUL_CONFIRM_CONFIGURE": (S,
            lambda c, f, ts, n: c._prepare_stateful_confirm_configure(
                broadcaster_nonce=f["broadcaster_nonce"], tracing=f["tracing"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_stateful_confirm_configure_allowed(message=msg(
                "b2s", "CONFIRM_CONFIGURE", broadcaster_nonce=f["broadcaster_nonce"], authorization=a,
                tracing=f["tracing"]), now=now),
            lambda c, f, now: c.authorize_stateful_confirm_configure(broadcaster_nonce=f["broadcaster_nonce"],
                tracing=f["tracing"], now=now)),
        "STATEFUL_ENABLE_ZSTD_PRESET": (S,
            lambda c, f, ts, n: run(c._prepare_stateful_enable_zstd_preset(
                tracing=f["tracing"], url=f["url"], compressor_identifier=_zstd_id(f),
                compression_level=f["compression_level"], min_size=f["min_size"], max_size=f["max_size"],
                timestamp=ts, nonce=n)),
            lambda c, f, a, now: c.is_stateful_enable_zstd_preset_allowed(url=f["url"], message=msg(
                "b2s", "ENABLE_ZSTD_PRESET", identifier=_zstd_id(f), compression_level=f["compression_level"],
                min_size=f["min_size"], max_size=f["max_size"], authorization=a, tracing=f["tracing"]), now=now),
            lambda c, f, now: c.authorize_stateful_enable_zstd_preset(tracing=f["tracing"], url=f["url"],
                compressor_identifier=_zstd_id(f), compression_level=f["compression_level"], min_size=f["min_size"],
                max_size=f["max_size"], now=now)),
        "STATEFUL_ENABLE_ZSTD_CUSTOM": (S,
            lambda c, f, ts, n: run(c._prepare_stateful_enable_zstd_custom(
                tracing=f["tracing"], url=f["url"], compressor_identifier=_zstd_id(f),
                compression_level=f["compression_level"], min_size=f["min_size"], max_size=f["max_size"],
                sha512=f["sha512"], timestamp=ts, nonce=n)),
            lambda c, f, a, now: c.is_stateful_enable_zstd_custom_allowed(url=f["url"], message=msg(
                "b2s", "ENABLE_ZSTD_CUSTOM", identifier=_zstd_id(f), compression_level=f["compression_level"],
                min_size=f["min_size"], max_size=f["max_size"], dictionary=b"", authorization=a,
                tracing=f["tracing"], sha512=f["sha512"]), now=now),
            lambda c, f, now: c.authorize_stateful_enable_zstd_custom(tracing=f["tracing"], url=f["url"],
                compressor_identifier=_zstd_id(f), compression_level=f["compression_level"], min_size=f["min_size"],
                max_size=f["max_size"], sha512=f["sha512"], now=now)),
        "STATEFUL_DISABLE_ZSTD_CUSTOM": (S,
            lambda c, f, ts, n: c._prepare_stateful_disable_zstd_custom(
                tracing=f["tracing"], compressor_identifier=_zstd_id(f), url=f["url"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_stateful_disable_zstd_custom_allowed(url=f["url"], message=msg(
                "b2s", "DISABLE_ZSTD_CUSTOM", identifier=_zstd_id(f), authorization=a, tracing=f["tracing"]),
                now=now),
            lambda c, f, now: c.authorize_stateful_disable_zstd_custom(tracing=f["tracing"],
                compressor_identifier=_zstd_id(f), url=f["url"], now=now)),
        "STATEFUL_CONTINUE_NOTIFY": (S,
            lambda c, f, ts, n: c._prepare_stateful_continue_notify(
                tracing=f["tracing"], identifier=f["identifier"], part_id=f["part_id"], timestamp=ts, nonce=n),
            lambda c, f, a, now: c.is_stateful_continue_notify_allowed(message=msg(
                "b2s", "CONTINUE_NOTIFY", identifier=f["identifier"], part_id=f["part_id"], authorization=a,
                tracing=f["tracing"]), now=now),
            lambda c, f, now: c.authorize_stateful_continue_notify(tracing=f["tracing"], identifier=f["identifier"],
                part_id=f["part_id"], now=now)),
    }


_KINDS: Optional[Dict[str, Tuple[str, Callable, Callable, Callable]]] = None


def _kind(inp: Dict[str, Any]) -> Tuple[str, Callable, Callable, Callable]:
    global _KINDS
    if _KINDS is None:
        _KINDS = _kinds()
    k = inp.get("kind")
    if k not in _KINDS:
        raise Reject("invalid_argument", f"unknown kind {k!r}")
    return _KINDS[k]


def _hmac_call(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Reject:
        raise
    except KeyError as e:
        raise Reject("invalid_argument", f"missing field {e}")
    except OverflowError as e:
        raise Reject("overflow", f"OverflowError: {e}")
    except AssertionError as e:
        raise Reject("field_size", f"AssertionError: {e}")
    except (ValueError, TypeError) as e:
        raise Reject("invalid_value", f"{type(e).__name__}: {e}")


class _HmacTap:
    """Stands in for the hmac module, the clock and the nonce source inside
    lonelypsp's HMAC helpers while one public entry point runs: the to-sign
    bytes it authenticates are recorded, `authorize_*` gets the request's
    timestamp and nonce instead of the time of day and a random nonce."""

    def __init__(self, timestamp: int = 0, nonce: str = "") -> None:
        self.signed: List[bytes] = []
        self._timestamp = timestamp
        self._nonce = nonce

    # hmac
    def new(self, key: bytes, msg: bytes, digestmod: Any) -> Any:
        self.signed.append(bytes(msg))
        return _std_hmac.new(key, msg, digestmod)

    def compare_digest(self, a: Any, b: Any) -> bool:
        return _std_hmac.compare_digest(a, b)

    # time
    def time(self) -> int:
        return self._timestamp

    def make_nonce(self) -> str:
        return self._nonce

    def call(self, fn: Callable[[], Any]) -> Any:
        saved = (_hmac.hmac, _hmac.time, _hmac.make_nonce)
        _hmac.hmac, _hmac.time, _hmac.make_nonce = self, self, self.make_nonce
        try:
            return _hmac_call(fn)
        finally:
            _hmac.hmac, _hmac.time, _hmac.make_nonce = saved

    def last(self, entry: str) -> bytes:
        if not self.signed:
            raise Reject("invalid_value", f"{entry} computed no HMAC")
        return self.signed[-1]


_ZERO_CODE = base64.b64encode(bytes(64)).decode("ascii")


def _side_cls(side: str) -> str:
    return "ToBroadcasterHmacAuth" if side == "broadcaster" else "ToSubscriberHmacAuth"


def _to_sign_paths(inp: Dict[str, Any], cfg_b: Any, cfg_s: Any
                   ) -> Tuple[List[Tuple[str, Callable[[], bytes]]], Any, str, int]:
    """The to-sign bytes of a request, as every entry point that builds them
    computes them: the builder itself, `authorize_*` (which signs them) and,
    when the nonce survives the token format, `is_*_allowed` (which checks
    them), each called on the auth class and through AuthConfigFromParts;
    all but the first are read at their HMAC computation."""
    side, prep, verify, authorize = _kind(inp)
    f = _f(inp)
    ts = integer(inp.get("timestamp"), "timestamp")
    nonce = text(inp.get("nonce"), "nonce")
    cfg = cfg_b if side == "broadcaster" else cfg_s
    kind, cls = inp["kind"], _side_cls(side)
    parts = AuthConfigFromParts(to_broadcaster=cfg_b, to_subscriber=cfg_s)

    def via_authorize(c: Any) -> bytes:
        tap = _HmacTap(ts, nonce)
        tap.call(lambda: run(authorize(c, f, ts)))
        return tap.last(f"{cls} authorize ({kind})")

    def via_verify(c: Any) -> bytes:
        tap = _HmacTap()
        try:
            tap.call(lambda: run(verify(c, f, f"X-HMAC {ts}:{nonce}:{_ZERO_CODE}", ts)))
        except Reject as r:
            if not tap.signed:
                # refused before building the to-sign bytes (the verifiers
                # check some fields the builders take as given, e.g. the
                # 64-byte digests): hmac_verify vectors judge that
                raise NotApplicable(r.detail)
            raise
        return tap.last(f"{cls} is_allowed ({kind})")

    paths: List[Tuple[str, Callable[[], bytes]]] = [
        (f"{cls} to-sign builder ({kind})", lambda: _hmac_call(lambda: prep(cfg, f, ts, nonce))),
        (f"{cls} authorize ({kind}), to-sign read at its HMAC", lambda: via_authorize(cfg)),
        (f"AuthConfigFromParts authorize ({kind}), to-sign read at its HMAC", lambda: via_authorize(parts))]
    if ":" not in nonce:  # a nonce with ':' cannot travel in a token
        paths += [(f"{cls} is_allowed ({kind}), to-sign read at its HMAC", lambda: via_verify(cfg)),
                  (f"AuthConfigFromParts is_allowed ({kind}), to-sign read at its HMAC", lambda: via_verify(parts))]
    return paths, cfg, kind, ts


def _default_configs() -> Tuple[Any, Any]:
    # the to-sign builders do not use the secret; any valid one will do
    return _secret_config(base64.urlsafe_b64encode(bytes(64)).decode())


def op_hmac_to_sign(inp: Dict[str, Any]) -> Dict[str, Any]:
    paths, _, _, _ = _to_sign_paths(inp, *_default_configs())
    return agree([(name, lambda fn=fn: {"hex": fn().hex()}) for name, fn in paths])


def op_hmac_sign(inp: Dict[str, Any]) -> Dict[str, Any]:
    cfg_b, cfg_s = _secret_config(inp.get("secret"))
    side, _, _, authorize = _kind(inp)
    paths, cfg, kind, ts = _to_sign_paths(inp, cfg_b, cfg_s)
    nonce = text(inp.get("nonce"), "nonce")
    f = _f(inp)
    build = paths[0][1]
    return agree([
        ("sign() of the to-sign builder's bytes", lambda: {"authorization": _hmac_call(
            lambda: _hmac.sign(secret=cfg.secret, to_sign=build(), nonce=nonce, now=ts))}),
        (f"{_side_cls(side)} authorize ({kind})", lambda: {"authorization": _HmacTap(ts, nonce).call(
            lambda: run(authorize(cfg, f, ts)))}),
        (f"AuthConfigFromParts authorize ({kind})", lambda: {"authorization": _HmacTap(ts, nonce).call(
            lambda: run(authorize(AuthConfigFromParts(to_broadcaster=cfg_b, to_subscriber=cfg_s), f, ts)))}),
    ])


def _auth_result(r: Any) -> Dict[str, Any]:
    if r == AuthResult.OK:
        return {"result": "OK"}
    if r == AuthResult.UNAUTHORIZED:
        raise Reject("unauthorized", "AuthResult.UNAUTHORIZED")
    if r == AuthResult.FORBIDDEN:
        raise Reject("forbidden", "AuthResult.FORBIDDEN")
    raise Reject("invalid_value", f"AuthResult {r!r}")


def op_hmac_verify(inp: Dict[str, Any]) -> Dict[str, Any]:
    lifetime = integer(inp.get("lifetime"), "lifetime")
    cfg_b, cfg_s = _secret_config(inp.get("secret"), lifetime)
    side, prep, verify, _ = _kind(inp)
    f = _f(inp)
    auth = text(inp.get("authorization"), "authorization", True)
    now = integer(inp.get("now"), "now")
    cfg = cfg_b if side == "broadcaster" else cfg_s

    def composed() -> Any:
        # the module-level pieces every is_*_allowed is made of
        tok = _hmac.get_token(auth, now=now, token_lifetime=lifetime)
        if tok.type == _hmac.TokenInfoType.UNAUTHORIZED:
            return AuthResult.UNAUTHORIZED
        if tok.type == _hmac.TokenInfoType.FORBIDDEN:
            return AuthResult.FORBIDDEN
        to_sign = prep(cfg, f, tok.timestamp, tok.nonce)
        return run(_hmac.check_code(secret=cfg.secret, to_sign=to_sign, code=tok.hmac,
                                    db=_hmac.IncomingHmacAuthNoneDBConfig()))

    kind = inp["kind"]
    return agree([
        (f"{_side_cls(side)} is_allowed ({kind})",
         lambda: _auth_result(_hmac_call(lambda: run(verify(cfg, f, auth, now))))),
        (f"AuthConfigFromParts is_allowed ({kind})", lambda: _auth_result(_hmac_call(lambda: run(verify(
            AuthConfigFromParts(to_broadcaster=cfg_b, to_subscriber=cfg_s), f, auth, now))))),
        ("get_token, the to-sign builder and check_code", lambda: _auth_result(_hmac_call(composed))),
    ])


def op_hmac_parse_token(inp: Dict[str, Any]) -> Dict[str, Any]:
    auth = text(inp.get("authorization"), "authorization", True)
    now = integer(inp.get("now"), "now")
    lifetime = integer(inp.get("lifetime"), "lifetime")
    tok = _hmac_call(lambda: _hmac.get_token(auth, now=now, token_lifetime=lifetime))
    if tok.type == _hmac.TokenInfoType.UNAUTHORIZED:
        raise Reject("unauthorized", "TokenInfoType.UNAUTHORIZED")
    if tok.type == _hmac.TokenInfoType.FORBIDDEN:
        raise Reject("forbidden", "TokenInfoType.FORBIDDEN")
    return {"timestamp": str(tok.timestamp), "nonce": tok.nonce, "code": tok.hmac.hex()}


def op_hmac_secret_decode(inp: Dict[str, Any]) -> Dict[str, Any]:
    s = text(inp.get("secret"), "secret")
    db = _hmac.IncomingHmacAuthNoneDBConfig()

    def decode(cls: Any) -> Dict[str, Any]:
        try:
            return {"hex": cls(secret=s, db_config=db).secret.hex()}
        except binascii.Error as e:
            raise Reject("bad_base64", f"secret: {e}")
        except AssertionError as e:
            raise Reject("field_size", f"secret: {e}")
        except ValueError as e:  # non-ASCII text
            raise Reject("bad_base64", f"secret: {e}")

    return agree([("ToBroadcasterHmacAuth(secret=...)", lambda: decode(_hmac.ToBroadcasterHmacAuth)),
                  ("ToSubscriberHmacAuth(secret=...)", lambda: decode(_hmac.ToSubscriberHmacAuth))])


def op_base64_lenient(inp: Dict[str, Any]) -> Dict[str, Any]:
    s = text(inp.get("text"), "text")
    try:
        return {"hex": binascii.a2b_base64(s).hex()}
    except (binascii.Error, ValueError) as e:
        raise Reject("bad_base64", f"{type(e).__name__}: {e}")


def op_py_int(inp: Dict[str, Any]) -> Dict[str, Any]:
    s = text(inp.get("text"), "text")
    try:
        return {"value": str(int(s))}
    except ValueError as e:
        raise Reject("invalid_value", f"ValueError: {e}")


def _placeholder_fields(kind: str) -> Dict[str, Any]:
    """Field values for a token-auth is_*_allowed call: the bearer check looks
    at the authorization header alone, so any well-formed message will do."""
    f: Dict[str, Any] = {"tracing": b"", "url": "u", "recovery": None, "topic": b"t", "glob": "g",
                         "identifier": 1 if kind in _ZSTD_KINDS else b"i", "sha512": bytes(64),
                         "subscriber_nonce": bytes(32), "broadcaster_nonce": bytes(32),
                         "enable_zstd": False, "enable_training": False, "initial_dict": 0,
                         "num_subscribers": 0, "subscribers": 0, "part_id": 0, "compression_level": 0,
                         "min_size": 0, "max_size": 0, "etag_format": 0, "etag": bytes(64)}
    return f


def _bearer(fn: Callable[[], Any]) -> Dict[str, Any]:
    try:
        r = fn()
    except TypeError as e:  # QK-36: non-ASCII str in hmac.compare_digest
        raise Reject("invalid_value", f"TypeError: {e}")
    return _auth_result(r)


def op_bearer_check(inp: Dict[str, Any]) -> Dict[str, Any]:
    token = text(inp.get("token"), "token")
    auth = text(inp.get("authorization"), "authorization", True)
    cfgs = {"broadcaster": _token.ToBroadcasterTokenAuth(token=token),
            "subscriber": _token.ToSubscriberTokenAuth(token=token)}
    parts = AuthConfigFromParts(to_broadcaster=cfgs["broadcaster"], to_subscriber=cfgs["subscriber"])
    if _KINDS is None:
        _kind({"kind": "NOTIFY"})
    assert _KINDS is not None
    paths: List[Tuple[str, Callable[[], Dict[str, Any]]]] = [
        ("ToBroadcasterTokenAuth header check", lambda: _bearer(lambda: cfgs["broadcaster"]._check_header(auth))),
        ("ToSubscriberTokenAuth header check", lambda: _bearer(lambda: cfgs["subscriber"]._check_header(auth)))]
    for kind, (side, _, verify, _) in _KINDS.items():
        cls = "ToBroadcasterTokenAuth" if side == "broadcaster" else "ToSubscriberTokenAuth"
        paths.append((f"{cls} is_allowed ({kind})", lambda side=side, verify=verify, kind=kind: _bearer(
            lambda: run(verify(cfgs[side], _placeholder_fields(kind), auth, 0)))))
        paths.append((f"AuthConfigFromParts is_allowed ({kind})", lambda verify=verify, kind=kind: _bearer(
            lambda: run(verify(parts, _placeholder_fields(kind), auth, 0)))))
    return agree(paths)


# --------------------------------------------------------------------------- session
# lonelypsp has no function for these; the reference peers compute them inline
# (lonelypss broadcaster and lonelypsc client, §6.1 and §6.2): SHA-256 of the
# two nonces, standard base64 with padding, and Python's format(ctr, "x").

def op_connection_nonce(inp: Dict[str, Any]) -> Dict[str, Any]:
    sub = hexbytes(inp.get("subscriber_nonce"), "subscriber_nonce")
    brd = hexbytes(inp.get("broadcaster_nonce"), "broadcaster_nonce")
    nonce = hashlib.sha256(sub + brd).digest()
    return {"connection_nonce": nonce.hex(), "nonce_b64": base64.b64encode(nonce).decode("ascii")}


def op_ws_url(inp: Dict[str, Any]) -> Dict[str, Any]:
    nonce_b64 = text(inp.get("nonce_b64"), "nonce_b64")
    ctr = integer(inp.get("counter"), "counter")
    return {"url": f"websocket:{nonce_b64}:{ctr:x}"}


OPS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "decode": op_decode,
    "encode": op_encode,
    "etag": op_etag,
    "hmac_to_sign": op_hmac_to_sign,
    "hmac_sign": op_hmac_sign,
    "hmac_verify": op_hmac_verify,
    "hmac_parse_token": op_hmac_parse_token,
    "hmac_secret_decode": op_hmac_secret_decode,
    "base64_lenient": op_base64_lenient,
    "py_int": op_py_int,
    "bearer_check": op_bearer_check,
    "connection_nonce": op_connection_nonce,
    "ws_url": op_ws_url,
}

NOT_IN_LONELYPSP = {
    "stateless_decode": "lonelypsp has no stateless body parser (the routes of lonelypss/lonelypsc parse inline)",
    "stateless_encode": "lonelypsp has no stateless body serializer",
    "repr_digest_parse": "lonelypsp has no Repr-Digest parser",
    "repr_digest_format": "lonelypsp has no Repr-Digest formatter",
    "ws_url_parse": "the reference only builds websocket URLs, it never parses them",
}


def _checkout_version() -> str:
    """The version in the checkout's pyproject.toml, "+source" (or "source")."""
    import tomllib
    try:
        with open(os.path.join(_checkout, "pyproject.toml"), "rb") as f:
            return tomllib.load(f)["project"]["version"] + "+source"
    except (OSError, KeyError, ValueError):
        return "source"


def version() -> str:
    if _src:
        return f"{_checkout_version()} ({_root})"
    try:
        from importlib.metadata import version as v
        return v("lonelypsp")
    except Exception:
        return "unknown"


def handle(req: Dict[str, Any]) -> Dict[str, Any]:
    op = req.get("op")
    if op == "hello":
        if _IMPORT_ERROR is not None:
            return {"status": "rejected", "error": "invalid_value",
                    "detail": f"cannot import lonelypsp: {_IMPORT_ERROR}"}
        return {"status": "ok", "output": {"name": "lonelypsp", "version": version(), "protocol": 1,
                                           "features": FEATURES, "entry_points": ENTRY_POINTS}}
    if op in NOT_IN_LONELYPSP:
        return {"status": "unsupported", "detail": NOT_IN_LONELYPSP[op]}
    fn = OPS.get(op)
    if fn is None:
        return {"status": "unsupported", "detail": f"unknown operation {op!r}"}
    inp = req.get("input")
    if not isinstance(inp, dict):
        return {"status": "rejected", "error": "invalid_argument", "detail": "input must be an object"}
    try:
        return {"status": "ok", "output": fn(inp)}
    except Disagreement as d:
        return {"status": "ok", "output": d.answer(), "detail": str(d)}
    except Reject as r:
        return {"status": "rejected", "error": r.cls, "detail": r.detail}
    except Unsupported as u:
        return {"status": "unsupported", "detail": str(u)}
    except Exception as e:  # anything the reference raises that no rule above expects
        return {"status": "rejected", "error": "invalid_value", "detail": f"unexpected {type(e).__name__}: {e}"}


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        # used by `make conformance`: can the reference be imported at all?
        if _IMPORT_ERROR is not None:
            print(f"cannot import lonelypsp: {_IMPORT_ERROR}", file=sys.stderr)
            return 1
        print(f"lonelypsp {version()}")
        return 0
    out = sys.stdout
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            out.write(json.dumps({"id": None, "status": "unsupported", "detail": "malformed request line"}) + "\n")
            out.flush()
            continue
        resp = handle(req)
        resp["id"] = req.get("id")
        out.write(json.dumps(resp, ensure_ascii=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
