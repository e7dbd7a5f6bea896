"""Periodic tasks: every worker enqueues each due tick, and the tick's id makes it happen once.

Why a deterministic id rather than an advisory-lock leader: it needs no election, no lock held
across a network partition, and no extra round trip; the job table's primary key is the
uniqueness guarantee, and `ON CONFLICT (id) DO NOTHING` makes every duplicate insert a no-op.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import psycopg

from raypx.jobs.completer import Connect
from raypx.jobs.registry import Task
from raypx.jobs.schedules import due_tick, tick_job_id
from raypx.jobs.statements import psycopg_query

log = logging.getLogger("raypx.worker")
# Re-check at least this often, so a clock jump or a missed wake-up costs at most this long.
MAX_SLEEP_SECONDS = 30.0


class PeriodicScheduler:
    def __init__(
        self, connect: Connect, tasks: Sequence[Task], on_enqueued: Callable[[], None]
    ) -> None:
        self._connect = connect
        self._tasks = tasks
        self._on_enqueued = on_enqueued
        self._enqueued: dict[str, datetime] = {}

    async def run(self) -> None:
        if not self._tasks:
            return
        conn = None
        try:
            while True:
                try:
                    if conn is None or conn.closed:
                        conn = await self._connect()
                    await self.enqueue_due(conn, datetime.now(UTC))
                except psycopg.Error as exc:
                    log.warning("enqueueing periodic jobs failed: %s", exc)
                    if conn is not None:
                        await conn.close()
                    conn = None
                await asyncio.sleep(self._seconds_to_next_tick(datetime.now(UTC)))
        finally:
            if conn is not None:
                await conn.close()

    async def enqueue_due(
        self, conn: psycopg.AsyncConnection[tuple[object, ...]], now: datetime
    ) -> int:
        inserted = 0
        for task in self._tasks:
            assert task.schedule is not None
            tick = due_tick(task.schedule, now)
            if tick is None or self._enqueued.get(task.name) == tick:
                continue
            cursor = await conn.execute(
                psycopg_query("enqueue_tick"),
                {
                    "id": tick_job_id(task.name, tick),
                    "type": task.name,
                    "payload": json.dumps({"tick": tick.isoformat()}),
                    "scheduled_at": tick,
                },
            )
            if await cursor.fetchone() is not None:
                inserted += 1
                log.info("enqueued periodic %s for %s", task.name, tick.isoformat())
            self._enqueued[task.name] = tick
        if inserted:
            self._on_enqueued()
        return inserted

    def _seconds_to_next_tick(self, now: datetime) -> float:
        soonest = min(
            task.schedule.next_tick(now) for task in self._tasks if task.schedule is not None
        )
        # A few ms past the tick, so the wake-up lands after it rather than just before.
        return max(0.0, min(MAX_SLEEP_SECONDS, (soonest - now).total_seconds() + 0.005))
