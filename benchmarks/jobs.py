"""Raypx's job queue against procrastinate and pgqueuer, on one PostgreSQL, durable commits.

    python benchmarks/jobs.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                              [--jobs 20000] [--latency-jobs 1000] [--only raypx,pgqueuer]
                              [--rounds 3] [--skip-throughput]

Competitors are optional: `pip install procrastinate pgqueuer asyncpg` (pgqueuer runs on asyncpg,
its fastest driver, when installed, else on psycopg); a missing one is skipped with a note.

- Throughput: `--jobs` no-op jobs are enqueued first, then drained by one worker process; each
  system is tried at a few concurrency settings and its best is reported. The rate is measured by
  polling the system's own table for remaining jobs (every 20 ms), from the first job finished to
  the last, so interpreter start-up does not count.
- Latency: an idle worker; `--latency-jobs` jobs enqueued one at a time (each its own commit,
  10 ms apart); the handler records wall-clock time from just before the enqueue call to its
  start. Both processes share this machine's clock.
Each system gets a database of its own, created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SYSTEMS = ("raypx", "procrastinate", "pgqueuer")
# Concurrency for raypx and procrastinate; batch size for pgqueuer (its dequeue unit).
CONCURRENCIES = {
    "raypx": (100, 500, 1000),
    "procrastinate": (10, 50, 200),
    "pgqueuer": (50, 200, 1000),
}
INSTALL_HINT = {
    "procrastinate": "pip install procrastinate",
    "pgqueuer": "pip install pgqueuer asyncpg",
}


# ---------------------------------------------------------------- worker side (child process)


def run_worker(system: str, dsn: str, concurrency: int, record_file: str | None, mode: str) -> None:
    """`mode` latency: write each job's enqueue-to-start delay; throughput: write the wall-clock
    time the first job started (the parent times the drain from there)."""
    record: Callable[[float | None], None] = lambda _sent: None  # noqa: E731
    if record_file:
        out = open(record_file, "a", buffering=1)  # noqa: SIM115 - closed at process exit
        if mode == "latency":
            record = lambda sent: out.write(f"{time.time() - (sent or 0)}\n")  # noqa: E731
        else:
            first: list[float] = []

            def record(_sent: float | None) -> None:
                if not first:
                    first.append(time.time())
                    out.write(f"{first[0]} {time.process_time()}\n")

    runner = {
        "raypx": _raypx_worker,
        "procrastinate": _procrastinate_worker,
        "pgqueuer": _pgqueuer_worker,
    }[system]
    # Every system runs on uvloop when it is installed, as pgqueuer's and raypx's CLIs do.
    try:
        import uvloop
    except ImportError:
        asyncio.run(runner(dsn, concurrency, record))
    else:
        uvloop.run(runner(dsn, concurrency, record))


async def _until_terminated() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()


async def _raypx_worker(dsn: str, concurrency: int, record: Callable[[float | None], None]) -> None:
    from sqlalchemy.engine import make_url

    from raypx.jobs.registry import TaskRegistry
    from raypx.jobs.worker import Worker
    from raypx.settings import Settings

    registry = TaskRegistry()

    async def noop(payload: dict[str, float], context: object) -> None:
        record(payload.get("sent"))

    registry.register("noop", noop)
    worker = Worker(Settings(), make_url(dsn), registry=registry, concurrency=concurrency)
    running = asyncio.create_task(worker.run())
    await worker.ready.wait()
    await _until_terminated()
    worker.request_stop()
    await running


def _procrastinate_app(dsn: str):  # type: ignore[no-untyped-def]
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))

    @app.task(name="noop")
    async def noop(sent: float | None = None) -> None:
        RECORD(sent)

    return app, noop


def RECORD(sent: float | None) -> None:  # replaced in the procrastinate worker
    pass


async def _procrastinate_worker(
    dsn: str, concurrency: int, record: Callable[[float | None], None]
) -> None:
    global RECORD
    RECORD = record  # type: ignore[assignment]
    app, _ = _procrastinate_app(dsn)
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(concurrency=concurrency, install_signal_handlers=False)
        )
        await _until_terminated()
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)


async def _pgqueuer_driver(dsn: str):  # type: ignore[no-untyped-def]
    try:
        import asyncpg
        from pgqueuer.db import AsyncpgDriver

        return AsyncpgDriver(await asyncpg.connect(dsn)), "asyncpg"
    except ImportError:
        from pgqueuer.db import PsycopgDriver

        conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        return PsycopgDriver(conn), "psycopg"


async def _pgqueuer_worker(
    dsn: str, concurrency: int, record: Callable[[float | None], None]
) -> None:
    from pgqueuer import PgQueuer

    driver, _ = await _pgqueuer_driver(dsn)
    pgq = PgQueuer(driver)

    @pgq.entrypoint("noop")
    async def noop(job) -> None:  # type: ignore[no-untyped-def]
        record(float(job.payload.decode()) if job.payload else None)

    running = asyncio.create_task(pgq.run(batch_size=concurrency))
    await _until_terminated()
    pgq.shutdown.set()
    await asyncio.gather(running, return_exceptions=True)


# ---------------------------------------------------------------- driver side (this process)


@dataclass
class System:
    name: str
    remaining_sql: str
    note: str = ""


async def prepare(system: str, dsn: str, jobs: int) -> System:
    """Install the schema and enqueue `jobs` no-op jobs (not timed)."""
    if system == "raypx":
        from sqlalchemy.engine import make_url

        from raypx.db import migrate

        migrate.upgrade(make_url(dsn).set(drivername="postgresql+psycopg"))
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await conn.execute(
                "INSERT INTO job (id, type) SELECT gen_random_uuid(), 'noop' "
                "FROM generate_series(1, %s)",
                (jobs,),
            )
        return System("raypx", "SELECT count(*) FROM job WHERE status IN ('queued', 'running')")
    if system == "procrastinate":
        app, noop = _procrastinate_app(dsn)
        async with app.open_async():
            await app.schema_manager.apply_schema_async()
            for start in range(0, jobs, 1000):
                await noop.batch_defer_async(*({} for _ in range(min(1000, jobs - start))))
        return System(
            "procrastinate",
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')",
        )
    from pgqueuer import Queries

    driver, flavour = await _pgqueuer_driver(dsn)
    queries = Queries(driver)
    await queries.install()
    for start in range(0, jobs, 1000):
        count = min(1000, jobs - start)
        await queries.enqueue(["noop"] * count, [None] * count, [0] * count)
    return System("pgqueuer", "SELECT count(*) FROM pgqueuer", note=f"driver {flavour}")


def spawn_worker(
    system: str, dsn: str, concurrency: int, record_file: str, mode: str
) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        __file__,
        "--worker",
        system,
        "--dsn",
        dsn,
        "--concurrency",
        str(concurrency),
        "--record-file",
        record_file,
        "--mode",
        mode,
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise RuntimeError(f"{system} worker did not start")
    return child


def stop_worker(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def measure_drain(system: System, dsn: str, concurrency: int, jobs: int) -> tuple[float, float]:
    """Jobs per second, and the worker's CPU seconds per job from its first job on."""
    with psycopg.connect(dsn, autocommit=True) as conn, tempfile.NamedTemporaryFile() as mark:
        conn.execute("VACUUM ANALYZE")
        child = spawn_worker(system.name, dsn, concurrency, mark.name, "throughput")
        try:
            deadline = time.monotonic() + 600
            while conn.execute(system.remaining_sql).fetchone()[0]:  # type: ignore[index]
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{system.name} did not drain the queue")
                time.sleep(0.02)
            finished_at = time.time()
            cpu = worker_cpu_seconds(child.pid)
        finally:
            stop_worker(child)
        started_at, cpu_at_start = map(float, Path(mark.name).read_text().split()[:2])
    return jobs / (finished_at - started_at), (cpu - cpu_at_start) / jobs


