"""Fixed-window rate limits per client IP and path, in memory or in Redis.

Better Auth's rules (always on here): 100 requests per 10 s per IP and path; 3 per 10 s for
sign-in, sign-up, change-password and change-email; 3 per 60 s for reset and verification mail.
The same counters also hold the failed sign-in counts (`raypx.auth.lockout`).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True)
class Rule:
    window: int  # seconds
    max: int


DEFAULT_RULE = Rule(10, 100)
STRICT_PREFIXES = ("/sign-in", "/sign-up", "/change-password", "/change-email")
MAIL_PREFIXES = ("/request-password-reset", "/send-verification-email", "/forget-password")


def rule_for(path: str) -> Rule:
    """The rule for a path relative to /api/auth."""
    if path.startswith(STRICT_PREFIXES):
        return Rule(10, 3)
    if path.startswith(MAIL_PREFIXES):
        return Rule(60, 3)
    return DEFAULT_RULE


@dataclass(frozen=True)
class Hit:
    allowed: bool
    retry_after: int  # seconds until the window ends


@dataclass(frozen=True)
class Count:
    value: int
    retry_after: int  # seconds until the window ends; 0 when no window is open


class Limiter(Protocol):
    async def hit(self, key: str, rule: Rule) -> Hit:
        """Count one request; refused when the window already holds `rule.max`."""

    async def count(self, key: str) -> int: ...

    async def peek(self, key: str) -> Count:
        """The count in the open window and its time left, without counting."""

    async def reset(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


class MemoryLimiter:
    """Counters in this process. Enough for one server; use Redis when several serve."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.clock = clock
        self.max_keys = max_keys
        self.windows: dict[str, tuple[float, int]] = {}  # key -> (window end, count)

    def _live(self, key: str, now: float) -> tuple[float, int] | None:
        entry = self.windows.get(key)
        if entry is None or entry[0] <= now:
            return None
        return entry

    async def hit(self, key: str, rule: Rule) -> Hit:
        now = self.clock()
        entry = self._live(key, now)
        if entry is None:
            if len(self.windows) >= self.max_keys:
                self._prune(now)
            self.windows[key] = (now + rule.window, 1)
            return Hit(True, rule.window)
        end, count = entry
        retry_after = max(1, math.ceil(end - now))
        if count >= rule.max:
            return Hit(False, retry_after)
        self.windows[key] = (end, count + 1)
        return Hit(True, retry_after)

    async def count(self, key: str) -> int:
        return (await self.peek(key)).value

    async def peek(self, key: str) -> Count:
        now = self.clock()
        entry = self._live(key, now)
        if entry is None:
            return Count(0, 0)
        return Count(entry[1], max(1, math.ceil(entry[0] - now)))

    async def reset(self, key: str) -> None:
        self.windows.pop(key, None)

    async def aclose(self) -> None:
        self.windows.clear()

    def _prune(self, now: float) -> None:
        for key in [k for k, (end, _) in self.windows.items() if end <= now]:
            del self.windows[key]
        if len(self.windows) >= self.max_keys:  # still full of live keys: drop the oldest
            for key in list(self.windows)[: len(self.windows) // 10 or 1]:
                del self.windows[key]


# INCR, start the window on the first hit, and refuse without counting past the limit.
HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
if count > tonumber(ARGV[2]) then redis.call('DECR', KEYS[1]) end
return {count, ttl}
"""


class RedisLimiter:
    """Counters shared by every server process through Redis (`REDIS_URL`)."""

    def __init__(self, client: Redis, prefix: str = "raypx:rl:") -> None:
        self.client = client
        self.prefix = prefix
        self.script = client.register_script(HIT_SCRIPT)

    @classmethod
    def from_url(cls, url: str) -> RedisLimiter:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url))

    async def hit(self, key: str, rule: Rule) -> Hit:
        count, ttl = await self.script(keys=[self.prefix + key], args=[rule.window, rule.max])
        return Hit(int(count) <= rule.max, max(1, int(ttl)))

    async def count(self, key: str) -> int:
        return (await self.peek(key)).value

    async def peek(self, key: str) -> Count:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.get(self.prefix + key)
            pipe.ttl(self.prefix + key)
            value, ttl = await pipe.execute()
        if value is None:
            return Count(0, 0)
        return Count(int(value), max(1, int(ttl)))

    async def reset(self, key: str) -> None:
        await self.client.delete(self.prefix + key)

    async def aclose(self) -> None:
        await self.client.aclose()


def create_limiter(redis_url: str | None) -> Limiter:
    return RedisLimiter.from_url(redis_url) if redis_url else MemoryLimiter()


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: the socket peer, unless that peer is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read right to left and the first address that
    is not itself a trusted proxy wins; addresses a client wrote further left are ignored.
    """
    address = peer or "unknown"
    if not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed chain: fall back to the proxy itself
        if not _is_trusted(hop, trusted):
            return hop
        address = hop
    return address
