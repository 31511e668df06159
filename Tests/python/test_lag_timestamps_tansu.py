"""Lag in seconds right after the exporter starts, on Tansu with confluent-kafka (issue 22's measurement).

40 records are written with CreateTime timestamps an hour in the past, one a minute, and a group
commits offset 10. A freshly started exporter at a 2 s interval must show, from the first cycle where
kafka_consumergroup_lag_seconds appears, `collectedAt - timestamp of record 10` within one interval,
read (`_read` 1) and exact (`_lower_bound` 0). With `--lag.timestamp-reads 0` the same start shows the
interpolation's lower bound: a few seconds, flagged. Expected values come from the timestamps produced,
not from the exporter.
"""

import signal
import time
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from conftest import tansu_topic
from test_prometheus_e2e import Stack, exporter_binary
from test_sharding import LABEL, SAMPLE

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]

RECORDS = 40
COMMITTED = 10
INTERVAL_SECONDS = 2
DEADLINE_SECONDS = 60
# Tansu 0.6 answers a partition's newest offset as the last batch's base offset + 1 (docs/tansu.md).
ONE_RECORD_PER_BATCH = {"linger.ms": 0, "batch.num.messages": 1}


def produce_an_hour_ago(broker: str, topic: str) -> list[int]:
    """The records' timestamps in milliseconds, by offset."""
    start = int(time.time() * 1000) - 3_600_000
    timestamps = [start + index * 60_000 for index in range(RECORDS)]
    producer = Producer({"bootstrap.servers": broker, **ONE_RECORD_PER_BATCH})
    failures = []
    for index, timestamp in enumerate(timestamps):
        producer.produce(topic, value=f"record {index}".encode(), partition=0, timestamp=timestamp,
                         on_delivery=lambda error, _: failures.append(error) if error else None)
        producer.flush(10)
    assert not failures and producer.flush(10) == 0
    return timestamps


def scrape(url: str) -> Series | None:
    """Every series of /metrics, the exporter's own included (test_sharding.scrape leaves those out)."""
    try:
        text = urllib.request.urlopen(url + "/metrics", timeout=5).read().decode()
    except OSError:
        return None
    series: Series = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, labels, value = SAMPLE.match(line).groups()
            series[(name, tuple(LABEL.findall(labels or "")))] = float(value)
    return series


def commit(broker: str, group: str, topic: str, offset: int) -> None:
    consumer = Consumer({"bootstrap.servers": broker, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
    finally:
        consumer.close()


@pytest.mark.parametrize("reads", [True, False], ids=["timestamp-reads", "interpolation-only"])
def test_a_fresh_exporter_shows_the_records_age_from_the_first_cycle(broker: str, tmp_path: Path, reads: bool) -> None:
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"behind-{uuid.uuid4().hex[:8]}"
    tansu_topic("create", topic, "--broker", f"tcp://{broker}", "--partitions", "1")
    try:
        timestamps = produce_an_hour_ago(broker, topic)
        commit(broker, group, topic, COMMITTED)
        with ExitStack() as exits:
            stack = Stack(tmp_path, exits)
            stack.start("exporter", [
                str(exporter_binary()), "--kafka.server", broker, "--web.listen-address", stack.exporter_url.removeprefix("http://"),
                "--no-group.discovery", f"--group.static={group}:{topic}", "--collect.interval", f"{INTERVAL_SECONDS}s",
                *([] if reads else ["--lag.timestamp-reads", "0"]),
            ], signal.SIGTERM)
            labels = (("consumergroup", group), ("topic", topic), ("partition", "0"))
            deadline = time.monotonic() + DEADLINE_SECONDS
            while (series := scrape(stack.exporter_url)) is None or ("kafka_consumergroup_lag_seconds", labels) not in series:
                assert time.monotonic() < deadline, f"no lag in seconds within {DEADLINE_SECONDS} s\n{stack.logs()}"
                time.sleep(0.2)
    finally:
        tansu_topic("delete", topic, "--broker", f"tcp://{broker}")

    lag = series[("kafka_consumergroup_lag_seconds", labels)]
    collected_at = series[("kafka_exporter_last_collect_success_timestamp_seconds", ())]
    expected = collected_at - timestamps[COMMITTED] / 1000
    print(f"reads={reads}: lag {lag:.3f} s, collectedAt - timestamp of record {COMMITTED} = {expected:.3f} s")
    assert series[("kafka_consumergroup_lag", labels)] == RECORDS - COMMITTED
    if reads:
        assert abs(lag - expected) <= INTERVAL_SECONDS
        assert series[("kafka_consumergroup_lag_seconds_read", labels)] == 1
        assert series[("kafka_consumergroup_lag_seconds_lower_bound", labels)] == 0
    else:
        assert lag < 60 < expected
        assert series[("kafka_consumergroup_lag_seconds_read", labels)] == 0
        assert series[("kafka_consumergroup_lag_seconds_lower_bound", labels)] == 1
