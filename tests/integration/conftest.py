"""Integration harness: the real app over ASGI, on a database of the test's own, with an
in-process worker (`api` fixture). Suites that need their own app (auth) define theirs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from raypx.api.app import create_app
from raypx.settings import Settings
from raypx.storage.base import Storage
from raypx.storage.configured import storage_for

BASE_URL = "http://127.0.0.1:8000"
A = TypeVar("A", bound="Api")


@dataclass
class Api:
    app: FastAPI
    client: httpx.AsyncClient
    engine: AsyncEngine  # for assertions on rows
    settings: Settings

    async def sign_up(self, name: str = "Ada") -> dict[str, str]:
        """A new user; returns Bearer headers for them."""
        email = f"{name.lower()}-{secrets.token_hex(4)}@example.com"
        response = await self.client.post(
            "/api/auth/sign-up/email",
            json={"name": name, "email": email, "password": "correct horse battery"},
        )
        assert response.status_code == 200, response.text
        # API clients authenticate with the Bearer token, not the browser cookie just set.
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    @property
    def storage(self) -> Storage:
        return storage_for(self.settings)

    async def user_id(self, headers: dict[str, str]) -> str:
        response = await self.client.get("/api/me", headers=headers)
        return str(response.json()["user"]["id"])


def api_settings(url: URL, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url.render_as_string(hide_password=False),
        "home": home,
        "base_url": BASE_URL,
        "ai_enable_fake": True,
        "worker_in_process": True,
        "job_poll_interval": 0.2,
        "argon2_memory_cost": 64,
        "argon2_time_cost": 1,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def worker_enabled() -> bool:
    return True


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    return {}


async def serve_api(
    database_url: URL, home: Path, harness: type[A], **overrides: Any
) -> AsyncIterator[A]:
    """The app (lifespan, in-process worker) behind an ASGI client, wrapped in `harness`."""
    settings = api_settings(database_url, home, **overrides)
    app = create_app(settings)
    engine = create_async_engine(database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield harness(app, client, engine, settings)
    await engine.dispose()


@pytest.fixture
async def api(
    database_url: URL, tmp_path: Path, worker_enabled: bool, extra_settings: dict[str, Any]
) -> AsyncIterator[Api]:
    overrides = {"worker_in_process": worker_enabled, **extra_settings}
    async for each in serve_api(database_url, tmp_path, Api, **overrides):
        yield each
