"""A linked OAuth account's provider tokens for the app's own use: Better Auth's
get-access-token, refresh-token and account-info. Tokens stay encrypted at rest
(`oauth_accounts`); they leave the server only in these answers, to their owner."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import oauth_accounts, oauth_providers
from raypx.auth.config import AuthConfig
from raypx.auth.oauth_providers import Provider, ProviderError, ProviderTokens
from raypx.db.models import Account, User
from raypx.errors import Invalid, Unauthorized

TIMEOUT = httpx.Timeout(10.0)


def account_not_found() -> Invalid:
    return Invalid("Account not found", code="ACCOUNT_NOT_FOUND")


async def find_own_account(db: AsyncSession, user_id: str, account_id: str) -> Account:
    """The caller's account by its id (what list-accounts returns as `id`)."""
    try:
        row_id = uuid.UUID(account_id)
    except ValueError:
        raise account_not_found() from None
    account: Account | None = await db.scalar(
        select(Account).where(Account.id == row_id, Account.user_id == user_id)
    )
    if account is None:
        raise account_not_found()
    return account


async def _provider(cfg: AuthConfig, account: Account, code: str, message: str) -> Provider:
    provider = await cfg.oauth.get(account.provider_id)
    if provider is None:
        raise Invalid(message, code=code)
    return provider


def _scopes(scope: str | None) -> list[str]:
    return [s for s in (scope or "").replace(",", " ").split() if s]


async def get_access_token(
    db: AsyncSession, cfg: AuthConfig, user_id: str, account_id: str
) -> dict[str, Any]:
    account = await find_own_account(db, user_id, account_id)
    supported = f"Provider {account.provider_id} is not supported."
    await _provider(cfg, account, "PROVIDER_NOT_SUPPORTED", supported)
    stored = oauth_accounts.read_tokens(cfg, account)
    if stored.access_token is None:
        raise Invalid("Failed to get a valid access token", code="FAILED_TO_GET_ACCESS_TOKEN")
    # `account` keeps no expiry (the spec's table), so no early refresh: refresh-token does it.
    answer: dict[str, Any] = {"accessToken": stored.access_token, "scopes": _scopes(account.scope)}
    if stored.id_token:
        answer["idToken"] = stored.id_token
    return answer


async def exchange_refresh_token(provider: Provider, refresh_token: str) -> ProviderTokens:
    """The provider's refresh grant (RFC 6749 section 6)."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    }
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(
                str(provider.token_url), data=form, headers={"Accept": "application/json"}
            )
            body = response.json()
    except (httpx.HTTPError, ValueError):
        raise ProviderError("refresh_failed") from None
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        raise ProviderError("refresh_failed")
    return ProviderTokens(
        access_token=body.get("access_token"),
        refresh_token=body.get("refresh_token"),
        id_token=body.get("id_token"),
        scope=body.get("scope"),
    )


async def refresh_token(
    db: AsyncSession, cfg: AuthConfig, user_id: str, account_id: str
) -> dict[str, Any]:
    account = await find_own_account(db, user_id, account_id)
    supported = f"Provider {account.provider_id} is not supported."
    provider = await _provider(cfg, account, "PROVIDER_NOT_SUPPORTED", supported)
    stored = oauth_accounts.read_tokens(cfg, account)
    if stored.refresh_token is None:
        raise Invalid("Refresh token not found", code="REFRESH_TOKEN_NOT_FOUND")
    failed = Invalid("Failed to refresh access token", code="FAILED_TO_REFRESH_ACCESS_TOKEN")
    try:
        fresh = await exchange_refresh_token(provider, stored.refresh_token)
    except ProviderError:
        raise failed from None
    kept = ProviderTokens(
        access_token=fresh.access_token,
        refresh_token=fresh.refresh_token or stored.refresh_token,
        id_token=fresh.id_token or stored.id_token,
        scope=account.scope,  # a refresh may answer narrower scopes; the grant stays
    )
    owner = await db.get(User, user_id)
    assert owner is not None  # the account row is the caller's, so the user exists
    profile = oauth_providers.Profile(account.account_id, None, False, "", None)
    await oauth_accounts.save_account(db, cfg, owner, account.provider_id, profile, kept, account)
    return {
        "accessToken": kept.access_token,
        "refreshToken": kept.refresh_token,
        "scope": account.scope,
        "idToken": kept.id_token,
        "providerId": account.provider_id,
        "accountId": str(account.id),
    }


async def account_info(
    db: AsyncSession, cfg: AuthConfig, user_id: str, account_id: str
) -> dict[str, Any]:
    account = await find_own_account(db, user_id, account_id)
    provider = await _provider(
        cfg,
        account,
        "PROVIDER_NOT_CONFIGURED",
        "Account is not associated with a configured social provider.",
    )
    stored = oauth_accounts.read_tokens(cfg, account)
    if stored.access_token is None:
        raise Invalid("Access token not found", code="ACCESS_TOKEN_NOT_FOUND")
    try:
        profile = await oauth_providers.fetch_profile(provider, stored.access_token)
    except ProviderError:
        raise Unauthorized("Failed to get user info", code="FAILED_TO_GET_USER_INFO") from None
    user = {
        "id": profile.account_id,
        "name": profile.name,
        "email": profile.email,
        "image": profile.image,
        "emailVerified": profile.email_verified,
    }
    return {
        "user": user,
        "data": dict(user),
        "account": {
            "id": str(account.id),
            "providerId": account.provider_id,
            "accountId": account.account_id,
        },
    }
