"""heatmap-<impl>.svg: one implementation's verdicts as a standalone picture.

Rows are the message types (or operations) of each area, columns the check
families of the matrix plus an ``all`` column; each cell is split
left to right by the share of fail, non-strict, implementation-defined,
unsupported and pass among its vectors, with the vector count written on it
and the breakdown in its tooltip. Light cells have no vectors; white cells
with a dash have vectors this implementation did not run. The picture has
its own white background, a title and a legend, so it reads the same
embedded in a README (``![](heatmap-c.svg)``) as opened on its own.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple
from xml.sax.saxutils import escape

from . import FAIL, IMPL_DEFINED, NON_STRICT, PASS, UNSUPPORTED, VERDICTS
from .report_model import suite_versions, type_label

COLORS = {PASS: "#2e8b46", NON_STRICT: "#e0b520", IMPL_DEFINED: "#5b8fd6", UNSUPPORTED: "#b9b9b9",
          FAIL: "#c62828"}
ORDER = (FAIL, NON_STRICT, IMPL_DEFINED, UNSUPPORTED, PASS)  # a small failing share stays visible
FONT = "system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"

M = 16            # margin
LABEL_W = 236     # row label column
CW, RH = 66, 18   # cell width, row height
AREA_H = 22       # area band height


def _attr(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


def _label(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _breakdown(c: Dict[str, int]) -> str:
    return ", ".join(f"{c[v]} {v}" for v in VERDICTS if c[v]) or "not run"


def heatmap(model: Dict[str, Any], name: str) -> str:
    impl = next(i for i in model["impls"] if i["name"] == name)
    families: List[str] = list(model["families"])
    columns = families + ["all"]
    # rows: (area, type) in the model's order, with this implementation's counts per family
    layout: List[Tuple[str, List[Tuple[str, Dict[str, Dict[str, int]], Dict[str, int]]]]] = []
    for area in model["areas"]:
        types: Dict[str, Dict[str, Any]] = {}
        for g in model["groups"]:
            if g["area"] != area:
                continue
            t = types.setdefault(g["type"], {"fams": {}, "sizes": {}})
            t["fams"][g["family"]] = g["counts"][name]
            t["sizes"][g["family"]] = len(g["rows"])
        rows = []
        for tname, t in types.items():
            all_c = {v: sum(c[v] for c in t["fams"].values()) for v in VERDICTS}
            sizes = dict(t["sizes"])
            sizes["all"] = sum(t["sizes"].values())
            rows.append((tname, dict(t["fams"], all=all_c), sizes))
        layout.append((area, rows))

    total = {v: 0 for v in VERDICTS}
    for g in model["groups"]:
        for v in VERDICTS:
            total[v] += g["counts"][name][v]
    n_run = sum(total.values())

    width = M + LABEL_W + CW * len(columns) + M
    top = 64
    header_h = 24
    body_h = sum(AREA_H + RH * len(rows) for _, rows in layout)
    legend_y = top + header_h + body_h + 18
    height = legend_y + 34
    out: List[str] = []
    w = out.append
    w(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
      f'viewBox="0 0 {width} {height}" font-family="{_attr(FONT)}" role="img" aria-labelledby="title desc">')
    title = f"lonelypsp conformance: {name}"
    sub = " ".join(str(x) for x in (impl.get("adapter"), impl.get("version")) if x)
    sv = impl.get("suite_version") or ", ".join(suite_versions(model))
    counts_text = ", ".join(f"{total[v]} {v}" for v in VERDICTS if total[v] or v == FAIL)
    desc = f"{sub + ' · ' if sub else ''}{'suite ' + str(sv) + ' · ' if sv else ''}{n_run} vectors run: {counts_text}"
    w(f'<title id="title">{escape(title)}</title>')
    w(f'<desc id="desc">{escape(desc)}. Rows: message types by area; columns: check families; each cell is '
      f'split by the share of each verdict.</desc>')
    w("<style>.n{font-size:10px;fill:#111;text-anchor:middle;stroke:#fff;stroke-width:2.5px;"
      "stroke-linejoin:round;paint-order:stroke}.t{font-size:11px;fill:#1d1f21}</style>")
    w(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    w(f'<text x="{M}" y="28" font-size="17" font-weight="700" fill="#1d1f21">{escape(title)}</text>')
    w(f'<text x="{M}" y="48" font-size="12" fill="#444">{escape(desc)}</text>')
    if impl.get("harness_error"):
        w(f'<text x="{width - M}" y="28" font-size="12" fill="{COLORS[FAIL]}" text-anchor="end">'
          f'harness error</text>')
    x0 = M + LABEL_W
    hy = top + header_h - 8
    w(f'<text x="{M}" y="{hy}" font-size="11" fill="#666">message type \\ family</text>')
    for ci, col in enumerate(columns):
        cx = x0 + ci * CW + CW / 2
        weight = ' font-weight="700"' if col == "all" else ""
        w(f'<text x="{cx:.1f}" y="{hy}" font-size="10.5" fill="#333" text-anchor="middle"{weight}>'
          f'{escape(_label(col, 11))}</text>')
    y = top + header_h
    for area, rows in layout:
        w(f'<rect x="{M}" y="{y}" width="{width - 2 * M}" height="{AREA_H - 2}" fill="#eef2f6"/>')
        w(f'<text x="{M + 6}" y="{y + 14}" font-size="12" font-weight="700" fill="#1d1f21">{escape(area)}</text>')
        y += AREA_H
        for tname, fams, sizes in rows:
            w(f'<text x="{M + 14}" y="{y + 13}" class="t">{escape(_label(type_label(tname)))}</text>')
            for ci, col in enumerate(columns):
                cx = x0 + ci * CW + 1
                cw, ch = CW - 2, RH - 2
                c = fams.get(col)
                size = sizes.get(col, 0)
                n = sum(c.values()) if c else 0
                tip = f"{area} {type_label(tname)} / {col}: "
                if not size:
                    w(f'<rect x="{cx}" y="{y + 1}" width="{cw}" height="{ch}" fill="#f7f7f8"><title>'
                      f'{escape(tip + "no vectors")}</title></rect>')
                    continue
                if not n:
                    w(f'<g><title>{escape(tip + f"{size} vectors, not run")}</title>'
                      f'<rect x="{cx + .5}" y="{y + 1.5}" width="{cw - 1}" height="{ch - 1}" fill="#fff" '
                      f'stroke="#c8c8c8"/><text x="{cx + cw / 2:.1f}" y="{y + 13}" font-size="10" fill="#999" '
                      f'text-anchor="middle">–</text></g>')
                    continue
                w(f'<g><title>{escape(tip + f"{n} vectors: " + _breakdown(c))}</title>')
                # segment widths: proportional, a present verdict at least 2 px
                shares = [(v, c[v]) for v in ORDER if c[v]]
                widths = [max(2.0, cw * k / n) for _, k in shares]
                excess = sum(widths) - cw
                if excess > 0:
                    big = max(range(len(widths)), key=lambda i: widths[i])
                    widths[big] -= excess
                sx = float(cx)
                for (v, _), sw in zip(shares, widths):
                    w(f'<rect x="{sx:.1f}" y="{y + 1}" width="{sw:.1f}" height="{ch}" fill="{COLORS[v]}"/>')
                    sx += sw
                w(f'<text x="{cx + cw / 2:.0f}" y="{y + 13}" class="n">{n}</text></g>')
            y += RH
    # legend
    lx = M
    for v in VERDICTS:
        w(f'<rect x="{lx}" y="{legend_y}" width="12" height="12" fill="{COLORS[v]}"/>')
        w(f'<text x="{lx + 16}" y="{legend_y + 10}" font-size="11" fill="#333">{escape(v)}</text>')
        lx += 30 + 6.3 * len(v)
    w(f'<rect x="{lx}" y="{legend_y}" width="12" height="12" fill="#f7f7f8" stroke="#ddd"/>')
    w(f'<text x="{lx + 16}" y="{legend_y + 10}" font-size="11" fill="#333">no vectors</text>')
    lx += 30 + 6.3 * 10
    w(f'<rect x="{lx + .5}" y="{legend_y + .5}" width="11" height="11" fill="#fff" stroke="#c8c8c8"/>')
    w(f'<text x="{lx + 16}" y="{legend_y + 10}" font-size="11" fill="#333">not run</text>')
    w(f'<text x="{M}" y="{legend_y + 28}" font-size="10.5" fill="#666">Each cell: the vectors of one message type '
      f'and check family, split by the share of each verdict; the number is the vector count.</text>')
    w("</svg>")
    return "\n".join(out) + "\n"
