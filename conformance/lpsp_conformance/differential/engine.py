"""Drives the testees over the inputs and tallies the classes."""

from __future__ import annotations

import collections
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import AdapterFault, HandshakeError, Testee
from .explain import (AGREE_REJECT, CLASSES, DISAGREEMENTS, Explanation, OpExplanation, classify,
                      explain, explain_op, message_type, mode_of)
from .inputs import Input, parse
from .opinputs import OpInput


class Impl:
    """One adapter process; a crash or hang is charged to the input in flight
    (answer status "fault") and the adapter is restarted."""

    def __init__(self, label: str, argv: List[str], timeout: float = 10.0):
        self.label = label
        self.argv = argv
        self.t = Testee(argv, timeout=timeout)
        self.faults = 0

    def start(self) -> Dict[str, Any]:
        return self.t.start()

    def stop(self) -> None:
        self.t.stop()

    def ask(self, op: str, inp: Dict[str, Any], vector: str = "") -> Dict[str, Any]:
        try:
            r = self.t.request(op, inp, vector)
        except AdapterFault as e:
            self.faults += 1
            try:
                self.t.restart()
            except HandshakeError as he:
                raise SystemExit(f"differential: {self.label}: cannot restart the adapter: {he}")
            return {"status": "fault", "detail": str(e)}
        r = dict(r)
        r.pop("id", None)
        if r.get("status") == "unsupported":
            r["status"] = "fault"
            r["detail"] = "unsupported: " + str(r.get("detail", ""))
        return r

    def decode_all(self, inputs: Sequence[Input]) -> List[Dict[str, Any]]:
        return [self.ask("decode", {"direction": i.direction, "hex": i.data.hex()})
                for i in inputs]


