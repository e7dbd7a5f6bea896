"""update-user, change-password, delete-user (with cascade) and list-accounts."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.models import Account, Profile, Session, Subscription, User
from tests.integration.auth.conftest import PASSWORD, Clock, set_cookies, sign_up

GET = "/api/auth/get-session"
CHANGE = "/api/auth/change-password"
NEW_PASSWORD = "new-password-456"


async def sign_in(client: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    return await client.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": password}
    )


async def test_update_user_changes_name_and_reissues_cookie(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    token = (await sign_up(client)).json()["token"]
    clock.advance(minutes=5)
    response = await client.post(
        "/api/auth/update-user", json={"name": "Ada L.", "image": "/a.png"}
    )
    assert response.status_code == 200
    assert response.json() == {"status": True}
    [cookie] = set_cookies(response)
    assert cookie.startswith(f"better-auth.session_token={token}.")
    user = (await client.get(GET)).json()["user"]
    assert (user["name"], user["image"]) == ("Ada L.", "/a.png")
    assert user["updatedAt"] == "2026-11-27T05:05:00.000Z"
    cleared = await client.post("/api/auth/update-user", json={"image": None})
    assert cleared.status_code == 200
    assert (await client.get(GET)).json()["user"]["image"] is None


async def test_update_user_refuses_email_and_empty_body(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    email = await client.post("/api/auth/update-user", json={"email": "x@example.com"})
    assert email.status_code == 400
    assert email.json() == {
        "message": "Email can not be updated",
        "code": "EMAIL_CAN_NOT_BE_UPDATED",
    }
    empty = await client.post("/api/auth/update-user", json={})
    assert empty.status_code == 400
    assert empty.json()["message"] == "No fields to update"


async def test_change_password_keeps_sessions_by_default(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    await sign_up(client)
    response = await client.post(
        CHANGE, json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token"] is None and body["user"]["email"] == "ada@example.com"
    assert "set-cookie" not in response.headers
    assert (await client.get(GET)).json() is not None
    assert (await sign_in(client, PASSWORD)).status_code == 401
    clock.advance(seconds=11)
    assert (await sign_in(client, NEW_PASSWORD)).status_code == 200


async def test_change_password_revoking_other_sessions_issues_new_token(
    app_client_pair: tuple[httpx.AsyncClient, httpx.AsyncClient], session: AsyncSession
) -> None:
    first, second = app_client_pair
    old_token = (await sign_up(first)).json()["token"]
    await sign_in(second)
    response = await first.post(
        CHANGE,
        json={
            "currentPassword": PASSWORD,
            "newPassword": NEW_PASSWORD,
            "revokeOtherSessions": True,
        },
    )
    assert response.status_code == 200
    new_token = response.json()["token"]
    assert new_token and new_token != old_token
    [cookie] = set_cookies(response)
    assert cookie.startswith(f"better-auth.session_token={new_token}.")
    assert (await first.get(GET)).json()["session"]["token"] == new_token
    assert (await second.get(GET)).text == "null"
    assert await session.scalar(select(func.count()).select_from(Session)) == 1


async def test_change_password_errors(client: httpx.AsyncClient, clock: Clock) -> None:
    await sign_up(client)
    wrong = await client.post(
        CHANGE, json={"currentPassword": "wrong-pass", "newPassword": NEW_PASSWORD}
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"message": "Invalid password", "code": "INVALID_PASSWORD"}
    short = await client.post(CHANGE, json={"currentPassword": PASSWORD, "newPassword": "short"})
    assert short.status_code == 400 and short.json()["code"] == "PASSWORD_TOO_SHORT"
    clock.advance(seconds=11)
    missing = await client.post(CHANGE, json={})
    assert missing.status_code == 400
    assert missing.json()["message"] == (
        "[body.newPassword] Invalid input: expected string, received undefined; "
        "[body.currentPassword] Invalid input: expected string, received undefined"
    )


async def test_delete_user_with_password_cascades(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    wrong = await client.post("/api/auth/delete-user", json={"password": "wrong-pass"})
    assert wrong.status_code == 400
    assert wrong.json() == {"message": "Invalid password", "code": "INVALID_PASSWORD"}
    response = await client.post("/api/auth/delete-user", json={"password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "User deleted"}
    assert len(set_cookies(response)) == 3
    for model in (User, Session, Account, Profile, Subscription):
        column = model.id if model is User else model.user_id  # type: ignore[attr-defined]
        count = await session.scalar(
            select(func.count()).select_from(model).where(column == user_id)
        )
        assert count == 0, model.__name__
    assert (await client.get(GET)).text == "null"


async def test_delete_user_without_password_needs_a_fresh_session(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    await sign_up(client)
    clock.advance(days=1, minutes=1)
    stale = await client.post("/api/auth/delete-user", json={})
    assert stale.status_code == 400
    assert stale.json()["code"] == "SESSION_EXPIRED"
    await sign_in(client)
    fresh = await client.post("/api/auth/delete-user", json={})
    assert fresh.status_code == 200


async def test_list_accounts(client: httpx.AsyncClient) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    response = await client.get("/api/auth/list-accounts")
    assert response.status_code == 200
    [account] = response.json()
    assert account["providerId"] == "credential"
    assert account["accountId"] == user_id and account["userId"] == user_id
    assert account["scopes"] == []
    assert "password" not in account


async def test_delete_user_refuses_untrusted_callback(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post(
        "/api/auth/delete-user", json={"password": PASSWORD, "callbackURL": "https://evil.example"}
    )
    assert response.status_code == 403 and response.json()["code"] == "INVALID_CALLBACK_URL"
    assert (await client.get(GET)).json() is not None


async def test_update_user_keeps_browser_session_cookies_and_bearer_gets_none(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    token = (await sign_up(client)).json()["token"]
    await client.post(
        "/api/auth/sign-in/email",
        json={"email": "ada@example.com", "password": PASSWORD, "rememberMe": False},
    )
    response = await client.post("/api/auth/update-user", json={"name": "B"})
    [cookie] = set_cookies(response)
    assert "Max-Age" not in cookie
    bearer = await raw.post(
        "/api/auth/update-user", json={"name": "C"}, headers={"authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 200 and "set-cookie" not in bearer.headers