async def enqueue_one(system: str, dsn: str) -> Callable[[], object]:
    """An async function that enqueues one job through the system's public API."""
    if system == "raypx":
        from sqlalchemy.engine import make_url

        from raypx.db.engine import create_engine, create_session_factory
        from raypx.jobs import queue
        from raypx.settings import Settings

        factory = create_session_factory(
            create_engine(make_url(dsn).set(drivername="postgresql+psycopg"), Settings())
        )

        async def raypx_enqueue() -> None:
            async with factory() as session, session.begin():
                await queue.enqueue(session, "noop", {"sent": time.time()})

        return raypx_enqueue
    if system == "procrastinate":
        app, noop = _procrastinate_app(dsn)
        await app.open_async()

        async def procrastinate_enqueue() -> None:
            await noop.defer_async(sent=time.time())

        return procrastinate_enqueue
    from pgqueuer import Queries

    driver, _ = await _pgqueuer_driver(dsn)
    queries = Queries(driver)

    async def pgqueuer_enqueue() -> None:
        await queries.enqueue("noop", str(time.time()).encode())

    return pgqueuer_enqueue


async def measure_latency(system: str, dsn: str, count: int) -> list[float]:
    with tempfile.NamedTemporaryFile("r", suffix=".lat") as latencies:
        child = spawn_worker(system, dsn, 10, latencies.name, "latency")
        try:
            enqueue = await enqueue_one(system, dsn)
            for _ in range(50):  # warm-up: connections, prepared statements
                await enqueue()  # type: ignore[misc]
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)
            Path(latencies.name).write_text("")  # noqa: ASYNC240 - between measurements
            for _ in range(count):
                await enqueue()  # type: ignore[misc]
                await asyncio.sleep(0.01)
            await asyncio.sleep(1.0)
        finally:
            stop_worker(child)
        text = Path(latencies.name).read_text()  # noqa: ASYNC240 - after the measurement
        values = [float(line) for line in text.split()]
    if len(values) < count:
        raise RuntimeError(f"{system}: only {len(values)} of {count} jobs started")
    return values


def percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def recreate(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def describe_machine(server: str) -> str:
    with psycopg.connect(server) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        settings = {
            name: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0]  # type: ignore[index]
            for name in ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers")
        }
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    durability = ", ".join(f"{k}={v}" for k, v in settings.items())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {version} ({durability})"
    )


def available(system: str) -> bool:
    if system == "raypx":
        return True
    try:
        __import__(system)
    except ImportError:
        print(f"  {system}: not installed, skipped ({INSTALL_HINT[system]})")
        return False
    return True


def worker_cpu_seconds(pid: int) -> float:
    """User + system CPU a worker process has used (read before it is stopped)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main(args: argparse.Namespace) -> None:
    print(describe_machine(args.server))
    print(
        f"throughput: {args.jobs} no-op jobs, one worker process; "
        f"latency: {args.latency_jobs} jobs one at a time, idle worker; "
        f"{args.rounds} round(s), systems interleaved, medians reported\n"
    )
    names = [s for s in args.only.split(",") if s and available(s)]
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu_per_job: dict[str, list[float]] = {name: [] for name in names}
    p50s: dict[str, list[float]] = {name: [] for name in names}
    p99s: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(1, args.rounds + 1):
        for name in names:
            if not args.skip_throughput:
                best, best_cpu = 0.0, 0.0
                for concurrency in CONCURRENCIES[name]:
                    dsn = recreate(args.server, f"bench_{name}")
                    system = await prepare(name, dsn, args.jobs)
                    rate, cpu = measure_drain(system, dsn, concurrency, args.jobs)
                    note = f", {system.note}" if system.note else ""
                    print(
                        f"  [{round_number}] {name:14} concurrency {concurrency:5}: "
                        f"{rate:9,.0f} jobs/s, worker CPU {cpu * 1e6:6.1f} us/job{note}",
                        flush=True,
                    )
                    if rate > best:
                        best, best_cpu = rate, cpu
                rates[name].append(best)
                cpu_per_job[name].append(best_cpu)
            dsn = recreate(args.server, f"bench_{name}")
            await prepare(name, dsn, 0)
            values = await measure_latency(name, dsn, args.latency_jobs)
            p50s[name].append(percentile(values, 50) * 1000)
            p99s[name].append(percentile(values, 99) * 1000)
            print(
                f"  [{round_number}] {name:14} latency p50 {p50s[name][-1]:.2f} ms,"
                f" p99 {p99s[name][-1]:.2f} ms",
                flush=True,
            )
            drop(args.server, f"bench_{name}")
    print("\nsystem          best jobs/s  worker CPU us/job   p50 ms   p99 ms   (medians)")
    for name in names:
        rate = f"{median(rates[name]):12,.0f}" if rates[name] else f"{'-':>12}"
        cpu = f"{median(cpu_per_job[name]) * 1e6:18.1f}" if rates[name] else f"{'-':>18}"
        print(f"{name:14} {rate} {cpu} {median(p50s[name]):8.2f} {median(p99s[name]):8.2f}")
    if "raypx" in names:
        for name in names:
            if name == "raypx":
                continue
            if rates[name]:
                ratio = median(rates["raypx"]) / median(rates[name])
                print(f"raypx / {name}: {ratio:.2f}x throughput")
            print(
                f"raypx / {name}: {median(p50s['raypx']) / median(p50s[name]):.2f}x p50 latency,"
                f" {median(p99s['raypx']) / median(p99s[name]):.2f}x p99 latency"
            )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "RAYPX_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--latency-jobs", type=int, default=1000)
    parser.add_argument("--only", default=",".join(SYSTEMS))
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (medians)")
    parser.add_argument("--skip-throughput", action="store_true", help="latency only")
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--record-file", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    # procrastinate warns about an App defined in __main__; harmless here.
    logging.getLogger("procrastinate").setLevel(logging.ERROR)
    arguments = parse_args()
    if arguments.worker:
        run_worker(
            arguments.worker,
            arguments.dsn,
            arguments.concurrency,
            arguments.record_file,
            arguments.mode,
        )
    else:
        asyncio.run(main(arguments))
