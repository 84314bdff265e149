"""Expected-failure files: conformance/expected-failures/<impl>.txt.

Format: one entry per line, ``<vector-id> <reason>``; the reason names the
quirk (QK-nn) or the bug that explains the failure. Blank lines and lines
starting with ``#`` are comments. The file cannot rot: a listed vector that
passes, and an entry that names no vector, both fail the run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable

from . import data

TODO = "TODO: explain"
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")

HEADER = """\
# Expected conformance failures of the implementation {impl!r}.
# One entry per line: <vector-id> <reason>. The reason names the quirk (QK-nn
# in the protocol specification) or the bug that explains the failure.
# A listed vector that passes, or an entry that names no vector, fails the
# run. Regenerate with --update-expected-failures (reasons are kept).
"""


class ExpectedFailuresError(Exception):
    pass


def default_path(impl: str) -> Path:
    return data.expected_failures_dir() / f"{impl}.txt"


def parse(path: Path) -> Dict[str, str]:
    """Returns {vector id: reason}; raises ExpectedFailuresError on a bad line."""
    entries: Dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            vid = parts[0]
            reason = parts[1].strip() if len(parts) > 1 else ""
            if not _ID.match(vid):
                raise ExpectedFailuresError(f"{path}:{n}: {vid!r} is not a vector id")
            if not reason:
                raise ExpectedFailuresError(f"{path}:{n}: entry {vid} has no reason")
            if vid in entries:
                raise ExpectedFailuresError(f"{path}:{n}: {vid} is listed twice")
            entries[vid] = reason
    return entries


def write(path: Path, impl: str, entries: Dict[str, str], order: Iterable[str]) -> None:
    """Writes entries in vector order (ids unknown to `order` go last, sorted)."""
    rank = {vid: i for i, vid in enumerate(order)}
    ids = sorted(entries, key=lambda v: (rank.get(v, len(rank)), v))
    path.parent.mkdir(parents=True, exist_ok=True)
    width = max((len(v) for v in ids), default=0)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER.format(impl=impl))
        for vid in ids:
            f.write(f"{vid.ljust(width)}  {entries[vid]}\n")


def updated(old: Dict[str, str], all_ids: Iterable[str], ran: Dict[str, bool]) -> Dict[str, str]:
    """The new entry set after a run.

    `ran` maps every vector that produced a verdict in this run to True when it
    failed. Vectors that did not run keep their entry; entries naming no
    vector are dropped; new failures get a TODO reason.
    """
    known = set(all_ids)
    new: Dict[str, str] = {}
    for vid, reason in old.items():
        if vid not in known:
            continue
        if vid in ran and not ran[vid]:
            continue
        new[vid] = reason
    for vid, failed in ran.items():
        if failed and vid not in new:
            new[vid] = TODO
    return new
