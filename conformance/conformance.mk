# Conformance suite: runner, adapters, self-test, reports.
#   make conformance                  C reference, then the Python reference lonelypsp
#   make conformance IMPL='<command>' any adapter (testee protocol v1)
#   make report                       cross-implementation matrix from reports/results-*.json
#   make conformance-check            self-test + C run (strict, no expected failures) + lonelypsp run

CONF_RUN   := $(PY) conformance/run.py
# Extra runner options, e.g. CONF_ARGS='--area etag -k hmac' or CONF_ARGS='--vectors DIR'.
CONF_ARGS  ?=
CONF_C     := --impl '$(BUILD)/lpsp testee' --impl-name c

.PHONY: conformance conformance-c conformance-lonelypsp conformance-selftest conformance-check report

ifeq ($(strip $(IMPL)),)
conformance: $(BOOT) $(BUILD)/lpsp
	@status=0; \
	echo "== conformance: C reference ($(BUILD)/lpsp testee)"; \
	$(CONF_RUN) $(CONF_C) $(CONF_ARGS) || status=$$?; \
	echo "== conformance: Python reference (lonelypsp)"; \
	if msg=$$($(PY) conformance/adapters/lonelypsp_adapter.py --check 2>&1); then \
	  $(CONF_RUN) --impl lonelypsp $(CONF_ARGS) || { rc=$$?; [ $$status -ne 0 ] || status=$$rc; }; \
	else \
	  echo "conformance: SKIPPING lonelypsp: $$msg"; \
	  echo "conformance: (install it with scripts/bootstrap.sh, or set LONELYPSP_SRC to a source checkout)"; \
	fi; \
	PYTHONPATH=conformance $(PY) -m lpsp_conformance.report || true; \
	echo "== conformance: reports: reports/results-*.json, reports/matrix.md, reports/matrix.html"; \
	exit $$status
else
conformance: $(BOOT)
	@$(CONF_RUN) --impl '$(IMPL)' $(CONF_ARGS)
endif

report: $(BOOT)
	@PYTHONPATH=conformance $(PY) -m lpsp_conformance.report

# The runner's self-test does not need the C codec or the real vectors: it
# runs saboteur adapters over conformance/tests/fixtures/vectors.
conformance-selftest: $(BOOT)
	$(PY) -m pytest -q -p no:cacheprovider --ignore-glob='conformance/tests/test_peer_*' conformance/tests

conformance-check: conformance-selftest $(BUILD)/lpsp
	@test ! -e conformance/expected-failures/c.txt || \
	  { echo "conformance-check: the C reference must have no expected failures" >&2; exit 1; }
	$(CONF_RUN) $(CONF_C) --strict-verdicts --expected-failures none
	$(CONF_RUN) --impl lonelypsp

CHECK_TARGETS += conformance-check
