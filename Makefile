# The two commands of the README: `make demo` and `make test`. Both install what is missing.
SWIFT ?= swift
ARGS ?=
# kafka_exporter_build_info{revision}; Package.swift reads it.
export KAFKA_EXPORTER_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: demo test test-memory build deps test-deps bench fuzz images

deps:
	@scripts/ensure-system-deps

test-deps:
	@scripts/ensure-system-deps --test
	@scripts/ensure-test-venv

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) build -c release --product kafka-exporter
	.build/release/kafka-exporter demo $(ARGS)

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.venv/bin/python3 scripts/check-dashboards
	.venv/bin/python3 scripts/check-docker
	scripts/fuzz-stats-parser $(FUZZ_SECONDS)
	# The end-to-end run uses the release binary users run: the optimizer shortens object lifetimes,
	# which a debug build never shows. Linked like docker/Dockerfile links it: the image test
	# (Tests/python/test_image.py) puts this binary into the image.
	$(SWIFT) build -c release --product kafka-exporter --static-swift-stdlib
	# -rs: a skipped test says why in the summary (test_image.py skips only when told to).
	KAFKA_EXPORTER_BIN=.build/release/kafka-exporter .venv/bin/pytest Tests/python -q -rs
	scripts/test-memory

# The memory checkers alone (`make test` runs them last): valgrind memcheck on the release binary, the
# address sanitizer with librdkafka and libmicrohttpd instrumented, the thread sanitizer.
# CHECKERS="asan tsan" runs some of them.
CHECKERS ?=
test-memory: test-deps
	scripts/test-memory $(CHECKERS)

# The statistics parser under libFuzzer; `make test` runs it briefly, longer runs: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 30
fuzz: deps
	scripts/fuzz-stats-parser $(FUZZ_SECONDS)

# Benchmarks (not tests): ratios measured in one run; results and how to read them in BENCHMARKS.md.
# ARGS="peer /path/to/kafka_exporter" adds the side-by-side run against kafka_exporter (BENCHMARKS.md).
bench: deps
	$(SWIFT) build -c release --product ExporterBenchmarks --traits PrometheusBaseline
	# Linked as the image links it (docker/Dockerfile), so that the peer run measures what users run.
	$(SWIFT) build -c release --product kafka-exporter --traits PrometheusBaseline --static-swift-stdlib
	.build/release/ExporterBenchmarks $(ARGS)

# Regenerates docs/images/ from a real Prometheus scraping the demo (the e2e test renders them), and
# the overview page in the incident as headless Chromium shows it.
images: test-deps
	$(SWIFT) build
	RENDER_DASHBOARD_PNGS=1 .venv/bin/pytest Tests/python/test_prometheus_e2e.py -q
	RENDER_OVERVIEW_PNG=1 .venv/bin/pytest Tests/python/test_overview_browser.py -q
