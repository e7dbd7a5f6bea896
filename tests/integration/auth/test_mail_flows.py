"""Password reset, email verification and email change through the outbox."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import tokens
from raypx.auth.mail import OutgoingMail, read_outbox
from raypx.db.models import Verification
from raypx.settings import Settings
from tests.integration.auth.conftest import BASE_URL, PASSWORD, Clock, sign_up

RESET_ANSWER = {
    "status": True,
    "message": "If this email exists in our system, check your email for the reset link",
}


def outbox(settings: Settings) -> list[OutgoingMail]:
    return read_outbox(Path(settings.home) / "outbox.jsonl")


def token_in(url: str) -> str:
    parts = urlsplit(url)
    if "/reset-password/" in parts.path:
        return parts.path.rsplit("/", 1)[1]
    return parse_qs(parts.query)["token"][0]


async def request_reset(
    client: httpx.AsyncClient, email: str = "ada@example.com"
) -> httpx.Response:
    return await client.post(
        "/api/auth/request-password-reset", json={"email": email, "redirectTo": "/reset"}
    )


async def test_reset_request_answers_alike_and_mails_only_known_users(
    client: httpx.AsyncClient, settings: Settings, session: AsyncSession
) -> None:
    await sign_up(client)
    unknown = await request_reset(client, "nobody@example.com")
    known = await request_reset(client)
    assert unknown.status_code == known.status_code == 200
    assert unknown.json() == known.json() == RESET_ANSWER
    [message] = outbox(settings)
    assert message.to == "ada@example.com" and message.subject == "Reset your password"
    assert message.url in message.text
    token = token_in(message.url)
    assert message.url == f"{BASE_URL}/api/auth/reset-password/{token}?callbackURL=%2Freset"
    row = (await session.scalars(select(Verification))).one()
    assert row.identifier == f"reset-password:{tokens.digest(token)}"  # never the token itself


async def test_reset_link_redirects_with_token_or_error(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_up(client)
    await request_reset(client)
    token = token_in(outbox(settings)[0].url)
    good = await client.get(f"/api/auth/reset-password/{token}", params={"callbackURL": "/reset"})
    assert good.status_code == 302
    assert good.headers["location"] == f"{BASE_URL}/reset?token={token}"
    bad = await client.get("/api/auth/reset-password/nope", params={"callbackURL": "/reset"})
    assert bad.headers["location"] == f"{BASE_URL}/reset?error=INVALID_TOKEN"
    evil = await client.get(
        f"/api/auth/reset-password/{token}", params={"callbackURL": "http://evil.example/"}
    )
    assert evil.status_code == 403 and evil.json()["code"] == "INVALID_CALLBACK_URL"


async def test_reset_password_sets_password_revokes_sessions_and_is_single_use(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_up(client)
    await request_reset(client)
    token = token_in(outbox(settings)[0].url)
    short = await client.post("/api/auth/reset-password", json={"token": token, "newPassword": "x"})
    assert short.json()["code"] == "PASSWORD_TOO_SHORT"
    done = await client.post(
        "/api/auth/reset-password", json={"token": token, "newPassword": "brand-new-pass"}
    )
    assert done.status_code == 200 and done.json() == {"status": True}
    assert (await client.get("/api/auth/get-session")).text == "null"  # sessions revoked
    again = await client.post(
        "/api/auth/reset-password", json={"token": token, "newPassword": "brand-new-pass"}
    )
    assert again.status_code == 400
    assert again.json() == {"message": "Invalid token", "code": "INVALID_TOKEN"}
    missing = await client.post("/api/auth/reset-password", json={"newPassword": "brand-new-pass"})
    assert missing.json()["code"] == "INVALID_TOKEN"
    signed_in = await client.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "brand-new-pass"}
    )
    assert signed_in.status_code == 200


async def test_reset_token_expires_after_an_hour(
    client: httpx.AsyncClient, settings: Settings, clock: Clock
) -> None:
    await sign_up(client)
    await request_reset(client)
    token = token_in(outbox(settings)[0].url)
    clock.advance(hours=1, seconds=1)
    response = await client.post(
        "/api/auth/reset-password", json={"token": token, "newPassword": "brand-new-pass"}
    )
    assert response.status_code == 400 and response.json()["code"] == "INVALID_TOKEN"


async def test_reset_request_errors(client: httpx.AsyncClient) -> None:
    evil = await client.post(
        "/api/auth/request-password-reset",
        json={"email": "a@example.com", "redirectTo": "http://evil.example"},
    )
    assert evil.status_code == 403
    assert evil.json() == {"message": "Invalid redirectURL", "code": "INVALID_REDIRECT_URL"}
    missing = await client.post("/api/auth/request-password-reset", json={})
    assert missing.status_code == 400 and missing.json()["code"] == "VALIDATION_ERROR"


async def test_verify_email_flow(client: httpx.AsyncClient, settings: Settings) -> None:
    await sign_up(client)
    for email in ("ada@example.com", "nobody@example.com"):
        response = await client.post("/api/auth/send-verification-email", json={"email": email})
        assert response.status_code == 200 and response.json() == {"status": True}
    [message] = outbox(settings)
    assert message.to == "ada@example.com"
    token = token_in(message.url)
    assert message.url == f"{BASE_URL}/api/auth/verify-email?token={token}"
    verified = await client.get("/api/auth/verify-email", params={"token": token})
    assert verified.status_code == 200
    assert verified.json() == {"status": True, "user": None}
    assert (await client.get("/api/auth/get-session")).json()["user"]["emailVerified"] is True
    reused = await client.get("/api/auth/verify-email", params={"token": token})
    assert reused.status_code == 401
    assert reused.json() == {"message": "Invalid token", "code": "INVALID_TOKEN"}
    redirected = await client.get(
        "/api/auth/verify-email", params={"token": token, "callbackURL": "/verified"}
    )
    assert redirected.status_code == 302
    assert redirected.headers["location"] == "/verified?error=INVALID_TOKEN"
    missing = await client.get("/api/auth/verify-email")
    assert missing.status_code == 400
    assert missing.json()["message"] == (
        "[query.token] Invalid input: expected string, received undefined"
    )
    # Already verified: nothing more is sent.
    await client.post("/api/auth/send-verification-email", json={"email": "ada@example.com"})
    assert len(outbox(settings)) == 1


async def test_verify_email_with_callback_redirects(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_up(client)
    await client.post(
        "/api/auth/send-verification-email",
        json={"email": "ada@example.com", "callbackURL": "/verified"},
    )
    url = outbox(settings)[0].url
    assert url.endswith("&callbackURL=%2Fverified")
    response = await client.get(url.removeprefix(BASE_URL))
    assert response.status_code == 302 and response.headers["location"] == "/verified"


async def test_change_email_takes_effect_when_the_new_address_confirms(
    client: httpx.AsyncClient, settings: Settings, clock: Clock
) -> None:
    await sign_up(client)
    await sign_up(client, email="taken@example.com")
    await client.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
    )
    taken = await client.post("/api/auth/change-email", json={"newEmail": "taken@example.com"})
    assert taken.status_code == 200 and taken.json() == {"status": True}
    assert outbox(settings) == []  # answered alike, sent nothing
    same = await client.post("/api/auth/change-email", json={"newEmail": "ada@example.com"})
    assert same.status_code == 400
    clock.advance(seconds=11)
    response = await client.post("/api/auth/change-email", json={"newEmail": "ada.new@example.com"})
    assert response.json() == {"status": True}
    [message] = outbox(settings)
    assert message.to == "ada.new@example.com"
    assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ada@example.com"
    confirmed = await client.get(message.url.removeprefix(BASE_URL))
    assert confirmed.status_code == 200
    user = (await client.get("/api/auth/get-session")).json()["user"]
    assert (user["email"], user["emailVerified"]) == ("ada.new@example.com", True)
