"""With REDIS_URL set, two app instances (two servers) share one set of counters."""

from __future__ import annotations

import os
import secrets

import pytest
from fastapi import FastAPI

from raypx.api.routes import auth_deps
from raypx.auth import lockout
from raypx.auth.rate_limit import RedisLimiter
from tests.integration.auth.conftest import PASSWORD, make_client

REDIS_URL = os.environ.get("RAYPX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def test_servers_share_rate_limits_through_redis(app: FastAPI) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    probe = Redis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except (RedisConnectionError, OSError):
        pytest.skip(f"no Redis at {REDIS_URL}")
    finally:
        await probe.aclose()
    app.state.settings.redis_url = REDIS_URL
    app.state.auth_limiter = None  # built afresh from the settings
    limiter = auth_deps.limiter(app.state)
    other = auth_deps.limiter(app.state)
    assert isinstance(limiter, RedisLimiter) and other is limiter
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    second = RedisLimiter.from_url(REDIS_URL)  # as another server process would have
    body = {"email": f"nobody-{secrets.token_hex(4)}@example.com", "password": PASSWORD}
    try:
        async with make_client(app, ip) as client:
            statuses = [
                (await client.post("/api/auth/sign-in/email", json=body)).status_code
                for _ in range(4)
            ]
        assert statuses == [401, 401, 401, 429]
        assert await second.count(f"{ip}|/sign-in/email") == 3
    finally:
        await second.reset(f"{ip}|/sign-in/email")
        await second.reset(lockout.account_key(body["email"]))
        await second.reset(lockout.source_key(body["email"], ip))
        await second.aclose()
        await auth_deps.close_limiter(app.state)
