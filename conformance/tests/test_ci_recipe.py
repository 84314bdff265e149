"""The implementers' CI recipe (examples/ci/): the GitHub Actions workflow
and the plain shell script run the same commands, in the same order, and
install the suite's own version by default."""

import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "examples" / "ci"
WORKFLOW = RECIPE / "github-actions.yml"
SCRIPT = RECIPE / "lpsp-conformance.sh"

# Lines that only the script has: shell options, and keeping the run's exit
# status while the reports are still built (the workflow does that with
# `if: always()` on the report step).
SCRIPT_ONLY = ["set -eu", "set +e", 'status=$?', "set -e", 'exit "$status"']


def workflow():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps():
    return [step for job in workflow()["jobs"].values() for step in job["steps"]]


def command_lines(text):
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def workflow_commands():
    return [line for step in steps() if "run" in step for line in command_lines(step["run"])]


def script_lines():
    return command_lines(SCRIPT.read_text(encoding="utf-8"))


def script_commands():
    return [line for line in script_lines() if line not in SCRIPT_ONLY]


def pyproject_version():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'^version = "([^"]+)"', text, re.M)
    assert m, "no version line in pyproject.toml"
    return m.group(1)


def test_workflow_and_script_run_the_same_commands_in_order():
    assert workflow_commands() == script_commands()


def test_script_only_lines_are_the_options_and_the_saved_status():
    lines = script_lines()
    assert [line for line in lines if line in SCRIPT_ONLY] == SCRIPT_ONLY
    # the run is the one command whose failure does not stop the script
    run = lines.index("set +e") + 1
    assert lines[run].startswith(".lpsp-venv/bin/lpsp-conformance run ")
    assert lines[run + 1:run + 3] == ['status=$?', "set -e"]
    assert lines[-2].startswith(".lpsp-venv/bin/lpsp-conformance report ")
    assert lines[-1] == 'exit "$status"'


def test_commands_use_the_cli_interface():
    cmds = workflow_commands()
    assert '.lpsp-venv/bin/pip install "$LPSP_CONFORMANCE_SPEC"' in cmds
    # results-impl.json, the name `report` reads (results-*.json)
    assert (".lpsp-venv/bin/lpsp-conformance run --impl \"$LPSP_IMPL\" "
            "--impl-name impl --junitxml reports/junit.xml") in cmds
    assert ".lpsp-venv/bin/lpsp-conformance report --results-dir reports --out reports" in cmds
    assert cmds.index("mkdir -p reports") < len(cmds) - 2


def test_default_spec_pins_the_suite_version():
    want = f"lpsp-conformance=={pyproject_version()}"
    for path in (WORKFLOW, SCRIPT):
        pins = re.findall(r"lpsp-conformance==[^\s\"'}]+", path.read_text(encoding="utf-8"))
        assert pins and set(pins) == {want}, (path.name, pins, want)
    assert f': "${{LPSP_CONFORMANCE_SPEC:={want}}}"' in script_commands()
    assert workflow()["jobs"]["conformance"]["env"]["LPSP_CONFORMANCE_SPEC"] == want


def test_workflow_actions_and_report_steps():
    uses = [s["uses"] for s in steps() if "uses" in s]
    assert "actions/setup-python@v5" in uses and "actions/upload-artifact@v4" in uses
    setup = next(s for s in steps() if s.get("uses") == "actions/setup-python@v5")
    assert str(setup["with"]["python-version"]) == "3.11"
    report = next(s for s in steps() if "lpsp-conformance report" in s.get("run", ""))
    assert "always()" in report["if"]
    upload = next(s for s in steps() if s.get("uses") == "actions/upload-artifact@v4")
    assert "always()" in upload["if"] and upload["with"]["path"].rstrip("/") == "reports"


def test_script_stops_with_a_clear_message_without_LPSP_IMPL(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LPSP_IMPL"}
    p = subprocess.run(["sh", str(SCRIPT)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "LPSP_IMPL" in p.stderr and "adapter" in p.stderr, p.stderr
    assert list(tmp_path.iterdir()) == []  # nothing installed or written


def test_script_is_valid_posix_sh():
    p = subprocess.run(["sh", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
