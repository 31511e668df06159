"""End to end: `kafka-exporter demo` scraped every second by a real Prometheus (Debian's binary) that
loads dashboards/kafka-exporter.rules.yml. Every expression of the Grafana dashboard (its template
variables resolved as Grafana resolves them), of the rules file and of the dashboard-7589 list is
queried and must answer with plausible values; alert conditions must be false on the healthy demo,
each for a stated reason. /metrics must pass `promtool check metrics` in both exposition formats.

Builds nothing: the binary is .build/debug/kafka-exporter (`swift build` first) or $KAFKA_EXPORTER_BIN.
With RENDER_DASHBOARD_PNGS=1 it also renders the dashboard's panels into docs/images/.
"""

import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from helpers import dashboard_queries as dq
from helpers.prometheus_api import PrometheusAPI, Series

REPOSITORY = Path(__file__).resolve().parents[2]

DEMO_RATE_PER_MINUTE = 600
DEMO_PARTITIONS = 3  # the demo's default --demo.partitions
DEMO_TOPICS = {"_rawdata", "_policy", "_flow"}
DEMO_GROUPS = {"router", "policy-store", "flow-store"}
RATE_TOLERANCE = 0.3
# The rules' rates use 1m windows: they are exact once Prometheus holds a full window of samples.
FULL_RATE_WINDOW_SECONDS = 65
FIRST_DATA_DEADLINE_SECONDS = 60
ALL_DATA_DEADLINE_SECONDS = 60
# kafka_exporter's gauge names ending in _sum are a compatibility contract (see Tests/TestSupport/Promtool.swift).
ACCEPTED_LINT_FINDINGS = {
    'kafka_consumergroup_current_offset_sum non-histogram and non-summary metrics should not have "_sum" suffix',
    'kafka_consumergroup_lag_sum non-histogram and non-summary metrics should not have "_sum" suffix',
}


@dataclass(frozen=True)
class Expect:
    """Series whose labels include `labels` must exist, and each value must pass `check`."""

    labels: dict[str, str]
    check: Callable[[float], bool]
    meaning: str


def near(expected: float, tolerance: float = RATE_TOLERANCE) -> Callable[[float], bool]:
    return lambda value: abs(value - expected) <= tolerance * expected


PER_SECOND = DEMO_RATE_PER_MINUTE / 60
RAWDATA_PER_SECOND = Expect({"topic": "_rawdata"}, near(PER_SECOND), f"≈ {PER_SECOND:g}/s (--demo.rate {DEMO_RATE_PER_MINUTE})")
RAWDATA_PER_MINUTE = Expect({"topic": "_rawdata"}, near(DEMO_RATE_PER_MINUTE), f"≈ {DEMO_RATE_PER_MINUTE}/min")
ROUTER_PER_MINUTE = Expect({"consumergroup": "router", "topic": "_rawdata"}, near(DEMO_RATE_PER_MINUTE),
                           f"the router consumes ≈ {DEMO_RATE_PER_MINUTE}/min")
THREE_PARTITIONS = [Expect({"topic": topic}, lambda v: v == DEMO_PARTITIONS, f"{DEMO_PARTITIONS} partitions") for topic in sorted(DEMO_TOPICS)]
ALL_ONE = Expect({}, lambda v: v == 1, "1 (up)")

