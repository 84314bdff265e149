"""Command-line entry point: ``python -m lpsp_conformance [options] [pytest options]``.

Runs pytest with the conformance plugin over the vectors directory and maps
the outcome onto the suite's exit-status contract:

* 0: every selected vector passed (or is unsupported / an expected failure);
* 1: conformance failures (including unexpected passes of expected failures
  and stale expected-failure entries);
* 2: harness or adapter error: the adapter cannot start, the handshake fails,
  the adapter cannot be restarted, bad options, nothing selected.
"""

from __future__ import annotations

import sys
from typing import List, Optional

# Plugins that cost time per test and add nothing to a vector run.
_LEAN = ["-p", "no:cacheprovider", "-p", "no:logging", "-p", "no:warnings",
         "-p", "no:faulthandler", "-p", "no:stepwise", "-p", "no:doctest",
         "-p", "no:pastebin", "-p", "no:legacypath", "-p", "no:subtests",
         "-p", "no:assertion", "-p", "no:unraisableexception", "-p", "no:threadexception"]


def _vectors_arg(argv: List[str]) -> Optional[str]:
    for i, a in enumerate(argv):
        if a == "--vectors" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--vectors="):
            return a.split("=", 1)[1]
    return None


def main(argv: Optional[List[str]] = None) -> int:
    import pytest

    from . import CONFORMANCE_DIR
    from .vectors import default_vectors_dir

    argv = list(sys.argv[1:] if argv is None else argv)
    vdir = _vectors_arg(argv) or str(default_vectors_dir())
    args = ["-p", "lpsp_conformance.plugin", *_LEAN, "-q", "-s", "--rootdir", vdir,
            "-c", str(CONFORMANCE_DIR / "lpsp_conformance" / "pytest-run.ini"), *argv, vdir]
    try:
        rc = int(pytest.main(args))
    except SystemExit as e:  # argparse errors inside pytest
        rc = e.code if isinstance(e.code, int) else 2
    if rc == 0:
        return 0
    if rc == 1:
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
