# The two commands of the README: `make demo` and `make test`. Both install what is missing.
SWIFT ?= swift
ARGS ?=

.PHONY: demo test build deps test-deps

deps:
	@scripts/ensure-system-deps

test-deps:
	@scripts/ensure-system-deps --test

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) build -c release --product kafka-exporter
	.build/release/kafka-exporter demo $(ARGS)

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
