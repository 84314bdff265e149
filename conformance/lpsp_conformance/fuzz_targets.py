"""The fuzz targets of fuzz/targets.txt, and how a typed stateful target's
input encodes a message (fuzz/oracle_stateful.c).

Read by the corpus maker and the crash converter (fuzz/make_corpus.py,
fuzz/crash_to_vector.py) and by the differential tester.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from . import REPO_ROOT
from .protocol.stateful_model import TYPES
from .protocol.stateless_model import BODIES

TARGETS_FILE = REPO_ROOT / "fuzz" / "targets.txt"
STATEFUL_SOURCE = "fuzz_stateful.c"
STATELESS_SOURCE = "fuzz_stateless.c"
TEXT_SOURCE = "fuzz_text.c"
# The stateful "any" dispatcher's type name (fuzz/harness.h).
ANY_TYPE = "FZ_STATEFUL_ANY"
DIRECTIONS = {"LPSP_S2B": "s2b", "LPSP_B2S": "b2s"}


@dataclass(frozen=True)
class FuzzTarget:
    """One row of fuzz/targets.txt: name, source, dictionary family and the
    C enum names the target is compiled with (-DFZ_TARGET=a,b)."""

    name: str
    source: str     # the target's file: fuzz_stateful.c, fuzz_stateless.c, fuzz_text.c
    dict: str       # the dictionary family (fuzz/dict/<dict>.dict)
    names: Tuple[str, ...]  # stateful: (LPSP_S2B|LPSP_B2S, type); stateless: (LPSP_SL_*,); text: (FZ_TEXT_*,)

    @property
    def stateful(self) -> bool:
        return self.source == STATEFUL_SOURCE

    @property
    def direction(self) -> Optional[str]:
        """"s2b" or "b2s" for a stateful target, else None."""
        if not self.stateful:
            return None
        return DIRECTIONS[self.names[0]]

    @property
    def type(self) -> int:
        """Stateful: the message type number (0 = the "any" dispatcher);
        stateless: the codec's lpsp_sl_body value (1 = NOTIFY)."""
        if self.stateful:
            if self.names[1] == ANY_TYPE:
                return 0
            return TYPES[self.direction][_suffix(self.names[1], self.names[0] + "_")]
        if self.source == STATELESS_SOURCE:
            return BODIES.index(_suffix(self.names[0], "LPSP_SL_")) + 1
        raise ValueError(f"{self.name}: a text target has no type number")


def _suffix(name: str, prefix: str) -> str:
    if not name.startswith(prefix):
        raise ValueError(f"{name} does not start with {prefix}")
    return name[len(prefix):]


def check_target(t: FuzzTarget) -> None:
    """Raise ValueError when the row's names do not fit its family (the C
    build rejects the same rows; this names the row before compiling)."""
    want = {STATEFUL_SOURCE: 2, STATELESS_SOURCE: 1, TEXT_SOURCE: 1}.get(t.source)
    if want is None:
        raise ValueError(f"{t.name}: unknown source {t.source}")
    if len(t.names) != want:
        raise ValueError(f"{t.name}: {t.source} takes {want} name(s), got {' '.join(t.names)}")
    if t.stateful:
        if t.names[0] not in DIRECTIONS:
            raise ValueError(f"{t.name}: {t.names[0]} is not a direction")
        if t.names[1] != ANY_TYPE:
            suffix = _suffix(t.names[1], t.names[0] + "_")
            if suffix not in TYPES[t.direction]:
                raise ValueError(f"{t.name}: {t.names[1]} is not a {t.direction} message type")
    elif t.source == STATELESS_SOURCE:
        if _suffix(t.names[0], "LPSP_SL_") not in BODIES:
            raise ValueError(f"{t.name}: {t.names[0]} is not a stateless body")
    else:
        _suffix(t.names[0], "FZ_TEXT_")


def load_targets(path: Optional[Path] = None) -> List[FuzzTarget]:
    """Every target, in file order; ValueError on a malformed row."""
    rows = []
    for line in (path or TARGETS_FILE).read_text(encoding="utf-8").splitlines():
        f = line.split("#", 1)[0].split()
        if not f:
            continue
        if len(f) < 4:
            raise ValueError(f"fuzz/targets.txt: short row: {line.strip()}")
        t = FuzzTarget(f[0], f[1], f[2], tuple(f[3:]))
        check_target(t)
        rows.append(t)
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
    (fuzz/oracle_stateful.c, stateful_typed): data[0] selects the flags (0 or 1 as
    is, n >= 2 gives 0xff00 | n), the harness writes the type, and the rest
    is the headers and body. An empty input is not parsed at all: None."""
    if not data:
        return None
    sel = data[0]
    flags = sel if sel <= 1 else 0xFF00 | sel
    return flags.to_bytes(2, "big") + type_no.to_bytes(2, "big") + data[1:]
