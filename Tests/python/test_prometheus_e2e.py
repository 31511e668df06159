"""End to end: `kafka-exporter demo` scraped every second by a real Prometheus (Debian's binary) that
loads dashboards/kafka-exporter.rules.yml. Every expression of the Grafana dashboard (its template
variables resolved as Grafana resolves them), of the rules file and of the dashboard-7589 list is
queried and must answer with the value computed from what the demo produces and consumes (rates
within 5 %, bounds derived from its settings); alert conditions must be false on the healthy demo,
each for a stated reason. /metrics must pass `promtool check metrics` in both exposition formats.

Builds nothing: the binary is .build/debug/kafka-exporter (`swift build` first) or $KAFKA_EXPORTER_BIN.
With RENDER_DASHBOARD_PNGS=1 it also renders the dashboard's panels into docs/images/.
"""

import math
import os
import re
import shutil
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
# The demo also runs the exporter's end-to-end probe: its topic has one partition led by each of the
# mock's 3 brokers, and one record goes to each partition every --probe.interval (1 s).
PROBE_TOPIC = "kafka-exporter-probe"
PROBE_PER_SECOND = 3.0
DEMO_TOPICS = {"_rawdata", "_policy", "_flow", PROBE_TOPIC}
DEMO_GROUPS = {"router", "policy-store", "flow-store"}
# The demo's producer writes DEMO_RATE_PER_MINUTE records on a fixed schedule; 3 in 10 are policy
# events (TelegrafProducer.record: sequence % 10 < 3), which the router sends to _policy, the rest to
# _flow. Each group consumes one topic. These are the rates every expression is held against.
PER_SECOND = DEMO_RATE_PER_MINUTE / 60
TOPIC_RATE = {"_rawdata": PER_SECOND, "_policy": 0.3 * PER_SECOND, "_flow": 0.7 * PER_SECOND, PROBE_TOPIC: PROBE_PER_SECOND}
GROUP_TOPIC = {"router": "_rawdata", "policy-store": "_policy", "flow-store": "_flow"}
# Offsets are exact; a 1m rate over 1 s scrapes of 1 s collections is off by at most one collection
# interval's worth at each end (2 of 60 s). A dropped partition of _rawdata (-1/3) is far outside.
RATE_TOLERANCE = 0.05
# The demo's consumers commit every second (auto.commit.interval.ms) and poll every 200 ms; the
# exporter sees a commit at most one collection (1 s) later. Lag stays below what 2.5 s bring.
LAG_SECONDS_BOUND = 2.5
# A producer's queue holds what arrives between two sends: for the router one fetch of its consumer
# (fetch.wait.max.ms 500 ms: 5 records at 10/s) plus one linger (50 ms), for telegraf less. Twice that
# for a busy machine: 10 records (router: half its 20, far from the 0.8 alert; a broker that stopped
# acknowledging grows telegraf's queue past it within a second). Records are < 200 bytes.
QUEUED_RECORDS_BOUND = 10
QUEUED_BYTES_BOUND = QUEUED_RECORDS_BOUND * 200
# Every librdkafka client of the demo and of the exporter itself that reports statistics.
# librdkafka reports admin handles (cluster, group offsets) as producers. The demo reads no topic
# configs (the mock cluster has no controller to answer DescribeConfigs). Nor is the lag-timestamp
# reader among them: its consumer opens with the first read a cycle wants, and the demo's groups stay
# within a few messages, where interpolating lag in seconds is good enough.
PRODUCER_CLIENTS = {"telegraf", "router", "kafka-exporter-cluster", "kafka-exporter-group-offsets", "kafka-exporter-probe"}
ALL_CLIENTS = PRODUCER_CLIENTS | {"router", "policy-store", "flow-store", "kafka-exporter-duplicates"}
COLLECTION_STAGES = {"metadata", "watermarks", "list_groups", "describe_groups", "group_offsets"}
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


@dataclass(frozen=True)
class Exactly:
    """The series' values of `label` are exactly `values`: nothing missing, nothing extra."""

    label: str
    values: frozenset[str]


