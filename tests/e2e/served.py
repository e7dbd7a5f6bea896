"""`raypx serve` as a real process on a test database, for tests that measure the process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def memory_mib(self) -> tuple[float, float]:
        """(resident now, resident at its peak) of the server process, from /proc."""
        fields = dict(
            line.split(":", 1)
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_raypx(database_url: URL, tmp_path: Path, **settings: str) -> Iterator[Served]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "RAYPX_HOME": str(tmp_path / "home"),
        "RAYPX_SECRET": "e2e-secret",
        "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port),
        "RAYPX_ARGON2_MEMORY_COST": "1024",
        "RAYPX_ARGON2_TIME_COST": "1",
        **settings,
    }
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "server.log"
    raypx = Path(sys.executable).with_name("raypx")
    with log_path.open("w") as log:
        process = subprocess.Popen([str(raypx), "serve"], env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text())
                time.sleep(0.1)  # polling a condition with a deadline
            yield Served(base, process, log_path)
        finally:
            process.terminate()
            process.wait(timeout=15)
