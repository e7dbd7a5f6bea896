"""Which plan a user is on, from their subscription rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Subscription
from raypx.settings import Settings

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
    now = now or datetime.now(UTC)
    ended = subscription.current_period_end
    if subscription.cancel_at_period_end and ended is not None and now >= ended:
        return PlanTier.FREE  # cancelled at period end, before the rollover job has run
    if subscription.status in PAID_STATUSES:
        return PlanTier.PRO
    if subscription.status == SubscriptionStatus.PAST_DUE:
        # Stripe moves the period forward when the renewal it could not charge begins, so for
        # Stripe rows the unpaid time starts at the current period's start.
        if subscription.provider == "stripe" and subscription.current_period_start is not None:
            ended = subscription.current_period_start
        ended = ended or subscription.updated_at
        if ended is not None and now <= ended + past_due_grace:
            return PlanTier.PRO
    return PlanTier.FREE


async def current_tier(
    session: AsyncSession, user_id: str, settings: Settings | None = None
) -> PlanTier:
    subscriptions = (
        await session.scalars(select(Subscription).where(Subscription.user_id == user_id))
    ).all()
    grace = timedelta(days=settings.past_due_grace_days) if settings else DEFAULT_PAST_DUE_GRACE
    tiers = {effective_tier(s, past_due_grace=grace) for s in subscriptions}
    return PlanTier.PRO if PlanTier.PRO in tiers else PlanTier.FREE