@dataclass(frozen=True)
class OverDataSpan:
    """A `delta(...[5m]) / 5` of 7589 while Prometheus holds less than 5 minutes: the messages of the
    span of data it has, per minute of the 5. The span is counted from the samples of `selector`."""

    labels: dict[str, str]
    per_second: float
    selector: str

    def bind(self, prometheus: PrometheusAPI, at: float) -> Expect:
        [samples] = prometheus.query(f"count_over_time({self.selector}[5m])", at)
        # Samples every second; delta extrapolates by at most one interval past the first and last.
        low, high = (samples.value - 1) * self.per_second / 5, (samples.value + 1) * self.per_second / 5
        return Expect(self.labels, lambda v: low * (1 - RATE_TOLERANCE) <= v <= high * (1 + RATE_TOLERANCE),
                      f"{self.per_second:g}/s over {samples.value:g} s of data, per minute of 5: {low:.1f}..{high:.1f}")


def near(expected: float, tolerance: float = RATE_TOLERANCE) -> Callable[[float], bool]:
    return lambda value: abs(value - expected) <= tolerance * expected


def at_most(bound: float) -> Callable[[float], bool]:
    return lambda value: value <= bound


def zero(value: float) -> bool:
    return value == 0


def topic_rates(scale: float = 1, unit: str = "/s") -> list:
    return [Exactly("topic", frozenset(TOPIC_RATE))] + [
        Expect({"topic": topic}, near(rate * scale), f"{rate * scale:g}{unit}") for topic, rate in TOPIC_RATE.items()]


def group_rates(scale: float = 1, unit: str = "/s") -> list:
    return [Exactly("consumergroup", frozenset(GROUP_TOPIC))] + [
        Expect({"consumergroup": group, "topic": topic}, near(TOPIC_RATE[topic] * scale),
               f"{group} consumes {TOPIC_RATE[topic] * scale:g}{unit}") for group, topic in GROUP_TOPIC.items()]


def group_lags() -> list:
    return [Exactly("consumergroup", frozenset(GROUP_TOPIC))] + [
        Expect({"consumergroup": group, "topic": topic}, at_most(TOPIC_RATE[topic] * LAG_SECONDS_BOUND),
               f"at most {LAG_SECONDS_BOUND} s of {topic}") for group, topic in GROUP_TOPIC.items()]


def all_zero(label: str, values: set[str], why: str) -> list:
    return [Exactly(label, frozenset(values)), Expect({}, zero, f"0: {why}")]


def queue_fill(clients: set[str], limit_of: Callable[[str], float], bound: float, what: str) -> list:
    return [Expect({"client_id": client, "type": "producer"}, at_most(bound / limit_of(client)),
                   f"at most {bound:g} {what} of the queue's limit") for client in sorted(clients)]


def message_limit(client: str) -> float:
    return 20 if client == "router" else 100_000  # Router.queueCapacity; librdkafka's default


BYTES_LIMIT = 1024 * 1024 * 1024  # librdkafka's default queue.buffering.max.kbytes (1048576 KiB)
NO_ERRORS = "no errors are injected into the healthy demo"
THREE_PARTITIONS = [Exactly("topic", frozenset(DEMO_TOPICS))] + [
    Expect({"topic": topic}, lambda v: v == DEMO_PARTITIONS, f"{DEMO_PARTITIONS} partitions") for topic in sorted(DEMO_TOPICS)]
ALL_ONE = Expect({}, lambda v: v == 1, "1 (up)")
DEMO_BROKERS = {"1", "2", "3"}
# The probe topic has one partition led by each broker. The mock cluster holds every empty fetch for
# fetch.wait.max.ms (500 ms) instead of answering when a record arrives, so round trips reach half a
# second; a latency is never 0 and stays clear of the 1 s alert threshold.
PROBE_P99 = [Exactly("broker", frozenset(DEMO_BROKERS)), Expect({}, lambda v: 0 < v < 1, "between 0 and the 1 s alert threshold")]
QUEUE_FILL = queue_fill(PRODUCER_CLIENTS, message_limit, QUEUED_RECORDS_BOUND, "records")
QUEUE_BYTES_FILL = queue_fill(PRODUCER_CLIENTS, lambda _: BYTES_LIMIT, QUEUED_BYTES_BOUND, "bytes")

