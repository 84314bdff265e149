"""Lint the committed vector files.

Checks: JSON Schema validity (schema.json), one vector per line, unique ids,
the id manifest (ids.txt: every id in the files is listed, every listed id is
still in the files, deprecation marks agree, and the manifest only grew
compared with a git base revision), every spec reference exists
(spec-index.json), derived_from points at an existing vector, and the suite
version agrees with CHANGELOG.md.

Usage: python lint.py [--dir DIR] [--base-ref REF]
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time

import jsonschema

from lpsp_conformance import AREAS
from lpsp_conformance.gen import PEER_AREAS

HERE = os.path.dirname(os.path.abspath(__file__))


def read_manifest(text):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1] != "deprecated"):
            raise ValueError(f"ids.txt line {n}: malformed: {line!r}")
        out.append((parts[0], len(parts) == 2))
    return out


_VALIDATOR = None


def _init_worker(vec_schema):
    global _VALIDATOR
    _VALIDATOR = jsonschema.Draft202012Validator(vec_schema)


def _validate_lines(lines):
    out = []
    for line in lines:
        v = json.loads(line)
        msgs = [e.message[:200] for e in _VALIDATOR.iter_errors(v)]
        out.append((v.get("id") if isinstance(v, dict) else None, msgs))
    return out


def validate_vectors(vec_schema, lines, cache_path):
    """Schema-validate every vector line, in parallel, skipping lines that a
    previous run with the same schema already found valid (cache_path)."""
    salt = hashlib.sha256(json.dumps(vec_schema, sort_keys=True).encode()).hexdigest()
    cached = set()
    if cache_path and os.path.exists(cache_path):
        with open(cache_path, encoding="ascii") as f:
            first = f.readline().strip()
            if first == salt:
                cached = {ln.strip() for ln in f}
    keyed = [(hashlib.sha256(ln.encode()).hexdigest(), ln) for ln in lines]
    todo = [(k, ln) for k, ln in keyed if k not in cached]
    problems = []
    if todo:
        chunks = [todo[i:i + 500] for i in range(0, len(todo), 500)]
        procs = min(len(chunks), os.cpu_count() or 1)
        if procs > 1:
            with multiprocessing.Pool(procs, _init_worker, (vec_schema,)) as pool:
                results = pool.map(_validate_lines, [[ln for _k, ln in c] for c in chunks])
        else:
            _init_worker(vec_schema)
            results = [_validate_lines([ln for _k, ln in c]) for c in chunks]
        for chunk, res in zip(chunks, results):
            for (k, _ln), (vid, msgs) in zip(chunk, res):
                if msgs:
                    problems += [f"{vid}: {m}" for m in msgs]
                else:
                    cached.add(k)
    if cache_path:
        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        valid_now = {k for k, _ln in keyed} & cached
        with open(cache_path, "w", encoding="ascii") as f:
            f.write(salt + "\n" + "".join(k + "\n" for k in sorted(valid_now)))
    return problems, len(todo)


def _raw_vector_refs(steps):
    """Message vector ids that scenario steps send as malformed input."""
    for st in steps:
        if "vector" in st:
            yield st["vector"]
        yield from _raw_vector_refs(st.get("steps", []))


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=HERE, help="directory holding the vector files")
    ap.add_argument("--base-ref", default=os.environ.get("VECTORS_BASE_REF", "HEAD"),
                    help="git revision whose ids.txt the manifest must extend")
    ap.add_argument("--cache", default=None,
                    help="file remembering which vector lines already passed the schema")
    args = ap.parse_args(argv)
    errors = []
    err = errors.append

    with open(os.path.join(HERE, "schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    with open(os.path.join(HERE, "spec-index.json"), encoding="utf-8") as f:
        spec = json.load(f)
    known_refs = set(spec["sections"]) | set(spec["quirks"])
    file_schema = dict(schema)
    file_schema["properties"] = dict(schema["properties"], vectors={"type": "array"})
    file_validator = jsonschema.Draft202012Validator(file_schema)
    vec_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": "#/$defs/vector"}
    vec_lines = []

    t0 = time.monotonic()
    vectors, versions = [], set()
    for area in AREAS:
        path = os.path.join(args.dir, f"{area}.json")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            err(f"{area}.json: {e}")
            continue
        doc = json.loads(text)
        for e in file_validator.iter_errors(doc):
            err(f"{area}.json: {e.message}")
        if doc.get("area") != area:
            err(f"{area}.json: area is {doc.get('area')!r}")
        versions.add(doc.get("suite_version"))
        lines = [ln[1:].rstrip(",") for ln in text.splitlines() if ln.startswith(' {"id": ')]
        if len(lines) != len(doc["vectors"]):
            err(f"{area}.json: {len(doc['vectors'])} vectors but {len(lines)} vector lines "
                "(one vector per line)")
        vec_lines += lines
        vectors += doc["vectors"]
    # peer scenario files (PEER-FORMAT.md): their own schema, the same manifest
    with open(os.path.join(HERE, "peer-schema.json"), encoding="utf-8") as f:
        peer_validator = jsonschema.Draft202012Validator(json.load(f))
    by_id = {v.get("id"): v for v in vectors}
    scenarios = []
    for area in PEER_AREAS:
        path = os.path.join(args.dir, f"{area}.json")
        if not os.path.exists(path):  # optional; published ids of a missing file fail below
            continue
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            err(f"{area}.json: {e}")
            continue
        for e in peer_validator.iter_errors(doc):
            err(f"{area}.json: {'/'.join(map(str, e.path))}: {e.message}")
        if doc.get("area") != area:
            err(f"{area}.json: area is {doc.get('area')!r}")
        versions.add(doc.get("suite_version"))
        for sc in doc.get("scenarios", []):
            for ref in _raw_vector_refs(sc.get("steps", [])):
                v = by_id.get(ref)
                if v is None or v.get("verdict") != "invalid" or v.get("deprecated"):
                    err(f"{sc.get('id')}: sends message vector {ref}, which is not a current invalid vector")
            scenarios.append(sc)
    vectors += scenarios
    load_time = time.monotonic() - t0
    problems, n_checked = validate_vectors(vec_schema, vec_lines, args.cache)
    errors += [f"schema: {p}" for p in problems]

    ids = [v.get("id") for v in vectors]
    seen = set()
    for i in ids:
        if i in seen:
            err(f"duplicate id {i}")
        seen.add(i)
    for v in vectors:
        for r in v.get("refs", []):
            if r not in known_refs:
                err(f"{v['id']}: reference {r} is not in the specification")
        df = v.get("derived_from")
        if df and df not in seen:
            err(f"{v['id']}: derived_from {df} does not exist")
        if v.get("verdict") == "implementation-defined" and v.get("op") in ("decode",):
            if not any(r.startswith("QK-") for r in v.get("refs", [])):
                err(f"{v['id']}: implementation-defined stateful vector without a QK reference")

    # manifest
    with open(os.path.join(args.dir, "ids.txt"), encoding="utf-8") as f:
        manifest = read_manifest(f.read())
    listed = {i: dep for i, dep in manifest}
    if len(listed) != len(manifest):
        err("ids.txt lists an id twice")
    deprecated_in_files = {v["id"] for v in vectors if v.get("deprecated")}
    for i in seen - set(listed):
        err(f"{i}: not in ids.txt (run make vectors)")
    for i, dep in listed.items():
        if i not in seen:
            err(f"{i}: listed in ids.txt but gone from the files; published ids are kept "
                "and deprecated, never removed")
        elif dep != (i in deprecated_in_files):
            err(f"{i}: deprecation mark in ids.txt and in the vector disagree")
    try:
        base = subprocess.run(["git", "show", f"{args.base_ref}:./ids.txt"], cwd=args.dir,
                              capture_output=True, text=True, check=False)
        if base.returncode == 0:
            old = read_manifest(base.stdout)
            new_ids = [i for i, _d in manifest]
            if new_ids[:len(old)] != [i for i, _d in old]:
                err(f"ids.txt is not an append-only extension of {args.base_ref}:vectors/ids.txt")
            for i, dep in old:
                if dep and not listed.get(i, False):
                    err(f"{i}: was deprecated at {args.base_ref}, is no longer")
        else:
            print(f"lint: no ids.txt at {args.base_ref}; append-only check skipped")
    except OSError:
        print("lint: git not available; append-only check skipped")

    # suite version and changelog
    if len(versions) != 1:
        err(f"suite_version differs between files: {sorted(map(str, versions))}")
    else:
        ver = versions.pop()
        with open(os.path.join(HERE, "CHANGELOG.md"), encoding="utf-8") as f:
            heads = re.findall(r"^## \[?([0-9]+\.[0-9]+\.[0-9]+)", f.read(), re.M)
        if not heads or heads[0] != ver:
            err(f"CHANGELOG.md's newest entry ({heads[:1]}) is not suite_version {ver}")

    for e in errors[:200]:
        print("LINT", e)
    if len(errors) > 200:
        print(f"LINT ... {len(errors) - 200} more")
    print(f"lint: {len(vectors)} vectors in {len(AREAS)} files, {len(listed)} ids in the "
          f"manifest, {len(errors)} problem(s); files parsed in {load_time:.2f} s, "
          f"{n_checked} vector(s) schema-checked, the rest unchanged since the last check")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
