"""Single-use mailed tokens: password reset, email verification and email change.

Each token is 32 random characters mailed to the user; the `verification` row keeps only its
SHA-256 (`identifier = "<purpose>:<digest>"`), lives one hour and is deleted when used.

Using a token deletes its row with DELETE … RETURNING: of several requests presenting one
token at once, PostgreSQL lets exactly one delete the row and the others find nothing.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from urllib.parse import quote, urlencode

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import mail, origin, passwords, sessions, tokens
from raypx.auth.config import MAIL_TOKEN_LIFETIME, AuthConfig, RequestMeta
from raypx.auth.service import (
    CREDENTIAL,
    find_user_by_email,
    get_credential_account,
    normalize_email,
)
from raypx.auth.sessions import Authenticated
from raypx.db.models import Account, User, Verification
from raypx.errors import Invalid, Unauthorized

log = logging.getLogger("raypx.auth")
RESET = "reset-password"
VERIFY = "verify-email"
CHANGE = "change-email"


def invalid_token(status: int = 400) -> Invalid | Unauthorized:
    if status == 401:
        return Unauthorized("Invalid token", code="INVALID_TOKEN")
    return Invalid("Invalid token", code="INVALID_TOKEN")


async def _issue(db: AsyncSession, purpose: str, value: str, now: datetime) -> str:
    token = tokens.generate_token()
    db.add(
        Verification(
            identifier=f"{purpose}:{tokens.digest(token)}",
            value=value,
            expires_at=now + MAIL_TOKEN_LIFETIME,
        )
    )
    await db.flush()
    return token


def _identifiers(purposes: tuple[str, ...], token: str) -> list[str]:
    return [f"{purpose}:{tokens.digest(token)}" for purpose in purposes]


async def _find(
    db: AsyncSession, purposes: tuple[str, ...], token: str, now: datetime
) -> Verification | None:
    """Look without using (the reset link's redirect only checks the token)."""
    row: Verification | None = await db.scalar(
        select(Verification).where(
            Verification.identifier.in_(_identifiers(purposes, token)),
            Verification.expires_at > now,
        )
    )
    return row


async def _take(
    db: AsyncSession, purposes: tuple[str, ...], token: str, now: datetime
) -> Verification | None:
    """Use the token: the live row, deleted atomically, or None if another request won."""
    row: Verification | None = await db.scalar(
        delete(Verification)
        .where(
            Verification.identifier.in_(_identifiers(purposes, token)),
            Verification.expires_at > now,
        )
        .returning(Verification)
    )
    return row


async def request_password_reset(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, redirect_to: str | None
) -> mail.OutgoingMail | None:
    """The mail to send, or None for an unknown address (the caller answers alike)."""
    origin.check_redirect_url(redirect_to, cfg.trusted)
    user = await find_user_by_email(db, email)
    if user is None:
        log.warning("password reset requested for an unknown email")
        return None
    token = await _issue(db, RESET, user.id, meta.now)
    url = (
        f"{cfg.base_url}/api/auth/reset-password/{token}"
        f"?callbackURL={quote(redirect_to or '', safe='')}"
    )
    return mail.render(RESET, to=user.email, name=user.name, url=url)


async def check_reset_token(db: AsyncSession, token: str, now: datetime) -> bool:
    return await _find(db, (RESET,), token, now) is not None


async def reset_password(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, token: str | None, new_password: str
) -> None:
    """Sets the password and revokes every session of the user (Better Auth keeps them)."""
    if not token:
        raise invalid_token()
    passwords.check_length(new_password)
    row = await _take(db, (RESET,), token, meta.now)
    if row is None:
        raise invalid_token()
    user_id = row.value
    password_hash = await passwords.hash_password_async(new_password, cfg.argon2)
    account = await get_credential_account(db, user_id)
    if account is None:
        db.add(
            Account(
                account_id=user_id, provider_id=CREDENTIAL, user_id=user_id, password=password_hash
            )
        )
    else:
        account.password = password_hash
    await sessions.revoke_user_sessions(db, user_id)
    await db.flush()


def _verify_url(cfg: AuthConfig, token: str, callback_url: str | None) -> str:
    query = {"token": token, **({"callbackURL": callback_url} if callback_url else {})}
    return f"{cfg.base_url}/api/auth/verify-email?{urlencode(query)}"


async def send_verification_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    email: str,
    callback_url: str | None,
) -> mail.OutgoingMail | None:
    """None for unknown or already verified addresses; the caller answers alike."""
    origin.check_callback_url(callback_url, cfg.trusted)
    user = await find_user_by_email(db, email)
    if user is None or user.email_verified:
        return None
    value = json.dumps({"userId": user.id, "email": user.email})
    token = await _issue(db, VERIFY, value, meta.now)
    url = _verify_url(cfg, token, callback_url)
    return mail.render(VERIFY, to=user.email, name=user.name, url=url)


async def change_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    auth: Authenticated,
    *,
    new_email: str,
    callback_url: str | None,
) -> mail.OutgoingMail | None:
    """Mail a link to the new address; the email changes only when that link is opened."""
    origin.check_callback_url(callback_url, cfg.trusted)
    new_email = normalize_email(new_email)
    if new_email == auth.user.email:
        raise Invalid("Email is the same", code="EMAIL_IS_THE_SAME")
    if await find_user_by_email(db, new_email) is not None:
        return None  # taken: answer as if sent, so the endpoint reveals no registrations
    value = json.dumps({"userId": auth.user.id, "email": auth.user.email, "newEmail": new_email})
    token = await _issue(db, CHANGE, value, meta.now)
    url = _verify_url(cfg, token, callback_url)
    return mail.render(CHANGE, to=new_email, name=auth.user.name, url=url)


async def verify_email(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, token: str, callback_url: str | None
) -> User:
    """Mark the address verified, or move the account to the confirmed new address.

    Raises INVALID_TOKEN with status 401, as Better Auth answers a bad verification token.
    """
    origin.check_callback_url(callback_url, cfg.trusted)
    row = await _take(db, (VERIFY, CHANGE), token, meta.now)
    if row is None:
        raise invalid_token(401)
    claim = json.loads(row.value)
    user: User | None = await db.get(User, claim["userId"])
    if user is None or user.email != claim["email"]:
        raise invalid_token(401)  # the account changed since the link was sent
    if row.identifier.startswith(f"{CHANGE}:"):
        if await find_user_by_email(db, claim["newEmail"]) is not None:
            raise invalid_token(401)
        user.email = claim["newEmail"]
    user.email_verified = True
    user.updated_at = meta.now
    await db.flush()
    return user
