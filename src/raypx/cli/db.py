"""`raypx db …`: upgrade, check, reset."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import text

from raypx.db import migrate, schema_check, triggers
from raypx.db.base import Base
from raypx.db.engine import resolve_database_url
from raypx.errors import ConfigurationError
from raypx.settings import load_settings

app = typer.Typer(help="Database schema: migrate, verify, reset.", no_args_is_help=True)
out = Console(soft_wrap=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (idempotent)."""
    url = resolve_database_url(load_settings())
    migrate.upgrade(url, revision)
    with migrate.sync_connection(url) as conn:
        out.print(f"database at migration {migrate.current_revision(conn)}")


@app.command()
def check() -> None:
    """Compare the live database with the models; exit 1 naming every difference."""
    url = resolve_database_url(load_settings())
    with migrate.sync_connection(url) as conn:
        current, head = migrate.current_revision(conn), migrate.head_revision()
        problems = schema_check.check_schema(conn)
    if current != head:
        problems.insert(0, f"database is at migration {current}, head is {head}")
    if problems:
        for problem in problems:
            out.print(f"[red]✗[/] {problem}", highlight=False)
        out.print(f"{len(problems)} difference(s); `raypx db upgrade` fixes a missing migration")
        raise typer.Exit(1)
    out.print(f"[green]✓[/] schema matches the models (migration {head})")


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="Confirm: all data is deleted.")) -> None:
    """Drop everything in the database and migrate it afresh (development only)."""
    if not yes:
        raise ConfigurationError("`raypx db reset` deletes all data; pass --yes to confirm")
    url = resolve_database_url(load_settings())
    with migrate.sync_connection(url) as conn:
        # Only what Raypx owns: other applications' tables in the same database are left alone.
        for table in [*Base.metadata.tables, "alembic_version"]:
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        conn.execute(text(f"DROP FUNCTION IF EXISTS {triggers.FUNCTION_NAME}() CASCADE"))
        conn.commit()
    migrate.upgrade(url)
    out.print(f"database reset to migration {migrate.head_revision()}")
