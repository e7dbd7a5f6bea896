"""Plan limits checked before work starts, race-free.

Each check takes a transaction-scoped advisory lock on the user, then counts what is used and
what is already in flight, in the caller's transaction. Two concurrent requests of one user
therefore check one after the other, and the second sees the first's row (a queued run, a new
document) once the first commits — so many requests at the edge of a limit never push usage past
it. Requests of different users never wait for each other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ScalarSelect, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.billing import plans
from raypx.billing.limits import PlanLimits, limits_for, month_bounds
from raypx.db.enums import PlanTier, RunStatus, UsageMetric
from raypx.db.models import Document, Run, UsageEvent
from raypx.errors import Invalid, QuotaExceeded
from raypx.settings import Settings

QUOTA_LOCK_NAMESPACE = 0x7170  # "qp": keeps these locks apart from other advisory locks


async def lock_user(session: AsyncSession, user_id: str) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:user_id))"),
        {"ns": QUOTA_LOCK_NAMESPACE, "user_id": user_id},
    )


async def user_limits(
    session: AsyncSession, user_id: str, settings: Settings | None
) -> tuple[PlanTier, PlanLimits]:
    tier = await plans.current_tier(session, user_id, settings)
    return tier, limits_for(tier, settings)


def exceeded(limit: str, used: int, allowed: int, resets_at: datetime | None) -> QuotaExceeded:
    when = f"; resets at {resets_at.isoformat()}" if resets_at else ""
    return QuotaExceeded(
        f"{limit.replace('_', ' ')} limit reached: {used} of {allowed} used{when}",
        code="QUOTA_EXCEEDED",
        limit=limit,
        used=used,
        allowed=allowed,
        resets_at=resets_at.isoformat() if resets_at else None,
    )


def estimated_tokens(characters: int) -> int:
    """About four characters per token (cl100k on English): cheap enough to run on every request
    and on the in-flight runs, where counting exactly would cost seconds on long inputs."""
    return -(-characters // 4)


async def ensure_can_run_ai(
    session: AsyncSession,
    user_id: str,
    settings: Settings | None = None,
    *,
    input_characters: int = 0,
) -> None:
    """Before a run or chat turn: a request must be left this month, and the tokens used, those
    of runs still in flight and this input's must fit the month's allowance.

    Runs already queued or running count as requests and (estimated) tokens in flight: their
    usage is written only when they finish, and a burst must not slip past the limit before.
    """
    await lock_user(session, user_id)
    _tier, limits = await user_limits(session, user_id, settings)
    start, end = month_bounds()
    requests, tokens, in_flight, in_flight_characters = await ai_usage_snapshot(
        session, user_id, start, end
    )
    used = requests + in_flight
    if used + 1 > limits.ai_requests:
        raise exceeded("ai_requests", used, limits.ai_requests, end)
    pending = estimated_tokens(in_flight_characters) + estimated_tokens(input_characters)
    if tokens >= limits.ai_tokens or tokens + pending > limits.ai_tokens:
        raise exceeded("ai_tokens", tokens, limits.ai_tokens, end)


async def ai_usage_snapshot(
    session: AsyncSession, user_id: str, start: datetime, end: datetime
) -> tuple[int, int, int, int]:
    """Requests and tokens billed this month, and the runs in flight with their prompt sizes.

    One statement, hence one snapshot: a worker finishing a run moves it from "in flight" to
    "billed" in one commit, and separate queries could see neither side of that commit (the
    billed sum read before it, the in-flight count after), admitting one request too many.
    """

    def billed(metric: UsageMetric) -> ScalarSelect[int]:
        return (
            select(func.coalesce(func.sum(UsageEvent.quantity), 0))
            .where(
                UsageEvent.user_id == user_id,
                UsageEvent.metric == metric,
                UsageEvent.created_at >= start,
                UsageEvent.created_at < end,
            )
            .scalar_subquery()
        )

    in_flight = (
        select(func.count(), func.coalesce(func.sum(func.char_length(Run.prompt)), 0))
        .where(
            Run.user_id == user_id,
            Run.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            Run.created_at >= start,
        )
        .subquery()
    )
    statement = select(billed(UsageMetric.AI_REQUESTS), billed(UsageMetric.AI_TOKENS), *in_flight.c)
    requests, tokens, runs, characters = (await session.execute(statement)).one()
    return int(requests or 0), int(tokens or 0), int(runs or 0), int(characters or 0)


async def max_upload_bytes(
    session: AsyncSession, user_id: str, settings: Settings | None = None
) -> int:
    """The largest file the user's plan accepts (enforced while the upload streams)."""
    _tier, limits = await user_limits(session, user_id, settings)
    return limits.max_file_bytes


async def ensure_can_store_document(
    session: AsyncSession, user_id: str, size_bytes: int, settings: Settings | None = None
) -> None:
    """In the transaction that inserts the document: one more must fit the plan's total."""
    await lock_user(session, user_id)
    _tier, limits = await user_limits(session, user_id, settings)
    if size_bytes > limits.max_file_bytes:
        raise Invalid(
            f"file is {size_bytes} bytes; the plan allows {limits.max_file_bytes}",
            code="FILE_TOO_LARGE",
        )
    stored = await session.scalar(select(func.count()).where(Document.user_id == user_id))
    if int(stored or 0) + 1 > limits.documents:
        raise exceeded("documents", int(stored or 0), limits.documents, None)
