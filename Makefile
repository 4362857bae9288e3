# Thin wrapper around CMake for the two commands README.md starts with.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The test build runs under AddressSanitizer and UndefinedBehaviorSanitizer.
CMAKE_FLAGS ?= -DSTC_SANITIZE=ON

.PHONY: all deps build test demo world-up world-down install clean format

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 600

demo: build
	./scripts/demo.sh $(BUILD)

world-up: deps
	testbed/world up

world-down:
	testbed/world down

# Installs build without -Werror: a new compiler warning must not stop an install.
install: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSTC_TESTS=OFF -DSTC_WERROR=OFF
	cmake --build build-release -j$(JOBS)
	cmake --install build-release

clean:
	rm -rf $(BUILD) build-release

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# Fuzzing and static analysis (docs/hardening.md).
FUZZ_SECONDS ?= 60
.PHONY: fuzz lint
fuzz: deps
	./scripts/fuzz.sh $(FUZZ_SECONDS)

lint: deps
	./scripts/lint.sh
