"""One-time codes by mail (Better Auth's email-otp plugin): sign-in, email verification and
password reset.

A code lives in one `verification` row: `identifier = "<type>-otp:<sha256(email)>"`,
`value = "<hmac>:<failed attempts>"`. Only an HMAC keyed with the app secret is stored, so a
copy of the database does not give the 10^6 codes away to a quick offline search.

Checking a code consumes its row atomically (DELETE … RETURNING): of concurrent guesses only
one sees the row. A wrong guess puts it back with one more failed attempt and its original
expiry; once `allowed_attempts` failed, the row stays deleted and the code is dead. Those
rejections must persist even though the request fails, so they are raised as `OtpRejected`,
which routes answer without rolling the transaction back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import mail, tokens
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.db.models import Verification
from raypx.errors import RaypxError

OtpType = Literal["email-verification", "sign-in", "forget-password", "change-email"]

SUBJECTS: dict[str, str] = {
    "sign-in": "Your sign-in code",
    "email-verification": "Your email verification code",
    "forget-password": "Your password reset code",
}
PURPOSES: dict[str, str] = {
    "sign-in": "sign in",
    "email-verification": "verify this email address",
    "forget-password": "reset your password",
}


class OtpRejected(RaypxError):
    """A wrong, expired or exhausted code. Answered as is, with the attempt count kept."""

    status_code = 400
    default_code = "INVALID_OTP"


class TooManyAttempts(OtpRejected):
    status_code = 403
    default_code = "TOO_MANY_ATTEMPTS"


def invalid_otp() -> OtpRejected:
    return OtpRejected("Invalid OTP")


def identifier(kind: str, email: str) -> str:
    return f"{kind}-otp:{tokens.digest(email)}"


def seal(cfg: AuthConfig, ident: str, code: str) -> str:
    """HMAC-SHA256 under the app secret, bound to the identifier (type and address)."""
    return hmac.new(cfg.secret.encode(), f"{ident}:{code}".encode(), hashlib.sha256).hexdigest()


def generate_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


async def issue(db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, kind: str, email: str) -> str:
    """A fresh code for (kind, email); any earlier one stops working."""
    ident = identifier(kind, email)
    code = generate_code(cfg.methods.otp_length)
    await db.execute(delete(Verification).where(Verification.identifier == ident))
    db.add(
        Verification(
            identifier=ident,
            value=f"{seal(cfg, ident, code)}:0",
            expires_at=meta.now + cfg.methods.otp_lifetime,
        )
    )
    await db.flush()
    return code


async def discard(db: AsyncSession, kind: str, email: str) -> None:
    await db.execute(delete(Verification).where(Verification.identifier == identifier(kind, email)))


async def verify(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    kind: str,
    email: str,
    code: str,
    *,
    keep: bool = False,
) -> None:
    """Accept `code` once, or raise `OtpRejected`. `keep` leaves a right code usable (the
    check-only endpoint)."""
    ident = identifier(kind, email)
    stale = await db.scalar(
        select(Verification.id).where(
            Verification.identifier == ident, Verification.expires_at <= meta.now
        )
    )
    if stale is not None:
        await discard(db, kind, email)
        raise OtpRejected("OTP expired", code="OTP_EXPIRED")
    consumed = (
        await db.execute(
            delete(Verification)
            .where(Verification.identifier == ident, Verification.expires_at > meta.now)
            .returning(Verification.value, Verification.expires_at)
        )
    ).first()
    if consumed is None:
        raise invalid_otp()
    value, expires_at = consumed
    sealed, _, attempts_text = value.rpartition(":")
    attempts = int(attempts_text) if attempts_text.isdigit() else cfg.methods.otp_allowed_attempts
    if attempts >= cfg.methods.otp_allowed_attempts:
        raise TooManyAttempts("Too many attempts")  # the row stays deleted
    if not hmac.compare_digest(seal(cfg, ident, code), sealed):
        _restore(db, ident, f"{sealed}:{attempts + 1}", expires_at)
        await db.flush()
        raise invalid_otp()
    if keep:
        _restore(db, ident, value, expires_at)
        await db.flush()


def _restore(db: AsyncSession, ident: str, value: str, expires_at: datetime) -> None:
    db.add(Verification(identifier=ident, value=value, expires_at=expires_at))


def render(kind: str, to: str, code: str, cfg: AuthConfig) -> mail.OutgoingMail:
    minutes = max(1, int(cfg.methods.otp_lifetime.total_seconds() // 60))
    text = (
        f"Your code to {PURPOSES[kind]}: {code}\n\nIt works once, within {minutes} minutes. "
        "If you did not ask for it, ignore this message; nobody can use it without this "
        "mailbox.\n"
    )
    return mail.OutgoingMail(f"email-otp-{kind}", to, SUBJECTS[kind], text, "")
