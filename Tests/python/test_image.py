"""The container image: docker/Dockerfile built with podman and run for real against the demo's mock
cluster. /metrics is served from inside the container, the image's HEALTHCHECK reports healthy, the
process runs as the non-root user, a read-only root filesystem suffices, and SIGTERM ends it with
exit status 0. Also: every shared library the binary needs is in the image, and its size.

What is built is the runtime stage users get. Its build stage (`swift:6.1-bookworm`, a whole Swift
toolchain and a release build of several minutes) is replaced with `--build-context build=DIR`, DIR
holding $KAFKA_EXPORTER_BIN at /out/kafka-exporter: the release binary `make test` builds with
`--static-swift-stdlib` and stripped, as the build stage does. `debian:bookworm-slim` cannot be pulled here; a
local stand-in made with debootstrap takes its name (helpers/debian_base.py, cached per day outside
the clone). Base images and stages keep the names users pull (docker/README.md).

Networking changes nothing on the host: the build uses the host's network (it reaches the Debian
mirror), and the container joins a network namespace of its own, made with `unshare --net`, in which
the demo runs, so that the cluster and the HEALTHCHECK's fixed port 9308 are on a private loopback.
The test checks that IP forwarding, the iptables rules and the interfaces are as before (and restores
them if not). Needs root (podman runs containers as root here): without it every test fails saying
so, unless KAFKA_EXPORTER_SKIP_IMAGE_TEST is set.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import debian_base
from helpers.demo import running_demo
from helpers.podman import Podman, host_network_guard, temporary_podman

REPOSITORY = Path(__file__).resolve().parents[2]
IMAGE = "localhost/kafka-exporter:image-test"
CONTAINER = "kafka-exporter-image-test"
RUNTIME_USER = 10001
# The image holds Debian's runtime libraries and one binary (Swift's runtime linked in statically).
MAX_IMAGE_BYTES = 160 * 1024 * 1024
EXPORTER_PORT = 9308  # the image's default --web.listen-address, which its HEALTHCHECK asks
DEMO_GROUPS = {"router": "_rawdata", "policy-store": "_policy", "flow-store": "_flow"}

SKIP_VARIABLE = "KAFKA_EXPORTER_SKIP_IMAGE_TEST"


@pytest.fixture(scope="module", autouse=True)
def root_and_podman() -> None:
    """`make test` tests the image or says why not: a run without root fails, unless told to skip it,
    which the summary then names (`make test` runs pytest with -rs)."""
    if os.environ.get(SKIP_VARIABLE):
        pytest.skip(f"{SKIP_VARIABLE} is set: the container image is not tested")
    if os.geteuid() != 0:
        pytest.fail(f"the image test runs podman as root: run it as root (sudo make test), or set {SKIP_VARIABLE}=1 "
                    "to skip it", pytrace=False)
    if not shutil.which("podman"):
        pytest.fail("podman is missing: `make test-deps` installs it (scripts/ensure-system-deps --test)", pytrace=False)


def binary() -> Path:
    path = Path(os.environ.get("KAFKA_EXPORTER_BIN", REPOSITORY / ".build/release/kafka-exporter"))
    assert path.is_file(), f"{path} does not exist: swift build -c release --product kafka-exporter --static-swift-stdlib"
    linked = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
    assert "libswiftCore" not in linked, (
        f"{path} links the Swift runtime dynamically; the image needs it built with --static-swift-stdlib (as make test does)")
    return path


def revision() -> str:
    """The commit `make` builds the binary at (KAFKA_EXPORTER_REVISION), which the image is labelled with."""
    return os.environ.get("KAFKA_EXPORTER_REVISION") or subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def host_changes() -> Iterator[list[str]]:
    changes: list[str] = []
    with host_network_guard(changes):
        yield changes
    assert not changes, f"podman changed the host's network settings (restored): {changes}"


@pytest.fixture(scope="module")
def podman(host_changes: list[str]) -> Iterator[Podman]:
    with temporary_podman() as podman:
        yield podman


@pytest.fixture(scope="module")
def image(podman: Podman) -> str:
    podman.run("import", str(debian_base.base_archive()), "docker.io/library/debian:bookworm-slim")
    stage = podman.directory / "build-stage"
    (stage / "out").mkdir(parents=True)
    # What the build stage leaves there: the binary, stripped by `install --strip`.
    subprocess.run(["install", "--strip", str(binary()), str(stage / "out" / "kafka-exporter")], check=True)
    podman.run("build", "--pull=never", "--network=host", "--format=docker", "--file", str(REPOSITORY / "docker/Dockerfile"),
               "--build-context", f"build={stage}", "--build-arg", f"KAFKA_EXPORTER_REVISION={revision()}",
               "--tag", IMAGE, str(REPOSITORY), timeout=900)
    return IMAGE


@pytest.fixture(scope="module")
def demo_namespace() -> Iterator[tuple[str, str]]:
    """The demo in a network namespace of its own: (its /proc netns path, the mock cluster's bootstrap)."""
    in_namespace = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
    with running_demo(str(binary()), "--web.listen-address", "127.0.0.1:9400", "--collect.interval", "1s",
                      "--stats.interval", "0s", wrapper=in_namespace) as (process, bootstrap):
        yield f"/proc/{process.pid}/ns/net", bootstrap


def fetch_in(namespace: str, path: str) -> str | None:
    """GET http://127.0.0.1:9308{path} inside the namespace; None when nothing answers yet."""
    result = subprocess.run(
        ["nsenter", f"--net={namespace}", sys.executable, "-c",
         "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())",
         f"http://127.0.0.1:{EXPORTER_PORT}{path}"],
        capture_output=True, text=True, timeout=30)
    return result.stdout if result.returncode == 0 else None


def sample(metrics: str, name: str, labels: str = "") -> float | None:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", metrics, re.MULTILINE)
    return float(match[1]) if match else None


@pytest.fixture(scope="module")
def container(podman: Podman, image: str, demo_namespace: tuple[str, str]) -> Iterator[str]:
    namespace, bootstrap = demo_namespace
    static_groups = [f"--group.static={group}:{topic}" for group, topic in DEMO_GROUPS.items()]
    podman.run("run", "--detach", "--name", CONTAINER, f"--network=ns:{namespace}",
               "--read-only", "--read-only-tmpfs=false", "--cap-drop=ALL", "--security-opt=no-new-privileges",
               image, "--kafka.server", bootstrap, "--no-group.discovery", *static_groups,
               "--collect.interval", "1s", "--collect.timeout", "3s")
    try:
        yield CONTAINER
    finally:
        podman.run("rm", "--force", "--time", "0", CONTAINER, check=False)


def test_metrics_are_served_from_inside_the_container(container: str, demo_namespace: tuple[str, str]) -> None:
    namespace, _ = demo_namespace
    deadline = time.monotonic() + 60
    metrics = None
    while time.monotonic() < deadline:
        metrics = fetch_in(namespace, "/metrics")
        if metrics and all(f'kafka_consumergroup_lag_sum{{consumergroup="{group}",topic="{topic}"}}' in metrics
                           for group, topic in DEMO_GROUPS.items()):
            break
        time.sleep(0.5)
    assert metrics, "the container's exporter never answered on /metrics"
    assert sample(metrics, "kafka_brokers") == 3, "the mock cluster's 3 brokers"
    assert sample(metrics, "kafka_exporter_up") == 1
    for topic in DEMO_GROUPS.values():
        assert sample(metrics, "kafka_topic_partitions", f'{{topic="{topic}"}}') == 3, topic
    for group, topic in DEMO_GROUPS.items():
        assert f'kafka_consumergroup_lag_sum{{consumergroup="{group}",topic="{topic}"}}' in metrics, group
    assert fetch_in(namespace, "/ready") is not None


def test_the_label_and_the_binary_name_the_same_commit(podman: Podman, image: str, container: str,
                                                       demo_namespace: tuple[str, str]) -> None:
    label = podman.output("image", "inspect", "--format", '{{index .Config.Labels "org.opencontainers.image.revision"}}', image)
    assert label == revision()
    metrics = fetch_in(demo_namespace[0], "/metrics") or ""
    reported = re.search(r'^kafka_exporter_build_info\{[^}]*revision="([^"]*)"', metrics, re.MULTILINE)
    assert reported, "kafka_exporter_build_info is missing from the container's /metrics"
    assert reported[1] == label, f"the binary was built at {reported[1]}, not at {label}: build it with make"


def test_healthcheck_reports_healthy(podman: Podman, image: str, container: str, demo_namespace: tuple[str, str]) -> None:
    healthcheck = json.loads(podman.output("image", "inspect", "--format", "{{json .Config.Healthcheck}}", image))
    assert healthcheck and "/healthz" in " ".join(healthcheck["Test"]), f"the image keeps its HEALTHCHECK (--format docker): {healthcheck}"
    kind, program, *arguments = healthcheck["Test"]
    assert kind == "CMD"
    alone = podman.run("run", "--rm", "--network=none", "--entrypoint", program, image, *arguments, check=False)
    assert alone.returncode != 0, "the HEALTHCHECK fails where no exporter listens"
    deadline = time.monotonic() + 60
    while podman.run("healthcheck", "run", container, check=False).returncode != 0:
        assert time.monotonic() < deadline, "the HEALTHCHECK never passed"
        time.sleep(1)
    assert podman.output("inspect", "--format", "{{.State.Health.Status}}", container) == "healthy"


def test_runs_as_the_unprivileged_user_on_a_read_only_root(podman: Podman, container: str) -> None:
    pid = podman.output("inspect", "--format", "{{.State.Pid}}", container)
    status = Path(f"/proc/{pid}/status").read_text()
    uids = re.search(r"^Uid:\s+(.+)$", status, re.MULTILINE)[1].split()
    assert {int(uid) for uid in uids} == {RUNTIME_USER}, f"real, effective, saved and fs uid: {uids}"
    assert re.search(r"^CapEff:\s+0+$", status, re.MULTILINE), "no capabilities"
    assert podman.output("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", container) == "true"
    write = podman.run("exec", container, "sh", "-c", "touch /usr/local/bin/probe || touch /tmp/probe", check=False)
    assert write.returncode != 0 and "Read-only file system" in write.stderr, write


def test_every_shared_library_is_in_the_image(podman: Podman, image: str) -> None:
    linked = podman.output("run", "--rm", "--network=none", "--entrypoint", "ldd", image, "/usr/local/bin/kafka-exporter")
    assert "not found" not in linked, linked
    for library in ["librdkafka.so.1", "libmicrohttpd.so.12", "libz.so.1"]:
        assert library in linked, library


def test_image_is_small(podman: Podman, image: str) -> None:
    size = int(podman.output("image", "inspect", "--format", "{{.Size}}", image))
    print(f"image size: {size / 1e6:.1f} MB")
    assert size < MAX_IMAGE_BYTES, f"{size / 1e6:.1f} MB"


def test_sigterm_stops_it_with_status_zero(podman: Podman, container: str) -> None:
    """Last in the file: it stops the container the other tests use."""
    grace = 20
    started = time.monotonic()
    podman.run("stop", "--time", str(grace), container)
    assert time.monotonic() - started < grace, "podman had to kill the exporter after SIGTERM"
    assert podman.output("inspect", "--format", "{{.State.ExitCode}}", container) == "0"
