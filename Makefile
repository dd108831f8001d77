# Thin wrapper around CMake. `make run` and `make test` install what is missing first.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DASRLOG_WERROR=ON

.PHONY: all build deps run test test-sanitize fuzz bench clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt tests/CMakeLists.txt
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/asrlog scan corpus/ ; status=$$?; [ $$status -le 1 ] || exit $$status

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@$(MAKE) --no-print-directory build BUILD=build-asan CMAKE_FLAGS="-DASRLOG_WERROR=ON -DASRLOG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# libFuzzer harnesses (tests/fuzz/), built with clang + ASan/UBSan in build-fuzz and run one
# after the other for FUZZ_SECONDS seconds each. Only this target needs clang.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh fuzz
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DASRLOG_FUZZ=ON -DASRLOG_WERROR=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz_catalog fuzz_decode fuzz_scan fuzz_pieces fuzz_cache fuzz_archive
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The throughput benchmark: a generated ~1 GiB fleet, asrlog against its peers, written to
# bench/RESULTS.md. BENCH_ARGS passes options to bench/run.py (e.g. --size 256M --runs 5).
bench: deps
	@$(MAKE) --no-print-directory build
	python3 bench/run.py --build $(BUILD) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
