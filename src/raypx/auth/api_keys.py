"""API keys (Better Auth's @better-auth/api-key plugin): created for their owner and shown
once, then kept only as a SHA-256 (base64url, Better Auth's hashing, so keys issued by a
Better Auth deployment keep working after a move) with a visible prefix and first characters.

Permissions narrow what a key may do on the JSON API: `{"documents": ["read"]}` lets it read
documents and nothing else; no permissions means everything its owner may do.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth.config import AuthConfig, RequestMeta
from raypx.db.models import ApiKey, User
from raypx.errors import Invalid, NotFound

KEY_LENGTH = 64  # random letters after the prefix, as Better Auth's defaultKeyLength
START_LENGTH = 6
NAME_LENGTH = (1, 32)
PREFIX_LENGTH = (1, 32)
MIN_EXPIRES_IN = timedelta(days=1)  # Better Auth's keyExpiration defaults
MAX_EXPIRES_IN = timedelta(days=365)
# What permissions can name: the JSON API's areas, and reading (GET) or changing.
AREAS = frozenset({"ai", "conversations", "documents", "usage", "billing", "me"})
ACTIONS = frozenset({"read", "write"})


def hash_key(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def key_not_found() -> NotFound:
    return NotFound("API Key not found", code="KEY_NOT_FOUND")


def _invalid(code: str, message: str) -> Invalid:
    return Invalid(message, code=code)


def check_name(name: str | None) -> None:
    if name is not None and not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        raise _invalid("INVALID_NAME_LENGTH", "The name length is either too large or too small.")


def expiry(meta: RequestMeta, expires_in: float | None) -> datetime | None:
    if expires_in is None:
        return None
    span = timedelta(seconds=expires_in)
    if span < MIN_EXPIRES_IN:
        raise _invalid(
            "EXPIRES_IN_IS_TOO_SMALL",
            "The expiresIn is smaller than the predefined minimum value.",
        )
    if span > MAX_EXPIRES_IN:
        raise _invalid(
            "EXPIRES_IN_IS_TOO_LARGE", "The expiresIn is larger than the predefined maximum value."
        )
    return meta.now + span


def check_permissions(permissions: dict[str, list[str]] | None) -> None:
    for area, actions in (permissions or {}).items():
        if area not in AREAS or not set(actions) <= ACTIONS:
            allowed = ", ".join(sorted(AREAS))
            raise _invalid(
                "INVALID_PERMISSIONS",
                f"Permissions name areas ({allowed}) with actions read and write.",
            )


def check_metadata(metadata: Any) -> None:
    if metadata is not None and not isinstance(metadata, dict):
        raise _invalid("INVALID_METADATA_TYPE", "metadata must be an object or undefined")


async def create_key(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    user: User,
    *,
    name: str | None,
    prefix: str | None,
    expires_in: float | None,
    metadata: dict[str, Any] | None,
    permissions: dict[str, list[str]] | None,
) -> tuple[ApiKey, str]:
    """The row and the key in clear: the only time anyone sees it."""
    check_name(name)
    if prefix is not None and not PREFIX_LENGTH[0] <= len(prefix) <= PREFIX_LENGTH[1]:
        message = "The prefix length is either too large or too small."
        raise _invalid("INVALID_PREFIX_LENGTH", message)
    check_metadata(metadata)
    check_permissions(permissions)
    prefix = prefix or cfg.methods.api_key_prefix or None
    key = (prefix or "") + "".join(secrets.choice(string.ascii_letters) for _ in range(KEY_LENGTH))
    row = ApiKey(
        name=name,
        prefix=prefix,
        start=key[:START_LENGTH],
        key=hash_key(key),
        user_id=user.id,
        enabled=True,
        rate_limit_enabled=True,
        rate_limit_time_window=int(cfg.methods.api_key_rate_limit_window.total_seconds() * 1000),
        rate_limit_max=cfg.methods.api_key_rate_limit_max,
        request_count=0,
        expires_at=expiry(meta, expires_in),
        permissions=permissions,
        metadata_=metadata,
        created_at=meta.now,
        updated_at=meta.now,
    )
    db.add(row)
    await db.flush()
    return row, key


async def get_own_key(db: AsyncSession, user_id: str, key_id: str) -> ApiKey:
    try:
        row_id = uuid.UUID(key_id)
    except ValueError:
        raise key_not_found() from None
    row: ApiKey | None = await db.scalar(
        select(ApiKey).where(ApiKey.id == row_id, ApiKey.user_id == user_id)
    )
    if row is None:
        raise key_not_found()
    return row


async def list_keys(db: AsyncSession, user_id: str) -> Sequence[ApiKey]:
    result = await db.scalars(
        select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at, ApiKey.id)
    )
    return result.all()


async def update_key(
    db: AsyncSession,
    meta: RequestMeta,
    user_id: str,
    key_id: str,
    changes: dict[str, Any],
) -> ApiKey:
    """`changes` holds only what the client sent: name, enabled, expiresIn, metadata."""
    row = await get_own_key(db, user_id, key_id)
    if not changes:
        raise _invalid("NO_VALUES_TO_UPDATE", "No values to update.")
    if "name" in changes:
        check_name(changes["name"])
        row.name = changes["name"]
    if "enabled" in changes:
        row.enabled = bool(changes["enabled"])
    if "expires_in" in changes:
        row.expires_at = expiry(meta, changes["expires_in"])
    if "metadata" in changes:
        check_metadata(changes["metadata"])
        row.metadata_ = changes["metadata"]
    row.updated_at = meta.now
    await db.flush()
    return row


async def delete_key(db: AsyncSession, user_id: str, key_id: str) -> None:
    row = await get_own_key(db, user_id, key_id)
    await db.execute(delete(ApiKey).where(ApiKey.id == row.id))
