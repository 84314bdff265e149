# Conformance suite: runner, adapters, self-test, reports.
#   make conformance                  C reference, then the Python reference lonelypsp
#   make conformance IMPL='<command>' any adapter (testee protocol v1); IMPL reaches the runner
#                                     through the environment, intact whatever its quoting
#   make report                       cross-implementation matrix from reports/results-*.json
#   make conformance-check            self-test + C run (strict, no expected failures) + lonelypsp run
#   make dist                         sdist and wheel of the lpsp-conformance distribution (dist/)
#   make bench-conformance            vectors per second of the runner against build/lpsp testee
#
# Make turns any failing recipe into its own exit status 2; the command
# itself (.venv/bin/lpsp-conformance run) exits 1 for conformance failures
# and 2 for a harness error (see conformance/README.md).

CONF       := .venv/bin/lpsp-conformance
# Extra runner options, e.g. CONF_ARGS='--area etag -k hmac' or CONF_ARGS='--id ID'.
CONF_ARGS  ?=
export IMPL
LPSP ?= $(abspath $(BUILD)/lpsp)
export LPSP

.PHONY: conformance conformance-selftest conformance-check report dist dist-check bench-conformance

ifeq ($(strip $(IMPL)),)
conformance: $(BOOT) $(BUILD)/lpsp
	@status=0; \
	echo "== conformance: C reference ($(BUILD)/lpsp testee)"; \
	$(CONF) run --impl c $(CONF_ARGS) || status=$$?; \
	echo "== conformance: Python reference (lonelypsp)"; \
	if msg=$$($(PY) -m lpsp_conformance.adapters.lonelypsp --check 2>&1); then \
	  $(CONF) run --impl lonelypsp $(CONF_ARGS) || { rc=$$?; [ $$status -ne 0 ] || status=$$rc; }; \
	else \
	  echo "conformance: SKIPPING lonelypsp: $$msg"; \
	  echo "conformance: (install it with scripts/bootstrap.sh, or set LONELYPSP_SRC to a source checkout)"; \
	fi; \
	$(CONF) report || true; \
	echo "== conformance: reports: reports/results-*.json, reports/matrix.md, reports/matrix.html"; \
	exit $$status
else
conformance: $(BOOT)
	@$(CONF) run --impl "$$IMPL" $(CONF_ARGS)
endif

report: $(BOOT)
	@$(CONF) report

# The runner's self-test does not need the C codec or the real vectors: it
# runs saboteur adapters over conformance/tests/fixtures/vectors.
conformance-selftest: $(BOOT)
	$(PY) -m pytest -q -p no:cacheprovider --ignore-glob='conformance/tests/test_peer_*' \
	  --ignore=conformance/tests/test_dist.py conformance/tests

conformance-check: conformance-selftest $(BUILD)/lpsp
	@test ! -e conformance/expected-failures/c.txt || \
	  { echo "conformance-check: the C reference must have no expected failures" >&2; exit 1; }
	$(CONF) run --impl c --strict-verdicts --expected-failures none
	$(CONF) run --impl lonelypsp

# The distribution: an sdist and a wheel carrying the vectors (dist/).
dist: $(BOOT)
	@rm -rf dist $(BUILD)/dist-tmp
	$(PY) -m build --no-isolation --outdir dist . >$(BUILD)/dist.log 2>&1 || { cat $(BUILD)/dist.log; exit 1; }
	@ls -l dist

# The wheel installed into a fresh venv outside the checkout, run against
# build/lpsp testee and lonelypsp, and the implementer's CI recipe executed.
dist-check: dist $(BUILD)/lpsp
	LPSP_DIST_DIR=$(CURDIR)/dist $(PY) -m pytest -q -p no:cacheprovider conformance/tests/test_dist.py

bench-conformance: $(BOOT) $(BUILD)/lpsp
	$(PY) -m lpsp_conformance.bench --impl c

CHECK_TARGETS += conformance-check dist-check
