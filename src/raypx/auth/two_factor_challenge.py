"""The second step (Better Auth's two-factor plugin): a password sign-in of a user with
two-factor on gets no session but a challenge (`twoFactorRedirect`), held in a signed
`two_factor` cookie for 10 minutes; a TOTP, mailed OTP or backup code then completes it.
The same verify endpoints, called with a session, confirm TOTP setup.

Guessing is bounded three ways: 5 tries per challenge (then a new sign-in is needed), 5 per
mailed code, and 10 failures in a row lock the account's second factor for 15 minutes.
A trusted device (`trust_device` cookie, 30 days, rotated on each use) skips the step.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import cookies, sessions, tokens
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import Authenticated, SignedIn
from raypx.db.models import Session, TwoFactor, User, Verification
from raypx.errors import RaypxError

CHALLENGE_COOKIE = "two_factor"
TRUST_COOKIE = "trust_device"
CHALLENGE_LIFETIME = timedelta(minutes=10)
TRUST_LIFETIME = timedelta(days=30)
CHALLENGE_ATTEMPTS = 5
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)


class TwoFactorRejected(RaypxError):
    """A wrong or spent code; answered without rolling back the attempt it recorded."""

    status_code = 401
    default_code = "INVALID_CODE"


class TwoFactorSpent(TwoFactorRejected):
    status_code = 400


class TwoFactorLocked(TwoFactorRejected):
    status_code = 429


def rejected(code: str, message: str, status: int = 401) -> TwoFactorRejected:
    kind = {400: TwoFactorSpent, 429: TwoFactorLocked}.get(status, TwoFactorRejected)
    return kind(message, code=code)


def invalid_cookie() -> TwoFactorRejected:
    return rejected("INVALID_TWO_FACTOR_COOKIE", "Invalid two factor cookie")


@dataclass(frozen=True)
class Caller:
    """Who is verifying: a signed-in user (`session` set) or a pending sign-in."""

    user: User
    session: Session | None
    challenge: str | None
    token: str | None = None  # the caller's session token, when signed in

    @property
    def key(self) -> str:
        """Names this caller's mailed code (per challenge, or per session)."""
        if self.challenge is not None:
            return tokens.digest(self.challenge)
        assert self.session is not None
        return tokens.digest(f"{self.user.id}!{self.session.id}")


def _challenge_id(challenge: str) -> str:
    return f"2fa:{tokens.digest(challenge)}"


def _trust_id(ident: str) -> str:
    return f"trust-device:{tokens.digest(ident)}"


def _trust_mac(cfg: AuthConfig, user_id: str, ident: str) -> str:
    return hmac.new(cfg.secret.encode(), f"{user_id}!{ident}".encode(), hashlib.sha256).hexdigest()


async def _new_trust(db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, user_id: str) -> str:
    ident = tokens.generate_token()
    expires = meta.now + TRUST_LIFETIME
    db.add(Verification(identifier=_trust_id(ident), value=user_id, expires_at=expires))
    await db.flush()
    value = f"{_trust_mac(cfg, user_id, ident)}!{ident}"
    return _signed(cfg, TRUST_COOKIE, value, TRUST_LIFETIME)


def _signed(cfg: AuthConfig, name: str, value: str, lifetime: timedelta) -> str:
    return cookies.signed_cookie(cfg, name, value, int(lifetime.total_seconds()))


async def _take_trust(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, user_id: str, cookie: str | None
) -> bool:
    """Consume a valid trust cookie of this user (it is replaced by a fresh one)."""
    mac, _, ident = (cookie or "").partition("!")
    if not ident or not hmac.compare_digest(mac, _trust_mac(cfg, user_id, ident)):
        return False
    taken = await db.scalar(
        delete(Verification)
        .where(
            Verification.identifier == _trust_id(ident),
            Verification.value == user_id,
            Verification.expires_at > meta.now,
        )
        .returning(Verification.id)
    )
    return taken is not None


@dataclass(frozen=True)
class Gate:
    """After a correct password: let the session through, or answer the challenge."""

    challenge_body: dict[str, Any] | None
    cookies: list[str]


async def gate_sign_in(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, signed: SignedIn, trust: str | None
) -> Gate:
    row: TwoFactor | None = await db.scalar(
        select(TwoFactor).where(TwoFactor.user_id == signed.user.id)
    )
    if row is None or not row.enabled:
        return Gate(None, [])
    if await _take_trust(db, cfg, meta, signed.user.id, trust):
        return Gate(None, [await _new_trust(db, cfg, meta, signed.user.id)])
    await sessions.delete_session(db, signed.token)  # no session until the second step
    challenge = tokens.generate_token()
    record = {"userId": signed.user.id, "remember": signed.remember, "attempts": 0}
    db.add(
        Verification(
            identifier=_challenge_id(challenge),
            value=json.dumps(record),
            expires_at=meta.now + CHALLENGE_LIFETIME,
        )
    )
    await db.flush()
    methods = (["totp"] if row.verified and row.secret else []) + ["otp"]
    cookie = _signed(cfg, CHALLENGE_COOKIE, challenge, CHALLENGE_LIFETIME)
    return Gate({"twoFactorRedirect": True, "twoFactorMethods": methods}, [cookie])


