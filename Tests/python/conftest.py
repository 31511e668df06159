import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import run_tansu

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    """Runs run_tansu.py as the Swift tests will; yields the proxy's bootstrap address."""
    process = subprocess.Popen(
        [sys.executable, run_tansu.__file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("BOOTSTRAP="), f"run_tansu.py printed {line!r}"
    yield line.removeprefix("BOOTSTRAP=").strip()
    process.stdin.close()
    assert process.wait(10) == 0


def tansu_topic(*arguments: str) -> None:
    subprocess.run([run_tansu.bundled_tansu(), "topic", *arguments], check=True, timeout=30)


@pytest.fixture
def topic(broker: str) -> Iterator[str]:
    """A fresh topic with 3 partitions, created and deleted with Tansu's own CLI."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    tansu_topic("create", name, "--broker", f"tcp://{broker}", "--partitions", "3")
    yield name
    tansu_topic("delete", name, "--broker", f"tcp://{broker}")
