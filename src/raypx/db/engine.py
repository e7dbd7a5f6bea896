"""Engines and session factories, built from Settings by each entry point (never at import)."""

from __future__ import annotations

import select
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from raypx.db.embedded import start_embedded
from raypx.settings import Settings, parse_database_url

SessionFactory = async_sessionmaker[AsyncSession]


def resolve_database_url(settings: Settings) -> URL:
    """`DATABASE_URL` when set; otherwise the embedded server, started on demand."""
    if settings.database_url is not None:
        return parse_database_url(settings.database_url)
    return start_embedded(settings.home)


# libpq's floor; a refused connection (server down or restarting) fails at once anyway.
CONNECT_TIMEOUT_SECONDS = 2
# A connection idle longer than this is pinged before use (firewalls drop quiet connections).
PING_AFTER_IDLE_SECONDS = 30.0


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    # Short waits everywhere, so an outage or an exhausted pool answers 503 in seconds rather
    # than hanging requests for SQLAlchemy's default 30 s; `check_before_use` replaces
    # connections a restart killed, so the first request after the database returns succeeds.
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        hide_parameters=True,  # errors and logs never carry user data (prompts, names…)
        connect_args={"application_name": "raypx", "connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    check_before_use(engine.sync_engine)
    return engine


def check_before_use(engine: Engine) -> None:
    """A cheaper pre-ping: SQLAlchemy's costs a round trip on every checkout (a fifth of a
    short transaction's). A server that closed the connection (restart, failover, terminated
    backend) has already written its goodbye to the socket, so an idle connection whose socket
    is readable is pinged, as is one idle for long; the rest are used as they are."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # just connected
        fd = dbapi_connection.driver_connection.pgconn.socket
        readable = select.select([fd], [], [], 0)[0]
        if not readable and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("connection closed while idle in the pool") from exc


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    # expire_on_commit=False: objects stay readable after the caller commits (async has no lazy IO).
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any exception."""
    async with factory() as session, session.begin():
        yield session
