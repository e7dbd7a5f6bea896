"""Magic link (Better Auth's magic-link plugin): mailed, single-use, expiring, signs up new
users unless switched off, redirects with ?error= on failure."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api import deps
from raypx.api.app import create_app
from raypx.auth.mail import read_outbox
from raypx.db.models import User, Verification
from raypx.settings import Settings
from tests.integration.auth.conftest import BASE_URL, Clock, make_client, set_cookies, sign_up

SEND = "/api/auth/sign-in/magic-link"
_ips = itertools.count(1)


def browser(app: FastAPI) -> httpx.AsyncClient:
    n = next(_ips)
    return make_client(app, f"10.8.{n // 250}.{n % 250 + 1}", origin=BASE_URL)


def last_link(settings: Settings) -> str:
    [*_, message] = read_outbox(Path(settings.home) / "outbox.jsonl")
    assert message.kind == "magic-link" and message.url in message.text
    parts = urlsplit(message.url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    return f"{parts.path}?{parts.query}"


async def send(app: FastAPI, **body: Any) -> httpx.Response:
    async with browser(app) as client:
        response = await client.post(SEND, json={"email": "ada@example.com", **body})
    assert response.status_code == 200, response.text
    assert response.json() == {"status": True}
    return response


def has_session(response: httpx.Response) -> bool:
    return any(c.startswith("better-auth.session_token=") for c in set_cookies(response))


async def test_new_user_signs_up_by_link_once(
    app: FastAPI, settings: Settings, session: AsyncSession
) -> None:
    await send(app, name="Ada", callbackURL="/home", newUserCallbackURL="/welcome")
    link = last_link(settings)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert len(token) == 32 and token.isalpha()
    [row] = (await session.scalars(select(Verification))).all()
    assert token not in row.identifier + row.value
    async with browser(app) as client:
        opened = await client.get(link)
        assert opened.status_code == 302 and opened.headers["location"] == f"{BASE_URL}/welcome"
        assert has_session(opened)
        me = (await client.get("/api/auth/get-session")).json()
    assert me["user"]["email"] == "ada@example.com" and me["user"]["emailVerified"] is True
    assert me["user"]["name"] == "Ada"
    async with browser(app) as client:
        again = await client.get(link)
    assert again.status_code == 302 and not has_session(again)
    assert again.headers["location"] == f"{BASE_URL}/home?error=INVALID_TOKEN"


async def test_existing_user_goes_to_callback_and_json_without_one(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    await send(app)
    async with browser(app) as other:
        opened = await other.get(last_link(settings).replace("&callbackURL=%2F", ""))
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["user"]["id"] == user_id and body["session"]["userId"] == user_id
    assert body["token"] and has_session(opened)


async def test_expired_link_and_error_callback(
    app: FastAPI, settings: Settings, clock: Clock
) -> None:
    await send(app, callbackURL="/home", errorCallbackURL="/sign-in?from=link")
    clock.advance(seconds=301)
    async with browser(app) as client:
        opened = await client.get(last_link(settings))
    assert opened.headers["location"] == f"{BASE_URL}/sign-in?from=link&error=INVALID_TOKEN"
    assert not has_session(opened)


async def test_untrusted_urls_and_bad_email_are_refused(client: httpx.AsyncClient) -> None:
    evil = await client.post(
        SEND, json={"email": "ada@example.com", "callbackURL": "https://evil.example/"}
    )
    assert evil.status_code == 403 and evil.json()["code"] == "INVALID_CALLBACK_URL"
    bad = await client.post(SEND, json={"email": "not-an-email"})
    assert bad.status_code == 400 and bad.json()["message"] == "[body.email] Invalid email address"
    opened = await client.get(
        "/api/auth/magic-link/verify", params={"token": "x", "callbackURL": "https://evil.example"}
    )
    assert opened.status_code == 403


async def test_rate_limited_five_per_minute(client: httpx.AsyncClient) -> None:
    codes = [
        (await client.post(SEND, json={"email": f"u{i}@example.com"})).status_code for i in range(6)
    ]
    assert codes == [200] * 5 + [429]


@pytest.fixture
def no_sign_up_app(tmp_path: Path, session: AsyncSession, clock: Clock) -> FastAPI:
    settings = Settings(
        home=tmp_path,
        secret="test-secret-for-auth",  # type: ignore[arg-type]
        base_url=BASE_URL,
        auth_magic_link_disable_sign_up=True,
    )
    app = create_app(settings)

    async def shared() -> Any:
        yield session

    app.dependency_overrides[deps.get_session] = shared
    app.state.clock = clock
    return app


async def test_sign_up_can_be_switched_off(
    no_sign_up_app: FastAPI, tmp_path: Path, session: AsyncSession
) -> None:
    async with browser(no_sign_up_app) as client:
        await client.post(SEND, json={"email": "new@example.com", "callbackURL": "/home"})
        [message] = read_outbox(tmp_path / "outbox.jsonl")
        parts = urlsplit(message.url)
        opened = await client.get(f"{parts.path}?{parts.query}")
    assert opened.headers["location"] == f"{BASE_URL}/home?error=new_user_signup_disabled"
    assert (await session.scalars(select(User))).all() == []