# What each expression must show on the healthy demo, by (source, panel title or rule name), each
# computed from what the demo produces and consumes. Every expression has an entry (a test checks).
EXPECTED: dict[tuple[str, str], list] = {
    ("dashboard", "Message in per second"): topic_rates(),
    ("dashboard", "Lag by Consumer Group"): group_lags(),
    ("dashboard", "Message in per minute"): topic_rates(60, "/min"),
    ("dashboard", "Message consume per minute"): group_rates(60, "/min"),
    ("dashboard", "Partitions per Topic"): THREE_PARTITIONS,
    ("dashboard", "Brokers"): [Expect({}, lambda v: v == 3, "the mock cluster's 3 brokers")],
    ("dashboard", "Under-replicated partitions"): all_zero("topic", DEMO_TOPICS, "the mock cluster's replicas stay in sync"),
    ("dashboard", "Consumer group status"): [Exactly("consumergroup", frozenset(DEMO_GROUPS))] + [
        Expect({"consumergroup": group}, lambda v: v == 1, "OK: every group keeps up") for group in sorted(DEMO_GROUPS)],
    ("dashboard", "Lag in seconds"): [Exactly("consumergroup", frozenset(DEMO_GROUPS))] + [
        Expect({"consumergroup": g}, at_most(LAG_SECONDS_BOUND), f"at most {LAG_SECONDS_BOUND} s") for g in sorted(DEMO_GROUPS)],
    ("dashboard", "Producer retries per minute"): all_zero("client_id", PRODUCER_CLIENTS, NO_ERRORS),
    ("dashboard", "Producer queue fill"): [Exactly("client_id", frozenset(PRODUCER_CLIENTS))] + QUEUE_FILL,
    ("dashboard", "Request errors per minute"): all_zero("client_id", ALL_CLIENTS, NO_ERRORS),
    ("dashboard", "Pipeline amplification per stage"): [
        Exactly("stage", frozenset({"router"})), Expect({"stage": "router"}, near(1), "1: the router produces each record once")],
    ("dashboard", "Duplicate ratio per topic"): all_zero("topic", {"_policy", "_flow"}, "every record is produced once"),
    ("dashboard", "Pipeline messages in and out per second"): [
        Exactly("stage", frozenset({"router"})), Expect({"stage": "router"}, near(PER_SECOND), f"{PER_SECOND:g}/s in and out")],
    ("dashboard", "Pipeline producer retries per minute"): all_zero("client_id", {"router"}, NO_ERRORS),
    ("dashboard", "Pipeline producer queue fill"): [Exactly("client_id", frozenset({"router"}))] + queue_fill(
        {"router"}, message_limit, QUEUED_RECORDS_BOUND, "records"),
    ("dashboard", "Exporter up"): [ALL_ONE],
    ("dashboard", "Collection duration"): [Expect({}, lambda v: 0 < v < 1, "within the 1 s --collect.interval")],
    # One collection per second, one scrape per second.
    ("dashboard", "Time since last successful collection"): [Expect({}, lambda v: v < 2.5, "under two intervals")],
    ("dashboard", "Collection errors per minute"): all_zero("stage", COLLECTION_STAGES, "the mock cluster answers every step"),
    ("rules:record", "topic:kafka_topic_messages_in:rate1m"): topic_rates(),
    ("rules:record", "consumergroup_topic:kafka_consumergroup_messages_consumed:rate1m"): group_rates(),
    # Lag stays within its bound over the data's span of at least 65 s: its slope is a fraction of a
    # message per second (a stopped consumer would give the topic's whole rate).
    ("rules:record", "consumergroup_topic:kafka_consumergroup_lag_sum:deriv10m"): [
        Exactly("consumergroup", frozenset(GROUP_TOPIC)), Expect({}, lambda v: abs(v) <= 0.5, "|slope| ≤ 0.5/s")],
    ("rules:record", "client:kafka_client_tx_retries:rate1m"): all_zero("client_id", ALL_CLIENTS, NO_ERRORS),
    ("rules:record", "client:kafka_client_tx_errors:rate1m"): all_zero("client_id", ALL_CLIENTS, NO_ERRORS),
    ("rules:record", "client:kafka_client_rx_errors:rate1m"): all_zero("client_id", ALL_CLIENTS, NO_ERRORS),
    ("rules:record", "client:kafka_client_request_timeouts:rate1m"): all_zero("client_id", ALL_CLIENTS, NO_ERRORS),
    ("rules:record", "client:kafka_client_msg_queue_fill:ratio"): [Exactly("client_id", frozenset(PRODUCER_CLIENTS))] + QUEUE_FILL,
    ("rules:record", "client:kafka_client_msg_queue_bytes_fill:ratio"): [Exactly("client_id", frozenset(PRODUCER_CLIENTS))] + QUEUE_BYTES_FILL,
    ("rules:record", "stage:kafka_exporter_collect_errors:rate1m"): all_zero("stage", COLLECTION_STAGES, "the mock cluster answers every step"),
    ("grafana-7589", "Message in per second"): topic_rates(),
    ("grafana-7589", "Lag by Consumer Group"): group_lags(),
    # delta(...[5m])/5 spans more than the test's data: the messages of the data's span, per minute of 5.
    ("grafana-7589", "Message in per minute"): [Exactly("topic", frozenset(TOPIC_RATE))] + [
        OverDataSpan({"topic": topic}, rate, f'kafka_topic_partition_current_offset{{topic="{topic}",partition="0"}}')
        for topic, rate in TOPIC_RATE.items()],
    ("grafana-7589", "Message consume per minute"): [Exactly("consumergroup", frozenset(GROUP_TOPIC))] + [
        OverDataSpan({"consumergroup": group, "topic": topic}, TOPIC_RATE[topic],
                     f'kafka_consumergroup_current_offset{{consumergroup="{group}",partition="0"}}')
        for group, topic in GROUP_TOPIC.items()],
    ("dashboard", "Probe up"): [ALL_ONE],
    ("dashboard", "Brokers in metadata"): [Expect({"id": str(broker)}, lambda v: v == 1, "in metadata") for broker in (1, 2, 3)],
    # The mock cluster holds every empty fetch for fetch.wait.max.ms (500 ms) instead of answering when a
    # record arrives, so round trips reach half a second; the 1 s alert threshold stays clear of it.
    ("dashboard", "Probe round trip p99"): PROBE_P99,
    ("dashboard", "Probe records failed, lost and duplicated per minute"): all_zero(
        "broker", DEMO_BROKERS, "the mock cluster acknowledges and delivers every probe record once"),
    ("rules:record", "broker:kafka_probe_roundtrip_latency_seconds:p99_5m"): PROBE_P99,
    ("rules:record", "broker:kafka_probe_produce_latency_seconds:p99_5m"): PROBE_P99,
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
    "KafkaConsumerGroupMessagesOld": ("the demo's groups keep up: their oldest unconsumed message is seconds old",
                                      "kafka_consumergroup_max_lag_seconds"),
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


def problems_with(query: dq.Query, series: list[Series], prometheus: PrometheusAPI, at: float) -> list[str]:
    if not series:
        return ["no data"]
    problems = []
    for item in series:
        if not math.isfinite(item.value):
            problems.append(f"{item.labels}: {item.value}")
        elif item.value < 0 and (query.source, query.title) not in MAY_BE_NEGATIVE:
            problems.append(f"{item.labels}: negative {item.value}")
    for expect in EXPECTED[(query.source, query.title)]:
        if isinstance(expect, Exactly):
            found = {s.labels.get(expect.label) for s in series}
            if found != expect.values:
                problems.append(f"{expect.label} values {sorted(map(str, found))}, expected exactly {sorted(expect.values)}")
            continue
        if isinstance(expect, OverDataSpan):
            expect = expect.bind(prometheus, at)
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


def test_every_query_has_an_expected_value() -> None:
    known = {(q.source, q.title) for q in DASHBOARD_QUERIES + RECORDING_RULES + COMPAT_QUERIES}
    assert set(EXPECTED) == known
    assert MAY_BE_NEGATIVE - known == set()


def test_dashboard_variables_resolve_to_the_demos_topics_groups_and_router(stack: Stack) -> None:
    resolved = dq.resolve_variables(dq.dashboard_variables(dq.load_dashboard()), stack.prometheus.label_values)

    assert resolved["job"].options == ("kafka-exporter",)
    assert resolved["instance"].options == (stack.exporter_url.removeprefix("http://"),)
    assert set(resolved["topic"].options) == DEMO_TOPICS
    assert set(resolved["consumergroup"].options) == DEMO_GROUPS
    assert resolved["pipeline_producer"].value == "router"


def test_grafana_7589_variables_resolve_like_grafana(stack: Stack) -> None:
    resolved = dq.resolve_variables(dq.compat_queries()[0], stack.prometheus.label_values)

    assert resolved["instance"].value == stack.exporter_url.removeprefix("http://")
    assert set(resolved["topic"].options) == DEMO_TOPICS
    # Grafana joins a multi-value "All" into one regex alternation, in the options' (sorted) order.
    assert resolved["topic"].value == "(_flow|_policy|_rawdata|kafka-exporter-probe)"


@pytest.mark.parametrize("query", DASHBOARD_QUERIES, ids=query_ids(DASHBOARD_QUERIES))
def test_dashboard_query_has_the_expected_data(stack: Stack, query: dq.Query) -> None:
    expr = dq.substitute(query.expr, dashboard_values(stack))
    at = time.time()

    assert problems_with(query, stack.prometheus.query(expr, at), stack.prometheus, at) == [], expr


@pytest.mark.parametrize("query", RECORDING_RULES, ids=query_ids(RECORDING_RULES))
def test_recording_rule_has_the_expected_data(stack: Stack, query: dq.Query) -> None:
    at = time.time()

    assert problems_with(query, stack.prometheus.query(query.title, at), stack.prometheus, at) == [], query.expr


@pytest.mark.parametrize("query", COMPAT_QUERIES, ids=query_ids(COMPAT_QUERIES))
def test_grafana_7589_query_answers_unchanged(stack: Stack, query: dq.Query) -> None:
    expr = dq.substitute(query.expr, compat_values(stack))
    at = time.time()

    assert problems_with(query, stack.prometheus.query(expr, at), stack.prometheus, at) == [], expr


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


def test_lag_is_the_newest_offset_minus_the_commit_summed_over_partitions(stack: Stack) -> None:
    """The exporter's lag against the same arithmetic done by Prometheus on its offsets, in one
    evaluation (so from one scrape): max(0, newest − committed), summed over the partitions."""
    difference = stack.prometheus.query(
        "kafka_consumergroup_lag_sum - on (consumergroup, topic) sum by (consumergroup, topic) ("
        "clamp_min(kafka_topic_partition_current_offset - on (topic, partition) group_right"
        " kafka_consumergroup_current_offset, 0))")

    assert {s.labels["consumergroup"]: s.value for s in difference} == {group: 0 for group in DEMO_GROUPS}


def kcat_newest_offsets(bootstrap: str) -> dict[tuple[str, str], int]:
    """The newest offset of every partition of the demo's topics, asked of the mock cluster by kcat."""
    queries = [argument for topic in sorted(DEMO_TOPICS) for partition in range(DEMO_PARTITIONS)
               for argument in ("-t", f"{topic}:{partition}:-1")]
    result = subprocess.run(["kcat", "-Q", "-b", bootstrap, *queries], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    # kcat prints one line per partition: "_rawdata [0] offset 316".
    return {(topic, partition): int(offset)
            for topic, partition, offset in re.findall(r"^(\S+) \[(\d+)\] offset (\d+)$", result.stdout, re.M)}


def test_offsets_in_prometheus_are_the_brokers_offsets(stack: Stack) -> None:
    """The exporter's offsets, as Prometheus stored them, against kcat asking the brokers: never ahead
    of what kcat read afterwards, behind by no more than one collection and one scrape of traffic (at
    most 10 records a second per partition), and caught up within a few seconds."""
    if shutil.which("kcat") is None:
        pytest.skip("needs kcat: run `make test-deps` (or `make test`) to install it")
    banner = (stack.directory / "exporter.log").read_text(errors="replace")
    bootstrap = re.search(r"mock cluster with \d+ brokers at (\S+)", banner).group(1)

    def stored(at: float | None = None) -> dict[tuple[str, str], float]:
        series = stack.prometheus.query("kafka_topic_partition_current_offset", at)
        return {(s.labels["topic"], s.labels["partition"]): s.value for s in series}

    before = time.time()
    newest = kcat_newest_offsets(bootstrap)
    kcat_seconds = time.time() - before
    earlier = stored(before)
    stack.wait_until(lambda: all(stored().get(key, -1) >= offset for key, offset in newest.items()), 10,
                     "Prometheus to hold the offsets kcat read")

    assert len(newest) == len(DEMO_TOPICS) * DEMO_PARTITIONS
    assert set(earlier) == set(newest)
    allowed = PER_SECOND * (2.5 + kcat_seconds)
    assert {key: offset for key, offset in earlier.items() if not 0 <= newest[key] - offset <= allowed} == {}


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
