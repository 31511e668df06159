"""`POST /api/v1/stats` without `--stats.token-file` accepts only the exporter's own host, unless
`--stats.allow-remote`. The exporter treats every 127/8 address (and ::1) as its own host, so a client
of another host needs an address outside it: the exporter runs in a network namespace of its own
(a user namespace makes it, so no root is needed) whose loopback also carries 192.0.2.10, and the
clients post from inside it, bound to 192.0.2.10 or 127.0.0.2. Nothing changes on the host's network.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("KAFKA_EXPORTER_BIN", str(REPOSITORY / ".build/debug/kafka-exporter"))
DOCUMENT = (REPOSITORY / "Tests/Fixtures/statistics/producer-2.0.2.json").read_bytes()
REMOTE = "192.0.2.10"  # TEST-NET-1: an address of no real host
PORT = 9308  # the namespace is the exporter's alone

POST = """
import http.client, sys
source, port = sys.argv[1], int(sys.argv[2])
connection = http.client.HTTPConnection(source, port, timeout=10, source_address=(source, 0))
connection.request("POST", "/api/v1/stats", body=sys.stdin.buffer.read(), headers={"Content-Type": "application/json"})
response = connection.getresponse()
print(response.status)
print(response.read().decode(), end="")
"""


@contextmanager
def exporter_in_a_namespace(log: Path, *arguments: str) -> Iterator[int]:
    """Yields the pid whose network namespace the exporter serves in, once it has started."""
    setup = f'ip link set lo up && ip addr add {REMOTE}/32 dev lo && exec "$0" "$@"'
    with open(log, "w") as output:
        process = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--net", "--", "sh", "-c", setup, BINARY, "--kafka.server", "127.0.0.1:1",
             "--web.listen-address", f":{PORT}", "--collect.interval", "1s", "--collect.timeout", "1s", *arguments],
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while 'msg="kafka-exporter started"' not in log.read_text():
            assert process.poll() is None, f"the exporter exited with {process.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, f"the exporter did not start: {log.read_text()}"
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        process.wait(15)


def post_from(pid: int, source: str) -> tuple[int, str]:
    """POSTs the statistics document from `source`, inside the exporter's namespace, to that same address."""
    result = subprocess.run(
        ["nsenter", f"--target={pid}", "--user", "--net", "--preserve-credentials", sys.executable, "-c", POST, source, str(PORT)],
        input=DOCUMENT, capture_output=True, timeout=30, check=True)
    status, body = result.stdout.decode().split("\n", 1)
    return int(status), body


def test_without_the_flag_only_loopback_addresses_may_post(tmp_path: Path) -> None:
    with exporter_in_a_namespace(tmp_path / "exporter.log") as pid:
        assert post_from(pid, REMOTE) == (403, "posting from another host needs --stats.token-file or --stats.allow-remote\n")
        assert post_from(pid, "127.0.0.2") == (204, "")


def test_with_allow_remote_another_host_may_post(tmp_path: Path) -> None:
    with exporter_in_a_namespace(tmp_path / "exporter.log", "--stats.allow-remote") as pid:
        assert post_from(pid, REMOTE) == (204, "")
