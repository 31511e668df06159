"""podman with everything in one temporary directory: storage (--root/--runroot, not a storage.conf,
which makes every container exit wait 20 s here), and a containers.conf with the settings this host
needs (runc: crun fails on its hybrid cgroups; cgroupfs; events to a file; ulimits). Removed on exit,
also when a test fails. Needs root.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


class Podman:
    def __init__(self, directory: Path):
        self.directory = directory
        (directory / "containers.conf").write_text(CONTAINERS_CONF)
        self.environment = {**os.environ, "CONTAINERS_CONF": str(directory / "containers.conf")}
        self.base = ["podman", "--root", str(directory / "root"), "--runroot", str(directory / "runroot"),
                     "--tmpdir", str(directory / "tmp")]

    def run(self, *arguments: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run([*self.base, *arguments], env=self.environment, capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"podman {' '.join(arguments)} exited with {result.returncode}:\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def output(self, *arguments: str) -> str:
        return self.run(*arguments).stdout.strip()

    def reset(self) -> None:
        self.run("rm", "--all", "--force", "--time", "0", check=False, timeout=120)
        self.run("system", "reset", "--force", check=False, timeout=120)


@contextmanager
def temporary_podman() -> Iterator[Podman]:
    directory = Path(tempfile.mkdtemp(prefix="kafka-exporter-podman-"))
    (directory / "tmp").mkdir()
    podman = Podman(directory)
    try:
        yield podman
    finally:
        podman.reset()
        shutil.rmtree(directory, ignore_errors=True)


RULE_DUMPS = {"iptables-save": "iptables-restore", "ip6tables-save": "ip6tables-restore"}


def host_network_state() -> dict[str, str]:
    """What podman's network setup would change on the host: IP forwarding, the iptables rules, the
    network interfaces (a bridge such as podman0 or cni-podman0)."""
    state = {"ip_forward": Path("/proc/sys/net/ipv4/ip_forward").read_text()}
    for command in [*RULE_DUMPS, "ip"]:
        if shutil.which(command):
            arguments = ["ip", "-brief", "link"] if command == "ip" else [command]
            state[command] = subprocess.run(arguments, capture_output=True, text=True).stdout
    return state


def comparable(state: dict[str, str]) -> dict[str, str]:
    """Without the time stamps and packet counters iptables-save writes."""
    return {key: "\n".join(line.split(" [")[0] for line in value.splitlines() if not line.startswith("#"))
            for key, value in state.items()}


@contextmanager
def host_network_guard(changes: list[str]) -> Iterator[None]:
    """Restores IP forwarding and the iptables rules if anything inside changed them, and lists what
    changed in `changes` (the test then fails: it is meant to change nothing)."""
    before = host_network_state()
    try:
        yield
    finally:
        after = host_network_state()
        changed = [key for key, value in comparable(after).items() if value != comparable(before).get(key)]
        changes += changed
        if "ip_forward" in changed:
            Path("/proc/sys/net/ipv4/ip_forward").write_text(before["ip_forward"])
        for dump, restore in RULE_DUMPS.items():
            if dump in changed:
                subprocess.run([restore], input=before[dump], text=True, check=False)
