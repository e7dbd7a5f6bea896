"""Every Prometheus instrument Raypx exports, defined once.

Under `raypx serve --workers N` each process writes its values to files in
PROMETHEUS_MULTIPROC_DIR (set by `serve`), and `/metrics` answered by any one of them adds up
all of them. prometheus_client decides which of the two modes it runs in when it is imported,
so nothing here is imported before `serve` has set that variable.

Labels are bounded sets only: route templates (never raw paths), model names from the
registry, job types from the task registry, HTTP methods and status classes.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

# Seconds: from a fast session check (~1 ms) to a long streamed chat turn.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_REQUESTS = Counter(
    "raypx_http_requests", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "raypx_http_request_duration_seconds",
    "Time from request to the end of the response, by route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
DB_CONNECTIONS_IN_USE = Gauge(
    "raypx_db_connections_in_use",
    "Database connections checked out, by pool (orm: services; direct: session lookups).",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPEN = Gauge(
    "raypx_db_connections_open",
    "Database connections the pools hold open.",
    ["pool"],
    multiprocess_mode="livesum",
)
AI_TOKENS = Counter(
    "raypx_ai_tokens", "AI tokens billed, by model and direction.", ["model", "kind"]
)
AI_COST = Counter("raypx_ai_cost_usd", "AI cost billed in US dollars, by model.", ["model"])
JOB_START_DELAY = Histogram(
    "raypx_job_start_delay_seconds",
    "Time from a job being due to a worker claiming it, by type.",
    ["type"],
    buckets=LATENCY_BUCKETS,
)
JOB_DURATION = Histogram(
    "raypx_job_duration_seconds",
    "Time a job's handler ran, by type.",
    ["type"],
    buckets=LATENCY_BUCKETS,
)
JOB_OUTCOMES = Counter(
    "raypx_job_outcomes",
    "Finished attempts by type and outcome (succeeded, retried, failed).",
    ["type", "outcome"],
)


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def render() -> bytes:
    """This process's instruments, or every process's when several share the folder."""
    if not is_multiprocess():
        return generate_latest()
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
