# Coverage of codec/src (make fuzz-coverage): line and branch floors over
# the corpus and every vector input, replayed through the coverage builds.

# Coverage floors of `make fuzz-coverage` (percent of codec/src, from the
# corpus and vector inputs): the line bar, and the branch level reached when
# the gate was set, so that coverage cannot fall back unnoticed.
COV_LINES_FLOOR    ?= 95
COV_BRANCHES_FLOOR ?= 85
# llvm-cov: the first binary is positional, the others follow -object.
FZ_COV_OBJECTS = $(FZ)/cov/$(firstword $(FUZZ_TARGETS)) $(foreach t,$(wordlist 2,999,$(FUZZ_TARGETS)),-object $(FZ)/cov/$(t))
fuzz-coverage: $(FUZZ_TARGETS:%=$(FZ)/cov/%) $(FZ)/vector-inputs/.stamp
	@rm -rf $(FZ)/cov/profiles && mkdir -p $(FZ)/cov/profiles
	@set -e; for t in $(FUZZ_TARGETS); do \
	  LLVM_PROFILE_FILE=$(FZ)/cov/profiles/$$t.profraw $(FZ)/cov/$$t -q corpus/$$t $(FZ)/vector-inputs/$$t \
	    $$(ls -d corpus/grown/$$t fuzz/regressions/$$t 2>/dev/null) 2>/dev/null; done
	$(LLVM_PROFDATA) merge -sparse $(FZ)/cov/profiles/*.profraw -o $(FZ)/cov/all.profdata
	$(LLVM_COV) export $(FZ_COV_OBJECTS) -instr-profile=$(FZ)/cov/all.profdata -skip-expansions \
	  $(FZ_CODEC_SRCS) > $(FZ)/cov/codec-coverage.json
	$(FZ_PY) fuzz/coverage_gate.py --lines $(COV_LINES_FLOOR) --branches $(COV_BRANCHES_FLOOR) $(FZ)/cov/codec-coverage.json
	@$(LLVM_COV) show $(FZ_COV_OBJECTS) -instr-profile=$(FZ)/cov/all.profdata \
	  -format=text -show-line-counts-or-regions $(FZ_CODEC_SRCS) > $(FZ)/cov/codec-coverage.txt
	@echo "fuzz-coverage: annotated sources in $(FZ)/cov/codec-coverage.txt"

