"""The incident on Tansu with real clients at the seed's 200 records a minute: the issue's target, "within
60 s of the bug", read from the exporter's /metrics polled every 5 s.

A Telegraf-like producer (confluent-kafka) writes unique line-protocol records into `_rawdata` at 200 a
minute, half `policy`, half `flow`. A router written as the incident's one was (confluent-kafka: a
consumer in group `router`, a producer with a 20-record local queue) sends each record to `_policy` or
`_flow`. Switching the bug on gives it the seed's code, whose retry counter, raised on every
`BufferError: Local: Queue full`, is never reset, and asks the producer for a burst that fills the
router's queue: from that one `Queue full` on, the router produces every record twice.

Healthy first, until the exporter publishes every ratio: the router's amplification must read 1.0 ± 0.1
and no output's duplicate ratio above 0.01 (no false alarm). Then the bug: within 60 s of switching it on
the amplification must read 2.0 ± 0.1 and the duplicate ratio of `_policy` and `_flow` 0.5 ± 0.08, stay
there once reached, and never overshoot. Expected values come from the router's definition (one copy
or two of every record), not from the exporter. `pytest -s` prints every poll and the times to 2.0 and
to 0.5.
"""

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer

from conftest import tansu_topic
from test_prometheus_e2e import Stack, exporter_binary
from test_sharding import Series, scrape

RECORDS_PER_MINUTE = 200
BURST_RECORDS = 200  # far more than the router's queue holds, as the demo's burst (TelegrafProducer.burstSize)
ROUTER_QUEUE = 20  # queue.buffering.max.messages: small enough that a burst fills it, as in the incident
INPUT, OUTPUTS = "_rawdata", ("_policy", "_flow")
PARTITIONS = 3
# The exporter publishes a ratio once its error bound is within 0.1 and computes it over a window that
# must hold (almost) only records handled with the bug within 60 s of it:
# - amplification: the span of --pipeline.window counts every record handled before the bug once, so it
#   reads 2.0 - 0.1 only once at most a tenth of its records predate the bug, about 0.9 of the window
#   after it. The bound is the lag at the span's ends (m) over the records counted (n); at ratio 2 it is
#   within 0.1 for n >= 21 m: with 1 s commits about 84 records, 25 s at 200 a minute (docs/pipelines.md).
#   30 s holds 100: the ratio is then 2.0 ± 0.1 about 30 s after the bug, the default 5m window would
#   take 5 minutes.
# - duplicates: t seconds after the bug, a window of W seconds of steady traffic holds a share
#   t / (W + t) of duplicates: 0.42 at t = 0.72 W, 0.5 at t = W. At 0.5 the bound needs 93 records
#   sampled; each output gets 100 a minute, doubled by the bug: 100 in 30 s.
PIPELINE_WINDOW = DUPLICATE_WINDOW = "30s"
COLLECT_INTERVAL = "2s"
POLL_SECONDS = 5
HEALTHY_DEADLINE_SECONDS = 120  # exporter start to every ratio published (about 35 s)
HEALTHY_POLLS = 2  # further polls with every ratio published before the bug is switched on
TARGET_SECONDS = 60
AMPLIFICATION = ("kafka_pipeline_amplification_ratio", {"stage": "router"})
HEALTHY_AMPLIFICATION, BUG_AMPLIFICATION = (0.9, 1.1), (1.9, 2.1)
HEALTHY_DUPLICATES_AT_MOST = 0.01
BUG_DUPLICATES = (0.42, 0.58)
# Tansu 0.6's ListOffsets answers the last record batch's base offset + 1 for a partition's newest
# offset (docs/tansu.md), so the exporter would count a batch of k records as one: every producer sends
# one record per batch.
ONE_RECORD_PER_BATCH = {"linger.ms": 0, "batch.num.messages": 1}
SESSION_TIMEOUT_MS = 6000  # Tansu holds a JoinGroup for about half of it (docs/tansu.md)


