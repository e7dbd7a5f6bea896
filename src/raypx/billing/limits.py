"""Plan limits (per calendar month in UTC unless noted) and the current billing period."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from raypx.db.enums import PlanTier
from raypx.errors import ConfigurationError
from raypx.settings import Settings


@dataclass(frozen=True)
class PlanLimits:
    ai_tokens: int
    ai_requests: int
    documents: int  # stored in total, not per month
    max_file_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


MB = 1024 * 1024
DEFAULT_LIMITS = {
    PlanTier.FREE: PlanLimits(
        ai_tokens=25_000, ai_requests=100, documents=25, max_file_bytes=2 * MB
    ),
    PlanTier.PRO: PlanLimits(
        ai_tokens=250_000, ai_requests=2_000, documents=2_000, max_file_bytes=25 * MB
    ),
}


def limits_for(tier: PlanTier, settings: Settings | None = None) -> PlanLimits:
    """The plan's limits: the defaults above, overridden by RAYPX_PLAN_LIMITS when set."""
    limits = DEFAULT_LIMITS[tier]
    if settings is not None and settings.plan_limits:
        try:
            overrides = json.loads(settings.plan_limits).get(tier.value, {})
            limits = replace(limits, **{k: int(v) for k, v in overrides.items()})
        except (ValueError, TypeError, AttributeError) as exc:
            raise ConfigurationError(f"RAYPX_PLAN_LIMITS is not valid: {exc}") from None
    return limits


def month_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month containing `now`, in UTC."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end
