from __future__ import annotations

import re
from typing import Any

import pytest

from raypx.errors import ConfigurationError, Invalid
from raypx.jobs.registry import DEFAULT_MAX_ATTEMPTS, JobContext, TaskRegistry, load_task_modules
from raypx.jobs.registry import registry as default_registry
from raypx.jobs.statements import load_queries, psycopg_query


async def handler(payload: dict[str, Any], context: JobContext) -> None:
    return None


def sync_handler(payload: dict[str, Any], context: JobContext) -> None:
    return None


def test_register_records_kind_limits_and_schedule() -> None:
    registry = TaskRegistry()
    task = registry.register("a.b", handler, max_attempts=3, schedule="every 10s")
    assert task.is_async and task.max_attempts == 3 and task.schedule is not None
    assert not registry.register("a.sync", sync_handler).is_async
    assert registry.get("a.sync") is not None and registry.get("missing") is None
    assert registry.periodic() == [task]
    assert registry.max_attempts_by_type() == (["a.b", "a.sync"], [3, DEFAULT_MAX_ATTEMPTS])


def test_register_rejects_conflicts_and_bad_limits() -> None:
    registry = TaskRegistry()
    registry.register("a.b", handler)
    registry.register("a.b", handler)  # re-importing a module is harmless
    with pytest.raises(Invalid):
        registry.register("a.b", sync_handler)
    with pytest.raises(Invalid):
        registry.register("x", handler, max_attempts=0)


def test_builtin_tasks_load_and_unknown_modules_fail_clearly() -> None:
    load_task_modules()
    prune = default_registry.get("jobs.prune")
    assert prune is not None and prune.schedule is not None
    with pytest.raises(ConfigurationError, match="no_such_module"):
        load_task_modules(["no_such_module"])


def test_queries_are_named_and_rendered_for_psycopg() -> None:
    assert {"enqueue", "claim", "finish", "heartbeat", "rescue", "release"} <= set(load_queries())
    claim = psycopg_query("claim")
    assert "%(limit)s" in claim and "%(types)s" in claim
    assert not re.search(r"(?<!:):[a-z_]", claim)  # no named parameter left behind
