"""When periodic tasks fire: fixed intervals or cron expressions, as ticks every worker agrees on.

A tick is a point in time computed from the schedule alone (intervals are aligned to the Unix
epoch), so two workers on two machines name the same tick for the same moment, and its job id
(uuid5 of task and tick) makes the second insert a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from croniter import croniter

from raypx.errors import Invalid

# Namespace for tick job ids; fixed forever, since changing it would re-run the current tick.
TICK_NAMESPACE = uuid.UUID("5b0c2a52-5a1e-4c55-9d1f-7261797078aa")
# A tick missed (no worker running) is still enqueued this long after it; older ticks are
# skipped rather than replayed, and retention must keep finished ticks at least this long.
MAX_CATCH_UP = timedelta(hours=1)


class Schedule(Protocol):
    def latest_tick(self, now: datetime) -> datetime:
        """The last tick at or before `now`."""
        ...

    def next_tick(self, now: datetime) -> datetime:
        """The first tick strictly after `now`."""
        ...


@dataclass(frozen=True, slots=True)
class Every:
    seconds: float = 0.0
    minutes: float = 0.0
    hours: float = 0.0

    @property
    def period(self) -> float:
        return self.seconds + 60 * self.minutes + 3600 * self.hours

    def __post_init__(self) -> None:
        if self.period <= 0:
            raise Invalid("an interval schedule needs a positive period")

    def latest_tick(self, now: datetime) -> datetime:
        count = int(now.timestamp() // self.period)
        return datetime.fromtimestamp(count * self.period, UTC)

    def next_tick(self, now: datetime) -> datetime:
        return self.latest_tick(now) + timedelta(seconds=self.period)


@dataclass(frozen=True, slots=True)
class Cron:
    """A five-field cron expression, evaluated in UTC."""

    expression: str

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.expression):
            raise Invalid(f"invalid cron expression {self.expression!r}")

    def latest_tick(self, now: datetime) -> datetime:
        # croniter's get_prev is strictly before its start; start a hair later so a tick that
        # falls exactly on `now` counts as the latest.
        start = now.astimezone(UTC) + timedelta(microseconds=1)
        tick: datetime = croniter(self.expression, start).get_prev(datetime)
        return tick

    def next_tick(self, now: datetime) -> datetime:
        tick: datetime = croniter(self.expression, now.astimezone(UTC)).get_next(datetime)
        return tick


def parse_schedule(spec: str) -> Schedule:
    """A cron expression ("*/5 * * * *") or an interval ("every 30s", "every 5m", "every 2h")."""
    spec = spec.strip()
    if spec.startswith("every "):
        amount, unit = spec.removeprefix("every ").strip()[:-1], spec[-1]
        units = {"s": "seconds", "m": "minutes", "h": "hours"}
        try:
            return Every(**{units[unit]: float(amount)})
        except (KeyError, ValueError):
            raise Invalid(f"invalid interval {spec!r}; use e.g. 'every 30s'") from None
    return Cron(spec)


def tick_job_id(task_name: str, tick: datetime) -> uuid.UUID:
    return uuid.uuid5(TICK_NAMESPACE, f"{task_name}@{tick.astimezone(UTC).isoformat()}")


def due_tick(schedule: Schedule, now: datetime) -> datetime | None:
    """The tick to enqueue now, or None when the latest one is too old to replay."""
    tick = schedule.latest_tick(now)
    return tick if now - tick <= MAX_CATCH_UP else None
