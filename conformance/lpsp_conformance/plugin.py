"""pytest plugin: one test per conformance vector, run through one adapter.

Installed with the distribution, the plugin is registered through the
``pytest11`` entry point and stays inert until ``--lpsp-impl`` is given:

    pytest --lpsp-impl='./my-adapter --flag'            # from any directory
    lpsp-conformance run --impl './my-adapter --flag'   # the same, with the
                                                        # suite's exit statuses

With ``--lpsp-impl`` and no test paths, the bundled vectors are collected;
``--lpsp-vectors DIR`` points elsewhere. See conformance/README.md.
"""

from __future__ import annotations

import fnmatch
import gc
import json
import os
import re
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest

from . import AREAS, FAIL, FEATURES, IMPL_DEFINED, NON_STRICT, PASS, REPO_ROOT, UNSUPPORTED, VERDICTS
from . import data
from . import expected as xf
from .diagnose import describe, mismatch
from .driver import Driver, DriverError, ManifestError, Plan, doc_of_manifest
from .scope import NO_TYPE, Scoper, family, summary_key
from .vectors import VectorFileError, default_vectors_dir, load_file, matching, vector_files
from .testee import compact_json
from .verdict import Judgement, expected_text

TestReport = pytest.TestReport
_compact_json = compact_json

BUILTIN_IMPLS = ("c", "lonelypsp")
HARNESS_ERROR = 2
SESSION = "lpsp-conformance-session"
# Inputs and answers longer than this are written to a file next to the
# results JSON and named in the failure report instead of printed.
INLINE_LIMIT = 4000
_GLOB = re.compile(r"[*?\[]")