def value(series: Series, name: str, labels: dict[str, str]) -> float | None:
    return next((v for (n, pairs), v in series.items() if n == name and labels.items() <= dict(pairs).items()), None)


def client_failed(error: KafkaError | None, problems: list[str], who: str) -> None:
    if error is not None:
        problems.append(f"{who}: {error}")


@contextmanager
def closing_on_exit(thread: "Telegraf | Router", producer: Producer, consumer: Consumer | None = None) -> Iterator[None]:
    """Notes what ends a client thread early, then closes its clients: their connections would
    otherwise stay open until garbage collection, past the broker's stop."""
    try:
        yield
    except Exception as error:  # a thread that died would otherwise show only as missing traffic
        thread.problems.append(f"{thread.name}: {error!r}")
    finally:
        producer.flush(10)
        producer.close()
        if consumer is not None:
            consumer.close()


class Telegraf(threading.Thread):
    """Writes Influx line-protocol records into `_rawdata` on a fixed schedule, every one unique (a
    sequence number and a timestamp), half policy events and half flow records; `burst()` asks for
    BURST_RECORDS at once."""

    def __init__(self, bootstrap: str, stop: threading.Event, problems: list[str]):
        super().__init__(name="telegraf", daemon=True)
        self.producer = Producer({"bootstrap.servers": bootstrap, "client.id": "telegraf", **ONE_RECORD_PER_BATCH})
        self.stop, self.problems = stop, problems
        self.burst_requested = threading.Event()
        self.sequence = 0

    def burst(self) -> None:
        self.burst_requested.set()

    def record(self) -> bytes:
        self.sequence += 1
        now = time.time_ns()
        if self.sequence % 2:
            return f'policy,host=fw-{self.sequence % 3} action="deny",rule={self.sequence % 40}i,seq={self.sequence}i {now}'.encode()
        return f"flow,host=sw-{self.sequence % 5} bytes={512 + self.sequence % 1000}i,seq={self.sequence}i {now}".encode()

    def send(self) -> None:
        self.producer.produce(INPUT, value=self.record(), on_delivery=lambda error, _: client_failed(error, self.problems, "telegraf"))

    def run(self) -> None:
        with closing_on_exit(self, self.producer):
            spacing, next_send = 60 / RECORDS_PER_MINUTE, time.monotonic()
            while not self.stop.is_set():
                if self.burst_requested.is_set():
                    self.burst_requested.clear()
                    for _ in range(BURST_RECORDS):
                        self.send()
                if time.monotonic() >= next_send:
                    next_send += spacing
                    self.send()
                self.producer.poll(min(0.05, max(0.0, next_send - time.monotonic())))


class Router(threading.Thread):
    """The incident's router: consumes `_rawdata` in group `router`, sends each record to `_policy` or
    `_flow`, retrying while its producer's queue is full. With `bug` set it runs the seed's code, which
    never resets its retry counter: after one `Queue full` it "retries", produces again, every record."""

    def __init__(self, bootstrap: str, bug: threading.Event, stop: threading.Event, problems: list[str]):
        super().__init__(name="router", daemon=True)
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": "router", "client.id": "router", "auto.offset.reset": "earliest",
            "session.timeout.ms": SESSION_TIMEOUT_MS,
            # Commits every second: the exporter's bound on the ratio is the group's lag at the span's ends
            # over the records counted, and 1 s of lag (about 4 records) lets 25 s of records give ±0.1
            # at ratio 2 where the default 5 s (about 17) would need 107 s (docs/pipelines.md).
            "enable.auto.commit": True, "auto.commit.interval.ms": 1000,
            # Offsets are stored only once a record's outputs are produced: a commit never runs ahead of them.
            "enable.auto.offset.store": False,
        })
        self.producer = Producer({
            "bootstrap.servers": bootstrap, "client.id": "router", "queue.buffering.max.messages": ROUTER_QUEUE,
            **ONE_RECORD_PER_BATCH,
        })
        self.bug, self.stop, self.problems = bug, stop, problems
        self.retries = 0
        self.first_queue_full: float | None = None
        self.consumer.subscribe([INPUT])

    def run(self) -> None:
        with closing_on_exit(self, self.producer, self.consumer):
            while not self.stop.is_set():
                self.producer.poll(0)  # delivery reports: delivered records leave the queue
                message = self.consumer.poll(0.2)
                if message is None:
                    continue
                if message.error():
                    self.problems.append(f"router consumer: {message.error()}")
                    continue
                topic = "_policy" if message.value().startswith(b"policy") else "_flow"
                if self.retries:  # the seed: a non-zero counter means "the last send failed, send again"
                    self.send(topic, message)
                self.send(topic, message)
                self.consumer.store_offsets(message)

    def send(self, topic: str, message) -> None:
        while True:
            try:
                self.producer.produce(topic, key=message.key(), value=message.value(),
                                      on_delivery=lambda error, _: client_failed(error, self.problems, "router"))
                break
            except BufferError:  # Local: Queue full
                self.retries += 1
                if self.bug.is_set() and self.first_queue_full is None:
                    self.first_queue_full = time.monotonic()
                self.producer.poll(0.05)
        if not self.bug.is_set():
            self.retries = 0  # the fix: the counter belongs to one send


