"""A chat turn's run is never left `running` by a database blip or a dead API process.

Recording the end of a turn is retried in the background while the database is unavailable (the
request itself answers 503 at once rather than hanging through the outage), and while the model
answers the run is touched every third of a lease. If the process dies, the touches stop and the
orphaned-run sweep (ai.orphans) fails and bills the run within a lease and a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from raypx.ai import orphans
from raypx.db.availability import is_outage
from raypx.db.engine import SessionFactory, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long a finished turn keeps trying to be recorded; past it the sweep takes over.
RETRY_WITHIN_SECONDS = 60.0
MAX_RETRY_DELAY = 1.0  # so a turn is recorded within a second of the database's return
_retrying: set[asyncio.Task[Any]] = set()


async def settle(record: Callable[[], Awaitable[T]], run_id: uuid.UUID) -> T:
    """`record()`; if the database is unavailable, it is retried in the background and the
    caller gets the error now. `record` must be idempotent (finish_turn is)."""
    try:
        return await record()
    except Exception as exc:
        if is_outage(exc):
            task = asyncio.create_task(retry(record, run_id))
            _retrying.add(task)
            task.add_done_callback(_retrying.discard)
        raise


async def retry(record: Callable[[], Awaitable[Any]], run_id: uuid.UUID) -> None:
    delay = 0.1
    deadline = time.monotonic() + RETRY_WITHIN_SECONDS
    while True:
        await asyncio.sleep(delay)  # backoff between attempts, not synchronisation
        try:
            await record()
        except Exception as exc:
            if is_outage(exc) and time.monotonic() + delay < deadline:
                delay = min(delay * 2, MAX_RETRY_DELAY)
                continue
            log.error(
                "chat run %s could not be recorded (%s); the orphaned-run sweep will fail it",
                run_id,
                type(exc).__name__,
            )
            return
        log.info("chat run %s recorded after the database came back", run_id)
        return


def retrying() -> list[asyncio.Task[Any]]:
    """Recordings still being retried (the app's shutdown waits for them)."""
    return list(_retrying)


@contextlib.asynccontextmanager
async def keep_alive(
    factory: SessionFactory, run_id: uuid.UUID, every: float
) -> AsyncIterator[None]:
    """While the block runs (the model answering), touch the run every `every` seconds."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                async with transaction(factory) as session:
                    await orphans.touch_run(session, run_id)
            except Exception as exc:
                if not is_outage(exc):
                    raise
                # The database is away: the next beat tries again; recording retries too.

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)  # a failed beat must not fail the turn
