"""Verdict rules of vectors/FORMAT.md: compare one response with one vector."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import FAIL, IMPL_DEFINED, NON_STRICT, PASS, UNSUPPORTED

_DECIMAL = re.compile(r"-?[0-9]+\Z")


@dataclass
class Judgement:
    verdict: str                      # pass | non-strict | implementation-defined | unsupported | fail
    status: str = ""                  # adapter status: ok | rejected | unsupported | fault
    error: Optional[str] = None       # error class the adapter gave (rejected)
    outcome: Optional[str] = None     # implementation-defined: reference | strict | rejected
    reason: str = ""                  # one line: why this verdict
    actual: Any = None                # the response (or fault) as shown in reports
    diffs: List[str] = field(default_factory=list)
    in_scope: bool = True             # False: outside the adapter's declared capabilities


def values_equal(expected: Any, actual: Any, path: str = "", diffs: Optional[List[str]] = None) -> bool:
    """Structural equality with the integer convention of the testee protocol.

    Integers compare by value whether written as JSON numbers or decimal
    strings; two strings compare exactly (hex "00" is not hex "0"); booleans
    are not integers; objects must have exactly the same keys.
    """
    ok = _eq(expected, actual, path or "output", diffs if diffs is not None else [])
    return ok


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _eq(e: Any, a: Any, path: str, diffs: List[str]) -> bool:
    if isinstance(e, dict):
        if not isinstance(a, dict):
            diffs.append(f"{path}: expected an object, got {_short(a)}")
            return False
        ok = True
        missing = sorted(set(e) - set(a))
        extra = sorted(set(a) - set(e))
        if missing:
            diffs.append(f"{path}: missing key(s) {', '.join(missing)}")
            ok = False
        if extra:
            diffs.append(f"{path}: unexpected key(s) {', '.join(extra)}")
            ok = False
        for k in e:
            if k in a and not _eq(e[k], a[k], f"{path}.{k}", diffs):
                ok = False
        return ok
    if isinstance(e, list):
        if not isinstance(a, list):
            diffs.append(f"{path}: expected a list, got {_short(a)}")
            return False
        if len(e) != len(a):
            diffs.append(f"{path}: expected {len(e)} item(s), got {len(a)}")
            return False
        ok = True
        for i, (x, y) in enumerate(zip(e, a)):
            if not _eq(x, y, f"{path}[{i}]", diffs):
                ok = False
        return ok
    if _is_int(e) or _is_int(a):
        ev, av = _as_int(e), _as_int(a)
        if ev is not None and av is not None and ev == av:
            return True
        diffs.append(f"{path}: expected {_short(e)}, got {_short(a)}")
        return False
    if type(e) is not type(a) or e != a:
        diffs.append(f"{path}: expected {_short(e)}, got {_short(a)}")
        return False
    return True


def _as_int(v: Any) -> Optional[int]:
    if _is_int(v):
        return v
    if isinstance(v, str) and _DECIMAL.match(v):
        return int(v)
    return None


def _short(v: Any, n: int = 120) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "…"


def judge(vector: Dict[str, Any], resp: Dict[str, Any]) -> Judgement:
    """Applies the verdict rules to a well-formed adapter response."""
    status = resp.get("status")
    verdict = vector.get("verdict")
    err = resp.get("error") if status == "rejected" else None
    actual = resp
    if status == "unsupported":
        return Judgement(UNSUPPORTED, status, reason=f"adapter answered unsupported: {resp.get('detail', '')}",
                         actual=actual)
    if verdict == "valid":
        if status == "rejected":
            return Judgement(FAIL, status, err, reason=f"valid input rejected ({err}: {resp.get('detail', '')})",
                             actual=actual)
        diffs: List[str] = []
        if values_equal(vector.get("expected"), resp.get("output"), diffs=diffs):
            return Judgement(PASS, status, actual=actual)
        return Judgement(FAIL, status, reason="output differs from expected", actual=actual, diffs=diffs)
    if verdict == "invalid":
        if status == "ok":
            return Judgement(FAIL, status, reason="invalid input accepted", actual=actual)
        allowed = vector.get("errors") or []
        if err in allowed:
            return Judgement(PASS, status, err, actual=actual)
        return Judgement(NON_STRICT, status, err, actual=actual,
                         reason=f"rejected as {err}, vector expects one of {', '.join(allowed)}")
    if verdict == "implementation-defined":
        outcomes = vector.get("outcomes") or {}
        if status == "rejected":
            return Judgement(IMPL_DEFINED, status, err, outcome="rejected", actual=actual)
        diffs_all: List[str] = []
        for name in ("reference", "strict"):
            o = outcomes.get(name)
            if isinstance(o, dict) and "accept" in o:
                d: List[str] = []
                if values_equal(o["accept"], resp.get("output"), diffs=d):
                    return Judgement(IMPL_DEFINED, status, outcome=name, actual=actual)
                diffs_all.extend(f"[{name}] {x}" for x in d)
        return Judgement(FAIL, status, reason="accepted, but the output matches no allowed outcome",
                         actual=actual, diffs=diffs_all)
    return Judgement(FAIL, status, reason=f"vector has an unknown verdict {verdict!r}", actual=actual)


def expected_text(vector: Dict[str, Any]) -> Any:
    v = vector.get("verdict")
    if v == "valid":
        return {"status": "ok", "output": vector.get("expected")}
    if v == "invalid":
        return {"status": "rejected", "error": "one of " + ", ".join(vector.get("errors") or [])}
    if v == "implementation-defined":
        return {"either": vector.get("outcomes")}
    return None


def fault_judgement(kind: str, detail: str) -> Judgement:
    return Judgement(FAIL, "fault", reason=f"adapter {kind}: {detail}", actual={"fault": kind, "detail": detail})

