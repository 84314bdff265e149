"""Failure diagnostics: where an encode or decode mismatch lies in the bytes.

For a stateful ``encode`` whose hex differs from the vector's, the first
differing byte offset and the header it falls in (the expected message
walked by :mod:`lpsp_conformance.layout`); for a stateful ``decode`` whose
output differs, the input bytes of the header that carries the first
differing field; for a stateless ``stateless_encode``, the first differing
byte offset.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from . import layout

_FIELD = re.compile(r"^output\.([A-Za-z_]+)")


def _bytes(h: Any) -> Optional[bytes]:
    if not isinstance(h, str):
        return None
    try:
        return bytes.fromhex(h)
    except ValueError:
        return None


def mismatch(vector: Dict[str, Any], actual: Any, diffs: List[str]) -> Optional[Dict[str, Any]]:
    """{"offset": int, "field": str} for a byte-level mismatch, else None."""
    op = vector.get("op")
    inp = vector.get("input") if isinstance(vector.get("input"), dict) else {}
    out = actual.get("output") if isinstance(actual, dict) else None
    if op in ("encode", "stateless_encode") and vector.get("verdict") == "valid":
        exp = _bytes((vector.get("expected") or {}).get("hex"))
        got = _bytes(out.get("hex")) if isinstance(out, dict) else None
        if exp is None or got is None:
            return None
        off = layout.first_difference(exp, got)
        if off is None:
            return None
        if op == "encode":
            where = layout.locate(inp.get("direction", ""), exp, off)
        else:
            where = f"{inp.get('body', 'body')} body"
        return {"offset": off, "field": where,
                "expected_byte": f"{exp[off]:02x}" if off < len(exp) else None,
                "actual_byte": f"{got[off]:02x}" if off < len(got) else None}
    if op == "decode":
        data = _bytes(inp.get("hex"))
        if data is None:
            return None
        for d in diffs:
            m = _FIELD.match(d)
            if not m:
                continue
            where = layout.field_region(inp.get("direction", ""), data, m.group(1))
            if where:
                start = int(re.search(r"byte[s]? (\d+)", where).group(1))
                return {"offset": start, "field": f"output.{m.group(1)} comes from {where}"}
        return None
    return None


def describe(m: Dict[str, Any]) -> str:
    if "expected_byte" in m:
        eb = m.get("expected_byte") or "end"
        ab = m.get("actual_byte") or "end"
        return f"first differing byte at offset {m['offset']}: expected {eb}, got {ab}, in {m['field']}"
    return m["field"]
