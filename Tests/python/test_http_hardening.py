"""The exporter's HTTP side against hostile and demanding clients, on the binary users run: a slowloris
attack while Prometheus-like scrapes go on, bodies held open to exhaust memory, a flood of statistics
clients, and a real Prometheus scraping over HTTPS with basic auth and client certificates.

No Kafka is needed: the exporter points at a closed port and serves its own health families.
Builds nothing: the binary is .build/debug/kafka-exporter (`swift build` first) or $KAFKA_EXPORTER_BIN.
"""

import json
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # libxcrypt's bcrypt, apart from the exporter's own check (in the standard library up to 3.12)

REPOSITORY = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("KAFKA_EXPORTER_BIN", str(REPOSITORY / ".build/debug/kafka-exporter"))
FIXTURE = REPOSITORY / "Tests/Fixtures/statistics/producer-2.0.2.json"
MiB = 1 << 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Exporter:
    def __init__(self, directory: Path, *arguments: str):
        self.port = free_port()
        self.log = directory / f"exporter-{self.port}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [BINARY, "--kafka.server", "127.0.0.1:1", "--web.listen-address", f"127.0.0.1:{self.port}",
                 "--collect.interval", "1s", "--collect.timeout", "1s", *arguments],
                stdout=log, stderr=subprocess.STDOUT)
        wait_until(self.accepts_connections, 20, "the exporter to listen")

    def accepts_connections(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            assert self.process.poll() is None, self.log.read_text()
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, timeout: float = 5) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sample(self, name: str, **labels: str) -> float:
        """A value of the exporter's own /metrics, waiting for the next publish to show it."""
        text = self.get("/metrics")[1]
        wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(name + "{") and wanted in line or line.startswith(name + " ") and not labels:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def rss(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    started: list[Exporter] = []

    def starter(*arguments: str) -> Exporter:
        exporter = Exporter(tmp_path, *arguments)
        started.append(exporter)
        return exporter

    yield starter
    for exporter in started:
        exporter.stop()


def connect(port: int, source: str = "127.0.0.1", timeout: float = 2) -> socket.socket:
    connection = socket.socket()
    connection.settimeout(timeout)
    connection.bind((source, 0))
    connection.connect(("127.0.0.1", port))
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except OSError:
        pass
    return received


class Slowloris(threading.Thread):
    """`count` connections from `source` that send a request header one byte at a time, reconnecting
    whenever the server closes one."""

    def __init__(self, port: int, source: str, count: int):
        super().__init__(daemon=True)
        self.port, self.source, self.count = port, source, count
        self.stopping = threading.Event()
        self.connections_made = 0

    def run(self) -> None:
        sockets: list[socket.socket | None] = [None] * self.count
        while not self.stopping.is_set():
            for index, connection in enumerate(sockets):
                try:
                    if connection is None:
                        connection = connect(self.port, self.source, timeout=0.5)
                        connection.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                        self.connections_made += 1
                    else:
                        connection.send(b"X", socket.MSG_DONTWAIT)
                        # A refused or timed-out connection reads as closed.
                        if connection.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                            raise ConnectionError
                    sockets[index] = connection
                except BlockingIOError:
                    sockets[index] = connection
                except OSError:
                    if connection is not None:
                        connection.close()
                    sockets[index] = None
            self.stopping.wait(0.5)
        for connection in sockets:
            if connection is not None:
                connection.close()


def scrape_success_ratio(exporter: Exporter, seconds: float) -> tuple[float, int]:
    successes = tries = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tries += 1
        started = time.monotonic()
        try:
            status, body = exporter.get("/metrics", timeout=1)
            if status == 200 and "kafka_exporter_http_requests_failed_total" in body and time.monotonic() - started <= 1:
                successes += 1
        except OSError:
            pass
        time.sleep(0.1)
    return successes / tries, tries


def test_scrapes_succeed_during_and_after_a_slowloris_from_their_own_address(start) -> None:
    """600 dribbling connections from 127.0.0.1, the address the scrapes come from (one address behind
    a NAT, an ingress or a sidecar): at the address's cap of 32, each new connection closes that
    address's connection waiting longest for its request, so a scrape that sends its request at once
    is served."""
    exporter = start()  # defaults: 256 connections, 32 per address, whole request within 10 s
    attack = Slowloris(exporter.port, "127.0.0.1", 600)
    attack.start()
    wait_until(lambda: attack.connections_made >= 600, 10, "the attack to open its connections")
    during, tries_during = scrape_success_ratio(exporter, 12)
    attack.stopping.set()
    attack.join()
    after, tries_after = scrape_success_ratio(exporter, 3)
    assert during >= 0.95, f"{during:.0%} of {tries_during} scrapes within 1 s during the attack"
    assert after >= 0.95, f"{after:.0%} of {tries_after} scrapes within 1 s after the attack"
    # Room was made by closing dribblers, never by refusing a connection.
    assert exporter.sample("kafka_exporter_http_requests_failed_total", reason="evicted") > 500
    assert exporter.sample("kafka_exporter_http_requests_failed_total", reason="peer_connection_limit") == 0


def test_scrapes_succeed_during_a_slowloris_from_many_addresses(start) -> None:
    """16 dribbling connections from each of 20 addresses: none reaches its address's cap, together
    they are more than the server's 256; each new connection closes the one waiting longest instead."""
    exporter = start()
    attacks = [Slowloris(exporter.port, f"127.0.1.{host}", 16) for host in range(1, 21)]
    for attack in attacks:
        attack.start()
    wait_until(lambda: sum(attack.connections_made for attack in attacks) >= 320, 10, "the attack to open its connections")
    during, tries_during = scrape_success_ratio(exporter, 12)
    for attack in attacks:
        attack.stopping.set()
    for attack in attacks:
        attack.join()
    assert during >= 0.95, f"{during:.0%} of {tries_during} scrapes within 1 s during the attack"
    assert exporter.sample("kafka_exporter_http_requests_failed_total", reason="evicted") > 0
    assert exporter.sample("kafka_exporter_http_requests_failed_total", reason="peer_connection_limit") == 0


def post_head(length: int, token: str | None = None, expect: bool = False) -> bytes:
    head = f"POST /api/v1/stats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if expect:
        head += "Expect: 100-continue\r\n"
    return (head + "\r\n").encode()


def test_held_bodies_cannot_exhaust_memory(start, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    exporter = start("--stats.token-file", str(token_file))
    time.sleep(1)
    baseline = exporter.rss()

    # Without the token: refused from the headers, before a byte of the 16 MB body is read.
    answers = []
    for _ in range(50):
        connection = connect(exporter.port)
        connection.sendall(post_head(16_000_000))
        try:
            connection.sendall(b" " * MiB)
        except OSError:
            pass  # the server may have closed already
        answers.append(read_until_closed(connection))
        connection.close()
    assert all(answer.startswith(b"HTTP/1.1 401 ") for answer in answers), answers[0][:100]

    expect_continue = connect(exporter.port)
    expect_continue.sendall(post_head(20_000_000, token="s3cret", expect=True))
    answer = read_until_closed(expect_continue)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in answer, answer[:100]

    # With the token: 40 clients each declaring 15 MB hold their bodies open; the 64 MiB budget
    # admits four, the others get 503 before sending anything.
    held, statuses = [], []
    for _ in range(40):
        connection = connect(exporter.port)
        connection.sendall(post_head(15_000_000, token="s3cret"))
        connection.settimeout(0.3)
        try:
            statuses.append(connection.recv(64)[:12])
        except TimeoutError:
            statuses.append(b"held")
            connection.sendall(b" " * (8 * MiB))
        held.append(connection)
    assert statuses.count(b"held") == 4 and statuses.count(b"HTTP/1.1 503") == 36, statuses
    growth = exporter.rss() - baseline
    assert growth < 80 * MiB, f"RSS grew {growth / MiB:.0f} MiB"
    for connection in held:
        connection.close()
    assert exporter.sample("kafka_exporter_stats_rejected_total", reason="unauthorized") == 50


def statistics_document(client_id: str, partitions: int | None = None) -> bytes:
    document = json.loads(FIXTURE.read_text())
    document["client_id"] = client_id
    document["name"] = f"{client_id}#producer-1"
    if partitions is not None:
        topic = next(iter(document["topics"].values()))
        template = next(iter(topic["partitions"].values()))
        topic["partitions"] = {str(p): dict(template, partition=p) for p in range(partitions)}
    return json.dumps(document).encode()


def post(exporter: Exporter, body: bytes, content_type: str = "application/json") -> int:
    request = urllib.request.Request(exporter.url + "/api/v1/stats", data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def reporting_clients(exporter: Exporter) -> set[str]:
    return set(re.findall(r'^kafka_client_\w+\{client_id="([^"]+)"', exporter.get("/metrics")[1], re.MULTILINE))


def test_statistics_clients_and_partitions_are_capped_and_expire_in_one_line(start) -> None:
    exporter = start("--stats.max-clients", "50", "--stats.max-partitions", "500", "--stats.expiry", "3s")
    statuses = [post(exporter, statistics_document(f"client-{i}")) for i in range(80)]
    assert statuses.count(204) == 50 and statuses.count(429) == 30, statuses
    assert post(exporter, statistics_document("client-0", partitions=600)) == 413
    assert post(exporter, statistics_document("client-0"), content_type="text/plain") == 415
    expected = {f"client-{i}" for i in range(50)}
    wait_until(lambda: reporting_clients(exporter) == expected, 5, "the 50 admitted clients' series")
    assert exporter.sample("kafka_exporter_stats_rejected_total", reason="too_many_clients") == 30
    assert exporter.sample("kafka_exporter_stats_rejected_total", reason="too_many_partitions") == 1
    assert exporter.sample("kafka_exporter_stats_rejected_total", reason="wrong_content_type") == 1

    wait_until(lambda: not reporting_clients(exporter), 10, "the clients to expire")
    lines = [line for line in exporter.log.read_text().splitlines() if "stopped reporting statistics" in line]
    assert 1 <= len(lines) <= 2, lines
    assert sum(int(re.search(r"count=(\d+)", line)[1]) for line in lines) == 50
    # Room again once they expired.
    assert post(exporter, statistics_document("client-new")) == 204


def test_memory_returns_to_baseline_after_each_client_flood_expires(start) -> None:
    exporter = start("--stats.max-clients", "2000", "--stats.expiry", "8s")
    time.sleep(1.5)
    baseline = exporter.rss()
    for flood in range(2):
        document = statistics_document("flood-x", partitions=20)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(
                lambda i: post(exporter, document.replace(b'"flood-x', f'"flood-{flood}-{i}'.encode())), range(2000)))
        assert statuses == [204] * 2000, f"flood {flood}: {sorted(set(statuses))}"
        wait_until(lambda: len(reporting_clients(exporter)) == 2000, 8, "2000 clients in /metrics")
        peak = exporter.rss()
        wait_until(lambda: not reporting_clients(exporter), 20, "the clients to expire")
        growth = peak - baseline
        assert growth > 20 * MiB, f"the flood should have cost memory: {growth / MiB:.0f} MiB"
        # Freed memory goes back to the system on the publication ticks after the snapshot that held the
        # clients is replaced (one heap arena: AllocationPolicy says why).
        bound = baseline + 0.15 * growth + 8 * MiB
        deadline = time.monotonic() + 10
        while (after := exporter.rss()) >= bound and time.monotonic() < deadline:
            time.sleep(0.5)
        assert after < bound, (
            f"flood {flood}: baseline {baseline / MiB:.0f} MiB, peak {peak / MiB:.0f} MiB, "
            f"after expiry {after / MiB:.0f} MiB")
    assert "refused the malloc settings" not in exporter.log.read_text(), "glibc took every AllocationPolicy setting"


def openssl(*arguments: str, cwd: Path) -> None:
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, name: str = "ca") -> None:
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=kafka-exporter test {name}", cwd=directory)


def make_signed(directory: Path, name: str, extension: str, ca: str = "ca") -> None:
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=directory)
    (directory / f"{name}.ext").write_text(extension + "\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)


def make_certificates(directory: Path) -> None:
    """A self-signed CA, a server certificate for 127.0.0.1 and a client certificate, both signed by it."""
    make_ca(directory)
    make_signed(directory, "server", "subjectAltName=IP:127.0.0.1")
    make_signed(directory, "client", "extendedKeyUsage=clientAuth")


def client_context(directory: Path, certificate: str | None = None, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """Trusts the test CA; presents `certificate` (its .pem and .key in `directory`) and offers only `version`, when given."""
    context = ssl.create_default_context(cafile=str(directory / "ca.pem"))
    if certificate:
        context.load_cert_chain(str(directory / f"{certificate}.pem"), str(directory / f"{certificate}.key"))
    if version:
        context.minimum_version = context.maximum_version = version
    return context


def test_prometheus_scrapes_over_https_with_basic_auth_and_client_certificates(start, tmp_path: Path) -> None:
    make_certificates(tmp_path)
    password_hash = crypt.crypt("scrape-secret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
    web_config = tmp_path / "web-config.yml"
    web_config.write_text(f"""
tls_server_config:
  cert_file: server.pem
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  min_version: TLS12
basic_auth_users:
  prometheus: {password_hash}
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
""")
    subprocess.run(["promtool", "check", "web-config", str(web_config)], check=True, capture_output=True)
    exporter = start("--web.config.file", str(web_config), "--web.auth-exempt-path", "/healthz")

    context = client_context(tmp_path, "client")
    target = f"https://127.0.0.1:{exporter.port}"
    with urllib.request.urlopen(target + "/healthz", context=context, timeout=5) as response:
        assert response.status == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(target + "/metrics", context=context, timeout=5)
    assert refused.value.code == 401
    # The handshake completes without a certificate (microhttpd asks for one, GnuTLS does not insist);
    # the request is then refused, on /healthz too, which basic auth exempts.
    assert https_status(target + "/healthz", client_context(tmp_path)) == (403, "a valid client certificate is required\n")

    def job(name: str, password: str, client_certificate: bool) -> dict:
        tls = {"ca_file": str(tmp_path / "ca.pem")}
        if client_certificate:
            tls |= {"cert_file": str(tmp_path / "client.pem"), "key_file": str(tmp_path / "client.key")}
        return {"job_name": name, "scheme": "https", "scrape_interval": "1s", "scrape_timeout": "900ms",
                "basic_auth": {"username": "prometheus", "password": password}, "tls_config": tls,
                "static_configs": [{"targets": [f"127.0.0.1:{exporter.port}"]}]}

    config = tmp_path / "prometheus.yml"
    config.write_text(json.dumps({"scrape_configs": [
        job("good", "scrape-secret", True), job("wrong-password", "guess", True), job("no-certificate", "scrape-secret", False)]}))
    prometheus_port = free_port()
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def targets() -> dict[str, dict] | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{prometheus_port}/api/v1/targets", timeout=2) as response:
                    active = json.load(response)["data"]["activeTargets"]
            except OSError:
                return None
            scraped = {t["labels"]["job"]: t for t in active if t["health"] != "unknown"}
            # (a wrong password may also meet 429 while the good one's first bcrypt check runs)
            settled = len(scraped) == 3 and scraped["good"]["health"] == "up" and "401" in scraped["wrong-password"]["lastError"]
            return scraped if settled else None

        scraped = wait_until(targets, 30, "Prometheus to scrape all three jobs: good up, wrong password 401")
        assert scraped["wrong-password"]["health"] == "down"
        assert scraped["no-certificate"]["health"] == "down", scraped["no-certificate"]
        assert scraped["no-certificate"]["lastError"] == "server returned HTTP status 403 Forbidden", scraped["no-certificate"]
    finally:
        prometheus.terminate()
        prometheus.wait(15)


def test_kafka_exporter_server_tls_flags_serve_https_with_mutual_auth(start, tmp_path: Path) -> None:
    make_certificates(tmp_path)
    exporter = start("--server.tls.enabled", "--server.tls.cert-file", str(tmp_path / "server.pem"),
                     "--server.tls.key-file", str(tmp_path / "server.key"), "--server.tls.ca-file", str(tmp_path / "ca.pem"),
                     "--server.tls.mutual-auth-enabled")
    target = f"https://127.0.0.1:{exporter.port}/metrics"
    status, body = https_status(target, client_context(tmp_path, "client"))
    assert status == 200 and "kafka_exporter_up 0" in body
    assert https_status(target, client_context(tmp_path)) == (403, "a valid client certificate is required\n")


def https_status(url: str, context: ssl.SSLContext) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def web_config(directory: Path, tls: str) -> Path:
    """A web config serving the test CA's server certificate, with `tls` added to tls_server_config."""
    path = directory / "web-config.yml"
    path.write_text("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n" + tls)
    subprocess.run(["promtool", "check", "web-config", str(path)], check=True, capture_output=True)
    return path


def test_a_client_certificate_signed_by_another_ca_gets_403(start, tmp_path: Path) -> None:
    make_certificates(tmp_path)
    make_ca(tmp_path, "other-ca")
    make_signed(tmp_path, "stranger", "extendedKeyUsage=clientAuth", ca="other-ca")
    config = web_config(tmp_path, "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n")
    exporter = start("--web.config.file", str(config))
    target = f"https://127.0.0.1:{exporter.port}/healthz"
    assert https_status(target, client_context(tmp_path, "client")) == (200, "ok\n")
    # The handshake completes with any certificate; the request is refused once it fails verification.
    assert https_status(target, client_context(tmp_path, "stranger")) == (403, "a valid client certificate is required\n")


def handshake(port: int, context: ssl.SSLContext) -> str:
    """The TLS version a handshake with the exporter settles on."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        with context.wrap_socket(connection, server_hostname="127.0.0.1") as tls:
            return tls.version()


@pytest.mark.parametrize("min_version, max_version, inside, outside", [
    ("TLS13", "TLS13", ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2),
    ("TLS12", "TLS12", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3),
], ids=["TLS13 only", "TLS12 only"])
def test_tls_versions_outside_min_and_max_version_fail_the_handshake(
        start, tmp_path: Path, min_version: str, max_version: str, inside: ssl.TLSVersion, outside: ssl.TLSVersion) -> None:
    make_certificates(tmp_path)
    exporter = start("--web.config.file", str(web_config(tmp_path, f"  min_version: {min_version}\n  max_version: {max_version}\n")))
    assert handshake(exporter.port, client_context(tmp_path, version=inside)) == inside.name.replace("_", ".")
    # microhttpd ends the connection on the failed handshake without sending a protocol_version alert.
    with pytest.raises(ssl.SSLEOFError):
        handshake(exporter.port, client_context(tmp_path, version=outside))


def test_the_example_web_config_passes_promtool() -> None:
    result = subprocess.run(["promtool", "check", "web-config", str(REPOSITORY / "docker/web-config.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--web.config.file", "/nonexistent.yml"], "--web.config.file /nonexistent.yml: cannot read the file"),
    (["--server.tls.enabled"], "--server.tls.enabled needs --server.tls.cert-file and --server.tls.key-file"),
    (["--web.request-timeout", "0s"], "--web.request-timeout must be positive"),
])
def test_invalid_web_settings_exit_2_with_one_line(arguments: list[str], message: str) -> None:
    result = subprocess.run([BINARY, *arguments], capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stderr.startswith(f"kafka-exporter: {message}") and result.stderr.count("\n") == 1, result.stderr


def test_malformed_web_config_exits_2_with_one_line_saying_where(tmp_path: Path) -> None:
    config = tmp_path / "web-config.yml"
    config.write_text("basic_auth_users: [\n")
    result = subprocess.run([BINARY, "--web.config.file", str(config)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    message = f"kafka-exporter: --web.config.file {config}: not valid YAML: did not find expected node content at line 2, column 1"
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_every_listen_address_is_served(tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    process = subprocess.Popen(
        [BINARY, "--kafka.server", "127.0.0.1:1", *[f"--web.listen-address=127.0.0.1:{port}" for port in ports]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for port in ports:
            def healthy() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False
            wait_until(healthy, 20, f"/healthz on port {port}")
    finally:
        process.kill()
        process.wait(15)
