"""Pooled connections the server closed while idle (restart, failover, a terminated backend)
are replaced before use, without the round trip of a ping on every checkout."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.db.embedded import libpq_conninfo
from raypx.db.engine import create_engine
from raypx.settings import Settings


async def test_a_connection_terminated_while_idle_is_replaced(
    database_url: URL, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url.render_as_string(hide_password=False))
    settings = settings.model_copy(update={"home": tmp_path, "db_pool_size": 1})
    engine = create_engine(database_url, settings)
    try:
        async with engine.connect() as conn:
            old_pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with await psycopg.AsyncConnection.connect(
            libpq_conninfo(database_url), autocommit=True
        ) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s)", (old_pid,))
            deadline = time.monotonic() + 10
            while (
                await (
                    await admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (old_pid,))
                ).fetchone()
            ) is not None:
                assert time.monotonic() < deadline, "the backend did not exit"
                await asyncio.sleep(0.02)
        async with engine.connect() as conn:  # the same pooled connection, now dead
            new_pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert new_pid != old_pid
    finally:
        await engine.dispose()
