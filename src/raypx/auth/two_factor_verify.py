"""Checking a second factor: TOTP, a mailed one-time code, or a backup code (single-use),
for a pending sign-in or for a signed-in user confirming setup. Each returns the consumed
challenge attempt (None when signed in) for `two_factor_challenge.complete`."""

from __future__ import annotations

import hmac

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import email_otp, mail, totp, two_factor
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.two_factor_challenge import (
    Attempt,
    Caller,
    begin_attempt,
    check_lock,
    count_failure,
    record_failure,
    rejected,
    reset_failures,
)
from raypx.db.models import TwoFactor

OTP_KIND = "two-factor"
# email_otp's rejections, in the words Better Auth's two-factor plugin uses for them.
OTP_ERRORS = {
    "INVALID_OTP": ("INVALID_CODE", "Invalid code", 401),
    "OTP_EXPIRED": ("OTP_HAS_EXPIRED", "OTP has expired", 400),
    "TOO_MANY_ATTEMPTS": (
        "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE",
        "Too many attempts. Please request a new code.",
        400,
    ),
}


def _confirm_setup(row: TwoFactor, meta: RequestMeta) -> None:
    row.verified = True
    row.enabled = True
    row.updated_at = meta.now


async def verify_totp(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, caller: Caller, code: str
) -> Attempt | None:
    row = await check_lock(db, caller, meta)
    secret = two_factor.secret_of(cfg, row) if row is not None else None
    if row is None or secret is None or (caller.challenge is not None and not row.verified):
        raise two_factor.error("TOTP_NOT_ENABLED", "TOTP not enabled")
    attempt = await begin_attempt(db, caller, meta)
    if not totp.verify(secret, code, meta.now.timestamp()):
        await record_failure(db, attempt, row, meta)
        raise rejected("INVALID_CODE", "Invalid code")
    await reset_failures(db, row)
    if not row.verified:  # the first code from the app confirms the setup
        _confirm_setup(row, meta)
        await db.flush()
    return attempt


async def send_otp(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, caller: Caller
) -> mail.OutgoingMail:
    code = await email_otp.issue(db, cfg, meta, OTP_KIND, caller.key)
    minutes = max(1, int(cfg.methods.otp_lifetime.total_seconds() // 60))
    text = (
        f"Your verification code: {code}\n\nIt works once, within {minutes} minutes. If you "
        "are not signing in right now, change your password: someone else knows it.\n"
    )
    subject = "Your verification code"
    return mail.OutgoingMail("two-factor-otp", caller.user.email, subject, text, "")


async def verify_otp(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, caller: Caller, code: str
) -> None:
    row = await check_lock(db, caller, meta)
    try:
        await email_otp.verify(db, cfg, meta, OTP_KIND, caller.key, code)
    except email_otp.OtpRejected as exc:
        if exc.code == "INVALID_OTP" and caller.challenge is not None and row is not None:
            count_failure(row, meta)
            await db.flush()
        name, message, status = OTP_ERRORS.get(exc.code, OTP_ERRORS["INVALID_OTP"])
        raise rejected(name, message, status) from None
    await reset_failures(db, row)
    if caller.challenge is None:  # signed in: a first mailed code turns two-factor on
        if row is None:
            row = TwoFactor(user_id=caller.user.id, backup_codes=[], created_at=meta.now)
            db.add(row)
        row.enabled = True
        row.updated_at = meta.now
        await db.flush()


async def verify_backup_code(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, caller: Caller, code: str
) -> Attempt | None:
    row = await check_lock(db, caller, meta)
    if row is None:
        raise two_factor.error("BACKUP_CODES_NOT_ENABLED", "Backup codes aren't enabled")
    attempt = await begin_attempt(db, caller, meta)
    sealed = two_factor.seal_backup_code(cfg, caller.user.id, code)
    matched = False
    for stored in row.backup_codes:  # every code compared: time does not reveal which
        matched |= hmac.compare_digest(stored, sealed)
    used = None
    if matched:
        # Removed only if still there: two requests with one code cannot both pass.
        used = await db.scalar(
            update(TwoFactor)
            .where(TwoFactor.id == row.id, func.jsonb_exists(TwoFactor.backup_codes, sealed))
            .values(backup_codes=TwoFactor.backup_codes.op("-")(sealed))
            .returning(TwoFactor.id)
        )
    if used is None:
        await record_failure(db, attempt, row, meta)
        raise rejected("INVALID_BACKUP_CODE", "Invalid backup code")
    await reset_failures(db, row)
    return attempt
