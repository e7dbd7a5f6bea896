"""LISTEN on a dedicated connection: new jobs wake the claim loop, cancellations reach handlers.

The connection is never pooled (a transaction-mode pooler would drop LISTEN). If it breaks, the
worker keeps working on its polling interval while this reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

import psycopg

from raypx.jobs.completer import Connect
from raypx.jobs.queue import CANCEL_CHANNEL, NOTIFY_CHANNEL

log = logging.getLogger("raypx.worker")


class Listener:
    def __init__(
        self,
        connect: Connect,
        types: frozenset[str] | None,
        on_job: Callable[[], None],
        on_cancel: Callable[[uuid.UUID], None],
    ) -> None:
        self._connect = connect
        self._types = types
        self._on_job = on_job
        self._on_cancel = on_cancel
        self.ready = asyncio.Event()

    async def run(self) -> None:
        pause = 0.1
        while True:
            try:
                conn = await self._connect()
            except psycopg.Error as exc:
                log.warning("LISTEN connection failed, polling meanwhile: %s", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)
                continue
            try:
                await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                await conn.execute(f"LISTEN {CANCEL_CHANNEL}")
                self.ready.set()
                pause = 0.1
                # Jobs may have arrived while we were not listening.
                self._on_job()
                async for notification in conn.notifies():
                    self._dispatch(notification.channel, notification.payload)
            except psycopg.Error as exc:
                log.warning("LISTEN connection lost, polling meanwhile: %s", exc)
            finally:
                await conn.close()
            await asyncio.sleep(pause)

    def _dispatch(self, channel: str, payload: str) -> None:
        if channel == NOTIFY_CHANNEL:
            if self._types is None or payload in self._types:
                self._on_job()
        elif channel == CANCEL_CHANNEL:
            try:
                job_id = uuid.UUID(payload)
            except ValueError:
                return
            self._on_cancel(job_id)
