"""Real `raypx worker` processes on the test's own database: crashes (SIGKILL), graceful and
forced shutdown, and periodic jobs with two workers."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import URL

from raypx.db.embedded import libpq_conninfo
from raypx.jobs.queue import CANCEL_CHANNEL

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SIDE_TABLES = """
CREATE TABLE execution (job_id uuid, attempt int, pid int, started_at timestamptz,
                        ended_at timestamptz);
CREATE TABLE release (at timestamptz DEFAULT now());
-- Every transition of a job to `succeeded`, to prove each job is completed exactly once.
CREATE TABLE completion (job_id uuid, at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION record_completion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO completion (job_id) VALUES (NEW.id); RETURN NEW; END $$;
CREATE TRIGGER job_completion AFTER UPDATE OF status ON job FOR EACH ROW
    WHEN (NEW.status = 'succeeded' AND OLD.status IS DISTINCT FROM 'succeeded')
    EXECUTE FUNCTION record_completion();
"""


class Database:
    def __init__(self, url: URL) -> None:
        self.conninfo = libpq_conninfo(url)
        self.conn = psycopg.connect(self.conninfo, autocommit=True)
        self.conn.execute(SIDE_TABLES)

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def value(self, query: str, *params: Any) -> Any:
        return self.rows(query, *params)[0][0]

    def wait_until(self, query: str, accept: Callable[[Any], bool], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.value(query)
            if accept(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting on {query!r}; last value {value!r}")
            time.sleep(0.05)


@pytest.fixture
def db(database_url: URL) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.conn.close()


Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def spawn_worker(database_url: URL, tmp_path: Path) -> Iterator[Spawn]:
    processes: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url.set(drivername="postgresql").render_as_string(
            hide_password=False
        ),
        "RAYPX_HOME": str(tmp_path),
        "RAYPX_JOB_LEASE_SECONDS": "2",
        "RAYPX_JOB_POLL_INTERVAL": "0.2",
    }

    def spawn(*args: str, **extra_env: str) -> subprocess.Popen[bytes]:
        with open(tmp_path / f"worker-{len(processes)}.log", "wb") as log:  # the child keeps a copy
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "raypx.cli.worker",
                    "--import",
                    "tests.e2e.worker_tasks",
                    *args,
                ],
                cwd=REPO,
                env={**env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return process

    yield spawn
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
    for log in sorted(tmp_path.glob("worker-*.log")):  # shown by pytest when a test fails
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")


def enqueue(db: Database, type: str, count: int = 1, payload: str = "{}") -> list[Any]:
    return [
        row[0]
        for row in db.rows(
            "INSERT INTO job (id, type, payload) SELECT gen_random_uuid(), %s, %s::jsonb "
            "FROM generate_series(1, %s) RETURNING id",
            type,
            payload,
            count,
        )
    ]


def test_crashed_workers_lose_no_job_and_never_overlap(db: Database, spawn_worker: Spawn) -> None:
    job_ids = enqueue(db, "e2e.record", 120, '{"seconds": 0.2}')
    workers = [spawn_worker("--concurrency", "4") for _ in range(3)]
    db.wait_until("SELECT count(*) FROM execution", lambda n: n >= 30)
    killed = workers[:2]
    for process in killed:
        process.send_signal(signal.SIGKILL)
        process.wait()
    killed_at = db.value("SELECT clock_timestamp()")
    killed_pids = {p.pid for p in killed}
    spawn_worker("--concurrency", "4")  # a replacement, as a supervisor would start
    db.wait_until("SELECT count(*) FROM job WHERE status <> 'succeeded'", lambda n: n == 0, 60)

    statuses = db.rows("SELECT status, count(*) FROM job WHERE type = 'e2e.record' GROUP BY 1")
    assert statuses == [("succeeded", len(job_ids))]
    completions = dict(
        db.rows(
            "SELECT job_id, count(*) FROM completion JOIN job ON job.id = job_id "
            "WHERE type = 'e2e.record' GROUP BY job_id"
        )
    )
    assert set(completions) == set(job_ids) and set(completions.values()) == {1}

    runs: dict[Any, list[tuple[Any, ...]]] = {}
    for row in db.rows(
        "SELECT job_id, attempt, pid, started_at, ended_at FROM execution "
        "ORDER BY job_id, started_at"
    ):
        runs.setdefault(row[0], []).append(row)
    assert set(runs) == set(job_ids)
    interrupted = 0
    for job_runs in runs.values():
        for before, after in itertools.pairwise(job_runs):
            if before[4] is None:  # cut short by SIGKILL: the next run began after the kill
                assert before[2] in killed_pids
                assert after[3] > killed_at
                interrupted += 1
            else:
                assert before[4] <= after[3], f"overlapping runs of job {before[0]}"
            assert after[1] > before[1]  # each run is a new attempt
        assert job_runs[-1][4] is not None  # the last run finished
    assert interrupted >= 1  # the kills did hit running jobs


def test_sigterm_lets_running_jobs_finish(db: Database, spawn_worker: Spawn) -> None:
    [job_id] = enqueue(db, "e2e.until_released")
    worker = spawn_worker("--grace-period", "30")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    worker.send_signal(signal.SIGTERM)
    enqueue(db, "e2e.record")  # arrives after the stop: left for another worker
    assert worker.poll() is None  # still finishing its job
    db.conn.execute("INSERT INTO release DEFAULT VALUES")
    assert worker.wait(30) == 0
    assert db.rows("SELECT status, result FROM job WHERE id = %s", job_id) == [
        ("succeeded", "released")
    ]
    assert db.value("SELECT status FROM job WHERE type = 'e2e.record'") == "queued"


def test_jobs_outlasting_the_grace_period_are_put_back(db: Database, spawn_worker: Spawn) -> None:
    [job_id] = enqueue(db, "e2e.until_released")
    worker = spawn_worker("--grace-period", "0.5")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    assert db.rows("SELECT status, attempts FROM job WHERE id = %s", job_id) == [("queued", 0)]


def test_a_second_signal_exits_at_once_and_the_lease_recovers(
    db: Database, spawn_worker: Spawn
) -> None:
    [job_id] = enqueue(db, "e2e.until_released")
    worker = spawn_worker("--grace-period", "60")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    worker.send_signal(signal.SIGTERM)
    worker.send_signal(signal.SIGINT)
    assert worker.wait(10) == 1
    assert db.value("SELECT status FROM job WHERE id = %s", job_id) == "running"
    db.conn.execute("INSERT INTO release DEFAULT VALUES")
    spawn_worker()  # another worker rescues it once the 2 s lease has expired
    db.wait_until(f"SELECT status FROM job WHERE id = '{job_id}'", lambda s: s == "succeeded")
    assert db.value("SELECT attempts FROM job WHERE id = %s", job_id) == 2


def test_periodic_jobs_fire_once_per_tick_with_two_workers(
    db: Database, spawn_worker: Spawn
) -> None:
    workers = [spawn_worker(RAYPX_E2E_PERIODIC="1") for _ in range(2)]
    db.wait_until("SELECT count(*) FROM execution", lambda n: n >= 4)
    for process in workers:
        process.send_signal(signal.SIGTERM)
    assert [p.wait(30) for p in workers] == [0, 0]
    ticks = db.rows(
        "SELECT scheduled_at, count(*) FROM job WHERE type = 'e2e.tick' "
        "GROUP BY scheduled_at ORDER BY 1"
    )
    assert len(ticks) >= 4 and {count for _, count in ticks} == {1}
    runs = db.rows("SELECT job_id, count(*) FROM execution GROUP BY job_id")
    assert len(runs) == db.value(
        "SELECT count(*) FROM job WHERE type = 'e2e.tick' AND status = 'succeeded'"
    )
    assert {count for _, count in runs} == {1}
    # one tick per second, none skipped
    seconds = [t[0].timestamp() for t in ticks]
    assert all(b - a == 1 for a, b in itertools.pairwise(seconds))


def test_sigterm_during_offline_model_work_keeps_the_grace_period(
    db: Database, spawn_worker: Spawn
) -> None:
    """The offline model is CPU-bound; it must not keep the worker from hearing SIGTERM."""
    [job_id] = enqueue(db, "e2e.offline_model", payload='{"calls": 160}')  # ~20 s of CPU
    worker = spawn_worker("--grace-period", "2")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    signalled = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    latency = time.monotonic() - signalled
    print(f"SIGTERM to exit: {latency:.2f} s")
    assert latency < 2 + 3, f"{latency:.1f} s with a 2 s grace period"
    # Not lost: put back as never claimed, for the next worker.
    assert db.rows("SELECT status, attempts FROM job WHERE id = %s", job_id) == [("queued", 0)]
    assert db.value("SELECT ended_at FROM execution") is None  # it really was cut short


def test_a_cancelled_offline_model_job_frees_the_worker_at_once(
    db: Database, spawn_worker: Spawn
) -> None:
    [job_id] = enqueue(db, "e2e.offline_model", payload='{"calls": 160}')  # ~20 s of CPU
    spawn_worker("--concurrency", "1")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    # What `raypx jobs cancel` does to a running job.
    db.conn.execute("UPDATE job SET status = 'cancelled' WHERE id = %s", (job_id,))
    db.conn.execute("SELECT pg_notify(%s, %s)", (CANCEL_CHANNEL, str(job_id)))
    cancelled = time.monotonic()
    enqueue(db, "e2e.record", payload='{"seconds": 0}')  # needs the only slot
    db.wait_until("SELECT count(*) FROM execution WHERE ended_at IS NOT NULL", lambda n: n == 1)
    latency = time.monotonic() - cancelled
    print(f"cancel to the next job done: {latency:.2f} s")
    assert latency < 3, f"{latency:.1f} s: the cancelled job kept the worker busy"
    assert db.value("SELECT ended_at FROM execution WHERE job_id = %s", job_id) is None


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(FileNotFoundError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                pending += children
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


def test_pool_processes_do_not_outlive_a_worker_that_exits_at_once(
    db: Database, spawn_worker: Spawn
) -> None:
    enqueue(db, "e2e.offline_model", payload='{"calls": 160}')
    worker = spawn_worker("--grace-period", "60")
    db.wait_until("SELECT count(*) FROM execution", lambda n: n == 1)
    deadline = time.monotonic() + 20
    while not (pool := descendants(worker.pid)):
        assert time.monotonic() < deadline, "the offline model never reached the pool"
        time.sleep(0.05)  # polling a condition with a deadline
    worker.send_signal(signal.SIGTERM)
    worker.send_signal(signal.SIGINT)  # the second signal: os._exit, no cleanup at all
    assert worker.wait(10) == 1
    deadline = time.monotonic() + 10
    while alive := [pid for pid in pool if running(pid)]:
        assert time.monotonic() < deadline, f"pool processes {alive} outlived their worker"
        time.sleep(0.05)  # polling a condition with a deadline
