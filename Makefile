# SPDX-License-Identifier: Apache-2.0
# The two commands every user needs: `make run` and `make test`.
JOBS      ?= $(shell nproc)
BUILD     ?= build/release
ASAN      ?= build/asan
FUZZBUILD ?= build/fuzz
DATA      ?= ./data
LISTEN    ?= 127.0.0.1:4566

.PHONY: all deps build run test unit bench fuzz format lint clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/src/cmd/bulwarkd --listen $(LISTEN) --data-dir $(DATA)

# Every test: unit (ASan+UBSan), fuzz corpus replay, API (AWS CLI + boto3), net.
test: deps
	@bash scripts/lint.sh
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) # the optimised build `make run` uses must compile too
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DBW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && ctest -j $(JOBS) --output-on-failure --timeout 900

unit: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DBW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && ctest -j $(JOBS) --output-on-failure -L 'unit|fuzz'

bench: build
	@BW_DEPS_BENCH=1 bash scripts/deps.sh
	@bash bench/run.sh $(BUILD)

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZBUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBW_FUZZ=ON >/dev/null
	@cmake --build $(FUZZBUILD) -j $(JOBS)
	@echo "fuzz targets: $$(find $(FUZZBUILD)/tests -name '*_fuzz' -type f -perm -u+x | sort | tr '\n' ' ')"
	@echo "run one on its corpus, e.g. $(FUZZBUILD)/tests/unit/proto/proto_request_fuzz -max_total_time=60 tests/fuzz/corpus/proto_request_fuzz"

format:
	@find src tests bench -name '*.[ch]' | xargs clang-format -i

lint:
	@bash scripts/lint.sh

clean:
	rm -rf build
