"""Mutation testing of the conformance vectors against two real implementations.

Sides:
  c          the C codec: mutants of codec/src/*.c, each rebuilt into `lpsp`
             and run as `lpsp testee`;
  lonelypsp  the Python reference: mutants of its wire modules, each run
             through the lonelypsp adapter with LONELYPSP_SRC set to a
             mutated copy of the package.

Mutants come from universalmutator (`mutate --only mutation/rules/*.rules`).
A mutant is killed when some vector's outcome differs from the unmutated
baseline run (verdict and allowed outcome; for a vector the baseline does not
pass, also the response itself), or when the implementation crashes or stops
answering. Mutants that do not compile are stillborn; C mutants whose object
file is byte-identical to the original's, and Python mutants whose syntax tree
(docstrings aside) is the original's, are not distinct programs and are not
counted.

Usage:
  lpsp_mutation.py run --side c|lonelypsp [-j N] [--sample N --seed S | --survivors]
  lpsp_mutation.py check --side SIDE [--results FILE]
  lpsp_mutation.py untriaged --side SIDE [--results FILE]
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import difflib
import fcntl
import hashlib
import json
import os
import random
import re
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from lpsp_conformance import PASS, data
from lpsp_conformance import vectors as vectors_mod
from lpsp_conformance.scope import Scoper, covers, parse_capabilities
from lpsp_conformance.testee import make_request, request_line, response_problem
from lpsp_conformance.verdict import judge

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIDES = ("c", "lonelypsp")
# in coverage data: the line matters to every vector
ALL = -1
# changes whenever generate() would produce other records from the same input
GENERATOR = "universalmutator-1.14.1/records-1"
# changes whenever the coverage measurement changes
COVERAGE = "coverage-2"

# -- configuration of the two sides ------------------------------------------------

WARN = ["-Wall", "-Wextra", "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes",
        "-Wcast-qual", "-Wpointer-arith", "-Wvla", "-Wformat=2"]
# As the Makefile builds the codec, without -Werror (a mutant that only draws
# a warning is still a program) and without -g (objects are compared).
C_FLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", *WARN, "-O2"]
C_LIBS = ["-ljansson", "-lcrypto"]

# lonelypsp's wire modules, relative to the package directory
LONELYPSP_FILES = [
    "stateful/constants.py",
    "stateful/parser.py",
    "stateful/parser_helpers.py",
    "stateful/serializer_helpers.py",
    "stateful/messages/*.py",
    "stateless/make_strong_etag.py",
    "auth/helpers/hmac_auth_config.py",
    "auth/helpers/token_auth_config.py",
]
# classes that are storage back-ends, not wire code: never mutated
LONELYPSP_SKIP_CLASSES = re.compile(r"DB|Sqlite|Storage")


def lonelypsp_installed() -> Path:
    import importlib.util
    spec = importlib.util.find_spec("lonelypsp.stateful")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("lonelypsp is not installed in this environment")
    return Path(list(spec.submodule_search_locations)[0]).parent


def build_dir(side: str) -> Path:
    return ROOT / "build" / "mutation" / side


def equivalence_file(side: str) -> Path:
    return HERE / f"equivalent-{side}.txt"


def rules_file(side: str) -> Path:
    return HERE / "rules" / ("c.rules" if side == "c" else "python.rules")


def log(msg: str) -> None:
    print(msg, flush=True)


# -- mutant generation -------------------------------------------------------------

def rule_operators(path: Path) -> Dict[int, str]:
    """Line number of each rule -> the operator named by the "# op:" line above it."""
    ops: Dict[int, str] = {}
    current = "other"
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.match(r"#\s*op:\s*(\S+)", line)
        if m:
            current = m.group(1)
        elif " ==> " in line and not line.startswith("#"):
            ops[n] = current
    return ops


def mutant_id(file: str, orig: str, mutated: str, occurrence: int) -> str:
    text = "\0".join((file, orig.strip(), mutated.strip(), str(occurrence)))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """Every statement that is only a string (docstrings, attribute docstrings) becomes `pass`."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list):
                for k, st in enumerate(body):
                    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) \
                            and isinstance(st.value.value, str):
                        body[k] = ast.Pass()
    return tree


def statement_lines(source: str) -> Dict[int, Optional[Tuple[int, int]]]:
    """For each line inside a function body, the line range of the smallest
    statement holding it; None for lines that run at import time (module and
    class level, function headers: decorators, defaults, annotations)."""
    tree = ast.parse(source)
    spans: Dict[int, Optional[Tuple[int, int]]] = {}

    def visit(stmts: List[ast.stmt], in_function: bool) -> None:
        for st in stmts:
            lo, hi = st.lineno, st.end_lineno or st.lineno
            if in_function:
                for n in range(lo, hi + 1):
                    spans[n] = (lo, hi)  # inner statements overwrite with smaller spans
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(st.body, True)
            else:
                for name in ("body", "orelse", "finalbody"):
                    inner = getattr(st, name, None)
                    if isinstance(inner, list):
                        visit(inner, in_function)
                for h in getattr(st, "handlers", []) or []:
                    if in_function:
                        for n in range(h.lineno, (h.end_lineno or h.lineno) + 1):
                            spans[n] = (h.lineno, h.end_lineno or h.lineno)
                    visit(h.body, in_function)
                for c in getattr(st, "cases", []) or []:
                    visit(c.body, in_function)

    visit(tree.body, False)
    return spans


def _py_skip_lines(source: str) -> Set[int]:
    """Lines of storage back-end classes (LONELYPSP_SKIP_CLASSES)."""
    skip: Set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and LONELYPSP_SKIP_CLASSES.search(node.name):
            skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return skip


