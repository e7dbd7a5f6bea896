"""Signing in by proof of the mailbox (an emailed code or link): the user is found or made,
and a pre-registered unverified account loses what it accrued before the proof.

Someone could sign up with another person's address and a password, then wait; when the
real owner later signs in by mail, Better Auth strips the squatter's password, OAuth links
and sessions before marking the address verified. Raypx does the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import service, sessions
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import SignedIn
from raypx.db.models import Account, Session, User


@dataclass(frozen=True)
class MailboxSignIn:
    signed: SignedIn
    is_new_user: bool


async def promote_unproven(db: AsyncSession, user: User, meta: RequestMeta) -> User:
    """Mark the address verified; if it was not, first drop every account and session."""
    locked: User | None = await db.scalar(
        select(User).where(User.id == user.id).with_for_update()  # one promotion at a time
    )
    if locked is None or locked.email_verified:
        return locked or user
    await db.execute(delete(Account).where(Account.user_id == locked.id))
    await db.execute(delete(Session).where(Session.user_id == locked.id))
    locked.email_verified = True
    locked.updated_at = meta.now
    await db.flush()
    return locked


async def sign_in_by_mailbox(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    email: str,
    name: str | None,
    image: str | None = None,
    allow_sign_up: bool,
) -> MailboxSignIn | None:
    """A new session for the owner of `email`; None when unknown and sign-up is off."""
    user = await service.find_user_by_email(db, email)
    is_new = user is None
    if user is None:
        if not allow_sign_up:
            return None
        try:
            user = await service.create_user(
                db,
                cfg,
                meta,
                name=name or "",
                email=email,
                password=None,
                image=image,
                email_verified=True,
            )
        except service.UserExists:  # signed up concurrently: that account is the one
            user = await service.find_user_by_email(db, email)
            if user is None:
                return None
            is_new = False
    if not user.email_verified:
        user = await promote_unproven(db, user, meta)
    signed = await sessions.create_session(db, cfg, user, meta)
    return MailboxSignIn(signed, is_new)
