# Fuzz harness: libFuzzer, AFL++, replay and coverage builds of the same
# targets (fuzz/README.md). The target list is fuzz/targets.txt.
#
#   make fuzz-<target> [SECONDS=60]   libFuzzer (clang, ASan+UBSan, FZ_SAN below)
#   make afl-<target>  [SECONDS=60]   AFL++ (afl-clang-fast, ASan+UBSan, FZ_SAN below)
#   make fuzz-replay                  corpus + regressions + every vector input, gcc ASan+UBSan
#   make fuzz-coverage                line/branch coverage of codec/ from the same inputs, with floors
#   make fuzz-campaign SECONDS=N      every target, 2 in parallel, summary table
#                                     (FUZZ_FLAGS=-use_value_profile=1 adds libFuzzer flags;
#                                     FRESH=1 empties the work directories first, so every
#                                     target starts from the shipped seeds alone)
#   make corpus                       regenerate corpus/ and fuzz/dict/ from the vectors
#   make fuzz-grow                    fold a campaign's new coverage into corpus/grown/
#   make fuzz-crash-to-vector CRASH=file TARGET=name   case definition for the vector generator
#   make fuzz-check                   the CI gate (part of `make check`)

SECONDS      ?= 60
FZ           := $(BUILD)/fuzz
# llvm tools matching the clang in use (clang -print-prog-name finds them
# next to the compiler; a plain name on PATH otherwise).
LLVM_PROFDATA ?= $(shell p=$$(clang -print-prog-name=llvm-profdata 2>/dev/null); [ -x "$$p" ] && echo $$p || echo llvm-profdata)
LLVM_COV      ?= $(shell p=$$(clang -print-prog-name=llvm-cov 2>/dev/null); [ -x "$$p" ] && echo $$p || echo llvm-cov)
# One row per target: name:source:dict:enum,names (fuzz/targets.txt).
FZ_ROWS      := $(shell sed -e 's/\#.*//' fuzz/targets.txt | \
                  awk 'NF>=4{a=$$4; for(i=5;i<=NF;i++) a=a","$$i; print $$1":"$$2":"$$3":"a}')
FUZZ_TARGETS := $(foreach r,$(FZ_ROWS),$(firstword $(subst :, ,$(r))))
fz_row        = $(subst :, ,$(filter $(1):%,$(FZ_ROWS)))
fz_src        = fuzz/$(word 2,$(call fz_row,$(1)))
fz_defs       = -DFZ_TARGET=$(word 4,$(call fz_row,$(1)))
fz_dict       = fuzz/dict/$(word 3,$(call fz_row,$(1))).dict
# libFuzzer flags of a target's options file (max_len; ClusterFuzz reads the
# same file next to the binary).
fz_opts       = fuzz/options/$(1).options
fz_optflags   = $$(fuzz/options_flags.sh $(call fz_opts,$(1)))
# Extra libFuzzer flags for fuzz-<target>, fuzz-campaign and fuzz-smoke,
# e.g. FUZZ_FLAGS=-use_value_profile=1.
FUZZ_FLAGS   ?=