def generate(side: str, tree: Path, files: List[str], out: Path) -> List[Dict[str, Any]]:
    """Runs universalmutator on each file; returns the mutant records."""
    mutate = Path(sys.executable).parent / "mutate"
    rules = rules_file(side)
    ops = rule_operators(rules)
    records: List[Dict[str, Any]] = []
    for rel in files:
        src = tree / rel
        original = src.read_text()
        olines = original.splitlines(keepends=True)
        mdir = out / rel.replace("/", "__")
        shutil.rmtree(mdir, ignore_errors=True)
        mdir.mkdir(parents=True)
        proc = subprocess.run([str(mutate), str(src), "--noCheck", "--only", str(rules), "--showRules",
                               "--mutantDir", str(mdir)], capture_output=True, text=True, cwd=str(out))
        if proc.returncode != 0:
            raise SystemExit(f"mutate failed on {rel}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        rule_lines = [int(m.group(1)) for m in re.finditer(r"\(FROM: .*:(\d+)\)\.\.\.", proc.stdout)]
        skip = _py_skip_lines(original) if side == "lonelypsp" else set()
        # top-level statements: a one-line mutant is compared within its own
        top: List[Tuple[int, int, str]] = []
        if side == "lonelypsp":
            for st in ast.parse(original).body:
                lo, hi = st.lineno, st.end_lineno or st.lineno
                if getattr(st, "decorator_list", None):
                    lo = min(d.lineno for d in st.decorator_list)
                top.append((lo, hi, ast.dump(_strip_docstrings(ast.parse("".join(olines[lo - 1:hi]))))))
        stem, ext = os.path.splitext(os.path.basename(rel))
        seen: collections.Counter = collections.Counter()
        for k, rule_line in enumerate(rule_lines):
            mfile = mdir / f"{stem}.mutant.{k}{ext}"
            mtext = mfile.read_text()
            mlines = mtext.splitlines(keepends=True)
            changed = [i for i in range(min(len(olines), len(mlines))) if olines[i] != mlines[i]]
            if len(mlines) != len(olines) or len(changed) != 1:
                continue  # the tool changes one line; anything else is not a point mutant
            i = changed[0]
            orig, mut = olines[i].rstrip("\n"), mlines[i].rstrip("\n")
            key = (orig.strip(), mut.strip())
            occurrence = seen[key]
            seen[key] += 1
            rec = {"id": mutant_id(rel, orig, mut, occurrence), "file": rel, "line": i + 1,
                   "orig": orig, "mutated": mut, "op": ops.get(rule_line, "other"), "rule": rule_line,
                   "path": str(mfile.relative_to(out))}
            if i + 1 in skip:
                continue
            if side == "lonelypsp":
                span = next((t for t in top if t[0] <= i + 1 <= t[1]), None)
                if span is None:  # between statements: a comment or blank line
                    rec["pre"] = "noop"
                else:
                    try:
                        m_ast = ast.dump(_strip_docstrings(ast.parse("".join(mlines[span[0] - 1:span[1]]))))
                    except SyntaxError:
                        rec["pre"] = "stillborn"
                    else:
                        if m_ast == span[2]:
                            rec["pre"] = "noop"
            records.append(rec)
    return records


# -- running an implementation over the vectors --------------------------------------

class Vectors:
    """The vectors, their request lines (request id = canonical index + 1)."""

    def __init__(self) -> None:
        vs = vectors_mod.load_all(data.vectors_dir())
        scoper = Scoper(vs)
        for v in vs:
            v["_type"], v["_scope"], v["_family"] = scoper.classify(v)
        self.vectors = vs
        self.lines = [request_line(make_request(i + 1, v.get("op", ""), v.get("input"), v["id"]))
                      for i, v in enumerate(vs)]
        self.hello = request_line({"id": 0, "op": "hello", "protocol": 1})
        self.index = {v["id"]: i for i, v in enumerate(vs)}


def outcome_key(v: Dict[str, Any], resp: Optional[Dict[str, Any]], fault: Optional[str] = None) -> str:
    """What must stay the same for a mutant to survive on one vector."""
    if fault:
        return f"fault:{fault}"
    if not isinstance(resp, dict) or response_problem(resp):
        return "fault:bad-response"
    try:
        j = judge(v, resp)
    except Exception as e:  # a response the verdict rules cannot even read
        return f"fail:cannot-judge:{type(e).__name__}"
    if j.verdict == PASS:
        return PASS
    if j.outcome is not None and j.verdict == "implementation-defined":
        return f"{j.verdict}:{j.outcome}"
    body = {k: resp.get(k) for k in ("status", "error", "output")}
    return f"{j.verdict}:{json.dumps(body, sort_keys=True)}"


class Exchange:
    """One adapter process, fed every request at once (the adapter answers
    them in order), read one response line at a time."""

    def __init__(self, argv: List[str], env: Dict[str, str], cwd: str):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
        self.buf = bytearray()
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)

    def feed(self, chunks: Iterable[bytes]) -> None:
        def write() -> None:
            try:
                for c in chunks:
                    self.proc.stdin.write(c)
                self.proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
        threading.Thread(target=write, daemon=True).start()

    def readline(self, deadline: float) -> Optional[bytes]:
        """A line, b"" at EOF, None at the deadline."""
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line = bytes(self.buf[:nl + 1])
                del self.buf[:nl + 1]
                return line
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not self.sel.select(left):
                continue
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                return b""
            self.buf += chunk

    def close(self) -> Optional[int]:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.sel.close()
        for f in (self.proc.stdout, self.proc.stdin):
            try:
                f.close()
            except Exception:
                pass
        return self.proc.returncode


