"""`raypx jobs …` and the in-process worker of `raypx serve`, on the test's own database."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from raypx.api.app import create_app
from raypx.cli.app import app
from raypx.db.embedded import libpq_conninfo
from raypx.jobs.in_process import wants_in_process_worker
from raypx.settings import Settings


@pytest.fixture
def cli(database_url: URL, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    rendered = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", rendered)
    return CliRunner()


def job_ids(output: str) -> list[str]:
    ids = []
    for word in output.split():
        try:
            ids.append(str(uuid.UUID(word)))
        except ValueError:
            continue
    return ids


def test_enqueue_list_cancel_retry_prune(cli: CliRunner) -> None:
    enqueued = cli.invoke(app, ["jobs", "enqueue", "emails.send", "--payload", '{"to": "a@x"}'])
    assert enqueued.exit_code == 0, enqueued.output
    assert "no task 'emails.send' is registered" in enqueued.output  # a warning, not an error
    [job_id] = job_ids(enqueued.output)

    listed = cli.invoke(app, ["jobs", "list", "--status", "queued", "--type", "emails.send"])
    assert listed.exit_code == 0 and job_ids(listed.output) == [job_id]

    cancelled = cli.invoke(app, ["jobs", "cancel", job_id])
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.output
    retried = cli.invoke(app, ["jobs", "retry", job_id])
    assert retried.exit_code == 0 and "queued" in retried.output

    pruned = cli.invoke(app, ["jobs", "prune", "--older-than", "7d"])
    assert pruned.exit_code == 0 and "deleted 0" in pruned.output
    stats = cli.invoke(app, ["jobs", "stats"])
    assert stats.exit_code == 0 and "emails.send" in stats.output


def test_bad_input_is_one_clear_error(cli: CliRunner) -> None:
    for args, message in (
        (["jobs", "enqueue", "x", "--payload", "[1"], "not valid JSON"),
        (["jobs", "enqueue", "x", "--payload", "[1]"], "must be a JSON object"),
        (["jobs", "cancel", "nope"], "is not a job id"),
        (["jobs", "cancel", str(uuid.uuid4())], "no job"),
        (["jobs", "prune", "--older-than", "soon"], "invalid duration"),
    ):
        result = cli.invoke(app, args)
        assert result.exit_code != 0
        assert message in str(result.exception), args


def test_in_process_worker_defaults_follow_the_database() -> None:
    assert wants_in_process_worker(Settings(DATABASE_URL=None))  # type: ignore[call-arg]
    assert not wants_in_process_worker(Settings(DATABASE_URL="postgresql://h/db"))  # type: ignore[call-arg]
    assert wants_in_process_worker(
        Settings(DATABASE_URL="postgresql://h/db", worker_in_process=True)  # type: ignore[call-arg]
    )


def test_serve_runs_jobs_in_process_when_asked(database_url: URL) -> None:
    settings = Settings(worker_in_process=True, job_poll_interval=0.2)
    conninfo = libpq_conninfo(database_url)
    with (
        TestClient(create_app(settings, database_url)),
        psycopg.connect(conninfo, autocommit=True) as conn,
    ):
        job_id = uuid.uuid4()
        conn.execute("INSERT INTO job (id, type) VALUES (%s, 'jobs.prune')", (job_id,))
        deadline = time.monotonic() + 15
        status = None
        while time.monotonic() < deadline:
            status = conn.execute("SELECT status FROM job WHERE id = %s", (job_id,)).fetchone()
            if status == ("succeeded",):
                break
            time.sleep(0.05)
        assert status == ("succeeded",)
        assert conn.execute("SELECT result FROM job WHERE id = %s", (job_id,)).fetchone() == (
            {"deleted": 0},
        )
