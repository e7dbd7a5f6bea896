"""Rows that belong to a user: found by id *and* owner, so another user's id answers exactly
like a missing one (the same 404, message and code)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.base import Base
from raypx.errors import NotFound

Owned = TypeVar("Owned", bound=Base)


async def get_owned(
    session: AsyncSession,
    model: type[Owned],
    row_id: uuid.UUID,
    user_id: str,
    *,
    name: str,
    lock: bool = False,
) -> Owned:
    """The `model` row `row_id` owned by `user_id`, or NotFound `<NAME>_NOT_FOUND`."""
    table: Any = model  # every owned model has `id` and `user_id` columns
    statement = select(model).where(table.id == row_id, table.user_id == user_id)
    if lock:
        statement = statement.with_for_update()
    row = await session.scalar(statement.execution_options(populate_existing=True))
    if row is None:
        raise NotFound(f"{name} not found", code=f"{name.upper()}_NOT_FOUND")
    return row
