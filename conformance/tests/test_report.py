"""Matrix report: Markdown, and an HTML page checked in headless Chromium."""

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CONFORMANCE, saboteur

from lpsp_conformance import report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def two_runs(run_suite, tmp_path):
    a = run_suite(saboteur("honest"), "--impl-name", "good")
    b = run_suite(saboteur("wrong-bytes", "--features", "stateful,etag,hmac"), "--impl-name", "bad")
    assert (a.rc, b.rc) == (0, 1)
    paths = sorted(tmp_path.glob("results-*.json"))
    assert len(paths) == 2
    return paths


def dump_dom(page: Path, fragment: str, tmp_path: Path) -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", page.as_uri() + fragment]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def dom_counts(dom: str):
    return {(m.group(1), m.group(2)): int(m.group(3))
            for m in re.finditer(r'id="count-([a-z]+)-([a-z-]+)">(\d+)<', dom)}


def test_matrix_markdown_and_html_render_with_the_right_counts(two_runs, tmp_path):
    out = tmp_path / "reports"
    p = subprocess.run([sys.executable, "-m", "lpsp_conformance.report", "--out", str(out), *map(str, two_runs)],
                       cwd=CONFORMANCE, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    model = report.build(report.load_results(two_runs))
    md = (out / "matrix.md").read_text()
    want = report.counts(model)
    for name in ("good", "bad"):
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} |"))
        assert row.rstrip(" |").endswith(" | ".join(str(want[name][v]) for v in model["verdicts"]))
    assert "fx-s2b-subscribe-exact-minimal" in md

    html = (out / "matrix.html").read_text()
    assert "http://" not in html and "https://" not in html and "src=" not in html  # self-contained
    assert 'id="count-' not in html  # the counts are computed by the page itself

    dom = dump_dom(out / "matrix.html", "", tmp_path)
    got = dom_counts(dom)
    for name in ("good", "bad"):
        for v in model["verdicts"]:
            assert got[(name, v)] == want[name][v], (name, v)
        assert got[(name, "total")] == len(model["rows"])
    assert 'data-rendered="all"' in dom
    assert dom.count('<td class="fail"') == want["bad"]["fail"]

    # the area filter, selected through the URL fragment
    dom = dump_dom(out / "matrix.html", "#area=etag", tmp_path)
    got = dom_counts(dom)
    want_etag = report.counts(model, "etag")
    assert got[("bad", "fail")] == want_etag["bad"]["fail"] and got[("good", "pass")] == want_etag["good"]["pass"]
    assert 'data-rendered="etag"' in dom
    shown = int(re.search(r'id="shown">(\d+)<', dom).group(1))
    assert shown == sum(1 for r in model["rows"] if r["area"] == "etag") < len(model["rows"])


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