class Poll:
    """One scrape: when, relative to the switch, and the values the test is about."""

    def __init__(self, series: Series, seconds: float):
        self.seconds = seconds
        self.amplification = value(series, *AMPLIFICATION)
        self.duplicates = {topic: value(series, "kafka_topic_duplicate_ratio", {"topic": topic}) for topic in OUTPUTS}
        self.text = (f"t={seconds:+6.1f}s amplification={self.amplification} "
                     f"(bound {value(series, 'kafka_pipeline_amplification_ratio_bound', {'stage': 'router'})}, "
                     f"records {value(series, 'kafka_pipeline_window_records', {'stage': 'router'})}, "
                     f"span {value(series, 'kafka_pipeline_window_seconds', {'stage': 'router'})} s) "
                     + " ".join(f"{topic}={self.duplicates[topic]} "
                                f"(bound {value(series, 'kafka_topic_duplicate_ratio_bound', {'topic': topic})}, "
                                f"samples {value(series, 'kafka_topic_duplicate_window_samples', {'topic': topic})})"
                                for topic in OUTPUTS))

    @property
    def complete(self) -> bool:
        return self.amplification is not None and None not in self.duplicates.values()


def within(reading: float | None, bounds: tuple[float, float]) -> bool:
    return reading is not None and bounds[0] <= reading <= bounds[1]


@pytest.fixture
def pipeline(broker: str, tmp_path: Path) -> Iterator[tuple[Stack, Telegraf, Router, threading.Event, list[str]]]:
    """The topics, the exporter watching them, and the producer and router threads running healthy;
    everything stopped afterwards, also when the test fails."""
    for topic in (INPUT, *OUTPUTS):
        tansu_topic("create", topic, "--broker", f"tcp://{broker}", "--partitions", str(PARTITIONS))
    bug, stop, problems = threading.Event(), threading.Event(), []
    with ExitStack() as exits:
        stack = Stack(tmp_path, exits)
        stack.start("exporter", [
            str(exporter_binary()), "--kafka.server", broker, "--web.listen-address", stack.exporter_url.removeprefix("http://"),
            "--pipeline", f"router: {INPUT} -> {','.join(OUTPUTS)}", "--pipeline.window", PIPELINE_WINDOW,
            "--duplicates.topic", "^_(policy|flow)$", "--duplicates.window", DUPLICATE_WINDOW,
            "--collect.interval", COLLECT_INTERVAL,
        ], signal.SIGTERM)
        stack.wait_until(lambda: scrape(stack.exporter_url) is not None, 30, "/metrics")
        telegraf, router = Telegraf(broker, stop, problems), Router(broker, bug, stop, problems)
        threads = [router, telegraf]
        exits.callback(lambda: [thread.join(30) for thread in threads])
        exits.callback(stop.set)
        for thread in threads:
            thread.start()
        yield stack, telegraf, router, bug, problems
    assert not any(thread.is_alive() for thread in threads), "a client thread did not stop"


