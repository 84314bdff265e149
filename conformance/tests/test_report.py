"""Matrix report: the Markdown, the page's embedded data, the heatmaps, the
exit status. test_report_browser.py drives the page in headless Chromium.

The fixtures in fixtures/results/ (written by make_results.py there): three
results files over a 50-vector sample of the suite, alpha and beta in the
current format, gamma an older file without type, scope, family or inputs.
"""

import base64
import gzip
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CONFORMANCE, saboteur

from lpsp_conformance import VERDICTS, report
from lpsp_conformance.report_svg import COLORS

RESULTS = Path(__file__).resolve().parent / "fixtures" / "results"
VECTORS = RESULTS / "vectors"
SVG = "{http://www.w3.org/2000/svg}"


def docs():
    return {d["impl"]["name"]: d for d in (json.loads(p.read_text()) for p in sorted(RESULTS.glob("results-*.json")))}


def vectors():
    return {v["id"]: v for p in sorted(VECTORS.glob("*.json")) for v in json.loads(p.read_text())["vectors"]}


def run_report(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "lpsp_conformance.report", *map(str, args)], cwd=cwd or CONFORMANCE,
                       capture_output=True, text=True, timeout=120)
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    p = run_report("--results-dir", RESULTS, "--out", out, "--vectors", VECTORS)
    assert p.returncode == 0, p.stderr
    assert "50 vectors x 3 implementation(s)" in p.stdout
    return out


def page_blocks(html):
    """The page's data blocks, unpacked: {block id: JSON}."""
    out = {}
    for m in re.finditer(r'<script type="application/gzip\+base64" id="([^"]+)">(.*?)</script>', html, re.S):
        out[m.group(1)] = json.loads(gzip.decompress(base64.b64decode("".join(m.group(2).split()))))
    return out


def page_rows(data):
    """[(id, area, type, family, {impl: verdict})] as the page's script decodes them."""
    codes = {"p": "pass", "n": "non-strict", "i": "implementation-defined", "u": "unsupported", "f": "fail"}
    names = [i["name"] for i in data["impls"]]
    rows = []
    for g in data["groups"]:
        prev = ""
        for r in g["r"]:
            vid = prev[:r[0]] + r[1]
            prev = vid
            cells = {n: codes[ch] for n, ch in zip(names, r[2]) if ch != "-"}
            rows.append((vid, data["areas"][g["a"]], g["t"], g["f"], cells))
    return rows


def md_table_rows(md):
    """{(area, type, family): [cells]} of the per-area tables."""
    out, area = {}, None
    for line in md.splitlines():
        m = re.match(r"## (\S+) — \d+ vectors?$", line)
        if m:
            area = m.group(1)
            continue
        if area and line.startswith("| ") and not line.startswith(("| message type", "|---")):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            out[(area, cells[0], cells[1])] = cells[2:]
    return out


# -- Markdown ---------------------------------------------------------------------


