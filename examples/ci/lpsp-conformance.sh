#!/bin/sh
# lonelypsp conformance for your implementation, in any CI: installs the
# conformance suite into a virtual environment, runs it against your adapter
# and builds the reports. The same steps, in the same order, as
# github-actions.yml beside this script.
#
#   LPSP_IMPL='./build/my-adapter' sh lpsp-conformance.sh
#
# Run it from your repository's root. Environment:
#   LPSP_IMPL              required: the command that starts your adapter
#                          (testee protocol v1)
#   LPSP_CONFORMANCE_SPEC  what pip installs; default lpsp-conformance==1.4.0
#                          (another version, or a wheel file)
# Writes reports/results-impl.json, reports/junit.xml and the matrix and heatmap
# of `lpsp-conformance report` to reports/. Exit status: the run's (0 all
# passed, 1 conformance failures, 2 harness error); the reports are built
# in every case.
set -eu

: "${LPSP_IMPL:?set LPSP_IMPL to the command that starts your adapter (testee protocol v1)}"
: "${LPSP_CONFORMANCE_SPEC:=lpsp-conformance==1.4.0}"
python3 -m venv .lpsp-venv
.lpsp-venv/bin/pip install "$LPSP_CONFORMANCE_SPEC"
mkdir -p reports

# the reports are built even when the run fails; its status is the script's
set +e
.lpsp-venv/bin/lpsp-conformance run --impl "$LPSP_IMPL" --impl-name impl --junitxml reports/junit.xml
status=$?
set -e
.lpsp-venv/bin/lpsp-conformance report --results-dir reports --out reports
exit "$status"