# Plausible values beyond "finite and not negative", by (source, panel title or rule name).
PLAUSIBLE: dict[tuple[str, str], list[Expect]] = {
    ("dashboard", "Message in per second"): [RAWDATA_PER_SECOND],
    ("dashboard", "Message in per minute"): [RAWDATA_PER_MINUTE],
    ("dashboard", "Message consume per minute"): [ROUTER_PER_MINUTE],
    ("dashboard", "Partitions per Topic"): THREE_PARTITIONS,
    ("dashboard", "Brokers"): [Expect({}, lambda v: v == 3, "the mock cluster's 3 brokers")],
    ("dashboard", "Under-replicated partitions"): [Expect({}, lambda v: v == 0, "none on the mock cluster")],
    ("dashboard", "Consumer group status"): [
        Expect({"consumergroup": group}, lambda v: v in (1, 2), "OK or WARN") for group in sorted(DEMO_GROUPS)],
    ("dashboard", "Lag in seconds"): [Expect({"consumergroup": g}, lambda v: v < 60, "under a minute") for g in sorted(DEMO_GROUPS)],
    ("dashboard", "Producer queue fill"): [Expect({}, lambda v: v <= 1, "a share of the limit")],
    ("dashboard", "Pipeline amplification per stage"): [Expect({"stage": "router"}, lambda v: 0.7 <= v <= 1.3, "≈ 1 without the bug")],
    ("dashboard", "Duplicate ratio per topic"): [Expect({}, lambda v: v < 0.01, "no duplicates without the bug")],
    ("dashboard", "Pipeline messages in and out per second"): [Expect({"stage": "router"}, lambda v: v > 0, "traffic")],
    ("dashboard", "Pipeline producer retries per minute"): [Expect({"client_id": "router"}, lambda v: True, "the router's producer")],
    ("dashboard", "Pipeline producer queue fill"): [Expect({"client_id": "router"}, lambda v: v <= 1, "the router's producer")],
    ("dashboard", "Exporter up"): [ALL_ONE],
    ("dashboard", "Probe up"): [ALL_ONE],
    ("dashboard", "Brokers in metadata"): [Expect({"id": str(broker)}, lambda v: v == 1, "in metadata") for broker in (1, 2, 3)],
    # The mock cluster holds every empty fetch for fetch.wait.max.ms (500 ms) instead of answering when a
    # record arrives, so round trips reach half a second; the 1 s alert threshold stays clear of it.
    ("dashboard", "Probe round trip p99"): [Expect({"broker": str(broker)}, lambda v: v < 1, "below the 1 s alert threshold")
                                           for broker in (1, 2, 3)],
    ("dashboard", "Time since last successful collection"): [Expect({}, lambda v: v < 10, "a few seconds")],
    ("rules:record", "topic:kafka_topic_messages_in:rate1m"): [RAWDATA_PER_SECOND],
    ("rules:record", "consumergroup_topic:kafka_consumergroup_messages_consumed:rate1m"): [
        Expect({"consumergroup": "router", "topic": "_rawdata"}, near(PER_SECOND), f"≈ {PER_SECOND:g}/s")],
    ("grafana-7589", "Message in per second"): [RAWDATA_PER_SECOND],
    # delta(...[5m])/5 spans more than the test's data: it only grows towards the true rate.
    ("grafana-7589", "Message in per minute"): [Expect({"topic": "_rawdata"}, lambda v: 0 < v <= DEMO_RATE_PER_MINUTE * 1.3, "positive, at most the rate")],
    ("grafana-7589", "Message consume per minute"): [Expect({"consumergroup": "router", "topic": "_rawdata"}, lambda v: v > 0, "positive")],
    ("grafana-7589", "Partitions per Topic"): THREE_PARTITIONS,
}
# The slope of a lag can be negative; every other expression here counts or measures something.
MAY_BE_NEGATIVE = {("rules:record", "consumergroup_topic:kafka_consumergroup_lag_sum:deriv10m")}

