"""Inputs of message vectors that scenarios send as malformed frames or bodies."""

from __future__ import annotations

import functools
import json
from typing import Dict

from ..vectors import default_vectors_dir, vector_files


@functools.lru_cache(maxsize=1)
def _index() -> Dict[str, dict]:
    out: Dict[str, dict] = {}
    for path in vector_files(default_vectors_dir()):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for v in doc.get("vectors", []):
            out[v["id"]] = v
    return out


def invalid_vector_bytes(vid: str) -> bytes:
    """The input bytes of message vector `vid`, which must be a decode vector that
    every implementation must reject (verdict invalid)."""
    v = _index().get(vid)
    if v is None:
        raise KeyError(f"no message vector {vid!r}")
    if v.get("verdict") != "invalid" or "hex" not in v.get("input", {}):
        raise ValueError(f"message vector {vid!r} is not an invalid decode vector")
    return bytes.fromhex(v["input"]["hex"])
