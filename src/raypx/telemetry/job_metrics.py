"""Job latency, duration and outcomes by type, gathered per job and written in bulk.

A worker finishes tens of thousands of jobs a second; a Prometheus write per job (a lock and,
with several processes, a file write) would be a visible share of each job's cost. The worker
appends to plain lists instead, written in one go FLUSH_SECONDS after the first of them.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Literal

from raypx.telemetry import instruments

FLUSH_SECONDS = 1.0
Outcome = Literal["succeeded", "retried", "failed"]


class JobMetrics:
    def __init__(self) -> None:
        self._delays: defaultdict[str, list[float]] = defaultdict(list)
        self._durations: defaultdict[str, list[float]] = defaultdict(list)
        self._outcomes: defaultdict[tuple[str, Outcome], int] = defaultdict(int)
        self._flush_pending = False

    def claimed(self, job_type: str, waited_seconds: float) -> None:
        self._delays[job_type].append(waited_seconds)
        if not self._flush_pending:
            self._schedule_flush()

    def finished(self, job_type: str, outcome: Outcome, seconds: float) -> None:
        self._durations[job_type].append(seconds)
        self._outcomes[job_type, outcome] += 1
        if not self._flush_pending:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        self._flush_pending = True
        asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        self._flush_pending = False
        delays, self._delays = self._delays, defaultdict(list)
        durations, self._durations = self._durations, defaultdict(list)
        outcomes, self._outcomes = self._outcomes, defaultdict(int)
        for job_type, values in delays.items():
            histogram = instruments.JOB_START_DELAY.labels(job_type)
            for value in values:
                histogram.observe(max(0.0, value))
        for job_type, values in durations.items():
            histogram = instruments.JOB_DURATION.labels(job_type)
            for value in values:
                histogram.observe(value)
        for (job_type, outcome), count in outcomes.items():
            instruments.JOB_OUTCOMES.labels(job_type, outcome).inc(count)
