"""A TCP proxy between Kafka clients and Tansu that strips KIP-482 tagged fields from ApiVersions.

Why it exists: librdkafka before 2.2.0 mis-skips KIP-482 tagged fields. It skips one byte less
than a tag's declared size, as if the size were a compact-length (N+1) field
(https://github.com/confluentinc/librdkafka/issues/4253, fixed by
https://github.com/confluentinc/librdkafka/pull/4278 in 2.2.0). Debian 12 ships librdkafka 2.0.2.
Tansu writes all four ApiVersions v3 tagged fields (SupportedFeatures, FinalizedFeaturesEpoch,
FinalizedFeatures, ZkMigrationReady) even though they hold their default values, so 2.0.2 loses
its place in the very first response of every connection, reads a run of 0xff bytes as a length
and gives up with "ApiVersionRequest failed: Local: Read underflow". Apache Kafka leaves tagged
fields that hold their defaults out of the message, so the rewritten response is byte-for-byte
what Apache Kafka sends for the same API ranges. Every other request and response passes through
untouched.

The proxy reads the request header of every client request (API key, version, correlation id) so
that it knows which upstream response answers an ApiVersions v3+ request: responses carry only the
correlation id.
"""

from __future__ import annotations

import asyncio
import struct
import sys
from collections.abc import Callable

API_VERSIONS_KEY = 18
FIRST_FLEXIBLE_API_VERSIONS_VERSION = 3
NO_TAGGED_FIELDS = b"\x00"


def read_uvarint(data: bytes, offset: int) -> tuple[int, int]:
    """Decodes an unsigned varint at `offset`; returns (value, offset after it)."""
    value = 0
    shift = 0
    while True:
        if offset >= len(data):
            raise ValueError("truncated unsigned varint")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7


def encode_uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def skip_tagged_fields(data: bytes, offset: int) -> int:
    count, offset = read_uvarint(data, offset)
    for _ in range(count):
        _, offset = read_uvarint(data, offset)
        size, offset = read_uvarint(data, offset)
        offset += size
    if offset > len(data):
        raise ValueError("tagged field runs past the end of the response")
    return offset


def strip_api_versions_tagged_fields(response: bytes) -> bytes:
    """Rewrites an ApiVersions v3+ response (without its 4-byte size prefix) to carry no tagged fields.

    Layout: correlation_id int32 (the ApiVersions response header never has tagged fields),
    error_code int16, api_keys compact array of {api_key, min_version, max_version int16, tagged
    fields}, throttle_time_ms int32, tagged fields. A response with a non-zero error code is
    returned unchanged: brokers answer an unsupported ApiVersions version in the v0 layout.
    Raises ValueError if the bytes are not such a response.
    """
    if len(response) < 6:
        raise ValueError("ApiVersions response shorter than its header")
    (error_code,) = struct.unpack_from(">h", response, 4)
    if error_code != 0:
        return response
    count_plus_one, offset = read_uvarint(response, 6)
    if count_plus_one == 0:
        raise ValueError("ApiVersions response has a null api_keys array")
    out = bytearray(response[:6])
    out += encode_uvarint(count_plus_one)
    for _ in range(count_plus_one - 1):
        if offset + 6 > len(response):
            raise ValueError("truncated api_keys entry")
        out += response[offset : offset + 6]
        offset = skip_tagged_fields(response, offset + 6)
        out += NO_TAGGED_FIELDS
    if offset + 4 > len(response):
        raise ValueError("truncated throttle_time_ms")
    out += response[offset : offset + 4]
    offset = skip_tagged_fields(response, offset + 4)
    if offset != len(response):
        raise ValueError(f"{len(response) - offset} unexpected bytes after the tagged fields")
    out += NO_TAGGED_FIELDS
    return bytes(out)


async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """Reads one size-prefixed Kafka frame; returns its payload, or None at a clean end of stream."""
    try:
        prefix = await reader.readexactly(4)
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise
        return None
    (size,) = struct.unpack(">i", prefix)
    return await reader.readexactly(size)


def write_frame(writer: asyncio.StreamWriter, payload: bytes) -> None:
    writer.write(struct.pack(">i", len(payload)) + payload)


async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, inspect: Callable[[bytes], bytes]) -> None:
    """Copies frames from reader to writer, each as `inspect` returns it, until the stream ends."""
    while (frame := await read_frame(reader)) is not None:
        write_frame(writer, inspect(frame))
        await writer.drain()


class ApiVersionsTracker:
    """One connection's outstanding ApiVersions v3+ requests, by correlation id."""

    def __init__(self) -> None:
        self._correlation_ids: set[int] = set()

    def note_request(self, request: bytes) -> bytes:
        if len(request) >= 8:
            api_key, api_version, correlation_id = struct.unpack_from(">hhi", request)
            if api_key == API_VERSIONS_KEY and api_version >= FIRST_FLEXIBLE_API_VERSIONS_VERSION:
                self._correlation_ids.add(correlation_id)
        return request

    def rewrite_response(self, response: bytes) -> bytes:
        if len(response) < 4:
            return response
        (correlation_id,) = struct.unpack_from(">i", response)
        if correlation_id not in self._correlation_ids:
            return response
        self._correlation_ids.discard(correlation_id)
        try:
            return strip_api_versions_tagged_fields(response)
        except ValueError as error:
            print(f"apiversions_proxy: forwarding unparsable ApiVersions response: {error}", file=sys.stderr)
            return response


class ApiVersionsProxy:
    """Listens on host:port (0 picks a free port) and forwards each connection to the upstream."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Starts listening and returns the bound port."""
        self._server = await asyncio.start_server(self._serve, host, port)
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stops listening and closes every connection."""
        if self._server is not None:
            self._server.close()
        # A closed writer's reader sees the end of its stream, which ends that connection's work.
        # (Cancelling the connections instead makes Python 3.11's start_server log the cancellations.)
        for writer in list(self._writers):
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        connection = asyncio.current_task()
        self._connections.add(connection)
        writers = {client_writer}
        self._writers.add(client_writer)
        directions: list[asyncio.Task[None]] = []
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
            writers.add(upstream_writer)
            self._writers.add(upstream_writer)
            tracker = ApiVersionsTracker()
            directions = [
                asyncio.create_task(forward(client_reader, upstream_writer, tracker.note_request)),
                asyncio.create_task(forward(upstream_reader, client_writer, tracker.rewrite_response)),
            ]
            await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass  # Tansu is unreachable: closing the client's connection tells the client so.
        finally:
            for direction in directions:
                direction.cancel()
            await asyncio.gather(*directions, return_exceptions=True)
            for writer in writers:
                writer.close()
            self._writers -= writers
            self._connections.discard(connection)
