"""Where the suite's data lives: the vectors, the expected-failure files of the
built-in implementations and the testee-protocol document.

In a repository checkout (an editable install) they are the repository's own
files. An installed wheel or sdist carries a copy under ``_data/`` in the
package, written at build time (setup.py), so the installed runner needs
nothing else.
"""

from __future__ import annotations

from pathlib import Path

from . import CONFORMANCE_DIR, PACKAGE_DIR, REPO_ROOT

BUNDLED = PACKAGE_DIR / "_data"


def bundled() -> bool:
    return (BUNDLED / "vectors").is_dir()


def vectors_dir() -> Path:
    return BUNDLED / "vectors" if bundled() else REPO_ROOT / "vectors"


def expected_failures_dir() -> Path:
    return BUNDLED / "expected-failures" if bundled() else CONFORMANCE_DIR / "expected-failures"


def testee_protocol() -> Path:
    return BUNDLED / "TESTEE-PROTOCOL.md" if bundled() else CONFORMANCE_DIR / "TESTEE-PROTOCOL.md"
