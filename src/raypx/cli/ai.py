"""`raypx ai …` and `raypx runs …`: models, one-off runs from the terminal, run history."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai import run_execution
from raypx.ai import service as runs
from raypx.ai.execution import Executor, TaskResult
from raypx.ai.prompts import Feature
from raypx.ai.runtime import AIRuntime
from raypx.auth import service as accounts
from raypx.cli.transactions import run_in_transaction
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import Run
from raypx.errors import Invalid
from raypx.settings import Settings, load_settings

app = typer.Typer(help="AI models and one-off runs.", no_args_is_help=True)
runs_app = typer.Typer(help="Run history.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.command()
def models() -> None:
    """List the models, their windows, prices and plans."""
    runtime = AIRuntime.from_settings(load_settings())
    table = Table(title="Models (USD per million tokens)")
    for column in ("name", "context", "input", "output", "plans", "description"):
        table.add_column(column)
    for m in runtime.registry.list():
        table.add_row(
            m.name, f"{m.context_window:,}", str(m.input_usd_per_million),
            str(m.output_usd_per_million), ", ".join(sorted(p.value for p in m.plans)),
            m.description,
        )  # fmt: skip
    out.print(table)


def read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise Invalid(f"no such file: {source}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{source} is not UTF-8 text") from None


async def execute(
    runtime: AIRuntime, feature: Feature, text: str, model: str, tone: str, user_email: str | None
) -> TaskResult:
    settings = runtime.settings
    task = runs.task_for(feature.value)
    engine = None
    run_id = None
    if user_email:
        # Recorded and metered as the user's run, with its quota checked first.
        engine = create_engine(resolve_database_url(settings), settings)
        factory = create_session_factory(engine)
        async with transaction(factory) as session:
            user = await accounts.require_user_by_email(session, user_email)
            run = await runs.start_local_run(
                session, runtime, user.id, feature=feature.value, input_text=text, model=model
            )
            run_id, model = run.id, run.model
    spec = runtime.registry.resolve(model)
    executor = Executor(runtime.providers.for_model(spec), spec, tone=tone, locale="en-US")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as progress:
        bar = progress.add_task(f"{feature.value} with {spec.name}", total=None)
        executor.on_call = lambda calls, chunks: progress.update(bar, completed=calls, total=chunks)
        try:
            result = await executor.run(task, text, {"tone": tone})
        finally:
            await runtime.providers.aclose()
    if engine is not None and run_id is not None:
        await run_execution.finish_succeeded(factory, run_id, spec, task, result)
        await engine.dispose()
    return result


@app.command("run")
def run_command(
    feature: Feature = typer.Argument(..., help="summarize, rewrite or extraction."),
    source: str = typer.Argument(..., help="A UTF-8 text file, or - for standard input."),
    model: str = typer.Option("mock:raypx-1", help="provider:model"),
    tone: str = typer.Option("professional", help="Output tone (rewrite)."),
    user: str | None = typer.Option(None, "--user", help="Record and bill as this user's run."),
) -> None:
    """Run one AI task on a file and print the result (a progress bar shows long inputs)."""
    if feature is Feature.CHAT:
        raise Invalid("chat happens in conversations; use summarize, rewrite or extraction")
    text = read_input(source)
    runtime = AIRuntime.from_settings(load_settings())
    result = asyncio.run(execute(runtime, feature, text, model, tone, user))
    out.print(result.text, highlight=False)
    err.print(
        f"[dim]{result.usage.input_tokens:,} input + {result.usage.output_tokens:,} output "
        f"tokens, {result.chunks} chunk(s), {result.calls} call(s)[/]"
    )


@runs_app.command("list")
def list_runs(
    user: str = typer.Argument(..., help="The user's email."),
    status: RunStatus | None = typer.Option(None, help="Only runs in this status."),
    limit: int = typer.Option(20, min=1, max=100),
) -> None:
    """A user's most recent runs."""

    async def work(session: AsyncSession, settings: Settings) -> list[Run]:
        owner = await accounts.require_user_by_email(session, user)
        page = await runs.list_runs(session, owner.id, status=status, limit=limit)
        return page.items

    table = Table(title=f"Runs of {user}")
    for column in ("id", "created", "feature", "model", "status", "error"):
        table.add_column(column)
    for item in run_in_transaction(work):
        table.add_row(
            str(item.id), f"{item.created_at:%Y-%m-%d %H:%M}", item.feature, item.model,
            item.status.value, (item.error_message or "")[:60],
        )  # fmt: skip
    out.print(table)
