"""pytest plugin: one test per conformance vector, run through one adapter.

Load it with ``-p lpsp_conformance.plugin`` (the command-line wrapper
``python -m lpsp_conformance`` does) and pass the vectors directory as the
test path. See conformance/README.md.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from _pytest.reports import TestReport

from . import (AREAS, CONFORMANCE_DIR, FAIL, FEATURES, IMPL_DEFINED, NON_STRICT, PASS,
               REPO_ROOT, UNSUPPORTED, VERDICTS)
from . import expected as xf
from .driver import Driver, DriverError
from .vectors import VectorFileError, default_vectors_dir, load_file, vector_files
from .verdict import Judgement, expected_text

BUILTIN_IMPLS = ("c", "lonelypsp")
HARNESS_ERROR = 2


def builtin_command(name: str) -> List[str]:
    if name == "c":
        return [str(REPO_ROOT / "build" / "lpsp"), "testee"]
    if name == "lonelypsp":
        return [sys.executable, str(CONFORMANCE_DIR / "adapters" / "lonelypsp_adapter.py")]
    raise KeyError(name)


def _csv(values: Optional[List[str]]) -> List[str]:
    out: List[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("lpsp", "lonelypsp conformance")
    g.addoption("--impl", default="c",
                help="implementation under test: a built-in name (c, lonelypsp) or an adapter command line")
    g.addoption("--impl-name", default=None,
                help="short name for reports and the expected-failure file (default: the built-in "
                     "name, else the adapter's handshake name)")
    g.addoption("--vectors", default=None, metavar="DIR",
                help="vectors directory (default: the repository's vectors/)")
    g.addoption("--area", action="append", default=[], metavar="AREA",
                help=f"only these areas (repeatable or comma-separated): {', '.join(AREAS)}")
    g.addoption("--feature", action="append", default=[], metavar="FEATURE",
                help=f"only vectors of these features: {', '.join(FEATURES)}")
    g.addoption("--timeout", type=float, default=5.0, metavar="SECONDS",
                help="per-request timeout (default 5)")
    g.addoption("--startup-timeout", type=float, default=30.0, metavar="SECONDS",
                help="time allowed for the adapter to start and answer the handshake (default 30)")
    g.addoption("--max-restarts", type=int, default=200,
                help="abort the run as a harness error after this many adapter restarts (default 200)")
    g.addoption("--results", default=None, metavar="PATH",
                help="results JSON (default reports/results-<impl>.json)")
    g.addoption("--expected-failures", default=None, metavar="PATH",
                help="expected-failure file (default conformance/expected-failures/<impl>.txt if it exists; "
                     "'none' for no file)")
    g.addoption("--strict-verdicts", dest="lpsp_strict", action="store_true", default=False,
                help="count non-strict and unsupported verdicts as failures (for reference implementations)")
    g.addoption("--update-expected-failures", action="store_true", default=False,
                help="rewrite the expected-failure file from this run (reasons are kept)")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ConformanceSession(config), "lpsp-conformance-session")


class VectorFailure(Exception):
    """A conformance failure; its text is the whole report."""


class VectorFile(pytest.File):
    def collect(self):
        state: ConformanceSession = self.config.pluginmanager.get_plugin("lpsp-conformance-session")
        try:
            doc = load_file(Path(self.path))
        except VectorFileError as e:
            raise pytest.UsageError(str(e))
        state.note_file(doc, Path(self.path))
        relpath = None
        for v in doc["vectors"]:
            if v.get("deprecated"):
                continue
            if state.features and v.get("feature") not in state.features:
                continue
            item = VectorItem.from_parent(self, name=v["id"], vector=v)
            # Item.location walks the path for every item; all vectors of a
            # file share the first one's path part
            if relpath is None:
                relpath = item.location[0]
            else:
                item.__dict__["location"] = (relpath, None, f"{doc['area']}::{v['id']}")
            yield item


class VectorItem(pytest.Item):
    def __init__(self, *, vector: Dict[str, Any], **kw):
        super().__init__(**kw)
        self.vector = vector

    def runtest(self) -> None:
        state: ConformanceSession = self.config.pluginmanager.get_plugin("lpsp-conformance-session")
        state.run_item(self)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, VectorFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.vector.get('_area', '')}::{self.name}"


class ConformanceSession:
    """Per-run state: the adapter, the expected failures, the results."""

    def __init__(self, config: pytest.Config):
        self.config = config
        opt = config.option
        self.impl_arg: str = opt.impl
        self.builtin = self.impl_arg if self.impl_arg in BUILTIN_IMPLS else None
        self.argv = builtin_command(self.builtin) if self.builtin else shlex.split(self.impl_arg)
        self.impl_name: Optional[str] = opt.impl_name or self.builtin
        vdir = Path(opt.vectors) if opt.vectors else default_vectors_dir()
        self.vectors_dir = vdir.resolve()
        self.areas = set(_csv(opt.area))
        self.features = set(_csv(opt.feature))
        for a in self.areas:
            if a not in AREAS:
                raise pytest.UsageError(f"--area {a!r}: not one of {', '.join(AREAS)}")
        for f in self.features:
            if f not in FEATURES:
                raise pytest.UsageError(f"--feature {f!r}: not one of {', '.join(FEATURES)}")
        self.driver: Optional[Driver] = None
        self.hello: Dict[str, Any] = {}
        self.all_ids: List[str] = []          # every non-deprecated vector id in the directory
        self.suite_version: Optional[str] = None
        self.records: Dict[str, Dict[str, Any]] = {}
        self.xf_path: Optional[Path] = None
        self.xf_entries: Dict[str, str] = {}
        self.stale: List[str] = []
        self.harness_error: Optional[str] = None
        self.consecutive_timeouts = 0
        self.started = time.time()
        self.t0 = time.monotonic()
        self.selected = 0
        self._abort_msg: Optional[str] = None
        self._docs: Dict[Path, Dict[str, Any]] = {}
        self.quiet_passes = config.get_verbosity() <= 0
        self.full_reports = bool(getattr(config.option, "xmlpath", None))

    # -- collection -------------------------------------------------------------

    @pytest.hookimpl
    def pytest_ignore_collect(self, collection_path: Path, config):
        # inside the vectors directory only the area files are tests (the
        # generator's own Python tests live there too)
        p = Path(collection_path)
        try:
            rel = p.resolve().relative_to(self.vectors_dir)
        except ValueError:
            return None
        if rel == Path("."):
            return None
        return not (len(rel.parts) == 1 and p.suffix == ".json" and p.stem in AREAS)

    @pytest.hookimpl
    def pytest_collect_file(self, file_path: Path, parent):
        p = Path(file_path)
        if p.suffix != ".json" or p.resolve().parent != self.vectors_dir:
            return None
        if p.stem not in AREAS:
            return None
        if self.areas and p.stem not in self.areas:
            return None
        return VectorFile.from_parent(parent, path=p)

    def note_file(self, doc: Dict[str, Any], path: Path) -> None:
        self.suite_version = self.suite_version or doc.get("suite_version")
        self._docs[path.resolve()] = doc

    def _load_all_ids(self) -> None:
        ids: List[str] = []
        for p in vector_files(self.vectors_dir):
            try:
                doc = self._docs.get(p.resolve()) or load_file(p)
            except VectorFileError as e:
                raise pytest.UsageError(str(e))
            self.suite_version = self.suite_version or doc.get("suite_version")
            ids.extend(v["id"] for v in doc["vectors"] if not v.get("deprecated"))
        self.all_ids = ids

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session, config, items) -> None:
        # run in the canonical area order whatever the directory listing order
        rank = {a: i for i, a in enumerate(AREAS)}
        items.sort(key=lambda it: rank.get(getattr(it, "vector", {}).get("_area"), len(rank)))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)
        if not vector_files(self.vectors_dir):
            self._abort(f"no vector files in {self._rel(self.vectors_dir)} "
                        f"(expected {', '.join(a + '.json' for a in AREAS)}); use --vectors DIR")
        self._load_all_ids()
        if self.config.option.collectonly or not session.items:
            return
        if self.builtin == "c" and not Path(self.argv[0]).exists():
            self._abort(f"{self._rel(Path(self.argv[0]))} does not exist; build it first (make build/lpsp)")
        vectors = []
        for it in session.items:
            if isinstance(it, VectorItem):
                it.index = len(vectors)
                vectors.append(it.vector)
        self.driver = Driver(self.argv, vectors, timeout=self.config.option.timeout,
                             startup_timeout=self.config.option.startup_timeout,
                             max_restarts=self.config.option.max_restarts, cwd=os.getcwd())
        try:
            self.hello = self.driver.start()
        except DriverError as e:
            self.driver = None
            self._abort(f"adapter {self.impl_arg!r} failed to start: {e}")
        if not self.impl_name:
            self.impl_name = re.sub(r"[^A-Za-z0-9._-]+", "-", self.hello.get("name", "impl")).strip("-") or "impl"
        self._load_expected_failures()

    def _load_expected_failures(self) -> None:
        opt = self.config.option.expected_failures
        if opt == "none":
            return
        path = Path(opt) if opt else xf.default_path(self.impl_name or "impl")
        self.xf_path = path
        if not path.exists():
            if opt and not self.config.option.update_expected_failures:
                self._abort(f"expected-failure file {opt} does not exist")
            return
        try:
            self.xf_entries = xf.parse(path)
        except xf.ExpectedFailuresError as e:
            self._abort(str(e))
        known = set(self.all_ids)
        self.stale = [vid for vid in self.xf_entries if vid not in known]

    def _abort(self, msg: str) -> None:
        self.harness_error = msg
        if self.driver is not None:
            self.driver.stop()
        pytest.exit(f"lpsp conformance: harness error: {msg}", returncode=HARNESS_ERROR)

    # -- running ----------------------------------------------------------------

    def _result_for(self, item: "VectorItem"):
        idx = getattr(item, "index", None)
        if idx is None or self.driver is None:
            self._abort("vector item was not scheduled (adapter not started)")
        if self._abort_msg:
            self._abort(self._abort_msg)
        try:
            return self.driver.result(idx)
        except DriverError as e:
            self._abort(f"driver failed: {e}")

    def decide(self, item: "VectorItem"):
        """Runs one vector; returns (pytest outcome, text) with outcome in
        passed | failed | skipped | xfailed."""
        v = item.vector
        vid = v["id"]
        j, elapsed, abort = self._result_for(item)
        listed = self.xf_entries.get(vid)
        self._record(v, j, elapsed, listed)
        if abort:
            self._abort_msg = abort
            self._abort(abort)
        strict = self.config.option.lpsp_strict
        if j.verdict == UNSUPPORTED:
            if strict:
                return "failed", self._failure_text(v, j) + "\n(--strict-verdicts: unsupported counts as a failure)"
            return "skipped", f"unsupported: {j.reason}"
        if j.verdict == NON_STRICT and strict and listed is None:
            return "failed", self._failure_text(v, j) + "\n(--strict-verdicts: non-strict counts as a failure)"
        if j.verdict == FAIL:
            if listed is not None:
                return "xfailed", f"expected failure: {listed}"
            if self.config.option.update_expected_failures and self.xf_path is not None:
                return "xfailed", f"new expected failure, added to {self._rel(self.xf_path)} as '{xf.TODO}'"
            return "failed", self._failure_text(v, j)
        if listed is not None and not self.config.option.update_expected_failures:
            return "failed", (f"unexpected pass ({j.verdict}) of {vid}, which "
                              f"{self._rel(self.xf_path)} lists as an expected failure ({listed});\n"
                              f"remove the entry or run with --update-expected-failures")
        return "passed", ""

    def run_item(self, item: "VectorItem") -> None:
        outcome, text = self.decide(item)
        if outcome == "skipped":
            pytest.skip(text)
        if outcome == "xfailed":
            pytest.xfail(text)
        if outcome == "failed":
            raise VectorFailure(text)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """A lean protocol for vector items: no fixtures, no setup/teardown
        machinery, three ready-made reports. Thousands of vectors per second."""
        if not isinstance(item, VectorItem):
            return None
        # vector files have no conftest.py of their own: the session-wide hook
        # relay is the item's hook relay, without a lookup per call
        ihook = self.config.hook
        nodeid, location = item.nodeid, item.location
        ihook.pytest_runtest_logstart(nodeid=nodeid, location=location)
        start = time.time()
        outcome, text = self.decide(item)
        stop = time.time()
        kw = {item.name: 1}
        dur = stop - start
        if outcome == "passed":
            call = TestReport(nodeid, location, kw, "passed", None, "call", [], dur, start, stop)
        elif outcome == "failed":
            call = TestReport(nodeid, location, kw, "failed", text, "call", [], dur, start, stop)
        elif outcome == "skipped":
            call = TestReport(nodeid, location, kw, "skipped", (str(item.path), None, f"Skipped: {text}"),
                              "call", [], dur, start, stop)
        else:
            call = TestReport(nodeid, location, kw, "skipped", (str(item.path), None, text),
                              "call", [], dur, start, stop)
            call.wasxfail = text
        logreport = ihook.pytest_runtest_logreport
        if self.full_reports:  # junitxml needs the setup and teardown reports
            logreport(report=TestReport(nodeid, location, kw, "passed", None, "setup", [], 0.0, start, start))
            logreport(report=call)
            logreport(report=TestReport(nodeid, location, kw, "passed", None, "teardown", [], 0.0, stop, stop))
        else:
            logreport(report=call)
        ihook.pytest_runtest_logfinish(nodeid=nodeid, location=location)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report, config):
        # passed and unsupported vectors print nothing (thousands of dots cost
        # more than the checks); failures and expected failures keep their letters
        if report.when != "call" or not self.quiet_passes or "::" not in report.nodeid \
                or not report.nodeid.split("::", 1)[0].endswith(".json"):
            return None
        if report.passed:
            return "passed", "", ""
        if report.skipped and not hasattr(report, "wasxfail"):  # unsupported: counted in the summary
            return "skipped", "", ""
        return None

    def _record(self, v: Dict[str, Any], j: Judgement, elapsed: float, listed: Optional[str]) -> None:
        rec: Dict[str, Any] = {
            "id": v["id"], "area": v.get("_area"), "feature": v.get("feature"), "op": v.get("op"),
            "vector_verdict": v.get("verdict"), "verdict": j.verdict, "status": j.status,
            "time_ms": round(elapsed * 1000, 3),
        }
        if j.error is not None:
            rec["class"] = j.error
        if j.outcome is not None:
            rec["outcome"] = j.outcome
        if j.reason:
            rec["reason"] = j.reason
        if listed is not None:
            rec["expected_failure"] = listed
        self.records[v["id"]] = rec

    # -- failure text -------------------------------------------------------------

    def _failure_text(self, v: Dict[str, Any], j: Judgement) -> str:
        lines = [
            f"vector:      {v['id']}  ({v.get('_area')}, feature {v.get('feature')}, op {v.get('op')})",
            f"description: {v.get('description', '')}",
            f"refs:        {', '.join(v.get('refs') or [])}",
            f"verdict:     {v.get('verdict')}",
            f"input:       {_show(v.get('input'))}",
            f"expected:    {_show(expected_text(v))}",
            f"actual:      {_show(j.actual)}",
            f"why:         {j.reason}",
        ]
        lines.extend(f"  - {d}" for d in j.diffs[:20])
        if len(j.diffs) > 20:
            lines.append(f"  … {len(j.diffs) - 20} more difference(s)")
        return "\n".join(lines)

    # -- end of run -----------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        if self.driver is not None:
            self.driver.stop()
        if not self.records and self.harness_error is None and not self.hello:
            return
        update = self.config.option.update_expected_failures
        if update and self.xf_path is not None and self.harness_error is None:
            ran = {vid: r["verdict"] == FAIL for vid, r in self.records.items() if r["verdict"] != UNSUPPORTED}
            new = xf.updated(self.xf_entries, self.all_ids, ran)
            if new or self.xf_path.exists():
                xf.write(self.xf_path, self.impl_name or "impl", new, self.all_ids)
                self.xf_update_note = f"{self._rel(self.xf_path)}: {len(new)} entr{'y' if len(new) == 1 else 'ies'}"
            self.stale = []
        elif self.stale and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        self.results_path = self._write_results()

    def _write_results(self) -> Optional[Path]:
        opt = self.config.option.results
        if opt == "none":
            return None
        path = Path(opt) if opt else REPO_ROOT / "reports" / f"results-{self.impl_name or 'impl'}.json"
        counts = {k: 0 for k in VERDICTS}
        for r in self.records.values():
            counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
        doc = {
            "format": "lpsp-conformance-results/1",
            "impl": {
                "name": self.impl_name,
                "adapter": self.hello.get("name"),
                "version": self.hello.get("version"),
                "features": self.hello.get("features"),
                "command": self.impl_arg,
            },
            "suite_version": self.suite_version,
            "vectors_dir": self._rel(self.vectors_dir),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "duration_s": round(time.monotonic() - self.t0, 3),
            "selection": {"areas": sorted(self.areas), "features": sorted(self.features),
                          "keyword": self.config.option.keyword or ""},
            "harness_error": self.harness_error,
            "restarts": self.driver.restarts if self.driver else 0,
            "expected_failures_file": self._rel(self.xf_path) if self.xf_path else None,
            "stale_expected_failures": self.stale,
            "counts": counts,
            "results": list(self.records.values()),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
        return path

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config) -> None:
        tr = terminalreporter
        if not self.records and not self.hello:
            if self.harness_error:
                tr.write_sep("=", "lpsp conformance: harness error", red=True)
                tr.write_line(self.harness_error)
            return
        tr.write_sep("=", "lpsp conformance summary")
        h = self.hello
        tr.write_line(f"implementation: {self.impl_name} — {h.get('name', '?')} {h.get('version', '?')} "
                      f"(features: {', '.join(h.get('features') or [])})")
        tr.write_line(f"vectors:        {self._rel(self.vectors_dir)} (suite {self.suite_version or '?'}), "
                      f"{len(self.records)} run of {len(self.all_ids)}")
        cols = list(VERDICTS)
        areas = [a for a in AREAS if any(r["area"] == a for r in self.records.values())]
        extra = sorted({r["area"] for r in self.records.values()} - set(AREAS), key=str)
        rows = []
        totals = {c: 0 for c in cols}
        for a in areas + extra:
            row = {c: 0 for c in cols}
            for r in self.records.values():
                if r["area"] == a:
                    row[r["verdict"]] = row.get(r["verdict"], 0) + 1
            for c in cols:
                totals[c] += row.get(c, 0)
            rows.append((str(a), row))
        rows.append(("total", totals))
        w = max([len(a) for a, _ in rows] + [5])
        widths = [max(len(c), 4) + 2 for c in cols]
        tr.write_line("area".ljust(w) + "".join(c.rjust(cw) for c, cw in zip(cols, widths)))
        for a, row in rows:
            tr.write_line(a.ljust(w) + "".join(str(row.get(c, 0)).rjust(cw) for c, cw in zip(cols, widths)))
        xfails = sum(1 for r in self.records.values() if r["verdict"] == FAIL and "expected_failure" in r)
        outcomes: Dict[str, int] = {}
        for r in self.records.values():
            if r["verdict"] == IMPL_DEFINED:
                outcomes[r.get("outcome", "?")] = outcomes.get(r.get("outcome", "?"), 0) + 1
        if outcomes:
            tr.write_line("implementation-defined outcomes: " +
                          ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())))
        if self.xf_path is not None and (self.xf_entries or self.xf_path.exists()):
            tr.write_line(f"expected failures: {xfails} of {len(self.xf_entries)} listed in {self._rel(self.xf_path)}")
        unexpected = totals[FAIL] - xfails
        if unexpected:
            tr.write_line(f"unexpected failures: {unexpected}", red=True)
        if getattr(self, "xf_update_note", None):
            tr.write_line(f"expected-failure file rewritten: {self.xf_update_note}")
        if self.stale:
            tr.write_line(f"stale expected-failure entries (no such vector) in {self._rel(self.xf_path)}: "
                          + ", ".join(self.stale), red=True)
        if self.driver is not None and self.driver.restarts:
            tr.write_line(f"adapter restarts: {self.driver.restarts}")
        if self.harness_error:
            tr.write_line(f"harness error: {self.harness_error}", red=True)
        rp = getattr(self, "results_path", None)
        if rp:
            tr.write_line(f"results: {self._rel(rp)}")

    @staticmethod
    def _rel(p: Optional[Path]) -> str:
        if p is None:
            return ""
        p = Path(p).resolve()
        try:
            return str(p.relative_to(REPO_ROOT))
        except ValueError:
            return str(p)


def _show(value: Any, limit: int = 600) -> str:
    def clip(x: Any) -> Any:
        if isinstance(x, str) and len(x) > 160:
            return x[:160] + f"…({len(x)} chars)"
        if isinstance(x, dict):
            return {k: clip(y) for k, y in x.items()}
        if isinstance(x, list):
            return [clip(y) for y in x]
        return x
    s = json.dumps(clip(value), ensure_ascii=False, separators=(",", ":"))
    return s if len(s) <= limit else s[:limit] + "…"
