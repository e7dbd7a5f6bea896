"""Session rows: created with a random token whose SHA-256 alone is stored, resolved with
sliding refresh (at most once per `update_age`) under an absolute lifetime cap, revoked."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import tokens
from raypx.auth.config import DONT_REMEMBER_LIFETIME, AuthConfig, RequestMeta
from raypx.db.direct import PoolTimeout, ReadPool
from raypx.db.models import Session, TwoFactor, User


@dataclass(frozen=True)
class Authenticated:
    """A request's verified identity. `token` is the raw token the client presented."""

    user: User
    session: Session
    token: str
    refreshed: bool = False
    via_cookie: bool = False
    remember: bool = True  # False after sign-in with rememberMe:false (browser-session cookie)
    two_factor_enabled: bool = False  # Better Auth's `user.twoFactorEnabled` (plugin table)


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: Session
    token: str
    remember: bool = True


def cookie_max_age(session: Session, now: datetime) -> int:
    return max(0, int((session.expires_at - now).total_seconds()))


async def create_session(
    db: AsyncSession, cfg: AuthConfig, user: User, meta: RequestMeta, *, remember: bool = True
) -> SignedIn:
    token = tokens.generate_token()
    lifetime = cfg.expires_in if remember else DONT_REMEMBER_LIFETIME
    row = Session(
        token=tokens.digest(token),
        user_id=user.id,
        expires_at=meta.now + min(lifetime, cfg.max_lifetime),
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        last_active=meta.now,
        created_at=meta.now,
        updated_at=meta.now,
    )
    db.add(row)
    await db.flush()
    return SignedIn(user, row, token, remember)


SESSION_AND_USER = """
SELECT s.id, s.token, s.expires_at, s.user_id, s.ip_address, s.user_agent, s.last_active,
       s.created_at, s.updated_at,
       u.name, u.email, u.email_verified, u.image, u.created_at, u.updated_at,
       EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = s.user_id AND t.enabled)
FROM session s JOIN "user" u ON u.id = s.user_id
WHERE s.token = %s
"""


async def peek_session(pool: ReadPool, token: str) -> tuple[Session, User, bool] | None:
    """The session, its user and whether two-factor is on, read in one round trip, as
    detached (read-only) objects."""
    async with pool.connection() as conn:
        cursor = await conn.execute(SESSION_AND_USER, (tokens.digest(token),))
        row = await cursor.fetchone()
    if row is None:
        return None
    session = Session(
        id=row[0], token=row[1], expires_at=row[2], user_id=row[3], ip_address=row[4],
        user_agent=row[5], last_active=row[6], created_at=row[7], updated_at=row[8],
    )  # fmt: skip
    user = User(
        id=row[3], name=row[9], email=row[10], email_verified=row[11], image=row[12],
        created_at=row[13], updated_at=row[14],
    )  # fmt: skip
    return session, user, bool(row[15])


def needs_write(session: Session, cfg: AuthConfig, now: datetime, refresh: bool) -> bool:
    """Expired (to delete) or due for its sliding refresh (to extend)."""
    if session.expires_at <= now:
        return True
    if not refresh:
        return False
    due = session.expires_at - cfg.expires_in + cfg.update_age <= now
    extended = min(now + cfg.expires_in, session.created_at + cfg.max_lifetime)
    return due and extended > session.expires_at


async def resolve_session(
    db: AsyncSession,
    cfg: AuthConfig,
    token: str,
    now: datetime,
    *,
    refresh: bool = False,
    pool: ReadPool | None = None,
) -> Authenticated | None:
    """The live session for `token`, or None. An expired row is deleted on sight.

    With `refresh`, a session last extended more than `update_age` ago gets `expires_in` more,
    never past `created_at + max_lifetime`. With `pool`, the common case (alive, nothing to
    write) is answered by one autocommit read and returns objects that must not be modified;
    only a session to delete or extend goes through `db`.
    """
    if pool is not None:
        try:
            peeked = await peek_session(pool, token)
        except (psycopg.OperationalError, PoolTimeout):
            # A pooled connection gone stale (database restart, failover) or none free: the
            # request takes the ORM path below, which pings before use (and answers 503 if
            # the database is really down).
            pass
        else:
            if peeked is None:
                return None
            if not needs_write(peeked[0], cfg, now, refresh):
                return Authenticated(peeked[1], peeked[0], token, two_factor_enabled=peeked[2])
    two_factor = exists().where(TwoFactor.user_id == Session.user_id, TwoFactor.enabled).label("tf")
    row = (
        await db.execute(
            select(Session, User, two_factor)
            .join(User, User.id == Session.user_id)
            .where(Session.token == tokens.digest(token))
        )
    ).one_or_none()
    if row is None:
        return None
    session, user, enabled = row
    if session.expires_at <= now:
        await db.execute(delete(Session).where(Session.id == session.id))
        return None
    if not refresh:
        return Authenticated(user, session, token, two_factor_enabled=enabled)
    due = session.expires_at - cfg.expires_in + cfg.update_age <= now
    extended = min(now + cfg.expires_in, session.created_at + cfg.max_lifetime)
    if due and extended > session.expires_at:
        session.expires_at = extended
        session.last_active = now
        await db.flush()
        return Authenticated(user, session, token, refreshed=True, two_factor_enabled=enabled)
    return Authenticated(user, session, token, two_factor_enabled=enabled)


async def delete_session(db: AsyncSession, token: str) -> None:
    await db.execute(delete(Session).where(Session.token == tokens.digest(token)))


async def list_user_sessions(db: AsyncSession, user_id: str, now: datetime) -> Sequence[Session]:
    result = await db.scalars(
        select(Session)
        .where(Session.user_id == user_id, Session.expires_at > now)
        .order_by(Session.created_at, Session.id)
    )
    return result.all()


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def revoke_user_session(db: AsyncSession, user_id: str, handle: str) -> None:
    """Revoke by the handle list-sessions returns (the session id) or by a raw token."""
    session_id = _as_uuid(handle)
    match = Session.id == session_id if session_id else Session.token == tokens.digest(handle)
    await db.execute(delete(Session).where(Session.user_id == user_id, match))


async def revoke_user_sessions(
    db: AsyncSession, user_id: str, *, keep: uuid.UUID | None = None
) -> int:
    statement = delete(Session).where(Session.user_id == user_id)
    if keep is not None:
        statement = statement.where(Session.id != keep)
    result = await db.execute(statement.returning(Session.id))
    return len(result.all())