def poll_every(stack: Stack, phase: str, since: float, until: float) -> Iterator[Poll]:
    """Scrapes every POLL_SECONDS from `since` + POLL_SECONDS up to `until` (monotonic), printing each."""
    scheduled = since + POLL_SECONDS
    while scheduled <= until:
        time.sleep(max(0.0, scheduled - time.monotonic()))
        for name, process in stack.processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}\n{stack.logs()}")
        series = scrape(stack.exporter_url)
        if series is None:
            pytest.fail(f"/metrics did not answer\n{stack.logs()}")
        poll = Poll(series, time.monotonic() - since)
        print(f"{phase}: {poll.text}", flush=True)
        yield poll
        scheduled += POLL_SECONDS


def test_router_retry_bug_shows_within_60_s_on_tansu(pipeline) -> None:
    stack, telegraf, router, bug, problems = pipeline

    started, healthy, false_alarms = time.monotonic(), [], []
    for poll in poll_every(stack, "healthy", started, started + HEALTHY_DEADLINE_SECONDS):
        healthy.append(poll)
        if poll.amplification is not None and not within(poll.amplification, HEALTHY_AMPLIFICATION):
            false_alarms.append(poll.text)
        false_alarms += [poll.text for ratio in poll.duplicates.values() if ratio is not None and ratio > HEALTHY_DUPLICATES_AT_MOST]
        if len(healthy) > HEALTHY_POLLS and all(p.complete for p in healthy[-HEALTHY_POLLS - 1:]):
            break
    else:
        pytest.fail(f"healthy: not every ratio published within {HEALTHY_DEADLINE_SECONDS} s\n{stack.logs()}")
    assert false_alarms == [], "while healthy"

    bug.set()
    telegraf.burst()
    switched = time.monotonic()
    after = list(poll_every(stack, "bug", switched, switched + TARGET_SECONDS))

    def first(reached) -> Poll | None:
        return next((poll for poll in after if reached(poll)), None)

    # Polls run until the one scheduled 60 s after the switch: a target first met there is within 60 s.
    to_two = first(lambda poll: within(poll.amplification, BUG_AMPLIFICATION))
    to_half = first(lambda poll: all(within(ratio, BUG_DUPLICATES) for ratio in poll.duplicates.values()))
    times = {"to 2.0": to_two and round(to_two.seconds, 1), "to 0.5": to_half and round(to_half.seconds, 1)}
    queue_full = router.first_queue_full and round(router.first_queue_full - switched, 1)
    summary = f"seconds after the bug was switched on: {times}, first Queue full after {queue_full} s"
    print(summary, flush=True)
    polls = "\n".join(poll.text for poll in after)
    assert problems == [], summary
    assert router.retries > 0, f"the burst did not fill the router's queue; {summary}"
    assert to_two is not None, f"no amplification 2.0 ± 0.1 within {TARGET_SECONDS} s; {summary}\n{polls}"
    assert to_half is not None, f"no duplicate ratios 0.5 ± 0.08 within {TARGET_SECONDS} s; {summary}\n{polls}"
    drifted = [poll.text for poll in after if poll.seconds >= to_two.seconds and poll.amplification is not None
               and not within(poll.amplification, BUG_AMPLIFICATION)]
    drifted += [poll.text for poll in after for ratio in poll.duplicates.values()
                if poll.seconds >= to_half.seconds and ratio is not None and not within(ratio, BUG_DUPLICATES)]
    assert drifted == [], f"left the target once reached; {summary}"
    overshot = [poll.text for poll in after if (poll.amplification or 0) > BUG_AMPLIFICATION[1]
                or any((ratio or 0) > BUG_DUPLICATES[1] for ratio in poll.duplicates.values())]
    assert overshot == [], f"above the target; {summary}"
