"""The ApiVersions proxy: its rewrite on real captured bytes, and librdkafka 2.0.2 (kcat) through it."""

import asyncio
import signal
import struct
import subprocess
import sys
from pathlib import Path

import confluent_kafka
import pytest

from conftest import REPOSITORY
from helpers import run_tansu
from helpers.apiversions_proxy import (
    ApiVersionsProxy,
    ApiVersionsTracker,
    read_frame,
    strip_api_versions_tagged_fields,
    write_frame,
)

FIXTURES = REPOSITORY / "Tests" / "Fixtures" / "kafka-protocol"
# SupportedFeatures [], FinalizedFeaturesEpoch -1, FinalizedFeatures [], ZkMigrationReady false.
TANSU_DEFAULT_VALUED_TAGS = bytes.fromhex("04" "0001" "01" "0108" "ffffffffffffffff" "0201" "01" "0301" "00")
SESSION_TIMEOUT = "session.timeout.ms=6000"  # Tansu holds a JoinGroup for about half of it.


def tansu_response() -> bytes:
    return (FIXTURES / "apiversions-v3-response-tansu-0.6.0.bin").read_bytes()[4:]


def apache_kafka_style(response: bytes) -> bytes:
    """What the rewrite must produce, by hand: Tansu's response with its default-valued tagged fields
    replaced by an empty tagged-field section (one byte 0), as Apache Kafka sends it."""
    assert response.endswith(TANSU_DEFAULT_VALUED_TAGS)
    return response[: -len(TANSU_DEFAULT_VALUED_TAGS)] + b"\x00"