# Alerts whose condition must be false on the healthy demo: why, and the series the condition reads
# (which must exist, so that "no alert" means "healthy" and not "nothing to evaluate").
QUIET_ALERTS: dict[str, tuple[str, str]] = {
    "KafkaExporterScrapeDown": ("Prometheus scrapes the demo", 'up{job="kafka-exporter"}'),
    "KafkaExporterClusterUnreachable": ("the mock cluster answers", "kafka_exporter_up"),
    "KafkaExporterStale": ("the demo collects every second", "kafka_exporter_last_collect_success_timestamp_seconds"),
    "KafkaConsumerGroupLagGrowing": ("the demo's consumers keep up: lag stays far below 1000",
                                     "consumergroup_topic:kafka_consumergroup_lag_sum:deriv10m"),
    "KafkaConsumerGroupStopped": ("every demo group commits", "kafka_consumergroup_partition_status"),
    "KafkaConsumerGroupStalled": ("every demo group advances", "kafka_consumergroup_partition_status"),
    "KafkaTopicUnderReplicatedPartitions": ("the mock cluster's replicas stay in sync",
                                            "kafka_topic_partition_under_replicated_partition"),
    "KafkaProducerRetriesSustained": ("no errors are injected, so nothing is retried for 10 minutes",
                                      'client:kafka_client_tx_retries:rate1m{type="producer"}'),
    "KafkaProducerQueueNearFull": (f"{DEMO_RATE_PER_MINUTE} messages per minute never fill a queue",
                                   'client:kafka_client_msg_queue_fill:ratio{type="producer"}'),
    "PipelineAmplification": ("without --inject-retry-bug the router produces each record once",
                              "kafka_pipeline_amplification_ratio"),
    "TopicDuplicates": ("without --inject-retry-bug no record is produced twice", "kafka_topic_duplicate_ratio"),
    "KafkaProbeFailing": ("the demo probes its mock cluster, which delivers every record", "kafka_probe_up"),
    "KafkaProbeRoundTripSlow": ("the mock's round trips stay under its 500 ms fetch wait plus a little", "broker:kafka_probe_roundtrip_latency_seconds:p99_5m"),
    "KafkaBrokerMissing": ("the mock cluster's brokers stay up", "kafka_broker_up"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exporter_binary() -> Path:
    binary = Path(os.environ.get("KAFKA_EXPORTER_BIN", REPOSITORY / ".build" / "debug" / "kafka-exporter"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: run `swift build` first or set KAFKA_EXPORTER_BIN")
    return binary


class Stack:
    """The running demo and Prometheus, their logs, and the variables resolved against them."""

    def __init__(self, directory: Path, exits: ExitStack):
        self.directory = directory
        self.exits = exits
        self.exporter_url = f"http://127.0.0.1:{free_port()}"
        self.prometheus = PrometheusAPI(f"http://127.0.0.1:{free_port()}")
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], stop_signal: int) -> None:
        log = (self.directory / f"{name}.log").open("w")
        self.exits.callback(log.close)
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.exits.callback(stop, process, stop_signal)
        self.processes[name] = process

    def logs(self) -> str:
        return "\n".join(f"--- {name}.log (last lines) ---\n" + "\n".join(
            (self.directory / f"{name}.log").read_text(errors="replace").splitlines()[-30:]) for name in self.processes)

    def wait_until(self, condition: Callable[[], bool], seconds: float, what: str, required: bool = True) -> None:
        """Polls every second; fails when a process exits, and at the deadline when `required`."""
        deadline = time.monotonic() + seconds
        while not condition():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{name} exited with {process.returncode} while waiting for {what}\n{self.logs()}")
            if time.monotonic() > deadline:
                if required:
                    pytest.fail(f"no {what} within {seconds:g} s\n{self.logs()}")
                return
            time.sleep(1)

    def has_data(self, expr: str) -> bool:
        try:
            return bool(self.prometheus.query(expr))
        except OSError:
            return False


def stop(process: subprocess.Popen, stop_signal: int) -> None:
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_prometheus_config(stack: Stack) -> Path:
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(dq.RULES)],
        "scrape_configs": [{"job_name": "kafka-exporter",
                            "static_configs": [{"targets": [stack.exporter_url.removeprefix("http://")]}]}],
    }
    path = stack.directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = exporter_binary()
    with ExitStack() as exits:
        stack = Stack(tmp_path_factory.mktemp("prometheus-e2e"), exits)
        stack.start("exporter", [
            str(binary), "demo", "--web.listen-address", stack.exporter_url.removeprefix("http://"),
            "--collect.interval", "1s", "--demo.rate", str(DEMO_RATE_PER_MINUTE),
            # Short windows so that the demo's rates, ratio and client statistics settle within the test.
            "--pipeline.window", "30s", "--stats.interval", "1s",
        ], signal.SIGINT)
        stack.start("prometheus", [
            "prometheus", f"--config.file={write_prometheus_config(stack)}",
            f"--storage.tsdb.path={stack.directory / 'tsdb'}",
            f"--web.listen-address={stack.prometheus.base_url.removeprefix('http://')}",
        ], signal.SIGTERM)
        stack.wait_until(stack.prometheus.ready, 30, "ready Prometheus")
        stack.wait_until(lambda: stack.has_data('kafka_topic_messages_in_total{topic="_rawdata"}'),
                         FIRST_DATA_DEADLINE_SECONDS, "_rawdata message counter in Prometheus")
        first_data = time.monotonic()
        stack.wait_until(lambda: time.monotonic() - first_data >= FULL_RATE_WINDOW_SECONDS,
                         FULL_RATE_WINDOW_SECONDS + 5, "full 1m rate window")
        # Not required: the tests below name each expression that is still without data.
        stack.wait_until(lambda: all(stack.has_data(q.expr) for q in expected_data_queries(stack)), ALL_DATA_DEADLINE_SECONDS,
                         "data for every expression", required=False)
        yield stack


