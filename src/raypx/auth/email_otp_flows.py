"""What each email-otp endpoint does, on top of the codes in `email_otp`. Answers never
reveal whether an address is registered until a valid code for it has been shown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import email_otp, mail, mailbox, passwords, service, sessions
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import SignedIn
from raypx.db.models import Account, User
from raypx.errors import Invalid


def invalid_email() -> Invalid:
    return Invalid("Invalid email", code="INVALID_EMAIL")


def user_not_found() -> Invalid:
    return Invalid("User not found", code="USER_NOT_FOUND")


def _checked_email(email: str) -> str:
    if not service.is_valid_email(email):
        raise invalid_email()
    return service.normalize_email(email)


async def send_code(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, kind: str
) -> mail.OutgoingMail | None:
    """The mail to send, or None (unknown address for a kind that needs an account)."""
    email = _checked_email(email)
    if kind == "change-email":
        raise Invalid("Invalid OTP type", code="INVALID_OTP_TYPE")
    user = await service.find_user_by_email(db, email)
    creates_user = kind == "sign-in" and not cfg.methods.otp_disable_sign_up
    if user is None and not creates_user:
        await email_otp.discard(db, kind, email)
        return None
    code = await email_otp.issue(db, cfg, meta, kind, email)
    return email_otp.render(kind, user.email if user else email, code, cfg)


async def check_code(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, kind: str, otp: str
) -> None:
    email = _checked_email(email)
    await email_otp.verify(db, cfg, meta, kind, email, otp, keep=True)
    if await service.find_user_by_email(db, email) is None:
        raise user_not_found()  # shown only to whoever holds a valid code for the address


@dataclass(frozen=True)
class Verified:
    user: User
    signed: SignedIn | None


async def verify_email(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, otp: str
) -> Verified:
    email = _checked_email(email)
    await email_otp.verify(db, cfg, meta, "email-verification", email, otp)
    user = await service.find_user_by_email(db, email)
    if user is None:
        raise user_not_found()
    user.email_verified = True
    user.updated_at = meta.now
    await db.flush()
    signed = None
    if cfg.methods.verification.auto_sign_in:
        signed = await sessions.create_session(db, cfg, user, meta)
    return Verified(user, signed)


async def sign_in(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    email: str,
    otp: str,
    name: str | None,
    image: str | None,
) -> SignedIn:
    email = service.normalize_email(email)
    await email_otp.verify(db, cfg, meta, "sign-in", email, otp)
    done = await mailbox.sign_in_by_mailbox(
        db,
        cfg,
        meta,
        email=email,
        name=name,
        image=image,
        allow_sign_up=not cfg.methods.otp_disable_sign_up,
    )
    if done is None:
        raise email_otp.invalid_otp()
    return done.signed


async def request_password_reset(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str
) -> mail.OutgoingMail | None:
    return await send_code(db, cfg, meta, email=email, kind="forget-password")


async def reset_password(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, otp: str, password: str
) -> None:
    """Sets the password (making a credential account if there was none), marks the address
    verified and, as Raypx's link-based reset does, revokes every session of the user."""
    email = _checked_email(email)
    passwords.check_length(password)
    await email_otp.verify(db, cfg, meta, "forget-password", email, otp)
    user = await service.find_user_by_email(db, email)
    if user is None:
        raise user_not_found()
    password_hash = await passwords.hash_password_async(password, cfg.argon2)
    account = await service.get_credential_account(db, user.id)
    if account is None:
        db.add(
            Account(
                account_id=user.id,
                provider_id=service.CREDENTIAL,
                user_id=user.id,
                password=password_hash,
            )
        )
    else:
        account.password = password_hash
    if not user.email_verified:
        user.email_verified = True
        user.updated_at = meta.now
    await sessions.revoke_user_sessions(db, user.id)
    await db.flush()
