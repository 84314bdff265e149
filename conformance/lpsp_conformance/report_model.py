"""The report's data model: results files loaded, vectors classified, rows
grouped area -> message type -> check family, counts. Shared by the
Markdown (report.py), the page (report_html.py) and the heatmaps
(report_svg.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import AREAS, FAIL, IMPL_DEFINED, NON_STRICT, PASS, UNSUPPORTED, VERDICTS
from .scope import FAMILIES, Scoper, family
from .vectors import VectorFileError, default_vectors_dir, load_all
from .verdict import expected_text

RESULTS_FORMAT = "lpsp-conformance-results/"
UNKNOWN = "?"
SHORT = {PASS: "pass", NON_STRICT: "non-strict", IMPL_DEFINED: "impl-def", UNSUPPORTED: "unsupported",
         FAIL: "FAIL"}
CODE = {PASS: "p", NON_STRICT: "n", IMPL_DEFINED: "i", UNSUPPORTED: "u", FAIL: "f"}
# verdicts whose vector ids the Markdown lists (capped per implementation and area)
LISTED = (FAIL, NON_STRICT)
LIST_CAP = 10
# how the matrix names the pseudo-types of the scope module
TYPE_LABELS = {"*": "* (type dispatch)", UNKNOWN: "? (unclassified)"}



class ReportError(Exception):
    """A results file cannot be used (the report exits 2)."""


# -- reading -----------------------------------------------------------------------


def results_files(results_dir: Path) -> List[Path]:
    return sorted(p for p in results_dir.glob("results-*.json") if p.is_file())


def load_results(paths: Iterable[Path]) -> List[Dict[str, Any]]:
    """The results documents, checked enough for the report to trust them."""
    runs = []
    for p in paths:
        p = Path(p)
        try:
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
        except OSError as e:
            raise ReportError(f"{p}: cannot read: {e.strerror or e}") from e
        except ValueError as e:
            raise ReportError(f"{p}: not JSON: {e}") from e
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            raise ReportError(f"{p}: not a results file (no 'results' list)")
        fmt = doc.get("format")
        if fmt is not None and not (isinstance(fmt, str) and fmt.startswith(RESULTS_FORMAT)):
            raise ReportError(f"{p}: format {fmt!r} is not {RESULTS_FORMAT}N")
        if doc.get("impl") is not None and not isinstance(doc["impl"], dict):
            raise ReportError(f"{p}: 'impl' is not an object")
        seen = set()
        for n, rec in enumerate(doc["results"]):
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not rec["id"]:
                raise ReportError(f"{p}: result #{n} has no vector id")
            if rec.get("verdict") not in VERDICTS:
                raise ReportError(f"{p}: result {rec['id']}: verdict {rec.get('verdict')!r} is not one of "
                                  + ", ".join(VERDICTS))
            if rec["id"] in seen:
                raise ReportError(f"{p}: vector {rec['id']} has two results")
            seen.add(rec["id"])
        doc["_file"] = p
        runs.append(doc)
    return runs


def impl_name(doc: Dict[str, Any]) -> str:
    name = (doc.get("impl") or {}).get("name")
    if isinstance(name, str) and name:
        return name
    stem = doc["_file"].stem
    return stem[len("results-"):] if stem.startswith("results-") and len(stem) > 8 else stem


# -- classifying records of older results files ------------------------------------------


class Vectors:
    """The vectors of one directory, loaded on first use (older results files
    lack type, scope and family; no results file has the input of a pass)."""

    def __init__(self, candidates: List[Path], explicit: bool):
        self.candidates = candidates
        self.explicit = explicit
        self.loaded = False
        self.dir: Optional[Path] = None
        self.by_id: Dict[str, Dict[str, Any]] = {}
        self.note: Optional[str] = None
        self._scoper = None

    def _load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        problems = []
        for d in self.candidates:
            if not d.is_dir():
                problems.append(f"{d}: no such directory")
                continue
            try:
                vectors = load_all(d)
            except VectorFileError as e:
                problems.append(str(e))
                continue
            if not vectors:
                problems.append(f"{d}: no vector files")
                continue
            self.dir = d
            self.by_id = {v["id"]: v for v in vectors}
            self._scoper = Scoper(vectors)
            return
        if self.explicit:
            raise ReportError("--vectors: " + "; ".join(problems))
        self.note = "no vectors directory could be read (" + "; ".join(problems) + ")"

    def get(self, vid: str) -> Optional[Dict[str, Any]]:
        self._load()
        return self.by_id.get(vid)

    def classify(self, vid: str) -> Optional[Tuple[Optional[str], Optional[str], Optional[str]]]:
        """(type, scope, family) of a vector, None when it is unknown here."""
        v = self.get(vid)
        if v is None:
            return None
        if self._scoper is not None:
            return self._scoper.classify(v)
        return None, None, family(v)


# -- the model -------------------------------------------------------------------


def needs_detail(cells: Dict[str, Dict[str, Any]]) -> bool:
    """A vector whose input and answers the page embeds: some implementation
    did not simply pass it (an unsupported vector outside the declared
    capabilities has nothing to show but its verdict)."""
    for c in cells.values():
        if c["v"] in (FAIL, NON_STRICT, IMPL_DEFINED):
            return True
        if c["v"] == UNSUPPORTED and c.get("in_scope"):
            return True
    return False


_MESSAGE_OPS = ("decode", "encode", "stateless_decode", "stateless_encode")


def _classify(row: Dict[str, Any], vectors: Vectors) -> None:
    """Sets the row's area, op, type, scope and family: from a record that has
    them (the current results format), else from the vector."""
    recs = list(row["records"].values())
    first = recs[0]
    full = next((rec for rec in recs if all(k in rec for k in ("type", "scope", "family"))), None)
    row["area"] = next((rec["area"] for rec in recs if rec.get("area")), None)
    row["op"] = next((rec["op"] for rec in recs if rec.get("op")), None)
    row["feature"] = first.get("feature")
    row["vector_verdict"] = next((rec["vector_verdict"] for rec in recs if rec.get("vector_verdict")), None)
    if full is not None:
        mtype, scope, fam = full["type"], full["scope"], full["family"]
    else:
        got = vectors.classify(row["id"])
        v = vectors.get(row["id"])
        if v is not None:
            row["area"] = row["area"] or v.get("_area")
            row["op"] = row["op"] or v.get("op")
        if got is not None:
            mtype, scope, fam = got
        else:  # an operation without a message type is named by the operation
            mtype = None if row["op"] and row["op"] not in _MESSAGE_OPS else UNKNOWN
            scope = fam = None
    row["area"] = row["area"] or UNKNOWN
    row["type"] = mtype if isinstance(mtype, str) and mtype else (row["op"] or UNKNOWN)
    row["scope"] = scope if isinstance(scope, str) and scope else UNKNOWN
    row["family"] = fam if isinstance(fam, str) and fam else UNKNOWN


def build(runs: List[Dict[str, Any]], vectors_dir: Optional[Path] = None) -> Dict[str, Any]:
    """The matrix model shared by the Markdown, HTML and SVG writers.

    ``vectors_dir`` (else each run's ``vectors_dir``, else the suite's
    vectors) is read only when a results file lacks ``type``/``family`` or a
    vector to detail has no input in any results file."""
    impls: List[Dict[str, Any]] = []
    seen = set()
    for r in runs:
        name = impl_name(r)
        while name in seen:
            name += "'"
        seen.add(name)
        info = r.get("impl") or {}
        declared = r.get("counts") if isinstance(r.get("counts"), dict) else None
        impls.append({"name": name, "adapter": info.get("adapter"), "version": info.get("version"),
                      "features": info.get("features"), "suite_version": r.get("suite_version"),
                      "started": r.get("started"), "duration_s": r.get("duration_s"),
                      "harness_error": r.get("harness_error"), "file": r["_file"].name,
                      "declared_counts": declared})

    candidates: List[Path] = []
    if vectors_dir is not None:
        candidates.append(Path(vectors_dir))
    else:
        for r in runs:
            vd = r.get("vectors_dir")
            if isinstance(vd, str) and vd:
                p = Path(vd)
                here = r["_file"].resolve().parent
                for c in ([p] if p.is_absolute() else [p, here / p, here.parent / p]):
                    if c not in candidates:
                        candidates.append(c)
        d = default_vectors_dir()
        if d not in candidates:
            candidates.append(d)
    vectors = Vectors(candidates, explicit=vectors_dir is not None)
    if vectors_dir is not None:
        vectors._load()  # a bad --vectors is an error even when nothing needs it

    rows: Dict[str, Dict[str, Any]] = {}
    for impl, r in zip(impls, runs):
        for rec in r["results"]:
            row = rows.get(rec["id"])
            if row is None:
                row = rows[rec["id"]] = {"id": rec["id"], "cells": {}, "records": {}}
            cell: Dict[str, Any] = {"v": rec["verdict"]}
            for src, dst in (("outcome", "o"), ("class", "c"), ("expected_failure", "x"),
                             ("in_scope", "in_scope")):
                if rec.get(src) is not None:
                    cell[dst] = rec[src]
            row["cells"][impl["name"]] = cell
            row["records"][impl["name"]] = rec
    type_rank: Dict[Tuple[str, str], int] = {}
    for r in runs:  # classify each vector once, in the order the results list them
        for rec in r["results"]:
            row = rows[rec["id"]]
            if "type" not in row:
                _classify(row, vectors)
                type_rank.setdefault((row["area"], row["type"]), len(type_rank))

    fam_rank = {f: i for i, f in enumerate(FAMILIES)}
    area_rank = {a: i for i, a in enumerate(AREAS)}

    def group_key(row):
        return (area_rank.get(row["area"], len(AREAS)), row["area"], type_rank[(row["area"], row["type"])],
                fam_rank.get(row["family"], len(FAMILIES)), row["family"])

    ordered = sorted(rows.values(), key=group_key)  # stable: results order inside a group
    groups: List[Dict[str, Any]] = []
    for row in ordered:
        key = (row["area"], row["type"], row["family"])
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "area": row["area"], "type": row["type"], "family": row["family"],
                           "rows": []})
        groups[-1]["rows"].append(row)
    names = [i["name"] for i in impls]
    for g in groups:
        g["counts"] = {n: {v: 0 for v in VERDICTS} for n in names}
        g["xfail"] = {n: 0 for n in names}  # failures listed as expected
        for row in g["rows"]:
            for n, c in row["cells"].items():
                g["counts"][n][c["v"]] += 1
                if c["v"] == FAIL and c.get("x"):
                    g["xfail"][n] += 1
        g["unsupported_everywhere"] = all(c["v"] == UNSUPPORTED for row in g["rows"]
                                          for c in row["cells"].values())

    # details: the input, expected output and answers of the vectors not
    # simply passed everywhere
    for row in ordered:
        if not needs_detail(row["cells"]):
            continue
        d: Dict[str, Any] = {}
        for key, value in (("op", row["op"]), ("sc", row["scope"]), ("vv", row["vector_verdict"])):
            if value and value != UNKNOWN:
                d[key] = value
        for rec in row["records"].values():
            if "input" in rec and "in" not in d:
                d["in"] = rec["input"]
            if "expected" in rec and "ex" not in d:
                d["ex"] = rec["expected"]
        if "in" not in d or "ex" not in d:
            v = vectors.get(row["id"])
            if v is not None:
                d.setdefault("in", v.get("input"))
                d.setdefault("ex", expected_text(v))
        else:  # the description too when the vectors are at hand anyway
            v = vectors.by_id.get(row["id"])
        if v is not None:
            if v.get("description"):
                d["desc"] = v["description"]
            if v.get("refs"):
                d["refs"] = v["refs"]
        answers = {}
        for n, rec in row["records"].items():
            a = {}
            for src, dst in (("status", "s"), ("time_ms", "t"), ("actual", "act"), ("diffs", "diffs"),
                             ("mismatch", "mm"), ("reason", "r"), ("expected_failure", "x"),
                             ("outcome", "o"), ("class", "c")):
                if rec.get(src) is not None:
                    a[dst] = rec[src]
            answers[n] = a
        d["a"] = answers
        row["detail"] = d

    areas = []
    for g in groups:
        if g["area"] not in areas:
            areas.append(g["area"])
    families = [f for f in FAMILIES if any(g["family"] == f for g in groups)]
    families += sorted({g["family"] for g in groups} - set(families))
    notes = [vectors.note] if vectors.loaded and vectors.note else []
    return {"impls": impls, "rows": ordered, "groups": groups, "areas": areas, "families": families,
            "verdicts": list(VERDICTS), "vectors_dir": str(vectors.dir) if vectors.dir else None,
            "notes": notes}


def counts(model: Dict[str, Any], area: Optional[str] = None) -> Dict[str, Dict[str, int]]:
    """{impl: {verdict: n}} over the vectors of one area (or all)."""
    out = {i["name"]: {v: 0 for v in VERDICTS} for i in model["impls"]}
    for g in model["groups"]:
        if area and g["area"] != area:
            continue
        for name, c in g["counts"].items():
            for v, n in c.items():
                out[name][v] += n
    return out


def suite_versions(model: Dict[str, Any]) -> List[str]:
    out: List[str] = []
    for i in model["impls"]:
        sv = i.get("suite_version")
        if sv and sv not in out:
            out.append(str(sv))
    return out


def type_label(t: str) -> str:
    return TYPE_LABELS.get(t, t)


def slug(name: str) -> str:
    """A file-name-safe form of an implementation name."""
    s = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name).strip("-.")
    return s or "impl"


# -- Markdown ---------------------------------------------------------------------
