# Differential testing: the C codec against the Python reference lonelypsp,
# over the seed corpora, the vectors' decode inputs and mutated messages, plus
# a serializer round trip (conformance/lpsp_conformance/differential/).
# Included by the top-level Makefile.
#   make differential [N=1000] [SEED=1] [ROUNDTRIP=20] [DIFF_ARGS='--impl A --impl B']
#   make differential-check      self-tests and a bounded run (part of make check)

DIFF_RUN       := $(PY) -m lpsp_conformance.differential
N              ?= 1000
SEED           ?= 1
ROUNDTRIP      ?= 20
DIFF_ARGS      ?=
DIFF_CHECK_N   ?= 400
DIFF_CHECK_RT  ?= 4

.PHONY: differential differential-test differential-check

differential: $(BOOT) $(BUILD)/lpsp
	$(DIFF_RUN) --n $(N) --seed $(SEED) --roundtrip $(ROUNDTRIP) $(DIFF_ARGS)

# Unit tests of the classifier, the inputs and the exit status (fake testees).
differential-test: $(BOOT) $(BUILD)/lpsp
	$(PY) -m pytest -q -p no:cacheprovider differential/tests

differential-check: differential-test
	$(DIFF_RUN) --n $(DIFF_CHECK_N) --seed 1 --roundtrip $(DIFF_CHECK_RT) \
	  --report $(BUILD)/differential-check.jsonl --summary $(BUILD)/differential-check-summary.json \
	  --proposals $(BUILD)/differential-check-proposals.json

CHECK_TARGETS += differential-check
