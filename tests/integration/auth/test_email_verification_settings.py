"""RAYPX_AUTH_REQUIRE_EMAIL_VERIFICATION, _SEND_VERIFICATION_ON_SIGN_UP / _ON_SIGN_IN and
_AUTO_SIGN_IN_AFTER_VERIFICATION, as Better Auth's emailVerification options behave."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth.mail import read_outbox
from raypx.db.models import Session, User
from raypx.settings import Settings
from tests.integration.auth.conftest import BASE_URL, PASSWORD, set_cookies


def make_settings(tmp_path: Path, **auth: Any) -> Settings:
    return Settings(
        home=tmp_path,
        secret="test-secret-for-auth",  # type: ignore[arg-type]
        base_url=BASE_URL,
        argon2_memory_cost=64,
        argon2_time_cost=1,
        **auth,
    )


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return make_settings(tmp_path, **getattr(request, "param", {}))


REQUIRED = {"auth_require_email_verification": True, "auth_send_verification_on_sign_in": True}
AUTO = {"auth_auto_sign_in_after_verification": True, "auth_send_verification_on_sign_up": True}
BODY = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}


def verify_link(settings: Settings) -> str:
    [*_, last] = read_outbox(Path(settings.home) / "outbox.jsonl")
    assert last.kind == "verify-email"
    parts = urlsplit(last.url)
    return f"{parts.path}?{parts.query}"


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_defaults_send_nothing_and_sign_in_at_once(
    client: httpx.AsyncClient, settings: Settings, session: AsyncSession
) -> None:
    response = await client.post("/api/auth/sign-up/email", json=BODY)
    assert response.json()["token"] and set_cookies(response)
    assert read_outbox(Path(settings.home) / "outbox.jsonl") == []


@pytest.mark.parametrize("settings", [REQUIRED], indirect=True)
async def test_required_verification_withholds_the_session_until_verified(
    client: httpx.AsyncClient, settings: Settings, session: AsyncSession
) -> None:
    signed_up = await client.post("/api/auth/sign-up/email", json=BODY)
    assert signed_up.status_code == 200
    assert signed_up.json()["token"] is None and set_cookies(signed_up) == []
    assert await count(session, Session) == 0
    first_link = verify_link(settings)  # sent on sign-up (follows "required")
    assert parse_qs(urlsplit(first_link).query)["callbackURL"] == ["/"]

    again = await client.post("/api/auth/sign-up/email", json=BODY | {"name": "Eve"})
    assert again.status_code == 200 and again.json()["token"] is None  # no "already exists"
    assert again.json()["user"]["id"] != signed_up.json()["user"]["id"]
    assert await count(session, User) == 1

    refused = await client.post(
        "/api/auth/sign-in/email", json={"email": BODY["email"], "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert refused.json() == {"message": "Email not verified", "code": "EMAIL_NOT_VERIFIED"}
    assert verify_link(settings) != first_link  # sendOnSignIn mailed a fresh link
    wrong = await client.post(
        "/api/auth/sign-in/email", json={"email": BODY["email"], "password": "wrong-password"}
    )
    assert wrong.status_code == 401  # the password is checked first: 403 proves nothing

    opened = await client.get(verify_link(settings))
    assert opened.status_code == 302 and set_cookies(opened) == []  # no auto sign-in
    client.cookies.clear()
    signed_in = await client.post(
        "/api/auth/sign-in/email", json={"email": BODY["email"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text


@pytest.mark.parametrize("settings", [AUTO], indirect=True)
async def test_auto_sign_in_after_verification(
    client: httpx.AsyncClient, settings: Settings, raw: httpx.AsyncClient
) -> None:
    await client.post("/api/auth/sign-up/email", json=BODY)
    client.cookies.clear()
    link = verify_link(settings).replace("callbackURL=%2F", "callbackURL=%2Fwelcome")
    opened = await raw.get(link)
    assert opened.status_code == 302 and opened.headers["location"] == "/welcome"
    cookie = next(c for c in set_cookies(opened) if c.startswith("better-auth.session_token="))
    raw.cookies.set("better-auth.session_token", cookie.split(";")[0].split("=", 1)[1])
    got = (await raw.get("/api/auth/get-session")).json()
    assert got["user"]["email"] == BODY["email"] and got["user"]["emailVerified"] is True
