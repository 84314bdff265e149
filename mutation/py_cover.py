"""Runs the lonelypsp adapter with per-request line coverage of lonelypsp.

Environment: LONELYPSP_SRC (the package tree to trace, with _LPSP_ADAPTER_SRC
and PYTHONPATH already pointing at it, so the adapter does not re-execute
itself) and MUTATION_COVER_OUT (the file to write). The output has one JSON
line per request: {"id": request id, "lines": {relative file: [line, ...]}};
lines run while the adapter module is imported are written first, under
id "import".
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Dict, Set, Tuple


def main() -> int:
    root = os.path.join(os.path.abspath(os.environ["LONELYPSP_SRC"]), "lonelypsp", "")
    out = open(os.environ["MUTATION_COVER_OUT"], "w", encoding="utf-8")
    hits: Set[Tuple[str, int]] = set()

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        f = frame.f_code.co_filename
        if not f.startswith(root):
            return None
        hits.add((f, frame.f_lineno))
        return tracer

    def dump(rid: object) -> None:
        by_file: Dict[str, list] = {}
        for f, n in hits:
            by_file.setdefault(f[len(root):], []).append(n)
        out.write(json.dumps({"id": rid, "lines": {f: sorted(v) for f, v in by_file.items()}}) + "\n")
        hits.clear()

    sys.settrace(tracer)
    threading.settrace(tracer)
    from lpsp_conformance.adapters import lonelypsp as adapter
    dump("import")
    handle = adapter.handle

    def traced(req):  # type: ignore[no-untyped-def]
        hits.clear()
        try:
            return handle(req)
        finally:
            dump(req.get("id"))

    adapter.handle = traced
    try:
        return adapter.main()
    finally:
        sys.settrace(None)
        out.close()


if __name__ == "__main__":
    sys.exit(main())