def _each_impl(impls: Sequence[Impl], answer: Callable[[Impl], List[Dict[str, Any]]]) -> List[List[Dict[str, Any]]]:
    """answer(impl) for every implementation, one thread per adapter."""
    results: List[Optional[List[Dict[str, Any]]]] = [None] * len(impls)
    errors: List[BaseException] = []

    def work(k):
        try:
            results[k] = answer(impls[k])
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(impls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


def run_parallel(impls: Sequence[Impl], inputs: Sequence[Input]) -> List[List[Dict[str, Any]]]:
    """Every implementation decodes every input."""
    return _each_impl(impls, lambda impl: impl.decode_all(inputs))


@dataclass
class Pair:
    """One comparison: implementation a against implementation b."""
    name: str
    a: str                    # labels
    b: str
    strict_side: str          # which side the rules treat as the strict codec
    rules_apply: bool
    counts: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    class_differs: collections.Counter = field(default_factory=collections.Counter)
    error_pairs: collections.Counter = field(default_factory=collections.Counter)
    explained: collections.Counter = field(default_factory=collections.Counter)
    explained_by_target: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    unexplained: int = 0
    by_source: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    # rule kinds seen: (rule, direction, type, mode) -> shortest input
    kinds: Dict[Tuple[str, str, str, str], Tuple[bytes, Dict[str, Any], Dict[str, Any]]] = field(default_factory=dict)

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def disagreements(self) -> int:
        return sum(c[k] for c in self.counts.values() for k in DISAGREEMENTS)


BODY_TYPES = ("NOTIFY", "NOTIFY_STREAM", "RECEIVE_STREAM", "ENABLE_ZSTD_CUSTOM")


def _rank(direction: str, data: bytes):
    """Representative input of a disagreement kind: preferably a clean one
    (flags 0 or 1, headers that split, no bytes after a body-less message,
    so that it shows one quirk only), then the shortest."""
    p = parse(direction, data)
    t = message_type(direction, data)
    clean = (p is not None and p.flags in (0, 1) and (not p.body or t in BODY_TYPES))
    if clean and t == "ENABLE_ZSTD_CUSTOM":
        # and a dictionary digest that matches (no QK-12 behind another quirk)
        i = p.index("x-sha512", 6)
        clean = i is not None and p.headers[i][1] == hashlib.sha512(p.body).digest()
    return (0 if clean else 1, len(data), data)


def tally(pair: Pair, inputs: Sequence[Input], ra: Sequence[Dict[str, Any]],
          rb: Sequence[Dict[str, Any]], report, *, compat: Optional[Sequence[Dict[str, Any]]] = None,
          vectors_by_input: Optional[Dict[Tuple[str, bytes], List[Dict[str, Any]]]] = None) -> None:
    for k, inp in enumerate(inputs):
        a, b = ra[k], rb[k]
        cls, err_differs = classify(a, b)
        pair.counts[inp.target][cls] += 1
        pair.by_source[inp.source][cls] += 1
        if cls == AGREE_REJECT and err_differs:
            pair.class_differs[inp.target] += 1
            pair.error_pairs[(a.get("error"), b.get("error"))] += 1
        if cls not in DISAGREEMENTS:
            continue
        vecs = (vectors_by_input or {}).get((inp.direction, inp.data), [])
        ex: Explanation = explain(inp.direction, inp.data, cls, a, b, strict_side=pair.strict_side,
                                  rules_apply=pair.rules_apply,
                                  compat=compat[k] if compat is not None else None, vectors=vecs)
        if ex.by:
            pair.explained[ex.by] += 1
            pair.explained_by_target[inp.target][ex.by] += 1
            if ex.by.startswith("QK-"):
                kind = (ex.by, inp.direction, message_type(inp.direction, inp.data), mode_of(inp.data))
                old = pair.kinds.get(kind)
                if old is None or _rank(inp.direction, inp.data) < _rank(inp.direction, old[0]):
                    pair.kinds[kind] = (inp.data, a, b)
        else:
            pair.unexplained += 1
            pair.counts[inp.target]["unexplained"] += 1
        report.write(json.dumps({
            "pair": pair.name, "a": pair.a, "b": pair.b, "class": cls,
            "explained_by": ex.by or None, "note": ex.note, "source": inp.source,
            "target": inp.target, "origin": inp.origin, "direction": inp.direction,
            "hex": inp.data.hex(), "answer_a": a, "answer_b": b,
        }, ensure_ascii=False) + "\n")


def format_table(pair: Pair) -> str:
    cols = ("inputs",) + CLASSES[:2] + ("cls≠",) + CLASSES[2:] + ("unexpl.",)
    rows = []
    tot = collections.Counter()
    for target in sorted(pair.counts):
        c = pair.counts[target]
        n = sum(c[k] for k in CLASSES)
        row = [target, n] + [c[k] for k in CLASSES[:2]] + [pair.class_differs[target]] + \
              [c[k] for k in CLASSES[2:]] + [c["unexplained"]]
        rows.append(row)
        tot["inputs"] += n
        for k in CLASSES:
            tot[k] += c[k]
        tot["cls≠"] += pair.class_differs[target]
        tot["unexpl."] += c["unexplained"]
    rows.append(["total"] + [tot[k] if k != "inputs" else tot["inputs"] for k in cols])
    return _render_table("target", cols, rows)


def _render_table(first: str, cols: Sequence[str], rows: List[List[Any]]) -> str:
    """Right-aligned columns under a header; a rule above the total row."""
    w0 = max(len(first), max(len(r[0]) for r in rows))
    widths = [max(len(cols[i]), max(len(str(r[i + 1])) for r in rows)) for i in range(len(cols))]
    head = first.ljust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(cols, widths))
    lines = [head, "-" * len(head)]
    for r in rows:
        if r[0] == "total":
            lines.append("-" * len(head))
        lines.append(r[0].ljust(w0) + "  " + "  ".join(str(v).rjust(w) for v, w in zip(r[1:], widths)))
    return "\n".join(lines)


def format_explained(pair: Pair) -> str:
    if not pair.explained and not pair.unexplained:
        return "  (no disagreements)"
    lines = []
    for by, n in sorted(pair.explained.items(), key=lambda x: (-x[1], x[0])):
        lines.append(f"  {by:<10} {n:>8}")
    lines.append(f"  {'UNEXPLAINED':<10} {pair.unexplained:>8}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- text and computed ops

def run_ops_parallel(impls: Sequence[Impl], inputs: Sequence[OpInput]) -> List[List[Dict[str, Any]]]:
    """Every implementation answers every op input."""
    return _each_impl(impls, lambda impl: [impl.ask(i.op, i.input) for i in inputs])


@dataclass
class OpPair:
    """The op comparison of implementation a against implementation b (the
    main pair only: the compat mode changes the stateful parser alone)."""
    a: str
    b: str
    counts: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    class_differs: collections.Counter = field(default_factory=collections.Counter)
    error_pairs: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    explained: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    unexplained: int = 0
    by_source: Dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))

    def total(self) -> int:
        return sum(c[k] for c in self.counts.values() for k in CLASSES)

    def disagreements(self) -> int:
        return sum(c[k] for c in self.counts.values() for k in DISAGREEMENTS)


