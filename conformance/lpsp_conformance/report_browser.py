"""Drive matrix.html in headless Chromium over the DevTools protocol.

    python -m lpsp_conformance.report_browser [--results-dir DIR] [--page FILE] [--screenshot FILE]

Starts Chromium headless with a private profile, loads the page and, with
real mouse clicks and typed text:

1. reads the counts the page shows and compares them with the results files'
   counts;
2. keeps one verdict (the rarest one present, fail when there is a failure),
   opens every group and compares the vector rows shown with the vectors
   having that verdict in some implementation;
3. resets the filter, types one of those vector ids into the search box,
   opens the vector's detail and checks that it shows the input, the expected
   output and every implementation's answer as the results files have them;
4. saves a screenshot (default: matrix-screenshot.png next to the page).

Every wait has a deadline; the browser is killed by its process id at the
end. Exit status: 0 when every check holds, 1 when one does not, 2 when
Chromium, aiohttp or the page is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import PASS, VERDICTS

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
VIEWPORT = (1400, 900)


class BrowserError(Exception):
    """Chromium could not be started or driven."""


def find_chromium() -> Optional[str]:
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in CANDIDATES:
        p = shutil.which(name)
        if p:
            return p
    return None


class Chromium:
    """One headless Chromium with its own profile directory, and a DevTools
    protocol session with its first page."""

    def __init__(self, binary: str, width: int = VIEWPORT[0], height: int = VIEWPORT[1]):
        self.binary = binary
        self.size = (width, height)
        self.proc: Optional[subprocess.Popen] = None
        self.profile: Optional[str] = None
        self.http = None
        self.ws = None
        self.reader: Optional[asyncio.Task] = None
        self.pending: Dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.errors: List[str] = []   # exceptions thrown and errors logged by the page

    async def start(self, deadline_s: float = 30.0) -> None:
        import aiohttp
        self.profile = tempfile.mkdtemp(prefix="lpsp-report-chromium-")
        log = open(Path(self.profile) / "chromium.log", "wb")
        cmd = [self.binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
               "--hide-scrollbars", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
               f"--window-size={self.size[0]},{self.size[1]}", "about:blank"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        finally:
            log.close()
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + deadline_s
        while True:
            if self.proc.poll() is not None:
                raise BrowserError(f"chromium exited with status {self.proc.returncode}: {self._log_tail()}")
            try:
                lines = port_file.read_text().split()
            except OSError:
                lines = []
            if len(lines) >= 2:
                port = int(lines[0])
                break
            if time.monotonic() > deadline:
                raise BrowserError(f"chromium did not open its DevTools port within {deadline_s:.0f} s: "
                                   f"{self._log_tail()}")
            await asyncio.sleep(0.05)
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        target = None
        while target is None:
            try:
                async with self.http.get(f"http://127.0.0.1:{port}/json/list") as r:
                    targets = await r.json(content_type=None)
                target = next((t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")),
                              None)
            except (aiohttp.ClientError, ValueError):
                target = None
            if target is None:
                if time.monotonic() > deadline:
                    raise BrowserError("chromium shows no page target")
                await asyncio.sleep(0.05)
        self.ws = await self.http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0,
                                             timeout=aiohttp.ClientWSTimeout(ws_close=5))
        self.reader = asyncio.ensure_future(self._read())
        await self.send("Runtime.enable")
        await self.send("Log.enable")
        await self.send("Page.enable")
        await self.send("Emulation.setDeviceMetricsOverride",
                        {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1, "mobile": False})

    def _log_tail(self) -> str:
        try:
            return (Path(self.profile) / "chromium.log").read_text(errors="replace")[-1500:].strip()
        except (OSError, TypeError):
            return ""

    async def _read(self) -> None:
        import aiohttp
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data:
                fut = self.pending.pop(data["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(data)
            elif data.get("method") == "Runtime.exceptionThrown":
                d = data["params"]["exceptionDetails"]
                self.errors.append((d.get("exception") or {}).get("description") or d.get("text", "exception"))
            elif data.get("method") == "Log.entryAdded" and data["params"]["entry"].get("level") == "error":
                self.errors.append(data["params"]["entry"].get("text", ""))
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(BrowserError("the DevTools connection closed"))

    async def send(self, method: str, params: Optional[Dict[str, Any]] = None, timeout: float = 15.0) -> Any:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send_str(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        try:
            data = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise BrowserError(f"{method}: no answer within {timeout:.0f} s") from None
        if "error" in data:
            raise BrowserError(f"{method}: {data['error']}")
        return data.get("result", {})

    async def eval(self, expression: str) -> Any:
        r = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise BrowserError(f"page script failed: {(d.get('exception') or {}).get('description') or d}")
        return r.get("result", {}).get("value")

    async def wait_for(self, expression: str, what: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = await self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(0.03)

    async def click(self, selector: str) -> None:
        """A real left click in the middle of the element (scrolled into view)."""
        box = await self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center', inline: 'nearest'}); const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}; })()")
        if not box or not box["w"] or not box["h"]:
            raise BrowserError(f"nothing visible to click at {selector}")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": box["x"], "y": box["y"], "button": "left" if kind != "mouseMoved" else "none"}
            if kind != "mouseMoved":
                params["clickCount"] = 1
            await self.send("Input.dispatchMouseEvent", params)

    async def type_text(self, text: str) -> None:
        await self.send("Input.insertText", {"text": text})

    async def screenshot(self, path: Path) -> int:
        r = await self.send("Page.captureScreenshot", {"format": "png"}, timeout=30)
        data = base64.b64decode(r["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return len(data)

    async def close(self) -> None:
        try:
            if self.reader is not None:
                self.reader.cancel()
            if self.ws is not None:
                await self.ws.close()
            if self.http is not None:
                await self.http.close()
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:  # the browser and its helper processes: the process group it leads
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


# -- what the page should show ----------------------------------------------------


def expectations(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Counts, vector verdicts and recorded answers of the results documents
    (their names as the report gives them)."""
    from .report_model import impl_name
    names: List[str] = []
    counts: Dict[str, Dict[str, int]] = {}
    verdicts: Dict[str, Dict[str, str]] = {}
    records: Dict[str, Dict[str, Dict[str, Any]]] = {}
    for doc in results:
        name = impl_name(doc)
        while name in names:
            name += "'"
        names.append(name)
        declared = doc.get("counts")
        c = {v: 0 for v in VERDICTS}
        for rec in doc["results"]:
            c[rec["verdict"]] += 1
            verdicts.setdefault(rec["id"], {})[name] = rec["verdict"]
            records.setdefault(rec["id"], {})[name] = rec
        if isinstance(declared, dict):
            c = {v: int(declared.get(v, 0)) for v in VERDICTS}
        counts[name] = c
    return {"names": names, "counts": counts, "verdicts": verdicts, "records": records}


