"""Metered usage: one row per billable event."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import Base, TextEnum, Timestamps, UUIDPrimaryKey, enum_check
from raypx.db.enums import UsageMetric


class UsageEvent(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "usage_event"
    __table_args__ = (
        enum_check("metric", UsageMetric),
        # Reports read a user's events by time range.
        Index("idx_usage_event_user_id_created_at", "user_id", "created_at"),
        Index("idx_usage_event_run_id", "run_id"),
        # A retried run must never bill twice: one event per run and metric.
        Index(
            "uidx_usage_event_run_id_metric",
            "run_id",
            "metric",
            unique=True,
            postgresql_where=text("run_id IS NOT NULL"),
        ),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    metric: Mapped[UsageMetric] = mapped_column(TextEnum(UsageMetric))
    quantity: Mapped[int]
    model: Mapped[str | None]
    feature: Mapped[str] = mapped_column(server_default="document-summary")
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(10, 4), server_default=text("0"))
