"""Loading vector files (vectors/FORMAT.md)."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any, Collection, Dict, List, Optional

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


def selects(v: Dict[str, Any], features: Collection[str], exact_ids: Collection[str],
            id_globs: List[str]) -> bool:
    """Whether the run options --feature, --id and --id-file select a vector."""
    return matching(v, features, exact_ids, id_globs) is not None


def matching(v: Dict[str, Any], features: Collection[str], exact_ids: Collection[str],
             id_globs: List[str]) -> Optional[str]:
    """None when the options leave the vector out; else the glob that selects
    it, or "" (selected by an exact id, or no id option given)."""
    if features and v.get("feature") not in features:
        return None
    if not exact_ids and not id_globs:
        return ""
    vid = v["id"]
    if vid in exact_ids:
        return ""
    for g in id_globs:
        if fnmatch.fnmatchcase(vid, g):
            return g
    return None
