"""Two-factor setup (Better Auth's two-factor plugin): enable (TOTP secret and backup codes,
or OTP by mail), disable, show the otpauth URI again, new backup codes. Every step needs the
password. Verifying codes, at sign-in or to confirm setup, is in `two_factor_challenge`.

The TOTP secret is sealed with the OAuth token cipher (AES-256-GCM, the user id bound in);
backup codes are kept as HMACs under the app secret, so the table alone reveals neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import reauth, totp
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.db.models import TwoFactor, User
from raypx.errors import Invalid

ISSUER = "Raypx"
BACKUP_CODES = 10
BACKUP_CODE_ALPHABET = string.ascii_letters + string.digits


def error(code: str, message: str) -> Invalid:
    return Invalid(message, code=code)


def _context(user_id: str) -> str:
    return f"two-factor:{user_id}"


def seal_backup_code(cfg: AuthConfig, user_id: str, code: str) -> str:
    message = f"backup:{user_id}:{code.strip()}".encode()
    return hmac.new(cfg.secret.encode(), message, hashlib.sha256).hexdigest()


def new_backup_codes(cfg: AuthConfig, user_id: str) -> tuple[list[str], list[str]]:
    """(codes to show once, their HMACs to store). Codes read `abcde-12345`."""
    codes = []
    for _ in range(BACKUP_CODES):
        raw = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, [seal_backup_code(cfg, user_id, code) for code in codes]


def secret_of(cfg: AuthConfig, row: TwoFactor) -> str | None:
    return cfg.cipher.decrypt(row.secret, _context(row.user_id))


def totp_uri(cfg: AuthConfig, user: User, secret: str, issuer: str | None = None) -> str:
    return totp.uri(secret, issuer or ISSUER, user.email)


async def find(db: AsyncSession, user_id: str) -> TwoFactor | None:
    row: TwoFactor | None = await db.scalar(select(TwoFactor).where(TwoFactor.user_id == user_id))
    return row


async def is_enabled(db: AsyncSession, user_id: str) -> bool:
    row = await find(db, user_id)
    return row is not None and row.enabled


@dataclass(frozen=True)
class Enabled:
    method: str
    totp_uri: str | None = None
    backup_codes: list[str] | None = None


async def enable(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    user: User,
    *,
    password: str,
    method: str,
    issuer: str | None,
) -> Enabled:
    """OTP by mail is on at once; TOTP only once a first code confirms the app has it."""
    await reauth.check_password(db, cfg, user.id, password)
    row = await find(db, user.id)
    if row is None:
        row = TwoFactor(user_id=user.id, backup_codes=[], created_at=meta.now)
        db.add(row)
    if method == "otp":
        row.enabled = True
        row.updated_at = meta.now
        await db.flush()
        return Enabled("otp")
    if row.verified and row.secret is not None:
        raise error("TOTP_ALREADY_ENABLED", "TOTP is already enabled")
    secret = totp.new_secret()
    codes, sealed = new_backup_codes(cfg, user.id)
    row.secret = cfg.cipher.encrypt(secret, _context(user.id))
    row.verified = False
    row.backup_codes = sealed
    row.updated_at = meta.now
    await db.flush()
    return Enabled("totp", totp_uri(cfg, user, secret, issuer), codes)


async def disable(db: AsyncSession, cfg: AuthConfig, user: User, *, password: str) -> None:
    await reauth.check_password(db, cfg, user.id, password)
    await db.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))


async def show_totp_uri(db: AsyncSession, cfg: AuthConfig, user: User, *, password: str) -> str:
    row = await find(db, user.id)
    secret = secret_of(cfg, row) if row is not None else None
    if row is None or secret is None:
        raise error("TOTP_NOT_ENABLED", "TOTP not enabled")
    await reauth.check_password(db, cfg, user.id, password)
    return totp_uri(cfg, user, secret)


async def regenerate_backup_codes(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, user: User, *, password: str
) -> list[str]:
    row = await find(db, user.id)
    if row is None or not row.enabled:
        raise error("TWO_FACTOR_NOT_ENABLED", "Two factor isn't enabled")
    await reauth.check_password(db, cfg, user.id, password)
    codes, sealed = new_backup_codes(cfg, user.id)
    row.backup_codes = sealed
    row.updated_at = meta.now
    await db.flush()
    return codes
