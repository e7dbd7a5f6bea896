"""UUID v7 keys, `updated_at` on every write (ORM and plain SQL), and checked text enums."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from psycopg import errors as pg
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.enums import JobStatus
from raypx.db.models import Job, User
from tests.integration.db import spec
from tests.integration.db.rows import insert_row

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


async def now(session: AsyncSession) -> datetime:
    return (await session.execute(text("SELECT now()"))).scalar_one()


async def test_orm_update_refreshes_updated_at(session: AsyncSession) -> None:
    user = User(id="u_orm", name="Ada", email="ada-orm@example.com")
    session.add(user)
    await session.flush()
    await session.execute(
        text("UPDATE \"user\" SET updated_at = :t WHERE id = 'u_orm'"), {"t": LONG_AGO}
    )
    await session.refresh(user)
    assert user.updated_at == LONG_AGO

    user.name = "Ada Lovelace"
    await session.flush()
    assert user.updated_at == await now(session)


@pytest.mark.parametrize("table", sorted(spec.TABLES))
async def test_plain_sql_update_refreshes_updated_at(session: AsyncSession, table: str) -> None:
    parents: dict[str, object] = {"user": await insert_row(session, "user", {})}
    for parent in {"message": ["conversation"], "artifact": ["run"]}.get(table, []):
        parents[parent] = await insert_row(session, parent, parents)
    row_id = parents["user"] if table == "user" else await insert_row(session, table, parents)
    await session.execute(
        text(f'UPDATE "{table}" SET updated_at = :t WHERE id = :id'), {"t": LONG_AGO, "id": row_id}
    )
    # An update that does not mention updated_at gets it refreshed by the trigger.
    await session.execute(
        text(f'UPDATE "{table}" SET created_at = created_at WHERE id = :id'), {"id": row_id}
    )
    updated = (
        await session.execute(
            text(f'SELECT updated_at FROM "{table}" WHERE id = :id'), {"id": row_id}
        )
    ).scalar_one()
    assert updated == await now(session)


async def test_ids_are_uuid_v7_time_ordered_and_monotonic(session: AsyncSession) -> None:
    before = datetime.now(UTC)
    jobs = [Job(type="test.order") for _ in range(2000)]
    session.add_all(jobs)
    await session.flush()
    ids = [job.id for job in jobs]

    assert all(isinstance(i, uuid.UUID) and i.version == 7 for i in ids)
    assert all(i.variant == uuid.RFC_4122 for i in ids)
    # 2,000 ids are made within a few milliseconds: still strictly increasing.
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    millis = ids[0].int >> 80
    stamped = datetime.fromtimestamp(millis / 1000, UTC)
    assert before - timedelta(seconds=1) <= stamped <= datetime.now(UTC) + timedelta(seconds=1)

    stored = (
        (await session.execute(select(Job.id).where(Job.type == "test.order").order_by(Job.id)))
        .scalars()
        .all()
    )
    assert stored == ids


async def test_orm_rejects_a_value_outside_the_enum(session: AsyncSession) -> None:
    session.add(Job(type="test.bad", status="sleeping"))
    with pytest.raises(StatementError, match=r"'sleeping' is not a valid JobStatus \(allowed: "):
        await session.flush()


async def test_orm_reads_enum_columns_as_enum_members(session: AsyncSession) -> None:
    job = Job(type="test.enum")
    session.add(job)
    await session.flush()
    await session.refresh(job)
    assert job.status is JobStatus.QUEUED


@pytest.mark.parametrize(("table", "name"), sorted(spec.ENUM_COLUMNS))
async def test_plain_sql_cannot_store_a_value_outside_the_enum(
    session: AsyncSession, table: str, name: str
) -> None:
    parents: dict[str, object] = {"user": await insert_row(session, "user", {})}
    for parent in {"message": ["conversation"], "artifact": ["run"]}.get(table, []):
        parents[parent] = await insert_row(session, parent, parents)
    row_id = await insert_row(session, table, parents)
    for allowed in spec.ENUM_COLUMNS[(table, name)]:
        await session.execute(
            text(f'UPDATE "{table}" SET "{name}" = :v WHERE id = :id'), {"v": allowed, "id": row_id}
        )
    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await session.execute(
                text(f'UPDATE "{table}" SET "{name}" = :v WHERE id = :id'),
                {"v": "bogus", "id": row_id},
            )
    assert isinstance(caught.value.orig, pg.CheckViolation)
