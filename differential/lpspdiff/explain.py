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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import TYPE_NAMES, values_equal

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