def builtin_command(name: str) -> List[str]:
    """The adapter command of a built-in implementation name."""
    if name == "c":
        lpsp = os.environ.get("LPSP") or str(REPO_ROOT / "build" / "lpsp")
        return [lpsp, "testee"]
    if name == "lonelypsp":
        return [sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp"]
    raise KeyError(name)


def _csv(values: Optional[List[str]]) -> List[str]:
    out: List[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("lpsp", "lonelypsp conformance (active with --lpsp-impl)")
    g.addoption("--lpsp-impl", dest="lpsp_impl", default=None, metavar="CMD",
                help="implementation under test: 'c' (LPSP or build/lpsp), 'lonelypsp', or an adapter "
                     "command line, split like a POSIX shell does")
    g.addoption("--lpsp-impl-name", dest="lpsp_impl_name", default=None,
                help="short name for reports and the expected-failure file (default: the built-in "
                     "name, else the adapter's handshake name)")
    g.addoption("--lpsp-vectors", dest="lpsp_vectors", default=None, metavar="DIR",
                help="vectors directory (default: the bundled vectors)")
    g.addoption("--lpsp-area", dest="lpsp_area", action="append", default=[], metavar="AREA",
                help=f"only these areas (repeatable or comma-separated): {', '.join(AREAS)}")
    g.addoption("--lpsp-feature", dest="lpsp_feature", action="append", default=[], metavar="FEATURE",
                help=f"only vectors of these features: {', '.join(FEATURES)}")
    g.addoption("--lpsp-id", dest="lpsp_id", action="append", default=[], metavar="ID",
                help="only this vector id (exact; a glob when it has * ? or [ ); repeatable")
    g.addoption("--lpsp-id-file", dest="lpsp_id_file", action="append", default=[], metavar="PATH",
                help="only the ids (or globs) listed in PATH, one per line, # comments")
    g.addoption("--lpsp-timeout", dest="lpsp_timeout", type=float, default=5.0, metavar="SECONDS",
                help="per-request timeout (default 5)")
    g.addoption("--lpsp-startup-timeout", dest="lpsp_startup_timeout", type=float, default=30.0,
                metavar="SECONDS", help="time allowed for the adapter's handshake (default 30)")
    g.addoption("--lpsp-max-restarts", dest="lpsp_max_restarts", type=int, default=200,
                help="abort the run as a harness error after this many adapter restarts (default 200)")
    g.addoption("--lpsp-results", dest="lpsp_results", default=None, metavar="PATH",
                help="results JSON (default reports/results-<impl>.json; 'none' for none)")
    g.addoption("--lpsp-expected-failures", dest="lpsp_expected_failures", default=None, metavar="PATH",
                help="expected-failure file (default: the built-in implementation's, if any; 'none' for none)")
    g.addoption("--lpsp-strict-verdicts", dest="lpsp_strict", action="store_true", default=False,
                help="within the declared capabilities, count non-strict and unsupported answers as failures")
    g.addoption("--lpsp-update-expected-failures", dest="lpsp_update_xf", action="store_true", default=False,
                help="rewrite the expected-failure file from this run (reasons are kept)")


def pytest_configure(config: pytest.Config) -> None:
    if not config.option.lpsp_impl:
        return  # inert: installed in every pytest of the environment
    state = ConformanceSession(config)
    config.pluginmanager.register(state, SESSION)
    # No cyclic garbage collection while the vectors load and run: millions of
    # vector objects make every full collection long, and a run of vectors
    # makes almost no cycles. Restored when the session ends, and before any
    # item that is not a vector runs (pytest_runtestloop).
    state.gc_was_enabled = gc.isenabled()
    gc.disable()
    # no test paths on the command line: the vectors are the tests
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(state.vectors_dir)]
    state.start_early()


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.pluginmanager.get_plugin(SESSION)
    if state is not None:
        if state.driver is not None:
            state.driver.stop()  # a run that ended before its session finished
        state.restore_gc()


class VectorFailure(Exception):
    """A conformance failure; its text is the whole report."""


class VectorFile(pytest.File):
    def collect(self):
        state: ConformanceSession = self.config.pluginmanager.get_plugin(SESSION)
        doc = state.vector_doc(Path(self.path))
        state.note_file(doc, Path(self.path))
        # every item of the file has the file's hook relay
        self.__dict__["_lpsp_ihook"] = self.ihook
        relpath = None
        make = None
        items = []
        for v in doc["vectors"]:
            if v.get("deprecated") or not state.wanted(v):
                continue
            if make is None:
                item = VectorItem.from_parent(self, name=v["id"], vector=v)
                # Item.location walks the path for every item; all vectors of
                # a file share the first one's path part
                relpath = item.location[0]
                make = _item_factory(self, item) or (
                    lambda name, vector: VectorItem.from_parent(self, name=name, vector=vector))
            else:
                item = make(v["id"], v)
                item.__dict__["location"] = (relpath, None, f"{doc['area']}::{v['id']}")
            items.append(item)
        return items


def _item_factory(parent: VectorFile, proto: "VectorItem"):
    """A constructor of further items of ``parent`` that sets exactly the
    attributes ``Item.from_parent`` gave ``proto``, without the generic work
    (keyword arguments, signature checks, id parsing): a quarter of the
    collection time of 25,000 vectors. None when ``proto`` has an attribute
    or a value this does not know (another pytest): from_parent then builds
    every item."""
    try:
        from _pytest.mark.structures import NodeKeywords
        from _pytest.stash import Stash
    except ImportError:  # pragma: no cover
        return None
    slots = {n for c in type(proto).__mro__ for n in getattr(c, "__slots__", ())
             if n not in ("__dict__", "__weakref__")}

    def attrs(node) -> Set[str]:
        return {n for n in slots if hasattr(node, n)} | set(node.__dict__)

    known = {"name", "parent", "config", "session", "path", "_id", "_nodeid", "_store", "stash", "keywords",
             "own_markers", "extra_keyword_matches", "_report_sections", "user_properties", "vector",
             "location"}
    have = attrs(proto)
    if have - known or not {"name", "parent", "config", "session", "path", "keywords", "stash"} <= have:
        return None
    if "_id" in have:
        pid = getattr(parent, "_id", None)
        if not callable(getattr(pid, "child", None)):
            return None

        def node_id(name: str):
            return pid.child(name)
        id_attr = "_id"
    elif "_nodeid" in have:
        base = parent.nodeid + "::"

        def node_id(name: str):
            return base + name
        id_attr = "_nodeid"
    else:
        return None
    config, session, path = parent.config, parent.session, proto.path
    cls = VectorItem
    new = object.__new__

    def make(name: str, vector: Dict[str, Any]) -> "VectorItem":
        it = new(cls)
        it.name = name
        it.parent = parent
        it.config = config
        it.session = session
        it.path = path
        setattr(it, id_attr, node_id(name))
        it.keywords = NodeKeywords(it)
        it.own_markers = []
        it.extra_keyword_matches = set()
        it.stash = it._store = Stash()
        it._report_sections = []
        it.user_properties = []
        it.vector = vector
        return it

    try:
        twin = make(proto.name, proto.vector)
        same = attrs(twin) == have - {"location"} and twin.nodeid == proto.nodeid \
            and type(twin.keywords) is type(proto.keywords) \
            and dict(twin.keywords._markers) == dict(proto.keywords._markers) \
            and not (proto.own_markers or proto.extra_keyword_matches or proto._report_sections
                     or proto.user_properties) \
            and type(proto.stash) is Stash and not proto.stash._storage \
            and getattr(proto, "_store", proto.stash) is proto.stash
    except Exception:
        return None
    return make if same else None


class VectorItem(pytest.Item):
    def __init__(self, *, vector: Dict[str, Any], **kw):
        super().__init__(**kw)
        self.vector = vector

    @property
    def ihook(self):
        relay = self.parent.__dict__.get("_lpsp_ihook") if self.parent is not None else None
        return relay if relay is not None else super().ihook

    def runtest(self) -> None:
        state: ConformanceSession = self.config.pluginmanager.get_plugin(SESSION)
        state.run_item(self)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, VectorFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.vector.get('_area', '')}::{self.name}"


