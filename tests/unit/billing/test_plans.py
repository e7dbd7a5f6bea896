"""Which plan a subscription gives, and how periods roll over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from raypx.billing.limits import DEFAULT_LIMITS, limits_for, month_bounds
from raypx.billing.plans import effective_tier
from raypx.billing.service import next_period_end
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Subscription
from raypx.errors import ConfigurationError
from raypx.settings import Settings

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


def subscription(
    tier: str, status: str, end: datetime | None = None, cancel: bool = False
) -> Subscription:
    return Subscription(
        user_id="u", plan_tier=PlanTier(tier), status=SubscriptionStatus(status),
        current_period_end=end, cancel_at_period_end=cancel,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("tier", "status", "end", "cancel", "expected"),
    [
        ("pro", "active", None, False, "pro"),
        ("pro", "trialing", None, False, "pro"),
        ("pro", "cancelled", None, False, "free"),
        ("free", "active", None, False, "free"),
        ("pro", "past_due", NOW - timedelta(days=3), False, "pro"),  # within 7 days' grace
        ("pro", "past_due", NOW - timedelta(days=8), False, "free"),
        ("pro", "active", NOW - timedelta(seconds=1), True, "free"),  # cancelled at period end
        ("pro", "active", NOW + timedelta(days=1), True, "pro"),
    ],
)
def test_effective_tier(
    tier: str, status: str, end: datetime | None, cancel: bool, expected: str
) -> None:
    assert effective_tier(subscription(tier, status, end, cancel), NOW).value == expected


def test_stripe_past_due_grace_counts_from_the_unpaid_period_start() -> None:
    unpaid = subscription("pro", "past_due", NOW + timedelta(days=25))
    unpaid.provider = "stripe"
    unpaid.current_period_start = NOW - timedelta(days=8)
    assert effective_tier(unpaid, NOW).value == "free"
    unpaid.current_period_start = NOW - timedelta(days=2)
    assert effective_tier(unpaid, NOW).value == "pro"


def test_month_bounds_are_utc_calendar_months() -> None:
    late_new_years_eve_in_new_york = datetime.fromisoformat("2026-12-31T22:00:00-05:00")
    start, end = month_bounds(late_new_years_eve_in_new_york)
    assert (start, end) == (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))


def test_next_period_end_clamps_to_the_month() -> None:
    assert next_period_end(datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert next_period_end(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 15, tzinfo=UTC)


def test_limits_default_and_override() -> None:
    assert limits_for(PlanTier.FREE) == DEFAULT_LIMITS[PlanTier.FREE]
    assert DEFAULT_LIMITS[PlanTier.PRO].ai_tokens == 250_000
    custom = Settings(plan_limits='{"pro": {"ai_tokens": 1000000}}')
    assert limits_for(PlanTier.PRO, custom).ai_tokens == 1_000_000
    assert limits_for(PlanTier.FREE, custom) == DEFAULT_LIMITS[PlanTier.FREE]
    with pytest.raises(ConfigurationError):
        limits_for(PlanTier.PRO, Settings(plan_limits='{"pro": {"nonsense": 1}}'))
