"""The container image: docker/Dockerfile built with podman and run for real against the demo's mock
cluster, found by a host name. /metrics is served from inside the container, the image's HEALTHCHECK
(`kafka-exporter healthcheck`) reports healthy, the process runs as the non-root user, a read-only
root filesystem suffices, and SIGTERM ends it with exit status 0. Also: every shared library the
binary needs is in the image, every file in it is accounted for, and its size, layer by layer.

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
import tarfile
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
# The image is the binary (Swift's runtime linked in statically, 18 MB) and what it loads (21 MB of
# libraries: two TLS stacks, OpenSSL for librdkafka and GnuTLS for microhttpd, and certificates).
MAX_IMAGE_BYTES = 40 * 1000 * 1000
# What the binary's libraries and the loader may not account for: every other file of the image.
ACCOUNTED_FILES = {
    "usr/local/bin/kafka-exporter", "etc/ssl/certs/ca-certificates.crt", "etc/passwd", "etc/group", "etc/nsswitch.conf",
}
LOADER = "/lib64/ld-linux-x86-64.so.2"
KAFKA_HOST = "kafka.image-test"  # the name the container finds the mock cluster by (/etc/hosts)
EXPORTER_PORT = 9308  # the image's default --web.listen-address, which its HEALTHCHECK asks
DEMO_GROUPS = {"router": "_rawdata", "policy-store": "_policy", "flow-store": "_flow"}

SKIP_VARIABLE = "KAFKA_EXPORTER_SKIP_IMAGE_TEST"
# Another Dockerfile to measure startup and idle cost against in the same run, e.g. main's:
#   git show main:docker/Dockerfile > /tmp/Dockerfile.main; KAFKA_EXPORTER_BASELINE_DOCKERFILE=/tmp/Dockerfile.main
BASELINE_VARIABLE = "KAFKA_EXPORTER_BASELINE_DOCKERFILE"
STARTUP_PORT = 9309  # the startup measurement's containers, beside the one the other tests use on 9308
STARTUP_RUNS = 3


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


def build(podman: Podman, dockerfile: Path, tag: str) -> str:
    stage = podman.directory / "build-stage"
    if not stage.exists():
        podman.run("import", str(debian_base.base_archive()), "docker.io/library/debian:bookworm-slim")
        (stage / "out").mkdir(parents=True)
        # What the build stage leaves there: the binary, stripped by `install --strip`.
        subprocess.run(["install", "--strip", str(binary()), str(stage / "out" / "kafka-exporter")], check=True)
    podman.run("build", "--pull=never", "--network=host", "--format=docker", "--file", str(dockerfile),
               "--build-context", f"build={stage}", "--build-arg", f"KAFKA_EXPORTER_REVISION={revision()}",
               "--tag", tag, str(REPOSITORY), timeout=900)
    return tag


@pytest.fixture(scope="module")
def image(podman: Podman) -> str:
    return build(podman, REPOSITORY / "docker/Dockerfile", IMAGE)


@pytest.fixture(scope="module")
def demo_namespace() -> Iterator[tuple[str, str]]:
    """The demo in a network namespace of its own: (its /proc netns path, the mock cluster's bootstrap)."""
    in_namespace = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
    with running_demo(str(binary()), "--web.listen-address", "127.0.0.1:9400", "--collect.interval", "1s",
                      "--stats.interval", "0s", wrapper=in_namespace) as (process, bootstrap):
        yield f"/proc/{process.pid}/ns/net", bootstrap


def fetch_in(namespace: str, path: str, port: int = EXPORTER_PORT) -> str | None:
    """GET http://127.0.0.1:{port}{path} inside the namespace; None when nothing answers yet."""
    result = subprocess.run(
        ["nsenter", f"--net={namespace}", sys.executable, "-c",
         "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=30)
    return result.stdout if result.returncode == 0 else None


def sample(metrics: str, name: str, labels: str = "") -> float | None:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", metrics, re.MULTILINE)
    return float(match[1]) if match else None


@pytest.fixture(scope="module")
def container(podman: Podman, image: str, demo_namespace: tuple[str, str]) -> Iterator[str]:
    namespace, bootstrap = demo_namespace
    static_groups = [f"--group.static={group}:{topic}" for group, topic in DEMO_GROUPS.items()]
    # By name: getaddrinfo in an image without a shell or NSS libraries resolves it (nsswitch.conf).
    named_bootstrap = bootstrap.replace("127.0.0.1", KAFKA_HOST)
    assert named_bootstrap != bootstrap, bootstrap
    podman.run("run", "--detach", "--name", CONTAINER, f"--network=ns:{namespace}", f"--add-host={KAFKA_HOST}:127.0.0.1",
               "--read-only", "--read-only-tmpfs=false", "--cap-drop=ALL", "--security-opt=no-new-privileges",
               image, "--kafka.server", named_bootstrap, "--no-group.discovery", *static_groups,
               "--collect.interval", "1s", "--collect.timeout", "3s")
    try:
        yield CONTAINER
    finally:
        podman.run("rm", "--force", "--time", "0", CONTAINER, check=False)


def container_report(podman: Podman, container: str) -> str:
    """What a failure message needs to tell a slow start from an exit: the state and the log's end."""
    state = podman.run("inspect", "--format", "{{.State.Status}} exit={{.State.ExitCode}} {{.State.Error}}", container,
                       check=False)
    logs = podman.run("logs", "--tail", "20", container, check=False)
    return f"container {state.stdout.strip()}{state.stderr.strip()}; its log ends:\n{logs.stdout}{logs.stderr}"


def test_metrics_are_served_from_inside_the_container(podman: Podman, container: str,
                                                      demo_namespace: tuple[str, str]) -> None:
    namespace, _ = demo_namespace
    deadline = time.monotonic() + 60
    metrics = None
    while time.monotonic() < deadline:
        metrics = fetch_in(namespace, "/metrics")
        if metrics and all(f'kafka_consumergroup_lag_sum{{consumergroup="{group}",topic="{topic}"}}' in metrics
                           for group, topic in DEMO_GROUPS.items()):
            break
        time.sleep(0.5)
    assert metrics, f"the container's exporter never answered on /metrics: {container_report(podman, container)}"
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
    assert healthcheck and healthcheck["Test"][:3] == ["CMD", "/usr/local/bin/kafka-exporter", "healthcheck"], (
        f"the image keeps its HEALTHCHECK (--format docker): {healthcheck}")
    _, program, *arguments = healthcheck["Test"]
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
    # The container's own mount table (the image has no shell to try a write with): its root and
    # everything under it but the kernel's filesystems and the files podman provides are read-only.
    writable = [fields[4] for fields in (line.split() for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines())
                if "rw" in fields[5].split(",") and not re.match(r"/(proc|sys|dev)(/|$)", fields[4])
                and fields[4] not in ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run/.containerenv")]
    assert not writable, f"writable mounts: {writable}"


def loaded_libraries(podman: Podman, image: str) -> list[str]:
    """What the dynamic loader maps for the binary, as ldd shows it, asked inside the image (which has
    no ldd: that is a shell script)."""
    listed = podman.output("run", "--rm", "--network=none", "--entrypoint", LOADER, image, "--list", "/usr/local/bin/kafka-exporter")
    assert "not found" not in listed, listed
    return listed.splitlines()


def test_every_shared_library_is_in_the_image(podman: Podman, image: str) -> None:
    listed = "\n".join(loaded_libraries(podman, image))
    for library in ["librdkafka.so.1", "libmicrohttpd.so.12", "libz.so.1", "libgnutls.so.30"]:
        assert library in listed, library


@pytest.fixture(scope="module")
def layers(podman: Podman, image: str) -> list[tuple[str, list[tarfile.TarInfo]]]:
    """Each layer's command and entries, oldest first, from `podman save`."""
    archive = podman.directory / "image.tar"
    podman.run("save", "--format", "docker-archive", "--output", str(archive), image)
    with tarfile.open(archive) as saved:
        manifest = json.load(saved.extractfile("manifest.json"))[0]
        config = json.load(saved.extractfile(manifest["Config"]))
        commands = [entry.get("created_by", "") for entry in config["history"] if not entry.get("empty_layer")]
        result = []
        for command, layer in zip(commands, manifest["Layers"], strict=True):
            with tarfile.open(fileobj=saved.extractfile(layer)) as entries:
                result.append((command, entries.getmembers()))
    return result


def test_every_file_is_accounted_for(podman: Podman, image: str, layers: list[tuple[str, list[tarfile.TarInfo]]]) -> None:
    """The binary, the libraries the loader maps for it (and no other), CA certificates, the user and
    group, the host lookup order; and the directories holding them. No shell, no package manager."""
    libraries = {match[1].lstrip("/") for line in loaded_libraries(podman, image) if (match := re.search(r"(/\S+) \(0x", line))}
    files = {entry.name.removeprefix("./"): entry for _, entries in layers for entry in entries}
    allowed = ACCOUNTED_FILES | libraries
    directories = {str(parent) for name in allowed for parent in Path(name).parents if str(parent) != "."}
    unaccounted = sorted(name for name, entry in files.items() if name and name != "."
                         and not (entry.isfile() and name in allowed or entry.isdir() and name in directories))
    assert not unaccounted, f"files in the image no list accounts for: {unaccounted}"
    assert allowed <= set(files), f"missing from the image: {sorted(allowed - set(files))}"


def test_image_is_small(podman: Podman, image: str, layers: list[tuple[str, list[tarfile.TarInfo]]]) -> None:
    size = int(podman.output("image", "inspect", "--format", "{{.Size}}", image))
    print(f"\nimage size: {size / 1e6:.1f} MB")
    binary_bytes = 0
    for command, entries in layers:
        layer_bytes = sum(entry.size for entry in entries)
        binary_bytes += sum(entry.size for entry in entries if entry.name.removeprefix("./") == "usr/local/bin/kafka-exporter")
        print(f"  layer {layer_bytes / 1e6:6.1f} MB, {sum(entry.isfile() for entry in entries):2} files: {' '.join(command.split())[:90]}")
    print(f"  of which the binary {binary_bytes / 1e6:.1f} MB, the rest {(size - binary_bytes) / 1e6:.1f} MB")
    assert size <= MAX_IMAGE_BYTES, f"{size / 1e6:.1f} MB"


def startup_and_idle(podman: Podman, image: str, namespace: str, bootstrap: str) -> tuple[float, float]:
    """Seconds from `podman run` to /ready answering 200 (the first collection cycle done), and the
    exporter's resident MB 10 s later."""
    name = f"{CONTAINER}-startup"
    started = time.monotonic()
    podman.run("run", "--detach", "--name", name, f"--network=ns:{namespace}", "--read-only", "--read-only-tmpfs=false",
               image, "--kafka.server", bootstrap, "--web.listen-address", f"127.0.0.1:{STARTUP_PORT}", "--collect.interval", "1s")
    try:
        while fetch_in(namespace, "/ready", STARTUP_PORT) is None:
            assert time.monotonic() - started < 60, f"{image} was not ready within 60 s"
            time.sleep(0.02)
        ready = time.monotonic() - started
        time.sleep(10)
        pid = podman.output("inspect", "--format", "{{.State.Pid}}", name)
        resident = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
        return ready, int(resident[1]) / 1024
    finally:
        podman.run("rm", "--force", "--time", "0", name, check=False)


def test_startup_and_idle_cost(podman: Podman, image: str, demo_namespace: tuple[str, str]) -> None:
    """Printed for BENCHMARKS.md, not asserted (they vary with the machine's load): the median of
    STARTUP_RUNS; with $KAFKA_EXPORTER_BASELINE_DOCKERFILE, that image's too, runs alternating."""
    namespace, bootstrap = demo_namespace
    images = {"this": image}
    if baseline := os.environ.get(BASELINE_VARIABLE):
        images["baseline"] = build(podman, Path(baseline), "localhost/kafka-exporter:baseline")
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in images}
    for _ in range(STARTUP_RUNS):
        for label, tag in images.items():
            runs[label].append(startup_and_idle(podman, tag, namespace, bootstrap))
    medians = {label: tuple(sorted(values)[STARTUP_RUNS // 2] for values in zip(*measured)) for label, measured in runs.items()}
    print(f"\nstartup and idle cost, median of {STARTUP_RUNS} (demo cluster, --collect.interval 1s):")
    for label, (ready, resident) in medians.items():
        print(f"  {label:8} image: podman run → /ready {ready:5.2f} s, resident 10 s later {resident:5.1f} MB")
    if "baseline" in medians:
        (ready, resident), (before_ready, before_resident) = medians["this"], medians["baseline"]
        print(f"  this/baseline: {ready / before_ready:.2f}× start to ready, {resident / before_resident:.2f}× resident")


def test_sigterm_stops_it_with_status_zero(podman: Podman, container: str) -> None:
    """Last in the file: it stops the container the other tests use."""
    grace = 20
    started = time.monotonic()
    podman.run("stop", "--time", str(grace), container)
    assert time.monotonic() - started < grace, "podman had to kill the exporter after SIGTERM"
    assert podman.output("inspect", "--format", "{{.State.ExitCode}}", container) == "0"
