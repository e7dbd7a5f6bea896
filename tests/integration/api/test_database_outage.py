"""The database going away: 503 with Retry-After at once, back to normal as soon as it returns.

The app reaches PostgreSQL through a TCP proxy the test cuts and restores, as a restart would
look to it (connections dropped, new ones refused), without stopping the shared server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.conftest import Api, serve_api

# A request during the outage must be answered within this; the app's own bound is 2 s.
ANSWER_WITHIN = 2.0
OUTAGE_SECONDS = 6.0  # long enough for any reconnect backoff to have grown past 1 s


@pytest.fixture
async def proxy(database_url: URL) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(database_url.host or "127.0.0.1", database_url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def proxied_api(
    database_url: URL, proxy: TcpProxy, tmp_path: Path, extra_settings: dict[str, Any]
) -> AsyncIterator[Api]:
    # The app (and the harness's engine, unused here) talk to PostgreSQL through the proxy.
    through_proxy = database_url.set(host="127.0.0.1", port=proxy.port)
    async for api in serve_api(through_proxy, tmp_path, Api, worker_in_process=False,
                               **extra_settings):  # fmt: skip
        yield api


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    async with asyncio.timeout(35):  # SQLAlchemy's and psycopg_pool's default waits are 30 s
        response = await request
    return response, time.monotonic() - started


def assert_unavailable(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    # The usual error shape (/readyz adds its "status").
    assert set(body) - {"status"} == {"message", "code"} and body["code"] == "DATABASE_UNAVAILABLE"
    assert "Traceback" not in response.text and "psycopg" not in response.text
    assert elapsed <= ANSWER_WITHIN, f"answered after {elapsed:.2f} s"


async def test_an_outage_answers_503_and_recovery_is_immediate(
    proxied_api: Api, proxy: TcpProxy
) -> None:
    api = proxied_api
    user = await api.sign_up()
    run = {"feature": "summarize", "input": "Before the outage."}
    assert (await api.client.get("/api/me", headers=user)).status_code == 200
    assert (await api.client.post("/api/runs", headers=user, json=run)).status_code == 202
    assert (await api.client.get("/readyz")).status_code == 200

    await proxy.cut()
    cut_at = time.monotonic()
    slowest = 0.0
    while time.monotonic() - cut_at < OUTAGE_SECONDS:
        for request in (
            api.client.get("/api/me", headers=user),
            api.client.post("/api/runs", headers=user, json=run),
            api.client.get("/api/auth/get-session", headers=user),
            api.client.get("/readyz"),
        ):
            response, elapsed = await timed(request)
            assert_unavailable(response, elapsed)
            slowest = max(slowest, elapsed)
        await asyncio.sleep(0.5)  # pacing the clients, not synchronisation

    await proxy.restore()
    restored_at = time.monotonic()
    me, _ = await timed(api.client.get("/api/me", headers=user))
    posted, _ = await timed(api.client.post("/api/runs", headers=user, json=run))
    ready, _ = await timed(api.client.get("/readyz"))
    recovered = time.monotonic() - restored_at
    print(f"\nslowest 503 during the outage: {slowest:.3f} s; "
          f"first requests after restore succeeded within {recovered:.3f} s")  # fmt: skip
    assert (me.status_code, posted.status_code, ready.status_code) == (200, 202, 200), me.text
    assert recovered <= 1.0


@pytest.mark.parametrize(
    "extra_settings", [{"db_pool_size": 2, "db_max_overflow": 0, "db_pool_timeout": 0.5}]
)
async def test_an_exhausted_pool_answers_503_quickly(proxied_api: Api) -> None:
    api = proxied_api
    user = await api.sign_up()
    held = [await api.app.state.engine.connect() for _ in range(2)]
    try:
        response, elapsed = await timed(api.client.get("/api/me", headers=user))
        assert_unavailable(response, elapsed)
    finally:
        for conn in held:
            await conn.close()
    assert (await api.client.get("/api/me", headers=user)).status_code == 200
