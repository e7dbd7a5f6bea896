"""Two-factor (Better Auth's two-factor plugin): TOTP setup confirmed by a first code,
sign-in answering twoFactorRedirect, completion by TOTP, mailed OTP or single-use backup
code, attempt limits, lockout, trusted devices; secrets never stored in clear."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import totp
from raypx.auth.mail import read_outbox
from raypx.db.models import TwoFactor
from raypx.settings import Settings
from tests.integration.auth.conftest import PASSWORD, Clock, set_cookies, sign_up

TF = "/api/auth/two-factor"


def wrong_totp(secret: str, clock: Clock) -> str:
    """A code no accepted step matches when `post` sends it (11 s from now)."""
    at = clock.now.timestamp() + 11
    accepted = {totp.code_at(secret, at + drift * 30) for drift in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def has_session(response: httpx.Response) -> bool:
    return any(
        c.startswith("better-auth.session_token=") and "Max-Age=0" not in c
        for c in set_cookies(response)
    )


async def post(client: httpx.AsyncClient, clock: Clock, path: str, **body: Any) -> httpx.Response:
    clock.advance(seconds=11)  # the two-factor paths allow 3 requests per 10 s per address
    return await client.post(f"{TF}/{path}", json=body)


async def enable_totp(client: httpx.AsyncClient, clock: Clock) -> tuple[str, list[str]]:
    await sign_up(client)
    wrong = await post(client, clock, "enable", password="wrong-password")
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_PASSWORD"
    enabled = await post(client, clock, "enable", password=PASSWORD)
    assert enabled.status_code == 200, enabled.text
    uri = enabled.json()["totpURI"]
    assert uri.startswith("otpauth://totp/Raypx:ada@example.com?")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    codes = enabled.json()["backupCodes"]
    assert len(codes) == 10 and all(
        re.fullmatch(r"[A-Za-z0-9]{5}-[A-Za-z0-9]{5}", c) for c in codes
    )
    confirm = await post(
        client, clock, "verify-totp", code=totp.code_at(secret, clock.now.timestamp())
    )
    assert confirm.status_code == 200, confirm.text
    assert confirm.json()["user"]["twoFactorEnabled"] is True
    return secret, codes


async def sign_in(client: httpx.AsyncClient, clock: Clock) -> httpx.Response:
    clock.advance(seconds=11)  # sign-in: 3 per 10 s
    client.cookies.delete("better-auth.session_token")
    return await client.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
    )


async def test_totp_setup_and_sign_in(
    client: httpx.AsyncClient, clock: Clock, session: AsyncSession
) -> None:
    secret, codes = await enable_totp(client, clock)
    [row] = (await session.scalars(select(TwoFactor))).all()
    assert row.enabled and row.verified and row.secret is not None
    assert secret not in row.secret  # sealed by the token cipher
    assert not any(code in str(row.backup_codes) for code in codes)  # HMACs only

    started = await sign_in(client, clock)
    assert started.status_code == 200
    assert started.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["totp", "otp"]}
    assert not has_session(started)
    assert any(c.startswith("better-auth.two_factor=") for c in set_cookies(started))
    assert (await client.get("/api/auth/get-session")).json() is None

    wrong = await post(client, clock, "verify-totp", code=wrong_totp(secret, clock))
    assert wrong.status_code == 401 and wrong.json()["code"] == "INVALID_CODE"
    done = await post(
        client, clock, "verify-totp", code=totp.code_at(secret, clock.now.timestamp())
    )
    assert done.status_code == 200, done.text
    assert done.json()["token"] and has_session(done)
    got = (await client.get("/api/auth/get-session")).json()
    assert got["user"]["email"] == "ada@example.com" and got["user"]["twoFactorEnabled"] is True
    again = await post(
        client, clock, "verify-totp", code=totp.code_at(secret, clock.now.timestamp())
    )
    assert again.status_code == 200  # signed in now: a check, not a second sign-in
    assert again.json()["token"] == done.json()["token"]


async def test_backup_codes_work_once(client: httpx.AsyncClient, clock: Clock) -> None:
    _, codes = await enable_totp(client, clock)
    await sign_in(client, clock)
    used = await post(client, clock, "verify-backup-code", code=codes[0])
    assert used.status_code == 200 and has_session(used)
    await sign_in(client, clock)
    reused = await post(client, clock, "verify-backup-code", code=codes[0])
    assert reused.status_code == 401 and reused.json()["code"] == "INVALID_BACKUP_CODE"
    other = await post(client, clock, "verify-backup-code", code=codes[1])
    assert other.status_code == 200


async def test_mailed_otp_completes_sign_in(
    client: httpx.AsyncClient, clock: Clock, settings: Settings
) -> None:
    await enable_totp(client, clock)
    await sign_in(client, clock)
    sent = await post(client, clock, "send-otp")
    assert sent.json() == {"status": True}
    [message] = [
        m for m in read_outbox(Path(settings.home) / "outbox.jsonl") if m.kind == "two-factor-otp"
    ]
    code = re.search(r"\b(\d{6})\b", message.text)
    assert code is not None
    wrong = await post(
        client, clock, "verify-otp", code="000000" if code.group(1) != "000000" else "111111"
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "INVALID_CODE"
    done = await post(client, clock, "verify-otp", code=code.group(1))
    assert done.status_code == 200 and has_session(done)
    reused = await post(client, clock, "verify-otp", code=code.group(1))
    assert reused.status_code == 401  # the code is spent (and the caller is signed in now)


async def test_a_challenge_allows_five_tries(client: httpx.AsyncClient, clock: Clock) -> None:
    secret, _ = await enable_totp(client, clock)
    await sign_in(client, clock)
    for _ in range(5):
        wrong = wrong_totp(secret, clock)
        assert (await post(client, clock, "verify-totp", code=wrong)).status_code == 401
    right = totp.code_at(secret, clock.now.timestamp() + 11)
    spent = await post(client, clock, "verify-totp", code=right)
    assert spent.status_code == 400
    assert spent.json()["code"] == "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"
    gone = await post(client, clock, "verify-totp", code=right)
    assert gone.json()["code"] == "INVALID_TWO_FACTOR_COOKIE"


async def test_ten_failures_lock_the_second_factor(client: httpx.AsyncClient, clock: Clock) -> None:
    secret, _ = await enable_totp(client, clock)
    for _ in range(2):
        await sign_in(client, clock)
        for _ in range(5):
            await post(client, clock, "verify-totp", code=wrong_totp(secret, clock))
    await sign_in(client, clock)
    locked = await post(
        client, clock, "verify-totp", code=totp.code_at(secret, clock.now.timestamp() + 11)
    )
    assert locked.status_code == 429 and locked.json()["code"] == "ACCOUNT_TEMPORARILY_LOCKED"


async def test_trusted_device_skips_the_second_step(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    secret, _ = await enable_totp(client, clock)
    await sign_in(client, clock)
    code = totp.code_at(secret, clock.now.timestamp() + 11)
    trusted = await post(client, clock, "verify-totp", code=code, trustDevice=True)
    assert any(c.startswith("better-auth.trust_device=") for c in set_cookies(trusted))
    direct = await sign_in(client, clock)
    assert direct.json().get("twoFactorRedirect") is None and has_session(direct)
    assert direct.json()["user"]["twoFactorEnabled"] is True
    client.cookies.delete("better-auth.trust_device")
    challenged = await sign_in(client, clock)
    assert challenged.json()["twoFactorRedirect"] is True


async def test_disable_needs_the_password(client: httpx.AsyncClient, clock: Clock) -> None:
    await enable_totp(client, clock)
    wrong = await post(client, clock, "disable", password="wrong-password")
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_PASSWORD"
    assert (await post(client, clock, "disable", password=PASSWORD)).json() == {"status": True}
    plain = await sign_in(client, clock)
    assert has_session(plain) and "twoFactorRedirect" not in plain.json()
    assert plain.json()["user"]["twoFactorEnabled"] is False


async def test_rate_limited_three_per_ten_seconds(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    codes = [
        (await client.post(f"{TF}/verify-totp", json={"code": "000000"})).status_code
        for _ in range(4)
    ]
    assert codes[3] == 429
