"""Auth behaviour shared by the HTTP API and the CLI. Functions never commit: the caller owns
the transaction. Errors carry Better Auth's codes and messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import lockout, origin, passwords, sessions, tokens
from raypx.auth.config import FRESH_AGE, AuthConfig, RequestMeta
from raypx.auth.lockout import AccountLocked as AccountLocked
from raypx.auth.rate_limit import Limiter
from raypx.auth.sessions import Authenticated, SignedIn
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Account, Profile, Session, Subscription, User
from raypx.documents import service as documents
from raypx.errors import Invalid, NotFound, RaypxError, Unauthorized

CREDENTIAL = "credential"
# zod's email pattern, which Better Auth validates sign-up addresses with.
EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$"
)


class UserExists(RaypxError):
    status_code = 422
    default_code = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"


class EmailNotVerified(RaypxError):
    """The password was right, but the address must be verified first (a setting)."""

    status_code = 403
    default_code = "EMAIL_NOT_VERIFIED"

    def __init__(self) -> None:
        super().__init__("Email not verified")


def invalid_credentials() -> Unauthorized:
    return Unauthorized("Invalid email or password", code="INVALID_EMAIL_OR_PASSWORD")


def invalid_password() -> Invalid:
    return Invalid("Invalid password", code="INVALID_PASSWORD")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return EMAIL.match(email.strip()) is not None


async def find_user_by_email(db: AsyncSession, email: str) -> User | None:
    user: User | None = await db.scalar(select(User).where(User.email == normalize_email(email)))
    return user


async def require_user_by_email(db: AsyncSession, email: str) -> User:
    """The user with this email (any case), or NotFound naming the address (CLI commands)."""
    user = await find_user_by_email(db, email)
    if user is None:
        raise NotFound(f"no user with email {normalize_email(email)}", code="USER_NOT_FOUND")
    return user


async def get_credential_account(db: AsyncSession, user_id: str) -> Account | None:
    account: Account | None = await db.scalar(
        select(Account).where(Account.user_id == user_id, Account.provider_id == CREDENTIAL)
    )
    return account


async def create_user(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    name: str,
    email: str,
    password: str | None,
    image: str | None = None,
    email_verified: bool = False,
) -> User:
    """User, credential account (with a password), profile and free subscription, together."""
    if password is not None:
        passwords.check_length(password)
        # Hash before looking the email up, so a taken address answers no faster.
        password_hash = await passwords.hash_password_async(password, cfg.argon2)
    email = normalize_email(email)
    if await find_user_by_email(db, email) is not None:
        raise UserExists("User already exists. Use another email.")
    user = User(
        id=tokens.generate_id(),
        name=name,
        email=email,
        email_verified=email_verified,
        image=image,
        created_at=meta.now,
        updated_at=meta.now,
    )
    try:
        async with db.begin_nested():
            db.add(user)
            await db.flush()
    except IntegrityError:  # a concurrent sign-up took the address between check and insert
        raise UserExists("User already exists. Use another email.") from None
    if password is not None:
        db.add(
            Account(
                account_id=user.id, provider_id=CREDENTIAL, user_id=user.id, password=password_hash
            )
        )
    db.add(Profile(user_id=user.id))
    db.add(Subscription(user_id=user.id, plan_tier=PlanTier.FREE, status=SubscriptionStatus.ACTIVE))
    await db.flush()
    return user


async def sign_up_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    name: str,
    email: str,
    password: str,
    image: str | None = None,
    callback_url: str | None = None,
    remember_me: bool = True,
) -> SignedIn:
    origin.check_callback_url(callback_url, cfg.trusted)
    user = await create_user(db, cfg, meta, name=name, email=email, password=password, image=image)
    return await sessions.create_session(db, cfg, user, meta, remember=remember_me)


async def sign_in_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    limiter: Limiter,
    *,
    email: str,
    password: str,
    remember_me: bool = True,
    callback_url: str | None = None,
) -> SignedIn:
    """Answers alike, in about the same time, for an unknown email and a wrong password."""
    origin.check_callback_url(callback_url, cfg.trusted)
    if not is_valid_email(email):
        raise Invalid("Invalid email", code="INVALID_EMAIL")
    address, source = normalize_email(email), meta.ip_address
    await lockout.check(limiter, cfg, address, source)
    user = await find_user_by_email(db, email)
    account = await get_credential_account(db, user.id) if user else None
    length_ok = passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH
    if user is None or account is None or account.password is None or not length_ok:
        await passwords.burn_verification_async(password[: passwords.MAX_LENGTH], cfg.argon2)
        await lockout.record_failure(limiter, cfg, address, source)
        raise invalid_credentials()
    verified = await passwords.verify_password_async(account.password, password, cfg.argon2)
    if not verified.ok:
        await lockout.record_failure(limiter, cfg, address, source)
        raise invalid_credentials()
    if cfg.methods.verification.required and not user.email_verified:
        raise EmailNotVerified()
    if verified.needs_rehash:  # Better Auth scrypt, or argon2 with old parameters
        account.password = await passwords.hash_password_async(password, cfg.argon2)
    await lockout.record_success(limiter, address, source)
    return await sessions.create_session(db, cfg, user, meta, remember=remember_me)


async def update_user(
    db: AsyncSession, user: User, *, fields: dict[str, str | None], meta: RequestMeta
) -> User:
    """`fields` holds only what the client sent (an explicit null image clears it)."""
    if "email" in fields:
        raise Invalid("Email can not be updated", code="EMAIL_CAN_NOT_BE_UPDATED")
    changes = {k: v for k, v in fields.items() if k in ("name", "image")}
    if not changes:
        raise Invalid("No fields to update", code="NO_FIELDS_TO_UPDATE")
    if "name" in changes and changes["name"] is None:
        raise Invalid(
            "[body.name] Invalid input: expected string, received null", code="VALIDATION_ERROR"
        )
    for key, value in changes.items():
        setattr(user, key, value)
    user.updated_at = meta.now
    await db.flush()
    return user


async def change_password(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    auth: Authenticated,
    *,
    current_password: str,
    new_password: str,
    revoke_other_sessions: bool = False,
) -> SignedIn | None:
    """A new session (and token) when `revoke_other_sessions`: every old one is revoked."""
    passwords.check_length(new_password)
    account = await get_credential_account(db, auth.user.id)
    if account is None or account.password is None:
        raise Invalid("Credential account not found", code="CREDENTIAL_ACCOUNT_NOT_FOUND")
    verified = await passwords.verify_password_async(account.password, current_password, cfg.argon2)
    if not verified.ok:
        raise invalid_password()
    account.password = await passwords.hash_password_async(new_password, cfg.argon2)
    await db.flush()
    if not revoke_other_sessions:
        return None
    await sessions.revoke_user_sessions(db, auth.user.id)
    return await sessions.create_session(db, cfg, auth.user, meta)


async def delete_user(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    auth: Authenticated,
    *,
    password: str | None,
    callback_url: str | None = None,
) -> None:
    """Needs the password, or a session younger than a day. Everything owned cascades."""
    origin.check_callback_url(callback_url, cfg.trusted)
    if password is not None:
        account = await get_credential_account(db, auth.user.id)
        if account is None or account.password is None:
            raise invalid_password()
        verified = await passwords.verify_password_async(account.password, password, cfg.argon2)
        if not verified.ok:
            raise invalid_password()
    elif meta.now - auth.session.created_at > FRESH_AGE:
        raise Invalid(
            "Session expired. Re-authenticate to perform this action.", code="SESSION_EXPIRED"
        )
    await remove_user(db, auth.user.id)


async def remove_user(db: AsyncSession, user_id: str) -> None:
    # Stored files are not rows: a job in this transaction removes them after the commit.
    await documents.schedule_purge(db, user_id)
    # Sessions and accounts first, as Better Auth does; the rest goes by ON DELETE CASCADE.
    await db.execute(delete(Session).where(Session.user_id == user_id))
    await db.execute(delete(Account).where(Account.user_id == user_id))
    await db.execute(delete(User).where(User.id == user_id))


async def list_accounts(db: AsyncSession, user_id: str) -> Sequence[Account]:
    result = await db.scalars(
        select(Account).where(Account.user_id == user_id).order_by(Account.created_at)
    )
    return result.all()


@dataclass(frozen=True)
class UserSummary:
    user: User
    active_sessions: int


async def list_users(db: AsyncSession, *, limit: int = 100) -> list[UserSummary]:
    """Users, newest first, with their live session count (for the CLI)."""
    live = (
        select(func.count())
        .select_from(Session)
        .where(Session.user_id == User.id, Session.expires_at > func.now())
        .scalar_subquery()
    )
    rows = await db.execute(select(User, live).order_by(User.created_at.desc()).limit(limit))
    return [UserSummary(user, count) for user, count in rows.all()]