def run_vectors(argv: List[str], env: Dict[str, str], cwd: str, vecs: Vectors, order: Sequence[int],
                base: Optional[Dict[str, Any]], *, stall: float, budget: float,
                wait_exit: bool = False) -> Dict[str, Any]:
    """Runs the vectors in `order`; without a baseline records every outcome,
    with one stops at the first vector whose outcome differs."""
    t0 = time.monotonic()
    deadline = t0 + budget
    ex = Exchange(argv, env, cwd)
    result: Dict[str, Any] = {}
    try:
        ex.feed([vecs.hello] + [vecs.lines[i] for i in order])
        line = ex.readline(min(deadline, time.monotonic() + max(stall, 30.0)))
        try:
            hello = json.loads(line) if line else None
        except ValueError:
            hello = None
        if not isinstance(hello, dict) or hello.get("status") != "ok":
            return {"status": "killed", "how": "handshake", "vector": None,
                    "detail": (line or b"").decode("utf-8", "replace")[:200]}
        if base is not None and hello.get("output", {}).get("features") != base["features"]:
            return {"status": "killed", "how": "handshake", "vector": None, "detail": "features differ"}
        raw: Dict[int, bytes] = {}
        keys: Dict[int, str] = {}
        for i in order:
            line = ex.readline(min(deadline, time.monotonic() + stall))
            v = vecs.vectors[i]
            if not line:
                how = "timeout" if line is None else "crash"
                if base is None:
                    raise RuntimeError(f"the unmutated implementation failed ({how}) on {v['id']}")
                return {"status": "killed", "how": how, "vector": v["id"],
                        "detail": f"{how} at {v['id']}", "seconds": time.monotonic() - t0}
            if base is None:
                raw[i] = line
                try:
                    resp = json.loads(line)
                except ValueError:
                    resp = None
                keys[i] = outcome_key(v, resp)
                continue
            if line == base["raw"].get(i):
                continue
            try:
                resp = json.loads(line)
                if not isinstance(resp, dict) or resp.get("id") != i + 1:
                    raise ValueError("wrong id")
            except ValueError:
                return {"status": "killed", "how": "garbage", "vector": v["id"],
                        "detail": line[:200].decode("utf-8", "replace"), "seconds": time.monotonic() - t0}
            k = outcome_key(v, resp)
            if k != base["keys"][i]:
                return {"status": "killed", "how": "outcome", "vector": v["id"],
                        "detail": f"{base['keys'][i][:120]} -> {k[:160]}", "seconds": time.monotonic() - t0}
        if base is None:
            result = {"features": hello.get("output", {}).get("features"), "raw": raw, "keys": keys}
        else:
            result = {"status": "survived"}
        result["seconds"] = time.monotonic() - t0
        if wait_exit:  # stdin is closed once every request is written: the adapter ends by itself
            try:
                ex.proc.wait(timeout=max(stall, 30.0))
            except subprocess.TimeoutExpired:
                pass
        return result
    finally:
        ex.close()


# -- the two sides: scratch trees, builds, adapters --------------------------------

class Side:
    name = ""

    def __init__(self, workdir: Path):
        self.work = workdir
        self.tree = workdir / "tree"

    def files(self) -> List[str]:
        raise NotImplementedError

    def prepare(self, workers: int) -> None:
        raise NotImplementedError

    def baseline_argv(self) -> Tuple[List[str], Dict[str, str], str]:
        raise NotImplementedError

    def build(self, slot: int, rec: Dict[str, Any], mutant: Path) -> str:
        """Installs the mutant in the slot; returns "ok", "stillborn" or "identical"."""
        raise NotImplementedError

    def argv(self, slot: int) -> Tuple[List[str], Dict[str, str], str]:
        raise NotImplementedError

    def restore(self, slot: int, rec: Dict[str, Any]) -> None:
        pass

    def coverage(self, vecs: "Vectors", order: List[int]) -> Optional[Dict[str, Dict[int, List[int]]]]:
        """file -> line -> indices of the vectors that run it (None: not measured)."""
        return None

    def source_hash(self) -> str:
        h = hashlib.sha256()
        for rel in self.files():
            h.update(rel.encode() + b"\0" + (self.src_root() / rel).read_bytes())
        h.update(rules_file(self.name).read_bytes())
        h.update(GENERATOR.encode())
        return h.hexdigest()

    def origin(self) -> Path:
        raise NotImplementedError

    def src_root(self) -> Path:
        """The unmutated copy of the mutated files' directory."""
        raise NotImplementedError

    def describe(self) -> str:
        return ""


