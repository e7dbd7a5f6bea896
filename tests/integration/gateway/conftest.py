"""The app on a real uvicorn server, its OpenAI provider pointed at a local fake upstream."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.db.embedded import libpq_conninfo
from tests.fakes.asgi_server import serving
from tests.fakes.openai_server import FakeOpenAIServer, running_server
from tests.integration.conftest import api_settings


@dataclass
class Gateway:
    base_url: str  # the app's root; OpenAI clients use f"{base_url}/v1"
    upstream: FakeOpenAIServer
    database_url: URL

    def sign_up(self) -> str:
        """A new user's session token (what OpenAI clients send as their API key)."""
        with httpx.Client(base_url=self.base_url) as client:
            response = client.post(
                "/api/auth/sign-up/email",
                json={"name": "Sdk", "email": f"sdk-{uuid.uuid4().hex[:8]}@example.com",
                      "password": "correct horse battery"},
            )  # fmt: skip
            assert response.status_code == 200, response.text
            return str(response.json()["token"])

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(libpq_conninfo(self.database_url)) as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeOpenAIServer]:
    yield from running_server()


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
def gateway(
    database_url: URL, tmp_path: Path, upstream: FakeOpenAIServer, extra_settings: dict[str, Any]
) -> Iterator[Gateway]:
    upstream.script.clear()
    upstream.requests.clear()
    settings = api_settings(
        database_url, tmp_path, worker_in_process=False, openai_base_url=upstream.base_url,
        openai_api_key="sk-upstream", ai_max_retries=0, **extra_settings,
    )  # fmt: skip
    with serving(create_app(settings)) as base_url:
        yield Gateway(base_url, upstream, database_url)
