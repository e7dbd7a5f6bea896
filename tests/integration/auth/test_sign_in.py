"""POST /sign-in/email: success shapes, failures, rememberMe, scrypt upgrade (lockout:
test_lockout.py)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api.routes import auth_deps
from raypx.auth import service
from raypx.auth.config import RequestMeta
from raypx.db.models import Account, Session
from tests.integration.auth.conftest import PASSWORD, Clock, set_cookies, sign_up

URL = "/api/auth/sign-in/email"
INVALID = {"message": "Invalid email or password", "code": "INVALID_EMAIL_OR_PASSWORD"}
# Made by better-auth@1.7.25's own hashPassword("correct horse battery") (better-auth/crypto).
BETTER_AUTH_HASH = (
    "13ff246c759cf5ee2e9516fdb81ba85c:821c078fec32515075bbd5a4f360517fda914664005c85d44178e1a"
    "9266fb11f9cdce93a1beb66300db5faf701b56d8c898a0f4aa58c2d1e834a278e05c484ac"
)


async def test_sign_in_returns_new_session_each_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client)
    first = await client.post(URL, json={"email": "ADA@EXAMPLE.COM", "password": PASSWORD})
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["redirect", "token", "user"]
    assert body["redirect"] is False and re.fullmatch(r"[A-Za-z0-9]{32}", body["token"])
    [cookie] = set_cookies(first)
    assert cookie.endswith("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax")
    second = await client.post(URL, json={"email": "ada@example.com", "password": PASSWORD})
    assert second.json()["token"] != body["token"]
    count = await session.scalar(select(func.count()).select_from(Session))
    assert count == 3  # sign-up's session and two more


async def test_remember_me_false_sets_browser_session_cookie(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post(
        URL, json={"email": "ada@example.com", "password": PASSWORD, "rememberMe": False}
    )
    session_cookie, dont_remember = set_cookies(response)
    assert session_cookie.startswith("better-auth.session_token=")
    assert session_cookie.endswith("; Path=/; HttpOnly; SameSite=Lax")
    assert "Max-Age" not in session_cookie
    assert dont_remember.startswith("better-auth.dont_remember=true.")
    assert dont_remember.endswith("; Path=/; HttpOnly; SameSite=Lax")
    got = (await client.get("/api/auth/get-session")).json()
    assert got["session"]["expiresAt"] == "2026-11-28T05:00:00.000Z"  # one day


async def test_callback_url_answers_200_with_redirect_and_location(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    response = await client.post(
        URL, json={"email": "ada@example.com", "password": PASSWORD, "callbackURL": "/home"}
    )
    assert response.status_code == 200
    assert response.headers["location"] == "/home"
    body = response.json()
    assert list(body) == ["redirect", "token", "url", "user"]
    assert body["redirect"] is True and body["url"] == "/home"


async def test_wrong_password_unknown_email_and_short_password_look_alike(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    await sign_up(client)
    for attempt in (
        {"email": "ada@example.com", "password": "wrong-password"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "ada@example.com", "password": "short"},
    ):
        clock.advance(seconds=11)  # stay under the per-IP sign-in limit
        response = await client.post(URL, json=attempt)
        assert response.status_code == 401
        assert response.json() == INVALID
        assert "set-cookie" not in response.headers


async def test_invalid_email_and_missing_password(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"email": "nope", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid email", "code": "INVALID_EMAIL"}
    response = await client.post(URL, json={"email": "a@example.com"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "[body.password] Invalid input: expected string, received undefined",
        "code": "VALIDATION_ERROR",
    }


async def test_get_on_sign_in_is_empty_404(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)
    assert response.status_code == 404
    assert response.content == b""
    assert "content-type" not in response.headers
    unknown = await client.post("/api/auth/forget-password", json={"email": "a@example.com"})
    assert unknown.status_code == 404 and unknown.content == b""


async def test_better_auth_scrypt_hash_signs_in_and_is_rehashed_to_argon2id(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, clock: Clock
) -> None:
    cfg = auth_deps.auth_config(app.state)
    user = await service.create_user(
        session,
        cfg,
        RequestMeta(now=clock()),
        name="Imported",
        email="old@example.com",
        password=None,
    )
    session.add(
        Account(
            account_id=user.id,
            provider_id="credential",
            user_id=user.id,
            password=BETTER_AUTH_HASH,
        )
    )
    await session.flush()
    wrong = await client.post(URL, json={"email": "old@example.com", "password": "wrong-pass"})
    assert wrong.status_code == 401
    ok = await client.post(
        URL, json={"email": "old@example.com", "password": "correct horse battery"}
    )
    assert ok.status_code == 200
    account = (await session.scalars(select(Account).where(Account.user_id == user.id))).one()
    await session.refresh(account)
    assert account.password is not None and account.password.startswith("$argon2id$")
    clock.advance(seconds=11)
    again = await client.post(
        URL, json={"email": "old@example.com", "password": "correct horse battery"}
    )
    assert again.status_code == 200
