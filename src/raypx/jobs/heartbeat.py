"""Leases: the jobs a worker holds, the thread that keeps them alive, and the rescue of others'.

The heartbeat runs in its own thread on its own connection, so neither a CPU-bound handler nor an
`async def` handler that blocks the event loop can starve it: CPython switches threads at least
every few milliseconds, and the heartbeat interval is a third of the lease.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import NamedTuple

import psycopg

from raypx.jobs.registry import DEFAULT_MAX_ATTEMPTS, Cancellation, TaskRegistry
from raypx.jobs.statements import psycopg_query

log = logging.getLogger("raypx.worker")


class Holding(NamedTuple):
    attempt: int
    cancellation: Cancellation
    is_async: bool  # async handlers are also interrupted by cancelling their asyncio task


class Holdings:
    """Jobs claimed by this worker and not yet finished in the database. Shared with the
    heartbeat thread, hence the lock."""

    def __init__(self) -> None:
        self._jobs: dict[uuid.UUID, Holding] = {}
        self._lock = threading.Lock()

    def add(self, job_id: uuid.UUID, holding: Holding) -> None:
        with self._lock:
            self._jobs[job_id] = holding

    def remove(self, job_ids: list[uuid.UUID]) -> None:
        with self._lock:
            for job_id in job_ids:
                self._jobs.pop(job_id, None)

    def get(self, job_id: uuid.UUID) -> Holding | None:
        with self._lock:
            return self._jobs.get(job_id)

    def snapshot(self) -> dict[uuid.UUID, Holding]:
        with self._lock:
            return dict(self._jobs)

    def __len__(self) -> int:
        return len(self._jobs)


class LeaseKeeper(threading.Thread):
    """Every lease/3: bump `updated_at` of held jobs. Every lease/2: rescue stale ones."""

    def __init__(
        self,
        conninfo: str,
        holdings: Holdings,
        registry: TaskRegistry,
        lease_seconds: float,
        on_lost: Callable[[list[uuid.UUID]], None],
        on_rescued: Callable[[], None],
    ) -> None:
        super().__init__(name="raypx-lease-keeper", daemon=True)
        self.conninfo = conninfo
        self.holdings = holdings
        self.registry = registry
        self.lease = lease_seconds
        self.on_lost = on_lost
        self.on_rescued = on_rescued
        self._stop_event = threading.Event()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._last_heartbeat = time.monotonic()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        beat_every, rescue_every = self.lease / 3, self.lease / 2
        next_rescue = time.monotonic()
        while not self._stop_event.is_set():
            try:
                self.beat()
                if time.monotonic() >= next_rescue:
                    self.rescue()
                    next_rescue = time.monotonic() + rescue_every
            except psycopg.Error as exc:
                log.warning("heartbeat failed: %s", exc)
                self._close()
                self._give_up_if_expired()
            self._stop_event.wait(beat_every)
        self._close()

    def beat(self) -> None:
        held = self.holdings.snapshot()
        if not held:
            self._last_heartbeat = time.monotonic()
            return
        ids = list(held)
        rows = (
            self._connection()
            .execute(
                psycopg_query("heartbeat"),
                {"ids": ids, "attempts": [held[i].attempt for i in ids]},
            )
            .fetchall()
        )
        self._last_heartbeat = time.monotonic()
        owned = {row[0] for row in rows}
        lost = [job_id for job_id in ids if job_id not in owned]
        if lost:
            self.on_lost(lost)

    def rescue(self) -> None:
        types, max_attempts = self.registry.max_attempts_by_type()
        rows = (
            self._connection()
            .execute(
                psycopg_query("rescue"),
                {
                    "types": types,
                    "max_attempts": max_attempts,
                    "default_max_attempts": DEFAULT_MAX_ATTEMPTS,
                    "lease": self.lease,
                },
            )
            .fetchall()
        )
        for job_id, job_type, status, attempts in rows:
            log.warning(
                "job %s (%s) lost its worker on attempt %s: %s",
                job_id,
                job_type,
                attempts,
                "failed, no attempts left" if status == "failed" else "requeued",
            )
        if rows:
            self.on_rescued()

    def _give_up_if_expired(self) -> None:
        # Without a heartbeat for a whole lease, another worker may already have rescued our
        # jobs: stop their handlers rather than risk two executions at once.
        if time.monotonic() - self._last_heartbeat >= self.lease:
            held = list(self.holdings.snapshot())
            if held:
                log.error("no heartbeat for %.1f s; abandoning %d jobs", self.lease, len(held))
                self.on_lost(held)

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self.conninfo, autocommit=True, application_name="raypx-worker-lease"
            )
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
