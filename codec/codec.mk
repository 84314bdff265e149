# The codec library, the lpsp tool and the codec's unit tests.

CODEC_SRCS   := $(sort $(wildcard codec/src/*.c))
CODEC_HDRS   := $(wildcard codec/include/*.h codec/include/lpsp/*.h codec/src/*.h)
TOOL_SRCS    := $(sort $(wildcard codec/tool/*.c))
TOOL_HDRS    := $(wildcard codec/tool/*.h)
TEST_SRCS    := $(sort $(wildcard codec/tests/test_*.c))
TEST_HDRS    := $(wildcard codec/tests/*.h)
CODEC_OBJS   := $(CODEC_SRCS:codec/src/%.c=$(BUILD)/codec/%.o)
TOOL_OBJS    := $(TOOL_SRCS:codec/tool/%.c=$(BUILD)/tool/%.o)

SAN_FLAGS    := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: lib tool codec-test codec-test-clang codec-warnings install install-check bench

lib: $(BUILD)/liblpsp.a $(BUILD)/liblpsp.so
tool: $(BUILD)/lpsp

$(BUILD)/codec/%.o: codec/src/%.c $(CODEC_HDRS) | $(BOOT)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/liblpsp.a: $(CODEC_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/liblpsp.so: $(CODEC_OBJS)
	$(CC) -shared -Wl,-soname,liblpsp.so.1 -o $@ $^ $(LDLIBS_CRYPTO)

$(BUILD)/tool/%.o: codec/tool/%.c $(CODEC_HDRS) $(TOOL_HDRS) | $(BOOT)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icodec/tool -c $< -o $@

$(BUILD)/lpsp: $(TOOL_OBJS) $(BUILD)/liblpsp.a
	$(CC) -o $@ $(TOOL_OBJS) $(BUILD)/liblpsp.a $(LDLIBS_JSON) $(LDLIBS_CRYPTO)

# Unit tests: one binary per codec/tests/test_*.c, codec compiled in, under
# ASan+UBSan. Built with $(CC) (gcc by default) and again with clang.
define codec_test_rules
$(BUILD)/$(1)/tests/%: codec/tests/%.c $(TEST_HDRS) $(CODEC_SRCS) $(CODEC_HDRS) | $(BOOT)
	@mkdir -p $$(@D)
	$(2) $$(filter-out -O2,$$(ALL_CFLAGS)) $(SAN_FLAGS) -Icodec/src -o $$@ $$< $(CODEC_SRCS) $(LDLIBS_CRYPTO)
endef
$(eval $(call codec_test_rules,san-cc,$(CC)))
$(eval $(call codec_test_rules,san-clang,clang))

# test_faults: every libcrypto function the codec calls goes through the
# fault-injection wrappers of codec/tests/fault_shim.c (ld --wrap), so the
# test can fail the n-th call. FAULT_WRAP must name each of them (nm -u of
# the codec objects lists the libcrypto calls).
FAULT_WRAP     := CRYPTO_malloc EVP_Digest SHA512_Init SHA512_Update SHA512_Final
# The codec's libcrypto calls with nothing to fail (freeing, cleansing, the
# constant-time compare, the static digest descriptor).
# `make fuzz-coverage` refuses a libcrypto call that is in neither list.
FAULT_NOFAIL   := CRYPTO_clear_free OPENSSL_cleanse CRYPTO_memcmp EVP_sha256
FAULT_SRCS     := codec/tests/fault_shim.c
FAULT_LDFLAGS  := $(FAULT_WRAP:%=-Wl,--wrap=%)
define codec_fault_rules
$(BUILD)/$(1)/tests/test_faults: codec/tests/test_faults.c $(FAULT_SRCS) $(TEST_HDRS) $(CODEC_SRCS) $(CODEC_HDRS) | $(BOOT)
	@mkdir -p $$(@D)
	$(2) $$(filter-out -O2,$$(ALL_CFLAGS)) $(SAN_FLAGS) -Icodec/src -o $$@ $$< $(FAULT_SRCS) $(CODEC_SRCS) $(FAULT_LDFLAGS) $(LDLIBS_CRYPTO)
endef
$(eval $(call codec_fault_rules,san-cc,$(CC)))
$(eval $(call codec_fault_rules,san-clang,clang))

TEST_NAMES := $(TEST_SRCS:codec/tests/%.c=%)

codec-test: $(TEST_NAMES:%=$(BUILD)/san-cc/tests/%)
	@set -e; for t in $^; do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t; done

codec-test-clang: $(TEST_NAMES:%=$(BUILD)/san-clang/tests/%)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

# Warning-free with both compilers, optimised (some warnings only show at -O2).
codec-warnings: | $(BOOT)
	@mkdir -p $(BUILD)/warn
	@set -e; for c in gcc clang; do for f in $(CODEC_SRCS) $(TOOL_SRCS); do \
	  $$c $(ALL_CFLAGS) -O2 -Icodec/tool -c $$f -o $(BUILD)/warn/$$c.o; done; echo "codec: $$c -Wall -Wextra -Werror clean"; done

CHECK_TARGETS += codec-warnings codec-test codec-test-clang

install: $(BUILD)/liblpsp.a $(BUILD)/liblpsp.so
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/lpsp $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(BUILD)/liblpsp.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/liblpsp.so $(DESTDIR)$(PREFIX)/lib/liblpsp.so.1
	ln -sf liblpsp.so.1 $(DESTDIR)$(PREFIX)/lib/liblpsp.so
	install -m 644 codec/include/lpsp.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 codec/include/lpsp/*.h $(DESTDIR)$(PREFIX)/include/lpsp/
	sed -e 's|@PREFIX@|$(PREFIX)|' codec/lpsp.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/lpsp.pc

# Benchmarks: every codec/bench/bench_*.c, optimised, then the comparison
# with the Python reference on the same messages.
BENCH_SRCS := $(sort $(wildcard codec/bench/bench_*.c))
# They share the fixtures of the unit tests (codec/tests/fixtures.h).
$(BUILD)/bench/%: codec/bench/%.c $(BUILD)/liblpsp.a $(CODEC_HDRS) codec/tests/fixtures.h
	@mkdir -p $(@D)
	$(CC) $(filter-out -O2 -g,$(ALL_CFLAGS)) -O2 -DNDEBUG -Icodec/tests -o $@ $< $(BUILD)/liblpsp.a $(LDLIBS_CRYPTO)

bench: $(BENCH_SRCS:codec/bench/%.c=$(BUILD)/bench/%) | $(BOOT)
	@set -e; for b in $^; do echo "== $$b"; \
	  if [ "$$(basename $$b)" = bench_stateful ]; then $$b $(BUILD)/bench/stateful.jsonl; \
	  $(PY) codec/bench/bench_lonelypsp.py $(BUILD)/bench/stateful.jsonl; else $$b; fi; done

# Install into a scratch prefix and build a program from the installed
# headers and pkg-config file alone, statically and dynamically.
install-check: | $(BOOT)
	@rm -rf $(BUILD)/prefix && $(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(BUILD)/prefix >/dev/null
	@PKG_CONFIG_PATH=$(BUILD)/prefix/lib/pkgconfig; export PKG_CONFIG_PATH; set -e; \
	  $(CC) -o $(BUILD)/embed-shared codec/tests/embed/embed.c $$(pkg-config --cflags --libs lpsp); \
	  LD_LIBRARY_PATH=$(BUILD)/prefix/lib $(BUILD)/embed-shared; \
	  $(CC) -o $(BUILD)/embed-static codec/tests/embed/embed.c $$(pkg-config --cflags lpsp) \
	    $(BUILD)/prefix/lib/liblpsp.a $$(pkg-config --static --libs-only-l lpsp | sed 's/-llpsp//'); \
	  $(BUILD)/embed-static
CHECK_TARGETS += install-check
