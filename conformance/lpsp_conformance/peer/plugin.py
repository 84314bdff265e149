"""pytest plugin of peer conformance: one test per scenario and configuration.

Loaded by ``python -m lpsp_conformance.peer run`` (``-p
lpsp_conformance.peer.plugin``) with the scenario files as test paths. A
configuration is a peer (a built-in one started by the suite, or one the user
points at), an authorization mode, a storage backend (lonelypss) and the
header mode the harness writes in. Outputs: a results JSON, JUnit through
``--junitxml`` (verdict and outcome as properties), a summary by peer, area
and verdict, expected-failure files that cannot rot. Exit status 0 / 1 / 2.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from .. import data
from .auth import MODES, AuthConfig
from .codec import Codec
from .engine import HarnessError, NotApplicable, Run, ScenarioFailure, Target
from .scenarios import AREA_ROLE, PEER_AREAS, ScenarioFileError, load

BUILTIN = {"lonelypss": "broadcaster", "lonelypsc": "subscriber"}
HEADER_MODES = ("minimal", "expanded")
LONELYPSS_CAPS = ("http", "compression", "presets", "training", "missed")
LONELYPSC_CAPS = ("events", "compression")
PASS, FAIL, IMPL_DEFINED, NOT_APPLICABLE, XFAIL, ERROR = (
    "pass", "fail", "implementation-defined", "not-applicable", "expected-failure", "harness-error")


@dataclass(frozen=True)
class Config:
    impl: str        # lonelypss, lonelypsc, or the name given for an external peer
    role: str        # what the peer is: broadcaster | subscriber
    auth: str
    backend: str
    mode: str

    @property
    def label(self) -> str:
        return "-".join(x for x in (self.auth, self.backend, self.mode) if x)

    @property
    def key(self) -> Tuple[str, str, str]:
        return (self.impl, self.auth, self.backend)


def _csv(values: List[str]) -> List[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("lpsp-peer", "lonelypsp peer conformance")
    g.addoption("--peer", action="append", default=[], metavar="PEER",
                help="peer under test: lonelypss, lonelypsc (started by the suite), broadcaster "
                     "(at --ws-url/--http-url) or subscriber (started with --subscriber-cmd)")
    g.addoption("--peer-name", default=None, help="name of an external peer in reports")
    g.addoption("--ws-url", default=None, help="websocket URL of a broadcaster under test")
    g.addoption("--http-url", default=None, help="HTTP base URL of a broadcaster under test")
    g.addoption("--subscriber-cmd", default=None,
                help="command line that starts the subscriber under test ({ws_url}, {exact}, {glob})")
    g.addoption("--auth", action="append", default=[], metavar="MODE",
                help="authorization modes (none, token, hmac; default: all three for built-in peers, none otherwise)")
    g.addoption("--to-broadcaster", default=None, help="token or HMAC secret, subscriber -> broadcaster")
    g.addoption("--to-subscriber", default=None, help="token or HMAC secret, broadcaster -> subscriber")
    g.addoption("--backend", action="append", default=[], metavar="B",
                help="lonelypss storage backends (sqlite-memory, sqlite-file; default both)")
    g.addoption("--headers", action="append", default=[], metavar="MODE",
                help="header modes the harness writes (minimal, expanded; default both)")
    g.addoption("--capability", action="append", default=[], metavar="CAP",
                help=f"what an external peer offers: a broadcaster beyond websockets ({', '.join(LONELYPSS_CAPS)}), "
                     f"a subscriber ({', '.join(LONELYPSC_CAPS)})")
    g.addoption("--id", dest="peer_ids", action="append", default=[], metavar="ID",
                help="only these scenario ids (exact; repeatable; * and ? glob over ids)")
    g.addoption("--scenario-timeout", type=float, default=None,
                help="override every scenario's own deadline (seconds)")
    g.addoption("--peer-results", default=None, metavar="PATH",
                help="results JSON (default reports/peer-results.json)")
    g.addoption("--peer-expected-failures", default=None, metavar="PATH|none",
                help="expected-failure file (default conformance/expected-failures/peer-<impl>.txt)")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(PeerSession(config), "lpsp-peer-session")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".json" and file_path.stem in PEER_AREAS:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailed(Exception):
    pass


class ScenarioFile(pytest.File):
    def collect(self):
        st: PeerSession = self.config.pluginmanager.get_plugin("lpsp-peer-session")
        try:
            doc = load(Path(self.path))
        except ScenarioFileError as e:
            raise pytest.UsageError(str(e))
        role = AREA_ROLE[doc["area"]]
        st.known_ids.update(sc["id"] for sc in doc["scenarios"])
        for cfg in st.configs:
            if cfg.role != role:
                continue
            for sc in doc["scenarios"]:
                if not st.selected(sc["id"]):
                    continue
                item = ScenarioItem.from_parent(self, name=f"{sc['id']}[{cfg.impl}-{cfg.label}]",
                                                scenario=dict(sc, area=doc["area"]), cfg=cfg)
                yield item


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Dict[str, Any], cfg: Config, **kw):
        super().__init__(**kw)
        self.scenario = scenario
        self.cfg = cfg
        self.user_properties.append(("scenario", scenario["id"]))
        self.user_properties.append(("configuration", f"{cfg.impl}-{cfg.label}"))

    def runtest(self) -> None:
        st: PeerSession = self.config.pluginmanager.get_plugin("lpsp-peer-session")
        st.run_item(self)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


class LoopThread:
    """One event loop for the whole session (the harness's servers outlive a test)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float):
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except BaseException:
            fut.cancel()  # the scenario's task must not outlive its test
            raise

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class PeerSession:
    def __init__(self, config: pytest.Config):
        self.config = config
        opt = config.getoption
        self.peers = _csv(opt("--peer")) or ["lonelypss", "lonelypsc"]
        self.ids = _csv(opt("peer_ids"))
        self.configs: List[Config] = []
        self.known_ids: set = set()
        self.results: List[Dict[str, Any]] = []
        self.harness_errors = 0
        self.run_nonce = os.urandom(3).hex()
        self.running: Dict[Tuple[str, str, str], Any] = {}
        self.targets: Dict[Tuple[str, str, str], Target] = {}
        self.start_errors: Dict[Tuple[str, str, str], str] = {}
        self.restarts: List[str] = []
        self.auths: Dict[Tuple[str, str], AuthConfig] = {}
        self.loop: Optional[LoopThread] = None
        self.codec: Optional[Codec] = None
        self.expected: Dict[str, Dict[Tuple[str, str], str]] = {}
        self.t0 = time.monotonic()
        modes = _csv(opt("--headers")) or list(HEADER_MODES)
        for m in modes:
            if m not in HEADER_MODES:
                raise pytest.UsageError(f"--headers: {m!r} is not one of {HEADER_MODES}")
        for peer in self.peers:
            role = BUILTIN.get(peer) or peer
            if role not in ("broadcaster", "subscriber"):
                raise pytest.UsageError(f"--peer: {peer!r} is not lonelypss, lonelypsc, broadcaster or subscriber")
            impl = peer if peer in BUILTIN else (opt("--peer-name") or f"external-{role}")
            auths = _csv(opt("--auth")) or (list(MODES) if peer in BUILTIN else ["none"])
            for a in auths:
                if a not in MODES:
                    raise pytest.UsageError(f"--auth: {a!r} is not one of {MODES}")
            if peer == "broadcaster" and not opt("--ws-url"):
                raise pytest.UsageError("--peer broadcaster needs --ws-url (and --http-url for HTTP scenarios)")
            if peer == "subscriber" and not opt("--subscriber-cmd"):
                raise pytest.UsageError("--peer subscriber needs --subscriber-cmd")
            if peer not in BUILTIN and len([a for a in auths if a != "none"]) > 1:
                raise pytest.UsageError("one secret pair serves one mode: give token or hmac, not both")
            if peer not in BUILTIN and any(a != "none" for a in auths) and \
                    not (opt("--to-broadcaster") and opt("--to-subscriber")):
                raise pytest.UsageError("token and HMAC need both --to-broadcaster and --to-subscriber")
            backends = (_csv(opt("--backend")) or ["sqlite-memory", "sqlite-file"]) if peer == "lonelypss" else [""]
            for a in auths:
                for b in backends:
                    for m in modes:
                        self.configs.append(Config(impl, role, a, b, m))
            self.load_expected(impl)

    # -- selection and expected failures -------------------------------------------------

    def selected(self, sid: str) -> bool:
        return not self.ids or any(sid == p or fnmatch.fnmatchcase(sid, p) for p in self.ids)

    def load_expected(self, impl: str) -> None:
        path = self.config.getoption("--peer-expected-failures")
        if path == "none":
            self.expected[impl] = {}
            return
        p = Path(path) if path else data.expected_failures_dir() / f"peer-{impl}.txt"
        entries: Dict[Tuple[str, str], str] = {}
        if p.is_file():
            for n, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 1)
                if len(parts) < 2:
                    raise pytest.UsageError(f"{p}:{n}: entry {parts[0]} has no reason")
                sid, _, pat = parts[0].partition("@")
                if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid):
                    raise pytest.UsageError(f"{p}:{n}: {sid!r} is not a scenario id")
                entries[(sid, pat or "*")] = parts[1]
        self.expected[impl] = entries
        self.expected_path = p

    def expectation(self, item: ScenarioItem) -> Optional[str]:
        for (sid, pat), reason in self.expected.get(item.cfg.impl, {}).items():
            if sid == item.scenario["id"] and fnmatch.fnmatchcase(item.cfg.label, pat):
                return reason
        return None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items) -> None:
        for impl, entries in self.expected.items():
            for (sid, pat) in entries:
                if self.known_ids and sid not in self.known_ids:
                    raise pytest.UsageError(f"expected failures of {impl}: {sid} names no scenario")
        for item in items:
            if isinstance(item, ScenarioItem):
                reason = self.expectation(item)
                if reason:
                    item.add_marker(pytest.mark.xfail(reason=reason, strict=True, raises=ScenarioFailed))
        # run the items of one peer configuration together, so each is started once
        order = {c: i for i, c in enumerate(self.configs)}
        items.sort(key=lambda it: order[it.cfg] if isinstance(it, ScenarioItem) else -1)

    # -- peers ------------------------------------------------------------------------

    def auth_for(self, impl: str, mode: str) -> AuthConfig:
        key = (impl, mode)
        if key not in self.auths:
            opt = self.config.getoption
            if impl in BUILTIN or mode == "none":
                self.auths[key] = AuthConfig.generate(mode)
            else:
                self.auths[key] = AuthConfig(mode, opt("--to-broadcaster"), opt("--to-subscriber"))
        return self.auths[key]

    def target(self, cfg: Config) -> Target:
        from . import peers
        if cfg.key in self.start_errors:
            raise HarnessError(self.start_errors[cfg.key])
        if cfg.key in self.targets:
            proc = self.running.get(cfg.key)
            if proc is None or proc.process.alive:
                return self.targets[cfg.key]
            # the peer died (in an earlier scenario, which failed for it): a fresh one
            self.restarts.append(f"{cfg.impl} {cfg.label}: exited with {proc.process.proc.returncode}")
            self.stop_peer(cfg.key)
        for key in list(self.running):  # one peer at a time
            self.stop_peer(key)
        opt = self.config.getoption
        auth = self.auth_for(cfg.impl, cfg.auth)
        try:
            if cfg.impl == "lonelypss":
                p = peers.Lonelypss(auth, cfg.backend)
                self.running[cfg.key] = p
                t = Target("broadcaster", auth, p.ws_url, p.base, frozenset(LONELYPSS_CAPS),
                           {2: peers.preset_dictionary()}, name=f"lonelypss ({cfg.auth}, {cfg.backend})")
            elif cfg.role == "broadcaster":
                caps = frozenset(_csv(opt("--capability")) or (["http"] if opt("--http-url") else []))
                t = Target("broadcaster", auth, opt("--ws-url"), opt("--http-url") or "", caps,
                           {2: peers.preset_dictionary()}, name=cfg.impl)
            else:
                template = peers.lonelypsc_template() if cfg.impl == "lonelypsc" else opt("--subscriber-cmd")
                caps = frozenset(LONELYPSC_CAPS) if cfg.impl == "lonelypsc" else frozenset(_csv(opt("--capability")))
                t = Target("subscriber", auth, capabilities=caps, presets={2: peers.preset_dictionary()},
                           subscriber=peers.SubscriberLauncher(template, auth, cfg.impl) if template else None,
                           name=cfg.impl)
        except HarnessError as e:
            self.start_errors[cfg.key] = str(e)
            raise
        self.targets[cfg.key] = t
        return t

    def stop_peer(self, key) -> None:
        p = self.running.pop(key, None)
        self.targets.pop(key, None)
        if p is not None:
            p.stop()

    # -- running -----------------------------------------------------------------------

    def run_item(self, item: ScenarioItem) -> None:
        sc, cfg = item.scenario, item.cfg
        if self.codec is None:
            try:
                self.codec = Codec()
            except Exception as e:
                pytest.exit(f"lpsp-peer: cannot start the codec (build it with make, or set "
                            f"LPSP_CODEC): {e}", returncode=2)
            self.loop = LoopThread()
        rec = {"id": sc["id"], "area": sc["area"], "impl": cfg.impl, "configuration": cfg.label,
               "auth": cfg.auth, "backend": cfg.backend, "headers": cfg.mode, "refs": sc.get("refs", []),
               "scenario_verdict": sc["verdict"]}
        self.results.append(rec)
        t0 = time.monotonic()
        run: Optional[Run] = None
        try:
            target = self.target(cfg)
            missing = self.unmet(sc, cfg, target)
            if missing:
                raise NotApplicable(missing)
            from .steps import execute
            run = Run(sc, target, self.codec, cfg.mode == "minimal", f"{self.run_nonce}-{cfg.label}")
            limit = self.config.getoption("--scenario-timeout") or float(sc.get("timeout", 30))
            try:
                self.loop.run(asyncio.wait_for(execute(run), limit), limit + 10)
            except (asyncio.TimeoutError, TimeoutError):
                raise ScenarioFailure(f"the scenario did not finish within {limit:g} s "
                                      f"(the peer stopped answering?)") from None
        except NotApplicable as e:
            rec.update(verdict=NOT_APPLICABLE, detail=str(e))
            item.user_properties.append(("verdict", NOT_APPLICABLE))
            pytest.skip(f"not applicable: {e}")
        except (ScenarioFailure, HarnessError, Exception) as e:
            harness = not isinstance(e, ScenarioFailure)
            if harness:
                self.harness_errors += 1
            expected = self.expectation(item)
            verdict = ERROR if harness else (XFAIL if expected else FAIL)
            rec.update(verdict=verdict, detail=str(e), trace=list(run.trace) if run else [],
                       duration=round(time.monotonic() - t0, 3))
            if expected:
                rec["expected_reason"] = expected
            item.user_properties.append(("verdict", verdict))
            if harness and not isinstance(e, HarnessError):
                rec["detail"] = f"{type(e).__name__}: {e}"
            raise ScenarioFailed(self.failure_text(item, e, run, harness)) from None
        rec["duration"] = round(time.monotonic() - t0, 3)
        if sc["verdict"] == "implementation-defined":
            rec.update(verdict=IMPL_DEFINED, outcome=run.outcome if run else None)
            item.user_properties.append(("verdict", IMPL_DEFINED))
            item.user_properties.append(("outcome", str(run.outcome if run else None)))
        else:
            rec["verdict"] = PASS
            item.user_properties.append(("verdict", PASS))

    def unmet(self, sc: Dict[str, Any], cfg: Config, target: Target) -> str:
        for r in sc.get("requires", []):
            if r == "auth" and cfg.auth == "none":
                return "needs token or HMAC authorization"
            if r == "hmac" and cfg.auth != "hmac":
                return "needs HMAC authorization"
            if r not in ("auth", "hmac") and r not in target.capabilities:
                return f"the peer does not offer {r!r}"
        return ""

    def failure_text(self, item: ScenarioItem, e: Exception, run: Optional[Run], harness: bool) -> str:
        sc = item.scenario
        lines = [f"{'HARNESS ERROR' if harness else 'FAIL'} {sc['id']} [{item.cfg.impl} {item.cfg.label}]",
                 f"  {sc['description']}", f"  refs: {', '.join(sc.get('refs', []))}", f"  {e}"]
        if run is not None and run.trace:
            lines.append("  transcript (last messages):")
            lines += [f"    {t}" for t in list(run.trace)[-25:]]
        proc = self.running.get(item.cfg.key)
        if proc is not None and hasattr(proc, "process") and not proc.process.alive:
            lines.append(f"  the peer process exited ({proc.process.proc.returncode}); its last output:")
            lines.append(proc.process.tail(15))
        return "\n".join(lines)

    # -- end of session ------------------------------------------------------------------

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        for key in list(self.running):
            self.stop_peer(key)
        if self.loop is not None:
            self.loop.stop()
        if self.codec is not None:
            self.codec.close()
        rot = self.rotten_entries()
        self.rot = rot
        path = Path(self.config.getoption("--peer-results") or Path("reports") / "peer-results.json").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"kind": "lpsp-peer-results", "run": self.run_nonce, "peers": self.peers,
               "configurations": sorted({f"{c.impl}-{c.label}" for c in self.configs}),
               "elapsed": round(time.monotonic() - self.t0, 2), "results": self.results,
               "rotten_expected_failures": rot, "peer_restarts": self.restarts}
        path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        self.results_path = path
        path.with_suffix(".md").write_text(matrix(self.results), encoding="utf-8")
        if self.harness_errors:
            session.exitstatus = 2
        elif rot and session.exitstatus == 0:
            session.exitstatus = 1

    def rotten_entries(self) -> List[str]:
        """Expected-failure entries that matched no failing run of this session."""
        out = []
        ran = [r for r in self.results if r.get("verdict") not in (NOT_APPLICABLE, None)]
        for impl, entries in self.expected.items():
            for (sid, pat), reason in entries.items():
                if not self.selected(sid):
                    continue
                cfgs = [c for c in self.configs if c.impl == impl and fnmatch.fnmatchcase(c.label, pat)]
                if not cfgs:
                    continue
                hits = [r for r in ran if r["impl"] == impl and r["id"] == sid
                        and fnmatch.fnmatchcase(r["configuration"], pat)]
                if not hits:
                    out.append(f"{impl}: {sid}@{pat}: matches no scenario run of this session")
        return out

    def pytest_terminal_summary(self, terminalreporter) -> None:
        tr = terminalreporter
        tr.section("lonelypsp peer conformance")
        table: Dict[Tuple[str, str], Dict[str, int]] = {}
        for r in self.results:
            row = table.setdefault((r["impl"], r["area"]), {})
            row[r.get("verdict", "?")] = row.get(r.get("verdict", "?"), 0) + 1
        cols = [PASS, IMPL_DEFINED, XFAIL, FAIL, NOT_APPLICABLE, ERROR]
        tr.write_line(f"{'peer':<12} {'area':<18} " + " ".join(f"{c:>{len(c)}}" for c in cols))
        for (impl, area), row in sorted(table.items()):
            tr.write_line(f"{impl:<12} {area:<18} " + " ".join(f"{row.get(c, 0):>{len(c)}}" for c in cols))
        outcomes: Dict[str, Dict[str, int]] = {}
        for r in self.results:
            if r.get("verdict") == IMPL_DEFINED:
                o = outcomes.setdefault(r["id"], {})
                o[str(r.get("outcome"))] = o.get(str(r.get("outcome")), 0) + 1
        if outcomes:
            tr.write_line("implementation-defined outcomes:")
            for sid, o in sorted(outcomes.items()):
                tr.write_line(f"  {sid}: " + ", ".join(f"{k} x{v}" for k, v in sorted(o.items())))
        for line in getattr(self, "rot", []):
            tr.write_line(f"ROTTEN EXPECTED FAILURE: {line}", red=True)
        if self.harness_errors:
            tr.write_line(f"{self.harness_errors} harness error(s): exit status 2", red=True)
        tr.write_line(f"results: {getattr(self, 'results_path', '')}; "
                      f"{len(self.results)} scenario runs in {time.monotonic() - self.t0:.1f} s")


