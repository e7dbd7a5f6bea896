"""`raypx users …` on a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from raypx.cli import users
from raypx.cli.app import app
from raypx.errors import NotFound


@pytest.fixture
def cli_env(database_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("RAYPX_HOME", str(tmp_path))
    monkeypatch.setenv("RAYPX_SECRET", "cli-secret")
    monkeypatch.setenv("RAYPX_ARGON2_MEMORY_COST", "64")
    monkeypatch.setenv("RAYPX_ARGON2_TIME_COST", "1")
    monkeypatch.setattr(users, "out", Console(width=250, soft_wrap=True))  # tables unwrapped


@pytest.mark.usefixtures("cli_env")
def test_users_lifecycle() -> None:
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["users", "create", "Cli@Example.com", "--name", "Cli", "--password-stdin"],
        input="password123\n",
    )
    assert created.exit_code == 0, created.output
    assert "<cli@example.com>" in created.output
    duplicate = runner.invoke(app, ["users", "create", "cli@example.com"])
    assert duplicate.exit_code != 0
    short = runner.invoke(
        app, ["users", "create", "x@example.com", "--password-stdin"], input="x\n"
    )
    assert short.exit_code != 0 and "Password too short" in str(short.exception)

    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "cli@example.com" in listed.output
    sessions = runner.invoke(app, ["users", "sessions", "cli@example.com"])
    assert sessions.exit_code == 0
    revoked = runner.invoke(app, ["users", "revoke-sessions", "cli@example.com"])
    assert revoked.exit_code == 0 and "revoked 0 session(s)" in revoked.output
    deleted = runner.invoke(app, ["users", "delete", "cli@example.com", "--yes"])
    assert deleted.exit_code == 0, deleted.output
    missing = runner.invoke(app, ["users", "sessions", "cli@example.com"])
    assert isinstance(missing.exception, NotFound)
    assert "cli@example.com" not in runner.invoke(app, ["users", "list"]).output
