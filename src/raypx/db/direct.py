"""An autocommit connection pool for the hottest read: resolving a session on every request.

Through the ORM a lookup costs a pre-ping, BEGIN, the SELECT and COMMIT; here it is the SELECT
alone. Measured on this machine: 0.68 ms per lookup through an AsyncSession, 0.09 ms here
(`benchmarks/auth.py` shows the effect end to end). Writes never use this pool.

Why not psycopg_pool: its background reconnection backs off exponentially while the database
is down, so after a 40 s outage the API stayed unusable for ~22 s more with PostgreSQL already
back. This pool has no background work at all: it connects when a request needs a connection,
so the first request after the database returns gets one; and a connection that fails makes
every idle one suspect (a restart kills them all), so they are closed instead of failing the
requests that come next one by one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import URL

from raypx.db.embedded import libpq_conninfo
from raypx.settings import Settings

Connection = psycopg.AsyncConnection[tuple[Any, ...]]
# libpq's floor for connect_timeout; a refused connection (server down) fails at once anyway.
CONNECT_TIMEOUT_SECONDS = 2


class PoolTimeout(Exception):
    """Every connection of the pool stayed busy for the whole timeout."""


class ReadPool:
    def __init__(self, conninfo: str, *, max_size: int, timeout: float) -> None:
        self._conninfo = conninfo
        self._timeout = timeout
        self._idle: deque[Connection] = deque()
        self._slots = asyncio.Semaphore(max_size)
        self._closed = False
        self._in_use = 0  # for metrics only

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection for one statement (autocommit), returned to the pool afterwards."""
        if self._closed:
            raise PoolTimeout("the read pool is closed")
        try:
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimeout(f"no free connection within {self._timeout:g} s") from None
        conn: Connection | None = None
        self._in_use += 1
        try:
            conn = self._idle.pop() if self._idle else await self._connect()
            yield conn
        except BaseException as exc:
            # Failed or interrupted mid-statement: its state is unknown, so it is not reused;
            # a connection error also condemns the idle ones, opened before the same outage.
            if conn is not None:
                await self._discard(conn)
                conn = None
            if isinstance(exc, psycopg.OperationalError):
                await self._discard_idle()
            raise
        finally:
            self._in_use -= 1
            if conn is not None:
                await self._put_back(conn)
            self._slots.release()

    def stats(self) -> tuple[int, int]:
        """(connections in use, connections open), for the pool gauges."""
        return self._in_use, self._in_use + len(self._idle)

    async def check(self) -> None:
        """One round trip on a pooled connection (readiness probes)."""
        async with self.connection() as conn:
            await conn.execute("SELECT 1")

    async def close(self) -> None:
        self._closed = True
        await self._discard_idle()

    async def _connect(self) -> Connection:
        return await psycopg.AsyncConnection.connect(
            self._conninfo,
            autocommit=True,
            application_name="raypx",
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )

    async def _put_back(self, conn: Connection) -> None:
        if self._closed or conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            await self._discard(conn)
        else:
            self._idle.append(conn)

    async def _discard(self, conn: Connection) -> None:
        with suppress(psycopg.Error):
            await conn.close()

    async def _discard_idle(self) -> None:
        while self._idle:
            await self._discard(self._idle.popleft())


def open_direct_pool(url: URL, settings: Settings) -> ReadPool:
    """The pool connects on demand: opening it needs no database (the engine's does not either)."""
    return ReadPool(
        libpq_conninfo(url), max_size=settings.db_pool_size, timeout=settings.db_pool_timeout
    )
