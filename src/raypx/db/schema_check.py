"""`raypx db check`: compare the live database with what the models declare.

Rather than re-implementing how PostgreSQL renders types and defaults, the reference schema is
built by PostgreSQL itself: inside a transaction that is always rolled back, the models are
created in a scratch schema, then both schemas are read from the catalog the same way and
compared. Every difference is named: a missing table or column, a drifted type, NULL-ability or
default, a missing or different constraint, index or trigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

import raypx.db.models  # noqa: F401  (fills the metadata)
from raypx.db.base import Base

SCRATCH_SCHEMA = "raypx_schema_check"
IGNORED_TABLES = {"alembic_version"}

COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = :schema AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
"""
CONSTRAINTS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
-- PostgreSQL 18 lists NOT NULL as constraints too; columns already compare NULL-ability.
WHERE n.nspname = :schema AND k.contype <> 'n'
"""
INDEXES = """
SELECT c.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema
"""
TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema AND NOT t.tgisinternal
"""
TABLE_OPTIONS = """
SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema AND c.relkind = 'r'
"""


@dataclass
class Snapshot:
    """What the catalog says about one schema, keyed for comparison."""

    tables: dict[str, str]  # table -> storage options
    columns: dict[tuple[str, str], tuple[str, bool, str | None]]
    constraints: dict[tuple[str, str], str]
    indexes: dict[tuple[str, str], str]
    triggers: dict[tuple[str, str], str]


def read_snapshot(conn: Connection, schema: str) -> Snapshot:
    def rows(sql: str) -> list[Any]:
        return list(conn.execute(text(sql), {"schema": schema}))

    # Definitions mention the schema ("ON public.job", "ON raypx_schema_check.job"); drop it.
    def local(definition: str) -> str:
        return definition.replace(f"{schema}.", "").replace(f'"{schema}".', "")

    def keep(table: str) -> bool:
        return table not in IGNORED_TABLES

    return Snapshot(
        tables={t: opts for t, opts in rows(TABLE_OPTIONS) if keep(t)},
        columns={(t, c): (ty, nn, df) for t, c, ty, nn, df in rows(COLUMNS) if keep(t)},
        constraints={(t, k): local(d) for t, k, d in rows(CONSTRAINTS) if keep(t)},
        indexes={(t, i): local(d) for t, i, d in rows(INDEXES) if keep(t)},
        triggers={(t, g): local(d) for t, g, d in rows(TRIGGERS) if keep(t)},
    )


def reference_snapshot(conn: Connection) -> Snapshot:
    """Create the models in a scratch schema and read it back, leaving nothing behind."""
    with conn.begin_nested() if conn.in_transaction() else conn.begin() as outer:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCRATCH_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCRATCH_SCHEMA}"))
        conn.execute(text(f"SET LOCAL search_path TO {SCRATCH_SCHEMA}"))
        Base.metadata.create_all(conn)
        snapshot = read_snapshot(conn, SCRATCH_SCHEMA)
        outer.rollback()
    return snapshot


def compare(live: Snapshot, expected: Snapshot) -> list[str]:
    """Every difference between `live` and `expected`, one readable line each."""
    problems: list[str] = []
    for table in sorted(expected.tables.keys() - live.tables.keys()):
        problems.append(f"missing table {table!r}")
    for table in sorted(live.tables.keys() - expected.tables.keys()):
        problems.append(f"unexpected table {table!r}")
    for table in sorted(expected.tables.keys() & live.tables.keys()):
        if expected.tables[table] != live.tables[table]:
            problems.append(
                f"table {table!r} storage options are {live.tables[table]!r}, "
                f"expected {expected.tables[table]!r}"
            )
    shared = expected.tables.keys() & live.tables.keys()
    problems += _compare_columns(live, expected, shared)
    for kind, want, have in (
        ("constraint", expected.constraints, live.constraints),
        ("index", expected.indexes, live.indexes),
        ("trigger", expected.triggers, live.triggers),
    ):
        problems += _compare_named(kind, have, want, shared)
    return problems


def _compare_columns(live: Snapshot, expected: Snapshot, shared: set[str]) -> list[str]:
    problems = []
    for key in sorted(set(expected.columns) | set(live.columns)):
        table, column = key
        if table not in shared:
            continue
        want, have = expected.columns.get(key), live.columns.get(key)
        name = f"column {table}.{column}"
        if have is None:
            problems.append(f"missing {name}")
        elif want is None:
            problems.append(f"unexpected {name}")
        else:
            for label, w, h in zip(("type", "NOT NULL", "default"), want, have, strict=True):
                if w != h:
                    problems.append(f"{name}: {label} is {h!r}, expected {w!r}")
    return problems


def _compare_named(
    kind: str, have: dict[tuple[str, str], str], want: dict[tuple[str, str], str], shared: set[str]
) -> list[str]:
    problems = []
    for key in sorted(set(want) | set(have)):
        table, name = key
        if table not in shared:
            continue
        if key not in have:
            problems.append(f"missing {kind} {name!r} on {table!r}: {want[key]}")
        elif key not in want:
            problems.append(f"unexpected {kind} {name!r} on {table!r}: {have[key]}")
        elif have[key] != want[key]:
            problems.append(f"{kind} {name!r} on {table!r} is {have[key]}, expected {want[key]}")
    return problems


def check_schema(conn: Connection, schema: str = "public") -> list[str]:
    expected = reference_snapshot(conn)
    return compare(read_snapshot(conn, schema), expected)
