"""Plan limits (per calendar month in UTC unless noted) and the current billing period."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from raypx.db.enums import PlanTier


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