def dashboard_values(stack: Stack) -> dict[str, str]:
    resolved = dq.resolve_variables(dq.dashboard_variables(dq.load_dashboard()), stack.prometheus.label_values)
    return {name: r.value for name, r in resolved.items()}


def compat_values(stack: Stack) -> dict[str, str]:
    resolved = dq.resolve_variables(dq.compat_queries()[0], stack.prometheus.label_values)
    return {name: r.value for name, r in resolved.items()}


def expected_data_queries(stack: Stack) -> list[dq.Query]:
    """Every expression that must have data: all but the alert conditions. A variable without
    values yet gives an expression that has none, so that waiting goes on."""
    try:
        queries = dq.all_queries(dashboard_values(stack), compat_values(stack))
    except LookupError as error:
        return [dq.Query("variables", str(error), "vector(0) < 0")]
    return [q for q in queries if q.source != "rules:alert"]


def problems_with(query: dq.Query, series: list[Series]) -> list[str]:
    if not series:
        return ["no data"]
    problems = []
    for item in series:
        if not math.isfinite(item.value):
            problems.append(f"{item.labels}: {item.value}")
        elif item.value < 0 and (query.source, query.title) not in MAY_BE_NEGATIVE:
            problems.append(f"{item.labels}: negative {item.value}")
    for expect in PLAUSIBLE.get((query.source, query.title), []):
        matching = [s for s in series if expect.labels.items() <= s.labels.items()]
        if not matching:
            problems.append(f"no series with {expect.labels} ({expect.meaning})")
        problems += [f"{s.labels}: {s.value:g}, expected {expect.meaning}" for s in matching if not expect.check(s.value)]
    return problems


def query_ids(queries: list[dq.Query]) -> list[str]:
    return [f"{q.source}:{q.title}:{index}" for index, q in enumerate(queries)]


DASHBOARD_QUERIES = dq.dashboard_queries(dq.load_dashboard())
RECORDING_RULES = [q for q in dq.rule_queries() if q.source == "rules:record"]
ALERT_RULES = [q for q in dq.rule_queries() if q.source == "rules:alert"]
COMPAT_QUERIES = dq.compat_queries()[1]


def test_every_plausibility_check_names_an_existing_query() -> None:
    known = {(q.source, q.title) for q in DASHBOARD_QUERIES + RECORDING_RULES + COMPAT_QUERIES}
    assert set(PLAUSIBLE) - known == set()
    assert MAY_BE_NEGATIVE - known == set()


def test_dashboard_variables_resolve_to_the_demos_topics_groups_and_router(stack: Stack) -> None:
    resolved = dq.resolve_variables(dq.dashboard_variables(dq.load_dashboard()), stack.prometheus.label_values)

    assert resolved["job"].options == ("kafka-exporter",)
    assert resolved["instance"].options == (stack.exporter_url.removeprefix("http://"),)
    assert DEMO_TOPICS <= set(resolved["topic"].options)
    assert DEMO_GROUPS <= set(resolved["consumergroup"].options)
    assert resolved["pipeline_producer"].value == "router"


def test_grafana_7589_variables_resolve_like_grafana(stack: Stack) -> None:
    resolved = dq.resolve_variables(dq.compat_queries()[0], stack.prometheus.label_values)

    assert resolved["instance"].value == stack.exporter_url.removeprefix("http://")
    assert DEMO_TOPICS <= set(resolved["topic"].options)
    assert resolved["topic"].value == "(" + "|".join(map(dq.regex_escape, resolved["topic"].options)) + ")"


