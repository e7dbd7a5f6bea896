"""The signed-in user's own view: profile settings, plan, usage this period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.prompts import SUPPORTED_LOCALES
from raypx.ai.registry import round_cost
from raypx.ai.rewriter import Tone
from raypx.ai.runtime import AIRuntime
from raypx.billing import plans
from raypx.billing.limits import PlanLimits, limits_for, month_bounds
from raypx.db.enums import PlanTier, UsageMetric
from raypx.db.models import Profile, Subscription, UsageEvent, User
from raypx.errors import Invalid, NotFound
from raypx.settings import Settings


@dataclass(frozen=True)
class Overview:
    user: User
    profile: Profile
    subscription: Subscription | None
    tier: PlanTier
    limits: PlanLimits
    period_start: datetime
    period_end: datetime
    usage: dict[str, Any]


async def get_profile(session: AsyncSession, user_id: str) -> Profile:
    profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    if profile is None:
        # Users imported from another Better Auth deployment may have none yet.
        profile = Profile(user_id=user_id)
        session.add(profile)
        await session.flush()
        await session.refresh(profile)
    return profile


async def usage_between(
    session: AsyncSession, user_id: str, start: datetime, end: datetime
) -> dict[str, Any]:
    statement = (
        select(UsageEvent.metric, func.sum(UsageEvent.quantity), func.sum(UsageEvent.cost_usd))
        .where(
            UsageEvent.user_id == user_id,
            UsageEvent.created_at >= start,
            UsageEvent.created_at < end,
        )
        .group_by(UsageEvent.metric)
    )
    totals: dict[str, Any] = {m.value: 0 for m in UsageMetric}
    cost = Decimal(0)
    for metric, quantity, metric_cost in (await session.execute(statement)).all():
        totals[UsageMetric(metric).value] = int(quantity or 0)
        cost += metric_cost or 0
    totals["cost_usd"] = str(round_cost(cost))
    return totals


async def overview(
    session: AsyncSession, user_id: str, settings: Settings | None = None
) -> Overview:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found", code="USER_NOT_FOUND")
    profile = await get_profile(session, user_id)
    subscription = await session.scalar(
        select(Subscription).where(Subscription.user_id == user_id).order_by(Subscription.id.desc())
    )
    tier = await plans.current_tier(session, user_id, settings)
    start, end = month_bounds()
    return Overview(
        user, profile, subscription, tier, limits_for(tier, settings), start, end,
        await usage_between(session, user_id, start, end),
    )  # fmt: skip


async def update_profile(
    session: AsyncSession,
    runtime: AIRuntime,
    user_id: str,
    *,
    default_model: str | None = None,
    preferred_locale: str | None = None,
    output_tone: str | None = None,
    marketing_opt_in: bool | None = None,
) -> Profile:
    profile = await get_profile(session, user_id)
    if default_model is not None:
        tier = await plans.current_tier(session, user_id, runtime.settings)
        profile.default_model = runtime.registry.resolve(default_model, tier).name
    if preferred_locale is not None:
        if preferred_locale not in SUPPORTED_LOCALES:
            supported = ", ".join(sorted(SUPPORTED_LOCALES))
            raise Invalid(
                f"preferred_locale must be one of: {supported}", code="UNSUPPORTED_LOCALE"
            )
        profile.preferred_locale = preferred_locale
    if output_tone is not None:
        if output_tone not in {t.value for t in Tone}:
            tones = ", ".join(t.value for t in Tone)
            raise Invalid(f"output_tone must be one of: {tones}", code="INVALID_TONE")
        profile.output_tone = output_tone
    if marketing_opt_in is not None:
        profile.marketing_opt_in = marketing_opt_in
    await session.flush()
    return profile
