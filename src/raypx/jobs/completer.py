"""Batched completion: outcomes are buffered and written by one `UPDATE … FROM unnest(…)`.

There is no timer: one flush runs at a time, and whatever finished while it was in flight goes
in the next. An idle worker therefore writes each outcome at once, and a busy one shares one
durable commit among hundreds of jobs (River measured about 4.5 times from this alone).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, NamedTuple

import psycopg

from raypx.jobs.retries import describe_error
from raypx.jobs.statements import psycopg_query

log = logging.getLogger("raypx.worker")
MAX_BATCH = 1000

AsyncConn = psycopg.AsyncConnection[tuple[Any, ...]]
Connect = Callable[[], Awaitable[AsyncConn]]


class Outcome(NamedTuple):  # a tuple: one is built per job, and tuples are cheapest
    job_id: uuid.UUID
    attempt: int
    status: Literal["succeeded", "queued", "failed"]
    result_json: str | None = None
    error_message: str | None = None
    retry_in: float = 0.0


class Completer:
    def __init__(
        self,
        connect: Connect,
        on_written: Callable[[Sequence[Outcome]], None],
    ) -> None:
        self._connect = connect
        self._on_written = on_written
        self._buffer: list[Outcome] = []
        self._pending = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._conn: AsyncConn | None = None

    def add(self, outcome: Outcome) -> None:
        self._buffer.append(outcome)
        self._idle.clear()
        self._pending.set()

    async def drain(self) -> None:
        """Wait until every outcome added so far is written."""
        await self._idle.wait()

    async def run(self) -> None:
        retry_pause = 0.1
        while True:
            await self._pending.wait()
            self._pending.clear()
            while self._buffer:
                batch, self._buffer = self._buffer[:MAX_BATCH], self._buffer[MAX_BATCH:]
                try:
                    await self._write(batch)
                    retry_pause = 0.1
                except psycopg.OperationalError as exc:
                    # The connection or server is in trouble: keep the outcomes and try again;
                    # the heartbeat keeps their leases alive meanwhile.
                    log.warning("writing %d job outcomes failed: %s", len(batch), exc)
                    self._buffer[:0] = batch
                    await self._close()
                    await asyncio.sleep(retry_pause)
                    retry_pause = min(retry_pause * 2, 5.0)
                except psycopg.Error:
                    # A value PostgreSQL refuses (e.g. \u0000 in a JSON result) must not block
                    # the others: write them one by one and fail only the culprit.
                    await self._write_one_by_one(batch)
            if not self._buffer:
                self._idle.set()

    async def _write_one_by_one(self, batch: list[Outcome]) -> None:
        for index, outcome in enumerate(batch):
            try:
                await self._write([outcome])
            except psycopg.OperationalError:
                self._buffer[:0] = batch[index:]  # the next round retries them
                await self._close()
                return
            except psycopg.Error as exc:
                refused = Outcome(outcome.job_id, outcome.attempt, "failed",
                                  error_message=describe_error(exc))  # fmt: skip
                try:
                    await self._write([refused])
                except psycopg.Error:
                    log.exception("cannot record the outcome of job %s", outcome.job_id)

    async def _write(self, batch: list[Outcome]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connect()
        await self._conn.execute(
            psycopg_query("finish"),
            {
                "ids": [o.job_id for o in batch],
                "attempts": [o.attempt for o in batch],
                "statuses": [o.status for o in batch],
                "results": [o.result_json for o in batch],
                "errors": [o.error_message for o in batch],
                "retry_in": [o.retry_in for o in batch],
            },
        )
        self._on_written(batch)

    async def _close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def close(self) -> None:
        await self._close()
