"""Conformance runner for the Lonely Pub-Sub Protocol (lonelypsp).

The runner is a pytest plugin (:mod:`lpsp_conformance.plugin`) that drives an
implementation under test through the testee protocol described in
``TESTEE-PROTOCOL.md``. ``lpsp-conformance`` (``python -m lpsp_conformance``,
:mod:`lpsp_conformance.cli`) is the command-line entry point.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CONFORMANCE_DIR = PACKAGE_DIR.parent
REPO_ROOT = CONFORMANCE_DIR.parent

PROTOCOL_VERSION = 1

AREAS = ("stateful-s2b", "stateful-b2s", "stateless", "etag", "auth", "session")
FEATURES = ("stateful", "stateless", "etag", "hmac", "bearer", "session")

# Verdicts recorded per vector (results JSON, matrix).
PASS = "pass"
FAIL = "fail"
NON_STRICT = "non-strict"
IMPL_DEFINED = "implementation-defined"
UNSUPPORTED = "unsupported"
VERDICTS = (PASS, NON_STRICT, IMPL_DEFINED, UNSUPPORTED, FAIL)
