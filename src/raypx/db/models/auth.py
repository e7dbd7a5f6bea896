"""Better Auth's tables: user, session, account, verification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import Base, Timestamps, UUIDPrimaryKey


class User(Timestamps, Base):
    __tablename__ = "user"
    __table_args__ = (
        UniqueConstraint("email"),
        Index("idx_user_email", "email"),
    )

    # Text ids issued by the auth layer, as Better Auth issues them.
    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str]
    email_verified: Mapped[bool] = mapped_column(server_default=false(), default=False)
    image: Mapped[str | None]


class Session(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("token"),
        Index("idx_session_token", "token"),
        Index("idx_session_user_id", "user_id"),
    )

    token: Mapped[str]
    expires_at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    ip_address: Mapped[str | None]
    user_agent: Mapped[str | None]
    last_active: Mapped[datetime] = mapped_column(server_default=func.now())


class Account(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "account"
    __table_args__ = (
        Index("uidx_account_provider_account", "provider_id", "account_id", unique=True),
        Index("idx_account_user_id", "user_id"),
    )

    account_id: Mapped[str]
    provider_id: Mapped[str]
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    access_token: Mapped[str | None]
    refresh_token: Mapped[str | None]
    id_token: Mapped[str | None]
    password: Mapped[str | None]
    scope: Mapped[str | None]


class Verification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "verification"
    __table_args__ = (Index("idx_verification_identifier", "identifier"),)

    identifier: Mapped[str]
    value: Mapped[str]
    expires_at: Mapped[datetime]


__all__ = ["Account", "Session", "User", "Verification"]
