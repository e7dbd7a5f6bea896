"""`raypx serve` with RAYPX_OTLP_ENDPOINT exports a span per request over OTLP/HTTP, named by
the route template."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.e2e.test_serve_workers import PASSWORD, Serve, serve

pytestmark = pytest.mark.slow
__all__ = ["serve"]  # the fixture used here


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CollectorHandler)
        self.bodies: list[tuple[str, bytes]] = []


class CollectorHandler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.server.bodies.append((self.path, body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_requests_are_exported_as_spans_by_route(serve: Serve, collector: Collector) -> None:
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
    process, base = serve(RAYPX_OTLP_ENDPOINT=endpoint)
    missing = "00000000-0000-7000-8000-000000000000"
    with httpx.Client(base_url=base, timeout=10) as client:
        body = {"name": "T", "email": "trace@example.com", "password": PASSWORD}
        token = client.post("/api/auth/sign-up/email", json=body).json()["token"]
        client.cookies.clear()
        headers = {"authorization": f"Bearer {token}"}
        assert client.get(f"/api/runs/{missing}", headers=headers).status_code == 404
    process.send_signal(signal.SIGTERM)  # shutdown sends the spans still buffered
    assert process.wait(30) == 0
    assert {path for path, _ in collector.bodies} == {"/v1/traces"}
    exported = b"".join(body for _, body in collector.bodies)
    assert b"GET /api/runs/{run_id}" in exported  # spans are named by route template
