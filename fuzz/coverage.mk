# Coverage of codec/src (make fuzz-coverage): line and branch floors over
# everything that exercises the codec: the corpus and every vector input,
# replayed through the coverage builds of the fuzz targets, and the codec's
# unit tests (codec/tests/test_*.c, the libcrypto fault-injection test
# included), built against the same coverage-instrumented codec objects.
# The profiles of all of them are merged before the floors are checked.

# Coverage floors of `make fuzz-coverage` (percent of codec/src): the line
# bar, and the branch bar, so that coverage cannot fall back unnoticed.
COV_LINES_FLOOR    ?= 95
COV_BRANCHES_FLOOR ?= 98

# Unit tests against the coverage build of the codec ($(FZ)/cov/codec/*.o).
# test_faults also links the fault shim and wraps the libcrypto calls
# (FAULT_SRCS, FAULT_LDFLAGS from codec/codec.mk).
FZ_COV_TESTS     := $(patsubst codec/tests/%.c,%,$(sort $(wildcard codec/tests/test_*.c)))
FZ_COV_CODEC_OBJ := $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/cov/codec/%.o)
FZ_COV_TEST_SRCS_test_faults := $(FAULT_SRCS)
FZ_COV_TEST_LD_test_faults   := $(FAULT_LDFLAGS)
$(FZ)/cov/tests/%: codec/tests/%.c $(wildcard codec/tests/*.h codec/tests/fault_*.c) $(FZ_COV_CODEC_OBJ) $(FZ_HDRS) | $(BOOT)
	@mkdir -p $(@D)
	$(FZ_CC_cov) $(filter-out -O2,$(ALL_CFLAGS)) -O0 -g -Icodec/src -o $@ $< $(FZ_COV_TEST_SRCS_$*) \
	  $(FZ_COV_CODEC_OBJ) -fprofile-instr-generate $(FZ_COV_TEST_LD_$*) $(LDLIBS_CRYPTO)

# Every libcrypto function the codec calls is either wrapped by the fault
# shim or has no failure to inject (FAULT_WRAP, FAULT_NOFAIL in codec.mk).
FZ_CRYPTO_SYMS = $$(nm -u $(FZ_COV_CODEC_OBJ) | awk '{print $$NF}' | \
  grep -E '^(EVP_|HMAC|SHA[0-9]|CRYPTO_|OPENSSL_|OSSL_|RAND_|ERR_|BIO_)' | sort -u)
fuzz-fault-wrap-check: $(FZ_COV_CODEC_OBJ)
	@missing=$$(for s in $(FZ_CRYPTO_SYMS); do case " $(FAULT_WRAP) $(FAULT_NOFAIL) " in \
	  *" $$s "*) ;; *) echo $$s;; esac; done); \
	  if [ -n "$$missing" ]; then echo "fuzz-coverage: libcrypto calls of the codec without a fault wrapper:" \
	    $$missing "(add them to FAULT_WRAP and codec/tests/fault_shim.c, or to FAULT_NOFAIL)" >&2; exit 1; fi
.PHONY: fuzz-fault-wrap-check

# llvm-cov: the first binary is positional, the others follow -object.
FZ_COV_BINS    = $(FUZZ_TARGETS:%=$(FZ)/cov/%) $(FZ_COV_TESTS:%=$(FZ)/cov/tests/%)
FZ_COV_OBJECTS = $(firstword $(FZ_COV_BINS)) $(foreach b,$(wordlist 2,999,$(FZ_COV_BINS)),-object $(b))
fuzz-coverage: fuzz-fault-wrap-check $(FZ_COV_BINS) $(FZ)/vector-inputs/.stamp
	@rm -rf $(FZ)/cov/profiles && mkdir -p $(FZ)/cov/profiles
	@set -e; for t in $(FUZZ_TARGETS); do \
	  LLVM_PROFILE_FILE=$(FZ)/cov/profiles/$$t.profraw $(FZ)/cov/$$t -q corpus/$$t $(FZ)/vector-inputs/$$t \
	    $$(ls -d corpus/grown/$$t fuzz/regressions/$$t 2>/dev/null) 2>/dev/null; done
	@set -e; for t in $(FZ_COV_TESTS); do \
	  LLVM_PROFILE_FILE=$(FZ)/cov/profiles/test-$$t.profraw $(FZ)/cov/tests/$$t >$(FZ)/cov/profiles/test-$$t.log 2>&1 || \
	    { cat $(FZ)/cov/profiles/test-$$t.log >&2; echo "fuzz-coverage: unit test $$t failed" >&2; exit 1; }; done
	$(LLVM_PROFDATA) merge -sparse $(FZ)/cov/profiles/*.profraw -o $(FZ)/cov/all.profdata
	$(LLVM_COV) export $(FZ_COV_OBJECTS) -instr-profile=$(FZ)/cov/all.profdata -skip-expansions \
	  $(FZ_CODEC_SRCS) > $(FZ)/cov/codec-coverage.json
	@$(LLVM_COV) show $(FZ_COV_OBJECTS) -instr-profile=$(FZ)/cov/all.profdata \
	  -format=text -show-line-counts-or-regions -show-branches=count $(FZ_CODEC_SRCS) > $(FZ)/cov/codec-coverage.txt
	@echo "fuzz-coverage: annotated sources in $(FZ)/cov/codec-coverage.txt"
	$(FZ_PY) fuzz/coverage_gate.py --lines $(COV_LINES_FLOOR) --branches $(COV_BRANCHES_FLOOR) $(FZ)/cov/codec-coverage.json