class ConformanceSession:
    """Per-run state: the adapter, the selection, the expected failures, the results."""

    def __init__(self, config: pytest.Config):
        self.config = config
        opt = config.option
        self.impl_arg: str = opt.lpsp_impl
        self.builtin = self.impl_arg if self.impl_arg in BUILTIN_IMPLS else None
        try:
            self.argv = builtin_command(self.builtin) if self.builtin else shlex.split(self.impl_arg)
        except ValueError as e:
            raise pytest.UsageError(f"--lpsp-impl {self.impl_arg!r}: {e}")
        if not self.argv:
            raise pytest.UsageError("--lpsp-impl is empty")
        self.impl_name: Optional[str] = opt.lpsp_impl_name or self.builtin
        vdir = Path(opt.lpsp_vectors) if opt.lpsp_vectors else default_vectors_dir()
        self.vectors_dir = vdir.resolve()
        self.areas = set(_csv(opt.lpsp_area))
        self.features = set(_csv(opt.lpsp_feature))
        for a in self.areas:
            if a not in AREAS:
                raise pytest.UsageError(f"--lpsp-area {a!r}: not one of {', '.join(AREAS)}")
        for f in self.features:
            if f not in FEATURES:
                raise pytest.UsageError(f"--lpsp-feature {f!r}: not one of {', '.join(FEATURES)}")
        self.exact_ids: Set[str] = set()
        self.id_globs: List[str] = []
        for pattern in list(opt.lpsp_id) + self._id_file_lines(opt.lpsp_id_file):
            (self.id_globs.append if _GLOB.search(pattern) else self.exact_ids.add)(pattern)
        self.matched_globs: Set[str] = set()
        self.driver: Optional[Driver] = None
        self.hello: Dict[str, Any] = {}
        self.all_ids: List[str] = []          # every non-deprecated vector id in the directory
        self.suite_version: Optional[str] = None
        self.records: Dict[str, Dict[str, Any]] = {}
        self._record_json: Dict[str, str] = {}
        self.xf_path: Optional[Path] = None
        self.xf_entries: Dict[str, str] = {}
        self.stale: List[str] = []
        self.harness_error: Optional[str] = None
        self.started = time.time()
        self.t0 = time.monotonic()
        self.selected = 0
        self.deselected = 0
        self.scoper: Optional[Scoper] = None
        self._abort_msg: Optional[str] = None
        self._docs: Dict[Path, Dict[str, Any]] = {}
        self._area_docs: List[Tuple[Path, Dict[str, Any]]] = []
        self._from_manifests: Set[Path] = set()
        self._manifest_trouble = False
        self.quiet_passes = config.get_verbosity() <= 0
        self.full_reports = bool(getattr(config.option, "xmlpath", None))
        # logstart/logfinish only print file names and progress, which a quiet
        # run does not show: 25k hook calls saved
        self.log_start_finish = config.get_verbosity() > 0
        self.results_path = self._results_path()
        self.gc_was_enabled = False
        self._report_node_ids = False

    def restore_gc(self) -> None:
        if self.gc_was_enabled:
            # what was made meanwhile (the vectors, the items, the reports)
            # lives until the session ends: the first collection would walk
            # all of it (a third of a second) to free nothing
            gc.freeze()
            gc.enable()
            self.gc_was_enabled = False

    @staticmethod
    def _id_file_lines(paths: List[str]) -> List[str]:
        out: List[str] = []
        for p in paths:
            try:
                text = Path(p).read_text(encoding="utf-8")
            except OSError as e:
                raise pytest.UsageError(f"--lpsp-id-file {p}: {e.strerror or e}")
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    out.append(line)
        return out

    def _results_path(self) -> Optional[Path]:
        opt = self.config.option.lpsp_results
        if opt == "none":
            return None
        return Path(opt).resolve() if opt else None  # default needs the impl name (after the handshake)

    # -- collection -------------------------------------------------------------

    def wanted(self, v: Dict[str, Any]) -> bool:
        m = matching(v, self.features, self.exact_ids, self.id_globs)
        if m is None:
            self.deselected += 1
            return False
        if m:
            self.matched_globs.add(m)
        return True

    # -- the driver, started before collection ------------------------------------

    # Plugins whose pytest_collection_modifyitems leaves a vector run alone
    # unless an option says otherwise (checked in _options_decide_selection).
    _QUIET_MODIFIERS = {SESSION, "main", "mark", "funcmanage", "lfplugin", "nfplugin"}

    def _quiet_modifiers(self) -> bool:
        """True when no pytest_collection_modifyitems hook but ours can
        deselect or reorder vector items: only pytest's own, with no -k, -m,
        --deselect, --lf, --ff or --nf."""
        opt = self.config.option
        if getattr(opt, "keyword", "") or getattr(opt, "markexpr", "") or getattr(opt, "deselect", None):
            return False
        if getattr(opt, "lf", False) or getattr(opt, "failedfirst", False) or getattr(opt, "newfirst", False):
            return False
        for impl in self.config.hook.pytest_collection_modifyitems.get_hookimpls():
            if impl.plugin_name not in self._QUIET_MODIFIERS:
                return False
        return True

    def _options_decide_selection(self) -> bool:
        """True when the run's own options decide the selection and its order:
        no ids (an unknown one is a harness error before anything is sent), no
        test path but the vectors directory, quiet modifiers."""
        if self.exact_ids or self.id_globs:
            return False
        for a in self.config.args:
            if "::" in a or Path(a).resolve() != self.vectors_dir:
                return False
        return self._quiet_modifiers()

    def start_early(self) -> None:
        """Forks the driver before collection: the child starts the adapter and
        reads the vectors, and pytest collects from its manifests (driver.py)."""
        if self.config.option.collectonly:
            return
        if self.builtin == "c" and not Path(self.argv[0]).exists():
            return  # reported after collection, like any other harness error
        plan = Plan(self.vectors_dir, areas=self.areas, features=self.features, exact_ids=self.exact_ids,
                    id_globs=self.id_globs, speculative=self._options_decide_selection())
        self.driver = self._new_driver(plan=plan)
        try:
            self.driver.fork()
        except OSError:
            self.driver = None

    def _new_driver(self, **kw) -> Driver:
        opt = self.config.option
        return Driver(self.argv, timeout=opt.lpsp_timeout, startup_timeout=opt.lpsp_startup_timeout,
                      max_restarts=opt.lpsp_max_restarts, cwd=os.getcwd(), **kw)

    @pytest.hookimpl
    def pytest_ignore_collect(self, collection_path: Path, config):
        # inside the vectors directory only the area files are tests (the
        # peer scenarios and schemas live there too)
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

    def vector_doc(self, path: Path) -> Dict[str, Any]:
        """A vector file's document: from the driver's manifest when an early
        driver read the file (its vectors then hold what collection and the
        record of a pass need; a result that needs more brings the whole
        vector), else read here."""
        key = path.resolve()
        doc = self._docs.get(key)
        if doc is not None:
            return doc
        d = self.driver
        if d is not None and d.plan is not None and not self._manifest_trouble:
            try:
                doc = doc_of_manifest(d.manifest(path))
                self._from_manifests.add(key)
            except (ManifestError, DriverError, OSError, ValueError):
                # a file the driver could not read (this one or one before
                # it), or no driver: read here, which names the broken file;
                # the driver's own error shows when the run starts
                self._manifest_trouble = True
        if doc is None:
            try:
                doc = load_file(path)
            except VectorFileError as e:
                raise pytest.UsageError(str(e))
        self._docs[key] = doc
        return doc

    def note_file(self, doc: Dict[str, Any], path: Path) -> None:
        self.suite_version = self.suite_version or doc.get("suite_version")
        self._docs[path.resolve()] = doc

    def _load_all(self) -> List[Dict[str, Any]]:
        vectors: List[Dict[str, Any]] = []
        self._area_docs = []
        for p in vector_files(self.vectors_dir):
            doc = self.vector_doc(p)
            self._area_docs.append((p, doc))
            self.suite_version = self.suite_version or doc.get("suite_version")
            vectors.extend(v for v in doc["vectors"] if not v.get("deprecated"))
        self.all_ids = [v["id"] for v in vectors]
        return vectors

    def _whole_vectors(self) -> List[Dict[str, Any]]:
        """Every non-deprecated vector with all its fields: the vectors known
        from manifests are completed in place from the files."""
        everything: List[Dict[str, Any]] = []
        for p, doc in self._area_docs:
            if p.resolve() in self._from_manifests:
                try:
                    whole = {v["id"]: v for v in load_file(p)["vectors"]}
                except VectorFileError as e:
                    raise pytest.UsageError(str(e))
                for v in doc["vectors"]:
                    w = whole.get(v["id"])
                    if w is not None:
                        v.update(w)
                self._from_manifests.discard(p.resolve())
            everything.extend(v for v in doc["vectors"] if not v.get("deprecated"))
        return everything

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(self, session, config, items):
        # run in the canonical area order whatever the directory listing order
        rank = {a: i for i, a in enumerate(AREAS)}
        items.sort(key=lambda it: rank.get(getattr(it, "vector", {}).get("_area"), len(rank)))
        # A run of vectors only, where no other hook can deselect or reorder
        # them (no -k, -m, --deselect, --lf; only pytest's own hooks): the
        # items skip the other hooks (the fixture manager's reordering alone
        # walks every item four times over, for items without fixtures).
        hidden: List[pytest.Item] = []
        if items and all(type(it) is VectorItem for it in items) and self._quiet_modifiers():
            hidden = list(items)
            items[:] = []
        yield
        if hidden:
            items[:] = hidden

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)
        if not vector_files(self.vectors_dir):
            self._abort(f"no vector files in {_rel(self.vectors_dir)} "
                        f"(expected {', '.join(a + '.json' for a in AREAS)}); use --lpsp-vectors DIR")
        everything = self._load_all()
        known = set(self.all_ids)
        unknown = sorted(self.exact_ids - known)
        if unknown:
            self._abort(f"no vector with the id(s) {', '.join(unknown[:10])}"
                        + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
                        + " (list them with: lpsp-conformance list)")
        empty = [g for g in self.id_globs if g not in self.matched_globs
                 and not any(fnmatch.fnmatchcase(i, g) for i in self.all_ids)]
        if empty:
            self._abort(f"the id pattern(s) {', '.join(empty)} match no vector")
        if not session.items:
            self._abort("the selection matches no vector (check --lpsp-area, --lpsp-feature, --lpsp-id, -k)")
        if self.config.option.collectonly:
            return
        if self.builtin == "c" and not Path(self.argv[0]).exists():
            self._abort(f"{_rel(Path(self.argv[0]))} does not exist: build it (make build/lpsp), or set "
                        f"LPSP=/path/to/lpsp, or give --impl '/path/to/lpsp testee'")
        if not self._from_manifests:  # else made if a driver must be started with whole vectors
            self.scoper = Scoper(everything)
        vectors = []
        for it in session.items:
            if isinstance(it, VectorItem):
                it.index = len(vectors)
                vectors.append(it.vector)
        self._report_node_ids = self._reports_take_node_ids(session.items)
        try:
            self.hello = self._start_driver(vectors)
        except DriverError as e:
            if self.driver is not None:
                self.driver.stop()
            self.driver = None
            self._abort(f"adapter {self.impl_arg!r} failed to start: {e}")
        if not self.impl_name:
            self.impl_name = re.sub(r"[^A-Za-z0-9._-]+", "-", self.hello.get("name", "impl")).strip("-") or "impl"
        if self.results_path is None and self.config.option.lpsp_results != "none":
            self.results_path = Path("reports").resolve() / f"results-{self.impl_name}.json"
        self._load_expected_failures()

    @staticmethod
    def _reports_take_node_ids(items) -> bool:
        """Whether this pytest's TestReport takes an item's structured node id
        (pytest 9: ``Node._id``) for the string one, which it would parse."""
        it = next((i for i in items if isinstance(i, VectorItem)), None)
        rid = getattr(it, "_id", None)
        if rid is None or isinstance(rid, str):
            return False
        try:
            r = TestReport(rid, it.location, {}, "passed", None, "call")
        except Exception:
            return False
        return r.nodeid == it.nodeid and getattr(r, "_id", None) is rid

    def _start_driver(self, vectors: List[Dict[str, Any]]) -> Dict[str, Any]:
        """The adapter's hello; the driver runs exactly ``vectors``, in order."""
        d = self.driver
        if d is not None and d.plan is not None:
            hello = d.start()
            if not d.plan.speculative:
                d.select([(v["_area"], v["id"]) for v in vectors])
                return hello
            # the plan as the driver works it out, from the same documents
            plan = d.plan
            planned = [v for p, doc in self._area_docs if plan.wants_file(p)
                       for v in doc["vectors"] if plan.wants(v)]
            if len(planned) == len(vectors) and all(a is b for a, b in zip(planned, vectors)):
                return hello
            # collected items other than the options alone select: run them
            # with a driver started now
            d.stop()
        if self.scoper is None:
            self.scoper = Scoper(self._whole_vectors())
        self.driver = self._new_driver(vectors=vectors, scope_of=self.scoper.scope_of)
        return self.driver.start()

    def _load_expected_failures(self) -> None:
        opt = self.config.option.lpsp_expected_failures
        if opt == "none":
            return
        update = self.config.option.lpsp_update_xf
        if opt:
            path = Path(opt)
        elif self.builtin or update:
            path = xf.default_path(self.impl_name or "impl")
        else:
            return
        self.xf_path = path
        if not path.exists():
            if opt and not update:
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
            return self.driver.result(idx, item.name)
        except DriverError as e:
            self._abort(f"driver failed: {e}")

    def decide(self, item: "VectorItem") -> Tuple[str, str]:
        """Runs one vector; returns (pytest outcome, text) with outcome in
        passed | failed | skipped | xfailed."""
        outcome, text, _ = self._decide(item)
        return outcome, text

    def _decide(self, item: "VectorItem") -> Tuple[str, str, Dict[str, Any]]:
        """decide(), and the vector's record."""
        v = item.vector
        vid = v["id"]
        j, elapsed, abort, cls, whole = self._result_for(item)
        if whole is not None and "input" not in v:
            v.update(whole)  # a vector known from a manifest, completed for its record and report
        if cls is not None and "_scope" not in v:
            v["_type"], v["_scope"] = cls
        listed = self.xf_entries.get(vid)
        rec = self._record(v, j, elapsed, listed)
        outcome, text = self._outcome(v, j, rec, listed, abort)
        return outcome, text, rec

    def _outcome(self, v: Dict[str, Any], j: Judgement, rec: Dict[str, Any], listed: Optional[str],
                 abort: Optional[str]) -> Tuple[str, str]:
        vid = v["id"]
        if j.verdict == PASS and listed is None and not abort:
            return "passed", ""
        if abort:
            self._abort_msg = abort
            self._abort(abort)
        strict = self.config.option.lpsp_strict
        if j.verdict == UNSUPPORTED:
            if strict and j.in_scope:
                return "failed", self._failure_text(v, j, rec) + \
                    "\n(--strict-verdicts: an unsupported answer within the declared capabilities is a failure)"
            return "skipped", f"unsupported: {j.reason}"
        if j.verdict == NON_STRICT and strict and listed is None:
            return "failed", self._failure_text(v, j, rec) + "\n(--strict-verdicts: non-strict counts as a failure)"
        if j.verdict == FAIL:
            if listed is not None:
                return "xfailed", f"expected failure: {listed}"
            if self.config.option.lpsp_update_xf and self.xf_path is not None:
                return "xfailed", f"new expected failure, added to {_rel(self.xf_path)} as '{xf.TODO}'"
            return "failed", self._failure_text(v, j, rec)
        if listed is not None and not self.config.option.lpsp_update_xf:
            return "failed", (f"unexpected pass ({j.verdict}) of {vid}, which "
                              f"{_rel(self.xf_path)} lists as an expected failure ({listed});\n"
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
        machinery, ready-made reports (pytest.TestReport). Thousands of
        vectors per second."""
        if not isinstance(item, VectorItem):
            return None
        self._protocol(item)
        return True

    # Hooks of pytest_runtest_protocol that do nothing for a vector item: the
    # run loop then calls the lean protocol directly (pytest_runtestloop).
    _QUIET_PROTOCOL = {SESSION, "runner", "unittest"}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session):
        """pytest's run loop (main.pytest_runtestloop) without a hook call per
        vector, when every item is a vector and no other plugin hooks the
        protocol of an item; otherwise pytest's own loop runs."""
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            return None  # pytest's loop reports the collection errors
        if session.config.option.collectonly:
            return None
        items = session.items
        if not all(type(it) is VectorItem for it in items):
            self.restore_gc()  # other tests run as usual
            return None
        for impl in self.config.hook.pytest_runtest_protocol.get_hookimpls():
            if impl.plugin_name not in self._QUIET_PROTOCOL:
                return None
        protocol = self._protocol
        for item in items:
            protocol(item)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        return True

    def _protocol(self, item: "VectorItem") -> None:
        # vector files have no conftest.py of their own: the session-wide hook
        # relay is the item's hook relay, without a lookup per call
        ihook = self.config.hook
        location = item.location
        # a structured node id spares the report parsing the string one
        rid = item._id if self._report_node_ids else item.nodeid
        if self.log_start_finish:
            ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=location)
        start = time.time()
        outcome, text, rec = self._decide(item)
        stop = time.time()
        kw = {item.name: 1}
        props = [("verdict", rec["verdict"]), ("scope", rec["scope"])]
        if rec.get("outcome"):
            props.append(("outcome", rec["outcome"]))
        if rec.get("class"):
            props.append(("class", rec["class"]))
        xfailed = outcome == "xfailed"
        if outcome == "passed":
            longrepr = None
        elif outcome == "failed":
            longrepr = text
        else:
            longrepr = (str(item.path), None, text if xfailed else f"Skipped: {text}")
            outcome = "skipped"
        call = TestReport(rid, location, kw, outcome, longrepr, "call", sections=[], duration=stop - start,
                          start=start, stop=stop, user_properties=props, lpsp_vector=True)
        if xfailed:
            call.wasxfail = text
        logreport = ihook.pytest_runtest_logreport
        if self.full_reports:  # junitxml needs the setup and teardown reports
            nodeid = item.nodeid
            for when, t in (("setup", start), ("teardown", stop)):
                # junitxml writes the properties of the teardown report
                logreport(report=pytest.TestReport(
                    nodeid=nodeid, location=location, keywords=kw, outcome="passed", longrepr=None,
                    when=when, sections=[], duration=0.0, start=t, stop=t,
                    user_properties=props if when == "teardown" else []))
                if when == "setup":
                    logreport(report=call)
        else:
            logreport(report=call)
        if self.log_start_finish:
            ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=location)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report, config):
        # passed and unsupported vectors print nothing (thousands of dots cost
        # more than the checks); failures and expected failures keep their letters
        if not self.quiet_passes or report.when != "call" or not report.__dict__.get("lpsp_vector"):
            return None
        if report.passed:
            return "passed", "", ""
        if report.skipped and not hasattr(report, "wasxfail"):  # unsupported: counted in the summary
            return "skipped", "", ""
        return None

    def _record(self, v: Dict[str, Any], j: Judgement, elapsed: float, listed: Optional[str]) -> Dict[str, Any]:
        if "_family" not in v and self.scoper is not None:
            if "_scope" in v:
                v["_family"] = family(v)
            else:
                v["_type"], v["_scope"], v["_family"] = self.scoper.classify(v)
        rec: Dict[str, Any] = {
            "id": v["id"], "area": v.get("_area"), "feature": v.get("feature"), "op": v.get("op"),
            "type": v.get("_type"), "scope": v.get("_scope"), "family": v.get("_family"),
            "vector_verdict": v.get("verdict"), "verdict": j.verdict, "status": j.status,
            "time_ms": round(elapsed * 1000, 3),
        }
        if j.error is not None:
            rec["class"] = j.error
        if j.outcome is not None:
            rec["outcome"] = j.outcome
        if j.reason:
            rec["reason"] = j.reason
        if j.verdict == UNSUPPORTED:
            rec["in_scope"] = j.in_scope
        if listed is not None:
            rec["expected_failure"] = listed
        if j.verdict != PASS and not (j.verdict == UNSUPPORTED and not j.in_scope):
            # everything needed to reproduce and read the result without the vectors
            rec["input"] = v.get("input")
            rec["expected"] = expected_text(v)
            rec["actual"] = j.actual
            if j.diffs:
                rec["diffs"] = j.diffs
            if j.verdict == FAIL:
                m = mismatch(v, j.actual, j.diffs)
                if m:
                    rec["mismatch"] = m
        self.records[v["id"]] = rec
        # its line of the results JSON, made now while the driver works (a
        # record does not change once made)
        self._record_json[v["id"]] = _compact_json(rec)
        return rec

    # -- failure text -------------------------------------------------------------

    def _spill(self, vid: str, what: str, value: Any) -> str:
        """The value as JSON, or the name of a file holding it when it is long."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if len(text) <= INLINE_LIMIT:
            return text
        base = self.results_path.parent if self.results_path else Path("reports").resolve()
        path = base / "failures" / f"{vid}.{what}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            return text + f"\n             (could not write {path}: {e})"
        return f"{len(text)} characters, in full in {_rel(path)}; starts {text[:200]}…"

    def _failure_text(self, v: Dict[str, Any], j: Judgement, rec: Dict[str, Any]) -> str:
        vid = v["id"]
        t = f", type {rec['type']}" if rec.get("type") else ""
        lines = [
            f"vector:      {vid}  ({v.get('_area')}, op {v.get('op')}{t}, family {rec.get('family')})",
            f"description: {v.get('description', '')}",
            f"refs:        {', '.join(v.get('refs') or [])}",
            f"verdict:     {v.get('verdict')}",
            f"input:       {self._spill(vid, 'input', v.get('input'))}",
            f"expected:    {self._spill(vid, 'expected', expected_text(v))}",
            f"actual:      {self._spill(vid, 'actual', j.actual)}",
            f"why:         {j.reason}",
        ]
        if rec.get("mismatch"):
            lines.append(f"where:       {describe(rec['mismatch'])}")
        lines.extend(f"  - {d}" for d in j.diffs[:20])
        if len(j.diffs) > 20:
            lines.append(f"  … {len(j.diffs) - 20} more difference(s)")
        lines.append(f"replay:      lpsp-conformance replay {vid} --impl {shlex.quote(self.impl_arg)}")
        return "\n".join(lines)

    # -- end of run -----------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        if self.driver is not None:
            self.driver.stop()
        if not self.records and self.harness_error is None and not self.hello:
            return
        update = self.config.option.lpsp_update_xf
        if update and self.xf_path is not None and self.harness_error is None:
            ran = {vid: r["verdict"] == FAIL for vid, r in self.records.items() if r["verdict"] != UNSUPPORTED}
            new = xf.updated(self.xf_entries, self.all_ids, ran)
            if new or self.xf_path.exists():
                xf.write(self.xf_path, self.impl_name or "impl", new, self.all_ids)
                self.xf_update_note = f"{_rel(self.xf_path)}: {len(new)} entr{'y' if len(new) == 1 else 'ies'}"
            self.stale = []
        elif self.stale and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        self._write_results()
        self.restore_gc()

    def _write_results(self) -> None:
        path = self.results_path
        if path is None:
            return
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
                "entry_points": self.hello.get("entry_points"),
                "command": self.impl_arg,
            },
            "suite_version": self.suite_version,
            "vectors_dir": _rel(self.vectors_dir),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "duration_s": round(time.monotonic() - self.t0, 3),
            "selection": {"areas": sorted(self.areas), "features": sorted(self.features),
                          "ids": sorted(self.exact_ids), "id_globs": self.id_globs,
                          "keyword": self.config.option.keyword or ""},
            "harness_error": self.harness_error,
            "restarts": self.driver.restarts if self.driver else 0,
            "expected_failures_file": _rel(self.xf_path) if self.xf_path else None,
            "stale_expected_failures": self.stale,
            "counts": counts,
            "results": list(self.records.values()),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        records = doc.pop("results")
        head = json.dumps(doc, indent=1, ensure_ascii=False)
        # one result per line, written by the C encoder (indent= is pure Python)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(head[:-2] + ',\n "results": [\n')
            lines = self._record_json
            f.write(",\n".join(lines.get(r["id"]) or _compact_json(r) for r in records))
            f.write("\n ]\n}\n")
        os.replace(tmp, path)

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config) -> None:
        tr = terminalreporter
        if not self.records and not self.hello:
            if self.harness_error:
                tr.write_sep("=", "lpsp conformance: harness error", red=True)
                tr.write_line(self.harness_error)
            return
        tr.write_sep("=", "lpsp conformance summary")
        h = self.hello
        feats = h.get("features") or []
        tr.write_line(f"implementation: {self.impl_name} — {h.get('name', '?')} {h.get('version', '?')} "
                      f"(capabilities: {', '.join(map(str, feats))})")
        recs = list(self.records.values())
        in_scope = [r for r in recs if not (r["verdict"] == UNSUPPORTED and not r.get("in_scope", True))]
        tr.write_line(f"vectors:        {_rel(self.vectors_dir)} (suite {self.suite_version or '?'}), "
                      f"{len(recs)} selected of {len(self.all_ids)}, {len(in_scope)} within the declared "
                      f"capabilities")
        self._summary_table(tr, recs)
        xfails = sum(1 for r in recs if r["verdict"] == FAIL and "expected_failure" in r)
        outcomes: Dict[str, int] = {}
        for r in recs:
            if r["verdict"] == IMPL_DEFINED:
                outcomes[r.get("outcome", "?")] = outcomes.get(r.get("outcome", "?"), 0) + 1
        if outcomes:
            tr.write_line("implementation-defined outcomes: " +
                          ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())))
        self._list_ids(tr, "non-strict (rejected with another error class)",
                       [f"{r['id']} ({r.get('class')})" for r in recs if r["verdict"] == NON_STRICT])
        self._list_ids(tr, "unsupported within the declared capabilities",
                       [r["id"] for r in recs if r["verdict"] == UNSUPPORTED and r.get("in_scope")])
        if self.xf_path is not None and (self.xf_entries or self.xf_path.exists()):
            tr.write_line(f"expected failures: {xfails} of {len(self.xf_entries)} listed in {_rel(self.xf_path)}")
        unexpected = sum(1 for r in recs if r["verdict"] == FAIL) - xfails
        if unexpected:
            tr.write_line(f"unexpected failures: {unexpected}", red=True)
        if getattr(self, "xf_update_note", None):
            tr.write_line(f"expected-failure file rewritten: {self.xf_update_note}")
        if self.stale:
            tr.write_line(f"stale expected-failure entries (no such vector) in {_rel(self.xf_path)}: "
                          + ", ".join(self.stale), red=True)
        if self.driver is not None and self.driver.restarts:
            tr.write_line(f"adapter restarts: {self.driver.restarts}")
        if self.harness_error:
            tr.write_line(f"harness error: {self.harness_error}", red=True)
        if self.results_path and self.results_path.exists():
            tr.write_line(f"results: {_rel(self.results_path)}")

    @staticmethod
    def _list_ids(tr, title: str, ids: List[str], limit: int = 40) -> None:
        if not ids:
            return
        tr.write_line(f"{title}: {len(ids)}")
        for i in ids[:limit]:
            tr.write_line(f"  {i}")
        if len(ids) > limit:
            tr.write_line(f"  … {len(ids) - limit} more in the results JSON")

    def _summary_table(self, tr, recs: List[Dict[str, Any]]) -> None:
        """Counts per area × message type. Types with no vector within the
        declared capabilities are folded into one line per area."""
        cols = list(VERDICTS)
        rows: List[Tuple[str, Dict[str, int]]] = []
        totals = {c: 0 for c in cols}
        areas = [a for a in AREAS if any(r["area"] == a for r in recs)]
        areas += sorted({str(r["area"]) for r in recs} - set(AREAS))
        for a in areas:
            groups: Dict[str, Dict[str, int]] = {}
            out_of_scope: Dict[str, int] = {}
            for r in recs:
                if r["area"] != a:
                    continue
                g = groups.setdefault(summary_key(r), {c: 0 for c in cols})
                g[r["verdict"]] += 1
                totals[r["verdict"]] += 1
            for key in list(groups):
                g = groups[key]
                if g[UNSUPPORTED] == sum(g.values()) and not any(
                        r.get("in_scope") for r in recs if r["area"] == a and summary_key(r) == key):
                    out_of_scope[key] = g[UNSUPPORTED]
                    del groups[key]
            for key in sorted(groups):
                rows.append((f"{a} {key}", groups[key]))
            if out_of_scope:
                n = sum(out_of_scope.values())
                types = [k for k in out_of_scope if k != NO_TYPE]
                label = f"{a} ({len(types)} undeclared type{'s' if len(types) != 1 else ''}" + \
                    (" and inputs of no type)" if NO_TYPE in out_of_scope else ")")
                rows.append((label, {**{c: 0 for c in cols}, UNSUPPORTED: n}))
        rows.append(("total", totals))
        w = max([len(a) for a, _ in rows] + [5])
        widths = [max(len(c), 4) + 2 for c in cols]
        tr.write_line("area and type".ljust(w) + "".join(c.rjust(cw) for c, cw in zip(cols, widths)))
        for a, row in rows:
            tr.write_line(a.ljust(w) + "".join(str(row.get(c, 0)).rjust(cw) for c, cw in zip(cols, widths)))


def _rel(p: Optional[Path]) -> str:
    if p is None:
        return ""
    p = Path(p).resolve()
    for base in (Path.cwd(),) + (() if data.bundled() else (REPO_ROOT,)):
        try:
            return str(p.relative_to(base))
        except ValueError:
            continue
    return str(p)
