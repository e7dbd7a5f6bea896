"""The migrated catalog against the spec written out as data (spec.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.db import spec


async def rows(session: AsyncSession, sql: str, **params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await session.execute(text(sql), params)]


async def test_exactly_the_spec_tables_plus_the_declared_extensions(
    session: AsyncSession,
) -> None:
    found = await rows(
        session,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version' ORDER BY 1",
    )
    assert sorted(t for (t,) in found) == sorted({*spec.ALL_TABLES, *spec.EXTENSION_TABLES})
    assert len(spec.TABLES) == 13  # the spec's own tables are untouched


@pytest.mark.parametrize("table", sorted(spec.ALL_TABLES))
async def test_columns_types_not_null_and_defaults(session: AsyncSession, table: str) -> None:
    found = await rows(
        session,
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """,
        table=f'public."{table}"',
    )
    assert found == spec.ALL_TABLES[table]


async def test_primary_keys(session: AsyncSession) -> None:
    found = await rows(
        session,
        """
        SELECT c.relname, a.attname FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
        WHERE k.contype = 'p' AND c.relnamespace = 'public'::regnamespace
          AND c.relname <> 'alembic_version'
        """,
    )
    tables = {*spec.ALL_TABLES, *spec.EXTENSION_TABLES}
    assert sorted(found) == sorted((t, "id") for t in tables)


async def test_foreign_keys_and_their_on_delete_actions(session: AsyncSession) -> None:
    found = await rows(
        session,
        """
        SELECT c.relname, a.attname, r.relname, k.confdeltype FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_class r ON r.oid = k.confrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
        """,
    )
    expected = spec.FOREIGN_KEYS | spec.PLUGIN_FOREIGN_KEYS | spec.EXTENSION_FOREIGN_KEYS
    assert {(t, c): (r, action) for t, c, r, action in found} == expected


async def test_unique_columns(session: AsyncSession) -> None:
    found = await rows(
        session,
        """
        SELECT c.relname, a.attname FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
        WHERE k.contype = 'u' AND c.relnamespace = 'public'::regnamespace
        """,
    )
    unique = spec.UNIQUE_COLUMNS | spec.PLUGIN_UNIQUE_COLUMNS
    assert {(t, c) for t, c in found if t in spec.ALL_TABLES} == unique


@pytest.mark.parametrize("name", sorted(spec.NAMED_INDEXES))
async def test_named_indexes(session: AsyncSession, name: str) -> None:
    table, columns, unique = spec.NAMED_INDEXES[name]
    found = await rows(
        session,
        """
        SELECT t.relname, array_agg(a.attname ORDER BY k.ord), x.indisunique
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE i.relname = :name GROUP BY t.relname, x.indisunique
        """,
        name=name,
    )
    assert found == [(table, columns, unique)]


async def test_queue_claim_index_is_partial_on_queued_jobs(session: AsyncSession) -> None:
    found = await rows(session, "SELECT pg_get_indexdef('idx_job_claim'::regclass)")
    definition = str(found[0][0])
    assert "(scheduled_at, id)" in definition
    assert "WHERE (status = 'queued'::text)" in definition


async def test_no_postgres_enum_types(session: AsyncSession) -> None:
    found = await rows(
        session,
        "SELECT typname FROM pg_type WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace",
    )
    assert found == []


async def test_every_table_has_the_updated_at_trigger(session: AsyncSession) -> None:
    found = await rows(
        session,
        """
        SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND p.proname = 'raypx_set_updated_at'
        """,
    )
    assert sorted(t for (t,) in found) == sorted({*spec.ALL_TABLES, *spec.EXTENSION_TABLES})
