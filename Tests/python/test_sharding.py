"""Sharding end to end: three exporters with --shard.count 3 on the demo's mock cluster report, together,
exactly the series one exporter without shards reports, and no series comes from two of them.

The cluster is `kafka-exporter demo` (its pipeline keeps producing and consuming), plus groups this
test commits offsets for with confluent-kafka, named so that every shard owns some. Placement is
computed here with an independent FNV-1a implementation: shard k must report exactly the groups (and
the duplicate-watched topics) whose hash modulo 3 is k, and only shard 0 the cluster-wide families.
The exporters' own health (kafka_exporter_*) belongs to each replica and is left out of the comparison.
Values read from the cluster (offsets, lag, partitions) agree within what one collection cycle can
change (the demo keeps writing while the four scrape); history-derived ones (rates, lag in seconds)
depend on what each process saw since its own start, so only their presence is compared.
"""

import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from helpers.demo import running_demo
from helpers.run_tansu import free_port
from helpers.scrape import Series
from helpers.scrape import scrape as scrape_series

REPOSITORY = Path(__file__).resolve().parents[2]
SHARDS = 3
DEMO_GROUPS = {"router": "_rawdata", "policy-store": "_policy", "flow-store": "_flow"}
DUPLICATE_TOPICS = "^_(policy|flow)$"
PIPELINE = "router: _rawdata -> _policy,_flow"
PER_REPLICA_PREFIXES = ("kafka_exporter_", "process_")
# Series that exist only for a group or stage; everything else is cluster-wide (or a watched topic's).
GROUP_LABELS = ("consumergroup", "stage")
DEADLINE_SECONDS = 90
HISTORY_DERIVED = ("per_second", "per_minute", "_ratio", "window_seconds", "lag_seconds", "_total", "status", "duplicate")


def fnv1a64(name: str) -> int:
    value = 0xCBF29CE484222325
    for byte in name.encode():
        value = ((value ^ byte) * 0x100000001B3) % 2**64
    return value


def owner(name: str) -> int:
    return fnv1a64(name) % SHARDS


def extra_groups() -> list[str]:
    """Two groups per shard, so that no shard's share is empty whatever the demo's groups hash to."""
    groups: list[str] = []
    index = 0
    while any(sum(owner(group) == shard for group in groups) < 2 for shard in range(SHARDS)):
        name = f"shard-test-{index}"
        if sum(owner(group) == owner(name) for group in groups) < 2:
            groups.append(name)
        index += 1
    return groups


def binary() -> str:
    return os.environ.get("KAFKA_EXPORTER_BIN", str(REPOSITORY / ".build/debug/kafka-exporter"))


def commit(bootstrap: str, group: str, offset: int) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition("_rawdata", partition, offset) for partition in range(3)], asynchronous=False)
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    with running_demo(binary(), "--web.listen-address", f"127.0.0.1:{free_port()}", "--collect.interval", "1s",
                      "--stats.interval", "0s", "--demo.rate", "60") as (_, bootstrap):
        yield bootstrap


PROCESSES: dict[str, subprocess.Popen] = {}


