"""Tables of Better Auth's plugins, beside the spec's 13 (migration 0002_auth_plugins): API
keys, two-factor, passkeys. In the spec's style; every row belongs to a user, goes with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint, false, text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import Base, Timestamps, UUIDPrimaryKey


class ApiKey(UUIDPrimaryKey, Timestamps, Base):
    """Better Auth's `apikey`. `key` is the SHA-256 of the secret (base64url, as Better Auth
    hashes it); `start` its first characters, shown so people can tell keys apart."""

    __tablename__ = "api_key"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("idx_api_key_user_id", "user_id"),
    )

    name: Mapped[str | None]
    start: Mapped[str | None]
    prefix: Mapped[str | None]
    key: Mapped[str]
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(server_default=true(), default=True)
    rate_limit_enabled: Mapped[bool] = mapped_column(server_default=true(), default=True)
    rate_limit_time_window: Mapped[int | None]  # milliseconds, as Better Auth counts them
    rate_limit_max: Mapped[int | None]
    request_count: Mapped[int] = mapped_column(server_default=text("0"), default=0)
    remaining: Mapped[int | None]
    refill_interval: Mapped[int | None]  # milliseconds
    refill_amount: Mapped[int | None]
    last_refill_at: Mapped[datetime | None]
    last_request: Mapped[datetime | None]
    # Start of the current rate-limit window (fixed windows: steady traffic still resets).
    window_started_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    permissions: Mapped[dict[str, Any] | None]
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata")


class TwoFactor(UUIDPrimaryKey, Timestamps, Base):
    """Better Auth's `twoFactor`, plus `enabled` (its `user.twoFactorEnabled`: the spec's
    `user` table stays as it is). `secret` is the TOTP secret sealed by the token cipher;
    `backup_codes` holds HMACs of the unused backup codes, never the codes."""

    __tablename__ = "two_factor"
    __table_args__ = (UniqueConstraint("user_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(server_default=false(), default=False)
    secret: Mapped[str | None]
    verified: Mapped[bool] = mapped_column(server_default=false(), default=False)
    backup_codes: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    failed_verification_count: Mapped[int] = mapped_column(server_default=text("0"), default=0)
    locked_until: Mapped[datetime | None]


class Passkey(UUIDPrimaryKey, Timestamps, Base):
    """Better Auth's `passkey`: a WebAuthn credential's public key (base64) and counter."""

    __tablename__ = "passkey"
    __table_args__ = (
        UniqueConstraint("credential_id"),
        Index("idx_passkey_user_id", "user_id"),
    )

    name: Mapped[str | None]
    public_key: Mapped[str]
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    credential_id: Mapped[str]  # base64url, as browsers and Better Auth name it
    counter: Mapped[int] = mapped_column(server_default=text("0"), default=0)
    device_type: Mapped[str]
    backed_up: Mapped[bool] = mapped_column(server_default=false(), default=False)
    transports: Mapped[str | None]
    aaguid: Mapped[str | None]


__all__ = ["ApiKey", "Passkey", "TwoFactor"]
