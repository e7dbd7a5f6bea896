"""Email OTP (Better Auth's email-otp plugin): sign-in, email verification and password reset
by mailed code; codes hashed at rest, single-use, expiring and attempt-limited."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from raypx.auth import email_otp
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.mail import read_outbox
from raypx.db.models import Account, Session, User, Verification
from raypx.errors import RaypxError
from raypx.settings import Settings
from tests.integration.auth.conftest import (
    BASE_URL,
    PASSWORD,
    Clock,
    make_client,
    set_cookies,
    sign_up,
)

SEND = "/api/auth/email-otp/send-verification-otp"
SIGN_IN = "/api/auth/sign-in/email-otp"
_ips = itertools.count(1)


def fresh_ip() -> str:
    """Each address has its own rate-limit bucket (3 per 60 s on these paths)."""
    n = next(_ips)
    return f"10.7.{n // 250}.{n % 250 + 1}"


def last_code(settings: Settings, to: str = "ada@example.com") -> str:
    mails = [m for m in read_outbox(Path(settings.home) / "outbox.jsonl") if m.to == to]
    assert mails, "no mail sent"
    found = re.search(r"\b(\d{6})\b", mails[-1].text)
    assert found, mails[-1].text
    return found.group(1)


async def post(app: FastAPI, path: str, body: dict[str, Any]) -> httpx.Response:
    async with make_client(app, fresh_ip(), origin=BASE_URL) as client:
        return await client.post(path, json=body)


async def send(app: FastAPI, kind: str, email: str = "ada@example.com") -> httpx.Response:
    response = await post(app, SEND, {"email": email, "type": kind})
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    return response


async def test_sign_in_by_code_creates_the_user_once_and_the_code_works_once(
    app: FastAPI, settings: Settings, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await send(app, "sign-in")
    code = last_code(settings)
    [row] = (await session.scalars(select(Verification))).all()
    assert code not in row.identifier + row.value  # only an HMAC of the code is stored
    assert "ada@example.com" not in row.identifier

    wrong = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": "000000"})
    if code == "000000":  # pragma: no cover - one chance in a million
        pytest.skip("the random code happened to be the wrong guess")
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_OTP"
    right = await post(app, SIGN_IN, {"email": "ADA@example.com", "otp": code, "name": "Ada"})
    assert right.status_code == 200, right.text
    assert right.json()["user"]["email"] == "ada@example.com"
    assert right.json()["user"]["emailVerified"] is True
    assert any(c.startswith("better-auth.session_token=") for c in set_cookies(right))
    reused = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": code})
    assert reused.status_code == 400 and reused.json()["code"] == "INVALID_OTP"
    assert (await session.scalars(select(User.name))).all() == ["Ada"]
    assert code not in caplog.text


async def test_too_many_wrong_codes_kill_the_code(
    app: FastAPI, settings: Settings, session: AsyncSession
) -> None:
    await send(app, "sign-in")
    code = last_code(settings)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(3):  # allowedAttempts, Better Auth's default
        response = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": wrong})
        assert response.json()["code"] == "INVALID_OTP"
    locked = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": code})
    assert locked.status_code == 403
    assert locked.json() == {"message": "Too many attempts", "code": "TOO_MANY_ATTEMPTS"}
    after = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": code})
    assert after.json()["code"] == "INVALID_OTP"  # gone: a new code must be requested
    assert (await session.scalars(select(User))).all() == []


async def test_expired_code(app: FastAPI, settings: Settings, clock: Clock) -> None:
    await send(app, "sign-in")
    code = last_code(settings)
    clock.advance(seconds=301)
    expired = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": code})
    assert expired.status_code == 400
    assert expired.json() == {"message": "OTP expired", "code": "OTP_EXPIRED"}


async def test_a_new_code_replaces_the_old_one(app: FastAPI, settings: Settings) -> None:
    await send(app, "sign-in")
    first = last_code(settings)
    await send(app, "sign-in")
    second = last_code(settings)
    if first == second:  # pragma: no cover - one chance in a million
        pytest.skip("the two random codes are equal")
    old = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": first})
    assert old.json()["code"] == "INVALID_OTP"
    assert (await post(app, SIGN_IN, {"email": "ada@example.com", "otp": second})).is_success


async def test_send_is_rate_limited_and_validates(client: httpx.AsyncClient) -> None:
    bad = await client.post(SEND, json={"email": "not-an-email", "type": "sign-in"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_EMAIL"
    kind = await client.post(SEND, json={"email": "ada@example.com", "type": "nope"})
    assert kind.status_code == 400 and kind.json()["code"] == "VALIDATION_ERROR"
    third = await client.post(SEND, json={"email": "ada@example.com", "type": "sign-in"})
    assert third.status_code == 200
    limited = await client.post(SEND, json={"email": "ada@example.com", "type": "sign-in"})
    assert limited.status_code == 429 and limited.headers["X-Retry-After"] == "60"


async def test_unknown_address_gets_no_mail_for_verification_or_reset(
    app: FastAPI, settings: Settings, session: AsyncSession
) -> None:
    await send(app, "email-verification", "nobody@example.com")
    reset = await post(app, "/api/auth/email-otp/request-password-reset", {"email": "x@ex.com"})
    assert reset.json() == {"success": True}
    assert read_outbox(Path(settings.home) / "outbox.jsonl") == []
    assert (await session.scalars(select(Verification))).all() == []


async def test_verify_email_by_code(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_up(client)
    await send(app, "email-verification")
    code = last_code(settings)
    check = "/api/auth/email-otp/check-verification-otp"
    checked = await post(
        app, check, {"email": "ada@example.com", "type": "email-verification", "otp": code}
    )
    assert checked.json() == {"success": True}  # checking leaves the code usable
    path = "/api/auth/email-otp/verify-email"
    done = await post(app, path, {"email": "ada@example.com", "otp": code})
    assert done.status_code == 200, done.text
    assert done.json()["status"] is True and done.json()["token"] is None
    assert done.json()["user"]["emailVerified"] is True
    assert set_cookies(done) == []
    again = await post(app, path, {"email": "ada@example.com", "otp": code})
    assert again.json()["code"] == "INVALID_OTP"


async def test_reset_password_by_code(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, session: AsyncSession
) -> None:
    await sign_up(client)
    await post(app, "/api/auth/email-otp/request-password-reset", {"email": "ada@example.com"})
    code = last_code(settings)
    path = "/api/auth/email-otp/reset-password"
    short = await post(app, path, {"email": "ada@example.com", "otp": code, "password": "short"})
    assert short.json()["code"] == "PASSWORD_TOO_SHORT"
    body = {"email": "ada@example.com", "otp": code, "password": "new-password-789"}
    assert (await post(app, path, body)).json() == {"success": True}
    assert (await session.scalars(select(Session))).all() == []  # every session ended
    reused = await post(app, path, body)
    assert reused.json()["code"] == "INVALID_OTP"
    async with make_client(app, fresh_ip(), origin=BASE_URL) as other:
        old = await other.post(
            "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
        )
        new = await other.post(
            "/api/auth/sign-in/email",
            json={"email": "ada@example.com", "password": "new-password-789"},
        )
    assert old.status_code == 401 and new.status_code == 200


async def test_sign_in_by_code_strips_a_squatters_password_and_sessions(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, session: AsyncSession
) -> None:
    squatter = await sign_up(client)  # unverified, with a password the owner never chose
    await send(app, "sign-in")
    response = await post(app, SIGN_IN, {"email": "ada@example.com", "otp": last_code(settings)})
    assert response.status_code == 200
    assert response.json()["user"]["id"] == squatter.json()["user"]["id"]
    assert (await session.scalars(select(Account))).all() == []
    [only] = (await session.scalars(select(Session))).all()
    assert only.user_id == squatter.json()["user"]["id"]
    assert (await client.get("/api/auth/get-session")).json() is None  # squatter's cookie dead


async def test_concurrent_guesses_are_serialised(database_url: URL, tmp_path: Path) -> None:
    """Two requests presenting the right code at once: exactly one gets in; the other
    waits on the row the first consumed and then finds nothing."""
    cfg = AuthConfig.from_settings(
        Settings(home=tmp_path, secret="s" * 32, base_url=BASE_URL)  # type: ignore[arg-type]
    )
    engine = create_async_engine(database_url)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    meta = RequestMeta(now=Clock().now)
    async with factory() as db, db.begin():
        code = await email_otp.issue(db, cfg, meta, "sign-in", "ada@example.com")

    async def second() -> str:
        try:
            async with factory() as db, db.begin():
                await email_otp.verify(db, cfg, meta, "sign-in", "ada@example.com", code)
        except RaypxError as exc:
            return exc.code
        return "ok"

    async with factory() as first, first.begin():
        await email_otp.verify(first, cfg, meta, "sign-in", "ada@example.com", code)
        racer = asyncio.create_task(second())
        async with factory() as probe:
            deadline = asyncio.get_running_loop().time() + 10
            while not await probe.scalar(WAITING_ON_A_LOCK):  # the racer is blocked on our row
                assert asyncio.get_running_loop().time() < deadline, "racer never blocked"
                await asyncio.sleep(0.01)
    outcome = await racer
    await engine.dispose()
    assert outcome == "INVALID_OTP"


WAITING_ON_A_LOCK = text(
    "SELECT count(*) > 0 FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@pytest.fixture
def disabled_settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        secret="test-secret-for-auth",  # type: ignore[arg-type]
        base_url=BASE_URL,
        auth_email_otp=False,
    )


async def test_switched_off_answers_404(disabled_settings: Settings, session: AsyncSession) -> None:
    from raypx.api import deps
    from raypx.api.app import create_app

    app = create_app(disabled_settings)

    async def shared() -> Any:
        yield session

    app.dependency_overrides[deps.get_session] = shared
    async with make_client(app, origin=BASE_URL) as client:
        response = await client.post(SEND, json={"email": "ada@example.com", "type": "sign-in"})
    assert response.status_code == 404
