"""Loading peer scenario files (``vectors/peer-*.json``, ``vectors/PEER-FORMAT.md``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from .. import data

PEER_AREAS = ("peer-broadcaster", "peer-subscriber")
# which role the peer under test plays in each area
AREA_ROLE = {"peer-broadcaster": "broadcaster", "peer-subscriber": "subscriber"}
VERDICTS = ("required", "implementation-defined")


class ScenarioFileError(Exception):
    pass


def default_dir() -> Path:
    return data.vectors_dir()


def schema_path() -> Path:
    return default_dir() / "peer-schema.json"


def scenario_files(directory: Optional[Path] = None) -> List[Path]:
    d = directory or default_dir()
    return [d / f"{a}.json" for a in PEER_AREAS if (d / f"{a}.json").is_file()]


def load(path: Path, validate: bool = True) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise ScenarioFileError(f"{path}: {e}") from e
    if validate:
        import jsonschema
        with open(schema_path(), encoding="utf-8") as f:
            schema = json.load(f)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.path)
            raise ScenarioFileError(f"{path}: {where}: {e.message}"
                                    + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    if doc.get("area") not in PEER_AREAS:
        raise ScenarioFileError(f"{path}: area {doc.get('area')!r} is not a peer area")
    seen = set()
    for sc in doc["scenarios"]:
        if sc["id"] in seen:
            raise ScenarioFileError(f"{path}: scenario id {sc['id']} appears twice")
        seen.add(sc["id"])
    return doc


def all_scenarios(directory: Optional[Path] = None) -> List[Dict[str, Any]]:
    out = []
    for p in scenario_files(directory):
        doc = load(p)
        for sc in doc["scenarios"]:
            out.append(dict(sc, area=doc["area"]))
    return out
