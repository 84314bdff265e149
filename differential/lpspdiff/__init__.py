"""Differential testing of lonelypsp implementations through the testee protocol.

Two (or three) adapters answer the same `decode` requests, and two of them
the same text-parser and computed-operation requests (py_int,
hmac_parse_token, etag, ws_url, ...); every input on which they disagree is
classified and must be explained by a quirk of the specification (§11), by
an implementation-defined vector, or it is reported as unexplained. See
differential/README.md.
"""

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DIFF_DIR = PACKAGE_DIR.parent
REPO_ROOT = DIFF_DIR.parent

# Reuse the conformance runner's adapter client and value comparison, and the
# vector generator's table of message types and header lists.
for _p in (REPO_ROOT / "conformance", REPO_ROOT / "vectors"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from lpsp_conformance.testee import AdapterFault, HandshakeError, Testee  # noqa: E402,F401
from lpsp_conformance.verdict import values_equal  # noqa: E402,F401
from gen import stateful_model as model  # noqa: E402,F401

TYPES = model.TYPES            # {"s2b": {name: number}, "b2s": {...}}
TYPE_NAMES = model.TYPE_NAMES  # {"s2b": {number: name}, ...}
HEADERS = model.HEADERS        # minimal-mode header order per (direction, type)
STREAM_START = model.STREAM_START
STREAM_TYPES = ("NOTIFY_STREAM", "RECEIVE_STREAM")

PYTHON = sys.executable


def builtin_impl(name: str):
    """Command line of a built-in adapter name, or None."""
    lpsp = os.environ.get("LPSP", str(REPO_ROOT / "build" / "lpsp"))
    if name == "c":
        return [lpsp, "testee"]
    if name == "c-compat":
        return [lpsp, "testee", "--compat"]
    if name == "lonelypsp":
        return [PYTHON, str(REPO_ROOT / "conformance" / "adapters" / "lonelypsp_adapter.py")]
    return None
