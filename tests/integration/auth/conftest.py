"""An app per test on the rolled-back `session`, a controllable clock, and HTTP helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api import deps
from raypx.api.app import create_app
from raypx.auth.rate_limit import MemoryLimiter
from raypx.settings import Settings
from tests.fakes.asgi_server import serving
from tests.fakes.oauth_provider import Provider

BASE_URL = "http://127.0.0.1:3100"
PASSWORD = "password123"
OAUTH_PROVIDER_ID = "corp"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 27, 5, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        secret="test-secret-for-auth",  # type: ignore[arg-type]
        base_url=BASE_URL,
        argon2_memory_cost=64,
        argon2_time_cost=1,
    )


@pytest.fixture
def app(settings: Settings, session: AsyncSession, clock: Clock) -> FastAPI:
    app = create_app(settings)

    async def shared_session() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    app.dependency_overrides[deps.get_session] = shared_session
    app.state.clock = clock
    app.state.auth_limiter = MemoryLimiter(clock=clock.monotonic)
    return app


def make_client(app: FastAPI, ip: str = "127.0.0.1", **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client: keeps cookies and sends the app's Origin."""
    async with make_client(app, origin=BASE_URL) as c:
        yield c


@pytest.fixture
async def raw(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A curl-like client: no Origin, cookies only when given explicitly."""
    async with make_client(app) as c:
        yield c


async def sign_up(
    client: httpx.AsyncClient,
    email: str = "ada@example.com",
    password: str = PASSWORD,
    **extra: Any,
) -> httpx.Response:
    body = {"name": "Ada", "email": email, "password": password, **extra}
    response = await client.post("/api/auth/sign-up/email", json=body)
    assert response.status_code == 200, response.text
    return response


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def session_cookie_value(response: httpx.Response) -> str:
    for header in set_cookies(response):
        name, _, rest = header.partition("=")
        if name == "better-auth.session_token":
            return rest.split(";")[0]
    raise AssertionError(f"no session cookie in {set_cookies(response)}")


@pytest.fixture
async def app_client_pair(
    app: FastAPI,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two browsers on two addresses (each with its own cookies and rate-limit bucket)."""
    async with (
        make_client(app, "10.0.0.1", origin=BASE_URL) as first,
        make_client(app, "10.0.0.2", origin=BASE_URL) as second,
    ):
        yield first, second


@pytest.fixture(scope="module")
def served_provider() -> Iterator[Provider]:
    """A real OAuth/OIDC provider (authlib) on loopback, shared by a module's tests."""
    provider = Provider(redirect_uris=[f"{BASE_URL}/api/auth/callback/{OAUTH_PROVIDER_ID}"])
    with serving(provider.asgi()) as url:
        provider.base_url = url
        yield provider


@pytest.fixture
def provider(served_provider: Provider) -> Provider:
    """The provider with no codes or tokens yet, signing in Ada (verified email)."""
    served_provider.codes.clear()
    served_provider.tokens.clear()
    served_provider.refresh_tokens.clear()
    served_provider.issue_refresh_tokens = False
    served_provider.token_requests.clear()
    served_provider.sign_in_as("corp-1", "ada@example.com", name="Ada Lovelace")
    return served_provider
