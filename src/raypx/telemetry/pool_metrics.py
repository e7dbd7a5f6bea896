"""Database pool use, sampled every few seconds by each API process.

Sampling rather than counting checkouts keeps the hot path (every request takes a connection)
free of metric writes; each process reports its own pools and Prometheus sees their sum.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from raypx.db.direct import ReadPool
from raypx.telemetry import instruments

SAMPLE_SECONDS = 2.0


def sample_pools(engine: AsyncEngine, direct: ReadPool | None) -> None:
    pool = engine.sync_engine.pool
    if isinstance(pool, QueuePool):
        instruments.DB_CONNECTIONS_IN_USE.labels("orm").set(pool.checkedout())
        instruments.DB_CONNECTIONS_OPEN.labels("orm").set(pool.checkedout() + pool.checkedin())
    if direct is not None:
        in_use, open_ = direct.stats()
        instruments.DB_CONNECTIONS_IN_USE.labels("direct").set(in_use)
        instruments.DB_CONNECTIONS_OPEN.labels("direct").set(open_)


async def keep_sampling_pools(engine: AsyncEngine, direct: ReadPool | None) -> None:
    while True:
        sample_pools(engine, direct)
        await asyncio.sleep(SAMPLE_SECONDS)
