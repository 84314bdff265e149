"""The verdict rules of vectors/FORMAT.md."""

from conftest import CONFORMANCE
from lpsp_conformance.verdict import judge, values_equal

VALID = {"id": "x", "verdict": "valid", "expected": {"hex": "00ff", "n": "18446744073709551615", "k": 3, "b": True}}
INVALID = {"id": "y", "verdict": "invalid", "errors": ["truncated", "length_mismatch"]}
IMPLDEF = {"id": "z", "verdict": "implementation-defined",
           "outcomes": {"reference": {"accept": {"v": 48}}, "strict": {"reject": ["missing_header"]}, "note": "n"}}


def ok(out):
    return {"status": "ok", "output": out}


def test_integers_compare_by_value_strings_exactly():
    assert values_equal({"a": "5"}, {"a": 5})
    assert values_equal({"a": 5}, {"a": "5"})
    assert not values_equal({"a": 5}, {"a": "05x"})
    assert not values_equal({"a": "00"}, {"a": "0"})       # hex strings are not numbers
    assert not values_equal({"a": True}, {"a": 1})         # booleans are not integers
    assert not values_equal({"a": None}, {"a": ""})
    assert not values_equal({"a": 1}, {"a": 1, "b": 2})    # key sets must match
    assert not values_equal([1, 2], [1])


def test_valid():
    out = {"hex": "00ff", "n": 18446744073709551615, "k": "3", "b": True}
    assert judge(VALID, ok(out)).verdict == "pass"
    j = judge(VALID, ok(dict(out, hex="00fe")))
    assert j.verdict == "fail" and any("output.hex" in d for d in j.diffs)
    assert judge(VALID, {"status": "rejected", "error": "truncated"}).verdict == "fail"
    assert judge(VALID, {"status": "unsupported"}).verdict == "unsupported"


def test_invalid():
    assert judge(INVALID, {"status": "rejected", "error": "truncated"}).verdict == "pass"
    j = judge(INVALID, {"status": "rejected", "error": "bad_type"})
    assert j.verdict == "non-strict" and j.error == "bad_type"
    assert judge(INVALID, ok({})).verdict == "fail"


def test_implementation_defined_records_the_outcome():
    j = judge(IMPLDEF, ok({"v": "48"}))
    assert (j.verdict, j.outcome) == ("implementation-defined", "reference")
    j = judge(IMPLDEF, {"status": "rejected", "error": "invalid_value"})
    assert (j.verdict, j.outcome) == ("implementation-defined", "rejected")
    assert judge(IMPLDEF, ok({"v": 0})).verdict == "fail"
    both = dict(IMPLDEF, outcomes={"reference": {"accept": {"v": 1}}, "strict": {"accept": {"v": 2}}})
    assert judge(both, ok({"v": 2})).outcome == "strict"


def test_error_classes_are_the_testee_protocols_table():
    import re
    from lpsp_conformance.testee import ERROR_CLASSES
    doc = (CONFORMANCE / "TESTEE-PROTOCOL.md").read_text(encoding="utf-8")
    table = doc.split("## Error classes", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.M)) == ERROR_CLASSES


def test_a_rejection_with_a_class_outside_the_table_is_a_malformed_answer():
    from lpsp_conformance.testee import response_problem
    assert response_problem({"status": "rejected", "error": "truncated"}) is None
    for err in ("ok", "crypto", "buffer_too_small", "Truncated"):
        assert "is not one of" in response_problem({"status": "rejected", "error": err}), err
    assert response_problem({"status": "rejected"}) == "status rejected without an error class"
    assert response_problem({"status": "ok"}) == "status ok without output"
