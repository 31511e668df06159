"""`kafka-exporter demo` as a cluster for other processes: its mock cluster listens on loopback TCP."""

import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def running_demo(binary: str, *arguments: str, wrapper: Sequence[str] = ()) -> Iterator[tuple[subprocess.Popen, str]]:
    """Yields the process and the mock cluster's bootstrap address; `wrapper` runs it inside another
    command (e.g. a network namespace of its own)."""
    process = subprocess.Popen([*wrapper, binary, "demo", *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        bootstrap = None
        for line in process.stdout:
            if match := re.search(r"mock cluster with 3 brokers at (\S+)", line):
                bootstrap = match[1]
                break
        assert bootstrap, "the demo printed no bootstrap address"
        yield process, bootstrap
    finally:
        process.terminate()
        process.wait(30)
