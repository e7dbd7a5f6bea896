"""The README's first command: `raypx serve` with no configuration, on an embedded PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

INSERT_AND_READ = """
import sys
from pathlib import Path
from sqlalchemy import create_engine, text
from raypx.db.embedded import start_embedded
engine = create_engine(start_embedded(Path(sys.argv[1])))
with engine.begin() as conn:
    if sys.argv[2] == "write":
        conn.execute(text("INSERT INTO public.user (id, name, email) VALUES ('u1', 'Ada', 'a@x')"))
    print(conn.execute(text("SELECT email FROM public.user WHERE id = 'u1'")).scalar())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def zero_config_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "RAYPX_DATABASE_URL"}}
    return env | {"RAYPX_HOME": str(home)}


def wait_until_ready(
    process: subprocess.Popen[str], port: int, deadline_s: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"raypx serve exited with {process.returncode}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
            if response.status_code == 200:
                return dict(response.json())
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a condition with a deadline
    raise AssertionError("raypx serve never became ready")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    home = tmp_path / "raypx-home"
    started: list[subprocess.Popen[str]] = []

    def start() -> tuple[subprocess.Popen[str], int]:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "raypx", "serve", "--port", str(port)],
            env=zero_config_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process, port

    yield home, start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def test_zero_config_serve_is_ready_and_keeps_data_across_restarts(serve: Any) -> None:
    home, start = serve
    process, port = start()
    assert wait_until_ready(process, port)["status"] == "ready"

    # Another raypx process on the machine attaches to the same embedded server.
    wrote = subprocess.run(
        [sys.executable, "-c", INSERT_AND_READ, str(home), "write"],
        env=zero_config_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert wrote.stdout.strip() == "a@x"

    output = stop(process)
    assert "embedded PostgreSQL" in output
    assert not (home / "pgdata" / "postmaster.pid").exists(), "server left running"
    assert (home / "secret").exists()

    process, port = start()
    assert wait_until_ready(process, port)["status"] == "ready"
    read = subprocess.run(
        [sys.executable, "-c", INSERT_AND_READ, str(home), "read"],
        env=zero_config_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert read.stdout.strip() == "a@x"
    stop(process)


def test_a_killed_serve_does_not_keep_the_embedded_server_running_forever(serve: Any) -> None:
    home, start = serve
    pgdata = home / "pgdata"
    try:
        crashed, port = start()
        wait_until_ready(crashed, port)
        crashed.send_signal(signal.SIGKILL)
        crashed.communicate(timeout=10)
        assert crashed.pid in json.loads((pgdata / ".handle_pids.json").read_text())

        process, port = start()
        wait_until_ready(process, port)
        stop(process)
        # The last live process stopped the server, although the crashed one never detached.
        assert not (pgdata / "postmaster.pid").exists(), "server left running"
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    finally:
        postmaster = pgdata / "postmaster.pid"
        if postmaster.exists():  # do not leak a server when the assertion fails
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGTERM)
