"""Subscriptions: the user's current one, manual plan changes, cancellation, period rollover.

Each user has one subscription row (created free at sign-up); plan changes update it, so the
new limits apply to the very next request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.billing import plans
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Subscription
from raypx.errors import Invalid
from raypx.settings import Settings


async def get_subscription(
    session: AsyncSession, user_id: str, *, lock: bool = False
) -> Subscription:
    """The user's subscription, made (free) if a user imported from elsewhere has none."""
    statement = (
        select(Subscription).where(Subscription.user_id == user_id).order_by(Subscription.id)
    )
    if lock:
        statement = statement.with_for_update()
    subscription = await session.scalar(statement)
    if subscription is None:
        subscription = Subscription(
            user_id=user_id, plan_tier=PlanTier.FREE, status=SubscriptionStatus.ACTIVE
        )
        session.add(subscription)
        await session.flush()
        await session.refresh(subscription)
    return subscription


async def set_plan(
    session: AsyncSession,
    user_id: str,
    tier: PlanTier,
    *,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    period_end: datetime | None = None,
    provider: str = "manual",
    now: datetime | None = None,
) -> Subscription:
    now = now or datetime.now(UTC)
    if period_end is not None and period_end.tzinfo is None:
        raise Invalid("period end must carry a time zone")
    subscription = await get_subscription(session, user_id, lock=True)
    subscription.plan_tier = tier
    subscription.status = status
    subscription.provider = provider
    subscription.cancel_at_period_end = False
    if tier is PlanTier.PRO:
        subscription.current_period_start = now
        subscription.current_period_end = period_end or next_period_end(now)
    else:
        subscription.current_period_start = None
        subscription.current_period_end = None
    await session.flush()
    return subscription


async def cancel(
    session: AsyncSession, user_id: str, *, at_period_end: bool, now: datetime | None = None
) -> Subscription:
    """Now: back to free limits at once. At period end: pro until then, free afterwards."""
    subscription = await get_subscription(session, user_id, lock=True)
    if subscription.plan_tier is PlanTier.FREE:
        raise Invalid("the free plan has nothing to cancel", code="NOTHING_TO_CANCEL")
    if at_period_end and subscription.current_period_end is not None:
        subscription.cancel_at_period_end = True
    else:
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.current_period_end = now or datetime.now(UTC)
    await session.flush()
    return subscription


def next_period_end(end: datetime) -> datetime:
    """One calendar month later, clamped to the month's last day (Jan 31 → Feb 28)."""
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    for day in (end.day, 30, 29, 28):
        try:
            return end.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


async def roll_over_periods(
    session: AsyncSession, settings: Settings | None = None, now: datetime | None = None
) -> int:
    """Periodic: end manual subscriptions whose period ended with a cancellation pending,
    renew the others for another month, and lapse past-due ones beyond the grace period."""
    now = now or datetime.now(UTC)
    grace = timedelta(days=settings.past_due_grace_days if settings else 7)
    due = (
        await session.scalars(
            select(Subscription)
            .where(
                Subscription.plan_tier == PlanTier.PRO,
                Subscription.current_period_end.is_not(None),
                Subscription.current_period_end <= now,
                Subscription.status != SubscriptionStatus.CANCELLED,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for subscription in due:
        end = subscription.current_period_end
        assert end is not None
        if subscription.cancel_at_period_end:
            subscription.status = SubscriptionStatus.CANCELLED
        elif subscription.status == SubscriptionStatus.PAST_DUE:
            if now > end + grace:
                subscription.status = SubscriptionStatus.CANCELLED
        elif (
            subscription.provider == "manual" and subscription.status == SubscriptionStatus.TRIALING
        ):
            subscription.status = SubscriptionStatus.CANCELLED  # a trial ends; it never renews
        elif subscription.provider == "manual":
            while end <= now:
                subscription.current_period_start, end = end, next_period_end(end)
            subscription.current_period_end = end
    await session.flush()
    return len(due)


def subscription_view(subscription: Subscription) -> dict[str, object]:
    return {
        "provider": subscription.provider,
        "plan_tier": subscription.plan_tier.value,
        "status": subscription.status.value,
        "current_period_start": subscription.current_period_start,
        "current_period_end": subscription.current_period_end,
        "cancel_at_period_end": subscription.cancel_at_period_end,
    }


async def describe(
    session: AsyncSession, user_id: str, settings: Settings | None
) -> dict[str, object]:
    subscription = await get_subscription(session, user_id)
    effective = await plans.current_tier(session, user_id, settings)
    return subscription_view(subscription) | {"effective_plan": effective.value}
