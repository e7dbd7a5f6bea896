"""Database pool use, sampled every few seconds by each API process.

Sampling rather than counting checkouts keeps the hot path (every request takes a connection)
free of metric writes; each process reports its own pools and Prometheus sees their sum.
"""

from __future__ import annotations

import asyncio

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from raypx.telemetry import instruments

SAMPLE_SECONDS = 2.0


def sample_pools(engine: AsyncEngine, direct: AsyncConnectionPool | None) -> None:
    pool = engine.sync_engine.pool
    if isinstance(pool, QueuePool):
        instruments.DB_CONNECTIONS_IN_USE.labels("orm").set(pool.checkedout())
        instruments.DB_CONNECTIONS_OPEN.labels("orm").set(pool.checkedout() + pool.checkedin())
    if direct is not None:
        stats = direct.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        instruments.DB_CONNECTIONS_IN_USE.labels("direct").set(size - available)
        instruments.DB_CONNECTIONS_OPEN.labels("direct").set(size)


async def keep_sampling_pools(engine: AsyncEngine, direct: AsyncConnectionPool | None) -> None:
    while True:
        sample_pools(engine, direct)
        await asyncio.sleep(SAMPLE_SECONDS)
