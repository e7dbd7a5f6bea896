"""The log of a real server (uvicorn, our logging setup) never holds the data behind a failed
SQL statement, and a client cannot forge log lines with CR/LF in a URL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.api.deps import SessionDep
from tests.fakes.asgi_server import serving
from tests.integration.conftest import api_settings
from tests.integration.log_capture import capturing_logs

SECRET = "sk-live-4f9c2a7e1b"  # what a prompt, message or name might hold
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
FAILING = {
    # The server quotes the value: invalid input syntax for type integer: "sk-…"
    "cast": ("SELECT CAST(:v AS integer)", {"v": SECRET}),
    # The server quotes the row: DETAIL: Key (email)=(sk-…) already exists.
    "unique": (
        'INSERT INTO "user" (id, name, email, created_at, updated_at) '
        "VALUES (:id, :v, :v, now(), now()), (:id || '2', :v, :v, now(), now())",
        {"id": "log-test", "v": SECRET},
    ),
    # The driver refuses it; SQLAlchemy used to print the parameters alongside.
    "nul": ("SELECT :v", {"v": SECRET + "\x00"}),
}


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    with capturing_logs() as buffer:
        yield buffer


@pytest.fixture
def server(database_url: URL, tmp_path: Path, captured: io.StringIO) -> Iterator[str]:
    app = create_app(api_settings(database_url, tmp_path, worker_in_process=False))

    async def failing_statement(which: str, session: SessionDep) -> None:
        statement, params = FAILING[which]
        await session.execute(text(statement), params)

    # A stand-in for any query that fails on user data; first, ahead of catch-all routes.
    app.add_api_route("/test/sql/{which}", failing_statement)
    app.router.routes.insert(0, app.router.routes.pop())
    with serving(app, log_config=None, log_level="info") as url:
        yield url


async def test_failed_sql_is_logged_without_the_values(server: str, captured: io.StringIO) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        for which in FAILING:
            answer = await client.get(f"/test/sql/{which}")
            assert answer.status_code == 500 and SECRET not in answer.text, which
    log = captured.getvalue()
    assert log.count("unhandled error on GET /test/sql/") == len(FAILING)
    assert SECRET not in log
    # What an operator needs is still there: the error class, SQLSTATE, constraint and SQL.
    assert 'SQLSTATE 22P02; invalid input syntax for type integer: "…"' in log
    assert "SQLSTATE 23505; constraint user_email_unique" in log
    assert 'INSERT INTO "user"' in log and "NUL" in log


async def test_cr_lf_in_a_request_cannot_start_a_log_line(
    server: str, captured: io.StringIO
) -> None:
    forged = "2026-01-01 00:00:00,000 WARNING raypx.auth [-] admin signed in"
    path = "/api/auth/callback/corp%0D%0A" + forged.replace(" ", "%20") + "%0A%1B[2J"
    async with httpx.AsyncClient(base_url=server) as client:
        answer = await client.get(path, params={"state": "x", "code": "y"})
    assert answer.status_code == 302
    lines = captured.getvalue().splitlines()
    assert not [line for line in lines if line.startswith(forged[:20])]
    [logged] = [line for line in lines if "oauth callback for" in line]
    assert RECORD_START.match(logged) and f"corp\\r\\n{forged}\\n\\u001b[2J failed" in logged
    assert "\x1b" not in captured.getvalue()