@pytest.mark.parametrize("query", DASHBOARD_QUERIES, ids=query_ids(DASHBOARD_QUERIES))
def test_dashboard_query_has_plausible_data(stack: Stack, query: dq.Query) -> None:
    expr = dq.substitute(query.expr, dashboard_values(stack))

    assert problems_with(query, stack.prometheus.query(expr)) == [], expr


@pytest.mark.parametrize("query", RECORDING_RULES, ids=query_ids(RECORDING_RULES))
def test_recording_rule_has_plausible_data(stack: Stack, query: dq.Query) -> None:
    assert problems_with(query, stack.prometheus.query(query.title)) == [], query.expr


@pytest.mark.parametrize("query", COMPAT_QUERIES, ids=query_ids(COMPAT_QUERIES))
def test_grafana_7589_query_answers_unchanged(stack: Stack, query: dq.Query) -> None:
    expr = dq.substitute(query.expr, compat_values(stack))

    assert problems_with(query, stack.prometheus.query(expr)) == [], expr


def test_every_alert_is_classified_for_the_demo() -> None:
    assert {q.title for q in ALERT_RULES} == set(QUIET_ALERTS)


@pytest.mark.parametrize("query", ALERT_RULES, ids=query_ids(ALERT_RULES))
def test_alert_condition_is_false_on_the_healthy_demo_but_reads_real_series(stack: Stack, query: dq.Query) -> None:
    reason, data_expr = QUIET_ALERTS[query.title]

    assert stack.prometheus.query(query.expr) == [], f"{query.title} should be quiet: {reason}"
    assert stack.prometheus.query(data_expr) != [], f"{query.title} reads {data_expr}, which has no data"


def test_no_alert_is_pending_or_firing(stack: Stack) -> None:
    assert [s.labels for s in stack.prometheus.query("ALERTS")] == []


def test_routed_topics_are_consumed_at_the_rate_of_the_input(stack: Stack) -> None:
    """The router sends each record to _policy or _flow: their stores together consume the input."""
    stores = stack.prometheus.query(
        'sum(consumergroup_topic:kafka_consumergroup_messages_consumed:rate1m{consumergroup=~"policy-store|flow-store"})')

    assert len(stores) == 1 and near(PER_SECOND)(stores[0].value), [s.value for s in stores]


def fetch_metrics(url: str, accept: str | None) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("Content-Type", ""), response.read().decode()


@pytest.mark.parametrize("accept, content_type", [
    (None, "text/plain; version=0.0.4"),
    ("application/openmetrics-text; version=1.0.0", "application/openmetrics-text; version=1.0.0"),
], ids=["text", "openmetrics"])
def test_metrics_pass_promtool(stack: Stack, accept: str | None, content_type: str) -> None:
    received_type, body = fetch_metrics(f"{stack.exporter_url}/metrics", accept)
    result = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True, timeout=60)
    findings = {line for line in (result.stdout + result.stderr).splitlines() if line} - ACCEPTED_LINT_FINDINGS
    if accept:
        # promtool 2.42 lints with the text-format parser: an OpenMetrics counter's samples end in
        # _total while its HELP names the family without it, so it reports "no help text" for them.
        findings = {f for f in findings if not (f.endswith("_total no help text")
                                                and f"# HELP {f.split()[0].removesuffix('_total')} " in body)}

    assert received_type.replace(" ", "").startswith(content_type.replace(" ", ""))
    assert result.returncode in (0, 3), result.stdout + result.stderr  # 3: lint findings only
    assert findings == set()


def test_render_dashboard_pngs(stack: Stack) -> None:
    if os.environ.get("RENDER_DASHBOARD_PNGS") != "1":
        pytest.skip("set RENDER_DASHBOARD_PNGS=1 to render docs/images from this Prometheus")
    subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "render-dashboard-pngs"),
                    "--prometheus", stack.prometheus.base_url, "--out", str(REPOSITORY / "docs" / "images"),
                    "--minutes", "2"], check=True, timeout=300)
