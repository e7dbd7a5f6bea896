"""get-session, sign-out, list-sessions and revoke-*: cookies, Bearer, expiry, sliding refresh."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.models import Session
from tests.integration.auth.conftest import (
    PASSWORD,
    Clock,
    session_cookie_value,
    set_cookies,
    sign_up,
)

GET = "/api/auth/get-session"
CLEARING = [
    "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
]
UNAUTHORIZED = {"message": "Unauthorized", "code": "UNAUTHORIZED"}


async def test_get_session_shape_and_no_store(client: httpx.AsyncClient) -> None:
    token = (await sign_up(client)).json()["token"]
    response = await client.get(GET)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert list(body["session"]) == [
        "expiresAt",
        "token",
        "createdAt",
        "updatedAt",
        "ipAddress",
        "userAgent",
        "userId",
        "id",
    ]
    assert body["session"]["token"] == token
    assert body["session"]["expiresAt"] == "2026-12-04T05:00:00.000Z"
    assert body["user"]["email"] == "ada@example.com"
    assert "set-cookie" not in response.headers


async def test_get_session_without_valid_cookie_is_null(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    token = (await sign_up(client)).json()["token"]
    for headers in (
        {},
        {"cookie": "better-auth.session_token=garbage"},
        {"cookie": f"better-auth.session_token={token}"},  # unsigned
        {"cookie": f"better-auth.session_token={token}.AAAA"},  # bad signature
    ):
        response = await raw.get(GET, headers=headers)
        assert response.status_code == 200
        assert response.text == "null"
        assert "set-cookie" not in response.headers


async def test_bearer_token_authenticates(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    response = await sign_up(client)
    token = response.json()["token"]
    by_raw = await raw.get(GET, headers={"authorization": f"Bearer {token}"})
    assert by_raw.json()["user"]["email"] == "ada@example.com"
    signed = session_cookie_value(response)
    by_signed = await raw.get(
        "/api/auth/list-sessions", headers={"authorization": f"Bearer {signed}"}
    )
    assert by_signed.status_code == 200 and len(by_signed.json()) == 1
    wrong = await raw.get(GET, headers={"authorization": "Bearer " + "x" * 32})
    assert wrong.text == "null"


async def test_revoked_session_cookie_is_cleared(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    response = await sign_up(client)
    cookie = f"better-auth.session_token={session_cookie_value(response)}"
    await client.post("/api/auth/sign-out")
    dead = await raw.get(GET, headers={"cookie": cookie})
    assert dead.text == "null"
    assert set_cookies(dead) == CLEARING


async def test_sign_out_deletes_session_and_clears_cookies(
    client: httpx.AsyncClient, raw: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client)
    response = await client.post("/api/auth/sign-out", json={})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert set_cookies(response) == CLEARING
    assert (await session.scalars(select(Session))).all() == []
    anonymous = await raw.post("/api/auth/sign-out")
    assert anonymous.json() == {"success": True} and set_cookies(anonymous) == CLEARING


async def test_session_expires_after_seven_days_without_use(
    client: httpx.AsyncClient, clock: Clock, session: AsyncSession
) -> None:
    await sign_up(client)
    clock.advance(days=7, seconds=1)
    response = await client.get(GET)
    assert response.text == "null"
    assert set_cookies(response) == CLEARING
    assert (await session.scalars(select(Session))).all() == []


async def test_sliding_refresh_at_most_once_a_day(client: httpx.AsyncClient, clock: Clock) -> None:
    await sign_up(client)
    clock.advance(hours=23)
    early = await client.get(GET)
    assert early.json()["session"]["expiresAt"] == "2026-12-04T05:00:00.000Z"
    assert "set-cookie" not in early.headers
    clock.advance(hours=2)  # 25 h after sign-in: refreshed to now + 7 days
    late = await client.get(GET)
    assert late.json()["session"]["expiresAt"] == "2026-12-05T06:00:00.000Z"
    [cookie] = set_cookies(late)
    assert "Max-Age=604800;" in cookie
    clock.advance(hours=1)
    again = await client.get(GET)
    assert again.json()["session"]["expiresAt"] == "2026-12-05T06:00:00.000Z"
    disabled = await client.get(GET, params={"disableRefresh": "true"})
    assert "set-cookie" not in disabled.headers


async def test_absolute_lifetime_caps_refresh(client: httpx.AsyncClient, clock: Clock) -> None:
    await sign_up(client)
    for _ in range(4):  # keep using it every 6 days
        clock.advance(days=6)
        response = await client.get(GET)
        assert response.json() is not None
    expires = response.json()["session"]["expiresAt"]
    assert expires == "2026-12-27T05:00:00.000Z"  # created + 30 days, not now + 7
    clock.advance(days=6)
    assert (await client.get(GET)).text == "null"


async def test_remember_me_false_session_is_not_refreshed(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    await sign_up(client)
    await client.post(
        "/api/auth/sign-in/email",
        json={"email": "ada@example.com", "password": PASSWORD, "rememberMe": False},
    )
    clock.advance(hours=23)
    response = await client.get(GET)
    assert response.json()["session"]["expiresAt"] == "2026-11-28T05:00:00.000Z"
    clock.advance(hours=2)
    assert (await client.get(GET)).text == "null"


async def test_list_sessions_hides_other_tokens_and_revoke_accepts_handles(
    client: httpx.AsyncClient, app_client_pair: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    first, second = app_client_pair
    token = (await sign_up(first)).json()["token"]
    other = await second.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
    )
    other_token = other.json()["token"]
    listed = (await first.get("/api/auth/list-sessions")).json()
    assert len(listed) == 2
    assert listed[0]["token"] == token  # oldest first; own token shown
    handle = listed[1]["token"]
    assert handle != other_token and handle == listed[1]["id"]
    assert other_token not in str(listed)
    revoked = await first.post("/api/auth/revoke-session", json={"token": handle})
    assert revoked.json() == {"status": True}
    assert (await second.get(GET)).text == "null"
    unknown = await first.post("/api/auth/revoke-session", json={"token": "unknown-token"})
    assert unknown.status_code == 200 and unknown.json() == {"status": True}
    missing = await first.post("/api/auth/revoke-session", json={})
    assert missing.status_code == 400 and missing.json()["code"] == "VALIDATION_ERROR"


async def test_revoke_session_by_raw_token_is_scoped_to_owner(
    app_client_pair: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    ada, bob = app_client_pair
    await sign_up(ada)
    bob_token = (await sign_up(bob, email="bob@example.com")).json()["token"]
    await ada.post("/api/auth/revoke-session", json={"token": bob_token})
    assert (await bob.get(GET)).json()["user"]["email"] == "bob@example.com"
    await bob.post("/api/auth/revoke-session", json={"token": bob_token})
    assert (await bob.get(GET)).text == "null"


async def test_revoke_other_sessions_and_revoke_sessions(
    app_client_pair: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    first, second = app_client_pair
    await sign_up(first)
    await second.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
    )
    response = await first.post("/api/auth/revoke-other-sessions")
    assert response.json() == {"status": True}
    assert (await first.get(GET)).json() is not None
    assert (await second.get(GET)).text == "null"
    response = await first.post("/api/auth/revoke-sessions")
    assert response.json() == {"status": True}
    assert (await first.get(GET)).text == "null"


async def test_session_endpoints_require_auth(raw: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/auth/list-sessions"),
        ("POST", "/api/auth/revoke-session"),
        ("POST", "/api/auth/revoke-sessions"),
        ("POST", "/api/auth/revoke-other-sessions"),
        ("GET", "/api/auth/list-accounts"),
        ("POST", "/api/auth/update-user"),
        ("POST", "/api/auth/change-password"),
        ("POST", "/api/auth/delete-user"),
        ("POST", "/api/auth/change-email"),
    ):
        body = {"token": "x", "name": "N", "newPassword": PASSWORD, "currentPassword": PASSWORD}
        body["newEmail"] = "new@example.com"  # bodies validate first, as in Better Auth
        response = await raw.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json() == UNAUTHORIZED