def test_markdown_summary_groups_and_lists(built):
    md = (built / "matrix.md").read_text()
    d = docs()
    assert len(md) < 6000  # small: counts per group, not per vector
    for name, doc in d.items():
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} |"))
        assert row.endswith(" | ".join(str(doc["counts"][v]) for v in VERDICTS)
                            + f" | {len(doc['results'])} | [svg](heatmap-{name}.svg) |"), row
    areas = re.findall(r"^## (\S+) — (\d+) vectors?$", md, re.M)
    assert [a for a, _ in areas] == ["stateful-s2b", "stateful-b2s", "stateless", "etag", "auth", "session"]

    # every group row: the counts of each implementation, recomputed from the
    # results files (the family of gamma's records, an older file, comes from alpha's)
    klass = {r["id"]: (r["area"], r["type"] or r["op"], r["family"]) for r in d["alpha"]["results"]}
    want = {}
    for name, doc in d.items():
        for r in doc["results"]:
            c = want.setdefault(klass[r["id"]], {}).setdefault(name, {v: 0 for v in VERDICTS})
            c[r["verdict"]] += 1
    table = md_table_rows(md)
    label = {"*": "* (type dispatch)"}
    folded = {k for k, per in want.items() if all(c["unsupported"] == sum(c.values()) for c in per.values())}
    assert folded == {("session", "ws_url", "basic")}
    assert {(a, label.get(t, t), f) for a, t, f in want if (a, t, f) not in folded} == set(table)
    for (a, t, f), per in want.items():
        if (a, t, f) in folded:
            continue
        cells = table[(a, label.get(t, t), f)]
        assert int(cells[0]) == max(sum(c.values()) for c in per.values())
        for name, text in zip(d, cells[1:]):
            c = per.get(name)
            if c is None:
                assert text == "—"
                continue
            for v in VERDICTS:
                if v != "fail" and c[v]:
                    assert f"{c[v]} {report.SHORT[v]}" in text, (a, t, f, name, text)
            assert ("FAIL" in text or "fail (expected)" in text) == bool(c["fail"])

    assert "| SUBSCRIBE_EXACT | basic | 6 | 5 pass, **1 FAIL** | 6 pass | 6 pass |" in md
    assert "| etag | basic | 2 | 1 pass, 1 fail (expected) | 2 pass | — |" in md
    assert "Unsupported by every implementation: 1 vector in 1 group — ws_url/basic (1)." in md
    assert "- alpha, fail (1): `s2b-subscribe-exact-min-basic`" in md
    assert "- alpha, fail (1): `etag-empty` (expected)" in md
    assert "- beta, fail (1): `b2s-confirm-notify-exp-max-trunc-0000`" in md
    assert "- gamma, non-strict (1): `s2b-subscribe-exact-min-basic-len-x-tracing-plus1`" in md


def test_markdown_caps_the_listed_ids(tmp_path):
    doc = json.loads((RESULTS / "results-beta.json").read_text())
    for r in doc["results"]:
        if r["area"] == "stateful-s2b":
            r["verdict"] = "fail"
    doc["counts"] = None
    (tmp_path / "results-beta.json").write_text(json.dumps(doc))
    assert report.main(["--results-dir", str(tmp_path), "--vectors", str(VECTORS)]) == 0
    md = (tmp_path / "matrix.md").read_text()
    n = sum(1 for r in doc["results"] if r["area"] == "stateful-s2b")
    line = next(x for x in md.splitlines() if x.startswith("- beta, fail"))
    assert line.startswith(f"- beta, fail ({n}): ") and line.endswith(f" and {n - report.LIST_CAP} more")
    assert line.count("`") == 2 * report.LIST_CAP


# -- the page's data ------------------------------------------------------------------


def test_page_is_self_contained_and_embeds_every_verdict(built):
    html = (built / "matrix.html").read_text()
    assert len(html) < 80_000
    for needle in ("http://", "https://", " src=", "<link", "@import", "url("):
        assert needle not in html  # no external resource
    blocks = page_blocks(html)
    data = blocks["data"]
    d = docs()
    assert [i["name"] for i in data["impls"]] == list(d)
    rows = page_rows(data)
    assert len(rows) == len({r[0] for r in rows}) == 50
    got = {r[0]: r[4] for r in rows}
    for name, doc in d.items():
        for rec in doc["results"]:
            assert got[rec["id"]][name] == rec["verdict"]
    # grouped area -> type -> family, in the suite's area order
    order = [(r[1], r[2], r[3]) for r in rows]
    assert order.index(("stateful-s2b", "SUBSCRIBE_EXACT", "basic")) < order.index(
        ("stateful-s2b", "SUBSCRIBE_EXACT", "truncation")) < order.index(("stateful-b2s", "CONFIRM_NOTIFY", "basic"))
    assert [g["t"] for g in data["groups"] if g.get("u")] == ["ws_url"]


