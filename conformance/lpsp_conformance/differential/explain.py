"""Classes of a pair of answers, and the rules that explain a disagreement.

The classes (for one input, implementation A and implementation B):

  agree-accept   both accept with equal fields
  agree-reject   both reject (the error classes may differ: counted apart)
  accept-differ  both accept, with different fields            (disagreement)
  a-only         A accepts, B rejects                          (disagreement)
  b-only         B accepts, A rejects                          (disagreement)
  fault          an adapter crashed, hung, answered garbage or `unsupported`

A disagreement is explained by

  * a rule: a quirk of the specification (§11) recognised from the
    rejecting side's error class, the header named in its `detail` and the
    message type. Rules are written for the strict codec against the
    reference (strict side rejects what the reference accepts). When a
    compat testee runs too, a rule only explains the input if the compat
    testee agrees with the reference on it: the rule then names the whole
    difference, nothing else hides behind it;
  * an implementation-defined vector with exactly this input, whose
    outcomes include both answers.

Everything else is unexplained.

The text parsers and computed operations (py_int, hmac_parse_token, etag,
ws_url, ...) use the same classes and the OpRule table at the end of this
file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import TYPE_NAMES, values_equal
from .opinputs import canonical_nonce_of

AGREE_ACCEPT = "agree-accept"
AGREE_REJECT = "agree-reject"
ACCEPT_DIFFER = "accept-differ"
A_ONLY = "a-only"
B_ONLY = "b-only"
FAULT = "fault"
CLASSES = (AGREE_ACCEPT, AGREE_REJECT, ACCEPT_DIFFER, A_ONLY, B_ONLY, FAULT)
DISAGREEMENTS = (ACCEPT_DIFFER, A_ONLY, B_ONLY, FAULT)


def classify(a: Dict[str, Any], b: Dict[str, Any]) -> Tuple[str, bool]:
    """(class, error classes differ) of two responses."""
    sa, sb = a.get("status"), b.get("status")
    if sa not in ("ok", "rejected") or sb not in ("ok", "rejected"):
        return FAULT, False
    if sa == sb == "ok":
        return (AGREE_ACCEPT if values_equal(a["output"], b["output"]) else ACCEPT_DIFFER), False
    if sa == sb == "rejected":
        return AGREE_REJECT, a.get("error") != b.get("error")
    return (A_ONLY if sa == "ok" else B_ONLY), False


_DETAIL = re.compile(r"^(?P<field>[a-z0-9-]+): (?P<msg>.*?)(?: \(offset (?P<off>\d+)\))?$")


def detail_field(resp: Dict[str, Any]) -> Tuple[str, str]:
    """(header name, message) of an `lpsp testee` rejection detail
    "x-topic: header value cut short (offset 10)"; ("", detail) otherwise."""
    d = resp.get("detail") or ""
    m = _DETAIL.match(d)
    return (m.group("field"), m.group("msg")) if m else ("", d)


def message_type(direction: str, data: bytes) -> str:
    if len(data) < 4:
        return "?"
    return TYPE_NAMES[direction].get(int.from_bytes(data[2:4], "big"), "?")


def mode_of(data: bytes) -> str:
    if len(data) < 2:
        return "?"
    return "min" if data[1] & 1 else "exp"


@dataclass(frozen=True)
class Rule:
    """Strict side rejects (class, header, types), the reference accepts."""
    name: str            # the quirk id
    error: str           # the strict side's error class
    fields: Tuple[str, ...] = ()      # header named in the detail ("" = any)
    types: Tuple[str, ...] = ()       # message types ("" = any)
    message: str = ""                 # substring of the detail message
    check: Optional[Callable[[Dict[str, Any]], bool]] = None  # on the reference output
    what: str = ""

    def matches(self, direction: str, data: bytes, strict: Dict[str, Any],
                ref: Dict[str, Any]) -> bool:
        if strict.get("status") != "rejected" or ref.get("status") != "ok":
            return False
        if strict.get("error") != self.error:
            return False
        field, msg = detail_field(strict)
        if self.fields and field not in self.fields:
            return False
        if self.types and message_type(direction, data) not in self.types:
            return False
        if self.message and self.message not in msg:
            return False
        if self.check and not self.check(ref["output"]):
            return False
        return True


ZSTD = ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM")

RULES: Tuple[Rule, ...] = (
    Rule("QK-11", "trailing_bytes",
         what="bytes after a body-less message: the reference ignores them, the codec rejects"),
    Rule("QK-21", "bad_flags", ("flags",),
         what="unassigned flag bits: the reference ignores them, the codec rejects"),
    Rule("QK-06", "invalid_value", ("x-enable-zstd", "x-enable-training"), ("CONFIGURE",),
         what="x-enable-zstd / x-enable-training other than 00 or 01: the reference reads false"),
    Rule("QK-05", "missing_header", ("x-initial-dict",), ("CONFIGURE",),
         check=lambda out: int(out.get("initial_dict", -1)) == 48,
         what="expanded CONFIGURE without x-initial-dict: the reference reads 48"),
    Rule("QK-12", "hash_mismatch", ("x-sha512",), ("ENABLE_ZSTD_CUSTOM",),
         what="ENABLE_ZSTD_CUSTOM x-sha512 is not the dictionary's SHA-512: the reference never checks"),
    Rule("QK-03", "invalid_value", ("x-identifier",), ZSTD,
         what="compressor identifier outside its documented range: the reference accepts any"),
    Rule("QK-04", "invalid_value", ("x-compression-level",), ZSTD[:2],
         what="compression level above 22: the reference accepts any 0-2 byte level"),
    Rule("QK-13", "length_mismatch", ("x-compressed-length",), ("NOTIFY_STREAM", "RECEIVE_STREAM"),
         message="first part is longer",
         what="stream part 0 longer than the declared total: the reference parser accepts"),
)
RULE_BY_NAME = {r.name: r for r in RULES}


def vector_explains(vec: Dict[str, Any], a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    """An implementation-defined vector whose outcomes admit both answers."""
    if vec.get("verdict") != "implementation-defined":
        return False
    outs = [o for k, o in vec["outcomes"].items() if k != "note"]

    def fits(resp):
        for o in outs:
            if resp.get("status") == "ok" and "accept" in o and values_equal(o["accept"], resp["output"]):
                return True
            if resp.get("status") == "rejected" and "reject" in o:
                return True
        return False

    return fits(a) and fits(b)


@dataclass
class Explanation:
    by: str                  # "QK-11", "vector", or "" (unexplained)
    note: str = ""


def explain(direction: str, data: bytes, cls: str, a: Dict[str, Any], b: Dict[str, Any],
            *, strict_side: str, rules_apply: bool, compat: Optional[Dict[str, Any]] = None,
            vectors: Optional[List[Dict[str, Any]]] = None) -> Explanation:
    """Explains one disagreement. strict_side: "a" or "b", the side the rules
    treat as the strict codec when neither or both reject (then no rule
    matches anyway); otherwise the rejecting side is the strict one. rules_apply: False for the compat pair (the
    compat testee must reproduce every parser leniency: no rule excuses it).
    compat: the compat testee's answer to the same input, when one runs."""
    if cls not in DISAGREEMENTS or cls == FAULT:
        if cls == FAULT:
            return Explanation("", "an adapter failed on this input")
        return Explanation("n/a")
    if rules_apply:
        # the side that rejects is the strict one (strict_side breaks no tie:
        # a rule needs exactly one rejection and one acceptance)
        if a.get("status") == "rejected" and b.get("status") == "ok":
            strict, ref = a, b
        elif b.get("status") == "rejected" and a.get("status") == "ok":
            strict, ref = b, a
        else:
            strict, ref = (a, b) if strict_side == "a" else (b, a)
        for rule in RULES:
            if rule.matches(direction, data, strict, ref):
                if compat is not None:
                    c_cls, _ = classify(compat, ref)
                    if c_cls != AGREE_ACCEPT:
                        return Explanation("", f"looks like {rule.name}, but the compat testee "
                                               f"does not reproduce the reference ({c_cls})")
                return Explanation(rule.name, rule.what)
    for vec in vectors or ():
        if vector_explains(vec, a, b):
            return Explanation("vector", vec["id"])
    return Explanation("")


