"""Lag in seconds right after the exporter starts, on Tansu with confluent-kafka (issue 22's measurement).

40 records are written with CreateTime timestamps an hour in the past, one a minute, and a group
commits offset 10. A freshly started exporter at a 2 s interval must show, from the first cycle where
kafka_consumergroup_lag_seconds appears, `collectedAt - timestamp of record 10` within one interval,
read (`_read` 1) and exact (`_lower_bound` 0). With `--lag.timestamp-reads 0` the same start shows the
interpolation's lower bound: a few seconds, flagged. Expected values come from the timestamps produced,
not from the exporter.

Transactions: 3 records aborted (offsets 0-2, marker at 3), 3 committed (4-6, marker at 7). A group at
an aborted record reads its age; a group at the abort marker reads the next record's, a lower bound; a
group past its last message, at the commit marker, is caught up: 0, read.
"""

import signal
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from conftest import tansu_topic
from helpers.scrape import Series, scrape
from test_prometheus_e2e import Stack, exporter_binary

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


def commit(broker: str, group: str, topic: str, offset: int) -> None:
    consumer = Consumer({"bootstrap.servers": broker, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
    finally:
        consumer.close()


def first_lag_seconds(broker: str, tmp_path: Path, groups: list[str], topic: str, *flags: str, read: bool = False) -> Series:
    """The first scrape of a freshly started exporter that has lag in seconds for every group (with
    `read`, lag in seconds read from a timestamp)."""
    with ExitStack() as exits:
        stack = Stack(tmp_path, exits)
        stack.start("exporter", [
            str(exporter_binary()), "--kafka.server", broker, "--web.listen-address", stack.exporter_url.removeprefix("http://"),
            "--no-group.discovery", *[f"--group.static={group}:{topic}" for group in groups],
            "--collect.interval", f"{INTERVAL_SECONDS}s", *flags,
        ], signal.SIGTERM)
        name = "kafka_consumergroup_lag_seconds_read" if read else "kafka_consumergroup_lag_seconds"
        wanted = [(name, labels(group, topic)) for group in groups]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (series := scrape(stack.exporter_url)) is None or not all(series.get(key, 0) == 1 if read else key in series for key in wanted):
            assert time.monotonic() < deadline, f"no lag in seconds within {DEADLINE_SECONDS} s\n{stack.logs()}"
            time.sleep(0.2)
        return series


def labels(group: str, topic: str) -> tuple[tuple[str, str], ...]:
    return (("consumergroup", group), ("topic", topic), ("partition", "0"))


@pytest.mark.parametrize("reads", [True, False], ids=["timestamp-reads", "interpolation-only"])
def test_a_fresh_exporter_shows_the_records_age_from_the_first_cycle(broker: str, tmp_path: Path, reads: bool) -> None:
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"behind-{uuid.uuid4().hex[:8]}"
    tansu_topic("create", topic, "--broker", f"tcp://{broker}", "--partitions", "1")
    try:
        timestamps = produce_an_hour_ago(broker, topic)
        commit(broker, group, topic, COMMITTED)
        series = first_lag_seconds(broker, tmp_path, [group], topic, *([] if reads else ["--lag.timestamp-reads", "0"]))
    finally:
        tansu_topic("delete", topic, "--broker", f"tcp://{broker}")

    key = labels(group, topic)
    lag = series[("kafka_consumergroup_lag_seconds", key)]
    collected_at = series[("kafka_exporter_last_collect_success_timestamp_seconds", ())]
    expected = collected_at - timestamps[COMMITTED] / 1000
    print(f"reads={reads}: lag {lag:.3f} s, collectedAt - timestamp of record {COMMITTED} = {expected:.3f} s")
    assert series[("kafka_consumergroup_lag", key)] == RECORDS - COMMITTED
    if reads:
        assert abs(lag - expected) <= INTERVAL_SECONDS
        assert series[("kafka_consumergroup_lag_seconds_read", key)] == 1
        assert series[("kafka_consumergroup_lag_seconds_lower_bound", key)] == 0
    else:
        assert lag < 60 < expected
        assert series[("kafka_consumergroup_lag_seconds_read", key)] == 0
        assert series[("kafka_consumergroup_lag_seconds_lower_bound", key)] == 1


def produce_transactions(broker: str, topic: str) -> list[int | None]:
    """3 records aborted, 3 committed, an hour old, one a minute: their timestamps by offset, the
    markers' included as None."""
    start = int(time.time() * 1000) - 3_600_000
    producer = Producer({"bootstrap.servers": broker, "transactional.id": f"tx-{uuid.uuid4().hex[:8]}", **ONE_RECORD_PER_BATCH})
    producer.init_transactions(10)
    timestamps: list[int | None] = []
    for outcome in (producer.abort_transaction, producer.commit_transaction):
        producer.begin_transaction()
        for _ in range(3):
            timestamps.append(start + len(timestamps) * 60_000)
            producer.produce(topic, value=b"record", partition=0, timestamp=timestamps[-1])
        producer.flush(10)
        outcome(10)
        timestamps.append(None)
    return timestamps


def test_transaction_markers_and_aborted_records_at_the_committed_offset(broker: str, tmp_path: Path) -> None:
    topic = f"tx-{uuid.uuid4().hex[:8]}"
    at_aborted, at_abort_marker, after_last = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("aborted", "marker", "caught-up"))
    tansu_topic("create", topic, "--broker", f"tcp://{broker}", "--partitions", "1")
    try:
        timestamps = produce_transactions(broker, topic)
        assert timestamps[3] is None and timestamps[7] is None
        for group, offset in ((at_aborted, 0), (at_abort_marker, 3), (after_last, 7)):
            commit(broker, group, topic, offset)
        # One offset per partition per read: the three positions are read one after the other, so
        # the three values are not all there at the first cycle.
        series = first_lag_seconds(broker, tmp_path, [at_aborted, at_abort_marker, after_last], topic, read=True)
    finally:
        tansu_topic("delete", topic, "--broker", f"tcp://{broker}")

    collected_at = series[("kafka_exporter_last_collect_success_timestamp_seconds", ())]

    def shown(group: str) -> tuple[float, float, float]:
        return tuple(series[(name, labels(group, topic))] for name in (
            "kafka_consumergroup_lag_seconds", "kafka_consumergroup_lag_seconds_read", "kafka_consumergroup_lag_seconds_lower_bound"))

    lag, read, lower_bound = shown(at_aborted)
    print(f"at an aborted record: {lag:.3f} s, expected {collected_at - timestamps[0] / 1000:.3f} s")
    assert abs(lag - (collected_at - timestamps[0] / 1000)) <= INTERVAL_SECONDS and (read, lower_bound) == (1, 0)
    lag, read, lower_bound = shown(at_abort_marker)
    print(f"at the abort marker: {lag:.3f} s, the next record's age {collected_at - timestamps[4] / 1000:.3f} s")
    assert abs(lag - (collected_at - timestamps[4] / 1000)) <= INTERVAL_SECONDS and (read, lower_bound) == (1, 1)
    assert series[("kafka_consumergroup_lag", labels(after_last, topic))] == 1
    assert shown(after_last) == (0, 1, 0)
