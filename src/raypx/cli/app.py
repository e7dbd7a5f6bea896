"""The `raypx` command. Every command builds Settings itself and turns a RaypxError into one
clear line on stderr and a non-zero exit, never a traceback; so does a database that is down or
not migrated, whichever command meets it (see failures.py)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from raypx import __version__
from raypx.cli import ai as ai_commands
from raypx.cli import ask as ask_commands
from raypx.cli import billing as billing_commands
from raypx.cli import db as db_commands
from raypx.cli import failures
from raypx.cli import jobs as jobs_commands
from raypx.cli import search as search_commands
from raypx.cli import serve as serve_commands
from raypx.cli import usage as usage_commands
from raypx.cli import users as users_commands
from raypx.cli import worker as worker_commands
from raypx.errors import RaypxError

app = typer.Typer(
    name="raypx",
    help="Raypx: a self-hostable AI SaaS backend on PostgreSQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(ai_commands.app, name="ai")
app.add_typer(ai_commands.runs_app, name="runs")
app.add_typer(billing_commands.app, name="billing")
app.add_typer(usage_commands.app, name="usage")
app.add_typer(users_commands.app, name="users")
app.command("serve")(serve_commands.serve)
app.add_typer(jobs_commands.app, name="jobs")
app.command("worker")(worker_commands.worker)
app.command("search")(search_commands.search_command)
app.command("reindex")(search_commands.reindex_command)
app.command("ask")(ask_commands.ask_command)

err = Console(stderr=True, soft_wrap=True)


@app.command()
def version() -> None:
    """Print the Raypx version."""
    typer.echo(__version__)


def main() -> None:
    try:
        app()
    except RaypxError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(2)
    except Exception as exc:
        explained = failures.explain(exc)
        if explained is None:
            raise  # a bug: its traceback is what a report needs
        err.print(f"[bold red]error:[/] {explained}", highlight=False)
        sys.exit(3)