# --------------------------------------------------------------------------- text and computed ops
#
# The same classes apply to the text parsers and computed operations of the
# testee protocol (py_int, base64_lenient, hmac_parse_token, ..., etag,
# hmac_to_sign, ws_url). A one-sided rejection is explained by an OpRule:
# the rejecting side's error class, a property of the input that the quirk
# names, and, where the quirk can be taken out of the input, a
# counterfactual: the same input without the quirk (Unicode digits folded to
# ASCII, a URL-safe nonce spelled in the standard alphabet, ...) is sent to
# the rejecting side, which must then give the reference's answer. So a rule
# explains an input only if the quirk is the whole difference.

INT64_MIN, INT64_MAX, U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
_ASCII_INT = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+(?:_[0-9]+)*[ \t\n\v\f\r]*\Z")


def fold_unicode_int(s: str) -> str:
    """What Python's int() does to non-ASCII text before parsing: Unicode
    decimal digits become ASCII digits, Unicode whitespace a space (other
    characters stay and fail)."""
    out = []
    for c in s:
        if ord(c) > 127:
            d = unicodedata.decimal(c, None)
            if d is not None:
                c = str(d)
            elif c.isspace():
                c = " "
        out.append(c)
    return "".join(out)


def ascii_int(s: str) -> Optional[int]:
    """The value of s under the ASCII int() grammar (surrounding ASCII
    whitespace, a sign, digits with single underscores between them), any
    size; None when it does not match."""
    if not _ASCII_INT.match(s):
        return None
    return int(s.strip(" \t\n\v\f\r").replace("_", ""))


