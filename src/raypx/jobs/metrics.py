"""Figures for metrics: queue depth and latency from the table, throughput from each worker."""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# One scan of a table that retention keeps small; grouped by type so a stuck type stands out.
_FIGURES_SQL = text(
    """
    SELECT type,
           count(*) FILTER (WHERE status = 'queued' AND scheduled_at <= now()) AS ready,
           count(*) FILTER (WHERE status = 'queued' AND scheduled_at > now()) AS scheduled,
           count(*) FILTER (WHERE status = 'running') AS running,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           COALESCE(CAST(extract(epoch FROM now() - min(scheduled_at)
                FILTER (WHERE status = 'queued' AND scheduled_at <= now())) AS float8), 0)
                AS oldest_ready_seconds
    FROM job GROUP BY type ORDER BY type
    """
)


@dataclass(frozen=True, slots=True)
class TypeFigures:
    type: str
    ready: int  # queued and due: the backlog workers should be taking
    scheduled: int  # queued for later (scheduled jobs and retries waiting out their backoff)
    running: int
    succeeded: int
    failed: int
    cancelled: int
    oldest_ready_seconds: float  # queue latency: how long the oldest due job has waited


@dataclass(frozen=True, slots=True)
class QueueFigures:
    by_type: list[TypeFigures]

    @property
    def ready(self) -> int:
        return sum(t.ready for t in self.by_type)

    @property
    def running(self) -> int:
        return sum(t.running for t in self.by_type)

    @property
    def oldest_ready_seconds(self) -> float:
        return max((t.oldest_ready_seconds for t in self.by_type), default=0.0)


async def read_queue_figures(session: AsyncSession) -> QueueFigures:
    rows = (await session.execute(_FIGURES_SQL)).all()
    return QueueFigures([TypeFigures(*row) for row in rows])


@dataclass
class WorkerStats:
    """Counters of one worker process since it started."""

    claimed: int = 0
    succeeded: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # cancelled, or taken back after a lost lease, while running here
    # Seconds from scheduled_at to claim, for the most recent jobs.
    start_delays: deque[float] = field(default_factory=lambda: deque(maxlen=2048))

    def start_delay_percentile(self, percent: int) -> float | None:
        if len(self.start_delays) < 2:
            return self.start_delays[0] if self.start_delays else None
        return statistics.quantiles(self.start_delays, n=100, method="inclusive")[percent - 1]
