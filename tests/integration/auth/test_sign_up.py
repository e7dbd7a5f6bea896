"""POST /sign-up/email against WIRE.md, and what it writes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import unquote

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.enums import PlanTier
from raypx.db.models import Account, Profile, Session, Subscription, User
from tests.integration.auth.conftest import PASSWORD, set_cookies, sign_up

URL = "/api/auth/sign-up/email"


async def test_sign_up_returns_token_user_and_signed_cookie(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, email="Ada@Example.com")
    body = response.json()
    assert list(body) == ["token", "user"]
    assert re.fullmatch(r"[A-Za-z0-9]{32}", body["token"])
    user = body["user"]
    core = ["name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"]
    assert list(user) == [*core, "twoFactorEnabled"]  # the two-factor plugin's field
    assert user["twoFactorEnabled"] is False
    assert user["email"] == "ada@example.com"
    assert user["emailVerified"] is False and user["image"] is None
    assert user["createdAt"] == "2026-11-27T05:00:00.000Z"
    assert re.fullmatch(r"[A-Za-z0-9]{32}", user["id"])
    [cookie] = set_cookies(response)
    value, attributes = cookie.split("; ", 1)
    assert attributes == "Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"
    name, _, encoded = value.partition("=")
    assert name == "better-auth.session_token"
    token, _, sig = unquote(encoded).partition(".")
    assert token == body["token"]
    expected = hmac.new(b"test-secret-for-auth", token.encode(), hashlib.sha256).digest()
    assert base64.b64decode(sig) == expected
    assert "/" not in encoded and "+" not in encoded and "=" not in encoded


async def test_sign_up_writes_user_account_profile_subscription_and_hashed_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = (await sign_up(client)).json()
    user_id = body["user"]["id"]
    user = await session.get(User, user_id)
    assert user is not None and user.email == "ada@example.com"
    account = (await session.scalars(select(Account).where(Account.user_id == user_id))).one()
    assert account.provider_id == "credential" and account.account_id == user_id
    assert account.password is not None and account.password.startswith("$argon2id$")
    profile = (await session.scalars(select(Profile).where(Profile.user_id == user_id))).one()
    assert (profile.default_model, profile.preferred_locale) == ("mock:raypx-1", "en-US")
    sub = (await session.scalars(select(Subscription).where(Subscription.user_id == user_id))).one()
    assert sub.plan_tier == PlanTier.FREE
    row = (await session.scalars(select(Session).where(Session.user_id == user_id))).one()
    assert row.token == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in row.token


async def test_duplicate_email_differing_in_case_is_422(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post(
        URL, json={"name": "B", "email": "ADA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert response.json() == {
        "message": "User already exists. Use another email.",
        "code": "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
    }


async def test_password_length_limits(client: httpx.AsyncClient) -> None:
    short = await client.post(
        URL, json={"name": "A", "email": "a@example.com", "password": "1234567"}
    )
    assert short.status_code == 400
    assert short.json() == {"message": "Password too short", "code": "PASSWORD_TOO_SHORT"}
    long = await client.post(
        URL, json={"name": "A", "email": "a@example.com", "password": "x" * 129}
    )
    assert long.status_code == 400
    assert long.json() == {"message": "Password too long", "code": "PASSWORD_TOO_LONG"}


async def test_validation_errors_read_like_better_auth(client: httpx.AsyncClient) -> None:
    missing = await client.post(URL, json={"email": "a@example.com", "password": PASSWORD})
    assert missing.status_code == 400
    assert missing.json() == {
        "message": "[body.name] Invalid input: expected string, received undefined",
        "code": "VALIDATION_ERROR",
    }
    bad = await client.post(URL, json={"name": "A", "email": "not-an-email", "password": PASSWORD})
    assert bad.json() == {
        "message": "[body.email] Invalid email address",
        "code": "VALIDATION_ERROR",
    }
    both = await client.post(URL, json={"name": "A"})
    assert both.json()["message"] == (
        "[body.email] Invalid input: expected string, received undefined; "
        "[body.password] Invalid input: expected string, received undefined"
    )


async def test_malformed_and_empty_json_bodies(client: httpx.AsyncClient) -> None:
    expected = {"message": "Invalid JSON in request body", "code": "BAD_REQUEST"}
    for content in (b"{not json", b""):
        response = await client.post(
            URL, content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json() == expected


async def test_form_encoded_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, data={"name": "Form", "email": "form@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "form@example.com"


async def test_untrusted_callback_url_and_origin_are_refused(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    body = {"name": "A", "email": "a@example.com", "password": PASSWORD}
    response = await client.post(URL, json={**body, "callbackURL": "http://evil.example/x"})
    assert response.status_code == 403
    assert response.json() == {"message": "Invalid callbackURL", "code": "INVALID_CALLBACK_URL"}
    response = await raw.post(URL, json=body, headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    assert response.json() == {"message": "Invalid origin", "code": "INVALID_ORIGIN"}
    assert (await client.post(URL, json={**body, "callbackURL": "/welcome"})).status_code == 200