class CSide(Side):
    name = "c"

    def origin(self) -> Path:
        return ROOT / "codec" / "src"

    def src_root(self) -> Path:
        return self.tree / "codec" / "src"

    def files(self) -> List[str]:
        return sorted(p.name for p in self.src_root().glob("*.c"))

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        r = subprocess.run(["git", "rev-parse", "--verify", "-q", os.environ.get("MUTATION_REV", "HEAD")],
                           cwd=ROOT, capture_output=True, text=True)
        self.rev = r.stdout.strip() if r.returncode == 0 else ""

    def describe(self) -> str:
        if not self.rev:
            return "codec/src of the working tree (not a git checkout)"
        last = subprocess.run(["git", "log", "-1", "--format=%h %cd %s", "--date=format:%Y-%m-%d %H:%M",
                               self.rev, "--", "codec/src"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return f"codec/src as committed at {self.rev[:10]} (last change to codec/src: {last})"

    def _cc(self, args: List[str], cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([os.environ.get("CC", "cc"), *args], cwd=str(cwd), capture_output=True, text=True)

    def prepare(self, workers: int) -> None:
        shutil.rmtree(self.tree, ignore_errors=True)
        self.tree.mkdir(parents=True)
        # the committed codec (HEAD), not whatever the working tree holds
        if self.rev:
            tar = subprocess.run(["git", "archive", "--format=tar", self.rev, "codec/src", "codec/include", "codec/tool"],
                                 cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(self.tree)], input=tar, check=True)
        else:
            shutil.copytree(ROOT / "codec", self.tree / "codec",
                            ignore=shutil.ignore_patterns("tests", "bench", "docs"))
        src, tool = self.tree / "codec" / "src", self.tree / "codec" / "tool"
        inc = ["-I" + str(self.tree / "codec" / "include"), "-I" + str(src)]
        objs = self.tree / "obj"
        objs.mkdir()
        for f in self.files():
            r = self._cc([*C_FLAGS, *inc, "-fPIC", "-c", f, "-o", str(objs / (f[:-2] + ".o"))], src)
            if r.returncode:
                raise SystemExit(f"cannot build {f}:\n{r.stderr}")
        tobjs = self.tree / "toolobj"
        tobjs.mkdir()
        for f in sorted(p.name for p in tool.glob("*.c")):
            r = self._cc([*C_FLAGS, *inc, "-I" + str(tool), "-c", f, "-o", str(tobjs / (f[:-2] + ".o"))], tool)
            if r.returncode:
                raise SystemExit(f"cannot build tool {f}:\n{r.stderr}")
        self._link(self.tree / "lpsp", {})
        for s in range(workers):
            d = self.work / f"slot{s}"
            shutil.rmtree(d, ignore_errors=True)
            (d / "src").mkdir(parents=True)

    def _link(self, out: Path, replace: Dict[str, Path]) -> subprocess.CompletedProcess:
        objs = [str(replace.get(p.name, p)) for p in sorted((self.tree / "obj").glob("*.o"))]
        tobjs = [str(p) for p in sorted((self.tree / "toolobj").glob("*.o"))]
        r = self._cc(["-o", str(out), *tobjs, *objs, *C_LIBS], self.tree)
        if r.returncode and out == self.tree / "lpsp":
            raise SystemExit(f"cannot link lpsp:\n{r.stderr}")
        return r

    def baseline_argv(self) -> Tuple[List[str], Dict[str, str], str]:
        return [str(self.tree / "lpsp"), "testee"], dict(os.environ), str(self.tree)

    def build(self, slot: int, rec: Dict[str, Any], mutant: Path) -> str:
        d = self.work / f"slot{slot}"
        name = rec["file"]
        shutil.copyfile(mutant, d / "src" / name)
        obj = d / (name[:-2] + ".o")
        inc = ["-I" + str(self.tree / "codec" / "include"), "-I" + str(self.tree / "codec" / "src")]
        if obj.exists():
            obj.unlink()
        r = self._cc([*C_FLAGS, *inc, "-fPIC", "-c", name, "-o", str(obj)], d / "src")
        if r.returncode:
            return "stillborn"
        if obj.read_bytes() == (self.tree / "obj" / obj.name).read_bytes():
            return "identical"
        r = self._link(d / "lpsp", {obj.name: obj})
        return "stillborn" if r.returncode else "ok"

    def argv(self, slot: int) -> Tuple[List[str], Dict[str, str], str]:
        d = self.work / f"slot{slot}"
        return [str(d / "lpsp"), "testee"], dict(os.environ), str(d)

    def coverage(self, vecs: "Vectors", order: List[int]) -> Optional[Dict[str, Dict[int, List[int]]]]:
        """Line coverage (gcov, -O0) per group of vectors of one area, type,
        operation and check family; a line's vectors are its groups' vectors."""
        cdir = self.work / "cov"
        shutil.rmtree(cdir, ignore_errors=True)
        cdir.mkdir()
        src = self.src_root()
        inc = ["-I" + str(self.tree / "codec" / "include"), "-I" + str(src)]
        flags = [f for f in C_FLAGS if f != "-O2"] + ["-O0", "--coverage"]
        objs = []
        for f in self.files():
            o = cdir / (f[:-2] + ".o")
            r = self._cc([*flags, *inc, "-c", str(src / f), "-o", str(o)], cdir)
            if r.returncode:
                raise SystemExit(f"cannot build {f} with coverage:\n{r.stderr}")
            objs.append(str(o))
        tobjs = [str(p) for p in sorted((self.tree / "toolobj").glob("*.o"))]
        r = self._cc(["--coverage", "-o", str(cdir / "lpsp"), *tobjs, *objs, *C_LIBS], cdir)
        if r.returncode:
            raise SystemExit(f"cannot link lpsp with coverage:\n{r.stderr}")
        groups: Dict[Tuple[str, ...], List[int]] = collections.defaultdict(list)
        for i in order:
            v = vecs.vectors[i]
            groups[(v["_area"], v["_type"] or "", v.get("op", ""), v["_family"] or "")].append(i)
        cov: Dict[str, Dict[int, List[int]]] = collections.defaultdict(lambda: collections.defaultdict(list))
        for members in groups.values():
            for g in cdir.glob("*.gcda"):
                g.unlink()
            run_vectors([str(cdir / "lpsp"), "testee"], dict(os.environ), str(cdir), vecs, members, None,
                        stall=30, budget=600, wait_exit=True)
            r = subprocess.run(["gcov", "--json-format", "--stdout", "-o", str(cdir), *[str(src / f) for f in self.files()]],
                               cwd=str(cdir), capture_output=True, text=True)
            for doc in r.stdout.splitlines():
                if not doc.strip():
                    continue
                for fdoc in json.loads(doc).get("files", []):
                    name = os.path.basename(fdoc["file"])
                    for ln in fdoc.get("lines", []):
                        if ln["count"] > 0:
                            cov[name][ln["line_number"]].extend(members)
                        else:
                            cov[name].setdefault(ln["line_number"], [])
        return {f: {n: sorted(set(v)) for n, v in lines.items()} for f, lines in cov.items()}


class LonelypspSide(Side):
    name = "lonelypsp"

    def origin(self) -> Path:
        return lonelypsp_installed()

    def src_root(self) -> Path:
        return self.tree / "lonelypsp"

    def files(self) -> List[str]:
        root = self.origin()
        out: List[str] = []
        for pat in LONELYPSP_FILES:
            out.extend(str(p.relative_to(root)) for p in sorted(root.glob(pat)) if p.name != "__init__.py")
        return out

    def describe(self) -> str:
        from importlib.metadata import version
        return f"lonelypsp {version('lonelypsp')} (installed package)"

    def prepare(self, workers: int) -> None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.rmtree(self.tree, ignore_errors=True)
        shutil.copytree(self.origin(), self.tree / "lonelypsp", ignore=ignore)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
                        str(self.tree / "lonelypsp")], check=True)
        for s in range(workers):
            d = self.work / f"slot{s}"
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(self.origin(), d / "lonelypsp", ignore=ignore)
            # bytecode checked against the source's hash: a mutated file of
            # the same size and mtime second is never taken for the original
            subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
                            str(d / "lonelypsp")], check=True)

    def _env(self, root: Path) -> Dict[str, str]:
        env = dict(os.environ, LONELYPSP_SRC=str(root), PYTHONDONTWRITEBYTECODE="1")
        env.pop("_LPSP_ADAPTER_SRC", None)
        return env

    def baseline_argv(self) -> Tuple[List[str], Dict[str, str], str]:
        return ([sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp"], self._env(self.tree), str(ROOT))

    def build(self, slot: int, rec: Dict[str, Any], mutant: Path) -> str:
        if rec.get("pre") in ("stillborn", "noop"):
            return "stillborn" if rec["pre"] == "stillborn" else "identical"
        dst = self.work / f"slot{slot}" / "lonelypsp" / rec["file"]
        shutil.copyfile(mutant, dst)
        try:
            compile(mutant.read_text(), str(dst), "exec")
        except SyntaxError:
            return "stillborn"
        return "ok"

    def restore(self, slot: int, rec: Dict[str, Any]) -> None:
        shutil.copyfile(self.tree / "lonelypsp" / rec["file"], self.work / f"slot{slot}" / "lonelypsp" / rec["file"])

    def argv(self, slot: int) -> Tuple[List[str], Dict[str, str], str]:
        return ([sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp"],
                self._env(self.work / f"slot{slot}"), str(ROOT))

    def coverage(self, vecs: "Vectors", order: List[int]) -> Optional[Dict[str, Dict[int, List[int]]]]:
        out = self.work / "coverage.jsonl"
        env = self._env(self.tree)
        env.update(_LPSP_ADAPTER_SRC=str(self.tree), MUTATION_COVER_OUT=str(out),
                   PYTHONPATH=os.pathsep.join(p for p in (str(self.tree), env.get("PYTHONPATH")) if p))
        run_vectors([sys.executable, str(HERE / "py_cover.py")], env, str(ROOT), vecs, order, None,
                    stall=120, budget=3600, wait_exit=True)
        cov: Dict[str, Dict[int, List[int]]] = collections.defaultdict(lambda: collections.defaultdict(list))
        with open(out, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                # lines run at import or by the handshake (functions called
                # while modules load, caches filled once) matter to every vector
                every = not isinstance(d["id"], int) or d["id"] < 1
                for file, lines in d["lines"].items():
                    for n in lines:
                        cov[file][n].append(ALL if every else d["id"] - 1)
        return {f: dict(v) for f, v in cov.items()}


def make_side(name: str, workdir: Path) -> Side:
    return CSide(workdir) if name == "c" else LonelypspSide(workdir)


# -- the run -------------------------------------------------------------------------

_WORKER: Dict[str, Any] = {}


def _worker_init(side: str, workdir: str, base_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["side"] = make_side(side, Path(workdir))
    _WORKER["vecs"] = Vectors()
    with open(base_path, "rb") as f:
        b = json.loads(f.read())
    _WORKER["base"] = {"features": b["features"], "keys": {int(k): v for k, v in b["keys"].items()},
                       "raw": {int(k): v.encode("utf-8") for k, v in b["raw"].items()}}
    _WORKER["order"] = [int(i) for i in b["keys"]]
    _WORKER["stall"] = b["stall"]
    _WORKER["budget"] = b["budget"]


def _worker_run(slot: int, rec: Dict[str, Any], first: List[int], subset: Optional[List[int]]) -> Dict[str, Any]:
    side: Side = _WORKER["side"]
    t0 = time.monotonic()
    mutant = build_dir(side.name) / "mutants" / rec["path"]
    try:
        built = side.build(slot, rec, mutant)
        if built != "ok":
            return {"status": built, "seconds": time.monotonic() - t0}
        pool = _WORKER["order"] if subset is None else subset
        allowed = _WORKER["base"]["keys"] if subset is None else set(subset)
        head = [i for i in first if i in allowed]
        firstset = set(head)
        order = head + [i for i in pool if i not in firstset]
        argv, env, cwd = side.argv(slot)
        res = run_vectors(argv, env, cwd, _WORKER["vecs"], order, _WORKER["base"],
                          stall=_WORKER["stall"], budget=_WORKER["budget"])
        res["seconds"] = time.monotonic() - t0
        return res
    finally:
        side.restore(slot, rec)


def load_equivalents(side: str) -> Dict[str, Dict[str, str]]:
    """id -> {"where", "reason", "line"} of the checked-in equivalence list."""
    out: Dict[str, Dict[str, str]] = {}
    path = equivalence_file(side)
    if not path.exists():
        return out
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"([0-9a-f]{12})\s+(\S+)\s+(.*?)\s+--\s+(.+)$", line.strip())
        if not m:
            raise SystemExit(f"{path}:{n}: not an entry (ID FILE:LINE ORIG ==> MUTATED -- REASON): {line}")
        if m.group(1) in out:
            raise SystemExit(f"{path}:{n}: {m.group(1)} is listed twice")
        out[m.group(1)] = {"where": m.group(2), "text": m.group(3), "reason": m.group(4), "lineno": str(n)}
    return out


def entry_line(rec: Dict[str, Any], reason: str = "REASON") -> str:
    return f"{rec['id']}  {rec['file']}:{rec['line']}  {rec['orig'].strip()}  ==>  {rec['mutated'].strip()}  -- {reason}"


def run(args: argparse.Namespace) -> int:
    side_name = args.side
    # a sample or a recheck works in its own directory: it can run while a
    # full run does
    name = "sample" if args.sample else "recheck" if args.survivors else "full"
    work = build_dir(side_name) / name if name != "full" else build_dir(side_name)
    work.mkdir(parents=True, exist_ok=True)
    # one run per work directory at a time: two runs would install their
    # mutants into the same slots and judge each other's
    run_lock = open(work / ".run.lock", "w")
    try:
        fcntl.flock(run_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"mutation[{side_name}]: another {name} run is using {rel(work)}; waiting for it")
        fcntl.flock(run_lock, fcntl.LOCK_EX)
    side = make_side(side_name, work)
    t_start = time.monotonic()
    log(f"mutation[{side_name}]: {side.describe()}")
    side.prepare(args.jobs)

    # mutants (cached while the sources and the rules are unchanged), shared
    # by full runs and samples
    shared = build_dir(side_name)
    shared.mkdir(parents=True, exist_ok=True)
    lock = open(shared / ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    cache = shared / "mutants.json"
    shash = side.source_hash()
    records: Optional[List[Dict[str, Any]]] = None
    if cache.exists():
        c = json.loads(cache.read_text())
        if c.get("hash") == shash and (shared / "mutants").is_dir():
            records = c["mutants"]
    if records is None:
        records = generate(side_name, side.src_root(), side.files(), shared / "mutants")
        cache.write_text(json.dumps({"hash": shash, "mutants": records}))
    log(f"mutation[{side_name}]: {len(records)} mutants generated from {len(side.files())} files "
        f"({time.monotonic() - t_start:.1f}s)")

    # the unmutated baseline, twice: vectors whose answers differ between two
    # runs are not used to judge mutants
    vecs = Vectors()
    argv, env, cwd = side.baseline_argv()
    allidx = list(range(len(vecs.vectors)))
    probe = run_vectors(argv, env, cwd, vecs, [], None, stall=60, budget=120)
    caps, problems = parse_capabilities(probe["features"] or [])
    if problems:
        raise SystemExit(f"baseline handshake: {problems}")
    order = [i for i in allidx if covers(caps, vecs.vectors[i]["_scope"])]
    b1 = run_vectors(argv, env, cwd, vecs, order, None, stall=60, budget=600)
    b2 = run_vectors(argv, env, cwd, vecs, order, None, stall=60, budget=600)
    unstable = [i for i in order if b1["keys"][i] != b2["keys"][i]]
    order = [i for i in order if i not in set(unstable)]
    base_seconds = max(b1["seconds"], b2["seconds"])
    budget = max(10 * base_seconds, 10.0)
    stall = 30.0 if side_name == "lonelypsp" else 10.0
    raw = {str(i): b1["raw"][i].decode("utf-8") for i in order if b1["raw"][i] == b2["raw"][i]}
    verdicts = collections.Counter(b1["keys"][i].split(":")[0] for i in order)
    base_path = work / "baseline.json"
    base_path.write_text(json.dumps({"features": probe["features"], "keys": {str(i): b1["keys"][i] for i in order},
                                     "raw": raw, "stall": stall, "budget": budget,
                                     "seconds": base_seconds, "unstable": [vecs.vectors[i]["id"] for i in unstable]}))
    log(f"mutation[{side_name}]: baseline {len(order)} vectors in {base_seconds:.2f}s "
        f"({dict(verdicts)}; {len(unstable)} unstable, not used); per-mutant budget {budget:.0f}s")

    # which vectors can see each mutant (a vector that never runs the
    # mutated statement answers as the baseline did)
    subsets: Dict[str, Optional[List[int]]] = {}
    cov_path = shared / "coverage.json"
    vhash = hashlib.sha256(b"".join(vecs.lines) + (HERE / "py_cover.py").read_bytes() + COVERAGE.encode()).hexdigest()
    cov = None
    if cov_path.exists():
        c = json.loads(cov_path.read_text())
        if c.get("hash") == shash + vhash:
            cov = {f: {int(n): v for n, v in lines.items()} for f, lines in c["cov"].items()}
    if cov is None and args.sample:
        log(f"mutation[{side_name}]: no coverage measured for these sources and vectors: a sample runs every "
            f"vector it needs (a full run measures it)")
    elif cov is None:
        t = time.monotonic()
        cov = side.coverage(vecs, order)
        if cov is not None:
            cov_path.write_text(json.dumps({"hash": shash + vhash, "cov": cov}))
            log(f"mutation[{side_name}]: per-vector line coverage measured in {time.monotonic() - t:.0f}s")
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    if cov is not None:
        if side_name == "lonelypsp":
            spans = {f: statement_lines((side.src_root() / f).read_text()) for f in side.files()}
        else:  # a line gcov counts is its own span; any other line may hold data every vector reads
            spans = {f: {n: (n, n) for n in cov.get(f, {})} for f in side.files()}
        inorder = set(order)
        for r in records:
            span = spans[r["file"]].get(r["line"])
            if span is None:
                subsets[r["id"]] = None
            else:
                fc = cov.get(r["file"], {})
                seen = {i for n in range(span[0], span[1] + 1) for i in fc.get(n, ())}
                subsets[r["id"]] = None if ALL in seen else sorted(seen & inorder)

    # which mutants run
    equivalents = load_equivalents(side_name)
    chosen = records
    if args.sample:
        rng = random.Random(args.seed)
        pool = sorted((r for r in records if r.get("pre") not in ("stillborn", "noop")), key=lambda r: r["id"])
        chosen = sorted(rng.sample(pool, min(args.sample, len(pool))), key=lambda r: (r["file"], r["line"]))
    elif args.survivors:
        # the last full run's survivors again, after vectors were added
        last = json.loads((build_dir(side_name) / "survivors-full.json").read_text())
        again = {m["id"] for m in last}
        chosen = [r for r in records if r["id"] in again]
    killers_path = work / "killers.json"
    killers: Dict[str, List[int]] = {}
    if killers_path.exists():
        try:
            killers = {k: [vecs.index[x] for x in v if x in vecs.index]
                       for k, v in json.loads(killers_path.read_text()).items()}
        except ValueError:
            killers = {}

    results: Dict[str, Dict[str, Any]] = {}
    todo = collections.deque(chosen)
    free = list(range(args.jobs))
    running: Dict[Any, Tuple[int, Dict[str, Any]]] = {}
    counts: collections.Counter = collections.Counter()
    t_run = time.monotonic()
    last_print = 0.0
    work_done = 0

    def first_for(rec: Dict[str, Any]) -> List[int]:
        own = killers.get(rec["file"], [])
        other = killers.get("*", [])
        return own[:64] + [i for i in other[:64] if i not in own[:64]]

    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs, initializer=_worker_init,
                                                initargs=(side_name, str(work), str(base_path))) as pool:
        while todo or running:
            while todo and free:
                rec = todo.popleft()
                subset = subsets.get(rec["id"])
                if subset is not None and not subset and rec.get("pre") not in ("stillborn", "noop"):
                    res = {"status": "survived", "how": "uncovered", "seconds": 0.0, "covering": 0,
                           "covered_by": []}
                    results[rec["id"]] = res
                    counts["survived"] += 1
                    work_done += 1
                    continue
                slot = free.pop()
                running[pool.submit(_worker_run, slot, rec, first_for(rec), subset)] = (slot, rec)
            if not running:
                continue
            done, _ = concurrent.futures.wait(list(running), return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                slot, rec = running.pop(fut)
                free.append(slot)
                res = fut.result()
                sub = subsets.get(rec["id"])
                res["covering"] = len(order) if sub is None else len(sub)
                res["covered_by"] = [vecs.vectors[i]["id"] for i in (order if sub is None else sub)[:5]]
                results[rec["id"]] = res
                counts[res["status"]] += 1
                work_done += 1
                if res["status"] == "killed" and res.get("vector"):
                    vi = vecs.index[res["vector"]]
                    for key in (rec["file"], "*"):
                        lst = killers.setdefault(key, [])
                        if vi in lst:
                            lst.remove(vi)
                        lst.insert(0, vi)
            now = time.monotonic()
            if now - last_print > 5 or not (todo or running):
                last_print = now
                rate = (now - t_run) / max(work_done, 1)
                eta = rate * (len(todo) + len(running))
                log(f"mutation[{side_name}]: {work_done}/{len(chosen)} done, killed {counts['killed']}, "
                    f"survived {counts['survived']}, stillborn {counts['stillborn']}, "
                    f"identical {counts['identical']}, ETA {eta / 60:.1f} min")
    killers_path.write_text(json.dumps({k: [vecs.vectors[i]["id"] for i in v[:200]] for k, v in killers.items()}))

    elapsed = time.monotonic() - t_start
    out = {"side": side_name, "source": side.describe(), "sample": args.sample, "seed": args.seed,
           "elapsed_seconds": elapsed, "baseline_seconds": base_seconds, "vectors": len(order),
           "generated": [r["id"] for r in records],
           "mutants": [dict(r, **results[r["id"]]) for r in chosen if r["id"] in results]}
    res_path = work / f"results-{name}.json"
    res_path.write_text(json.dumps(out, indent=1))
    report(side_name, out, work, equivalents, name)
    problems = check(side_name, out, equivalents)
    for p in problems:
        log(f"mutation[{side_name}]: {p}")
    log(f"mutation[{side_name}]: {len(out['mutants'])} mutants in {elapsed / 60:.1f} min; results {rel(res_path)}; "
        f"report {rel(ROOT / 'reports' / 'mutation' / (side_name + ('' if name == 'full' else '-' + name) + '.md'))}")
    return 1 if problems else 0


def rel(p: Path) -> str:
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


# -- equivalence check, report -------------------------------------------------------

def check(side: str, out: Dict[str, Any], equivalents: Dict[str, Dict[str, str]]) -> List[str]:
    """Problems: untriaged survivors, listed mutants no longer generated, listed mutants now killed."""
    problems: List[str] = []
    generated = set(out["generated"])
    ran = {m["id"]: m for m in out["mutants"]}
    path = rel(equivalence_file(side))
    for mid, e in sorted(equivalents.items(), key=lambda kv: int(kv[1]["lineno"])):
        if mid not in generated:
            problems.append(f"{path}:{e['lineno']}: stale entry {mid} ({e['where']}): no such mutant is generated any more")
        elif mid in ran and ran[mid]["status"] == "killed":
            problems.append(f"{path}:{e['lineno']}: stale entry {mid} ({e['where']}): the mutant is now killed "
                            f"by {ran[mid].get('vector')}")
        elif mid in ran and ran[mid]["status"] in ("stillborn", "identical"):
            problems.append(f"{path}:{e['lineno']}: stale entry {mid} ({e['where']}): the mutant is "
                            f"{ran[mid]['status']}, not a survivor")
    untriaged = [m for m in out["mutants"] if m["status"] == "survived" and m["id"] not in equivalents]
    if untriaged:
        problems.append(f"{len(untriaged)} untriaged survivor(s); list them with: "
                        f"make mutation-untriaged SIDE={side}")
    return problems


def _pct(k: int, n: int) -> str:
    return f"{100.0 * k / n:.1f}%" if n else "-"


def _table(title: str, rows: Dict[str, collections.Counter], listed: Dict[str, int]) -> List[str]:
    lines = [f"### {title}", "",
             "| | mutants | stillborn | identical | run | killed | survived | listed equivalent | raw kill rate | kill rate w/o listed |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total: collections.Counter = collections.Counter()
    tl = 0
    for name in sorted(rows):
        c = rows[name]
        total.update(c)
        tl += listed.get(name, 0)
        run_n = c["killed"] + c["survived"]
        lines.append(f"| {name} | {sum(c.values())} | {c['stillborn']} | {c['identical']} | {run_n} | {c['killed']} "
                     f"| {c['survived']} | {listed.get(name, 0)} | {_pct(c['killed'], run_n)} "
                     f"| {_pct(c['killed'], run_n - listed.get(name, 0))} |")
    run_n = total["killed"] + total["survived"]
    lines.append(f"| **total** | {sum(total.values())} | {total['stillborn']} | {total['identical']} | {run_n} "
                 f"| {total['killed']} | {total['survived']} | {tl} | {_pct(total['killed'], run_n)} "
                 f"| {_pct(total['killed'], run_n - tl)} |")
    return lines + [""]


def report(side: str, out: Dict[str, Any], work: Path, equivalents: Dict[str, Dict[str, str]], name: str) -> None:
    ms = out["mutants"]
    per_file: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    per_op: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    lf: collections.Counter = collections.Counter()
    lo: collections.Counter = collections.Counter()
    for m in ms:
        per_file[m["file"]][m["status"]] += 1
        per_op[m["op"]][m["status"]] += 1
        if m["status"] == "survived" and m["id"] in equivalents:
            lf[m["file"]] += 1
            lo[m["op"]] += 1
    # vectors that killed mutants near each line: the vectors that reach that code
    near: Dict[str, List[Tuple[int, str]]] = collections.defaultdict(list)
    for m in ms:
        if m["status"] == "killed" and m.get("vector"):
            near[m["file"]].append((m["line"], m["vector"]))
    src_root = make_side(side, work).src_root()
    survivors = []
    for m in ms:
        if m["status"] != "survived":
            continue
        src = (src_root / m["file"]).read_text().splitlines(keepends=True)
        mut = list(src)
        mut[m["line"] - 1] = m["mutated"] + "\n"
        diff = "".join(difflib.unified_diff(src, mut, f"a/{m['file']}", f"b/{m['file']}", n=2))
        close = collections.Counter(v for ln, v in near[m["file"]] if abs(ln - m["line"]) <= 5)
        cov_note = ("not measured" if m.get("covering") is None else
                    "no vector runs this statement" if m["covering"] == 0 else
                    f"{m['covering']} vectors" + (" (all: the line runs at import time or coverage is not per line)"
                                                   if m["covering"] == out["vectors"] else "")
                    + ", e.g. " + ", ".join(m.get("covered_by") or []))
        survivors.append({"id": m["id"], "file": m["file"], "line": m["line"], "op": m["op"],
                          "orig": m["orig"].strip(), "mutated": m["mutated"].strip(), "diff": diff,
                          "nearby_killers": [v for v, _ in close.most_common(5)], "covered_by": cov_note,
                          "equivalent": equivalents.get(m["id"], {}).get("reason"),
                          "entry": entry_line(m)})
    (work / f"survivors-{name}.json").write_text(json.dumps(survivors, indent=1))
    stat = collections.Counter(m["status"] for m in ms)
    run_n = stat["killed"] + stat["survived"]
    how = collections.Counter(m.get("how") for m in ms if m["status"] == "killed")
    L = [f"# Mutation testing: {side}" + ("" if name == "full" else f" ({name})"), "",
         f"- source: {out['source']}",
         f"- vectors: {out['vectors']} (baseline run {out['baseline_seconds']:.2f}s)",
         f"- mutants run: {len(ms)}" + (f" (a sample of {out['sample']}, seed {out['seed']}, of "
                                        f"{len(out['generated'])} generated)" if out["sample"] else ""),
         f"- killed {stat['killed']} / {run_n} = **{_pct(stat['killed'], run_n)}** raw "
         f"(listed equivalent survivors included); by {', '.join(f'{k} {v}' for k, v in how.most_common())}",
         f"- survived {stat['survived']} ({sum(lf.values())} listed equivalent, "
         f"{stat['survived'] - sum(lf.values())} untriaged); stillborn {stat['stillborn']}; "
         f"identical to the original {stat['identical']}",
         f"- time: {out['elapsed_seconds'] / 60:.1f} min",
         f"- machine-readable: {rel(work / ('results-' + name + '.json'))}, {rel(work / ('survivors-' + name + '.json'))}",
         ""]
    L += _table("Per file", per_file, lf)
    L += _table("Per operator", per_op, lo)
    L += ["## Survivors", "",
          "Each with its equivalence-list entry line (mutation/equivalent-" + side + ".txt) and the vectors "
          "that killed mutants within 5 lines of it.", ""]
    for s in sorted(survivors, key=lambda s: (s["file"], s["line"])):
        tag = f"listed equivalent: {s['equivalent']}" if s["equivalent"] else "**untriaged**"
        L += [f"### {s['file']}:{s['line']} ({s['op']}, {s['id']}) {tag}", "", "```diff", s["diff"].rstrip(), "```",
              f"- vectors that run it: {s['covered_by']}",
              f"- vectors that killed mutants within 5 lines: {', '.join(s['nearby_killers']) or 'none'}", "",
              "    " + s["entry"], ""]
    rep = ROOT / "reports" / "mutation"
    rep.mkdir(parents=True, exist_ok=True)
    (rep / (side + ("" if name == "full" else "-" + name) + ".md")).write_text("\n".join(L) + "\n")


def load_results(side: str, path: Optional[str]) -> Dict[str, Any]:
    p = Path(path) if path else build_dir(side) / "results-full.json"
    if not p.exists():
        raise SystemExit(f"{rel(p)} does not exist: run make mutation first")
    return json.loads(p.read_text())


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="lpsp_mutation", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="generate the mutants, run them, write the report, check the equivalence list")
    r.add_argument("--side", choices=SIDES, required=True)
    r.add_argument("-j", "--jobs", type=int, default=2)
    r.add_argument("--sample", type=int, default=0, help="run this many mutants (chosen with --seed)")
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--survivors", action="store_true",
                   help="run only the last full run's survivors (a quick recheck after adding vectors)")
    for name in ("check", "untriaged"):
        c = sub.add_parser(name)
        c.add_argument("--side", choices=SIDES, required=True)
        c.add_argument("--results", help="results file (default: the last full run)")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        return run(args)
    out = load_results(args.side, args.results)
    eq = load_equivalents(args.side)
    if args.cmd == "check":
        problems = check(args.side, out, eq)
        for p in problems:
            print(p)
        return 1 if problems else 0
    for m in sorted(out["mutants"], key=lambda m: (m["file"], m["line"])):
        if m["status"] == "survived" and m["id"] not in eq:
            print(entry_line(m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
