"""Usage reports: totals and cost over a UTC time range, grouped by metric, model, feature or day.

Usage is billed by when it happened, in UTC: ranges are half-open [from, to) on `created_at`,
and days are UTC days. The query reads one user's events through
`idx_usage_event_user_id_created_at`, so it stays fast as the table grows with other users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, cast, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.billing.limits import month_bounds
from raypx.db.engine import SessionFactory
from raypx.db.models import UsageEvent
from raypx.errors import Invalid

MAX_RANGE = timedelta(days=400)


class GroupBy(StrEnum):
    METRIC = "metric"
    MODEL = "model"
    FEATURE = "feature"
    DAY = "day"


@dataclass(frozen=True)
class ReportRow:
    key: str | None
    metric: str
    quantity: int
    cost_usd: Decimal
    events: int


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    group_by: GroupBy
    rows: list[ReportRow]
    totals: dict[str, int]
    cost_usd: Decimal


def parse_instant(value: str, *, name: str) -> datetime:
    """`2026-03-01` (midnight UTC) or an ISO datetime; a naive datetime is taken as UTC."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be an ISO date or date-time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def resolve_range(
    start: str | None, end: str | None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """Explicit bounds, or the current calendar month (UTC) when both are omitted."""
    month_start, month_end = month_bounds(now)
    lower = parse_instant(start, name="from") if start else month_start
    upper = (
        parse_instant(end, name="to")
        if end
        else (month_end if not start else lower + timedelta(days=31))
    )
    if upper <= lower:
        raise Invalid("`to` must be after `from`", code="INVALID_RANGE")
    if upper - lower > MAX_RANGE:
        raise Invalid(f"a report covers at most {MAX_RANGE.days} days", code="INVALID_RANGE")
    return lower.astimezone(UTC), upper.astimezone(UTC)


def month_range(month: str) -> tuple[datetime, datetime]:
    """`YYYY-MM` → that calendar month in UTC."""
    try:
        first = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise Invalid(f"month must look like 2026-03, got {month!r}") from None
    return month_bounds(first)


async def build_report(
    session: AsyncSession,
    user_id: str | None,
    start: datetime,
    end: datetime,
    group_by: GroupBy = GroupBy.METRIC,
) -> Report:
    """One user's report, or every user's when `user_id` is None (operators, from the CLI)."""
    key_column: Any = {
        GroupBy.METRIC: None,
        GroupBy.MODEL: UsageEvent.model,
        GroupBy.FEATURE: UsageEvent.feature,
        GroupBy.DAY: cast(func.timezone("UTC", UsageEvent.created_at), Date),
    }[group_by]
    columns: list[Any] = [
        UsageEvent.metric,
        func.sum(UsageEvent.quantity),
        func.sum(UsageEvent.cost_usd),
        func.count(),
    ]
    statement = select(*columns).where(UsageEvent.created_at >= start, UsageEvent.created_at < end)
    if user_id is not None:
        statement = statement.where(UsageEvent.user_id == user_id)
    if key_column is not None:
        statement = statement.add_columns(key_column.label("key")).group_by(
            key_column, UsageEvent.metric
        )
        statement = statement.order_by(key_column, UsageEvent.metric)
    else:
        statement = statement.group_by(UsageEvent.metric).order_by(UsageEvent.metric)
    rows: list[ReportRow] = []
    totals: dict[str, int] = {}
    cost = Decimal(0)
    for record in (await session.execute(statement)).all():
        metric, quantity, metric_cost, count = record[0], record[1], record[2], record[3]
        key = record[4] if key_column is not None else metric
        rows.append(
            ReportRow(
                key=None if key is None else str(key),
                metric=str(metric),
                quantity=int(quantity or 0),
                cost_usd=Decimal(metric_cost or 0),
                events=int(count),
            )
        )
        totals[str(metric)] = totals.get(str(metric), 0) + int(quantity or 0)
        cost += Decimal(metric_cost or 0)
    return Report(start, end, group_by, rows, totals, cost)


async def export_events(
    factory: SessionFactory, user_id: str, start: datetime, end: datetime, batch: int = 5000
) -> AsyncIterator[list[UsageEvent]]:
    """The user's events in the range, oldest first, in batches (keyset, never OFFSET).

    Each batch is read in a short session of its own, so a slow download never pins a
    connection (or a transaction) for its whole length.
    """
    after = None
    while True:
        statement = (
            select(UsageEvent)
            .where(
                UsageEvent.user_id == user_id,
                UsageEvent.created_at >= start,
                UsageEvent.created_at < end,
            )
            .order_by(UsageEvent.created_at, UsageEvent.id)
            .limit(batch)
        )
        if after is not None:
            statement = statement.where(
                tuple_(UsageEvent.created_at, UsageEvent.id) > tuple_(*after)
            )
        async with factory() as session:
            events = list((await session.scalars(statement)).all())
        if not events:
            return
        yield events
        after = (events[-1].created_at, events[-1].id)
