"""When the driver starts and what it sends: it is forked before pytest
collects, and sends nothing outside the final selection unless the run's own
options decide that selection (then it starts at once, and a plugin that
deselects later makes the runner start over with exactly what was collected)."""

import json
import os
import subprocess
import sys
import textwrap

from conftest import FIXTURES, fixture_vectors, saboteur

CLI = [sys.executable, "-m", "lpsp_conformance", "run"]


def _records(results):
    """Per vector, everything but the time it took."""
    return [{k: v for k, v in r.items() if k != "time_ms"} for r in results["results"]]


def test_keyword_selection_sends_only_the_selected_vectors(run_suite, tmp_path):
    log = tmp_path / "requests.txt"
    r = run_suite(saboteur("honest", "--log", str(log)), "-k", "subscribe or etag")
    assert r.rc == 0, r
    sent = log.read_text().split()
    assert sent == [x["id"] for x in r.results["results"]]
    assert sent and all("subscribe" in i or "etag" in i for i in sent)
    everything = [v["id"] for v in fixture_vectors() if not v.get("deprecated")]
    assert len(sent) < len(everything)


def test_a_run_decided_by_its_options_matches_one_selected_after_collection(run_suite, tmp_path):
    # the whole suite (driver started at once) and the whole suite selected by
    # a glob (driver waits for pytest's selection): the same requests, in the
    # same order, and the same records
    logs = [tmp_path / "all.txt", tmp_path / "glob.txt"]
    a = run_suite(saboteur("wrong-class", "--log", str(logs[0])))
    b = run_suite(saboteur("wrong-class", "--log", str(logs[1])), "--id", "fx-*")
    assert a.rc == b.rc == 0, (a, b)
    assert a.results["counts"]["non-strict"] > 0
    assert logs[0].read_text() == logs[1].read_text()
    assert _records(a.results) == _records(b.results)
    assert a.results["counts"] == b.results["counts"]


def test_a_plugin_that_deselects_after_the_driver_started(run_suite, tmp_path):
    # registered after the runner's pytest_configure, so the driver starts with
    # the selection the options make; the runner notices that pytest collected
    # less and runs exactly what it collected
    (tmp_path / "late_deselect.py").write_text(textwrap.dedent("""
        import pytest

        class Late:
            def pytest_collection_modifyitems(self, config, items):
                keep = [i for i in items if i.name != "fx-etag-empty"]
                config.hook.pytest_deselected(items=[i for i in items if i.name == "fx-etag-empty"])
                items[:] = keep

        @pytest.hookimpl(trylast=True)
        def pytest_configure(config):
            state = config.pluginmanager.get_plugin("lpsp-conformance-session")
            with open(config.getoption("lpsp_results") + ".mode", "w") as f:
                f.write("speculative" if state.driver.plan.speculative else "gated")
            config.pluginmanager.register(Late(), "late-deselect")
    """))
    results = tmp_path / "results.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([*CLI, "--impl", saboteur("honest"), "--vectors", str(FIXTURES), "--results", str(results),
                        "-p", "late_deselect"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=env, timeout=120)
    assert p.returncode == 0, p.stdout
    assert (tmp_path / "results.json.mode").read_text() == "speculative"
    doc = json.loads(results.read_text())
    ids = [x["id"] for x in doc["results"]]
    everything = [v["id"] for v in fixture_vectors() if not v.get("deprecated")]
    assert "fx-etag-empty" not in ids
    assert sorted(ids) == sorted(set(everything) - {"fx-etag-empty"})
    full = {x["id"]: x for x in _records(run_suite(saboteur("honest")).results)}
    assert _records(doc) == [full[i] for i in ids]


def test_a_broken_vector_file_is_a_harness_error_whoever_reads_it(run_suite, tmp_path):
    # the driver reads the files before pytest does (pytest collects from its
    # manifests): a broken file is reported the same way, naming the file
    import shutil
    vdir = tmp_path / "vectors"
    shutil.copytree(FIXTURES, vdir)
    doc = json.loads((vdir / "etag.json").read_text())
    doc["vectors"].append(dict(doc["vectors"][0]))
    (vdir / "etag.json").write_text(json.dumps(doc))
    for args in ((), ("--id", "fx-etag-empty"), ("--collect-only",)):
        r = run_suite(saboteur("honest"), *args, vectors=vdir)
        assert r.rc == 2, (args, r)
        assert "etag.json: duplicate vector id" in r.out, (args, r)
        assert "1 error" in r.out and "ERROR collecting auth.json" not in r.out, (args, r)
        assert r.results is None or not r.results.get("results"), args


def test_failures_of_a_run_collected_from_manifests_show_the_whole_vector(run_suite):
    # passes travel as a line of words; a failure brings its vector along, so
    # that the report and the record show the input and the expectation
    r = run_suite(saboteur("wrong-bytes"))
    assert r.rc == 1, r
    by_id = {v["id"]: v for v in fixture_vectors()}
    failed = [x for x in r.results["results"] if x["verdict"] == "fail"]
    assert failed
    for x in failed:
        assert x["input"] == by_id[x["id"]]["input"]
        assert "expected" in x and "actual" in x
    assert f"input:       {json.dumps(failed[0]['input'], separators=(',', ':'))}" in r.out


def test_a_manifest_holds_what_collection_and_pass_records_need():
    # what pytest knows of a vector collected from a manifest: the same id,
    # feature, op, verdict, area, deprecation and check family as the file's
    from lpsp_conformance.driver import doc_of_manifest, manifest_of
    from lpsp_conformance.scope import family
    from lpsp_conformance.vectors import default_vectors_dir, load_file, vector_files
    for d in (FIXTURES, default_vectors_dir()):
        for p in vector_files(d):
            doc = load_file(p)
            back = doc_of_manifest(json.loads(json.dumps(manifest_of(p, doc))))
            assert back["area"] == doc["area"] and back["suite_version"] == doc.get("suite_version")
            assert [(b["id"], b["feature"], b["op"], b["verdict"], b["_area"], b["_family"], bool(b.get("deprecated")))
                    for b in back["vectors"]] == \
                   [(v["id"], v.get("feature"), v.get("op"), v.get("verdict"), v["_area"], family(v),
                     bool(v.get("deprecated"))) for v in doc["vectors"]], p
