"""What the web app needs to know before anyone signs in: which sign-in buttons to show."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from raypx.api.deps import SettingsDep
from raypx.auth.oauth_providers import Providers

router = APIRouter(prefix="/api", tags=["app"])


class SignInMethodsOut(BaseModel):
    """The Better Auth plugins switched on (RAYPX_AUTH_*): the screens offer only these."""

    email_otp: bool
    magic_link: bool
    passkeys: bool
    two_factor: bool
    api_keys: bool


class AppConfigOut(BaseModel):
    oauth_providers: list[str]
    billing_enabled: bool
    auth_methods: SignInMethodsOut


@router.get("/config", response_model=AppConfigOut)
async def app_config(settings: SettingsDep) -> AppConfigOut:
    """Public: OAuth provider ids, whether Stripe checkout is set up, sign-in methods on."""
    return AppConfigOut(
        oauth_providers=Providers.from_settings(settings).ids(),
        billing_enabled=settings.stripe_secret_key is not None
        and settings.stripe_price_pro is not None,
        auth_methods=SignInMethodsOut(
            email_otp=settings.auth_email_otp,
            magic_link=settings.auth_magic_link,
            passkeys=settings.auth_passkeys,
            two_factor=settings.auth_two_factor,
            api_keys=settings.auth_api_keys,
        ),
    )
