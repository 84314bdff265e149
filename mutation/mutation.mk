# Mutation testing: how many single-point mutants of real implementations the
# vectors kill (mutation/README.md).
#   make mutation               both sides, every mutant (about 30 min on 2 cores)
#   make mutation-c             the C codec only (codec/src as committed at HEAD)
#   make mutation-lonelypsp     lonelypsp's wire modules only
#   make mutation-sample        a fixed-seed sample of both sides (CI-sized)
#   make mutation-check         the equivalence lists against the last full runs
#   make mutation-untriaged SIDE=c|lonelypsp   untriaged survivors as list entries
#   make mutation-test          the runner's own tests
# Reports: reports/mutation/<side>.md; data: build/mutation/<side>/.

MUTATION        := $(PY) mutation/lpsp_mutation.py
MUTATION_JOBS   ?= 2
MUTATION_SAMPLE ?= 20
MUTATION_SEED   ?= 1
SIDE            ?= c

.PHONY: mutation mutation-c mutation-lonelypsp mutation-sample mutation-check mutation-recheck mutation-untriaged mutation-test

mutation: $(BOOT)
	@status=0; \
	nice -n 10 $(MUTATION) run --side c -j $(MUTATION_JOBS) || status=1; \
	nice -n 10 $(MUTATION) run --side lonelypsp -j $(MUTATION_JOBS) || status=1; \
	exit $$status

mutation-c mutation-lonelypsp: mutation-%: $(BOOT)
	nice -n 10 $(MUTATION) run --side $* -j $(MUTATION_JOBS)

mutation-sample: $(BOOT)
	@status=0; \
	nice -n 10 $(MUTATION) run --side c -j $(MUTATION_JOBS) --sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) || status=1; \
	nice -n 10 $(MUTATION) run --side lonelypsp -j $(MUTATION_JOBS) --sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) || status=1; \
	exit $$status

# The last full run's survivors only (after adding vectors or entries).
mutation-recheck: $(BOOT)
	nice -n 10 $(MUTATION) run --side $(SIDE) -j $(MUTATION_JOBS) --survivors

mutation-check: $(BOOT)
	@status=0; for s in c lonelypsp; do $(MUTATION) check --side $$s || status=1; done; exit $$status

mutation-untriaged: $(BOOT)
	@$(MUTATION) untriaged --side $(SIDE)

mutation-test: $(BOOT)
	$(PY) -m pytest -q -p no:cacheprovider mutation/tests

CHECK_TARGETS += mutation-test mutation-sample
