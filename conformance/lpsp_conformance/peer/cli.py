"""``lpsp-peer`` / ``python -m lpsp_conformance.peer``: peer conformance from the command line.

    lpsp-peer run [--peer lonelypss|lonelypsc|broadcaster|subscriber ...] [options]
    lpsp-peer list [--area A]
    lpsp-peer show ID

``run`` is pytest with the peer plugin over the scenario files; every pytest
option works too (``--junitxml``, ``-x``, ``-v``). Exit status: 0 all good,
1 conformance failures (or a rotten expected-failure entry), 2 harness or
usage error (a peer that does not start, a bad option, nothing selected).
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional

from .scenarios import all_scenarios, default_dir, scenario_files

EXIT_OK, EXIT_FAIL, EXIT_HARNESS = 0, 1, 2


def run(argv: List[str]) -> int:
    import pytest
    from .. import PACKAGE_DIR
    files = [str(p) for p in scenario_files()]
    if not files:
        print(f"lpsp-peer: no scenario files in {default_dir()}", file=sys.stderr)
        return EXIT_HARNESS
    from .auth import join_secret_options
    args = ["-p", "lpsp_conformance.peer.plugin", "-p", "no:cacheprovider",
            "-c", str(PACKAGE_DIR / "pytest-run.ini"), "--rootdir", str(default_dir().parent),
            "-q", "-rfEX", *join_secret_options(argv), *files]
    code = pytest.main(args)
    if code in (0, 1):
        return int(code)
    if code == 5:
        print("lpsp-peer: no scenario selected", file=sys.stderr)
    return EXIT_HARNESS


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return EXIT_OK if argv else EXIT_HARNESS
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        return run(rest)
    if cmd == "list":
        area = rest[rest.index("--area") + 1] if "--area" in rest else None
        for sc in all_scenarios():
            if area is None or sc["area"] == area:
                print(f"{sc['id']:<60} {sc['verdict']:<24} {','.join(sc.get('requires', []))}")
        return EXIT_OK
    if cmd == "show":
        for sc in all_scenarios():
            if rest and sc["id"] == rest[0]:
                print(json.dumps(sc, indent=1, ensure_ascii=False))
                return EXIT_OK
        print(f"lpsp-peer: no scenario {rest[0] if rest else ''!r}", file=sys.stderr)
        return EXIT_HARNESS
    print(f"lpsp-peer: unknown command {cmd!r} (run, list, show)", file=sys.stderr)
    return EXIT_HARNESS