FZ_CODEC_SRCS := $(sort $(wildcard codec/src/*.c))
FZ_HDRS       := $(wildcard codec/include/*.h codec/include/lpsp/*.h codec/src/*.h fuzz/*.h)
# The harness: helpers, the independent §3 table, self-checks, oracles.
FZ_HARNESS_SRCS := fuzz/fz_common.c fuzz/fz_layout.c fuzz/fz_selfcheck.c \
                   fuzz/oracle_stateful.c fuzz/oracle_stateless.c fuzz/oracle_text.c
fz_harness_objs  = $(FZ_HARNESS_SRCS:fuzz/%.c=$(FZ)/$(1)/harness/%.o)
FZ_STD        := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Icodec/include -Icodec/src -Ifuzz
# ASan+UBSan. The fuzzing builds (clang: libFuzzer, AFL++) leave out two
# UBSan checks that OSS-Fuzz's UBSan build leaves out too: pointer-overflow
# (pointer arithmetic that wraps around or offsets NULL; the codec's bounds
# idiom compares lengths, never forms such a pointer) and alignment (the
# codec reads multi-byte values with shifts and memcpy). Every comparison
# these checks add is traced by the fuzzer (value profile, comparison
# hooks): together they triple the value-profile features per execution and
# halve the exec rate (fuzz/README.md, Speed). The gcc replay of every
# corpus input and vector, and the unit tests (gcc and clang), keep them.
FZ_NOSAN      := pointer-overflow,alignment
FZ_SAN_FULL   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FZ_SAN        := $(FZ_SAN_FULL) -fno-sanitize=$(FZ_NOSAN)
FZ_PY         := $(PY)

# Engines: compiler, flags for the codec, for the harness, for the target
# file, link flags, and the driver that provides main().
FZ_CC_libfuzzer      := clang
FZ_CODEC_libfuzzer   := $(FZ_SAN) -fsanitize=fuzzer-no-link
FZ_HARNESS_libfuzzer := $(FZ_SAN)
FZ_LINK_libfuzzer    := $(FZ_SAN) -fsanitize=fuzzer
FZ_MAIN_libfuzzer    :=
FZ_CC_afl            := afl-clang-fast
FZ_CODEC_afl         := $(FZ_SAN)
FZ_HARNESS_afl       := $(FZ_SAN)
FZ_LINK_afl          := $(FZ_SAN) -fsanitize=fuzzer
FZ_MAIN_afl          :=
FZ_CC_replay         := gcc
FZ_CODEC_replay      := $(FZ_SAN_FULL)
# Replay builds (FZ_REPLAY) run every oracle on every input and check every
# prefix; fuzzing builds sample on large inputs.
FZ_HARNESS_replay    := $(FZ_SAN_FULL) -DFZ_REPLAY
FZ_LINK_replay       := $(FZ_SAN_FULL)
FZ_MAIN_replay       := fuzz/replay.c
FZ_CC_cov            := clang
FZ_CODEC_cov         := -O0 -g -fprofile-instr-generate -fcoverage-mapping
FZ_HARNESS_cov       := -O1 -g -DFZ_REPLAY
FZ_LINK_cov          := -fprofile-instr-generate
FZ_MAIN_cov          := fuzz/replay.c
# Census builds (fuzz/census.c): the codec's comparisons traced as the
# fuzzing build traces them, counted by the driver instead of libFuzzer;
# census-full with every UBSan check, for comparison.
FZ_CENSUS            := -fsanitize-coverage=inline-8bit-counters,trace-cmp \
                        -fsanitize-coverage-ignorelist=fuzz/census.ignorelist
FZ_CC_census         := clang
FZ_CODEC_census      := $(FZ_SAN) $(FZ_CENSUS)
FZ_HARNESS_census    := $(FZ_SAN)
FZ_LINK_census       := $(FZ_SAN)
FZ_MAIN_census       := fuzz/census.c
FZ_CC_census-full    := clang
FZ_CODEC_census-full := $(FZ_SAN_FULL) $(FZ_CENSUS)
FZ_HARNESS_census-full := $(FZ_SAN_FULL)
FZ_LINK_census-full  := $(FZ_SAN_FULL)
FZ_MAIN_census-full  := fuzz/census.c
FZ_ENGINES           := libfuzzer afl replay cov census census-full
FZ_ENV_afl           := AFL_QUIET=1

# Each engine's compiler and flags are recorded in $(FZ)/<engine>/flags,
# rewritten only when they change: a change of flags rebuilds its objects.
define fz_engine_rules
$(FZ)/$(1)/flags: fz-flags-force
	@mkdir -p $$(@D)
	@echo '$(FZ_CC_$(1)) $(FZ_STD) $(FZ_CODEC_$(1)) | $(FZ_HARNESS_$(1)) | $(FZ_LINK_$(1))' | cmp -s - $$@ || \
	  echo '$(FZ_CC_$(1)) $(FZ_STD) $(FZ_CODEC_$(1)) | $(FZ_HARNESS_$(1)) | $(FZ_LINK_$(1))' >$$@
$(FZ)/$(1)/codec/%.o: codec/src/%.c $(FZ_HDRS) $(FZ)/$(1)/flags | $(BOOT)
	@mkdir -p $$(@D)
	$(FZ_ENV_$(1)) $(FZ_CC_$(1)) $(FZ_STD) $(FZ_CODEC_$(1)) -c $$< -o $$@
$(FZ)/$(1)/harness/%.o: fuzz/%.c $(FZ_HDRS) $(FZ)/$(1)/flags | $(BOOT)
	@mkdir -p $$(@D)
	$(FZ_ENV_$(1)) $(FZ_CC_$(1)) $(FZ_STD) $(FZ_HARNESS_$(1)) -c $$< -o $$@
endef
$(foreach e,$(FZ_ENGINES),$(eval $(call fz_engine_rules,$(e))))

define fz_target_rules
# A target without its options file is a build error.
$(FZ)/$(2)/$(1): $(call fz_src,$(1)) $(call fz_opts,$(1)) $(call fz_harness_objs,$(2)) $(FZ)/$(2)/flags \
                 $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/$(2)/codec/%.o) $(FZ_MAIN_$(2)) $(FZ_HDRS) | $(BOOT)
	@mkdir -p $$(@D)
	$(FZ_ENV_$(2)) $(FZ_CC_$(2)) $(FZ_STD) $(FZ_CODEC_$(2)) $(call fz_defs,$(1)) -o $$@ $(call fz_src,$(1)) \
	  $(FZ_MAIN_$(2)) $(call fz_harness_objs,$(2)) $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/$(2)/codec/%.o) \
	  $(FZ_LINK_$(2)) $(LDLIBS_CRYPTO)
endef
$(foreach t,$(FUZZ_TARGETS),$(foreach e,$(FZ_ENGINES),$(eval $(call fz_target_rules,$(t),$(e)))))

.PHONY: fz-flags-force fuzz-census fuzz-grow fuzz-regress-clang fuzz-build fuzz-build-all corpus corpus-check fuzz-replay fuzz-coverage fuzz-campaign \
        fuzz-smoke afl-smoke fuzz-oss-fuzz-test fuzz-check fuzz-crash-to-vector \
        $(FUZZ_TARGETS:%=fuzz-%) $(FUZZ_TARGETS:%=afl-%)

fuzz-build: $(FUZZ_TARGETS:%=$(FZ)/libfuzzer/%) $(FZ)/libfuzzer/control
fuzz-build-all: $(foreach e,$(FZ_ENGINES),$(FUZZ_TARGETS:%=$(FZ)/$(e)/%))

# libFuzzer run: new inputs go to the work directory, corpus/ stays the seed set.
$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FZ)/libfuzzer/%
	@mkdir -p $(FZ)/work/$* fuzz/crashes/$*
	$< -dict=$(call fz_dict,$*) $(call fz_optflags,$*) $(FUZZ_FLAGS) -max_total_time=$(SECONDS) \
	  -print_final_stats=1 -artifact_prefix=fuzz/crashes/$*/ $(FZ)/work/$* corpus/$* $(wildcard corpus/grown/$*)

$(FUZZ_TARGETS:%=afl-%): afl-%: $(FZ)/afl/%
	@mkdir -p $(FZ)/afl-out
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	  afl-fuzz -V $(SECONDS) -i corpus/$* -o $(FZ)/afl-out/$* -x $(call fz_dict,$*) -- $<

# Corpus and dictionaries from the vectors (and the codec's `lpsp dict`).
corpus: $(BUILD)/lpsp | $(BOOT)
	$(FZ_PY) fuzz/make_corpus.py --dict-tool $(BUILD)/lpsp
corpus-check: $(BUILD)/lpsp | $(BOOT)
	$(FZ_PY) fuzz/make_corpus.py --dict-tool $(BUILD)/lpsp --check

# Every input the project has, per target: seeds, grown corpus, regression
# inputs, and every vector input (truncations included), freshly derived.
FZ_CORPUS_PY  := fuzz/make_corpus.py conformance/lpsp_conformance/fuzz_targets.py \
                 $(wildcard conformance/lpsp_conformance/protocol/*.py)
$(FZ)/vector-inputs/.stamp: $(wildcard vectors/*.json) $(FZ_CORPUS_PY) fuzz/targets.txt | $(BOOT)
	rm -rf $(@D) && $(FZ_PY) fuzz/make_corpus.py --all --no-dicts --out $(@D) && touch $@
fz_inputs = corpus/$(1) $(FZ)/vector-inputs/$(1) $(wildcard corpus/grown/$(1) fuzz/regressions/$(1))

fuzz-replay: $(FUZZ_TARGETS:%=$(FZ)/replay/%) $(FZ)/vector-inputs/.stamp
	@set -e; for t in $(FUZZ_TARGETS); do \
	  $(FZ)/replay/$$t -q corpus/$$t $(FZ)/vector-inputs/$$t $$(ls -d corpus/grown/$$t fuzz/regressions/$$t 2>/dev/null); done
	@echo "fuzz-replay: $(words $(FUZZ_TARGETS)) targets replayed clean under gcc ASan+UBSan"

# After a campaign: keep what it found that adds coverage (corpus/grown/).
fuzz-grow: fuzz-build
	fuzz/grow_corpus.sh $(FZ) $(FUZZ_TARGETS)

# The campaign's speed baseline (fuzz/control.c): the instrumented codec and
# the engine, no harness; built like the libFuzzer targets (and the census
# builds' baseline).
FZ_CODEC_OBJS_libfuzzer := $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/libfuzzer/codec/%.o)
define fz_control_rule
$(FZ)/$(1)/control: fuzz/control.c $(FZ_MAIN_$(1)) $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/$(1)/codec/%.o) $(FZ_HDRS) \
                    $(FZ)/$(1)/flags | $(BOOT)
	@mkdir -p $$(@D)
	$(FZ_CC_$(1)) $(FZ_STD) $(FZ_CODEC_$(1)) -o $$@ fuzz/control.c $(FZ_MAIN_$(1)) \
	  $(FZ_CODEC_SRCS:codec/src/%.c=$(FZ)/$(1)/codec/%.o) $(FZ_LINK_$(1)) $(LDLIBS_CRYPTO)
endef
$(foreach e,libfuzzer census census-full,$(eval $(call fz_control_rule,$(e))))

# Traced comparisons and value-profile features per execution of
# CENSUS_TARGET (default the control) over CORPUS (default its seeds), in
# the fuzzing build and with every UBSan check (fuzz/census.c).
CENSUS_TARGET ?= control
CORPUS        ?= corpus/$(if $(filter control,$(CENSUS_TARGET)),s2b_any,$(CENSUS_TARGET))
fuzz-census: $(FZ)/census/$(CENSUS_TARGET) $(FZ)/census-full/$(CENSUS_TARGET)
	@echo "== $(CENSUS_TARGET), fuzzing build ($(FZ_SAN))"; $(FZ)/census/$(CENSUS_TARGET) $(CORPUS)
	@echo "== $(CENSUS_TARGET), every UBSan check ($(FZ_SAN_FULL))"; $(FZ)/census-full/$(CENSUS_TARGET) $(CORPUS)

fuzz-campaign: fuzz-build $(FZ)/libfuzzer/control
	FUZZ_FLAGS="$(FUZZ_FLAGS)" fuzz/campaign.sh $(if $(FRESH),--fresh) $(SECONDS) $(FZ) $(FUZZ_TARGETS)

# CI gate pieces.
fuzz-smoke: fuzz-build
	FUZZ_FLAGS="$(FUZZ_FLAGS)" fuzz/campaign.sh --smoke 2 $(FZ) $(FUZZ_TARGETS)

afl-smoke: $(FZ)/afl/s2b_any
	fuzz/afl_smoke.sh $< corpus/s2b_any $(call fz_dict,s2b_any) $(FZ)/afl-smoke

fuzz-oss-fuzz-test: | $(BOOT)
	fuzz/oss-fuzz/test_build.sh $(FZ)/oss-fuzz-test

fuzz-crash-to-vector: | $(BOOT)
	@test -n "$(CRASH)" -a -n "$(TARGET)" || { echo "usage: make fuzz-crash-to-vector CRASH=file TARGET=name" >&2; exit 2; }
	$(FZ_PY) fuzz/crash_to_vector.py --target $(TARGET) $(CRASH)

# Regression inputs also run through the clang builds: clang's UBSan
# catches some undefined behaviour (nonnull arguments of memcpy) that gcc's
# does not.
fuzz-regress-clang: fuzz-build
	@set -e; for d in $(wildcard fuzz/regressions/*); do t=$${d#fuzz/regressions/}; \
	  [ -n "$$(ls -A $$d)" ] || continue; \
	  $(FZ)/libfuzzer/$$t $$d/* >$(FZ)/regress-$$t.log 2>&1 || { cat $(FZ)/regress-$$t.log >&2; \
	  echo "fuzz-regress-clang: $$t fails on a regression input" >&2; exit 1; }; done
	@echo "fuzz-regress-clang: regression inputs clean under clang ASan+UBSan"

fuzz-check: corpus-check fuzz-build fuzz-replay fuzz-regress-clang fuzz-coverage fuzz-smoke afl-smoke fuzz-oss-fuzz-test
	@echo "fuzz-check: all passed"

CHECK_TARGETS += fuzz-check

-include fuzz/coverage.mk
