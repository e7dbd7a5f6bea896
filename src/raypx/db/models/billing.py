"""Per-user settings and billing state: profile, subscription."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import Base, TextEnum, Timestamps, UUIDPrimaryKey, enum_check
from raypx.db.enums import PlanTier, SubscriptionStatus


class Profile(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("user_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    default_model: Mapped[str] = mapped_column(server_default="mock:raypx-1")
    preferred_locale: Mapped[str] = mapped_column(server_default="en-US")
    output_tone: Mapped[str] = mapped_column(server_default="professional")
    marketing_opt_in: Mapped[bool] = mapped_column(server_default=false())


class Subscription(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "subscription"
    __table_args__ = (
        enum_check("plan_tier", PlanTier),
        enum_check("status", SubscriptionStatus),
        Index("idx_subscription_user_id", "user_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(server_default="manual")
    plan_tier: Mapped[PlanTier] = mapped_column(TextEnum(PlanTier), server_default=PlanTier.FREE)
    status: Mapped[SubscriptionStatus] = mapped_column(
        TextEnum(SubscriptionStatus), server_default=SubscriptionStatus.TRIALING
    )
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=false())
