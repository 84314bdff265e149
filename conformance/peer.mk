# Peer conformance: scenarios against running peers (vectors/peer-*.json).
#   make peer-conformance            every scenario against lonelypss (none, token, HMAC x
#                                    sqlite in memory and on disk x both header modes) and
#                                    the lonelypsc subscriber (none, token, HMAC x both modes)
#   make peer-check                  the bounded run of make check (<= 90 s) + the self-test
#   make peer-fuzz SECONDS=60        network fuzzing of a live lonelypss
# Any other peer: .venv/bin/lpsp-peer run --peer broadcaster --ws-url ... (README).

PEER_RUN  := $(PY) -m lpsp_conformance.peer run
# Extra runner options, e.g. PEER_ARGS='--id bcast-notify-* --auth hmac'.
PEER_ARGS ?=
SECONDS   ?= 60

.PHONY: peer-conformance peer-check peer-bounded peer-selftest peer-fuzz

peer-conformance: $(BOOT) $(BUILD)/lpsp
	$(PEER_RUN) --peer lonelypss --peer lonelypsc --junitxml=reports/peer-junit.xml $(PEER_ARGS)

# The bounded run: lonelypss without authorization and with HMAC (sqlite in
# memory, minimal headers) and the lonelypsc subscriber with HMAC, with the
# expected-failure files; make peer-conformance runs the whole matrix.
peer-bounded: $(BOOT) $(BUILD)/lpsp
	$(PEER_RUN) --peer lonelypss --auth none,hmac --backend sqlite-memory --headers minimal \
	  --peer-results reports/peer-results-bounded.json $(PEER_ARGS)
	$(PEER_RUN) --peer lonelypsc --auth hmac --headers minimal \
	  --peer-results reports/peer-results-bounded-lonelypsc.json $(PEER_ARGS)

peer-selftest: $(BOOT) $(BUILD)/lpsp
	$(PY) -m pytest -q -p no:cacheprovider conformance/tests/test_peer_harness.py \
	  conformance/tests/test_peer_saboteurs.py conformance/tests/test_peer_fuzz.py

peer-check: peer-selftest peer-bounded

peer-fuzz: $(BOOT) $(BUILD)/lpsp
	$(PY) -m lpsp_conformance.peer.fuzz --seconds $(SECONDS) --out reports/peer-fuzz

CHECK_TARGETS += peer-check
