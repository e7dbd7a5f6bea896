"""Failed sign-ins throttle the source that guesses, not the owner of the account."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from raypx.api.routes import auth_deps
from raypx.auth.rate_limit import RedisLimiter
from tests.integration.auth.conftest import BASE_URL, PASSWORD, Clock, make_client, sign_up

URL = "/api/auth/sign-in/email"
REDIS_URL = os.environ.get("RAYPX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WRONG = {"email": "ada@example.com", "password": "not the password"}
RIGHT = {"email": "ada@example.com", "password": PASSWORD}


def configure(app: FastAPI, **settings: int) -> None:
    for name, value in settings.items():
        setattr(app.state.settings, name, value)
    app.state.auth_config = None  # rebuilt from the changed settings


async def attempt(client: httpx.AsyncClient, clock: Clock, body: dict[str, str]) -> int:
    clock.advance(seconds=11)  # past the per-IP rate limit (3 per 10 s), not the lockout window
    return (await client.post(URL, json=body)).status_code


@pytest.fixture
async def ada(app: FastAPI) -> None:
    async with make_client(app, "10.9.9.9", origin=BASE_URL) as browser:
        await sign_up(browser)


@pytest.fixture
async def attacker(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app, "203.0.113.7") as client:
        yield client


@pytest.fixture
async def owner(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app, "198.51.100.20", origin=BASE_URL) as client:
        yield client


@pytest.mark.usefixtures("ada")
async def test_a_stranger_guessing_is_throttled_and_the_owner_signs_in_at_once(
    attacker: httpx.AsyncClient, owner: httpx.AsyncClient, clock: Clock
) -> None:
    statuses = [await attempt(attacker, clock, WRONG) for _ in range(50)]
    assert statuses == [401] * 10 + [429] * 40
    # From the attacker's address even the right password is refused, unchecked.
    locked = await attacker.post(URL, json=RIGHT)
    assert (locked.status_code, locked.json()["code"]) == (429, "TOO_MANY_FAILED_SIGN_INS")
    first_failure_at = 11
    assert int(locked.headers["x-retry-after"]) == 900 - (50 * 11 - first_failure_at)
    assert (await owner.post(URL, json=RIGHT)).status_code == 200
    # The attacker's window ends; then it is ten more guesses, no more.
    clock.advance(seconds=int(locked.headers["x-retry-after"]))
    assert await attempt(attacker, clock, WRONG) == 401


@pytest.mark.usefixtures("ada")
async def test_the_owner_mistyping_then_succeeding_starts_afresh(
    owner: httpx.AsyncClient, clock: Clock
) -> None:
    assert [await attempt(owner, clock, WRONG) for _ in range(9)] == [401] * 9
    assert await attempt(owner, clock, RIGHT) == 200
    assert [await attempt(owner, clock, WRONG) for _ in range(10)] == [401] * 10
    assert await attempt(owner, clock, RIGHT) == 429


@pytest.mark.usefixtures("ada")
async def test_past_the_account_ceiling_only_sources_that_failed_must_wait(
    app: FastAPI, owner: httpx.AsyncClient, clock: Clock
) -> None:
    configure(app, max_failed_sign_ins_per_account=5)
    botnet = [make_client(app, f"192.0.2.{n}") for n in range(1, 7)]
    try:
        for bot in botnet[:5]:
            assert await attempt(bot, clock, WRONG) == 401
        # The ceiling is reached: a bot that failed waits, a fresh one gets one guess only.
        assert await attempt(botnet[0], clock, WRONG) == 429
        assert await attempt(botnet[5], clock, WRONG) == 401
        assert await attempt(botnet[5], clock, RIGHT) == 429
        # The owner, from an address that never failed, is let in.
        assert await attempt(owner, clock, RIGHT) == 200
    finally:
        for bot in botnet:
            await bot.aclose()


async def test_throttling_holds_across_servers_through_redis(app: FastAPI) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    probe = Redis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except (RedisConnectionError, OSError):
        pytest.skip(f"no Redis at {REDIS_URL}")
    finally:
        await probe.aclose()
    # Real time here: two failures fit under the per-IP rate limit (3 per 10 s).
    configure(app, max_failed_sign_ins=2)
    app.state.settings.redis_url = REDIS_URL
    app.state.auth_limiter = None  # built afresh from the settings
    email = f"ada-{secrets.token_hex(4)}@example.com"
    wrong, right = {"email": email, "password": "not the password"}, {**RIGHT, "email": email}
    octets = [secrets.randbelow(250) for _ in range(3)]
    attacker_ip, owner_ip = "10.{}.{}.{}".format(*octets), "172.16.{}.{}".format(*octets[:2])
    try:
        async with make_client(app, "10.250.0.1", origin=BASE_URL) as browser:
            await sign_up(browser, email=email)
        # Another server process shares the counters; the attacker alternates between them.
        second = RedisLimiter.from_url(REDIS_URL)
        async with make_client(app, attacker_ip) as attacker, make_client(app, owner_ip) as owner:
            assert (await attacker.post(URL, json=wrong)).status_code == 401
            app.state.auth_limiter, first = second, app.state.auth_limiter
            assert (await attacker.post(URL, json=wrong)).status_code == 401
            locked = await attacker.post(URL, json=right)
            assert (locked.status_code, locked.json()["code"]) == (429, "TOO_MANY_FAILED_SIGN_INS")
            assert 890 <= int(locked.headers["x-retry-after"]) <= 900
            app.state.auth_limiter = first
            assert (await owner.post(URL, json=right)).status_code == 200
        await second.aclose()
    finally:
        await wipe_redis_counters(email)
        await auth_deps.close_limiter(app.state)


async def wipe_redis_counters(email: str) -> None:
    from redis.asyncio import Redis

    from raypx.auth import lockout

    client = Redis.from_url(REDIS_URL)
    prefix = "raypx:rl:" + lockout.account_key(email)
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
