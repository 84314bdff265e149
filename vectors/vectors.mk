# Conformance vectors: generator (conformance/lpsp_conformance/gen/), drift
# check, lint, coverage, lonelypsp cross-check. Included by the top-level
# Makefile.

VEC_DIR    := vectors
VEC_FILES  := $(addprefix $(VEC_DIR)/,stateful-s2b.json stateful-b2s.json stateless.json \
              etag.json auth.json session.json ids.txt)
VEC_REGEN  := $(BUILD)/vectors-regen
VEC_GEN    := $(PY) -m lpsp_conformance.gen
SPEC       ?= spec/PROTOCOL.md

.PHONY: vectors vectors-check vectors-lint vectors-drift vectors-test vectors-coverage \
        vectors-xcheck vectors-spec-index

# Regenerate the committed vector files (and extend ids.txt).
vectors: $(BOOT)
	$(VEC_GEN) --out $(VEC_DIR) --manifest $(VEC_DIR)/ids.txt

# Regenerate into a scratch directory and compare: fails on any drift.
vectors-drift: $(BOOT)
	@rm -rf $(VEC_REGEN)
	@$(VEC_GEN) --out $(VEC_REGEN) --manifest $(VEC_DIR)/ids.txt
	@for f in $(notdir $(VEC_FILES)); do \
	  cmp -s $(VEC_REGEN)/$$f $(VEC_DIR)/$$f || { \
	    echo "vectors: $(VEC_DIR)/$$f differs from the generator's output; run make vectors"; \
	    exit 1; }; \
	done
	@echo "vectors: committed files match the generator"

vectors-lint: $(BOOT)
	$(PY) $(VEC_DIR)/lint.py --cache $(BUILD)/vectors-lint.cache

vectors-test: $(BOOT)
	$(PY) -m pytest -q -p no:cacheprovider $(VEC_DIR)/tests

vectors-check: vectors-drift vectors-lint vectors-test

vectors-coverage: $(BOOT)
	$(PY) $(VEC_DIR)/coverage.py

vectors-xcheck: $(BOOT)
	$(PY) $(VEC_DIR)/xcheck_lonelypsp.py

# Rebuild spec-index.json from the specification (SPEC=path/to/PROTOCOL.md).
vectors-spec-index:
	$(PY) $(VEC_DIR)/spec_index.py $(SPEC)

CHECK_TARGETS += vectors-check vectors-xcheck
