"""What every HTTP response carries: security headers, request ids, `{message, code}` errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.db import migrate
from raypx.settings import Settings

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def make_client(url: URL, tmp_path: Path, base_url: str = "http://127.0.0.1:8000") -> TestClient:
    settings = Settings(
        home=tmp_path,
        database_url=url.render_as_string(hide_password=False),
        base_url=base_url,
        worker_in_process=False,
    )
    app = create_app(settings)
    failing = APIRouter()

    @failing.get("/test/boom")
    async def boom() -> None:
        raise RuntimeError("secret connection string postgresql://u:hunter2@db/x")

    app.include_router(failing)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(shared_database_url: URL, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(shared_database_url, tmp_path) as test_client:
        yield test_client


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "migration": migrate.head_revision()}


def test_security_headers_on_success_and_errors(client: TestClient) -> None:
    for path, status in (("/healthz", 200), ("/api/nowhere", 404), ("/test/boom", 500)):
        response = client.get(path)
        assert response.status_code == status
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert "strict-transport-security" not in response.headers


def test_hsts_only_when_the_base_url_is_https(shared_database_url: URL, tmp_path: Path) -> None:
    with make_client(shared_database_url, tmp_path, "https://app.example.com") as https_client:
        response = https_client.get("/healthz")
    assert response.headers["strict-transport-security"] == (
        "max-age=63072000; includeSubDomains; preload"
    )


def test_errors_are_message_and_code_never_a_traceback(client: TestClient) -> None:
    missing = client.get("/api/nowhere")  # app paths get the web app instead
    assert missing.json() == {"message": "Not Found", "code": "NOT_FOUND"}
    crashed = client.get("/test/boom")
    assert crashed.json() == {"message": "Internal server error", "code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in crashed.text and "Traceback" not in crashed.text


def test_every_response_has_a_request_id_and_a_safe_one_is_kept(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 16
    assert client.get("/healthz").headers["x-request-id"] != generated
    kept = client.get("/healthz", headers={"X-Request-Id": "trace-abc.123"})
    assert kept.headers["x-request-id"] == "trace-abc.123"
    forged = client.get("/healthz", headers={"X-Request-Id": "x\nFAKE LOG LINE"})
    assert forged.headers["x-request-id"] != "x\nFAKE LOG LINE"


def test_request_id_appears_in_the_log_of_a_failure(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    from raypx.api.middleware import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    response = client.get("/test/boom", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "raypx.api"]
    assert records and all(getattr(r, "request_id", None) == "req-42" for r in records)


def test_readyz_reports_a_database_behind_the_migration_head(
    database_url: URL, tmp_path: Path
) -> None:
    migrate.downgrade(database_url, "base")
    with make_client(database_url, tmp_path) as behind:
        response = behind.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "MIGRATION_REQUIRED"


def test_readyz_reports_an_unreachable_database(tmp_path: Path) -> None:
    unreachable = URL.create(
        "postgresql+psycopg", "postgres", host="127.0.0.1", port=1, database="raypx"
    )
    with make_client(unreachable, tmp_path) as down:
        response = down.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "DATABASE_UNAVAILABLE"
