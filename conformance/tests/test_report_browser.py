"""matrix.html driven in headless Chromium over the DevTools protocol.

The browser gets real mouse clicks and typed text (report_browser.exercise):
the counts it shows must equal the results files', keeping only the fail
verdict must show exactly the failing vectors, searching an id and clicking
its row must open a detail with the input, the expected output and each
implementation's answer; then a screenshot. On top of that, a link with a
filter in its fragment must apply it. The repository's own page:
``python -m lpsp_conformance.report_browser`` (reports/matrix-screenshot.png).
"""

import asyncio
import json
import struct
from pathlib import Path

import pytest

from lpsp_conformance import VERDICTS, report
from lpsp_conformance.report_browser import Chromium, exercise, expectations, find_chromium

RESULTS = Path(__file__).resolve().parent / "fixtures" / "results"
CHROMIUM = find_chromium()


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_page_driven_in_headless_chromium(tmp_path):
    out = tmp_path / "reports"
    assert report.main(["--results-dir", str(RESULTS), "--out", str(out), "--vectors", str(RESULTS / "vectors")]) == 0
    page = out / "matrix.html"
    docs = report.load_results(report.results_files(RESULTS))
    exp = expectations(docs)
    shot = tmp_path / "matrix-screenshot.png"

    browser = Chromium(CHROMIUM)

    async def session():
        try:
            await asyncio.wait_for(browser.start(), 30)
            obs = await asyncio.wait_for(exercise(browser, page, exp, shot, timeout=15), 60)
            # a link that carries a filter: gamma's non-strict verdicts only
            await browser.send("Page.navigate", {"url": page.as_uri() + "#v=non-strict&in=gamma"})
            await browser.wait_for("location.hash.includes('in=gamma') && document.body.dataset.shown === '1' && "
                                   "!!document.querySelector('#matrix tr.vec')", "the filter of the link", 15)
            obs["link"] = await browser.eval(
                "({rows: [...document.querySelectorAll('#matrix tr.vec')].map((tr) => tr.dataset.id),"
                " boxes: [...document.querySelectorAll('#verdict-filter input')].filter((i) => i.checked)"
                ".map((i) => i.value), scope: document.getElementById('impl-scope').selectedOptions[0].textContent})")
            obs["errors"] = list(browser.errors)
            return obs
        finally:
            await asyncio.wait_for(browser.close(), 20)

    try:
        obs = asyncio.run(session())
    finally:
        browser.kill()  # by its process id (and its group); a no-op once close() did it
    assert browser.proc is not None and browser.proc.poll() is not None  # the browser is gone

    assert obs["problems"] == [], obs["problems"]
    assert obs["errors"] == []

    # the counts shown are the results files' counts
    for doc in docs:
        name = doc["impl"]["name"]
        assert {v: obs["counts"][name][v] for v in VERDICTS} == doc["counts"]
        assert obs["counts"][name]["total"] == len(doc["results"])
    assert obs["shown_all"] == 50

    # one verdict filter: exactly the failing vectors
    failing = {r["id"] for doc in docs for r in doc["results"] if r["verdict"] == "fail"}
    assert obs["filter"] == "fail" and obs["filtered_rows"] == obs["filtered_expected"] == len(failing) == 3
    assert obs["filter_hash"] == "#v=fail"

    # one id searched, its detail opened
    vid = obs["searched"]
    assert vid in failing and obs["search_rows"] >= 1
    det = obs["detail"]
    assert det["title"] == vid and not det["hidden"]
    assert det["heads"] == ["Input", "Expected", "Answers"]
    recs = {doc["impl"]["name"]: r for doc in docs for r in doc["results"] if r["id"] == vid}
    recorded = next(r for r in recs.values() if "input" in r)
    assert json.loads(det["input"]["text"]) == recorded["input"]
    assert json.loads(det["expected"]["text"]) == recorded["expected"]
    answers = {a["impl"]: a for a in det["answers"]}
    assert set(answers) == {"alpha", "beta", "gamma"}
    for name, r in recs.items():
        if r["verdict"] == "fail":
            assert "FAIL" in answers[name]["head"] and json.loads(answers[name]["pre"]) == r["actual"]
            assert all(d in answers[name]["text"] for d in r.get("diffs", []))
        else:
            assert r["verdict"] in answers[name]["head"]
    assert f"id={vid}" in obs["detail_hash"]

    # the link with a filter
    assert obs["link"] == {"rows": ["s2b-subscribe-exact-min-basic-len-x-tracing-plus1"], "boxes": ["non-strict"],
                           "scope": "gamma"}

    # the screenshot: the page at the viewport's size, with content
    data = shot.read_bytes()
    assert png_size(data) == (1400, 900)
    assert len(data) > 30_000 and obs["screenshot_bytes"] == len(data)
