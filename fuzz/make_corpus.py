#!/usr/bin/env python3
"""Seed corpora and dictionaries for the fuzz targets, derived from the
conformance vectors (vectors/*.json), the codec's own header tables and the
protocol model (lpsp_conformance.protocol).

    .venv/bin/python fuzz/make_corpus.py [--out DIR] [--all] [--dict-tool LPSP] [--check]

Writes DIR/<target>/<sha1 of content> for every target of fuzz/targets.txt
(default DIR: corpus/) and fuzz/dict/<family>.dict. Deterministic: the same
vectors give the same files. With --check nothing is written; the exit
status is 1 (with a list of differences) when corpus/ or the dictionaries
differ from what would be written.

Seeds: the input of every decode-style vector, routed to the targets that
parse it; truncation vectors (ids ending in -trunc-NNNN) are left out of
corpus/ because every strict prefix of an accepted input is checked by the
harness anyway; --all includes them (used to replay every vector input).

Input encoding per target family (must match fuzz/oracle_*.c):
  stateful "any" targets: the message as is;
  stateful typed targets: one flags-selector byte (0/1 = flags 0x0000/0x0001,
      n >= 2 = flags 0xff00|n), then the message after its 4-byte prefix
      (lpsp_conformance.fuzz_targets);
  stateless bodies, Repr-Digest, base64, py-int, secret, websocket URL and
      the SET_SUBSCRIPTIONS iterator: the body or text as is;
  hmac_token: a lifetime byte (odd = unbounded), then the authorization;
  hmac_roundtrip: the to-sign kind number - 1 (§10.3.3), then the fields
      separated by 0x00;
  bearer: token, 0x00, authorization;
  etag_order: exact topics separated by 0x00, 0x01, globs separated by 0x00.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

from lpsp_conformance.fuzz_targets import load_targets, typed_input
from lpsp_conformance.protocol.auth_model import KINDS
from lpsp_conformance.protocol.stateful_model import HEADER_NAMES
from lpsp_conformance.protocol.stateless_model import RESPONSE_TYPE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_vectors():
    out = []
    vdir = os.path.join(ROOT, "vectors")
    for fn in sorted(os.listdir(vdir)):
        if not fn.endswith(".json") or fn in ("schema.json", "spec-index.json"):
            continue
        with open(os.path.join(vdir, fn)) as f:
            try:
                doc = json.load(f)
            except ValueError:
                continue
        if isinstance(doc, dict) and isinstance(doc.get("vectors"), list):
            out.extend(doc["vectors"])
    return out


def route(vec, targets):
    """Yield (target name, input bytes) for one vector."""
    inp = vec.get("input") or {}
    if vec.get("op") == "decode" and "hex" in inp:
        msg = bytes.fromhex(inp["hex"])
        d = "s2b" if inp.get("direction") == "s2b" else "b2s"
        for t in targets:
            if t.direction != d:
                continue
            if t.type == 0:
                yield t.name, msg
            else:
                data = typed_input(msg, t.type)
                if data is not None:
                    yield t.name, data


def text(x):
    return x.encode("utf-8") if isinstance(x, str) else None


def hx(x):
    try:
        return bytes.fromhex(x) if isinstance(x, str) else b""
    except ValueError:
        return b""


def route_other(vec, names):
    """Stateless, auth, session and etag vectors."""
    op, inp = vec.get("op"), vec.get("input") or {}
    if op == "stateless_decode" and "hex" in inp:
        body = inp.get("body", "")
        if body == "RESPONSE_UNSUBSCRIBE_IMMEDIATE":
            body = "RESPONSE_CONFIRM_RECEIVE"
        data = bytes.fromhex(inp["hex"])
        yield "sl_" + body.lower(), data
        if body == "SET_SUBSCRIPTIONS":
            yield "subs_iter", data
    elif op == "repr_digest_parse" and text(inp.get("header")) is not None:
        yield "repr_digest", text(inp["header"])
    elif op in ("hmac_parse_token", "hmac_verify") and text(inp.get("authorization")) is not None:
        yield "hmac_token", b"\x01" + text(inp["authorization"])
    elif op == "base64_lenient" and text(inp.get("text")) is not None:
        yield "b64_lenient", text(inp["text"])
    elif op == "py_int" and text(inp.get("text")) is not None:
        yield "py_int", text(inp["text"])
    elif op == "hmac_secret_decode" and text(inp.get("secret")) is not None:
        yield "hmac_secret", text(inp["secret"])
    elif op == "bearer_check" and text(inp.get("token")) is not None:
        yield "bearer", text(inp["token"]) + b"\x00" + (text(inp.get("authorization")) or b"")
    elif op == "ws_url_parse" and text(inp.get("url")) is not None:
        yield "ws_url", text(inp["url"])
    if op in ("hmac_to_sign", "hmac_sign", "hmac_verify") and inp.get("kind") in KINDS:
        parts = [text(inp.get("nonce")) or b"", hx(inp.get("tracing")),
                 text(inp.get("url")) or b"", text(inp.get("recovery")) or b"",
                 hx(inp.get("topic")), text(inp.get("glob")) or b"", hx(inp.get("identifier"))]
        if all(0 not in x for x in parts):
            yield "hmac_roundtrip", bytes([KINDS[inp["kind"]] - 1]) + b"\x00".join(parts)
    if op == "etag":
        ex = [bytes.fromhex(e.get("topic", "")) for e in inp.get("exact", [])]
        gl = [text(e.get("glob", "")) or b"" for e in inp.get("glob", [])]
        if all(b not in x for x in ex + gl for b in (0, 1)):
            yield "etag_order", b"\x00".join(ex) + b"\x01" + b"\x00".join(gl)


TRUNC = re.compile(r"-trunc-\d+$")


def build_corpus(targets, vectors, include_trunc):
    corpus = {t.name: {} for t in targets}
    for v in vectors:
        if not include_trunc and TRUNC.search(v.get("id", "")):
            continue
        for name, data in list(route(v, targets)) + list(route_other(v, corpus)):
            if name in corpus:
                corpus[name][hashlib.sha1(data).hexdigest()] = data
    return corpus


# ----------------------------------------------------------------- dicts

def dict_line(key, data):
    esc = "".join(chr(b) if 0x20 <= b < 0x7F and chr(b) not in '"\\' else "\\x%02x" % b
                  for b in data)
    return '%s="%s"\n' % (key, esc)


def stateful_dict(lpsp):
    text = None
    if lpsp and os.access(lpsp, os.X_OK):
        r = subprocess.run([lpsp, "dict"], stdout=subprocess.PIPE, check=True)
        text = r.stdout.decode()
    if text is None:
        # the codec's `lpsp dict` is not available: the same names from the
        # protocol model
        text = "# header names of every stateful message type (spec §2.7)\n"
        for i, h in enumerate(HEADER_NAMES, 1):
            text += dict_line("name_%d" % i, len(h).to_bytes(2, "big") + h.encode())
    text += "# typed targets: flags selector bytes; value lengths the parsers check\n"
    extra = [
        ("len_nonce", b"\x00\x20"), ("len_sha512", b"\x00\x40"), ("len_id64", b"\x00\x40"),
        ("len_id65", b"\x00\x41"), ("len_u8", b"\x00\x08"), ("len_u9", b"\x00\x09"),
        ("len_zero", b"\x00\x00"), ("len_one", b"\x00\x01"), ("len_two", b"\x00\x02"),
        ("len_four", b"\x00\x04"), ("len_five", b"\x00\x05"), ("part0", b"\x00\x01\x00"),
        ("true", b"\x00\x01\x01"), ("count3", b"\x00\x03"), ("count9", b"\x00\x09"),
        ("utf8_bom", b"\xef\xbb\xbf"), ("utf8_surrogate", b"\xed\xa0\x80"),
        ("utf8_overlong", b"\xc0\xaf"), ("utf8_max", b"\xf4\x8f\xbf\xbf"),
        ("sha512_empty", bytes.fromhex("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                       "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")),
        ("u64_max", b"\x00\x08" + b"\xff" * 8), ("level_22", b"\x00\x02\x00\x16"),
        ("preset_id_65536", b"\x00\x03\x01\x00\x00"),
    ]
    for k, v in extra:
        text += dict_line(k, v)
    return text


def _dict(title, items):
    return "# %s\n" % title + "".join(dict_line(k, v) for k, v in items)


# §8: response type values, u8/u16/u32 length prefixes, etag format 0.
STATELESS_DICT = _dict("stateless bodies (spec §8): type values and length prefixes", [
    ("type_" + body[len("RESPONSE_"):].lower(), value.to_bytes(2, "big"))
    for body, value in RESPONSE_TYPE.items()] + [
    ("u16_0", b"\x00\x00"), ("u16_64", b"\x00\x40"),
    ("u8_64", b"\x40"), ("u32_0", b"\x00\x00\x00\x00"), ("u32_1", b"\x00\x00\x00\x01"),
    ("u64_2", b"\x00\x00\x00\x00\x00\x00\x00\x02"), ("etag_format_0", b"\x00"),
    ("url", b"http://127.0.0.1:3002/v1/receive"), ("utf8_bom", b"\xef\xbb\xbf"),
    ("utf8_surrogate", b"\xed\xa0\x80"),
])

# §8.2.6, §10, §6.2: header syntax.
TEXT_DICT = _dict("header and text parsers (spec §8.2.6, §10, §6.2, §9)", [
    ("sha512", b"sha-512="), ("sha512_doc", b"sha512="), ("comma", b", "), ("hmac", b"X-HMAC "),
    ("bearer", b"Bearer "), ("ws", b"websocket:"), ("colon", b":"), ("pad1", b"="), ("pad2", b"=="),
    ("plus", b"+"), ("slash", b"/"), ("dash", b"-"), ("underscore", b"_"), ("ts", b"1700000000"),
    ("int64_max", b"9223372036854775807"), ("int64_min", b"-9223372036854775808"),
    ("hex_max", b"7fffffffffffffff"), ("ws_sp", b" \t\n\x0b\x0c\r"),
    ("nonce_b64", b"/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="),
    ("code_b64", b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="),
    ("non_ascii", b"\xc3\xa9"),
])


def build_dicts(targets, lpsp):
    fams = sorted({t.dict for t in targets})
    out = {}
    for fam in fams:
        if fam == "stateful":
            out[fam] = stateful_dict(lpsp)
        elif fam == "stateless":
            out[fam] = STATELESS_DICT
        elif fam == "text":
            out[fam] = TEXT_DICT
    return out


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "corpus"))
    ap.add_argument("--all", action="store_true", help="include truncation vectors")
    ap.add_argument("--dict-tool", default=None, help="the lpsp tool (for `lpsp dict`)")
    ap.add_argument("--no-dicts", action="store_true")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    targets = load_targets()
    corpus = build_corpus(targets, load_vectors(), a.all)
    dicts = {} if a.no_dicts else build_dicts(targets, a.dict_tool)

    problems = []
    for name, files in sorted(corpus.items()):
        d = os.path.join(a.out, name)
        if name == "grown":
            continue
        have = set(os.listdir(d)) if os.path.isdir(d) else set()
        want = set(files)
        if a.check:
            for fn in sorted(want - have):
                problems.append("missing %s/%s" % (name, fn))
            for fn in sorted(have - want):
                problems.append("unexpected %s/%s" % (name, fn))
            for fn in sorted(want & have):
                with open(os.path.join(d, fn), "rb") as f:
                    if f.read() != files[fn]:
                        problems.append("changed %s/%s" % (name, fn))
            continue
        os.makedirs(d, exist_ok=True)
        for fn in have - want:
            os.unlink(os.path.join(d, fn))
        for fn, data in files.items():
            with open(os.path.join(d, fn), "wb") as f:
                f.write(data)
    for fam, text in dicts.items():
        p = os.path.join(ROOT, "fuzz", "dict", fam + ".dict")
        if a.check:
            cur = open(p).read() if os.path.exists(p) else None
            if cur != text:
                problems.append("dictionary fuzz/dict/%s.dict differs" % fam)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)

    # The grown corpus (fuzz/grow_corpus.sh) is not derived from the vectors;
    # its files must still be named by their content and belong to a target.
    gdir = os.path.join(ROOT, "corpus", "grown")
    if a.check and os.path.isdir(gdir):
        for t in sorted(os.listdir(gdir)):
            if t not in corpus:
                problems.append("grown corpus for unknown target %s" % t)
                continue
            for fn in sorted(os.listdir(os.path.join(gdir, t))):
                with open(os.path.join(gdir, t, fn), "rb") as f:
                    if hashlib.sha1(f.read()).hexdigest() != fn:
                        problems.append("grown/%s/%s is not named by its SHA-1" % (t, fn))

    n = sum(len(v) for v in corpus.values())
    if a.check:
        if problems:
            for p in problems[:40]:
                print("corpus drift: " + p, file=sys.stderr)
            if len(problems) > 40:
                print("corpus drift: ... %d more" % (len(problems) - 40), file=sys.stderr)
            print("corpus drift: run `make corpus` and commit corpus/ and fuzz/dict/", file=sys.stderr)
            return 1
        print("corpus: %d seeds in %d targets and %d dictionaries match the vectors"
              % (n, len(corpus), len(dicts)))
        return 0
    print("corpus: wrote %d seeds for %d targets to %s" % (n, len(corpus), os.path.relpath(a.out, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
