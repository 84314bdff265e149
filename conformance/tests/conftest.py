"""Helpers for the runner's self-test: run the suite as a user would."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CONFORMANCE = HERE.parent
FIXTURES = HERE / "fixtures" / "vectors"
SABOTEUR = CONFORMANCE / "adapters" / "saboteurs" / "saboteur.py"


def fixture_vectors():
    """All fixture vectors in run order (area order, then file order)."""
    from lpsp_conformance.vectors import load_all
    return load_all(FIXTURES)


class Run:
    def __init__(self, rc, out, results):
        self.rc = rc
        self.out = out
        self.results = results

    @property
    def verdicts(self):
        return {r["id"]: r["verdict"] for r in self.results["results"]} if self.results else {}

    def __repr__(self):
        return f"<Run rc={self.rc}>\n{self.out[-3000:]}"


@pytest.fixture
def run_suite(tmp_path):
    counter = [0]

    def run(impl, *args, vectors=FIXTURES, timeout=120):
        counter[0] += 1
        results = tmp_path / f"results-{counter[0]}.json"
        cmd = [sys.executable, "-m", "lpsp_conformance", "run", "--impl", impl, "--vectors", str(vectors),
               "--results", str(results), *args]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        doc = json.loads(results.read_text()) if results.exists() else None
        return Run(p.returncode, p.stdout, doc)

    return run


def saboteur(mode, *args):
    return f"{sys.executable} {SABOTEUR} {mode} " + " ".join(args)
