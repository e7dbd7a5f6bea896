"""Tasks by name: `@task("documents.summarize")` registers a handler the worker can run.

A handler takes the job's payload and a `JobContext` and returns a JSON-serialisable result.
It may be `async def` (runs on the worker's event loop) or a plain `def` (runs in a thread, so
CPU-bound or blocking work never stalls claiming, completion or the heartbeat).
"""

from __future__ import annotations

import importlib
import inspect
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from raypx.db.engine import SessionFactory
from raypx.errors import ConfigurationError, Invalid
from raypx.jobs.schedules import Schedule, parse_schedule
from raypx.settings import Settings

DEFAULT_MAX_ATTEMPTS = 10
# Modules whose tasks every worker loads; capabilities add their `tasks` module here.
BUILTIN_TASK_MODULES = (
    "raypx.jobs.tasks",
    "raypx.ai.tasks",
    "raypx.billing.tasks",
    "raypx.documents.tasks",
    "raypx.search.tasks",
)


class JobCancelled(Exception):
    """Raised by `JobContext.raise_if_cancelled` once the job was cancelled or its lease lost."""


class Cancellation:
    """Set once, when the job must stop. A plain flag rather than a threading.Event: one is made
    per job on the hot path, and reading a bool from a handler's thread is safe."""

    __slots__ = ("_set",)

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: uuid.UUID
    type: str
    attempt: int
    session_factory: SessionFactory
    settings: Settings
    cancellation: Cancellation = field(default_factory=Cancellation)

    @property
    def cancelled(self) -> bool:
        return self.cancellation.is_set()

    def raise_if_cancelled(self) -> None:
        if self.cancellation.is_set():
            raise JobCancelled(f"job {self.job_id} was cancelled")


Handler = Callable[[dict[str, Any], JobContext], Awaitable[Any] | Any]


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    handler: Handler
    max_attempts: int
    backoff_seconds: float  # first retry delay; doubles each attempt, capped, with jitter
    schedule: Schedule | None
    is_async: bool


@dataclass
class TaskRegistry:
    tasks: dict[str, Task] = field(default_factory=dict)

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_seconds: float = 2.0,
        schedule: Schedule | str | None = None,
    ) -> Task:
        if not name or name != name.strip():
            raise Invalid(f"task name {name!r} must be non-empty without surrounding spaces")
        if max_attempts < 1:
            raise Invalid(f"task {name!r}: max_attempts must be at least 1")
        existing = self.tasks.get(name)
        if existing is not None and existing.handler is not handler:
            raise Invalid(f"task {name!r} is already registered by {existing.handler!r}")
        registered = Task(
            name=name,
            handler=handler,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            schedule=parse_schedule(schedule) if isinstance(schedule, str) else schedule,
            is_async=inspect.iscoroutinefunction(handler),
        )
        self.tasks[name] = registered
        return registered

    def get(self, name: str) -> Task | None:
        return self.tasks.get(name)

    def periodic(self) -> list[Task]:
        return [t for t in self.tasks.values() if t.schedule is not None]

    def max_attempts_by_type(self) -> tuple[list[str], list[int]]:
        """Parallel arrays for SQL (`unnest`), so the rescuer applies each type's limit."""
        names = sorted(self.tasks)
        return names, [self.tasks[n].max_attempts for n in names]


registry = TaskRegistry()


def task(
    name: str,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff_seconds: float = 2.0,
    schedule: Schedule | str | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated handler under `name` in the default registry.

    `schedule` makes it periodic: a cron expression ("0 3 * * *") or `Every(seconds=…)`; each
    tick is enqueued exactly once however many workers run.
    """

    def decorate(handler: Handler) -> Handler:
        registry.register(
            name,
            handler,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            schedule=schedule,
        )
        return handler

    return decorate


def load_task_modules(extra: Iterable[str] = ()) -> None:
    """Import the built-in task modules and `extra` ones (`raypx worker --import MODULE`)."""
    for module in (*BUILTIN_TASK_MODULES, *extra):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigurationError(f"cannot import task module {module!r}: {exc}") from exc
