"""Expected-failure files cannot rot."""

import re

from conftest import fixture_vectors, saboteur

from lpsp_conformance import expected as xf

VECTORS = fixture_vectors()
VALID = [v["id"] for v in VECTORS if v["verdict"] == "valid"]


def test_update_then_rerun_then_rot(run_suite, tmp_path):
    path = tmp_path / "wrong-bytes.txt"
    impl = saboteur("wrong-bytes", "--features", "stateful,etag")
    # 1. without a file the failures are unexpected
    r = run_suite(impl, "--expected-failures", str(path), "--update-expected-failures")
    assert r.rc == 0, r
    entries = xf.parse(path)
    failing = {x["id"] for x in r.results["results"] if x["verdict"] == "fail"}
    assert failing and set(entries) == failing
    assert all(reason == xf.TODO for reason in entries.values())

    # 2. explain one entry; a plain rerun passes with every failure expected
    first = sorted(entries)[0]
    text = path.read_text().replace(f"{first}  {xf.TODO}".replace("  ", " " * (2 + max(map(len, entries)) - len(first))),
                                    f"{first.ljust(max(map(len, entries)))}  QK-99: flips bytes on purpose")
    path.write_text(text)
    assert xf.parse(path)[first] == "QK-99: flips bytes on purpose"
    r = run_suite(impl, "--expected-failures", str(path))
    assert r.rc == 0, r
    assert "xfailed" in r.out
    assert all(x.get("expected_failure") for x in r.results["results"] if x["verdict"] == "fail")

    # 3. an entry naming no vector fails the run
    with open(path, "a") as f:
        f.write("fx-no-such-vector  QK-00: left over\n")
    r = run_suite(impl, "--expected-failures", str(path))
    assert r.rc == 1, r
    assert "stale expected-failure entries" in r.out and "fx-no-such-vector" in r.out
    assert r.results["stale_expected_failures"] == ["fx-no-such-vector"]

    # 4. updating drops it and keeps the explained reason
    r = run_suite(impl, "--expected-failures", str(path), "--update-expected-failures")
    assert r.rc == 0, r
    new = xf.parse(path)
    assert "fx-no-such-vector" not in new
    assert new[first] == "QK-99: flips bytes on purpose"
    assert set(new) == failing

    # 5. an implementation that now passes a listed vector fails the run
    r = run_suite(saboteur("honest", "--features", "stateful,etag"), "--expected-failures", str(path))
    assert r.rc == 1, r
    assert "unexpected pass" in r.out
    # pytest repeats failure text in its short summary, truncated or not
    # depending on the terminal and on CI variables: compare the ids named
    assert set(re.findall(r"unexpected pass \([^)]*\) of (\S+),", r.out)) == failing

    # 6. and updating empties the list
    r = run_suite(saboteur("honest", "--features", "stateful,etag"), "--expected-failures", str(path),
                  "--update-expected-failures")
    assert r.rc == 0, r
    assert xf.parse(path) == {}


def test_partial_run_keeps_entries_it_did_not_run(run_suite, tmp_path):
    path = tmp_path / "x.txt"
    impl = saboteur("wrong-bytes")
    assert run_suite(impl, "--expected-failures", str(path), "--update-expected-failures").rc == 0
    before = xf.parse(path)
    r = run_suite(saboteur("honest"), "--area", "etag", "--expected-failures", str(path),
                  "--update-expected-failures")
    assert r.rc == 0, r
    after = xf.parse(path)
    etag_ids = {v["id"] for v in VECTORS if v["_area"] == "etag"}
    assert set(after) == set(before) - etag_ids
    assert etag_ids & set(before)


def test_missing_named_file_is_a_harness_error(run_suite, tmp_path):
    r = run_suite(saboteur("honest"), "--expected-failures", str(tmp_path / "nope.txt"))
    assert r.rc == 2, r


def test_parse_rejects_bad_lines(tmp_path):
    import pytest
    p = tmp_path / "f.txt"
    for bad in ("Not_An_Id reason\n", "fx-a\n", "fx-a r\nfx-a r\n"):
        p.write_text(bad)
        with pytest.raises(xf.ExpectedFailuresError):
            xf.parse(p)
    p.write_text("# comment\n\nfx-a   QK-01: reason text\n")
    assert xf.parse(p) == {"fx-a": "QK-01: reason text"}


def test_updated_semantics():
    old = {"a": "QK-1", "b": "QK-2", "gone": "QK-3", "notrun": "QK-4"}
    new = xf.updated(old, ["a", "b", "c", "notrun"], {"a": True, "b": False, "c": True})
    assert new == {"a": "QK-1", "c": xf.TODO, "notrun": "QK-4"}
