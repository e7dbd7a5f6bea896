"""Minimal valid rows for every table, inserted with plain SQL (no ORM defaults involved)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.base import new_uuid7

FAR_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


def required_values(table: str, parents: dict[str, Any]) -> dict[str, Any]:
    """Values for every NOT NULL column without a default, for one row of `table`."""
    tag = secrets.token_hex(6)
    user_id = parents.get("user")
    values: dict[str, dict[str, Any]] = {
        "user": {"id": f"u_{tag}", "name": "Ada", "email": f"ada_{tag}@example.com"},
        "session": {"token": f"tok_{tag}", "expires_at": FAR_FUTURE, "user_id": user_id},
        "account": {"account_id": tag, "provider_id": "credential", "user_id": user_id},
        "verification": {"identifier": "ada@example.com", "value": tag, "expires_at": FAR_FUTURE},
        "profile": {"user_id": user_id},
        "subscription": {"user_id": user_id},
        "conversation": {"user_id": user_id, "title": "Chat"},
        "message": {
            "conversation_id": parents.get("conversation"),
            "user_id": user_id,
            "role": "user",
            "content": "hello",
        },
        "document": {"user_id": user_id, "title": "Doc", "storage_key": f"key/{tag}"},
        "run": {"user_id": user_id, "model": "mock:raypx-1", "prompt": "Summarise"},
        "artifact": {
            "user_id": user_id,
            "run_id": parents.get("run"),
            "title": "Summary",
            "content": "Short.",
        },
        "usage_event": {"user_id": user_id, "metric": "ai_requests", "quantity": 1},
        "job": {"type": "test.noop"},
    }
    row = values[table]
    if table != "user":
        row = {"id": new_uuid7(), **row}
    return row


async def insert(session: AsyncSession, table: str, values: dict[str, Any]) -> Any:
    columns = ", ".join(f'"{c}"' for c in values)
    params = ", ".join(f":{c}" for c in values)
    statement = text(f'INSERT INTO "{table}" ({columns}) VALUES ({params}) RETURNING id')
    return (await session.execute(statement, values)).scalar_one()


async def insert_row(session: AsyncSession, table: str, parents: dict[str, Any]) -> Any:
    return await insert(session, table, required_values(table, parents))


async def user_with_everything(session: AsyncSession) -> dict[str, Any]:
    """A user owning one row in every table, linked the way the product links them."""
    ids: dict[str, Any] = {}
    ids["user"] = await insert_row(session, "user", ids)
    for table in (
        "session",
        "account",
        "profile",
        "subscription",
        "conversation",
        "message",
        "document",
    ):
        ids[table] = await insert_row(session, table, ids)
    run = required_values("run", ids) | {
        "conversation_id": ids["conversation"],
        "document_id": ids["document"],
    }
    ids["run"] = await insert(session, "run", run)
    ids["artifact"] = await insert_row(session, "artifact", ids)
    usage = required_values("usage_event", ids) | {"run_id": ids["run"]}
    ids["usage_event"] = await insert(session, "usage_event", usage)
    job = required_values("job", ids) | {"user_id": ids["user"], "run_id": ids["run"]}
    ids["job"] = await insert(session, "job", job)
    return ids


async def exists(session: AsyncSession, table: str, row_id: Any) -> bool:
    found = await session.execute(text(f'SELECT 1 FROM "{table}" WHERE id = :id'), {"id": row_id})
    return found.first() is not None


async def column(session: AsyncSession, table: str, name: str, row_id: Any) -> Any:
    found = await session.execute(
        text(f'SELECT "{name}" FROM "{table}" WHERE id = :id'), {"id": row_id}
    )
    return found.scalar_one()


__all__ = ["column", "exists", "insert", "insert_row", "user_with_everything"]
