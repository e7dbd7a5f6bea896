"""Which plan a user is on, from their subscription rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Subscription

PAID_STATUSES = {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE}
DEFAULT_PAST_DUE_GRACE = timedelta(days=7)


def effective_tier(
    subscription: Subscription,
    now: datetime | None = None,
    past_due_grace: timedelta = DEFAULT_PAST_DUE_GRACE,
) -> PlanTier:
    """`pro` only for a pro subscription that is trialing or active, or past due within the
    grace period after its period ended; anything else gets the free limits."""
    if subscription.plan_tier != PlanTier.PRO:
        return PlanTier.FREE
    if subscription.status in PAID_STATUSES:
        return PlanTier.PRO
    if subscription.status == SubscriptionStatus.PAST_DUE:
        now = now or datetime.now(UTC)
        ended = subscription.current_period_end or subscription.updated_at
        if ended is not None and now <= ended + past_due_grace:
            return PlanTier.PRO
    return PlanTier.FREE


async def current_tier(session: AsyncSession, user_id: str) -> PlanTier:
    subscriptions = (
        await session.scalars(select(Subscription).where(Subscription.user_id == user_id))
    ).all()
    tiers = {effective_tier(s) for s in subscriptions}
    return PlanTier.PRO if PlanTier.PRO in tiers else PlanTier.FREE
