"""NOT NULL, defaults, uniques and ON DELETE actions, exercised with real rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from psycopg import errors as pg
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.db import spec
from tests.integration.db.rows import (
    column,
    exists,
    insert,
    insert_row,
    required_values,
    user_with_everything,
)

PARENTS_NEEDED = {
    "message": ("conversation",),
    "artifact": ("run",),
}
REQUIRED = [
    (table, name)
    for table, columns in spec.TABLES.items()
    for name, _type, not_null, default in columns
    if not_null and default is None and name != "id"
]


async def parents_for(session: AsyncSession, table: str) -> dict[str, Any]:
    parents: dict[str, Any] = {"user": await insert_row(session, "user", {})}
    for parent in PARENTS_NEEDED.get(table, ()):
        parents[parent] = await insert_row(session, parent, parents)
    return parents


@pytest.mark.parametrize(("table", "name"), REQUIRED)
async def test_required_column_rejects_null(session: AsyncSession, table: str, name: str) -> None:
    parents = await parents_for(session, table)
    values = required_values(table, parents) | {name: None}
    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await insert(session, table, values)
    assert isinstance(caught.value.orig, pg.NotNullViolation)


EXPECTED_DEFAULTS: dict[str, dict[str, Any]] = {
    "user": {"email_verified": False, "image": None},
    "session": {"ip_address": None, "user_agent": None},
    "profile": {
        "default_model": "mock:raypx-1",
        "preferred_locale": "en-US",
        "output_tone": "professional",
        "marketing_opt_in": False,
    },
    "subscription": {
        "provider": "manual",
        "plan_tier": "free",
        "status": "trialing",
        "current_period_start": None,
        "current_period_end": None,
        "cancel_at_period_end": False,
    },
    "conversation": {"task": "summarize", "status": "active"},
    "message": {"model": None},
    "document": {
        "content_type": "text/plain",
        "size_bytes": 0,
        "status": "uploaded",
        "summary": None,
        "metadata": {},
    },
    "run": {
        "feature": "document-summary",
        "status": "queued",
        "conversation_id": None,
        "document_id": None,
        "response_text": None,
        "error_message": None,
    },
    "artifact": {"kind": "summary", "metadata": {}},
    "usage_event": {
        "run_id": None,
        "model": None,
        "feature": "document-summary",
        "cost_usd": Decimal("0.0000"),
    },
    "job": {
        "user_id": None,
        "run_id": None,
        "status": "queued",
        "attempts": 0,
        "payload": {},
        "result": None,
        "error_message": None,
    },
}


@pytest.mark.parametrize("table", sorted(spec.TABLES))
async def test_defaults_fill_omitted_columns(session: AsyncSession, table: str) -> None:
    parents = await parents_for(session, table)
    row_id = await insert_row(session, table, parents)
    row = await session.execute(text(f'SELECT * FROM "{table}" WHERE id = :id'), {"id": row_id})
    values = dict(row.mappings().one())
    for name, expected in EXPECTED_DEFAULTS.get(table, {}).items():
        assert values[name] == expected, name
    now = (await session.execute(text("SELECT now()"))).scalar_one()
    assert values["created_at"] == now
    assert values["updated_at"] == now
    if "scheduled_at" in values:
        assert values["scheduled_at"] == now
    if "last_active" in values:
        assert values["last_active"] == now


async def test_unique_email_token_profile_storage_key_and_provider_account(
    session: AsyncSession,
) -> None:
    ids = await user_with_everything(session)
    other = await insert_row(session, "user", {})
    duplicates = [
        (
            "user",
            required_values("user", {})
            | {"email": await column(session, "user", "email", ids["user"])},
        ),
        (
            "session",
            required_values("session", {"user": other})
            | {"token": await column(session, "session", "token", ids["session"])},
        ),
        ("profile", required_values("profile", {"user": ids["user"]})),
        (
            "document",
            required_values("document", {"user": other})
            | {"storage_key": await column(session, "document", "storage_key", ids["document"])},
        ),
        (
            "account",
            required_values("account", {"user": other})
            | {"account_id": await column(session, "account", "account_id", ids["account"])},
        ),
    ]
    for table, values in duplicates:
        with pytest.raises(IntegrityError) as caught:
            async with session.begin_nested():
                await insert(session, table, values)
        assert isinstance(caught.value.orig, pg.UniqueViolation), table


async def test_same_account_id_under_another_provider_is_allowed(session: AsyncSession) -> None:
    ids = await user_with_everything(session)
    account_id = await column(session, "account", "account_id", ids["account"])
    values = required_values("account", ids) | {"account_id": account_id, "provider_id": "github"}
    assert await insert(session, "account", values)


async def test_deleting_a_user_removes_their_rows_and_detaches_their_jobs(
    session: AsyncSession,
) -> None:
    ids = await user_with_everything(session)
    bystander = await user_with_everything(session)
    await session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": ids["user"]})

    for table in (
        "session",
        "account",
        "profile",
        "subscription",
        "conversation",
        "message",
        "document",
        "run",
        "artifact",
        "usage_event",
    ):
        assert not await exists(session, table, ids[table]), table
    assert await exists(session, "job", ids["job"])
    assert await column(session, "job", "user_id", ids["job"]) is None
    assert await column(session, "job", "run_id", ids["job"]) is None
    for table, row_id in bystander.items():
        assert await exists(session, table, row_id), f"bystander's {table} was deleted"


async def test_deleting_a_conversation_keeps_its_runs(session: AsyncSession) -> None:
    ids = await user_with_everything(session)
    await session.execute(
        text("DELETE FROM conversation WHERE id = :id"), {"id": ids["conversation"]}
    )
    assert not await exists(session, "message", ids["message"])
    assert await exists(session, "run", ids["run"])
    assert await column(session, "run", "conversation_id", ids["run"]) is None
    assert await column(session, "run", "document_id", ids["run"]) == ids["document"]


async def test_deleting_a_document_keeps_its_runs(session: AsyncSession) -> None:
    ids = await user_with_everything(session)
    await session.execute(text("DELETE FROM document WHERE id = :id"), {"id": ids["document"]})
    assert await exists(session, "run", ids["run"])
    assert await column(session, "run", "document_id", ids["run"]) is None


async def test_deleting_a_run_removes_artifacts_and_keeps_usage_and_jobs(
    session: AsyncSession,
) -> None:
    ids = await user_with_everything(session)
    await session.execute(text("DELETE FROM run WHERE id = :id"), {"id": ids["run"]})
    assert not await exists(session, "artifact", ids["artifact"])
    assert await column(session, "usage_event", "run_id", ids["usage_event"]) is None
    assert await column(session, "job", "run_id", ids["job"]) is None
    assert await exists(session, "job", ids["job"])
