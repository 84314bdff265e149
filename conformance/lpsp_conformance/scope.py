"""What a vector is about: its message type, its capability scope, its check family.

An adapter's handshake declares *capabilities*. A protocol-v1 feature
(``stateful``, ``stateless``, ``etag``, ``hmac``, ``bearer``, ``session``)
covers the whole feature; a finer capability covers one part of it, written
as a colon path (conformance/TESTEE-PROTOCOL.md, "Capabilities"):

    stateful:s2b                         every server-to-broadcaster type
    stateful:s2b:SUBSCRIBE_EXACT         one message type, decode and encode
    stateful:b2s:MISSED:decode           one type, one operation
    stateless:NOTIFY                     one stateless body
    stateless:repr_digest                the Repr-Digest header helpers
    hmac:to_sign  hmac:verify  ...       one authorization operation
    session:ws_url                       one session operation

Every vector has one scope key (the most specific path, e.g.
``stateful:s2b:SUBSCRIBE_EXACT:decode``). A capability covers a vector when it
equals the key or is a prefix of it ending at a colon. A decode input too
short to name its type (and not derived from a vector that does) or naming
an unknown type has the key ``stateful:<dir>:*:decode``: it tests the type
dispatch itself and is covered by any capability of that direction.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .protocol.stateful_model import TYPE_NAMES
from .protocol.stateless_model import BODIES

ANY_TYPE = "*"
NO_TYPE = "(no or unknown type)"  # its row in the summary

# op -> (feature, scope path after the feature) for the non-stateful areas
_OP_SCOPE = {
    "repr_digest_parse": ("stateless", "repr_digest:parse"),
    "repr_digest_format": ("stateless", "repr_digest:format"),
    "etag": ("etag", ""),
    "hmac_to_sign": ("hmac", "to_sign"),
    "hmac_sign": ("hmac", "sign"),
    "hmac_verify": ("hmac", "verify"),
    "hmac_parse_token": ("hmac", "parse_token"),
    "hmac_secret_decode": ("hmac", "secret_decode"),
    "base64_lenient": ("hmac", "base64_lenient"),
    "py_int": ("hmac", "py_int"),
    "bearer_check": ("bearer", "check"),
    "connection_nonce": ("session", "connection_nonce"),
    "ws_url": ("session", "ws_url"),
    "ws_url_parse": ("session", "ws_url_parse"),
}

# Check families, in the order the report lists them. A derived vector's
# family comes from how it was derived (the id suffix after its base id);
# a hand-written one is a quirk when it cites a QK, a regression when it
# came from fuzzing or differential testing, basic otherwise.
FAMILIES = ("basic", "quirk", "truncation", "lengths", "widths", "headers", "type-flags",
            "utf8", "hashes", "regression", "other")
_DERIVED_FAMILY = [
    ("truncation", re.compile(r"^trunc-")),
    ("utf8", re.compile(r"utf8")),
    ("headers", re.compile(r"^(missing|dup|nonascii|upper|mixed-case|reversed|unknown-header|"
                           r"empty-name|spaced-name|count)")),
    ("type-flags", re.compile(r"^(type|flags)-")),
    ("hashes", re.compile(r"(mismatch|flip)$")),
    ("widths", re.compile(r"(wide|-\d+)$")),
    ("lengths", re.compile(r"^(len-|trailing|compressed-)")),
]


def _hex_type(direction: str, hexstr: Any) -> Optional[str]:
    if not isinstance(hexstr, str) or len(hexstr) < 8:
        return None
    try:
        code = int(hexstr[4:8], 16)
    except ValueError:
        return None
    return TYPE_NAMES.get(direction, {}).get(code, ANY_TYPE)


class Scoper:
    """Computes (type, scope key, family) for the vectors of one run.

    ``by_id`` lets a decode input too short to carry its type inherit the
    type of the vector it was derived from (a truncation of SUBSCRIBE_EXACT
    belongs to SUBSCRIBE_EXACT)."""

    def __init__(self, vectors: Iterable[Dict[str, Any]]):
        self.by_id = {v["id"]: v for v in vectors}
        self._cache: Dict[str, Tuple[Optional[str], str]] = {}

    def type_of(self, v: Dict[str, Any], depth: int = 0) -> Optional[str]:
        op = v.get("op")
        inp = v.get("input") if isinstance(v.get("input"), dict) else {}
        if op == "decode":
            t = _hex_type(inp.get("direction", ""), inp.get("hex"))
            if t is None:
                base = self.by_id.get(v.get("derived_from") or "")
                if base is not None and depth < 8:
                    t = self.type_of(base, depth + 1)
            return t or ANY_TYPE
        if op == "encode":
            msg = inp.get("message") if isinstance(inp.get("message"), dict) else {}
            t = msg.get("type")
            return t if isinstance(t, str) and t in TYPE_NAMES_BY_DIR.get(inp.get("direction"), ()) else ANY_TYPE
        if op in ("stateless_decode", "stateless_encode"):
            b = inp.get("body")
            return b if isinstance(b, str) and b else ANY_TYPE
        return None

    def scope_of(self, v: Dict[str, Any]) -> Tuple[Optional[str], str]:
        """(message type, scope key): what the driver needs to know."""
        vid = v["id"]
        got = self._cache.get(vid)
        if got is None:
            t = self.type_of(v)
            got = self._cache[vid] = (t, scope_key(v, t))
        return got

    def classify(self, v: Dict[str, Any]) -> Tuple[Optional[str], str, str]:
        """(message type, scope key, check family)."""
        t, key = self.scope_of(v)
        return t, key, family(v)


TYPE_NAMES_BY_DIR = {d: set(names.values()) for d, names in TYPE_NAMES.items()}


def scope_key(v: Dict[str, Any], mtype: Optional[str]) -> str:
    op = v.get("op") or ""
    inp = v.get("input") if isinstance(v.get("input"), dict) else {}
    if op in ("decode", "encode"):
        return f"stateful:{inp.get('direction', '?')}:{mtype or ANY_TYPE}:{op}"
    if op in ("stateless_decode", "stateless_encode"):
        return f"stateless:{mtype or ANY_TYPE}:{op.split('_', 1)[1]}"
    feat, rest = _OP_SCOPE.get(op, (v.get("feature") or "?", op))
    return f"{feat}:{rest}" if rest else feat


_SUFFIX_FAMILY: Dict[str, str] = {}


def family(v: Dict[str, Any]) -> str:
    base = v.get("derived_from")
    vid = v.get("id", "")
    if is_derived(vid, base):
        return family_of(vid, base, None, False)
    return family_of(vid, None, v.get("provenance"), quirk_refs(v))


def is_derived(vid: str, base: Any) -> bool:
    """Whether the family of a vector comes from how it was derived."""
    return bool(base) and isinstance(base, str) and vid.startswith(base + "-")


def quirk_refs(v: Dict[str, Any]) -> bool:
    return any(str(r).startswith("QK-") for r in v.get("refs") or ())


def family_of(vid: str, base: Optional[str], provenance: Any, quirk: bool) -> str:
    """family() from the fields it looks at: the id, derived_from (when
    is_derived), provenance and whether a ref names a quirk."""
    if base and is_derived(vid, base):
        suffix = vid[len(base) + 1:]
        got = _SUFFIX_FAMILY.get(suffix)
        if got is None:
            got = "other"
            for name, rx in _DERIVED_FAMILY:
                if rx.search(suffix):
                    got = name
                    break
            if len(_SUFFIX_FAMILY) < 100000:
                _SUFFIX_FAMILY[suffix] = got
        return got
    if provenance in ("fuzz", "differential", "mutation"):
        return "regression"
    if quirk:
        return "quirk"
    return "basic"


def _valid_paths() -> Dict[str, Tuple[str, ...]]:
    """Every declarable path, with the operations its last part may take."""
    ops: Dict[str, Tuple[str, ...]] = {f: () for f in ("stateful", "stateless", "etag", "hmac", "bearer", "session")}
    for d, names in TYPE_NAMES.items():
        ops[f"stateful:{d}"] = ()
        for t in names.values():
            ops[f"stateful:{d}:{t}"] = ("decode", "encode")
    for b in BODIES:
        ops[f"stateless:{b}"] = ("decode", "encode")
    ops["stateless:repr_digest"] = ("parse", "format")
    for feat, rest in _OP_SCOPE.values():
        if rest and feat != "stateless":
            ops[f"{feat}:{rest}"] = ()
    return ops


_PATHS = _valid_paths()


def parse_capabilities(features: Iterable[Any]) -> Tuple[List[str], List[str]]:
    """Splits a handshake's ``features`` list into (capabilities, problems).

    Each entry is a v1 feature or a colon path under one naming a real
    direction, message type, body or operation; anything else is reported
    (the run stops with a harness error rather than silently testing less
    than the adapter meant)."""
    caps: List[str] = []
    problems: List[str] = []
    for f in features:
        if not isinstance(f, str) or not f:
            problems.append(f"capability {f!r} is not a non-empty string")
            continue
        if f in _PATHS:
            caps.append(f)
            continue
        head, _, op = f.rpartition(":")
        if head in _PATHS and op in _PATHS[head]:
            caps.append(f)
            continue
        root = f.split(":", 1)[0]
        if root not in _PATHS:
            problems.append(f"capability {f!r}: {root!r} is not one of "
                            f"stateful, stateless, etag, hmac, bearer, session")
        else:
            near = sorted(p for p in _PATHS if p.startswith(head + ":") or p.startswith(f.rsplit(':', 1)[0] + ":"))
            hint = f" (known under it: {', '.join(near[:8])}{', ...' if len(near) > 8 else ''})" if near else ""
            problems.append(f"capability {f!r} names no direction, message type, body or operation{hint}")
    return caps, problems


def covers(caps: Iterable[str], key: str) -> bool:
    """True when a declared capability covers the scope key."""
    parts = key.split(":")
    wildcard = len(parts) == 4 and parts[0] == "stateful" and parts[2] == ANY_TYPE
    for c in caps:
        if key == c or key.startswith(c + ":"):
            return True
        if wildcard:
            cp = c.split(":")
            # any capability of that direction whose operation (if named) is the key's
            if cp[:2] == parts[:2] and (len(cp) < 4 or cp[3] == parts[3]):
                return True
    return False


def summary_key(rec: Dict[str, Any]) -> str:
    """The message-type row a result is counted under in the summary."""
    t = rec.get("type")
    if t == ANY_TYPE:
        return NO_TYPE
    return t if t else (rec.get("op") or "?")
