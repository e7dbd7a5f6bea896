"""Proving the password again before a sensitive step: verify-password, and enabling or
disabling two-factor."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import passwords, service
from raypx.auth.config import AuthConfig


async def check_password(db: AsyncSession, cfg: AuthConfig, user_id: str, password: str) -> None:
    """Raises INVALID_PASSWORD (400) unless `password` is the user's; a user without a
    password (OAuth or mailed-code only) spends the same hashing time before failing."""
    account = await service.get_credential_account(db, user_id)
    if account is None or account.password is None:
        await passwords.burn_verification_async(password[: passwords.MAX_LENGTH], cfg.argon2)
        raise service.invalid_password()
    verified = await passwords.verify_password_async(account.password, password, cfg.argon2)
    if not verified.ok:
        raise service.invalid_password()
