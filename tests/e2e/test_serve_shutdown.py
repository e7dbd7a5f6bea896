"""`raypx serve --grace-period N`: a request that never completes does not hold up SIGTERM."""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import Served

pytestmark = pytest.mark.slow


def test_sigterm_exits_within_the_grace_period_despite_a_stalled_request(
    serve_process: Callable[..., Served],
) -> None:
    served = serve_process("--grace-period", "2")
    with socket.create_connection(("127.0.0.1", served.port)) as stalled:
        # A client that announced a body and stopped sending it: the request stays open.
        stalled.sendall(
            b"POST /api/auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email"'
        )
        # Answered after the stalled bytes arrived: the server has taken that request in.
        assert httpx.get(f"{served.url}/healthz", timeout=10).status_code == 200
        signalled = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        served.process.wait(60)
        latency = time.monotonic() - signalled
    print(f"SIGTERM to exit: {latency:.2f} s")
    assert served.process.returncode == 0
    assert latency < 2 + 3, f"{latency:.1f} s with a 2 s grace period"