async def resolve_caller(
    db: AsyncSession,
    meta: RequestMeta,
    auth: Authenticated | None,
    challenge: str | None,
) -> Caller:
    if auth is not None:
        return Caller(auth.user, auth.session, None, auth.token)
    if challenge is None:
        raise invalid_cookie()
    value = await db.scalar(
        select(Verification.value).where(
            Verification.identifier == _challenge_id(challenge),
            Verification.expires_at > meta.now,
        )
    )
    user = await db.get(User, json.loads(value)["userId"]) if value else None
    if user is None:
        raise invalid_cookie()
    return Caller(user, None, challenge)


async def check_lock(db: AsyncSession, caller: Caller, meta: RequestMeta) -> TwoFactor | None:
    row: TwoFactor | None = await db.scalar(
        select(TwoFactor).where(TwoFactor.user_id == caller.user.id)
    )
    if caller.challenge is not None and row and row.locked_until and row.locked_until > meta.now:
        raise rejected(
            "ACCOUNT_TEMPORARILY_LOCKED",
            "Too many failed verification attempts. Your account is temporarily locked. "
            "Please try again later.",
            429,
        )
    return row


@dataclass(frozen=True)
class Attempt:
    """A consumed challenge: put back with one more attempt on failure."""

    identifier: str
    record: dict[str, Any]
    expires_at: datetime


async def begin_attempt(db: AsyncSession, caller: Caller, meta: RequestMeta) -> Attempt | None:
    if caller.challenge is None:
        return None
    ident = _challenge_id(caller.challenge)
    taken = (
        await db.execute(
            delete(Verification)
            .where(Verification.identifier == ident, Verification.expires_at > meta.now)
            .returning(Verification.value, Verification.expires_at)
        )
    ).first()
    if taken is None:
        raise invalid_cookie()  # a concurrent attempt holds it, or it expired
    record = json.loads(taken[0])
    if record["attempts"] >= CHALLENGE_ATTEMPTS:
        raise rejected(
            "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE",
            "Too many attempts. Please request a new code.",
            400,
        )
    return Attempt(ident, record, taken[1])


async def record_failure(
    db: AsyncSession, attempt: Attempt | None, row: TwoFactor | None, meta: RequestMeta
) -> None:
    if attempt is not None:
        record = {**attempt.record, "attempts": attempt.record["attempts"] + 1}
        db.add(
            Verification(
                identifier=attempt.identifier,
                value=json.dumps(record),
                expires_at=attempt.expires_at,
            )
        )
        if row is not None:
            count_failure(row, meta)
    await db.flush()


def count_failure(row: TwoFactor, meta: RequestMeta) -> None:
    """One more failed second step of a sign-in; enough of them lock the account a while."""
    row.failed_verification_count += 1
    if row.failed_verification_count >= LOCK_AFTER:
        row.locked_until = meta.now + LOCK_FOR


async def reset_failures(db: AsyncSession, row: TwoFactor | None) -> None:
    if row is not None and (row.failed_verification_count or row.locked_until):
        await db.execute(
            update(TwoFactor)
            .where(TwoFactor.id == row.id)
            .values(failed_verification_count=0, locked_until=None)
        )


@dataclass(frozen=True)
class Completed:
    body: dict[str, Any]
    signed: SignedIn | None
    cookies: list[str]


async def complete(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    caller: Caller,
    attempt: Attempt | None,
    *,
    trust_device: bool,
    user_json: dict[str, Any],
    create_session: bool = True,
) -> Completed:
    """The sign-in finishes (a session, maybe a trusted device), or a signed-in caller's
    verification simply succeeds."""
    if caller.challenge is None:
        return Completed({"token": caller.token, "user": user_json}, None, [])
    if attempt is None:  # the mailed-OTP path did not consume the challenge yet
        attempt = await begin_attempt(db, caller, meta)
    assert attempt is not None
    clear = [cookies.clearing_cookie(cfg, CHALLENGE_COOKIE)]
    if not create_session:
        return Completed({"token": None, "user": user_json}, None, clear)
    remember = bool(attempt.record.get("remember", True))
    signed = await sessions.create_session(db, cfg, caller.user, meta, remember=remember)
    extra = [await _new_trust(db, cfg, meta, caller.user.id)] if trust_device else []
    return Completed({"token": signed.token, "user": user_json}, signed, clear + extra)
