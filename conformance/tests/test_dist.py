"""The distribution as an implementer gets it: the wheel installed into a fresh
virtual environment outside the checkout, run against the C reference (by
path) and against lonelypsp with one command each, through the pytest entry
point, and through the CI recipe of examples/ci/.

The wheel comes from LPSP_DIST_DIR (make dist-check builds it) or is built
here. pip resolves the wheel's dependencies within requirements.txt's pins.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LPSP = Path(os.environ.get("LPSP") or ROOT / "build" / "lpsp").resolve()
VECTOR_COUNT = sum(1 for v in json.loads((ROOT / "vectors" / "stateful-s2b.json").read_text())["vectors"]
                   if not v.get("deprecated"))


def _wheel(tmp: Path) -> Path:
    d = os.environ.get("LPSP_DIST_DIR")
    if d:
        wheels = sorted(Path(d).glob("lpsp_conformance-*.whl"))
        assert wheels, f"no wheel in {d}; run make dist"
        return wheels[-1]
    out = tmp / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("*.whl"))


def _clean_env(**extra):
    """The user's environment: no project venv on PATH, nothing on PYTHONPATH."""
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if not p.startswith(str(ROOT)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "LPSP"))}
    env["PATH"] = path
    env.update(extra)
    return env


def _base_python() -> str:
    return getattr(sys, "_base_executable", None) or sys.executable


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not LPSP.exists():
        pytest.skip(f"{LPSP} is not built (make build/lpsp)")
    tmp = tmp_path_factory.mktemp("dist")
    wheel = _wheel(tmp)
    venv = tmp / "venv"
    subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    p = subprocess.run(pip + ["-c", str(ROOT / "requirements.txt"), f"{wheel}[reference]"],
                       capture_output=True, text=True, timeout=600, env=_clean_env())
    assert p.returncode == 0, p.stderr[-3000:]
    work = tmp / "work"
    work.mkdir()
    return venv, work, wheel


def _run(cmd, cwd, timeout=300, **env):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_clean_env(**env))


def test_installed_package_is_self_contained(installed):
    venv, work, _ = installed
    p = _run([str(venv / "bin" / "python"), "-c",
              "import lpsp_conformance, lpsp_conformance.data as d; "
              "print(lpsp_conformance.__file__); print(d.bundled()); print(d.vectors_dir())"], work)
    assert p.returncode == 0, p.stderr
    where, bundled, vdir = p.stdout.split()
    assert where.startswith(str(venv)) and bundled == "True" and vdir.startswith(str(venv))
    assert (Path(vdir) / "stateful-s2b.json").is_file()
    assert (Path(vdir).parent / "TESTEE-PROTOCOL.md").is_file()


def test_one_command_checks_the_c_reference(installed):
    venv, work, _ = installed
    p = _run([str(venv / "bin" / "lpsp-conformance"), "run", "--impl", f"{LPSP} testee",
              "--impl-name", "c", "--strict-verdicts"], work)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    doc = json.loads((work / "reports" / "results-c.json").read_text())
    assert doc["counts"]["fail"] == 0 and doc["counts"]["unsupported"] == 0
    assert sum(r["area"] == "stateful-s2b" for r in doc["results"]) == VECTOR_COUNT
    assert "stateful-s2b SUBSCRIBE_EXACT" in p.stdout


def test_one_command_checks_lonelypsp(installed):
    venv, work, _ = installed
    p = _run([str(venv / "bin" / "lpsp-conformance"), "run", "--impl", "lonelypsp"], work, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    doc = json.loads((work / "reports" / "results-lonelypsp.json").read_text())
    assert doc["impl"]["adapter"] == "lonelypsp" and doc["impl"]["version"].startswith("0.0.46")
    assert doc["expected_failures_file"] and doc["counts"]["pass"] > 20000


def test_pytest_entry_point_from_another_directory(installed):
    venv, work, _ = installed
    p = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
              f"--lpsp-impl={LPSP} testee", "--lpsp-id=s2b-subscribe-exact-min-basic",
              "--lpsp-id=b2s-missed-min-basic-trunc-000[0-4]", "--lpsp-results=none"], work)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "6 passed" in p.stdout, p.stdout[-2000:]
    # without --lpsp-impl the plugin does nothing
    (work / "test_nothing.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n")
    p = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_nothing.py"], work)
    assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout


def test_show_and_replay(installed):
    venv, work, _ = installed
    exe = str(venv / "bin" / "lpsp-conformance")
    p = _run([exe, "show", "s2b-subscribe-exact-min-basic"], work)
    assert p.returncode == 0, p.stderr
    assert '{"id":1,"vector":"s2b-subscribe-exact-min-basic","op":"decode"' in p.stdout
    p = _run([exe, "replay", "s2b-subscribe-exact-min-basic", "--impl", f"{LPSP} testee"], work)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "> {" in p.stdout and "< {" in p.stdout and "verdict:  pass" in p.stdout


def test_ci_recipe_script_runs_as_written(installed):
    """examples/ci/lpsp-conformance.sh, executed as an implementer would, with
    the wheel instead of the PyPI release."""
    _, _, wheel = installed
    repo = installed[1].parent / "implementer"
    repo.mkdir()
    p = _run(["sh", str(ROOT / "examples" / "ci" / "lpsp-conformance.sh")], repo, timeout=900,
             LPSP_IMPL=f"{LPSP} testee", LPSP_CONFORMANCE_SPEC=str(wheel),
             PIP_CONSTRAINT=str(ROOT / "requirements.txt"))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    junit = (repo / "reports" / "junit.xml").read_text()
    assert 'name="verdict"' in junit
    assert (repo / "reports" / "results-impl.json").is_file()
    assert (repo / "reports" / "matrix.html").is_file() and (repo / "reports" / "matrix.md").is_file()
