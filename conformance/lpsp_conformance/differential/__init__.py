"""Differential testing of lonelypsp implementations through the testee protocol.

Two (or three) adapters answer the same `decode` requests, and two of them
the same text-parser and computed-operation requests (py_int,
hmac_parse_token, etag, ws_url, ...); every input on which they disagree is
classified and must be explained by a quirk of the specification (§11), by
an implementation-defined vector, or it is reported as unexplained. See
differential/README.md; `python -m lpsp_conformance.differential --help`.
"""

import os
import sys

# The conformance runner's adapter client and value comparison, and the
# protocol model's table of message types and header lists.
from .. import REPO_ROOT
from ..protocol import stateful_model as model
from ..testee import AdapterFault, HandshakeError, Testee  # noqa: F401
from ..verdict import values_equal  # noqa: F401

TYPES = model.TYPES            # {"s2b": {name: number}, "b2s": {...}}
TYPE_NAMES = model.TYPE_NAMES  # {"s2b": {number: name}, ...}
HEADERS = model.HEADERS        # minimal-mode header order per (direction, type)
STREAM_START = model.STREAM_START
STREAM_TYPES = model.STREAM_TYPES

PYTHON = sys.executable


def builtin_impl(name: str):
    """Command line of a built-in adapter name, or None."""
    lpsp = os.environ.get("LPSP", str(REPO_ROOT / "build" / "lpsp"))
    if name == "c":
        return [lpsp, "testee"]
    if name == "c-compat":
        return [lpsp, "testee", "--compat"]
    if name == "lonelypsp":
        return [PYTHON, "-m", "lpsp_conformance.adapters.lonelypsp"]
    return None
