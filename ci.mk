# The repository's automation: the GitHub Actions workflows in
# .github/workflows/ (CI, ClusterFuzzLite) and the implementers' CI recipe
# in examples/ci/. Included by the top-level Makefile.
#
#   make workflows-check    actionlint (with shellcheck over every run:
#                           script) over the workflows and the recipe,
#                           shellcheck over the shell scripts, and a
#                           self-test that the lint rejects a broken
#                           workflow; part of `make check`
#   make format-check       every C file in .clang-format style; the codec
#                           core (codec/src, DisableFormat) within the column
#                           limit; part of `make check`
#
# actionlint is pinned here and built from its Go module (Go 1.25 or later;
# the module is verified against the Go checksum database). shellcheck is a
# Debian package (scripts/bootstrap.sh).

ACTIONLINT_VERSION := v1.7.12
ACTIONLINT_DIR     := $(BUILD)/tools/actionlint-$(ACTIONLINT_VERSION)
ACTIONLINT         := $(ACTIONLINT_DIR)/actionlint
SHELLCHECK         ?= shellcheck
CI_WORKFLOWS       := $(sort $(wildcard .github/workflows/*.yml .github/workflows/*.yaml)) \
                      examples/ci/github-actions.yml
CI_SCRIPTS         := .ci/run $(sort $(wildcard scripts/*.sh fuzz/*.sh fuzz/oss-fuzz/*.sh examples/ci/*.sh \
                                            .clusterfuzzlite/*.sh))

.PHONY: workflows-check actionlint

$(ACTIONLINT):
	@command -v go >/dev/null 2>&1 || { \
	  echo "workflows-check: actionlint $(ACTIONLINT_VERSION) is built with Go (1.25 or later), and go is not on PATH" >&2; \
	  exit 1; }
	@mkdir -p $(ACTIONLINT_DIR)
	GOBIN=$(abspath $(ACTIONLINT_DIR)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	@test "$$($@ -version | head -n 1)" = "$(ACTIONLINT_VERSION)" || \
	  { echo "workflows-check: $@ is not actionlint $(ACTIONLINT_VERSION)" >&2; rm -f $@; exit 1; }

actionlint: $(ACTIONLINT)

workflows-check: $(ACTIONLINT) $(BOOT)
	scripts/check_workflows.sh $(ACTIONLINT) $(SHELLCHECK) $(CI_WORKFLOWS) -- $(CI_SCRIPTS)

CHECK_TARGETS += workflows-check

# C formatting. codec/src/.clang-format disables reformatting there (its
# tables); those files are held to the column limit of the top .clang-format.
CLANG_FORMAT   ?= clang-format
FORMAT_SRCS    := $(sort $(shell find codec fuzz examples -name '*.[ch]' -not -path 'codec/src/*'))
FORMAT_CORE    := $(sort $(wildcard codec/src/*.[ch]))
FORMAT_COLUMNS := $(shell sed -n 's/^ColumnLimit: *//p' .clang-format)

.PHONY: format format-check
format: $(BOOT)
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check: $(BOOT)
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRCS)
	@awk -v max=$(FORMAT_COLUMNS) 'length > max { print FILENAME ":" FNR ": longer than " max " columns"; bad = 1 } \
	  END { exit bad }' $(FORMAT_CORE)
	@echo "format-check: $(words $(FORMAT_SRCS)) files in .clang-format style, $(words $(FORMAT_CORE)) codec/src files within $(FORMAT_COLUMNS) columns"

CHECK_TARGETS += format-check
