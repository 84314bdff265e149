#!/bin/sh
# Lints the repository's automation: actionlint over the given workflow
# files (with shellcheck over every `run:` script), shellcheck over the given
# shell scripts. Then proves that the lint can fail: actionlint must reject a
# deliberately broken workflow with the expected findings, among them one
# from shellcheck, so that a linter that checks nothing cannot pass.
#
#   scripts/check_workflows.sh ACTIONLINT SHELLCHECK WORKFLOW.yml... -- SCRIPT...
set -eu
actionlint=$1; shellcheck=$2; shift 2
workflows=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do workflows="$workflows $1"; shift; done
[ $# -gt 0 ] && shift
[ -n "$workflows" ] || { echo "workflows-check: no workflow files given" >&2; exit 2; }
command -v "$shellcheck" >/dev/null 2>&1 || {
    echo "workflows-check: $shellcheck not found (scripts/bootstrap.sh installs it)" >&2; exit 2; }

# -pyflakes= : no step runs Python inline; shellcheck is passed explicitly so
# that a missing one is an error rather than a silently skipped check.
# shellcheck disable=SC2086 # the file list is split on purpose
"$actionlint" -shellcheck="$shellcheck" -pyflakes= $workflows
echo "workflows-check: actionlint passed:$workflows"
if [ $# -gt 0 ]; then
    "$shellcheck" "$@"
    echo "workflows-check: shellcheck passed: $*"
fi

# Negative self-test.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/broken.yml" <<'YAML'
name: broken on purpose
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    needs: no-such-job
    steps:
      - run: echo ${{ github.no_such_property }}
      - run: echo $UNQUOTED
YAML
rc=0
"$actionlint" -shellcheck="$shellcheck" -pyflakes= -no-color "$tmp/broken.yml" >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" -ne 1 ]; then
    cat "$tmp/out" >&2
    echo "workflows-check: SELF-TEST FAILED: actionlint exited $rc on a broken workflow (expected 1)" >&2
    exit 1
fi
for rule in '[job-needs]' '[expression]' '[shellcheck]'; do
    grep -qF "$rule" "$tmp/out" || {
        cat "$tmp/out" >&2
        echo "workflows-check: SELF-TEST FAILED: no $rule finding on the broken workflow" >&2
        exit 1
    }
done
echo "workflows-check: self-test passed (a broken workflow is rejected: job-needs, expression, shellcheck)"
