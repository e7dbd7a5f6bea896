"""How a CLI command talks to the database: one committed transaction per command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.engine import create_engine, create_session_factory, resolve_database_url, transaction
from raypx.settings import Settings, load_settings

T = TypeVar("T")


def run_in_transaction(
    work: Callable[[AsyncSession, Settings], Awaitable[T]], settings: Settings | None = None
) -> T:
    """Run `work` in one transaction, committed if it returns (services never commit)."""
    settings = settings or load_settings()
    url = resolve_database_url(settings)

    async def main() -> T:
        engine = create_engine(url, settings)
        try:
            async with transaction(create_session_factory(engine)) as session:
                return await work(session, settings)
        finally:
            await engine.dispose()

    return asyncio.run(main())