MARKS = {PASS: "pass", FAIL: "**FAIL**", IMPL_DEFINED: "impl-def", NOT_APPLICABLE: "n/a",
         XFAIL: "xfail", ERROR: "**ERROR**"}


def matrix(results: List[Dict[str, Any]]) -> str:
    """The results as Markdown: per peer and area, one row per scenario, one column
    per configuration (implementation-defined cells name the outcome)."""
    out = ["# Peer conformance matrix", ""]
    groups: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}
    for r in results:
        groups.setdefault((r["impl"], r["area"]), []).append(r)
    for (impl, area), rs in sorted(groups.items()):
        cols = sorted({r["configuration"] for r in rs})
        rows: Dict[str, Dict[str, str]] = {}
        for r in rs:
            cell = MARKS.get(r.get("verdict", ""), r.get("verdict", "?"))
            if r.get("verdict") == IMPL_DEFINED:
                cell = f"impl-def: {r.get('outcome')}"
            rows.setdefault(r["id"], {})[r["configuration"]] = cell
        out += [f"## {impl}: {area}", "", "| scenario | " + " | ".join(cols) + " |",
                "|---|" + "---|" * len(cols)]
        for sid, cells in rows.items():
            out.append(f"| `{sid}` | " + " | ".join(cells.get(c, "") for c in cols) + " |")
        out.append("")
    return "\n".join(out) + "\n"
