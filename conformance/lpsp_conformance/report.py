"""Cross-implementation matrix from results JSON files.

    python -m lpsp_conformance.report [--out DIR] [results-*.json ...]

Writes DIR/matrix.md and DIR/matrix.html (default DIR: reports/; default
inputs: reports/results-*.json). The HTML page is self-contained: the data is
embedded, the counts and the table are computed by its own script, and a
select box filters by area (also settable as matrix.html#area=<area>).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from . import AREAS, FAIL, IMPL_DEFINED, NON_STRICT, PASS, REPO_ROOT, UNSUPPORTED, VERDICTS

SHORT = {PASS: "pass", NON_STRICT: "non-strict", IMPL_DEFINED: "impl-def", UNSUPPORTED: "unsupported", FAIL: "FAIL"}


def load_results(paths: List[Path]) -> List[Dict[str, Any]]:
    runs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            raise ValueError(f"{p}: not a results file")
        doc["_file"] = p.name
        runs.append(doc)
    return runs


def build(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The matrix model shared by the Markdown and HTML writers."""
    impls = []
    seen = set()
    for r in runs:
        name = (r.get("impl") or {}).get("name") or r["_file"]
        while name in seen:
            name += "'"
        seen.add(name)
        info = r.get("impl") or {}
        impls.append({"name": name, "adapter": info.get("adapter"), "version": info.get("version"),
                      "suite_version": r.get("suite_version"), "harness_error": r.get("harness_error")})
    rows: Dict[str, Dict[str, Any]] = {}
    for impl, r in zip(impls, runs):
        for rec in r["results"]:
            row = rows.setdefault(rec["id"], {"id": rec["id"], "area": rec.get("area") or "",
                                              "feature": rec.get("feature"), "cells": {}})
            cell = {"v": rec["verdict"]}
            for k_src, k_dst in (("outcome", "o"), ("class", "c"), ("expected_failure", "x"), ("reason", "r")):
                if rec.get(k_src) is not None:
                    cell[k_dst] = rec[k_src]
            row["cells"][impl["name"]] = cell
    area_rank = {a: i for i, a in enumerate(AREAS)}
    ordered = sorted(rows.values(), key=lambda r: (area_rank.get(r["area"], len(AREAS)), r["area"]))
    return {"impls": impls, "rows": ordered, "areas": [a for a in AREAS if any(r["area"] == a for r in ordered)]
            + sorted({r["area"] for r in ordered} - set(AREAS)), "verdicts": list(VERDICTS)}


def counts(model: Dict[str, Any], area: Optional[str] = None) -> Dict[str, Dict[str, int]]:
    """{impl: {verdict: n}} over the rows of one area (or all)."""
    out = {i["name"]: {v: 0 for v in VERDICTS} for i in model["impls"]}
    for row in model["rows"]:
        if area and row["area"] != area:
            continue
        for name, cell in row["cells"].items():
            out[name][cell["v"]] = out[name].get(cell["v"], 0) + 1
    return out


def _cell_text(cell: Optional[Dict[str, Any]]) -> str:
    if cell is None:
        return "—"
    v = cell["v"]
    t = SHORT.get(v, v)
    if v == IMPL_DEFINED and cell.get("o"):
        t += f" ({cell['o']})"
    if v == NON_STRICT and cell.get("c"):
        t += f" ({cell['c']})"
    if v == FAIL and cell.get("x"):
        t = "fail (expected)"
    return t


def write_markdown(model: Dict[str, Any], path: Path) -> None:
    impls = [i["name"] for i in model["impls"]]
    L: List[str] = ["# lonelypsp conformance matrix", ""]
    L.append("| implementation | adapter | version | suite | " + " | ".join(VERDICTS) + " |")
    L.append("|---|---|---|---|" + "---:|" * len(VERDICTS))
    c_all = counts(model)
    for i in model["impls"]:
        c = c_all[i["name"]]
        L.append(f"| {i['name']} | {i['adapter'] or ''} | {i['version'] or ''} | {i['suite_version'] or ''} | "
                 + " | ".join(str(c[v]) for v in VERDICTS) + " |")
    L += ["", "## Per area", "", "| area | implementation | " + " | ".join(VERDICTS) + " |",
          "|---|---|" + "---:|" * len(VERDICTS)]
    for a in model["areas"]:
        ca = counts(model, a)
        for name in impls:
            L.append(f"| {a} | {name} | " + " | ".join(str(ca[name][v]) for v in VERDICTS) + " |")
    deviating = [r for r in model["rows"] if any(c["v"] != PASS for c in r["cells"].values())
                 or len(r["cells"]) < len(impls)]
    L += ["", "## Vectors not passed by every implementation", "",
          f"{len(model['rows']) - len(deviating)} of {len(model['rows'])} vectors pass everywhere and are "
          "left out here; matrix.html shows all of them.", ""]
    if deviating:
        L.append("| vector | area | " + " | ".join(impls) + " |")
        L.append("|---|---|" + "---|" * len(impls))
        for r in deviating:
            L.append(f"| `{r['id']}` | {r['area']} | " + " | ".join(_cell_text(r["cells"].get(n)) for n in impls) + " |")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}