def kcat(*arguments: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kcat", *arguments], input=input, capture_output=True, text=True, timeout=60)


def test_rewrite_leaves_out_tansus_default_valued_tagged_fields() -> None:
    response = tansu_response()
    assert response.endswith(TANSU_DEFAULT_VALUED_TAGS)

    rewritten = strip_api_versions_tagged_fields(response)

    assert rewritten == apache_kafka_style(response)


def test_rewrite_keeps_every_api_key_range() -> None:
    rewritten = strip_api_versions_tagged_fields(tansu_response())

    entry_count = rewritten[6] - 1
    entries = rewritten[7 : 7 + 7 * entry_count]
    ranges = [struct.unpack_from(">hhhb", entries, 7 * index) for index in range(entry_count)]
    assert len(ranges) == 36
    assert (18, 0, 4, 0) in ranges
    assert all(tags == 0 and low <= high for _, low, high, tags in ranges)


def test_response_without_tagged_fields_is_left_as_it_is() -> None:
    already_rewritten = apache_kafka_style(tansu_response())

    assert strip_api_versions_tagged_fields(already_rewritten) == already_rewritten


def test_error_response_is_left_as_it_is() -> None:
    unsupported_version_in_v0_layout = struct.pack(">ihi", 1, 35, 1) + struct.pack(">hhh", 18, 0, 3)

    assert strip_api_versions_tagged_fields(unsupported_version_in_v0_layout) == unsupported_version_in_v0_layout


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_truncated_response_is_rejected(cut: int) -> None:
    with pytest.raises(ValueError):
        strip_api_versions_tagged_fields(tansu_response()[:-cut])


def test_tracker_rewrites_only_the_answer_to_librdkafkas_captured_request() -> None:
    tracker = ApiVersionsTracker()
    request = (FIXTURES / "apiversions-v3-request-librdkafka-2.0.2.bin").read_bytes()[4:]
    response = tansu_response()

    assert tracker.note_request(request) == request
    assert tracker.rewrite_response(response) == apache_kafka_style(response)
    assert tracker.rewrite_response(response) == response, "a correlation id is answered once"


def test_proxy_rewrites_only_responses_to_api_versions_v3_requests() -> None:
    async def scenario() -> list[bytes]:
        async def answer_everything_with_tansus_api_versions(reader, writer) -> None:
            while (request := await read_frame(reader)) is not None:
                (correlation_id,) = struct.unpack_from(">i", request, 4)
                write_frame(writer, struct.pack(">i", correlation_id) + tansu_response()[4:])
            writer.close()

        upstream = await asyncio.start_server(answer_everything_with_tansus_api_versions, "127.0.0.1", 0)
        proxy = ApiVersionsProxy("127.0.0.1", upstream.sockets[0].getsockname()[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", await proxy.start())
        metadata_v4, api_versions_v2, api_versions_v3 = (3, 4, 5), (18, 2, 6), (18, 3, 7)
        for api_key, version, correlation_id in (metadata_v4, api_versions_v2, api_versions_v3):
            write_frame(writer, struct.pack(">hhih", api_key, version, correlation_id, -1))
        responses = [await read_frame(reader) for _ in range(3)]
        writer.close()
        await proxy.close()
        upstream.close()
        return responses

    metadata, api_versions_v2, api_versions_v3 = asyncio.run(scenario())

    original = tansu_response()[4:]
    assert metadata == struct.pack(">i", 5) + original
    assert api_versions_v2 == struct.pack(">i", 6) + original
    assert api_versions_v3 == struct.pack(">i", 7) + apache_kafka_style(original)


def test_kcat_lists_the_broker_and_topics_through_the_proxy(broker: str, topic: str) -> None:
    listing = kcat("-b", broker, "-L", "-t", topic)

    assert listing.returncode == 0, listing.stderr
    assert f"broker 111 at {broker}" in listing.stdout
    assert f'topic "{topic}" with 3 partitions' in listing.stdout


def test_kcat_produces_and_consumes_through_the_proxy(broker: str, topic: str) -> None:
    produced = kcat("-b", broker, "-t", topic, "-p", "1", "-P", input="a\nb\nc\n")
    assert produced.returncode == 0, produced.stderr

    consumed = kcat("-b", broker, "-t", topic, "-p", "1", "-C", "-o", "beginning", "-e", "-f", "%s\n")

    assert consumed.returncode == 0, consumed.stderr
    assert consumed.stdout.split() == ["a", "b", "c"]


def test_kcat_consumes_and_commits_in_a_group_through_the_proxy(broker: str, topic: str) -> None:
    produced = kcat("-b", broker, "-t", topic, "-p", "2", "-P", input="x\ny\n")
    assert produced.returncode == 0, produced.stderr
    group = ["-b", broker, "-G", f"group-{topic}", "-X", SESSION_TIMEOUT, "-X", "auto.offset.reset=earliest"]

    first = kcat(*group, "-c", "2", "-f", "%s\n", topic)
    again = kcat(*group, "-e", "-f", "%s\n", topic)

    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["x", "y"]
    assert again.returncode == 0, again.stderr
    assert again.stdout == "", "the group's commit was lost: it consumed the same records again"


def test_kcat_fails_the_handshake_without_the_proxy() -> None:
    port = run_tansu.free_port()
    tansu = run_tansu.start_tansu(run_tansu.bundled_tansu(), port, port)
    try:
        assert asyncio.run(run_tansu.wait_until_answering(port, tansu))

        listing = kcat("-b", f"127.0.0.1:{port}", "-L", "-m", "3")
    finally:
        run_tansu.stop_process(tansu)

    assert listing.returncode != 0
    assert "ApiVersionRequest failed: Local: Read underflow" in listing.stderr


def test_a_librdkafka_with_the_tagged_field_fix_needs_no_proxy() -> None:
    """confluent-kafka bundles a librdkafka >= 2.2: the fault lies with 2.0.2, not with Tansu."""
    assert confluent_kafka.libversion()[1] >= 0x020200FF
    port = run_tansu.free_port()
    tansu = run_tansu.start_tansu(run_tansu.bundled_tansu(), port, port)
    try:
        assert asyncio.run(run_tansu.wait_until_answering(port, tansu))
        producer = confluent_kafka.Producer({"bootstrap.servers": f"127.0.0.1:{port}"})
        metadata = producer.list_topics(timeout=10)
        del producer  # closes its connections, which Tansu would otherwise wait for when stopped
    finally:
        run_tansu.stop_process(tansu)

    assert [broker.port for broker in metadata.brokers.values()] == [port]


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize("stop", ["close stdin", "SIGTERM", "SIGINT"])
def test_run_tansu_stops_the_broker_when_told(stop: str) -> None:
    process = subprocess.Popen(
        [sys.executable, run_tansu.__file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdout.readline().startswith(b"BOOTSTRAP=127.0.0.1:")
    [tansu] = children(process.pid)

    if stop == "close stdin":
        process.stdin.close()
    else:
        process.send_signal(getattr(signal, stop))

    assert process.wait(10) == 0
    assert not Path(f"/proc/{tansu}").exists()