def compare_ops(pair: OpPair, impls: Sequence[Impl], inputs: Sequence[OpInput],
                ra: Sequence[Dict[str, Any]], rb: Sequence[Dict[str, Any]], report,
                vectors_by_key: Optional[Dict[Tuple[str, str], List[Dict[str, Any]]]] = None,
                rules_apply: bool = True) -> None:
    """Classifies every op input, explains the disagreements and asks the
    rejecting side the counterfactuals of the rules that matched."""
    pending = []   # (k, explanation)
    done = []
    for k, inp in enumerate(inputs):
        a, b = ra[k], rb[k]
        cls, err_differs = classify(a, b)
        pair.counts[inp.op][cls] += 1
        pair.by_source[inp.source][cls] += 1
        if cls == AGREE_REJECT and err_differs:
            pair.class_differs[inp.op] += 1
            pair.error_pairs[inp.op][(a.get("error"), b.get("error"))] += 1
        if cls not in DISAGREEMENTS:
            continue
        ex = explain_op(inp.op, inp.input, cls, a, b, rules_apply=rules_apply,
                        vectors=(vectors_by_key or {}).get(inp.key(), []))
        (pending if ex.counterfactual else done).append((k, cls, ex))
    # counterfactuals, batched per side
    for side, impl in (("a", impls[0]), ("b", impls[1])):
        todo = [(k, cls, ex) for k, cls, ex in pending if ex.strict_side == side]
        for k, cls, ex in todo:
            cf_input, pred = ex.counterfactual
            r = impl.ask(inputs[k].op, cf_input)
            if not pred(r):
                ex = OpExplanation("", f"looks like {ex.by}, but without the quirk {impl.label} still "
                                       f"answers {r.get('status')} {r.get('error', '')}".rstrip(),
                                   ex.counterfactual, side)
            else:
                ex.note += " (checked: without the quirk both agree)"
            done.append((k, cls, ex))
    for k, cls, ex in sorted(done, key=lambda x: x[0]):
        inp = inputs[k]
        if ex.by:
            pair.explained[inp.op][ex.by] += 1
        else:
            pair.unexplained += 1
            pair.counts[inp.op]["unexplained"] += 1
        row = {"pair": "ops", "a": pair.a, "b": pair.b, "op": inp.op, "class": cls,
               "explained_by": ex.by or None, "note": ex.note, "source": inp.source,
               "origin": inp.origin, "input": inp.input, "answer_a": ra[k], "answer_b": rb[k]}
        if ex.counterfactual:
            row["counterfactual"] = ex.counterfactual[0]
        report.write(json.dumps(row, ensure_ascii=False) + "\n")


def format_ops_table(pair: OpPair, order: Sequence[str]) -> str:
    cols = ("inputs",) + CLASSES[:2] + ("cls≠",) + CLASSES[2:] + ("unexpl.",)
    rows = []
    tot = collections.Counter()
    for op in [o for o in order if o in pair.counts]:
        c = pair.counts[op]
        n = sum(c[k] for k in CLASSES)
        rows.append([op, n] + [c[k] for k in CLASSES[:2]] + [pair.class_differs[op]] +
                    [c[k] for k in CLASSES[2:]] + [c["unexplained"]])
        tot["inputs"] += n
        for k in CLASSES:
            tot[k] += c[k]
        tot["cls≠"] += pair.class_differs[op]
        tot["unexpl."] += c["unexplained"]
    rows.append(["total"] + [tot[k] for k in cols])
    return _render_table("op", cols, rows)


def format_ops_explained(pair: OpPair) -> str:
    lines = []
    for op in sorted(pair.explained):
        for by, n in sorted(pair.explained[op].items(), key=lambda x: (-x[1], x[0])):
            lines.append(f"  {op:<18} {by:<14} {n:>8}")
    if not lines and not pair.unexplained:
        return "  (no disagreements)"
    lines.append(f"  {'UNEXPLAINED':<33} {pair.unexplained:>8}")
    return "\n".join(lines)
