"""The `raypx` command against a database that is down or not migrated: one line, what to run."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import URL

from tests.conftest import create_database, drop_database

COMMANDS = [
    ["users", "list"],
    ["users", "create", "ada@example.com"],
    ["jobs", "list"],
    ["jobs", "stats"],
    ["usage", "report"],
    ["runs", "list", "ada@example.com"],
    ["billing", "set-plan", "ada@example.com", "pro"],
    ["worker"],
]


def raypx(database_url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    rendered = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(
        [sys.executable, "-m", "raypx", *args],
        env={**os.environ, "DATABASE_URL": rendered},
        capture_output=True,
        text=True,
        timeout=60,
    )


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


@pytest.fixture(scope="module")
def empty_database(server_url: URL) -> Iterator[URL]:
    name = f"raypx_empty_{os.getpid()}_{secrets.token_hex(4)}"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


@pytest.mark.parametrize("command", [*COMMANDS, ["db", "check"]], ids=lambda c: " ".join(c[:2]))
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    port = unused_port()
    down = URL.create("postgresql", "raypx", host="127.0.0.1", port=port, database="raypx")
    result = raypx(down, *command)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and f"127.0.0.1:{port}" in line, line
    assert "DATABASE_URL" in line  # what to fix


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_database_without_the_schema_says_to_migrate(  # (`db check` lists the differences)
    empty_database: URL, command: list[str]
) -> None:
    result = raypx(empty_database, *command)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "raypx db upgrade" in line, line


def test_a_database_that_does_not_exist_is_named(server_url: URL) -> None:
    missing = server_url.set(database=f"raypx_missing_{secrets.token_hex(4)}")
    result = raypx(missing, "users", "list")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: database ")
    assert line.endswith(f"/{missing.database} does not exist: create it or fix DATABASE_URL")
