import ipaddress
import os

import pytest

from raypx.auth.rate_limit import (
    MemoryLimiter,
    RedisLimiter,
    Rule,
    client_ip,
    parse_networks,
    rule_for,
)


def test_rules_follow_better_auth() -> None:
    assert rule_for("/sign-in/email") == Rule(10, 3)
    assert rule_for("/sign-up/email") == Rule(10, 3)
    assert rule_for("/change-password") == Rule(10, 3)
    assert rule_for("/change-email") == Rule(10, 3)
    assert rule_for("/request-password-reset") == Rule(60, 3)
    assert rule_for("/send-verification-email") == Rule(60, 3)
    assert rule_for("/get-session") == Rule(10, 100)


async def test_memory_limiter_windows() -> None:
    now = [1000.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    rule = Rule(10, 2)
    assert (await limiter.hit("k", rule)).allowed
    assert (await limiter.hit("k", rule)).allowed
    refused = await limiter.hit("k", rule)
    assert not refused.allowed and refused.retry_after == 10
    now[0] += 4.5
    assert (await limiter.hit("k", rule)).retry_after == 6
    assert await limiter.count("k") == 2
    now[0] += 6
    assert (await limiter.hit("k", rule)).allowed
    await limiter.reset("k")
    assert await limiter.count("k") == 0


async def test_memory_limiter_stays_bounded() -> None:
    limiter = MemoryLimiter(clock=lambda: 0.0, max_keys=10)
    for n in range(50):
        await limiter.hit(f"k{n}", Rule(10, 5))
    assert len(limiter.windows) <= 10


def test_client_ip_trusts_forwarded_for_only_from_trusted_proxies() -> None:
    proxies = parse_networks(["10.0.0.0/8", "::1"])
    assert client_ip("1.2.3.4", "9.9.9.9", proxies) == "1.2.3.4"
    assert client_ip("10.0.0.1", "9.9.9.9", proxies) == "9.9.9.9"
    assert client_ip("10.0.0.1", "6.6.6.6, 9.9.9.9, 10.0.0.2", proxies) == "9.9.9.9"
    assert client_ip("10.0.0.1", "not-an-ip", proxies) == "10.0.0.1"
    assert client_ip("10.0.0.1", None, proxies) == "10.0.0.1"
    assert client_ip("1.2.3.4", "9.9.9.9", ()) == "1.2.3.4"
    assert isinstance(proxies[1], ipaddress.IPv6Network)


REDIS_URL = os.environ.get("RAYPX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def test_redis_limiter_shares_counters() -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    first = RedisLimiter.from_url(REDIS_URL)
    second = RedisLimiter.from_url(REDIS_URL)
    key = f"test|{os.getpid()}|{id(first)}"
    try:
        try:
            await first.reset(key)
        except (RedisConnectionError, OSError):
            pytest.skip(f"no Redis at {REDIS_URL}")
        rule = Rule(10, 2)
        assert (await first.hit(key, rule)).allowed
        assert (await second.hit(key, rule)).allowed
        refused = await first.hit(key, rule)
        assert not refused.allowed and 1 <= refused.retry_after <= 10
        assert await second.count(key) == 2
        await second.reset(key)
        assert (await first.hit(key, rule)).allowed
    finally:
        await first.reset(key)
        await first.aclose()
        await second.aclose()
