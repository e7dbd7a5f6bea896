"""Cursor pages over UUID v7 ids: ids grow with time, so `id < cursor` is the next page."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError):
        raise Invalid("cursor is not valid; use next_cursor from the previous page") from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def newest_first(statement: Select[Any], id_column: Any, cursor: str | None, limit: int) -> Any:
    """Order newest first and start after the cursor; fetch one extra row to know if more exist."""
    if cursor:
        statement = statement.where(id_column < decode_cursor(cursor))
    return statement.order_by(id_column.desc()).limit(check_limit(limit) + 1)


def to_page(rows: list[Any], limit: int) -> Page[Any]:
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, encode_cursor(items[-1].id) if more and items else None)


async def newest_page(
    session: AsyncSession, statement: Select[Any], id_column: Any, cursor: str | None, limit: int
) -> Page[Any]:
    """One page of `statement`'s rows, newest first, continuing after `cursor`."""
    rows = list((await session.scalars(newest_first(statement, id_column, cursor, limit))).all())
    return to_page(rows, limit)
