"""The Python reference adapter answers the fixture vectors with lonelypsp's own code."""

import json
import subprocess
import sys

from conftest import fixture_vectors

ADAPTER = [sys.executable, "-m", "lpsp_conformance.adapters.lonelypsp"]


def test_reference_passes_the_fixtures(run_suite):
    r = run_suite("lonelypsp")
    assert r.rc == 0, r
    assert r.results["impl"]["adapter"] == "lonelypsp"
    for v in fixture_vectors():
        got = r.verdicts[v["id"]]
        if v["feature"] == "stateless":
            assert got == "unsupported", v["id"]          # no stateless code in lonelypsp
        elif v["verdict"] == "implementation-defined":
            rec = next(x for x in r.results["results"] if x["id"] == v["id"])
            assert (got, rec.get("outcome")) == ("implementation-defined", "reference"), v["id"]
        else:
            assert got == "pass", v["id"]


def _ask(*reqs, env=None):
    lines = "".join(json.dumps(r) + "\n" for r in reqs)
    p = subprocess.run(ADAPTER, input=lines, capture_output=True, text=True, env=env,
                       timeout=60)
    return [json.loads(x) for x in p.stdout.splitlines()]


def test_error_classes_come_from_the_reference_exceptions():
    exp = "0000000200020009" + b"x-tracing".hex() + "0000" + "0005" + b"X-Top".hex() + "0000"
    resps = _ask(
        {"id": 1, "op": "decode", "input": {"direction": "s2b", "hex": "000100"}},
        {"id": 2, "op": "decode", "input": {"direction": "s2b", "hex": "0001ffff"}},
        {"id": 3, "op": "decode", "input": {"direction": "s2b", "hex": exp}},
        {"id": 4, "op": "decode", "input": {"direction": "s2b", "hex": "000000020001" + "0001ff0000"}},
        {"id": 5, "op": "stateless_decode", "input": {"body": "RESPONSE_GENERIC", "hex": "000300000000"}},
    )
    assert [r["id"] for r in resps] == [1, 2, 3, 4, 5]
    assert [r.get("error") for r in resps[:4]] == ["truncated", "bad_type", "missing_header", "bad_header_name"]
    assert resps[4]["status"] == "unsupported"


def test_source_checkout_override(tmp_path):
    import os
    fake = tmp_path / "src" / "lonelypsp"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('this checkout is broken on purpose')\n")
    env = dict(os.environ, LONELYPSP_SRC=str(tmp_path))
    (hello,) = _ask({"id": 0, "op": "hello", "protocol": 1}, env=env)
    assert hello["status"] != "ok" and "broken on purpose" in hello["detail"]


def test_source_checkout_is_used_alone(tmp_path):
    """A checkout laid out like the upstream repository (src/lonelypsp, a
    namespace package, pyproject.toml) replaces the installed copy entirely,
    even though namespace portions would otherwise merge."""
    import os
    import shutil

    import lonelypsp
    installed = next(iter(lonelypsp.__path__))
    shutil.copytree(installed, tmp_path / "src" / "lonelypsp", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lonelypsp"\nversion = "9.9.9"\n')
    env = dict(os.environ, LONELYPSP_SRC=str(tmp_path))
    hello, dec = _ask({"id": 0, "op": "hello", "protocol": 1},
                      {"id": 1, "op": "decode", "input": {"direction": "s2b",
                                                          "hex": "00010002000000000007666f6f2f626172"}},
                      env=env)
    assert hello["status"] == "ok", hello
    assert hello["output"]["version"] == f"9.9.9+source ({tmp_path / 'src'})"
    assert dec["status"] == "ok" and dec["output"]["topic"] == "666f6f2f626172", dec

    # a module only the installed copy has must not leak in
    os.remove(tmp_path / "src" / "lonelypsp" / "stateful" / "parser.py")
    (hello,) = _ask({"id": 0, "op": "hello", "protocol": 1}, env=env)
    assert hello["status"] != "ok" and "parser" in hello["detail"], hello