@pytest.fixture(scope="module")
def exporters(demo: str) -> Iterator[dict[str, str]]:
    """Base URL by name: "single", and "shard-0" .. "shard-2"."""
    groups = {**DEMO_GROUPS, **{group: "_rawdata" for group in extra_groups()}}
    for group in groups:
        if group not in DEMO_GROUPS:
            commit(demo, group, 1)
    common = [
        "--kafka.server", demo, "--no-group.discovery", *[f"--group.static={group}:{topic}" for group, topic in groups.items()],
        "--pipeline", PIPELINE, "--pipeline.window", "20s", "--duplicates.topic", DUPLICATE_TOPICS,
        "--collect.interval", "1s", "--collect.timeout", "3s", "--stats.interval", "0s",
    ]
    variants = {"single": []} | {f"shard-{index}": ["--shard.count", str(SHARDS), "--shard.index", str(index)] for index in range(SHARDS)}
    urls = {}
    try:
        for name, arguments in variants.items():
            port = free_port()
            PROCESSES[name] = subprocess.Popen([binary(), *common, *arguments, "--web.listen-address", f"127.0.0.1:{port}"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            urls[name] = f"http://127.0.0.1:{port}"
        yield urls
    finally:
        for process in PROCESSES.values():
            process.terminate()
        for process in PROCESSES.values():
            assert process.wait(30) == 0


def scrape(url: str) -> Series | None:
    """Series every replica serves alike: the exporter's own (per replica) are left out."""
    return scrape_series(url, keep=lambda name: not name.startswith(PER_REPLICA_PREFIXES))


def scrape_all(urls: dict[str, str]) -> dict[str, Series | None]:
    with ThreadPoolExecutor(len(urls)) as pool:
        return dict(zip(urls, pool.map(scrape, urls.values())))


def union_matches(scrapes: dict[str, Series | None]) -> bool:
    if any(series is None for series in scrapes.values()):
        return False
    shards = [set(scrapes[f"shard-{index}"]) for index in range(SHARDS)]
    return set().union(*shards) == set(scrapes["single"]) and sum(map(len, shards)) == len(scrapes["single"])


@pytest.fixture(scope="module")
def settled(exporters: dict[str, str]) -> dict[str, Series]:
    """Scrapes of all four, taken at once, once every group has its lag, the router its amplification
    (shown once exact to ±0.1) and the shards' union matches."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        scrapes = scrape_all(exporters)
        single = scrapes["single"] or {}
        complete = {labels for (name, labels) in single if name == "kafka_consumergroup_lag_sum"}
        amplified = any(name == "kafka_pipeline_amplification_ratio" for name, _ in single)
        if len(complete) >= len(DEMO_GROUPS) and amplified and union_matches(scrapes):
            return scrapes
        if time.monotonic() > deadline:
            return scrapes
        time.sleep(1)


def test_shards_together_report_exactly_the_single_exporters_series(settled: dict[str, Series]) -> None:
    single = set(settled["single"])
    shards = [set(settled[f"shard-{index}"]) for index in range(SHARDS)]
    assert any(name == "kafka_consumergroup_lag_sum" for name, _ in single), "the single exporter reports lag"
    for first in range(SHARDS):
        for second in range(first + 1, SHARDS):
            assert not shards[first] & shards[second], f"shards {first} and {second} both report {sorted(shards[first] & shards[second])[:5]}"
    union = set().union(*shards)
    assert union == single, f"missing from the shards: {sorted(single - union)[:10]}; extra: {sorted(union - single)[:10]}"


def read_from_the_cluster(name: str) -> bool:
    """Families whose value is what a cycle read, not a history each process keeps since its own start
    (rates, windows, counters from first sight, lag in seconds, statuses, duplicate counts)."""
    return not any(part in name for part in HISTORY_DERIVED)


def test_values_agree_within_a_cycle(settled: dict[str, Series]) -> None:
    merged = {key: value for index in range(SHARDS) for key, value in settled[f"shard-{index}"].items()}
    # --demo.rate 60 writes one message a second: offsets and lag read a cycle apart differ by a few.
    different = {key: (value, merged[key]) for key, value in settled["single"].items()
                 if read_from_the_cluster(key[0]) and key in merged and abs(value - merged[key]) > 5}
    assert sum(read_from_the_cluster(name) for name, _ in merged) > 100, "offsets, lag and partitions compared"
    assert not different, f"{len(different)} series differ, e.g. {sorted(different.items())[:5]}"


def labels_of(series: Series, label: str) -> set[str]:
    return {value for _, labels in series for key, value in labels if key == label}


def from_the_duplicate_reader(name: str) -> bool:
    """Families of a watched topic (`--duplicates.topic`), reported by the replica that owns the topic."""
    return name.startswith("kafka_topic_duplicate") or name in {"kafka_topic_records_read_total", "kafka_topic_records_sampled_total"}


def test_placement_follows_fnv1a_of_the_name(settled: dict[str, Series]) -> None:
    for index in range(SHARDS):
        series = settled[f"shard-{index}"]
        groups = labels_of(series, "consumergroup") | labels_of(series, "stage")
        assert groups and all(owner(group) == index for group in groups), f"shard {index} reports {groups}"
        duplicate_topics = {value for (name, labels) in series if from_the_duplicate_reader(name)
                            for key, value in labels if key == "topic"}
        assert all(owner(topic) == index for topic in duplicate_topics), f"shard {index} watches {duplicate_topics}"
        cluster_wide = {name for (name, labels) in series
                        if not any(key in GROUP_LABELS for key, _ in labels) and not from_the_duplicate_reader(name)}
        if index == 0:
            assert {"kafka_brokers", "kafka_topic_partitions", "kafka_topic_partition_current_offset"} <= cluster_wide
        else:
            assert not cluster_wide, f"shard {index} reports cluster-wide families {sorted(cluster_wide)}"
    all_groups = set().union(*(labels_of(settled[f"shard-{index}"], "consumergroup") for index in range(SHARDS)))
    assert set(DEMO_GROUPS) | set(extra_groups()) <= all_groups | set(), "every group is reported by its shard"


def test_a_lost_shard_takes_only_its_own_series(exporters: dict[str, str], settled: dict[str, Series]) -> None:
    """Last in the file: it stops shard 2. Its target stops answering (Prometheus' `up` for it drops to
    0), and the others go on reporting exactly their own share: nothing moves, nothing doubles."""
    PROCESSES["shard-2"].terminate()
    assert PROCESSES["shard-2"].wait(30) == 0
    remaining = scrape_all({name: url for name, url in exporters.items() if name != "shard-2"})
    assert scrape(exporters["shard-2"]) is None
    for name in ["shard-0", "shard-1"]:
        for label in GROUP_LABELS:
            assert labels_of(remaining[name], label) == labels_of(settled[name], label), f"{name}: {label}"
