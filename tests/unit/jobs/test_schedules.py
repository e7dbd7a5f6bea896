from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from raypx.errors import Invalid
from raypx.jobs.schedules import Cron, Every, due_tick, parse_schedule, tick_job_id


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2030, 5, 17, hour, minute, second, tzinfo=UTC)


def test_intervals_tick_on_the_epoch_grid_so_every_worker_agrees() -> None:
    every = Every(minutes=5)
    assert every.latest_tick(at(10, 7, 30)) == at(10, 5)
    assert every.latest_tick(at(10, 5)) == at(10, 5)
    assert every.next_tick(at(10, 7, 30)) == at(10, 10)


def test_cron_latest_tick_includes_now_and_next_is_strictly_after() -> None:
    hourly = Cron("0 * * * *")
    assert hourly.latest_tick(at(10, 0)) == at(10, 0)
    assert hourly.latest_tick(at(10, 59)) == at(10, 0)
    assert hourly.next_tick(at(10, 0)) == at(11, 0)


def test_parse_schedule_accepts_cron_and_intervals() -> None:
    assert parse_schedule("every 30s") == Every(seconds=30)
    assert parse_schedule("every 2h") == Every(hours=2)
    assert parse_schedule("*/5 * * * *") == Cron("*/5 * * * *")
    for bad in ("every 5x", "every s", "not cron", "61 * * * *"):
        with pytest.raises(Invalid):
            parse_schedule(bad)
    with pytest.raises(Invalid):
        Every()


def test_tick_ids_are_the_same_everywhere_and_differ_per_task_and_tick() -> None:
    assert tick_job_id("a", at(1, 0)) == tick_job_id("a", at(1, 0).astimezone())
    assert tick_job_id("a", at(1, 0)) != tick_job_id("b", at(1, 0))
    assert tick_job_id("a", at(1, 0)) != tick_job_id("a", at(2, 0))


def test_ticks_too_old_to_replay_are_skipped() -> None:
    daily = Cron("0 3 * * *")
    assert due_tick(daily, at(3, 30)) == at(3, 0)
    assert due_tick(daily, at(3, 0) + timedelta(hours=2)) is None
