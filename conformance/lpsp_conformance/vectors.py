"""Loading vector files (vectors/FORMAT.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from . import AREAS, data


class VectorFileError(Exception):
    pass


def default_vectors_dir() -> Path:
    return data.vectors_dir()


def vector_files(directory: Path) -> List[Path]:
    """The area files of a vectors directory, in the canonical area order."""
    files = []
    for area in AREAS:
        p = directory / f"{area}.json"
        if p.is_file():
            files.append(p)
    return files


def load_file(path: Path) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise VectorFileError(f"{path}: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("vectors"), list):
        raise VectorFileError(f"{path}: not a vector file (no 'vectors' list)")
    area = doc.get("area") or path.stem
    seen = set()
    for v in doc["vectors"]:
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            raise VectorFileError(f"{path}: vector without an id")
        if v["id"] in seen:
            raise VectorFileError(f"{path}: duplicate vector id {v['id']}")
        seen.add(v["id"])
        v.setdefault("_area", area)
    doc["area"] = area
    return doc


def load_all(directory: Path) -> List[Dict[str, Any]]:
    """All vectors of a directory (deprecated ones included), area order."""
    out: List[Dict[str, Any]] = []
    ids = set()
    for p in vector_files(directory):
        for v in load_file(p)["vectors"]:
            if v["id"] in ids:
                raise VectorFileError(f"{p}: vector id {v['id']} also appears in another area")
            ids.add(v["id"])
            out.append(v)
    return out
