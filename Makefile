# lonelypsp conformance suite, reference C codec and fuzz harness.
# `make conformance` runs the suite; `make check` runs every test.

BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
PY      := .venv/bin/python
BOOT    := $(BUILD)/.bootstrap

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wcast-qual -Wpointer-arith -Wvla -Wformat=2
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) -Icodec/include
LDLIBS_CRYPTO := -lcrypto
LDLIBS_JSON   := -ljansson

# Each fragment appends its test targets to CHECK_TARGETS.
CHECK_TARGETS :=

.PHONY: all check bootstrap clean
all: $(BUILD)/lpsp

# Debian packages and the project-local Python environment.
$(BOOT): scripts/bootstrap.sh requirements.txt
	@mkdir -p $(BUILD)
	scripts/bootstrap.sh
	@touch $@
bootstrap: $(BOOT)

include codec/codec.mk
-include vectors/vectors.mk
-include conformance/conformance.mk
-include conformance/peer.mk
-include fuzz/fuzz.mk
-include differential/differential.mk
-include mutation/mutation.mk
-include ci.mk

# make check runs the targets in two lanes (scripts/check.sh): the side lane
# holds the Python-bound checks (runners, live peers, pip, the mutation
# sample), beside the compile-bound rest (about 8.5 minutes each on 2 cores).
CHECK_SIDE := conformance-check dist-check peer-check mutation-sample
check: $(BOOT)
	@MAKE="$(MAKE)" BUILD="$(BUILD)" scripts/check.sh "$(filter $(CHECK_SIDE),$(CHECK_TARGETS))" $(CHECK_TARGETS)
	@echo "make check: all passed ($(CHECK_TARGETS))"

clean:
	rm -rf $(BUILD)
