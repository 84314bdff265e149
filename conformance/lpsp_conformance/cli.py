"""The ``lpsp-conformance`` command.

    lpsp-conformance run --impl CMD [options] [-- pytest options]
    lpsp-conformance list [--area A] [--feature F] [--id ID|GLOB] [--long]
    lpsp-conformance show ID
    lpsp-conformance replay ID --impl CMD
    lpsp-conformance report [--results-dir DIR] [--out DIR]

Exit status of ``run`` and ``replay``:

* 0: every selected vector passed (or is unsupported outside the declared
  capabilities, or an expected failure);
* 1: conformance failures (including unexpected passes of expected failures
  and stale expected-failure entries);
* 2: harness or adapter error: the adapter cannot start, the handshake fails,
  the adapter stops answering, bad options, a selection that matches nothing.

``list``, ``show`` and ``report`` exit 0, or 2 on bad input.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shlex
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import AREAS, FEATURES, PACKAGE_DIR

HARNESS_ERROR = 2

# Plugins that cost time per test and add nothing to a vector run.
_LEAN = ["-p", "no:cacheprovider", "-p", "no:logging", "-p", "no:warnings",
         "-p", "no:faulthandler", "-p", "no:stepwise", "-p", "no:doctest",
         "-p", "no:pastebin", "-p", "no:legacypath", "-p", "no:subtests",
         "-p", "no:assertion", "-p", "no:unraisableexception", "-p", "no:threadexception",
         # installed with the peer harness's dependencies; looks at every item
         "-p", "no:anyio"]

# run options -> the plugin's pytest options
_RUN_OPTIONS = [
    # (flags, pytest option, argparse kwargs)
    (("--impl",), "--lpsp-impl", dict(required=True, metavar="CMD",
                                      help="'c' (the C reference: LPSP or build/lpsp), 'lonelypsp', or an "
                                           "adapter command line (split like a POSIX shell does)")),
    (("--impl-name",), "--lpsp-impl-name", dict(help="short name for reports (default: built-in name or "
                                                     "the handshake's name)")),
    (("--vectors",), "--lpsp-vectors", dict(metavar="DIR", help="vectors directory (default: bundled)")),
    (("--area",), "--lpsp-area", dict(action="append", help=f"only these areas: {', '.join(AREAS)}")),
    (("--feature",), "--lpsp-feature", dict(action="append", help=f"only these features: {', '.join(FEATURES)}")),
    (("--id",), "--lpsp-id", dict(action="append", help="only this vector id (exact, or a glob with * ? [ ); "
                                                        "repeatable")),
    (("--id-file",), "--lpsp-id-file", dict(action="append", metavar="PATH",
                                            help="ids or globs, one per line")),
    (("--timeout",), "--lpsp-timeout", dict(metavar="SECONDS", help="per-request timeout (default 5)")),
    (("--startup-timeout",), "--lpsp-startup-timeout", dict(metavar="SECONDS",
                                                            help="handshake timeout (default 30)")),
    (("--max-restarts",), "--lpsp-max-restarts", dict(help="adapter restarts before giving up (default 200)")),
    (("--results",), "--lpsp-results", dict(metavar="PATH",
                                            help="results JSON (default reports/results-<impl>.json)")),
    (("--expected-failures",), "--lpsp-expected-failures", dict(metavar="PATH",
                                                                help="expected-failure file, or 'none'")),
]
_RUN_FLAGS = [
    ("--strict-verdicts", "--lpsp-strict-verdicts",
     "within the declared capabilities, non-strict and unsupported answers are failures"),
    ("--update-expected-failures", "--lpsp-update-expected-failures",
     "rewrite the expected-failure file from this run"),
]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="lpsp-conformance", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Exit status of run and replay: 0 pass, 1 conformance failures, "
                                        "2 harness or adapter error.")
    sub = ap.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="check an implementation against the vectors",
                         description="Check an implementation against the vectors. Options not listed "
                                     "here (-k, -v, -x, --junitxml FILE, ...) go to pytest.")
    for flags, _, kw in _RUN_OPTIONS:
        run.add_argument(*flags, **kw)
    for flag, _, text in _RUN_FLAGS:
        run.add_argument(flag, action="store_true", help=text)

    ls = sub.add_parser("list", help="list vector ids")
    _selection(ls)
    ls.add_argument("--long", action="store_true", help="also area, op, message type, family and verdict")

    show = sub.add_parser("show", help="print a vector and the exact request line the runner sends")
    show.add_argument("id")
    show.add_argument("--vectors", metavar="DIR")

    rp = sub.add_parser("replay", help="send one vector to an adapter and print the exchange and verdict")
    rp.add_argument("id")
    rp.add_argument("--impl", required=True, metavar="CMD")
    rp.add_argument("--vectors", metavar="DIR")
    rp.add_argument("--timeout", type=float, default=5.0)
    rp.add_argument("--startup-timeout", type=float, default=30.0)

    rep = sub.add_parser("report", help="cross-implementation matrix from results files")
    rep.add_argument("rest", nargs=argparse.REMAINDER, help="report options (see report --help)")
    return ap


def _selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vectors", metavar="DIR")
    p.add_argument("--area", action="append", default=[])
    p.add_argument("--feature", action="append", default=[])
    p.add_argument("--id", action="append", default=[], help="exact id or glob; repeatable")


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in ("run", "list", "show", "replay", "report", "-h", "--help"):
        argv = ["run", *argv]  # `python -m lpsp_conformance --impl ...` is `run`
    ap = _parser()
    if argv and argv[0] == "run":
        a, rest = ap.parse_known_args(argv)
    elif argv and argv[0] == "report":
        from . import report
        return report.main(argv[1:])
    else:
        try:
            a = ap.parse_args(argv)
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else HARNESS_ERROR
        rest = []
    try:
        if a.command == "run":
            return run(a, rest)
        if a.command == "list":
            return cmd_list(a)
        if a.command == "show":
            return cmd_show(a)
        return cmd_replay(a)
    except _UsageError as e:
        print(f"lpsp-conformance: {e}", file=sys.stderr)
        return HARNESS_ERROR


class _UsageError(Exception):
    pass


# -- run ----------------------------------------------------------------------------


def pytest_args(a: argparse.Namespace, rest: List[str]) -> List[str]:
    """The pytest command line of a run."""
    from .vectors import default_vectors_dir
    args: List[str] = []
    for flags, opt, _ in _RUN_OPTIONS:
        value = getattr(a, flags[0][2:].replace("-", "_"))
        for v in (value if isinstance(value, list) else [value]):
            if v is not None:
                args.append(f"{opt}={v}")
    for flag, opt, _ in _RUN_FLAGS:
        if getattr(a, flag[2:].replace("-", "_")):
            args.append(opt)
    vdir = str(Path(a.vectors).resolve() if a.vectors else default_vectors_dir())
    # node ids (FILE::ID) replace the vectors directory as the test paths; any
    # other word may be an option's value (--junitxml out.xml)
    paths = [r for r in rest if not r.startswith("-") and "::" in r]
    return ["-p", "lpsp_conformance.plugin", *_LEAN, "-q", "-s", "--rootdir", vdir,
            "-c", str(PACKAGE_DIR / "pytest-run.ini"), *args, *rest, *([] if paths else [vdir])]


def run(a: argparse.Namespace, rest: List[str]) -> int:
    import pytest
    try:
        rc = int(pytest.main(pytest_args(a, rest)))
    except SystemExit as e:  # argparse errors inside pytest
        rc = e.code if isinstance(e.code, int) else HARNESS_ERROR
    return rc if rc in (0, 1) else HARNESS_ERROR


# -- list, show, replay ---------------------------------------------------------------


def _load(vectors: Optional[str]) -> List[Dict[str, Any]]:
    from .vectors import VectorFileError, default_vectors_dir, load_all
    d = Path(vectors) if vectors else default_vectors_dir()
    try:
        out = [v for v in load_all(d) if not v.get("deprecated")]
    except VectorFileError as e:
        raise _UsageError(str(e))
    if not out:
        raise _UsageError(f"no vectors in {d}")
    return out


def _find(vectors: List[Dict[str, Any]], vid: str) -> Dict[str, Any]:
    for v in vectors:
        if v["id"] == vid:
            return v
    close = [v["id"] for v in vectors if vid in v["id"]][:5]
    hint = f"; ids containing it: {', '.join(close)}" if close else ""
    raise _UsageError(f"no vector with the id {vid!r}{hint}")


def cmd_list(a: argparse.Namespace) -> int:
    from .scope import Scoper
    vectors = _load(a.vectors)
    areas = {x for v in a.area for x in v.split(",") if x}
    feats = {x for v in a.feature for x in v.split(",") if x}
    scoper = Scoper(vectors) if a.long else None
    n = 0
    for v in vectors:
        if areas and v.get("_area") not in areas or feats and v.get("feature") not in feats:
            continue
        if a.id and not any(v["id"] == p or fnmatch.fnmatchcase(v["id"], p) for p in a.id):
            continue
        n += 1
        if scoper is None:
            print(v["id"])
        else:
            t, scope, fam = scoper.classify(v)
            print(f"{v['id']}\t{v.get('_area')}\t{v.get('op')}\t{t or '-'}\t{fam}\t{v.get('verdict')}\t{scope}")
    if not n:
        print("lpsp-conformance: the selection matches no vector", file=sys.stderr)
        return HARNESS_ERROR
    return 0


def cmd_show(a: argparse.Namespace) -> int:
    from .scope import Scoper
    from .testee import make_request, request_line
    vectors = _load(a.vectors)
    v = _find(vectors, a.id)
    t, scope, fam = Scoper(vectors).classify(v)
    shown = {k: val for k, val in v.items() if not k.startswith("_")}
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    print(f"area: {v.get('_area')}   message type: {t or '-'}   family: {fam}   capability scope: {scope}")
    print("request line (after the handshake; the runner numbers requests from 1):")
    sys.stdout.write(request_line(make_request(1, v.get("op", ""), v.get("input"), v["id"])).decode("utf-8"))
    return 0


def cmd_replay(a: argparse.Namespace) -> int:
    from .diagnose import describe, mismatch
    from .plugin import BUILTIN_IMPLS, builtin_command
    from .scope import Scoper, covers, parse_capabilities
    from .testee import AdapterFault, HandshakeError, Testee
    from .verdict import expected_text, fault_judgement, judge
    vectors = _load(a.vectors)
    v = _find(vectors, a.id)
    _, scope, _ = Scoper(vectors).classify(v)
    try:
        argv = builtin_command(a.impl) if a.impl in BUILTIN_IMPLS else shlex.split(a.impl)
    except ValueError as e:
        raise _UsageError(f"--impl {a.impl!r}: {e}")

    def show(direction: str, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip("\n")
        print(f"{direction} {text}")

    t = Testee(argv, timeout=a.timeout, startup_timeout=a.startup_timeout)
    t.trace = show
    try:
        try:
            hello = t.start()
        except HandshakeError as e:
            print(f"harness error: {e}", file=sys.stderr)
            return HARNESS_ERROR
        caps, problems = parse_capabilities(hello.get("features") or [])
        if problems:
            print("harness error: " + "; ".join(problems), file=sys.stderr)
            return HARNESS_ERROR
        if not covers(caps, scope):
            print(f"note: {scope} is not within the declared capabilities; a run would not send it")
        try:
            resp = t.request(v.get("op", ""), v.get("input"), v["id"])
        except AdapterFault as fault:
            j = fault_judgement(fault.kind, fault.detail + t.stderr_note())
        else:
            j = judge(v, resp)
    finally:
        t.stop()
    print(f"vector:   {v['id']} ({v.get('_area')}, {scope}), {v.get('verdict')}")
    print(f"expected: {json.dumps(expected_text(v), ensure_ascii=False)}")
    print(f"verdict:  {j.verdict}" + (f" ({j.outcome})" if j.outcome else "") + (f": {j.reason}" if j.reason else ""))
    for d in j.diffs:
        print(f"  - {d}")
    if j.verdict == "fail":
        m = mismatch(v, j.actual, j.diffs)
        if m:
            print(f"where:    {describe(m)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
