"""`raypx users …`: create, list, inspect sessions, revoke sessions, delete."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import service, sessions
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.cli.transactions import run_in_transaction
from raypx.db.models import User

app = typer.Typer(help="User accounts: create, list, sessions, delete.", no_args_is_help=True)
out = Console(soft_wrap=True)
T = TypeVar("T")


def _run(work: Callable[[AsyncSession, AuthConfig], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database."""
    return run_in_transaction(
        lambda session, settings: work(session, AuthConfig.from_settings(settings))
    )


def _now() -> datetime:
    return datetime.now(UTC)


@app.command()
def create(
    email: str = typer.Argument(..., help="Email address (stored lower-cased)."),
    name: str | None = typer.Option(None, help="Display name [default: the part before @]."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a user with a profile and a free plan; without a password they sign in after a
    password reset."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None

    async def work(db: AsyncSession, cfg: AuthConfig) -> User:
        return await service.create_user(
            db,
            cfg,
            RequestMeta(now=_now()),
            name=name or email.split("@", 1)[0],
            email=email,
            password=password,
        )

    user = _run(work)
    out.print(f"created user {user.id} <{user.email}>", highlight=False)


@app.command("list")
def list_users(limit: int = typer.Option(100, help="At most this many, newest first.")) -> None:
    """List users with their number of live sessions."""

    async def work(db: AsyncSession, cfg: AuthConfig) -> list[service.UserSummary]:
        return await service.list_users(db, limit=limit)

    table = Table("id", "email", "name", "verified", "created", "sessions")
    for row in _run(work):
        user = row.user
        table.add_row(
            user.id,
            user.email,
            user.name,
            "yes" if user.email_verified else "no",
            f"{user.created_at:%Y-%m-%d %H:%M}",
            str(row.active_sessions),
        )
    out.print(table)


@app.command("sessions")
def list_sessions(email: str) -> None:
    """List a user's live sessions (tokens are never stored, so none are shown)."""

    async def work(db: AsyncSession, cfg: AuthConfig) -> list[list[str]]:
        user = await service.require_user_by_email(db, email)
        rows = await sessions.list_user_sessions(db, user.id, _now())
        return [
            [
                str(s.id),
                f"{s.created_at:%Y-%m-%d %H:%M}",
                f"{s.expires_at:%Y-%m-%d %H:%M}",
                s.ip_address or "",
                s.user_agent or "",
            ]
            for s in rows
        ]

    table = Table("id", "created", "expires", "ip", "user agent")
    for values in _run(work):
        table.add_row(*values)
    out.print(table)


@app.command("revoke-sessions")
def revoke_sessions(email: str) -> None:
    """Sign a user out everywhere."""

    async def work(db: AsyncSession, cfg: AuthConfig) -> int:
        user = await service.require_user_by_email(db, email)
        return await sessions.revoke_user_sessions(db, user.id)

    out.print(f"revoked {_run(work)} session(s)")


@app.command()
def delete(
    email: str,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the user and all their data go."),
) -> None:
    """Delete a user and everything they own."""
    if not yes and not typer.confirm(f"Delete {email} and all their data?"):
        raise typer.Exit(1)

    async def work(db: AsyncSession, cfg: AuthConfig) -> str:
        user = await service.require_user_by_email(db, email)
        await service.remove_user(db, user.id)
        return user.id

    out.print(f"deleted user {_run(work)}")
