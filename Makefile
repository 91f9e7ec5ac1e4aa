# itc — a thin wrapper over CMake presets. `make` alone prints this help.
#
#   make test      install what is missing, build with g++, clang, ASan+UBSan and TSan, run every test
#   make verify    the detection matrix and its reports (see verify/README.md)
#
# Everything else is a building block of those two.

SHELL := /bin/bash
PRESETS := gcc clang asan tsan
LABEL ?=
# The sanitizer lanes' labels name their trees: LABEL=asan / LABEL=tsan builds and runs that tree
# alone; any other label runs in every tree.
TEST_PRESETS := $(or $(filter $(LABEL),asan tsan),$(PRESETS))

.PHONY: help deps build test test-gcc test-clang test-asan test-tsan verify format format-check tidy clean

help:
	@echo "itc make targets:"
	@echo "  make test           install deps if missing, build (g++, clang, ASan+UBSan, TSan), run every test"
	@echo "  make test-gcc       only the g++ tree (library tests, examples, models)"
	@echo "  make test-clang     only the clang tree (-Wthread-safety)"
	@echo "  make test-asan      only the ASan+UBSan tree: the asan lane (library tests, examples)"
	@echo "  make test-tsan      only the ThreadSanitizer tree: the tsan checker and the tsan lane"
	@echo "  make test LABEL=x   only tests with ctest label x, in every tree (primitives, examples, model,"
	@echo "                      stress, verify, bench, lint); LABEL=asan or LABEL=tsan: that lane alone"
	@echo "  make verify         the detection matrix (model, stress, tsan) and its reports in reports/verify"
	@echo "  make bench          benchmarks vs std::, moodycamel, TBB, Python (Release): reports/bench/, stress/bench/README.md"
	@echo "  make build          configure and build every preset"
	@echo "  make format         clang-format every source in place"
	@echo "  make format-check   fail if any source is not clang-formatted"
	@echo "  make tidy           clang-tidy over the clang tree"
	@echo "  make clean          remove build/"

deps:
	@ci/install-deps.sh base

build: deps
	@for p in $(PRESETS); do \
	  cmake --preset $$p >/dev/null && cmake --build --preset $$p || exit 1; \
	done

# Phony targets skip pattern rules, so each preset gets its own explicit rule.
define preset_test
test-$(1): deps
	@rm -f build/$(1)/Testing/Temporary/LastTestsFailed.log  # no stale failures in the digest
	@cmake --preset $(1) >/dev/null
	@cmake --build --preset $(1)
	@ctest --preset $(1) $$(if $$(LABEL),-L $$(LABEL))
endef
$(foreach p,$(PRESETS),$(eval $(call preset_test,$(p))))

# Every tree runs even when an earlier one fails (a sanitizer lane's report must not hide the
# others' results); the exit status is non-zero if any failed, and the failing trees are named.
test: deps
	@failed=""; \
	for p in $(TEST_PRESETS); do \
	  $(MAKE) --no-print-directory test-$$p || failed="$$failed $$p"; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "make test: why each failed test failed (the whole output: build/<tree>/Testing/Temporary/LastTest.log)"; \
	  ci/failure-digest.sh $$(for p in $$failed; do echo build/$$p; done); \
	  echo "make test: failed in the tree(s):$$failed"; exit 1; \
	fi

# The main job: build the three checkers, run the whole matrix, write the reports.
# VERIFY_ARGS passes options through, e.g. make verify VERIFY_ARGS="--shard 2/4".
REPORT_DIR ?= reports/verify
verify: deps
	@cmake --preset gcc >/dev/null
	@cmake --build --preset gcc --target itc-verify itc-model itc-stress
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan --target itc-stress
	@build/gcc/verify/itc-verify matrix --report-dir $(REPORT_DIR) $(VERIFY_ARGS)

# Benchmarks (stress/bench/README.md): Release build, interleaved rounds, paired ratios, plots.
# Both conditions by default (quiet, and next to 2 busy processes the driver starts and stops).
# Extra driver options: make bench BENCH_ARGS="--rounds 3 --groups queue/spsc" (or "--conditions quiet")
.PHONY: bench
bench:
	@ci/install-deps.sh bench
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench
	@/usr/bin/python3 stress/bench/run_bench.py --bin-dir build/bench/stress/bench --out reports/bench \
	  --readme stress/bench/README.md $(BENCH_ARGS)

SOURCES = $(shell git ls-files '*.hpp' '*.cpp' '*.h')

format:
	@clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES)

tidy: deps
	@cmake --preset clang >/dev/null
	@run-clang-tidy -quiet -p build/clang $(filter %.cpp,$(SOURCES))

clean:
	@rm -rf build
