# Makefile - convenience wrapper around CMake for people. Everything real is in CMakeLists.txt.
#   make deps    install every Debian package: build, run, tests (idempotent; root or sudo)
#   make build   install what building and running need, configure and build (build/)
#   make run     build, generate the sample inbox (var/inbox), run the pipeline on it
#   make test    build and run every CPU test (a throwaway PostgreSQL is started by the tests)
#   make bench   build and run the benchmarks (tests/bench), each against its baseline
#   make install install dossier under PREFIX (default /usr/local)
#   make format  lay out every C, CUDA and header file as .clang-format says (t_docs_format checks it)
BUILD   ?= build
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=
DOSSIER = $(BUILD)/dossier

.PHONY: all deps deps-build build run test bench install samples clean format

all: build

deps:
	@sh jobs/install-deps.sh

deps-build:
	@sh jobs/install-deps.sh --build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: deps-build $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

samples: build
	@if [ ! -f var/samples-truth.json ] || [ $(BUILD)/ds_gen_samples -nt var/samples-truth.json ]; then \
	    rm -rf var/inbox && $(BUILD)/ds_gen_samples var/inbox --truth var/samples-truth.json; fi

run: samples
	$(DOSSIER) run var/inbox

test: deps build
	cd $(BUILD) && ctest --output-on-failure -LE 'gpu|fuzz' -j2 --timeout 900

bench: deps build
	cmake --build $(BUILD) --target bench_build -j$(JOBS)
	@for b in $(BUILD)/bench_*; do [ -x "$$b" ] && { echo "== $$b"; DS_SOURCE_DIR=$(CURDIR) DS_SHARED_DIR=$(CURDIR)/../shared DS_BINARY_DIR=$(CURDIR)/$(BUILD) DOSSIER_BIN=$(CURDIR)/$(DOSSIER) "$$b" || exit 1; }; done
	sh tests/bench/bench_views.sh $(DOSSIER)

install: build
	cmake --install $(BUILD)

format:
	git ls-files '*.c' '*.h' '*.cu' '*.cuh' | xargs clang-format -i --style=file

clean:
	rm -rf $(BUILD)
