"""`raypx serve --port N` with no RAYPX_BASE_URL: browsers at that port can sign in, and a
refused origin is explained in the log once."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import Served

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def post(port: int, path: str, origin: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{port}{path}", json=body, headers={"Origin": origin}, timeout=30
    )


def test_sign_in_works_at_the_port_served_and_refusals_are_logged_once(
    serve_process: Callable[..., Served],
) -> None:
    served = serve_process()
    port, log = served.port, served.log
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
