# painsim — plain Makefile (Redis/Lua style): make, make run, make test, make bench.
#   make deps            install missing Debian packages (needs root or sudo)
#   make                 build bin/painsim and the test programs
#   make run             deps + build + the default scenario into runs/default
#   make test            the whole test suite on PoCL (prints "N passed, N failed")
#   make docs            regenerate scenarios/schema.json and the key tables of scenarios/README.md
#   make kernels         compile every kernel offline for NVIDIA, AMD (clang) and on PoCL
#   make WERROR=0        build without -Werror (default on, as in CI)

CC      ?= cc
WERROR  ?= 1
OPT     ?= -O2
SANITIZER ?=

PKGS    := hdf5-openmpi ompi-c libcjson OpenCL
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wwrite-strings \
           -Wno-unused-parameter -Wvla
ifeq ($(WERROR),1)
WARN    += -Werror
endif
ifneq ($(SANITIZER),)
SANFLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

VERSION := 0.1.0
GIT_HASH := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DCL_TARGET_OPENCL_VERSION=120 \
            -DPAINSIM_VERSION=\"$(VERSION)\" $(addprefix -iquote ,$(HOST_DIRS)) $(PKG_CFLAGS)
CFLAGS  += -std=c11 $(OPT) -g $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

BUILD   := build
HOST_SRC := $(wildcard host/*.c host/*/*.c)
HOST_DIRS := $(sort $(patsubst %/,%,$(dir $(HOST_SRC))))
HOST_OBJ := $(HOST_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(filter-out $(BUILD)/host/main.o,$(HOST_OBJ))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=bin/%)

DEFAULT_SCENARIO ?= scenarios/nerve_injury.json
RUN_DIR ?= runs/nerve_injury

.PHONY: all deps run test validate bench fuzz valgrind clean docs FORCE
# keep the objects pattern rules make (the fuzzing build) between runs
.SECONDARY:
all: bin/painsim $(TEST_BIN) bin/docs_gen

deps:
	@sh tools/deps.sh

bin/painsim: $(HOST_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bin/test_%: $(BUILD)/tests/test_%.o $(LIB_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The git hash changes without a source change: regenerate the header each build, but
# touch it only when the hash differs, so only version.o is rebuilt.
$(BUILD)/git_hash.h: FORCE
	@mkdir -p $(BUILD)
	@echo '#define PAINSIM_GIT_HASH "$(GIT_HASH)"' > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@
	@rm -f $@.tmp
$(BUILD)/host/version.o: $(BUILD)/git_hash.h
$(BUILD)/host/version.o: CPPFLAGS += -I$(BUILD)
FORCE:

# The compiler flags are part of every object: switching SANITIZER (or OPT, WERROR)
# rebuilds everything instead of mixing instrumented and plain objects.
$(BUILD)/flags.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)' > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@
	@rm -f $@.tmp

$(BUILD)/host/%.o $(BUILD)/tests/%.o: $(BUILD)/flags.stamp

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bin:
	@mkdir -p bin

# deps first, then a fresh make that sees the newly installed pkg-config files.
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	bin/painsim run $(DEFAULT_SCENARIO) --out $(RUN_DIR) --force

# The literature time courses and the perturbation suite with its negative control
# (scenarios/README.md "Validation"): seeds 1,2,3, two painsim runs at a time (VALIDATE_JOBS);
# writes runs/validate/report.md and report.csv.
VALIDATE_JOBS ?= 2
validate:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	/usr/bin/python3 tests/validate.py --out runs/validate --seeds 1,2,3 --jobs $(VALIDATE_JOBS)

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@SANITIZER="$(SANITIZER)" sh tests/run_tests.sh

# Generated documentation: scenarios/schema.json and the key tables of scenarios/README.md
# (between their markers) from the scenario key tables in host/scenario/. tests/test_docs.sh
# fails when the committed copies differ from what this writes.
bin/docs_gen: $(BUILD)/tools/docs_gen.o $(LIB_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tools/%.o: $(BUILD)/flags.stamp
docs: bin/docs_gen
	bin/docs_gen scenarios/schema.json scenarios/README.md scenarios/README.md

# Every .cl file in kernels/ compiled with each -D set painsim uses, offline by clang for
# NVIDIA (nvptx64) and AMD (amdgcn), and on every OpenCL device present (PoCL): a kernel
# error shows with its file and line (tests/test_kernels.c; make test runs it too).
.PHONY: kernels
kernels: bin/test_kernels
	bin/test_kernels

# Benchmark: bench/bench.c, results in bench/RESULTS.md (see bench/README.md).
# BENCH_ARGS=--quick for a two-configuration smoke run.
BENCH_ARGS ?=
bin/bench: $(BUILD)/bench/bench.o $(LIB_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/%.o: $(BUILD)/flags.stamp

bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all bin/bench
	POCL_MEMORY_LIMIT=$${POCL_MEMORY_LIMIT:-16} bin/bench $(BENCH_ARGS)

# Fuzzing (libFuzzer, clang): the scenario loader with --set overrides, and the sweep
# loader, instrumented with AddressSanitizer and UBSan. Replays tests/fuzz/crashes/ (every
# crash ever found, fixed), then fuzzes each harness for FUZZ_TIME seconds from the corpus
# in tests/fuzz/ (new inputs go to build/fuzz/, not into the repository).
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ  := $(LIB_OBJ:$(BUILD)/%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<
$(BUILD)/fuzz/host/version.o: $(BUILD)/git_hash.h
$(BUILD)/fuzz/host/version.o: CPPFLAGS += -I$(BUILD)

bin/fuzz_%: $(BUILD)/fuzz/tests/fuzz/fuzz_%.o $(FUZZ_OBJ) | bin
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory bin/fuzz_scenario bin/fuzz_sweep
	@sh tests/fuzz/run.sh $(FUZZ_TIME)

# Host code under valgrind on a small run (the OpenCL runtime's own allocations are not
# painsim's: only "definitely lost" in painsim's frames counts; see tests/valgrind.sh).
valgrind:
	@$(MAKE) --no-print-directory all
	@sh tests/valgrind.sh

clean:
	rm -rf $(BUILD) bin

-include $(HOST_OBJ:.o=.d) $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.d)
