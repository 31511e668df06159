"""`kafka-exporter healthcheck`, the image's HEALTHCHECK and the exec alternative to Kubernetes' httpGet
probes, against a running exporter: exit 0 and one line on stdout when /healthz answers 200, exit 1
and one line on stderr otherwise (nothing listening, no answer within the timeout, 401, plain HTTP to
a TLS server), TLS and client certificates read from the exporter's own --web.config.file.

Builds nothing: the binary is .build/debug/kafka-exporter (`swift build` first) or $KAFKA_EXPORTER_BIN.
"""

import socket
import subprocess
from pathlib import Path

import pytest

from test_http_hardening import BINARY, make_ca, make_certificates, start, web_config  # noqa: F401 (start is a fixture)


def healthcheck(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, "healthcheck", *arguments], capture_output=True, text=True, timeout=30)


def assert_unhealthy(result: subprocess.CompletedProcess, reason: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == "" and result.stderr.count("\n") == 1, result
    assert result.stderr.startswith("kafka-exporter: ") and reason in result.stderr, result.stderr


def test_healthy_while_the_exporter_answers_and_unhealthy_once_it_is_gone(start) -> None:
    exporter = start()
    # A server on every address (the image's default `:9308`) is asked over loopback.
    for address in [f"127.0.0.1:{exporter.port}", f":{exporter.port}"]:
        result = healthcheck("--web.listen-address", address)
        assert result.returncode == 0, result
        assert result.stdout == f"http://127.0.0.1:{exporter.port}/healthz: HTTP 200\n" and result.stderr == ""
    exporter.stop()
    assert_unhealthy(healthcheck("--web.listen-address", f"127.0.0.1:{exporter.port}"), "connect: Connection refused")


def test_a_server_that_never_answers_fails_the_check_after_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        result = healthcheck("--web.listen-address", f"127.0.0.1:{silent.getsockname()[1]}", "--healthcheck.timeout", "200ms")
    assert_unhealthy(result, "no response")


@pytest.mark.parametrize("client_auth, client_ca, healthy", [
    # The server's certificate, which the test CA issued, passes as a client certificate.
    ("RequireAndVerifyClientCert", "ca", True),
    ("RequireAnyClientCert", "ca", True),
    # Only asked for: the check presents none, as the server's would fail verification.
    ("VerifyClientCertIfGiven", "other-ca", True),
    # What the check cannot do: GnuTLS presents a certificate only when its issuer is among the
    # server's client CAs.
    ("RequireAndVerifyClientCert", "other-ca", False),
    ("RequireAnyClientCert", "other-ca", False),
])
def test_the_exporters_web_config_makes_the_check_speak_tls(
        start, tmp_path: Path, client_auth: str, client_ca: str, healthy: bool) -> None:
    make_certificates(tmp_path)
    make_ca(tmp_path, "other-ca")
    config = web_config(tmp_path, f"  client_auth_type: {client_auth}\n  client_ca_file: {client_ca}.pem\n")
    exporter = start("--web.config.file", str(config))
    address = f"127.0.0.1:{exporter.port}"
    result = healthcheck("--web.listen-address", address, "--web.config.file", str(config))
    if healthy:
        assert result.returncode == 0, result
        assert result.stdout == f"https://{address}/healthz: HTTP 200\n"
    else:
        assert_unhealthy(result, f"https://{address}/healthz: HTTP 403")
    assert_unhealthy(healthcheck("--web.listen-address", address), f"http://{address}/healthz: ")


def test_basic_auth_without_an_exemption_for_healthz_fails_the_check_saying_so(start, tmp_path: Path) -> None:
    config = tmp_path / "web-config.yml"
    # bcrypt of "secret": the check never sends credentials, so /healthz must be exempt.
    config.write_text("basic_auth_users:\n  prometheus: $2b$04$T34Hwybaucxo5f.xCkbWIe5Adknq0xApOt8f6XUwf7K01xDs/a8dC\n")
    guarded = start("--web.config.file", str(config))
    assert_unhealthy(healthcheck("--web.listen-address", f"127.0.0.1:{guarded.port}", "--web.config.file", str(config)),
                     "HTTP 401 (exempt /healthz from basic auth: --web.auth-exempt-path /healthz)")
    exempt = start("--web.config.file", str(config), "--web.auth-exempt-path", "/healthz")
    assert healthcheck("--web.listen-address", f"127.0.0.1:{exempt.port}", "--web.config.file", str(config)).returncode == 0


def test_invalid_flags_exit_2() -> None:
    result = healthcheck("--healthcheck.timeout", "0s")
    assert result.returncode == 2 and result.stderr == "kafka-exporter: --healthcheck.timeout must be positive (see --help)\n"