def needs_detail(records: Dict[str, Dict[str, Any]]) -> bool:
    """True when the page embeds the vector's input and answers (see report)."""
    from .report_model import needs_detail
    return needs_detail({n: {"v": r["verdict"], "in_scope": r.get("in_scope")} for n, r in records.items()})


def pick_verdict(exp: Dict[str, Any]) -> str:
    """The verdict to filter on: fail when some vector failed, else the rarest
    verdict other than pass that occurs, else pass."""
    n = {v: sum(c[v] for c in exp["counts"].values()) for v in VERDICTS}
    if n.get("fail"):
        return "fail"
    present = [v for v in VERDICTS if v != PASS and n[v]]
    return min(present, key=lambda v: n[v]) if present else PASS


# -- the walk through the page ---------------------------------------------------------


async def exercise(browser: Chromium, page: Path, exp: Dict[str, Any], screenshot: Path,
                   timeout: float = 20.0) -> Dict[str, Any]:
    """Drives the page; returns what it saw and the problems found."""
    obs: Dict[str, Any] = {"problems": []}
    problems: List[str] = obs["problems"]
    t0 = time.monotonic()
    await browser.send("Page.navigate", {"url": page.resolve().as_uri()})
    await browser.wait_for("document.readyState === 'complete' && !!document.body && "
                           "(!!document.body.dataset.rendered || !!document.body.dataset.error)",
                           "the page to render", timeout)
    err = await browser.eval("document.body.dataset.error || ''")
    if err:
        raise BrowserError(f"the page could not read its data: {err}")
    obs["load_s"] = round(time.monotonic() - t0, 3)
    total = len(exp["verdicts"])

    # 1. the counts
    shown_counts = await browser.eval(
        "(() => { const out = {}; document.querySelectorAll('#counts td[data-impl]').forEach((td) => {"
        " (out[td.dataset.impl] = out[td.dataset.impl] || {})[td.dataset.verdict] = Number(td.textContent); });"
        " return out; })()")
    obs["counts"] = shown_counts
    for name in exp["names"]:
        got = shown_counts.get(name) or {}
        for v in VERDICTS:
            if got.get(v) != exp["counts"][name][v]:
                problems.append(f"count {name}/{v}: the page shows {got.get(v)}, the results file has "
                                f"{exp['counts'][name][v]}")
    obs["shown_all"] = int(await browser.eval("document.body.dataset.shown"))
    if obs["shown_all"] != total:
        problems.append(f"unfiltered, the page shows {obs['shown_all']} vectors, not {total}")

    # 2. one verdict filter, by clicking the other verdicts' boxes away
    verdict = pick_verdict(exp)
    obs["filter"] = verdict
    want = sorted(vid for vid, cells in exp["verdicts"].items() if verdict in cells.values())
    for v in VERDICTS:
        if v != verdict:
            await browser.click(f"#f-{v}")
    await browser.wait_for(f"!document.body.dataset.pending && document.body.dataset.shown === '{len(want)}'",
                           f"{len(want)} vectors with verdict {verdict}", timeout)
    await browser.click("#expand")
    rendered = await browser.eval("document.body.dataset.rendered")
    await browser.wait_for(f"document.body.dataset.rendered !== '{rendered}' || "
                           f"document.querySelectorAll('#matrix tr.vec').length > 0", "the groups to open", timeout)
    rows = await browser.eval(
        "[...document.querySelectorAll('#matrix tr.vec')].map((tr) => [tr.dataset.id,"
        " [...tr.querySelectorAll('td.cell')].map((td) => td.dataset.verdict)])")
    obs["filtered_rows"] = len(rows)
    obs["filtered_expected"] = len(want)
    obs["filter_hash"] = await browser.eval("location.hash")
    shown_ids = sorted(r[0] for r in rows)
    if len(want) <= 2000 and shown_ids != want:
        extra = sorted(set(shown_ids) - set(want))[:5]
        missing = sorted(set(want) - set(shown_ids))[:5]
        problems.append(f"filter {verdict}: {len(shown_ids)} rows shown, {len(want)} expected "
                        f"(extra {extra}, missing {missing})")
    bad = [r[0] for r in rows if verdict not in r[1]]
    if bad:
        problems.append(f"filter {verdict}: rows without that verdict: {bad[:5]}")
    group_sum = await browser.eval(
        "[...document.querySelectorAll('#matrix tr.l0 td.n')].reduce((s, td) => s + Number(td.textContent), 0)")
    if group_sum != len(want):
        problems.append(f"filter {verdict}: the area rows count {group_sum} vectors, not {len(want)}")

    # 3. search one vector id and open its detail
    await browser.click("#reset")
    await browser.wait_for(f"document.body.dataset.shown === '{total}'", "the filter reset", timeout)
    detailed = [vid for vid in want if needs_detail(exp["records"][vid])]
    target = (detailed or want or sorted(exp["verdicts"]))[0]
    obs["searched"] = target
    await browser.click("#search")
    await browser.type_text(target)
    await browser.wait_for(
        "!document.body.dataset.pending && [...document.querySelectorAll('#matrix tr.vec')]"
        f".some((tr) => tr.dataset.id === {json.dumps(target)})", f"the row of {target}", timeout)
    found = await browser.eval("[...document.querySelectorAll('#matrix tr.vec')].map((tr) => tr.dataset.id)")
    obs["search_rows"] = len(found)
    if any(target.lower() not in f.lower() for f in found):
        problems.append(f"search {target}: rows that do not contain it: {[f for f in found if target not in f][:5]}")
    await browser.click(f"#matrix tr.vec[data-id={json.dumps(target)}]")
    await browser.wait_for(f"document.getElementById('detail').dataset.ready === {json.dumps(target)}",
                           f"the detail of {target}", timeout)
    detail = await browser.eval(
        "(() => { const d = document.getElementById('detail');"
        " const heads = [...d.querySelectorAll('h3')].map((h) => h.textContent);"
        " const after = (name) => { const h = [...d.querySelectorAll('h3')].find((x) => x.textContent === name);"
        "   const n = h && h.nextElementSibling; return n ? {tag: n.tagName, text: n.textContent} : null; };"
        " return {hidden: d.hidden, title: d.querySelector('h2').textContent, heads: heads,"
        "  input: after('Input'), expected: after('Expected'),"
        "  answers: [...d.querySelectorAll('section.answer')].map((s) => ({impl: s.dataset.impl,"
        "    head: s.querySelector('h4').textContent, pre: s.querySelector('pre') ? s.querySelector('pre').textContent"
        "    : null, text: s.textContent}))}; })()")
    obs["detail"] = detail
    recs = exp["records"].get(target, {})
    if detail["hidden"] or detail["title"] != target:
        problems.append(f"detail of {target}: not shown (title {detail['title']!r})")
    for h in ("Input", "Expected", "Answers"):
        if h not in detail["heads"]:
            problems.append(f"detail of {target}: no {h} section")
    for key, label in (("input", "input"), ("expected", "expected")):
        recorded = next((r[key] for r in recs.values() if key in r), None)
        shown = detail.get(label)
        if needs_detail(recs) and (not shown or shown["tag"] != "PRE"):
            problems.append(f"detail of {target}: the {label} is not shown")
        elif recorded is not None and shown and shown["tag"] == "PRE":
            try:
                if json.loads(shown["text"]) != recorded:
                    problems.append(f"detail of {target}: the {label} shown differs from the results file")
            except ValueError:
                problems.append(f"detail of {target}: the {label} shown is not JSON")
    answers = {a["impl"]: a for a in detail["answers"]}
    for name in exp["names"]:
        a = answers.get(name)
        v = exp["verdicts"][target].get(name)
        if a is None:
            problems.append(f"detail of {target}: no answer of {name}")
            continue
        if v is None:
            if "not run" not in a["text"]:
                problems.append(f"detail of {target}: {name} did not run it, the page says {a['head']!r}")
            continue
        label = {"implementation-defined": "impl-def", "fail": "fail"}.get(v, v)
        if label.lower() not in a["head"].lower():
            problems.append(f"detail of {target}: the answer of {name} is headed {a['head']!r}, verdict {v}")
        actual = recs.get(name, {}).get("actual")
        if actual is not None:
            try:
                same = a["pre"] is not None and json.loads(a["pre"]) == actual
            except ValueError:
                same = False
            if not same:
                problems.append(f"detail of {target}: the answer of {name} is not the recorded one")
    obs["detail_hash"] = await browser.eval("location.hash")

    # 4. the picture: the overview again (search cleared, groups folded to the
    # message types), the detail still open
    await browser.click("#reset")
    await browser.wait_for(f"document.body.dataset.shown === '{total}'", "the search reset", timeout)
    rendered = await browser.eval("document.body.dataset.rendered")
    await browser.click("#collapse")
    await browser.wait_for(f"document.body.dataset.rendered !== '{rendered}'", "the groups to fold", timeout)
    await browser.eval("window.scrollTo(0, 0)")
    obs["screenshot"] = str(screenshot)
    obs["screenshot_bytes"] = await browser.screenshot(screenshot)
    if browser.errors:
        problems.extend(f"page error: {e}" for e in browser.errors)
    return obs


