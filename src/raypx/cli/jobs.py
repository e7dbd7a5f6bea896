"""`raypx jobs …`: enqueue, list, cancel, retry, prune and inspect background jobs."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.cli import transactions
from raypx.db.enums import JobStatus
from raypx.db.models.jobs import Job
from raypx.errors import Invalid
from raypx.jobs import metrics, queue
from raypx.jobs.registry import load_task_modules, registry

app = typer.Typer(
    help="Background jobs: enqueue, inspect, cancel, retry, prune.", no_args_is_help=True
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One command, one committed transaction (services never commit; the caller does)."""
    return transactions.run_in_transaction(lambda session, _settings: work(session))


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if match is None:
        raise Invalid(f"invalid duration {text!r}; use e.g. 30m, 12h, 7d")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


def parse_job_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a job id (a UUID)") from None


def describe(job: Job) -> str:
    return f"{job.id} {job.type} {job.status} (attempts {job.attempts})"


@app.command()
def enqueue(
    type: str = typer.Argument(..., help="Task name, e.g. documents.summarize."),
    payload: str = typer.Option("{}", "--payload", help="JSON object given to the handler."),
    delay: str | None = typer.Option(None, "--delay", help="Run later, e.g. 10m."),
    imports: list[str] = typer.Option([], "--import", help="Module registering the task."),
) -> None:
    """Add a job to the queue."""
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise Invalid(f"--payload is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Invalid("--payload must be a JSON object")
    load_task_modules(imports)
    if registry.get(type) is None:
        err.print(
            f"[yellow]warning:[/] no task {type!r} is registered here; a worker that "
            "lacks it will fail the job",
            highlight=False,
        )

    when = datetime.now(UTC) + parse_duration(delay) if delay is not None else None

    async def work(session: AsyncSession) -> Job:
        return await queue.enqueue(session, type, data, scheduled_at=when)

    out.print(describe(run_in_transaction(work)), highlight=False)


@app.command("list")
def list_command(
    status: JobStatus | None = typer.Option(None, "--status", help="Only jobs in this state."),
    type: str | None = typer.Option(None, "--type", help="Only jobs of this type."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest first."),
) -> None:
    """List jobs, newest first."""

    async def work(session: AsyncSession) -> list[Job]:
        return list(await queue.list_jobs(session, status=status, type=type, limit=limit))

    jobs = run_in_transaction(work)
    table = Table(box=None)
    table.add_column("id", no_wrap=True, min_width=36)  # ids must stay whole to be copied
    table.add_column("type", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("attempts", justify="right")
    table.add_column("scheduled at (UTC)", no_wrap=True)
    table.add_column("error", overflow="fold")
    for job in jobs:
        when = job.scheduled_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            str(job.id),
            job.type,
            job.status,
            str(job.attempts),
            when,
            (job.error_message or "")[:80],
        )
    out.print(table)
    out.print(f"{len(jobs)} job(s)")


@app.command()
def cancel(job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Cancel a queued job, or signal a running one to stop."""
    job = run_in_transaction(lambda session: queue.cancel(session, parse_job_id(job_id)))
    out.print(describe(job), highlight=False)


@app.command()
def retry(job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Queue a failed or cancelled job again, to run now."""
    job = run_in_transaction(lambda session: queue.retry(session, parse_job_id(job_id)))
    out.print(describe(job), highlight=False)


@app.command()
def prune(
    older_than: str = typer.Option("7d", "--older-than", help="Age of finished jobs, e.g. 7d."),
) -> None:
    """Delete finished jobs older than a duration (the `jobs.prune` task does it hourly)."""
    age = parse_duration(older_than)
    deleted = run_in_transaction(lambda session: queue.prune(session, age))
    out.print(f"deleted {deleted} finished job(s) older than {older_than}")


@app.command()
def stats() -> None:
    """Queue depth and latency by job type."""
    figures = run_in_transaction(metrics.read_queue_figures)
    table = Table(box=None)
    widest = max((len(row.type) for row in figures.by_type), default=4)
    table.add_column("type", no_wrap=True, min_width=widest)
    for heading in (
        "ready",
        "scheduled",
        "running",
        "succeeded",
        "failed",
        "cancelled",
        "oldest ready (s)",
    ):
        table.add_column(heading, justify="right")
    for row in figures.by_type:
        values: list[Any] = [
            row.ready,
            row.scheduled,
            row.running,
            row.succeeded,
            row.failed,
            row.cancelled,
        ]
        table.add_row(row.type, *map(str, values), f"{row.oldest_ready_seconds:.1f}")
    out.print(table)
