"""`raypx billing …`: manual plan changes and cancellation."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import service as accounts
from raypx.billing import service
from raypx.cli.transactions import run_in_transaction
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.errors import Invalid
from raypx.settings import Settings

app = typer.Typer(help="Subscriptions: set a plan, cancel.", no_args_is_help=True)
out = Console(soft_wrap=True)


def parse_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"--period-end must be an ISO date, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def show(summary: dict[str, object]) -> None:
    end = summary["current_period_end"]
    out.print(
        f"{summary['plan_tier']} ({summary['status']}, provider {summary['provider']}); "
        f"effective plan: {summary['effective_plan']}"
        + (f"; period ends {end}" if end else "")
        + ("; cancels at period end" if summary["cancel_at_period_end"] else "")
    )


@app.command("set-plan")
def set_plan(
    email: str = typer.Argument(..., help="The user's email."),
    tier: PlanTier = typer.Argument(..., help="free or pro."),
    status: SubscriptionStatus = typer.Option(
        SubscriptionStatus.ACTIVE, help="Subscription status."
    ),
    period_end: str | None = typer.Option(None, help="End of the paid period (ISO date)."),
) -> None:
    """Put a user on a plan (provider `manual`); the new limits apply at once."""
    end = parse_date(period_end)

    async def work(session: AsyncSession, settings: Settings) -> dict[str, object]:
        user = await accounts.require_user_by_email(session, email)
        await service.set_plan(session, user.id, tier, status=status, period_end=end)
        return await service.describe(session, user.id, settings)

    show(run_in_transaction(work))


@app.command()
def cancel(
    email: str = typer.Argument(..., help="The user's email."),
    at_period_end: bool = typer.Option(False, "--at-period-end", help="Keep pro until it ends."),
) -> None:
    """Cancel a user's paid plan, now or at the end of the period."""

    async def work(session: AsyncSession, settings: Settings) -> dict[str, object]:
        user = await accounts.require_user_by_email(session, email)
        await service.cancel(session, user.id, at_period_end=at_period_end)
        return await service.describe(session, user.id, settings)

    show(run_in_transaction(work))
