"""Differential testing of two lonelypsp implementations (see differential/README.md).

    python -m lpsp_conformance.differential
        [--impl A --impl B] [--compat-impl C | --no-compat] [--n N] [--seed S]
        [--roundtrip R] [--no-corpus] [--no-vectors] [--inputs FILE]
        [--ops LIST | --no-ops] [--op-inputs FILE]
        [--report PATH] [--summary PATH] [--proposals PATH] [--write-cases]

By default A is the C codec (`build/lpsp testee`), B the Python reference
(lonelypsp, through its adapter lpsp_conformance.adapters.lonelypsp) and C
the C codec in compat mode (`build/lpsp testee --compat`), compared with B
too.
An --impl is a built-in name (c, c-compat, lonelypsp) or an adapter command
line (testee protocol, conformance/TESTEE-PROTOCOL.md).

Exit status: 0 every disagreement explained, 1 unexplained disagreements or
round-trip failures, 2 an adapter could not be started.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import shlex
import sys
import time
from pathlib import Path

from ..gen import CASES_FILE
from ..protocol.stateful_model import SECTION
from ..scope import covers, scope_key
from . import REPO_ROOT, HandshakeError, builtin_impl
from . import engine, inputs as I, opinputs as OI, roundtrip
from .explain import RULES, message_type, mode_of


def impl_argv(spec: str):
    return builtin_impl(spec) or shlex.split(spec)


def impl_label(spec: str) -> str:
    return spec if builtin_impl(spec) else spec.split()[0].rsplit("/", 1)[-1]


def covered_kinds(vectors, cases):
    """(quirk, direction, type, mode) already exercised by an
    implementation-defined decode vector (or a pending fuzz case)."""
    rules = {r.name for r in RULES}
    out = set()
    for v in vectors:
        if v.get("op") != "decode" or v.get("verdict") != "implementation-defined":
            continue
        d = v["input"]["direction"]
        data = bytes.fromhex(v["input"]["hex"])
        for qk in set(v.get("refs", [])) & rules:
            out.add((qk, d, message_type(d, data), mode_of(data)))
    for c in cases:
        data = bytes.fromhex(c["hex"])
        for qk in set(c["refs"]) & rules:
            out.add((qk, c["direction"], message_type(c["direction"], data), mode_of(data)))
    return out


def kebab(s: str) -> str:
    return s.lower().replace("_", "-")


def proposal(kind, data: bytes, a, b, seed: int, labels):
    qk, d, t, mode = kind
    rule = next(r for r in RULES if r.name == qk)
    h = hashlib.sha1(data).hexdigest()[:8]
    vid = f"{d}-{kebab(t)}-{mode}-fuzz-{qk.lower().replace('-', '')}-{h}"
    refs = [qk] + ([SECTION[t]] if t in SECTION else []) + (["§2.4"] if mode == "min" else ["§2.5"])
    desc = (f"{t} ({'minimal' if mode == 'min' else 'expanded'}) found by differential testing: "
            f"{rule.what}")
    return {"id": vid, "direction": d, "hex": data.hex(), "description": desc, "refs": refs,
            "expect": "implementation-defined",
            "found": f"differential seed {seed}: {labels[0]} {a.get('status')} "
                     f"{a.get('error', '')}, {labels[1]} {b.get('status')}".strip()}


def load_cases():
    if CASES_FILE.exists():
        return json.loads(CASES_FILE.read_text())["cases"]
    return []


def write_cases(new):
    doc = json.loads(CASES_FILE.read_text()) if CASES_FILE.exists() else {"cases": []}
    have = {c["id"] for c in doc["cases"]}
    added = [c for c in new if c["id"] not in have]
    doc["cases"].extend(added)
    text = '{"cases": [\n' + ",\n".join(" " + json.dumps(c, ensure_ascii=False) for c in doc["cases"]) + "\n]}\n"
    CASES_FILE.write_text(text)
    return added


def run_ops(args, ops, impls, hellos, op_pair, by_source, report, t0) -> int:
    """The text parsers and computed operations: seeds (corpora, vectors,
    files), then mutations (text parsers) and random valid fields and edge
    values (computed operations). Returns the number of inputs."""
    have = [list(h.get("features") or ()) for h in hellos]
    skipped = [o for o in ops
               if not all(covers(f, scope_key({"op": o, "feature": OI.FEATURE[o]}, None)) for f in have)]
    ops = [o for o in ops if o not in skipped]
    if skipped:
        print(f"differential: ops skipped (not declared by both): {', '.join(skipped)}")
    if not ops:
        return 0
    vectors = [] if args.no_vectors else OI.load_op_vectors(args.vectors_dir, ops)
    vectors_by_key = collections.defaultdict(list)
    for v in vectors:
        vectors_by_key[(v["op"], OI.canonical(v["input"]))].append(v)
    seeds = []
    if not args.no_corpus:
        seeds += OI.corpus_inputs(args.corpus_dir, ops)
    seeds += OI.vector_inputs(vectors)
    for f in args.op_inputs:
        seeds += [i for i in OI.read_op_input_file(f) if i.op in ops]
    seeds = OI.dedupe(seeds)
    by_op = collections.defaultdict(list)
    for i in seeds:
        by_op[i.op].append(i)
    more = OI.mutated_inputs(args.n, args.seed, by_op, ops) + OI.generated_inputs(args.n, args.seed, ops)
    if args.n > 0:
        more += OI.edge_inputs(ops)
    todo = OI.dedupe(seeds + more)
    by_source.update(i.source for i in todo)
    print(f"differential: {len(todo)} distinct op inputs ("
          + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())) + f") for {len(ops)} ops")
    batch = 5000
    for s in range(0, len(todo), batch):
        chunk = todo[s:s + batch]
        ra, rb = engine.run_ops_parallel(impls, chunk)
        engine.compare_ops(op_pair, impls, chunk, ra, rb, report, vectors_by_key)
        print(f"  ... ops: {min(s + batch, len(todo))}/{len(todo)} inputs, "
              f"{time.monotonic() - t0:.1f} s", flush=True)
    return len(todo)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lpsp_conformance.differential",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--impl", action="append", default=[],
                    help="implementation A, then B (built-in name or adapter command); default c and lonelypsp")
    ap.add_argument("--compat-impl", default=None,
                    help="a third implementation compared with B with no rule excusing it "
                         "(default c-compat when A and B are the defaults)")
    ap.add_argument("--no-compat", action="store_true", help="no compat comparison")
    ap.add_argument("--n", type=int, default=1000, help="mutated inputs per fuzz target (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--roundtrip", type=int, default=20,
                    help="random messages per type, variant and mode for the round trip (0: none)")
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--no-vectors", action="store_true")
    ap.add_argument("--inputs", type=Path, action="append", default=[],
                    help="extra inputs: lines 's2b HEX' / 'b2s HEX'")
    ap.add_argument("--ops", default=",".join(OI.ALL_OPS),
                    help="text parsers and computed operations to compare, comma-separated "
                         "(default all: " + ",".join(OI.ALL_OPS) + ")")
    ap.add_argument("--no-ops", action="store_true", help="compare the stateful messages only")
    ap.add_argument("--no-stateful", action="store_true",
                    help="compare the text parsers and computed operations only")
    ap.add_argument("--op-inputs", type=Path, action="append", default=[],
                    help='extra op inputs: JSON lines {"op": ..., "input": {...}}')
    ap.add_argument("--corpus-dir", type=Path, default=REPO_ROOT / "corpus")
    ap.add_argument("--vectors-dir", type=Path, default=REPO_ROOT / "vectors")
    ap.add_argument("--report", type=Path, default=REPO_ROOT / "reports" / "differential.jsonl")
    ap.add_argument("--summary", type=Path, default=REPO_ROOT / "reports" / "differential-summary.json")
    ap.add_argument("--proposals", type=Path, default=REPO_ROOT / "reports" / "differential-proposals.json")
    ap.add_argument("--write-cases", action="store_true",
                    help="append the proposed vectors to the generator's fuzz cases, "
                         f"{CASES_FILE.relative_to(REPO_ROOT)} (then run make vectors)")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    args = ap.parse_args(argv)
    ops = [] if args.no_ops else [o.strip() for o in args.ops.split(",") if o.strip()]
    for o in ops:
        if o not in OI.ALL_OPS:
            ap.error(f"--ops: unknown op {o!r} (known: {', '.join(OI.ALL_OPS)})")

    if len(args.impl) not in (0, 2):
        ap.error("give --impl twice (A and B), or not at all")
    specs = args.impl or ["c", "lonelypsp"]
    compat_spec = None
    if not args.no_compat and not args.no_stateful:
        compat_spec = args.compat_impl or (None if args.impl else "c-compat")
    labels = [impl_label(s) for s in specs]
    if compat_spec:
        clabel = impl_label(compat_spec)
        if clabel in labels:
            clabel += "#compat"

    t0 = time.monotonic()
    targets = I.load_targets()
    vectors = [] if args.no_vectors else I.load_vectors(args.vectors_dir)
    pool = []
    if args.no_stateful:
        vectors = []
    elif not args.no_corpus:
        pool += I.corpus_inputs(targets, args.corpus_dir)
    pool += I.vector_inputs(vectors, targets)
    for f in [] if args.no_stateful else args.inputs:
        pool += I.read_input_file(f, targets)
    seeds = collections.defaultdict(list)
    for i in pool:
        seeds[i.target].append(i.data)
        if i.source != "file":
            # the dispatcher targets also mutate every typed seed
            seeds[f"{i.direction}_any"].append(i.data)
    phase1 = I.dedupe(pool)

    impls = [engine.Impl(labels[k], impl_argv(s), args.timeout) for k, s in enumerate(specs)]
    if compat_spec:
        impls.append(engine.Impl(clabel, impl_argv(compat_spec), args.timeout))
    hellos = []
    try:
        for im in impls:
            hello = im.start()
            hellos.append(hello)
            print(f"  {im.label}: {hello.get('name')} {hello.get('version')} ({' '.join(im.argv)})")
    except HandshakeError as e:
        print(f"differential: {e}", file=sys.stderr)
        for im in impls:
            im.stop()
        return 2

    vectors_by_input = collections.defaultdict(list)
    for v in vectors:
        if v.get("op") == "decode":
            vectors_by_input[(v["input"]["direction"], bytes.fromhex(v["input"]["hex"]))].append(v)

    pairs = [engine.Pair("main", labels[0], labels[1], "a", True)]
    op_pair = engine.OpPair(labels[0], labels[1])
    op_by_source = collections.Counter()
    if compat_spec:
        pairs.append(engine.Pair("compat", clabel, labels[1], "a", False))

    args.report.parent.mkdir(parents=True, exist_ok=True)
    rt_failures = 0
    rt_counts = None
    by_source = collections.Counter()
    seen = set()
    accepted = collections.defaultdict(list)

    def run_phase(todo, report):
        batch = 5000
        for s in range(0, len(todo), batch):
            chunk = todo[s:s + batch]
            answers = engine.run_parallel(impls, chunk)
            compat = answers[2] if compat_spec else None
            engine.tally(pairs[0], chunk, answers[0], answers[1], report, compat=compat,
                         vectors_by_input=vectors_by_input)
            if compat_spec:
                engine.tally(pairs[1], chunk, answers[2], answers[1], report,
                             vectors_by_input=vectors_by_input)
            for k, inp in enumerate(chunk):
                if any(ans[k].get("status") == "ok" for ans in answers):
                    accepted[inp.target].append(inp.data)
                    if inp.source != "mutated":
                        accepted[f"{inp.direction}_any"].append(inp.data)
            print(f"  ... {inp.source}: {min(s + batch, len(todo))}/{len(todo)} inputs, "
                  f"{time.monotonic() - t0:.1f} s", flush=True)

    with open(args.report, "w", encoding="utf-8") as report:
        # phase 1: corpus, vectors, input files; phase 2: mutations of them
        for i in phase1:
            seen.add((i.direction, i.data))
        by_source.update(i.source for i in phase1)
        print(f"differential: {len(phase1)} distinct seed inputs ("
              + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())) + ")")
        run_phase(phase1, report)
        mutated = [i for i in I.mutated_inputs(targets, seeds, 0 if args.no_stateful else args.n,
                                               args.seed, accepted)
                   if (i.direction, i.data) not in seen]
        mutated = I.dedupe(mutated)
        by_source["mutated"] = len(mutated)
        print(f"differential: {len(mutated)} distinct mutated inputs "
              f"(seed {args.seed}, {args.n} per target)")
        run_phase(mutated, report)
        todo = phase1 + mutated
        if args.roundtrip > 0 and not args.no_stateful:
            rt_counts, rt_failures = roundtrip.run(impls[:2], args.roundtrip, args.seed, report)
        op_inputs = run_ops(args, ops, impls[:2], hellos[:2], op_pair, op_by_source, report, t0)
    for im in impls:
        im.stop()

    for p in pairs:
        print()
        print(f"== {p.name}: A = {p.a}, B = {p.b}"
              + ("" if p.rules_apply else " (no quirk excuses a difference here)"))
        print(engine.format_table(p))
        print("explained by:")
        print(engine.format_explained(p))
        if p.error_pairs:
            print("both reject, error classes differ (A class / B class: count):")
            for (ea, eb), n in p.error_pairs.most_common(12):
                print(f"  {ea} / {eb}: {n}")
    if rt_counts is not None:
        print()
        print(roundtrip.format_table(rt_counts, labels[0], labels[1]))
    if op_inputs:
        print()
        print(f"== ops: A = {op_pair.a}, B = {op_pair.b} (text parsers and computed operations)")
        print(engine.format_ops_table(op_pair, OI.ALL_OPS))
        print("explained by:")
        print(engine.format_ops_explained(op_pair))
        if op_pair.error_pairs:
            print("both reject, error classes differ (op: A class / B class: count):")
            for op in OI.ALL_OPS:
                for (ea, eb), n in op_pair.error_pairs.get(op, collections.Counter()).most_common(4):
                    print(f"  {op}: {ea} / {eb}: {n}")

    # vectors for the disagreement kinds the suite does not cover yet
    cases = load_cases()
    covered = covered_kinds(vectors, cases)
    props = []
    for p in pairs:
        for kind, (data, a, b) in sorted(p.kinds.items()):
            if kind not in covered:
                props.append(proposal(kind, data, a, b, args.seed, (p.a, p.b)))
                covered.add(kind)
    args.proposals.parent.mkdir(parents=True, exist_ok=True)
    args.proposals.write_text(json.dumps({"cases": props}, indent=1, ensure_ascii=False) + "\n")
    if props:
        print(f"\n{len(props)} disagreement kind(s) without a vector yet: {args.proposals}")
        for c in props:
            print(f"  {c['id']}")
        if args.write_cases:
            added = write_cases(props)
            print(f"  appended {len(added)} case(s) to {CASES_FILE.relative_to(REPO_ROOT)}; run make vectors")

    unexplained = sum(p.unexplained for p in pairs) + op_pair.unexplained
    summary = {
        "seed": args.seed, "n": args.n, "roundtrip": args.roundtrip, "inputs": len(todo),
        "inputs_by_source": dict(by_source),
        "pairs": {p.name: {
            "a": p.a, "b": p.b, "total": p.total(),
            "classes": {k: sum(c[k] for c in p.counts.values()) for k in engine.CLASSES},
            "reject_class_differs": sum(p.class_differs.values()),
            "explained": dict(p.explained), "unexplained": p.unexplained,
            "per_target": {t: dict(c) for t, c in sorted(p.counts.items())},
            "per_source": {s: dict(c) for s, c in sorted(p.by_source.items())},
        } for p in pairs},
        "ops": {
            "a": op_pair.a, "b": op_pair.b, "inputs": op_inputs, "total": op_pair.total(),
            "inputs_by_source": dict(op_by_source),
            "classes": {k: sum(c[k] for c in op_pair.counts.values()) for k in engine.CLASSES},
            "reject_class_differs": sum(op_pair.class_differs.values()),
            "explained": {op: dict(c) for op, c in sorted(op_pair.explained.items())},
            "unexplained": op_pair.unexplained,
            "per_op": {op: dict(c, reject_class_differs=op_pair.class_differs[op])
                       for op, c in sorted(op_pair.counts.items())},
            "per_source": {s: dict(c) for s, c in sorted(op_pair.by_source.items())},
        },
        "roundtrip_failures": rt_failures,
        "roundtrip_counts": ({" ".join(k): dict(v) for k, v in sorted(rt_counts.items())}
                             if rt_counts else {}),
        "proposed_vectors": [c["id"] for c in props],
        "seconds": round(time.monotonic() - t0, 1),
    }
    args.summary.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    print(f"\nreport: {args.report} "
          f"({sum(p.disagreements() for p in pairs) + op_pair.disagreements() + rt_failures} lines); "
          f"summary: {args.summary}; {summary['seconds']} s")
    if unexplained or rt_failures:
        print(f"differential: FAILED: {unexplained} unexplained disagreement(s), "
              f"{rt_failures} round-trip failure(s); see {args.report}")
        return 1
    print("differential: every disagreement is explained")
    return 0

