"""What the web app needs to know before anyone signs in: which sign-in buttons to show."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from raypx.api.deps import SettingsDep
from raypx.auth.oauth_providers import Providers

router = APIRouter(prefix="/api", tags=["app"])


class AppConfigOut(BaseModel):
    oauth_providers: list[str]
    billing_enabled: bool


@router.get("/config", response_model=AppConfigOut)
async def app_config(settings: SettingsDep) -> AppConfigOut:
    """Public: OAuth provider ids configured, and whether Stripe checkout is set up."""
    return AppConfigOut(
        oauth_providers=Providers.from_settings(settings).ids(),
        billing_enabled=settings.stripe_secret_key is not None
        and settings.stripe_price_pro is not None,
    )
