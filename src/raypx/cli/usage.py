"""`raypx usage report [EMAIL] [--month YYYY-MM]`: usage and cost as a table."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import service as accounts
from raypx.cli.transactions import run_in_transaction
from raypx.settings import Settings
from raypx.usage import reports

app = typer.Typer(help="Usage and cost reports.", no_args_is_help=True)
out = Console(soft_wrap=True)


@app.command()
def report(
    email: str | None = typer.Argument(None, help="One user's usage [default: every user's]."),
    month: str | None = typer.Option(None, help="Calendar month, YYYY-MM, UTC [default: this]."),
    group_by: reports.GroupBy = typer.Option(reports.GroupBy.METRIC, help="How to group rows."),
) -> None:
    """Totals and cost for a month, grouped by metric, model, feature or day."""
    start, end = reports.month_range(month) if month else reports.resolve_range(None, None)

    async def work(session: AsyncSession, settings: Settings) -> reports.Report:
        user_id = (await accounts.require_user_by_email(session, email)).id if email else None
        return await reports.build_report(session, user_id, start, end, group_by)

    result = run_in_transaction(work)
    who = email or "all users"
    table = Table(title=f"Usage of {who}, {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC, end exclusive)")
    if group_by is not reports.GroupBy.METRIC:
        table.add_column(group_by.value)
    for column in ("metric", "quantity", "events", "cost (USD)"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in result.rows:
        cells = [f"{row.quantity:,}", f"{row.events:,}", f"{row.cost_usd:.4f}"]
        prefix = [row.key or "-"] if group_by is not reports.GroupBy.METRIC else []
        table.add_row(*prefix, row.metric, *cells)
    out.print(table)
    out.print(f"total cost: ${result.cost_usd:.4f}")