def token_timestamp_text(auth: Any) -> Optional[Tuple[str, str]]:
    """(timestamp text, the rest after its ':') of an X-HMAC value, or None."""
    if not isinstance(auth, str) or not auth.startswith("X-HMAC "):
        return None
    rest = auth[7:]
    i = rest.find(":")
    return (rest[:i], rest[i:]) if i >= 0 else None


def _int_of(v: Any) -> Optional[int]:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _non_ascii(s: str) -> bool:
    return any(ord(c) > 127 for c in s)


def _same_answer(ref: Dict[str, Any]) -> Callable[[Dict[str, Any]], bool]:
    return lambda r: r.get("status") == "ok" and values_equal(ref["output"], r["output"])


# check(input, strict, ref) -> (matches, counterfactual or None); a
# counterfactual is (input without the quirk, predicate on the strict side's answer)
Counterfactual = Optional[Tuple[Dict[str, Any], Callable[[Dict[str, Any]], bool]]]


def _py_int_unicode(inp, strict, ref):
    t = inp.get("text")
    if not isinstance(t, str) or not _non_ascii(t):
        return False, None
    v = ascii_int(fold_unicode_int(t))
    if v is None or v != _int_of(ref["output"].get("value")):
        return False, None
    if INT64_MIN <= v <= INT64_MAX:
        return True, ({"text": fold_unicode_int(t)}, _same_answer(ref))
    return True, ({"text": fold_unicode_int(t)},
                  lambda r: r.get("status") == "rejected" and r.get("error") == "overflow")


def _py_int_int64(inp, strict, ref):
    t = inp.get("text")
    if not isinstance(t, str) or _non_ascii(t):
        return False, None
    v = ascii_int(t)
    ok = v is not None and v == _int_of(ref["output"].get("value")) and not INT64_MIN <= v <= INT64_MAX
    return ok, None


def _token_unicode(inp, strict, ref):
    p = token_timestamp_text(inp.get("authorization"))
    if p is None or not _non_ascii(p[0]):
        return False, None
    v = ascii_int(fold_unicode_int(p[0]))
    if v is None:
        return False, None
    if "timestamp" in ref["output"] and v != _int_of(ref["output"]["timestamp"]):
        return False, None
    if not INT64_MIN <= v <= INT64_MAX:
        return True, None          # outside int64 as well: no ASCII spelling the codec takes
    cf = dict(inp, authorization="X-HMAC " + fold_unicode_int(p[0]) + p[1])
    return True, (cf, _same_answer(ref))


def _token_int64(inp, strict, ref):
    p = token_timestamp_text(inp.get("authorization"))
    if p is None or _non_ascii(p[0]):
        return False, None
    v = ascii_int(p[0])
    if v is None or INT64_MIN <= v <= INT64_MAX:
        return False, None
    if "timestamp" in ref["output"] and v != _int_of(ref["output"]["timestamp"]):
        return False, None
    return True, None


