"""Every saboteur is caught, with the right verdict per vector and exit code."""

import pytest

from conftest import FIXTURES, fixture_vectors, saboteur

VECTORS = fixture_vectors()
IDS = [v["id"] for v in VECTORS]
BY_ID = {v["id"]: v for v in VECTORS}


def honest_verdict(v):
    if v["verdict"] == "implementation-defined":
        return "implementation-defined"
    return "pass"


def strict_accepts(v):
    return "accept" in v["outcomes"]["strict"]


def test_honest_adapter_passes_everything(run_suite):
    r = run_suite(saboteur("honest"))
    assert r.rc == 0, r
    assert r.verdicts == {v["id"]: honest_verdict(v) for v in VECTORS}
    assert r.results["impl"]["adapter"] == "fake-correct"
    assert r.results["impl"]["version"] == "1"
    assert all(isinstance(x["time_ms"], float) for x in r.results["results"])
    assert "lpsp conformance summary" in r.out
    assert "total" in r.out


def test_wrong_bytes_fails_every_accepted_output(run_suite):
    r = run_suite(saboteur("wrong-bytes"))
    assert r.rc == 1, r
    for v in VECTORS:
        got = r.verdicts[v["id"]]
        if v["verdict"] == "valid":
            assert got == "fail", v["id"]
        elif v["verdict"] == "invalid":
            assert got == "pass", v["id"]
        else:
            assert got == ("fail" if strict_accepts(v) else "implementation-defined"), v["id"]


def test_failure_report_shows_everything(run_suite):
    r = run_suite(saboteur("wrong-bytes"), "-k", "fx-s2b-subscribe-exact-minimal-encode")
    assert r.rc == 1, r
    v = BY_ID["fx-s2b-subscribe-exact-minimal-encode"]
    assert "vector:      fx-s2b-subscribe-exact-minimal-encode" in r.out
    assert v["description"] in r.out
    assert "§3.1.2, §5.1" in r.out
    assert v["expected"]["hex"] in r.out            # expected bytes
    assert "01" + v["expected"]["hex"][2:] in r.out  # the actual bytes, one bit flipped
    assert "output.hex: expected" in r.out


def test_accept_all_fails_every_invalid_vector(run_suite):
    r = run_suite(saboteur("accept-all"))
    assert r.rc == 1, r
    for v in VECTORS:
        got = r.verdicts[v["id"]]
        if v["verdict"] == "valid":
            assert got == "pass", v["id"]
        elif v["verdict"] == "invalid":
            assert got == "fail", v["id"]
        else:  # rejections turned into {} match no outcome
            assert got == ("implementation-defined" if strict_accepts(v) else "fail"), v["id"]


def test_reject_all_fails_every_valid_vector(run_suite):
    r = run_suite(saboteur("reject-all"))
    assert r.rc == 1, r
    for v in VECTORS:
        got = r.verdicts[v["id"]]
        if v["verdict"] == "valid":
            assert got == "fail", v["id"]
        elif v["verdict"] == "invalid":
            assert got == ("pass" if "invalid_value" in v["errors"] else "non-strict"), v["id"]
        else:
            assert got == "implementation-defined", v["id"]
    recs = {x["id"]: x for x in r.results["results"]}
    assert all(recs[v]["outcome"] == "rejected" for v in IDS if BY_ID[v]["verdict"] == "implementation-defined")


def test_wrong_class_is_non_strict_not_failure(run_suite):
    r = run_suite(saboteur("wrong-class"))
    assert r.rc == 0, r
    for v in VECTORS:
        if v["verdict"] == "invalid":
            assert r.verdicts[v["id"]] == "non-strict", v["id"]
            rec = next(x for x in r.results["results"] if x["id"] == v["id"])
            assert rec["class"] == "overflow"
    assert r.results["counts"]["non-strict"] == sum(v["verdict"] == "invalid" for v in VECTORS)


@pytest.mark.parametrize("mode,args,period,kind", [
    ("crash", ["--after", "5"], 6, "crash"),
    ("garbage", ["--every", "4"], 4, "garbage"),
    ("wrong-id", ["--every", "7"], 7, "wrong-id"),
    ("hang", ["--after", "9"], 10, "timeout"),
])
def test_faults_are_charged_to_one_vector_and_the_adapter_restarts(run_suite, mode, args, period, kind):
    r = run_suite(saboteur(mode, *args), "--timeout", "0.3")
    assert r.rc == 1, r
    order = [x["id"] for x in r.results["results"]]
    assert order == IDS
    hit = {vid for i, vid in enumerate(order, 1) if i % period == 0}
    for i, vid in enumerate(order, 1):
        rec = r.results["results"][i - 1]
        if vid in hit:
            assert rec["verdict"] == "fail", (vid, rec)
            assert f"adapter {kind}" in rec["reason"], rec
        else:
            assert rec["verdict"] == honest_verdict(BY_ID[vid]), (vid, rec)
    assert r.results["restarts"] == len(hit)


@pytest.mark.parametrize("impl", [
    saboteur("bad-hello"),
    saboteur("die"),
    "conformance-no-such-adapter-command",
])
def test_handshake_failures_are_harness_errors(run_suite, impl):
    r = run_suite(impl)
    assert r.rc == 2, r
    assert "harness error" in r.out


def test_adapter_that_stops_answering_aborts_as_harness_error(run_suite):
    r = run_suite(saboteur("hang", "--after", "0"), "--timeout", "0.2")
    assert r.rc == 2, r
    assert "stopped answering" in r.out
    assert [x["verdict"] for x in r.results["results"]] == ["fail"] * 3


def test_missing_features_are_unsupported_never_passed(run_suite):
    r = run_suite(saboteur("honest", "--features", "stateful,etag"))
    assert r.rc == 0, r
    for v in VECTORS:
        want = honest_verdict(v) if v["feature"] in ("stateful", "etag") else "unsupported"
        assert r.verdicts[v["id"]] == want, v["id"]
    assert r.results["counts"]["unsupported"] == sum(v["feature"] not in ("stateful", "etag") for v in VECTORS)
    assert "skipped" in r.out


def test_strict_verdicts_fail_only_within_the_declared_capabilities(run_suite):
    # undeclared features are unsupported, never failures
    r = run_suite(saboteur("honest", "--features", "stateful"), "--strict-verdicts")
    assert r.rc == 0, r
    assert r.results["counts"]["unsupported"] == sum(v["feature"] != "stateful" for v in VECTORS)
    # "unsupported" answered to a declared vector is a failure under --strict-verdicts
    r = run_suite(saboteur("refuse", "--features", "etag"), "--strict-verdicts", "--area", "etag")
    assert r.rc == 1, r
    r = run_suite(saboteur("refuse", "--features", "etag"), "--area", "etag")
    assert r.rc == 0, r
    assert "unsupported within the declared capabilities: 3" in r.out
    # non-strict error classes are failures under --strict-verdicts
    r = run_suite(saboteur("wrong-class"), "--strict-verdicts", "--area", "etag")
    assert r.rc == 1, r


def test_no_vectors_is_a_harness_error(run_suite, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_suite(saboteur("honest"), vectors=empty)
    assert r.rc == 2, r
    assert "no vector files" in r.out