def test_page_details_only_where_some_answer_is_not_a_plain_pass(built):
    blocks = page_blocks((built / "matrix.html").read_text())
    details = {}
    for k, v in blocks.items():
        if k.startswith("details-"):
            details.update(v)
    d, vecs = docs(), vectors()
    want = set()
    for doc in d.values():
        for r in doc["results"]:
            if r["verdict"] in ("fail", "non-strict", "implementation-defined") or r.get("in_scope"):
                want.add(r["id"])
    assert set(details) == want
    for vid, det in details.items():
        assert det["in"] == vecs[vid]["input"]
        assert set(det["a"]) == {n for n, doc in d.items() if any(r["id"] == vid for r in doc["results"])}
    fail = details["s2b-subscribe-exact-min-basic"]["a"]["alpha"]
    assert fail["act"]["status"] == "ok" and fail["diffs"] and fail["mm"] == {"offset": 9, "field": "topic"}
    assert details["etag-empty"]["a"]["alpha"]["x"].startswith("QK-31")
    # gamma's non-strict vector: no input in any results file, read from the vectors
    gamma_ns = details["s2b-subscribe-exact-min-basic-len-x-tracing-plus1"]
    assert gamma_ns["ex"]["status"] == "rejected" and gamma_ns["desc"]
    assert gamma_ns["a"]["gamma"]["c"] == "invalid_value" and "act" not in gamma_ns["a"]["gamma"]


def test_older_results_are_classified_from_the_vectors(tmp_path):
    gamma = RESULTS / "results-gamma.json"
    model = report.build(report.load_results([gamma]), VECTORS)
    keys = {(g["area"], g["type"], g["family"]) for g in model["groups"]}
    assert ("stateful-s2b", "SUBSCRIBE_EXACT", "truncation") in keys
    assert ("stateful-s2b", "*", "basic") in keys and ("stateful-b2s", "CONFIRM_NOTIFY", "basic") in keys
    assert not any("?" in k for k in keys)
    # without --vectors: the file's own vectors_dir
    assert report.build(report.load_results([gamma]))["groups"] == model["groups"]
    # what no vector explains goes under "?"; a type null in a current file is the operation
    doc = json.loads(gamma.read_text())
    doc["results"].append({"id": "zz-no-such-vector", "area": "stateful-s2b", "op": "decode", "verdict": "pass"})
    doc["results"].append({"id": "zz-auth", "area": "auth", "op": "hmac_verify", "type": None, "scope": "hmac:verify",
                           "family": "basic", "verdict": "fail", "status": "ok"})
    (tmp_path / "results-gamma.json").write_text(json.dumps(doc))
    p = run_report("--results-dir", tmp_path, "--vectors", VECTORS)
    assert p.returncode == 0, p.stderr
    md = (tmp_path / "matrix.md").read_text()
    assert "| ? (unclassified) | ? | 1 | 1 pass |" in md
    assert "| hmac_verify | basic | 1 | **1 FAIL** |" in md


# -- heatmaps -------------------------------------------------------------------------


def test_heatmaps_are_standalone_svg(built):
    d = docs()
    for name, doc in d.items():
        path = built / f"heatmap-{name}.svg"
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg" and float(root.get("width")) > 600 and float(root.get("height")) > 300
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert texts[0] == f"lonelypsp conformance: {name}"
        assert f"{len(doc['results'])} vectors run" in texts[1]
        for v in VERDICTS:
            assert v in texts  # legend
        for label in ("stateful-s2b", "SUBSCRIBE_EXACT", "* (type dispatch)", "basic", "truncation", "all"):
            assert label in texts
        titles = [t.text for t in root.iter(f"{SVG}title")]
        fills = {r.get("fill") for g in root.iter(f"{SVG}g") for r in g.iter(f"{SVG}rect")}  # cells, not the legend
        assert (COLORS["fail"] in fills) == bool(doc["counts"]["fail"])
        assert (COLORS["unsupported"] in fills) == bool(doc["counts"]["unsupported"])
        if name == "alpha":
            assert "stateful-s2b SUBSCRIBE_EXACT / basic: 6 vectors: 5 pass, 1 fail" in titles
        if name == "gamma":  # ran the stateful areas only
            assert "etag etag / basic: 2 vectors, not run" in titles
    assert "(heatmap-alpha.svg)" in (built / "matrix.md").read_text()


