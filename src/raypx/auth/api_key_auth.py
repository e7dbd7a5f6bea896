"""A request authenticated by an API key: checked (known, enabled, unexpired, permitted),
counted against the key's own rate limit and usage allowance in one atomic UPDATE, then
treated as its owner, exactly as a session of theirs would be (ownership, metering, quotas).
"""

from __future__ import annotations

import hmac
import math
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth.api_keys import hash_key
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import Authenticated
from raypx.db.models import ApiKey, Session, User
from raypx.errors import Forbidden, RaypxError, Unauthorized

# One statement, so concurrent requests can never push a key past its limit: the row lock
# serialises them and each re-checks the WHERE clause against the count the last one left.
CONSUME = text(
    """
    UPDATE api_key SET
      request_count = CASE
        WHEN NOT limited THEN request_count
        WHEN fresh THEN 1
        ELSE request_count + 1 END,
      window_started_at = CASE WHEN limited AND fresh THEN :now ELSE window_started_at END,
      last_request = :now,
      remaining = CASE WHEN remaining IS NULL THEN NULL ELSE remaining - 1 END
    FROM (
      SELECT id AS key_id,
        rate_limit_enabled AND rate_limit_max IS NOT NULL
          AND rate_limit_time_window IS NOT NULL AS limited,
        window_started_at IS NULL
          OR window_started_at <= :now - rate_limit_time_window * interval '1 millisecond'
          AS fresh
      FROM api_key WHERE id = :id FOR UPDATE
    ) AS state
    WHERE api_key.id = state.key_id
      AND (remaining IS NULL OR remaining > 0)
      AND (NOT state.limited OR state.fresh OR request_count < rate_limit_max)
    RETURNING api_key.id
    """
)


class KeyRateLimited(RaypxError):
    status_code = 429
    default_code = "RATE_LIMITED"


def invalid_key() -> Unauthorized:
    return Unauthorized("Invalid API key.", code="INVALID_API_KEY")


def area_of(path: str) -> str:
    """The JSON API area a path belongs to, as permissions name them."""
    first = path.removeprefix("/api/").split("/", 1)[0]
    return "ai" if first in ("models", "runs", "artifacts") else first


def _check_permission(row: ApiKey, path: str, method: str) -> None:
    if row.permissions is None:
        return
    action = "read" if method in ("GET", "HEAD") else "write"
    area = area_of(path)
    if action not in row.permissions.get(area, []):
        raise Forbidden(f"This API key may not {action} {area}.", code="API_KEY_PERMISSION_DENIED")


async def _refusal(db: AsyncSession, row: ApiKey, now: datetime) -> RaypxError:
    await db.refresh(row)
    if row.remaining is not None and row.remaining <= 0:
        limited = KeyRateLimited("API Key has reached its usage limit", code="USAGE_EXCEEDED")
        return limited
    window_ms = row.rate_limit_time_window or 0
    started = row.window_started_at or now
    left = window_ms - (now - started).total_seconds() * 1000
    return KeyRateLimited("Rate limit exceeded.", details={"tryAgainIn": max(1, math.ceil(left))})


async def authenticate_key(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, key: str, *, path: str, method: str
) -> Authenticated:
    hashed = hash_key(key)
    found = (
        await db.execute(
            select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key == hashed)
        )
    ).one_or_none()
    if found is None:
        raise invalid_key()
    row, user = found
    if not hmac.compare_digest(row.key, hashed):  # the index matched; say so in constant time
        raise invalid_key()
    if not row.enabled:
        raise Unauthorized("API Key is disabled", code="KEY_DISABLED")
    if row.expires_at is not None and row.expires_at <= meta.now:
        raise Unauthorized("API Key has expired", code="KEY_EXPIRED")
    _check_permission(row, path, method)
    consumed = await db.scalar(CONSUME, {"id": row.id, "now": meta.now})
    if consumed is None:
        raise await _refusal(db, row, meta.now)
    # The owner's identity for this request only: nothing is written to `session`.
    session = Session(
        id=row.id,
        token="",
        user_id=user.id,
        expires_at=row.expires_at or meta.now + cfg.expires_in,
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        last_active=meta.now,
        created_at=meta.now,
        updated_at=meta.now,
    )
    return Authenticated(user, session, token="")
