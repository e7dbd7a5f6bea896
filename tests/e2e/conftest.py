"""Real `raypx serve` processes on the test's own database (`serve_process` fixture)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def serve_process(database_url: URL, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Starts `raypx serve --port N ARGS` (no RAYPX_BASE_URL) with extra environment variables."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **extra_env: str) -> Served:
        port = free_port()
        log = tmp_path / f"serve-{len(started)}.log"
        env = {k: v for k, v in os.environ.items() if k != "RAYPX_BASE_URL"} | {
            "DATABASE_URL": database_url.set(drivername="postgresql").render_as_string(
                hide_password=False
            ),
            "RAYPX_HOME": str(tmp_path),
            "RAYPX_WORKER_IN_PROCESS": "false",
            **extra_env,
        }
        with open(log, "wb") as out:  # the child keeps a copy
            process = subprocess.Popen(
                [sys.executable, "-m", "raypx", "serve", "--port", str(port), *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return Served(process, port, log)
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "raypx serve never became ready"
            time.sleep(0.1)  # polling a condition with a deadline

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
