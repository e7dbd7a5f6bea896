"""`raypx serve --port N` with no RAYPX_BASE_URL: browsers at that port can sign in, and a
refused origin is explained in the log once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "RAYPX_BASE_URL"} | {
        "DATABASE_URL": database_url.set(drivername="postgresql").render_as_string(
            hide_password=False
        ),
        "RAYPX_HOME": str(tmp_path),
        "RAYPX_WORKER_IN_PROCESS": "false",
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "raypx", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "raypx serve never became ready"
            time.sleep(0.1)  # polling a condition with a deadline
        yield port, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def post(port: int, path: str, origin: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{port}{path}", json=body, headers={"Origin": origin}, timeout=30
    )


def test_sign_in_works_at_the_port_served_and_refusals_are_logged_once(
    server: tuple[int, Path],
) -> None:
    port, log = server
    assert "RAYPX_BASE_URL is not set: using http://127.0.0.1:" in log.read_text()
    account = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
    signed_up = post(port, "/api/auth/sign-up/email", f"http://127.0.0.1:{port}", account)
    assert signed_up.status_code == 200, signed_up.text
    credentials = {"email": "ada@example.com", "password": PASSWORD}
    for origin in (f"http://localhost:{port}", f"http://[::1]:{port}"):
        signed_in = post(port, "/api/auth/sign-in/email", origin, credentials)
        assert signed_in.status_code == 200, (origin, signed_in.text)

    for _ in range(2):  # (sign-out: sign-in's rate limit is spent)
        refused = post(port, "/api/auth/sign-out", "http://192.168.1.20:8080", {})
        assert refused.status_code == 403 and refused.json()["code"] == "INVALID_ORIGIN"
    deadline = time.monotonic() + 10
    while "refused a request from origin" not in log.read_text():
        assert time.monotonic() < deadline, "no warning about the refused origin"
        time.sleep(0.05)  # polling the log with a deadline
    text = log.read_text()
    assert text.count("refused a request from origin 'http://192.168.1.20:8080'") == 1, text
    assert "RAYPX_BASE_URL" in text.split("refused a request from origin")[1].splitlines()[0]
