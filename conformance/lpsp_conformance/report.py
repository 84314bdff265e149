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
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import FAIL, VERDICTS
from .report_model import (LIST_CAP, LISTED, SHORT, ReportError, build, counts, load_results, results_files,
                           slug, suite_versions, type_label)


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