def _ws_counter(inp, strict, ref):
    c = _int_of(inp.get("counter"))
    nb = inp.get("nonce_b64")
    if c is None or INT64_MIN <= c <= INT64_MAX or not isinstance(nb, str):
        return False, None
    if ref["output"].get("url") != f"websocket:{nb}:{c:x}":
        return False, None
    canon = canonical_nonce_of(nb) or nb
    return True, ({"nonce_b64": canon, "counter": "0"},
                  lambda r: r.get("status") == "ok" and r["output"].get("url") == f"websocket:{canon}:0")


def _ws_nonce(inp, strict, ref):
    nb = inp.get("nonce_b64")
    canon = canonical_nonce_of(nb) if isinstance(nb, str) else None
    if canon is None or "nonce_b64" not in (strict.get("detail") or ""):
        return False, None
    url = ref["output"].get("url", "")
    if not url.startswith(f"websocket:{nb}:"):
        return False, None
    want = f"websocket:{canon}:" + url[len(f"websocket:{nb}:"):]
    return True, (dict(inp, nonce_b64=canon),
                  lambda r: r.get("status") == "ok" and r["output"].get("url") == want)


@dataclass(frozen=True)
class OpRule:
    """Strict side rejects (error class, input property); the reference accepts."""
    name: str
    ops: Tuple[str, ...]
    errors: Tuple[str, ...]
    check: Callable[[Dict[str, Any], Dict[str, Any], Dict[str, Any]], Tuple[bool, Counterfactual]]
    what: str = ""


OP_RULES: Tuple[OpRule, ...] = (
    OpRule("QK-34 unicode", ("py_int",), ("invalid_value",), _py_int_unicode,
           "Unicode decimal digits or whitespace: Python int() reads them, the codec takes ASCII only"),
    OpRule("QK-34 int64", ("py_int",), ("overflow",), _py_int_int64,
           "an integer outside int64: Python int() has no bound, the codec keeps int64"),
    OpRule("QK-34 unicode", ("hmac_parse_token", "hmac_verify"), ("forbidden",), _token_unicode,
           "token timestamp with Unicode digits or whitespace: the reference reads it with int()"),
    OpRule("QK-34 int64", ("hmac_parse_token", "hmac_verify"), ("forbidden",), _token_int64,
           "token timestamp outside int64 but within the lifetime: the reference has no bound"),
    OpRule("QK-26", ("ws_url",), ("overflow",), _ws_counter,
           "websocket counter outside int64: the reference formats any integer"),
    OpRule("QK-25", ("ws_url",), ("invalid_argument",), _ws_nonce,
           "nonce_b64 spelled URL-safe or unpadded: the reference formats any text, the codec "
           "takes only the standard padded rendering"),
)


@dataclass
class OpExplanation:
    by: str                       # rule name, "vector", or "" (unexplained)
    note: str = ""
    counterfactual: Counterfactual = None
    strict_side: str = ""         # "a" | "b": who must answer the counterfactual


def explain_op(op: str, inp: Dict[str, Any], cls: str, a: Dict[str, Any], b: Dict[str, Any],
               *, rules_apply: bool = True,
               vectors: Optional[List[Dict[str, Any]]] = None) -> OpExplanation:
    """Explains a disagreement on one op input (see OpRule)."""
    if cls == FAULT:
        return OpExplanation("", "an adapter failed on this input")
    if cls not in DISAGREEMENTS:
        return OpExplanation("n/a")
    if rules_apply and cls in (A_ONLY, B_ONLY):
        side = "a" if cls == B_ONLY else "b"
        strict, ref = (a, b) if side == "a" else (b, a)
        for rule in OP_RULES:
            if op not in rule.ops or strict.get("error") not in rule.errors:
                continue
            ok, cf = rule.check(inp, strict, ref)
            if ok:
                return OpExplanation(rule.name, rule.what, cf, side)
    for vec in vectors or ():
        if vector_explains(vec, a, b):
            return OpExplanation("vector", vec["id"])
    return OpExplanation("")
