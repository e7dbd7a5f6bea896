"""Request-side plumbing for auth: per-app config, limiter and clock; the caller's identity;
the guard (rate limit, then Origin check) every /api/auth endpoint runs before its handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from raypx.auth import cookies, origin, plugin_limits, rate_limit, sessions
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.db.direct import ReadPool
from raypx.errors import Unauthorized
from raypx.settings import Settings

BASE_PATH = "/api/auth"
RATE_LIMIT_COUNTED = "raypx.rate_limit_counted"  # scope key: this request's rate-limit hit
RATE_LIMITED = "Too many requests. Please try again later."
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def auth_config(state: State) -> AuthConfig:
    cfg: AuthConfig | None = getattr(state, "auth_config", None)
    if cfg is None:
        settings: Settings = state.settings
        cfg = state.auth_config = AuthConfig.from_settings(settings)
    return cfg


def limiter(state: State) -> rate_limit.Limiter:
    """Created on first use: in memory, or on Redis when REDIS_URL is set."""
    found: rate_limit.Limiter | None = getattr(state, "auth_limiter", None)
    if found is None:
        settings: Settings = state.settings
        found = state.auth_limiter = rate_limit.create_limiter(settings.redis_url)
    return found


async def close_limiter(state: State) -> None:
    found: rate_limit.Limiter | None = getattr(state, "auth_limiter", None)
    if found is not None:
        state.auth_limiter = None
        await found.aclose()


def clock(state: State) -> Clock:
    """`app.state.clock` when a test set one, else the system clock."""
    found: Clock | None = getattr(state, "clock", None)
    return found or system_clock


def client_ip(request: Request) -> str:
    cfg = auth_config(request.app.state)
    peer = request.client.host if request.client else None
    return rate_limit.client_ip(peer, request.headers.get("x-forwarded-for"), cfg.trusted_proxies)


def request_meta(request: Request) -> RequestMeta:
    return RequestMeta(
        now=clock(request.app.state)(),
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )


def read_pool(request: Request) -> ReadPool | None:
    """The app's direct read pool, when it runs one (tests that share a session do not)."""
    pool: ReadPool | None = getattr(request.app.state, "direct_pool", None)
    return pool


async def authenticate(
    request: Request, db: AsyncSession, *, refresh: bool = False, read_only: bool = False
) -> sessions.Authenticated | None:
    """`read_only`: the caller will not modify the returned user or session, so the lookup
    may take the one-round-trip path."""
    cfg = auth_config(request.app.state)
    credentials = cookies.read_credentials(request.headers, cfg)
    if credentials is None:
        return None
    auth = await sessions.resolve_session(
        db,
        cfg,
        credentials.token,
        clock(request.app.state)(),
        refresh=refresh and not credentials.dont_remember,
        pool=read_pool(request) if read_only else None,
    )
    if auth is None:
        return None
    return replace(auth, via_cookie=credentials.from_cookie, remember=not credentials.dont_remember)


async def require(
    request: Request, db: AsyncSession, *, read_only: bool = False
) -> sessions.Authenticated:
    """The caller's session (cookie or Bearer), or 401 UNAUTHORIZED."""
    auth = await authenticate(request, db, read_only=read_only)
    if auth is None:
        raise Unauthorized("Unauthorized")
    return auth


async def guard(request: Request) -> None:
    """Rate limit (counted before the handler runs, failures included), then Origin rules."""
    state = request.app.state
    path = request.url.path.removeprefix(BASE_PATH) or "/"
    # The session-check fast path may have counted this request already, then handed it on.
    hit: rate_limit.Hit | None = request.scope.get(RATE_LIMIT_COUNTED)
    if hit is None:
        rule = plugin_limits.rule_for(path) or rate_limit.rule_for(path)
        hit = await limiter(state).hit(f"{client_ip(request)}|{path}", rule)
    if not hit.allowed:
        raise HTTPException(429, RATE_LIMITED, headers={"X-Retry-After": str(hit.retry_after)})
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin.check_request(request.headers, auth_config(state).trusted)
