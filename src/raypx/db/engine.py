"""Engines and session factories, built from Settings by each entry point (never at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    # Short waits everywhere, so an outage or an exhausted pool answers 503 in seconds rather
    # than hanging requests for SQLAlchemy's default 30 s; pre-ping replaces connections a
    # restart killed, so the first request after the database returns succeeds.
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        hide_parameters=True,  # errors and logs never carry user data (prompts, names…)
        connect_args={"application_name": "raypx", "connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    # expire_on_commit=False: objects stay readable after the caller commits (async has no lazy IO).
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any exception."""
    async with factory() as session, session.begin():
        yield session
