"""What operators named in RAYPX_ADMIN_EMAILS can see and do. Reuses the services the CLI uses
(`raypx billing set-plan`, `raypx users revoke-sessions`, `raypx jobs stats|retry|cancel`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import sessions as auth_sessions
from raypx.billing import plans
from raypx.billing import service as billing
from raypx.db.enums import JobStatus, PlanTier
from raypx.db.models import Job, Session, User
from raypx.errors import Forbidden, NotFound
from raypx.jobs import metrics, queue
from raypx.settings import Settings

THROUGHPUT_HOURS = 24
# Jobs that finished in each of the last hours: the table keeps `updated_at` on every change,
# and retention (jobs.prune) keeps it small enough for one scan.
_THROUGHPUT_SQL = text(
    """
    SELECT date_trunc('hour', updated_at) AS hour,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE status = 'failed') AS failed
    FROM job
    WHERE status IN ('succeeded', 'failed') AND updated_at >= :since
    GROUP BY 1 ORDER BY 1
    """
)


def is_admin(settings: Settings, email: str) -> bool:
    return email.strip().lower() in {e.strip().lower() for e in settings.admin_emails}


def require_admin(settings: Settings, user: User) -> User:
    if not is_admin(settings, user.email):
        raise Forbidden("only operators can do this", code="ADMIN_ONLY")
    return user


@dataclass(frozen=True)
class UserRow:
    id: str
    name: str
    email: str
    email_verified: bool
    created_at: datetime
    plan: PlanTier
    sessions: int


async def search_users(
    session: AsyncSession, settings: Settings, query: str | None, limit: int = 20
) -> list[UserRow]:
    """Newest first; `query` matches part of the email or the name (any case, literally)."""
    statement = select(User).order_by(User.created_at.desc()).limit(limit)
    if query and query.strip():
        term = query.strip()
        statement = statement.where(
            or_(
                User.email.icontains(term, autoescape=True),
                User.name.icontains(term, autoescape=True),
            )
        )
    return await rows_for(session, settings, (await session.scalars(statement)).all())


async def rows_for(
    session: AsyncSession, settings: Settings, users: Sequence[User]
) -> list[UserRow]:
    counts = dict(
        (
            await session.execute(
                select(Session.user_id, func.count())
                .where(Session.user_id.in_([u.id for u in users]), Session.expires_at > func.now())
                .group_by(Session.user_id)
            )
        ).all()
    )
    return [
        UserRow(
            u.id,
            u.name,
            u.email,
            u.email_verified,
            u.created_at,
            await plans.current_tier(session, u.id, settings),
            int(counts.get(u.id, 0)),
        )
        for u in users
    ]


async def require_user(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found", code="USER_NOT_FOUND")
    return user


async def set_plan(
    session: AsyncSession, settings: Settings, user_id: str, tier: PlanTier
) -> UserRow:
    """As `raypx billing set-plan`: a manual subscription; the new limits apply at once."""
    user = await require_user(session, user_id)
    await billing.set_plan(session, user.id, tier)
    return (await rows_for(session, settings, [user]))[0]


async def revoke_sessions(session: AsyncSession, user_id: str) -> int:
    """As `raypx users revoke-sessions`: every session of the user ends now."""
    user = await require_user(session, user_id)
    return await auth_sessions.revoke_user_sessions(session, user.id)


@dataclass(frozen=True)
class HourFigures:
    hour: datetime
    succeeded: int
    failed: int


@dataclass(frozen=True)
class JobsOverview:
    figures: metrics.QueueFigures
    throughput: list[HourFigures]


async def jobs_overview(session: AsyncSession, now: datetime) -> JobsOverview:
    figures = await metrics.read_queue_figures(session)
    since = now - timedelta(hours=THROUGHPUT_HOURS)
    rows = (await session.execute(_THROUGHPUT_SQL, {"since": since})).all()
    return JobsOverview(
        figures, [HourFigures(r.hour, int(r.succeeded), int(r.failed)) for r in rows]
    )


async def list_jobs(
    session: AsyncSession, status: JobStatus | None, type: str | None, limit: int
) -> Sequence[Job]:
    return await queue.list_jobs(session, status=status, type=type, limit=limit)


async def retry_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    return await queue.retry(session, job_id)


async def cancel_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    return await queue.cancel(session, job_id)