def drive(page: Path, results: List[Dict[str, Any]], screenshot: Path, chromium: Optional[str] = None,
          timeout: float = 20.0) -> Dict[str, Any]:
    """Runs :func:`exercise` in a fresh browser (killed at the end)."""
    binary = chromium or find_chromium()
    if not binary:
        raise BrowserError("chromium is not installed")
    exp = expectations(results)

    async def run() -> Dict[str, Any]:
        browser = Chromium(binary)
        try:
            await asyncio.wait_for(browser.start(), timeout + 15)
            return await asyncio.wait_for(exercise(browser, page, exp, screenshot, timeout), timeout * 6)
        except asyncio.TimeoutError:
            raise BrowserError("the browser session ran out of time") from None
        finally:
            try:
                await asyncio.wait_for(browser.close(), 15)
            except (asyncio.TimeoutError, Exception):
                browser.kill()

    return asyncio.run(run())


def main(argv: Optional[List[str]] = None) -> int:
    from .report_model import ReportError, load_results, results_files
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.report_browser",
                                 description=(__doc__ or "").strip().split("\n")[0])
    ap.add_argument("--results-dir", default="reports", metavar="DIR",
                    help="the results-*.json files the page was built from (default: reports)")
    ap.add_argument("--page", default=None, metavar="FILE", help="the page (default: DIR/matrix.html)")
    ap.add_argument("--screenshot", default=None, metavar="FILE",
                    help="where to save the screenshot (default: matrix-screenshot.png next to the page)")
    a = ap.parse_args(argv)
    rdir = Path(a.results_dir)
    page = Path(a.page) if a.page else rdir / "matrix.html"
    shot = Path(a.screenshot) if a.screenshot else page.parent / "matrix-screenshot.png"
    if not page.is_file():
        print(f"report_browser: no page {page} (python -m lpsp_conformance.report writes it)", file=sys.stderr)
        return 2
    try:
        results = load_results(results_files(rdir))
    except ReportError as e:
        print(f"report_browser: {e}", file=sys.stderr)
        return 2
    if not results:
        print(f"report_browser: no results files in {rdir}", file=sys.stderr)
        return 2
    import importlib.util
    if importlib.util.find_spec("aiohttp") is None:
        print("report_browser: aiohttp is not installed", file=sys.stderr)
        return 2
    try:
        obs = drive(page, results, shot)
    except BrowserError as e:
        print(f"report_browser: {e}", file=sys.stderr)
        return 2 if "not installed" in str(e) else 1
    print(f"report_browser: {page}: loaded in {obs['load_s']} s; counts {json.dumps(obs['counts'])}; "
          f"filter {obs['filter']}: {obs['filtered_rows']} rows ({obs['filtered_expected']} expected); "
          f"search {obs['searched']}: {obs['search_rows']} row(s), detail opened; "
          f"screenshot {obs['screenshot']} ({obs['screenshot_bytes']} bytes)")
    for p in obs["problems"]:
        print(f"report_browser: problem: {p}", file=sys.stderr)
    return 1 if obs["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
