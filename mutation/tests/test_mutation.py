"""The mutation runner: mutants are identified robustly, a planted killable
mutant is killed, a survivor is recognised, and the equivalence list cannot
rot (stale and untriaged entries fail the check)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import lpsp_mutation as M  # noqa: E402


def _rec(mid: str, status: str, file: str = "util.c", line: int = 3, **kw):
    return dict({"id": mid, "file": file, "line": line, "orig": "  a < b;", "mutated": "  a <= b;",
                 "op": "ror", "status": status}, **kw)


def _results(mutants, generated=None):
    return {"generated": generated if generated is not None else [m["id"] for m in mutants],
            "mutants": mutants}


@pytest.fixture
def eqfile(tmp_path, monkeypatch):
    path = tmp_path / "equivalent-c.txt"
    monkeypatch.setattr(M, "equivalence_file", lambda side: path)
    return path


def test_mutant_id_ignores_indentation_and_line_number_but_not_text():
    a = M.mutant_id("util.c", "    if (a < b)", "    if (a <= b)", 0)
    assert a == M.mutant_id("util.c", "if (a < b)", "if (a <= b)", 0)
    assert a != M.mutant_id("util.c", "if (a < b)", "if (a >= b)", 0)
    assert a != M.mutant_id("b64.c", "if (a < b)", "if (a <= b)", 0)
    assert a != M.mutant_id("util.c", "if (a < b)", "if (a <= b)", 1)


def test_listed_survivor_is_accepted_and_untriaged_one_fails(eqfile):
    listed, other = _rec("aaaaaaaaaaaa", "survived"), _rec("bbbbbbbbbbbb", "survived", line=9)
    eqfile.write_text("# comment\n" + M.entry_line(listed, "a and b are never equal here") + "\n")
    eq = M.load_equivalents("c")
    assert list(eq) == ["aaaaaaaaaaaa"]
    assert M.check("c", _results([listed, _rec("cccccccccccc", "killed")]), eq) == []
    problems = M.check("c", _results([listed, other]), eq)
    assert len(problems) == 1 and "1 untriaged survivor" in problems[0]


def test_stale_entries_fail(eqfile):
    killed = _rec("aaaaaaaaaaaa", "killed", vector="some-vector")
    eqfile.write_text(M.entry_line(killed, "thought equivalent") + "\n"
                      + M.entry_line(_rec("dddddddddddd", "survived"), "gone") + "\n")
    eq = M.load_equivalents("c")
    problems = M.check("c", _results([killed], generated=["aaaaaaaaaaaa"]), eq)
    assert any("aaaaaaaaaaaa" in p and "now killed by some-vector" in p for p in problems)
    assert any("dddddddddddd" in p and "no such mutant is generated" in p for p in problems)


def test_malformed_entry_is_an_error(eqfile):
    eqfile.write_text("not an entry\n")
    with pytest.raises(SystemExit):
        M.load_equivalents("c")


def test_operators_come_from_the_rule_groups():
    ops = M.rule_operators(M.rules_file("c"))
    assert {"ror", "const", "logic", "byteorder", "errdel"} <= set(ops.values())
    ops = M.rule_operators(M.rules_file("lonelypsp"))
    assert {"ror", "const", "logic", "byteorder", "raisedel"} <= set(ops.values())


def test_generate_python_marks_docstring_only_mutants(tmp_path):
    src = tmp_path / "tree" / "m.py"
    src.parent.mkdir()
    src.write_text('def f(a, b):\n    """Compares\n    a < b or not.\n    """\n    if a < b and b > 0:\n'
                   '        raise ValueError("x")\n    return int.from_bytes(a, "big")\n')
    recs = M.generate("lonelypsp", src.parent, ["m.py"], tmp_path / "out")
    by_line = {}
    for r in recs:
        by_line.setdefault(r["line"], []).append(r)
    assert by_line[3] and all(r.get("pre") == "noop" for r in by_line[3])  # inside a docstring
    assert any(r["op"] == "ror" and "a <= b" in r["mutated"] and "pre" not in r for r in by_line[5])
    assert any(r["op"] == "logic" and " or " in r["mutated"] for r in by_line[5])
    assert any(r["op"] == "raisedel" and "pre" not in r for r in by_line[6])
    assert any(r["op"] == "byteorder" and "little" in r["mutated"] for r in by_line[7])
    assert len({r["id"] for r in recs}) == len(recs)


@pytest.fixture(scope="module")
def cside(tmp_path_factory):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    work = tmp_path_factory.mktemp("mut-c")
    side = M.CSide(work)
    side.prepare(1)
    vecs = M.Vectors()
    return side, vecs


def _baseline(side, vecs, ids):
    order = [vecs.index[i] for i in ids]
    argv, env, cwd = side.baseline_argv()
    b = M.run_vectors(argv, env, cwd, vecs, order, None, stall=10, budget=60)
    return order, b


def _plant(side, file, old, new):
    src = (side.src_root() / file).read_text()
    if old not in src:
        pytest.fail(f"{old!r} is no longer in codec/src/{file}: plant the mutant elsewhere")
    mutant = side.work / "planted" / file
    mutant.parent.mkdir(exist_ok=True)
    mutant.write_text(src.replace(old, new, 1))
    return mutant


def test_planted_c_mutant_is_killed_and_a_dead_one_survives(cside):
    side, vecs = cside
    ids = [v["id"] for v in vecs.vectors if v["_area"] == "stateful-s2b"][:400]
    order, b = _baseline(side, vecs, ids)
    base = {"features": b["features"], "keys": b["keys"], "raw": b["raw"]}
    # subscriber-to-broadcaster type 1 (SUBSCRIBE_EXACT) no longer known
    mutant = _plant(side, "stateful.c", "if (dir == LPSP_S2B) return (type >= 1",
                    "if (dir == LPSP_S2B) return (type >= 2")
    rec = {"file": "stateful.c"}
    assert side.build(0, rec, mutant) == "ok"
    argv, env, cwd = side.argv(0)
    res = M.run_vectors(argv, env, cwd, vecs, order, base, stall=10, budget=60)
    assert res["status"] == "killed" and res["vector"] in ids
    # a change the compiler erases is not a distinct program
    same = _plant(side, "stateful.c", "if (dir == LPSP_S2B) return", "if (dir == LPSP_S2B) return ")
    assert side.build(0, rec, same) == "identical"
    # the unmutated program survives its own baseline
    argv, env, cwd = side.baseline_argv()
    res = M.run_vectors(argv, env, cwd, vecs, order, base, stall=10, budget=60)
    assert res["status"] == "survived"
    # a mutant that does not compile is stillborn
    broken = _plant(side, "stateful.c", "if (dir == LPSP_S2B) return", "if (dir == LPSP_S2B) retrun")
    assert side.build(0, rec, broken) == "stillborn"


def test_outcome_key_tells_verdicts_apart():
    v = {"id": "x", "verdict": "valid", "expected": {"a": 1}}
    assert M.outcome_key(v, {"status": "ok", "output": {"a": 1}}) == "pass"
    assert M.outcome_key(v, {"status": "ok", "output": {"a": 2}}).startswith("fail:")
    assert M.outcome_key(v, {"status": "ok"}) == "fault:bad-response"
    inv = {"id": "y", "verdict": "invalid", "errors": ["truncated", "invalid_value"]}
    # another allowed error class is the same outcome
    assert M.outcome_key(inv, {"status": "rejected", "error": "truncated"}) == \
        M.outcome_key(inv, {"status": "rejected", "error": "invalid_value"}) == "pass"
    a = M.outcome_key(inv, {"status": "rejected", "error": "overflow"})
    b = M.outcome_key(inv, {"status": "rejected", "error": "bad_utf8"})
    # a class outside TESTEE-PROTOCOL.md's table is a malformed answer
    assert M.outcome_key(inv, {"status": "rejected", "error": "ok"}) == "fault:bad-response"
    assert a != b and a.startswith("non-strict:")
    json.dumps([a, b])


def test_statement_lines_send_import_time_lines_to_every_vector():
    src = ("X = 1 + 2\n"                     # 1 module level
           "@decorate(3)\n"                  # 2 decorator: import time
           "def f(a, b=4):\n"                # 3 header, defaults: import time
           "    if a < b:\n"                 # 4 the if statement (4-6)
           "        return (a +\n"           # 5 a two-line statement (5-6)
           "                b)\n"             # 6
           "    return 0\n"                   # 7
           "class C:\n"                       # 8
           "    Y = 5\n"                       # 9 class body: import time
           "    def m(self):\n"               # 10
           "        return self.Y\n")         # 11
    spans = M.statement_lines(src)
    for n in (1, 2, 3, 8, 9, 10):
        assert spans.get(n) is None, n
    assert spans[4] == (4, 6)
    assert spans[5] == spans[6] == (5, 6)
    assert spans[7] == (7, 7)
    assert spans[11] == (11, 11)