# -- command line ------------------------------------------------------------------------


def test_default_directory_and_exit_status(tmp_path):
    rdir = tmp_path / "reports"
    rdir.mkdir()
    p = run_report(cwd=tmp_path)
    assert p.returncode == 2 and "no results files" in p.stderr
    shutil.copy(RESULTS / "results-alpha.json", rdir)
    p = run_report("--vectors", VECTORS, cwd=tmp_path)  # default: reports/ under the current directory
    assert p.returncode == 0, p.stderr
    assert {f.name for f in rdir.iterdir()} == {"results-alpha.json", "matrix.md", "matrix.html", "heatmap-alpha.svg"}

    bad = rdir / "results-broken.json"
    for text, msg in (("{not json", "not JSON"), ('{"results": 3}', "not a results file"),
                      ('{"format": "other/1", "results": []}', "format"),
                      ('{"results": [{"id": "x", "verdict": "great"}]}', "verdict 'great'"),
                      ('{"results": [{"verdict": "pass"}]}', "no vector id")):
        bad.write_text(text)
        p = run_report(cwd=tmp_path)
        assert p.returncode == 2, text
        assert "results-broken.json" in p.stderr and msg in p.stderr, p.stderr
    bad.unlink()
    p = run_report("--vectors", tmp_path / "nowhere", cwd=tmp_path)
    assert p.returncode == 2 and "--vectors" in p.stderr


# -- through the runner ------------------------------------------------------------------


@pytest.fixture
def two_runs(run_suite, tmp_path):
    a = run_suite(saboteur("honest"), "--impl-name", "good")
    b = run_suite(saboteur("wrong-bytes", "--features", "stateful,etag,hmac"), "--impl-name", "bad")
    assert (a.rc, b.rc) == (0, 1)
    paths = sorted(tmp_path.glob("results-*.json"))
    assert len(paths) == 2
    return paths


def test_matrix_of_two_runs_through_the_runner(two_runs, tmp_path):
    out = tmp_path / "reports"
    p = run_report("--results-dir", tmp_path, "--out", out)
    assert p.returncode == 0, p.stderr
    runs = {json.loads(x.read_text())["impl"]["name"]: json.loads(x.read_text()) for x in two_runs}
    md = (out / "matrix.md").read_text()
    for name in ("good", "bad"):
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} |"))
        assert " | ".join(str(runs[name]["counts"][v]) for v in VERDICTS) in row
    assert "- bad, fail (" in md and "`fx-s2b-subscribe-exact-minimal`" in md
    data = page_blocks((out / "matrix.html").read_text())["data"]
    got = {r[0]: r[4] for r in page_rows(data)}
    for name, doc in runs.items():
        assert all(got[r["id"]][name] == r["verdict"] for r in doc["results"])
    for name in ("good", "bad"):
        ET.parse(out / f"heatmap-{name}.svg")


def test_selection_and_junitxml(run_suite, tmp_path):
    xml = tmp_path / "junit.xml"
    r = run_suite(saboteur("wrong-bytes"), "--area", "etag,session", "--junitxml", str(xml))
    assert r.rc == 1, r
    ids = set(r.verdicts)
    assert ids and all(i.startswith(("fx-etag", "fx-connection", "fx-ws-url")) for i in ids)
    cases = ET.parse(xml).getroot().iter("testcase")
    names = {c.get("name"): c for c in cases}
    assert set(names) == ids
    failed = {n for n, c in names.items() if c.find("failure") is not None}
    assert failed == {i for i, v in r.verdicts.items() if v == "fail"}

    r = run_suite(saboteur("honest"), "--feature", "bearer")
    assert set(r.verdicts) == {"fx-bearer-ok", "fx-bearer-lowercase", "fx-bearer-missing"}
    r = run_suite(saboteur("honest"), "-k", "fx-ws-url-minus-26")
    assert set(r.verdicts) == {"fx-ws-url-minus-26"}
    r = run_suite(saboteur("honest"), "-k", "no-vector-has-this-name")
    assert r.rc == 2, r
