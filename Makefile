# itc — a thin wrapper over CMake presets. `make` alone prints this help.
#
#   make test      install what is missing, build with g++ and clang, run every test
#   make verify    the detection matrix and its reports (see verify/README.md)
#
# Everything else is a building block of those two.

SHELL := /bin/bash
PRESETS := gcc clang tsan
LABEL ?=

.PHONY: help deps build test test-gcc test-clang verify format format-check tidy clean

help:
	@echo "itc make targets:"
	@echo "  make test           install deps if missing, build (g++ and clang), run every test"
	@echo "  make test-gcc       only the g++ tree (library tests, examples, models)"
	@echo "  make test-clang     only the clang tree (-Wthread-safety)"
	@echo "  make test-tsan      only the ThreadSanitizer tree (the tsan checker)"
	@echo "  make test LABEL=x   only tests with ctest label x (primitives, examples, model, stress, tsan)"
	@echo "  make verify         the detection matrix (today: the model checker's column)"
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
	@cmake --preset $(1) >/dev/null
	@cmake --build --preset $(1)
	@ctest --preset $(1) $$(if $$(LABEL),-L $$(LABEL))
endef
$(foreach p,$(PRESETS),$(eval $(call preset_test,$(p))))

test: deps
	@for p in $(PRESETS); do \
	  $(MAKE) --no-print-directory test-$$p || exit 1; \
	done

verify: deps
	@cmake --preset gcc >/dev/null
	@cmake --build --preset gcc --target itc-model
	@models/matrix.sh build/gcc/models/itc-model

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
