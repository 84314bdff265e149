"""The fuzz targets of fuzz/targets.txt, and how a typed stateful target's
input encodes a message (fuzz/harness.c).

Read by the corpus maker and the crash converter (fuzz/make_corpus.py,
fuzz/crash_to_vector.py) and by the differential tester.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from . import REPO_ROOT

TARGETS_FILE = REPO_ROOT / "fuzz" / "targets.txt"
STATEFUL_SOURCE = "fuzz_stateful.c"


@dataclass(frozen=True)
class FuzzTarget:
    """One row of fuzz/targets.txt."""

    name: str
    source: str     # the target's file: fuzz_stateful.c, fuzz_stateless.c, fuzz_text.c
    arg1: str       # -DFZ_DIR (stateful: LPSP_S2B or LPSP_B2S)
    arg2: str       # -DFZ_TYPE (stateful: the type number, 0 = the "any" dispatcher)
    dict: str       # the dictionary family (fuzz/dict/<dict>.dict)

    @property
    def stateful(self) -> bool:
        return self.source == STATEFUL_SOURCE

    @property
    def direction(self) -> Optional[str]:
        """"s2b" or "b2s" for a stateful target, else None."""
        if not self.stateful:
            return None
        return "s2b" if self.arg1 == "LPSP_S2B" else "b2s"

    @property
    def type(self) -> int:
        return int(self.arg2)


def load_targets(path: Optional[Path] = None) -> List[FuzzTarget]:
    """Every target, in file order."""
    rows = []
    for line in (path or TARGETS_FILE).read_text(encoding="utf-8").splitlines():
        f = line.split("#", 1)[0].split()
        if len(f) == 5:
            rows.append(FuzzTarget(*f))
    return rows


def typed_input(msg: bytes, type_no: int) -> Optional[bytes]:
    """A stateful message as the input of the typed target of `type_no`, or
    None when the message has another type or flags no selector byte gives:
    one flags-selector byte (0/1 = flags 0x0000/0x0001, n >= 2 = flags
    0xff00|n), then the message after its 4-byte prefix."""
    if len(msg) < 4 or int.from_bytes(msg[2:4], "big") != type_no:
        return None
    flags = int.from_bytes(msg[0:2], "big")
    if flags <= 1:
        sel = flags
    elif flags >> 8 == 0xFF and (flags & 0xFF) > 1:
        sel = flags & 0xFF
    else:
        return None
    return bytes([sel]) + msg[4:]


def typed_message(type_no: int, data: bytes) -> Optional[bytes]:
    """A typed target's input as the message its harness parses
    (fuzz/harness.c fz_stateful_typed): data[0] selects the flags (0 or 1 as
    is, n >= 2 gives 0xff00 | n), the harness writes the type, and the rest
    is the headers and body. An empty input is not parsed at all: None."""
    if not data:
        return None
    sel = data[0]
    flags = sel if sel <= 1 else 0xFF00 | sel
    return flags.to_bytes(2, "big") + type_no.to_bytes(2, "big") + data[1:]
