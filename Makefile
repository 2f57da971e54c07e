# braid: `make` installs what is missing and builds build/braid; `make test` runs the suite
# (unit, scenario, differential and integration tests against real peers).
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all setup build peers test test-spark unit integration sanitize soak soak-kills soak-maintenance bench bench-micro demo fuzz clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Test peers (a real Kafka broker, Python clients and Iceberg readers) live in .cache/.
peers:
	@bash test/peers/setup.sh

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

integration: build peers
	@BRAID_BINARY=$(abspath $(BUILD))/braid .cache/venv/bin/python -m pytest -q test/integration

test: build peers
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit
	@BRAID_BINARY=$(abspath $(BUILD))/braid .cache/venv/bin/python -m pytest -q test/integration

# Spark 4.0 + Iceberg 1.10 (the notebook's engine) reading and writing braid's tables through a
# REST catalog on S3, and reading a partitioned table braid wrote: installs pyspark and the
# Iceberg jars into .cache first (not part of `make test`, where these tests skip with this reason).
test-spark: build peers
	@bash test/peers/install-spark.sh
	@BRAID_SPARK=1 BRAID_BINARY=$(abspath $(BUILD))/braid .cache/venv/bin/python -m pytest -q test/integration/test_spark.py \
	  test/integration/test_partitioned_table.py::test_spark_reads_the_partitioned_table

sanitize: setup
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBRAID_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) -L unit

# libFuzzer targets (test/fuzz, docs/fuzzing.md): clang build in build-fuzz, then each target
# for FUZZ_SECONDS (default 60), one at a time; prints executions per target.
FUZZ_SECONDS ?= 60
fuzz: setup
	@bash scripts/setup-fuzz.sh
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRAID_FUZZ=ON >/dev/null
	@cmake --build build-fuzz --target fuzz_targets -j$(FUZZ_JOBS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz.sh $(FUZZ_TARGETS)

# The whole seed notebook on this machine: embedded broker, join, Iceberg table, reports, checks.
demo: build
	@$(BUILD)/braid demo

# The differential test over many more random seeds (BRAID_SOAK_SEEDS, default 5000).
soak: build
	@BRAID_SOAK_SEEDS=$${BRAID_SOAK_SEEDS:-5000} $(BUILD)/tests/braid_join_tests --gtest_filter='Differential.*'

# 200 random SIGKILLs of a continuous braid join while a producer writes (make test runs 20).
soak-kills: build peers
	@BRAID_KILLS=$${BRAID_KILLS:-200} BRAID_BINARY=$(abspath $(BUILD))/braid .cache/venv/bin/python \
	  -m pytest -q test/integration/test_service.py -k twenty_random_kills

# A continuous join making 2,000 small commits with automatic maintenance (make test runs 300):
# commit time, data files, manifests and snapshots must stay bounded.
soak-maintenance: build peers
	@BRAID_LONG_RUN_COMMITS=$${BRAID_LONG_RUN_COMMITS:-2000} BRAID_BINARY=$(abspath $(BUILD))/braid \
	  .cache/venv/bin/python -m pytest -q -s test/integration/test_long_run.py

# The end-to-end benchmark on a real Kafka: kcat's raw read, DuckDB's batch join and braid join
# --drain over the same records (bench/e2e.py; BENCH_ARGS="--events 1000000" to scale).
bench: build peers
	@BRAID_BINARY=$(abspath $(BUILD))/braid .cache/venv/bin/python bench/e2e.py $(BENCH_ARGS)

# Micro-benchmarks (Google Benchmark, bench/*_benchmark.cc): decoding, watermarks, the join,
# Parquet and manifest writing, each on seed-shaped data; no peers needed.
bench-micro: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) --target braid_bench -j$(JOBS) && $(BUILD)/braid_bench --benchmark_min_time=0.5

clean:
	rm -rf $(BUILD) build-asan build-fuzz