table{border-collapse:collapse;margin:.8em 0}
th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}
th{background:#f0f0f0;position:sticky;top:0}
td.n{text-align:right}
.pass{background:#c8f0c8}.non-strict{background:#fff3b0}.implementation-defined{background:#cfe3ff}
.unsupported{background:#e4e4e4;color:#555}.fail{background:#f7b8b8;font-weight:bold}
.xfail{background:#f5d6c0}.none{color:#999}
code{font-size:12px}
"""

_JS = r"""
(function(){
  var model = JSON.parse(document.getElementById('data').textContent);
  var sel = document.getElementById('area');
  model.areas.forEach(function(a){ var o=document.createElement('option'); o.value=a; o.textContent=a; sel.appendChild(o); });
  var m = /(?:^|[#&])area=([^&]*)/.exec(location.hash);
  if (m) { sel.value = decodeURIComponent(m[1]); }
  function el(tag, cls, text){ var e=document.createElement(tag); if(cls) e.className=cls; if(text!==undefined) e.textContent=text; return e; }
  function label(c){
    if(!c) return '—';
    var t = c.v;
    if(c.v==='implementation-defined' && c.o) t += ' (' + c.o + ')';
    if(c.v==='non-strict' && c.c) t += ' (' + c.c + ')';
    if(c.v==='fail' && c.x) t = 'fail (expected)';
    return t;
  }
  function render(){
    var area = sel.value;
    var rows = model.rows.filter(function(r){ return !area || r.area===area; });
    var counts = {};
    model.impls.forEach(function(i){ counts[i.name] = {}; model.verdicts.forEach(function(v){ counts[i.name][v]=0; }); });
    rows.forEach(function(r){ Object.keys(r.cells).forEach(function(n){ counts[n][r.cells[n].v] += 1; }); });
    var ct = document.getElementById('counts'); ct.textContent='';
    var hr = el('tr'); hr.appendChild(el('th',null,'implementation'));
    model.verdicts.forEach(function(v){ hr.appendChild(el('th',v,v)); });
    hr.appendChild(el('th',null,'total')); ct.appendChild(hr);
    model.impls.forEach(function(i){
      var tr = el('tr'); tr.appendChild(el('td',null,i.name + (i.version ? ' ' + i.version : '')));
      var total = 0;
      model.verdicts.forEach(function(v){ var td = el('td','n',String(counts[i.name][v])); td.id='count-'+i.name+'-'+v; tr.appendChild(td); total += counts[i.name][v]; });
      var tt = el('td','n',String(total)); tt.id='count-'+i.name+'-total'; tr.appendChild(tt);
      ct.appendChild(tr);
    });
    document.getElementById('shown').textContent = String(rows.length);
    var mt = document.getElementById('matrix'); mt.textContent='';
    var h = el('tr'); h.appendChild(el('th',null,'vector')); h.appendChild(el('th',null,'area'));
    model.impls.forEach(function(i){ h.appendChild(el('th',null,i.name)); }); mt.appendChild(h);
    rows.forEach(function(r){
      var tr = el('tr'); var td = el('td'); td.appendChild(el('code',null,r.id)); tr.appendChild(td);
      tr.appendChild(el('td',null,r.area));
      model.impls.forEach(function(i){
        var c = r.cells[i.name];
        var cls = !c ? 'none' : (c.v==='fail' && c.x ? 'xfail' : c.v);
        var cell = el('td', cls, label(c));
        if(c && (c.r || c.x)) cell.title = (c.x ? 'expected failure: ' + c.x + '\n' : '') + (c.r || '');
        tr.appendChild(cell);
      });
      mt.appendChild(tr);
    });
    document.body.setAttribute('data-rendered', area || 'all');
  }
  sel.addEventListener('change', function(){ location.hash = sel.value ? 'area=' + encodeURIComponent(sel.value) : ''; render(); });
  render();
})();
"""


def write_html(model: Dict[str, Any], path: Path) -> None:
    data = json.dumps(model, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    impls = ", ".join(html.escape(f"{i['name']} ({i['adapter'] or '?'} {i['version'] or ''})".strip())
                      for i in model["impls"])
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>lonelypsp conformance matrix</title>
<style>{_CSS}</style></head>
<body>
<h1>lonelypsp conformance matrix</h1>
<p>Implementations: {impls}. Vectors: {len(model['rows'])}.</p>
<p><label>Area: <select id="area"><option value="">all areas</option></select></label>
 &nbsp; <span id="shown">?</span> vectors shown</p>
<table id="counts"></table>
<table id="matrix"></table>
<noscript>This page computes its tables with JavaScript.</noscript>
<script type="application/json" id="data">{data}</script>
<script>{_JS}</script>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.report", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO_ROOT / "reports"), help="output directory (default reports/)")
    ap.add_argument("results", nargs="*", help="results JSON files (default reports/results-*.json)")
    a = ap.parse_args(argv)
    paths = [Path(p) for p in a.results] or sorted((REPO_ROOT / "reports").glob("results-*.json"))
    if not paths:
        print("report: no results files (run make conformance first)", file=sys.stderr)
        return 2
    try:
        model = build(load_results(paths))
    except (OSError, ValueError) as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    write_markdown(model, out / "matrix.md")
    write_html(model, out / "matrix.html")
    shown = out.resolve()
    try:
        shown = shown.relative_to(Path.cwd())
    except ValueError:
        pass
    print(f"report: {len(model['rows'])} vectors x {len(model['impls'])} implementation(s) "
          f"({', '.join(i['name'] for i in model['impls'])}) -> {shown / 'matrix.md'}, {shown / 'matrix.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
