"""Cross-implementation conformance matrix from results JSON files.

    python -m lpsp_conformance.report [--results-dir DIR] [--out DIR] [--vectors DIR] [FILE ...]

Reads every ``results-*.json`` of the results directory (default: ``reports``
under the current directory; or only the FILEs given) and writes to ``--out``
(default: the results directory):

``matrix.md``
    a summary per implementation, then one table per area with one row per
    message type x check family (counts per verdict per implementation); the
    groups unsupported by every implementation fold into one line per area,
    and failing / non-strict vector ids are listed, capped.
``matrix.html``
    one self-contained page (no external resources): the vectors grouped area
    -> message type -> check family in expandable groups, a verdict filter, an
    id search and a per-vector detail (input, expected, every implementation's
    answer). Its state is in the URL fragment
    (``matrix.html#v=fail&q=trunc&id=<vector id>``).
``heatmap-<impl>.svg``
    one standalone picture per implementation: message types (by area) x
    check families, each cell split by the share of every verdict.

A results file written before the runner recorded ``type``, ``scope`` and
``family`` is classified here from its vectors (``--vectors``, else the
file's ``vectors_dir``, else the suite's vectors); what cannot be classified
is grouped under ``?``. Inputs and expected outputs are embedded in the page
only for vectors that are not a plain pass everywhere (every other vector is
in the vectors directory).

Exit status: 0, or 2 when there is no results file or one cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import AREAS, FAIL, IMPL_DEFINED, NON_STRICT, PASS, UNSUPPORTED, VERDICTS

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

try:  # the order the report lists check families in
    from .scope import FAMILIES
except Exception:  # pragma: no cover - the scope module is part of the package
    FAMILIES = ("basic", "quirk", "truncation", "lengths", "widths", "headers", "type-flags",
                "utf8", "hashes", "regression", "other")


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


def _impl_name(doc: Dict[str, Any]) -> str:
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
        from .vectors import load_all
        problems = []
        for d in self.candidates:
            if not d.is_dir():
                problems.append(f"{d}: no such directory")
                continue
            try:
                vectors = load_all(d)
            except Exception as e:  # VectorFileError, or a vectors module in flux
                problems.append(str(e))
                continue
            if not vectors:
                problems.append(f"{d}: no vector files")
                continue
            self.dir = d
            self.by_id = {v["id"]: v for v in vectors}
            try:
                from .scope import Scoper
                self._scoper = Scoper(vectors)
            except Exception as e:  # pragma: no cover - classification then falls back
                self.note = f"vectors in {d} cannot be classified: {e}"
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
            try:
                return self._scoper.classify(v)
            except Exception:
                pass
        try:
            from .scope import family
            fam = family(v)
        except Exception:
            fam = None
        return None, None, fam


def _expected_of(v: Dict[str, Any]) -> Any:
    """What the runner records as ``expected`` for a vector."""
    try:
        from .verdict import expected_text
        return expected_text(v)
    except Exception:  # pragma: no cover - same shape as the runner's
        verdict = v.get("verdict")
        if verdict == "valid":
            return {"status": "ok", "output": v.get("expected")}
        if verdict == "invalid":
            return {"status": "rejected", "error": "one of " + ", ".join(v.get("errors") or [])}
        if verdict == "implementation-defined":
            return {"either": v.get("outcomes")}
        return None


# -- the model -------------------------------------------------------------------


def _needs_detail(cells: Dict[str, Dict[str, Any]]) -> bool:
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
        name = _impl_name(r)
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
        try:
            from .vectors import default_vectors_dir
            d = default_vectors_dir()
            if d not in candidates:
                candidates.append(d)
        except Exception:  # pragma: no cover
            pass
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
        if not _needs_detail(row["cells"]):
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
                d.setdefault("ex", _expected_of(v))
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


def _md(text: Any) -> str:
    return (str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _md_cell(c: Dict[str, int], xfail: int = 0) -> str:
    """Counts per verdict; failures in bold unless every one is expected."""
    total = sum(c.values())
    if total == 0:
        return "—"
    parts = []
    for v in VERDICTS:
        if not c[v]:
            continue
        if v != FAIL:
            parts.append(f"{c[v]} {SHORT[v]}")
            continue
        if c[v] > xfail:
            parts.append(f"**{c[v] - xfail} FAIL**")
        if xfail:
            parts.append(f"{xfail} fail (expected)")
    return ", ".join(parts)


def _listed_ids(group_rows: List[Dict[str, Any]], name: str, verdict: str) -> List[str]:
    out = []
    for row in group_rows:
        c = row["cells"].get(name)
        if c and c["v"] == verdict:
            out.append(f"`{row['id']}`" + (" (expected)" if c.get("x") else ""))
    return out


def markdown(model: Dict[str, Any], heatmaps: Optional[Dict[str, str]] = None) -> str:
    impls = [i["name"] for i in model["impls"]]
    nrows = len(model["rows"])
    sv = suite_versions(model)
    L: List[str] = ["# lonelypsp conformance matrix", ""]
    L.append(f"{len(impls)} implementation{'s' if len(impls) != 1 else ''}, {nrows} vectors"
             + (f" (suite {', '.join(sv)})" if sv else "")
             + ". Every vector, with a verdict filter, an id search and the input, expected output and "
               "answers of each: [matrix.html](matrix.html).")
    L += ["", "| implementation | adapter | version | suite | " + " | ".join(VERDICTS) + " | total | heatmap |",
          "|---|---|---|---|" + "---:|" * (len(VERDICTS) + 1) + "---|"]
    c_all = counts(model)
    for i in model["impls"]:
        c = c_all[i["name"]]
        hm = (heatmaps or {}).get(i["name"])
        L.append(f"| {_md(i['name'])} | {_md(i['adapter'])} | {_md(i['version'])} | {_md(i['suite_version'])} | "
                 + " | ".join(str(c[v]) for v in VERDICTS) + f" | {sum(c.values())} | "
                 + (f"[svg]({hm})" if hm else "") + " |")
    for i in model["impls"]:
        if i.get("harness_error"):
            L += ["", f"**{_md(i['name'])}: harness error** — {_md(i['harness_error'])}"]
    for note in model.get("notes") or ():
        L += ["", f"Note: {_md(note)}."]
    L += ["", "Per area: one row per message type (or operation) and check family, with the count of "
              "each verdict per implementation (`—`: not run). Groups unsupported by every implementation "
              "are folded into one line."]
    for area in model["areas"]:
        groups = [g for g in model["groups"] if g["area"] == area]
        shown = [g for g in groups if not g["unsupported_everywhere"]]
        folded = [g for g in groups if g["unsupported_everywhere"]]
        n_area = sum(len(g["rows"]) for g in groups)
        L += ["", f"## {area} — {n_area} vectors", ""]
        if shown:
            L.append("| message type | family | vectors | " + " | ".join(_md(n) for n in impls) + " |")
            L.append("|---|---|---:|" + "---|" * len(impls))
            for g in shown:
                L.append(f"| {_md(type_label(g['type']))} | {_md(g['family'])} | {len(g['rows'])} | "
                         + " | ".join(_md_cell(g["counts"][n], g["xfail"][n]) for n in impls) + " |")
        if folded:
            n = sum(len(g["rows"]) for g in folded)
            L += ["", f"Unsupported by every implementation: {n} vector{'s' if n != 1 else ''} in "
                      f"{len(folded)} group{'s' if len(folded) != 1 else ''} — "
                  + ", ".join(f"{_md(type_label(g['type']))}/{_md(g['family'])} ({len(g['rows'])})"
                              for g in folded) + "."]
        area_rows = [row for g in groups for row in g["rows"]]
        listed = []
        for name in impls:
            for verdict in LISTED:
                ids = _listed_ids(area_rows, name, verdict)
                if ids:
                    more = f" and {len(ids) - LIST_CAP} more" if len(ids) > LIST_CAP else ""
                    listed.append(f"- {_md(name)}, {SHORT[verdict] if verdict != FAIL else 'fail'} "
                                  f"({len(ids)}): " + ", ".join(ids[:LIST_CAP]) + more)
        if listed:
            L += [""] + listed
    return "\n".join(L) + "\n"


# -- writing ---------------------------------------------------------------------


def write_all(model: Dict[str, Any], out: Path) -> List[Path]:
    from .report_html import page
    from .report_svg import heatmap
    out.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    heatmaps: Dict[str, str] = {}
    used = set()
    for i in model["impls"]:
        fname = f"heatmap-{slug(i['name'])}.svg"
        while fname in used:
            fname = fname[:-4] + "_.svg"
        used.add(fname)
        (out / fname).write_text(heatmap(model, i["name"]), encoding="utf-8")
        heatmaps[i["name"]] = fname
        written.append(out / fname)
    (out / "matrix.md").write_text(markdown(model, heatmaps), encoding="utf-8")
    (out / "matrix.html").write_text(page(model), encoding="utf-8")
    return [out / "matrix.md", out / "matrix.html"] + written


def main(argv: Optional[List[str]] = None) -> int:
    doc = (__doc__ or "").strip()
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.report", description=doc.split("\n")[0],
                                 epilog="Exit status: 0, or 2 when there is no results file or one cannot "
                                        "be read.")
    ap.add_argument("--results-dir", default="reports", metavar="DIR",
                    help="directory of the results-*.json files (default: reports)")
    ap.add_argument("--out", default=None, metavar="DIR",
                    help="output directory (default: the results directory; with FILEs, the first one's)")
    ap.add_argument("--vectors", default=None, metavar="DIR",
                    help="vectors directory, to classify results files of an older format and to find the "
                         "input of vectors no results file carries (default: each file's vectors_dir, else the "
                         "suite's vectors)")
    ap.add_argument("files", nargs="*", metavar="FILE", help="results files (default: every results-*.json "
                                                             "of the results directory)")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    results_dir = Path(a.results_dir)
    paths = [Path(p) for p in a.files] or results_files(results_dir)
    if not paths:
        print(f"report: no results files (results-*.json) in {results_dir}; run the conformance suite first",
              file=sys.stderr)
        return 2
    try:
        model = build(load_results(paths), Path(a.vectors) if a.vectors else None)
    except ReportError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    out = Path(a.out) if a.out else (paths[0].parent if a.files else results_dir)
    try:
        written = write_all(model, out)
    except OSError as e:
        print(f"report: cannot write to {out}: {e}", file=sys.stderr)
        return 2
    for note in model["notes"]:
        print(f"report: note: {note}", file=sys.stderr)
    sizes = ", ".join(f"{p.name} ({p.stat().st_size} bytes)" for p in written)
    print(f"report: {len(model['rows'])} vectors x {len(model['impls'])} implementation(s) "
          f"({', '.join(i['name'] for i in model['impls'])}) -> {out}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
