"""OAuth providers from configuration: GitHub, Google and any OpenID Connect provider.

Each provider knows its endpoints (fixed, configured, or discovered from the issuer's
`/.well-known/openid-configuration` on first use), exchanges a code for tokens with the PKCE
verifier, and reads the user's profile. Profiles come from the userinfo endpoint over the TLS
connection the tokens were issued on, so no ID-token signature check is needed to trust them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx

from raypx.errors import ConfigurationError
from raypx.settings import Settings

Kind = Literal["github", "oidc"]
TIMEOUT = httpx.Timeout(10.0)
GITHUB_API = "https://api.github.com"


class ProviderError(Exception):
    """The provider refused or answered nonsense; `code` is Better Auth's error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Profile:
    account_id: str
    email: str | None
    email_verified: bool
    name: str
    image: str | None


@dataclass(frozen=True)
class ProviderTokens:
    access_token: str | None
    refresh_token: str | None
    id_token: str | None
    scope: str | None


@dataclass(frozen=True)
class Provider:
    id: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    kind: Kind = "oidc"
    issuer: str | None = None
    authorize_url: str | None = None
    token_url: str | None = None
    userinfo_url: str | None = None
    discovered: bool = field(default=False, compare=False)

    @property
    def ready(self) -> bool:
        return bool(self.authorize_url and self.token_url and self.userinfo_url)


def github(client_id: str, client_secret: str) -> Provider:
    return Provider(
        id="github",
        client_id=client_id,
        client_secret=client_secret,
        scopes=("read:user", "user:email"),
        kind="github",
        authorize_url="https://github.com/login/oauth/authorize",
        token_url="https://github.com/login/oauth/access_token",
        userinfo_url=f"{GITHUB_API}/user",
    )


def google(client_id: str, client_secret: str) -> Provider:
    return Provider(
        id="google",
        client_id=client_id,
        client_secret=client_secret,
        scopes=("openid", "email", "profile"),
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        userinfo_url="https://openidconnect.googleapis.com/v1/userinfo",
    )


def _from_json(entry: dict[str, Any]) -> Provider:
    try:
        provider = Provider(
            id=str(entry["id"]),
            client_id=str(entry["client_id"]),
            client_secret=str(entry["client_secret"]),
            scopes=tuple(entry.get("scopes") or ("openid", "email", "profile")),
            issuer=(entry.get("issuer") or "").rstrip("/") or None,
            authorize_url=entry.get("authorize_url"),
            token_url=entry.get("token_url"),
            userinfo_url=entry.get("userinfo_url"),
        )
    except KeyError as missing:
        raise ConfigurationError(f"RAYPX_OAUTH_PROVIDERS: an entry lacks {missing}") from None
    if not provider.issuer and not provider.ready:
        raise ConfigurationError(
            f"RAYPX_OAUTH_PROVIDERS: {provider.id!r} needs an issuer, or authorize_url, "
            "token_url and userinfo_url"
        )
    return provider


class Providers:
    """The configured providers by id; discovered endpoints are kept after the first use."""

    def __init__(self, providers: list[Provider]) -> None:
        self._by_id = {provider.id: provider for provider in providers}

    @classmethod
    def from_settings(cls, settings: Settings) -> Providers:
        found: list[Provider] = []
        if settings.github_client_id and settings.github_client_secret:
            secret = settings.github_client_secret.get_secret_value()
            found.append(github(settings.github_client_id, secret))
        if settings.google_client_id and settings.google_client_secret:
            secret = settings.google_client_secret.get_secret_value()
            found.append(google(settings.google_client_id, secret))
        if settings.oauth_providers:
            try:
                entries = json.loads(settings.oauth_providers)
            except ValueError:
                raise ConfigurationError("RAYPX_OAUTH_PROVIDERS is not valid JSON") from None
            if not isinstance(entries, list):
                raise ConfigurationError("RAYPX_OAUTH_PROVIDERS must be a JSON list")
            found += [_from_json(entry) for entry in entries]
        return cls(found)

    def ids(self) -> list[str]:
        return list(self._by_id)

    async def get(self, provider_id: str) -> Provider | None:
        provider = self._by_id.get(provider_id)
        if provider is None or provider.ready:
            return provider
        provider = await _discover(provider)
        self._by_id[provider_id] = provider
        return provider


async def _discover(provider: Provider) -> Provider:
    url = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url)
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError):
        raise ProviderError("oauth_provider_unavailable") from None
    return replace(
        provider,
        authorize_url=provider.authorize_url or document.get("authorization_endpoint"),
        token_url=provider.token_url or document.get("token_endpoint"),
        userinfo_url=provider.userinfo_url or document.get("userinfo_endpoint"),
        discovered=True,
    )


async def exchange_code(
    provider: Provider, code: str, verifier: str, redirect_uri: str
) -> ProviderTokens:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
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
        raise ProviderError("invalid_code") from None
    # GitHub answers a bad code with 200 and an `error` field.
    if response.status_code != 200 or "error" in body or not body.get("access_token"):
        raise ProviderError("invalid_code")
    return ProviderTokens(
        access_token=body.get("access_token"),
        refresh_token=body.get("refresh_token"),
        id_token=body.get("id_token"),
        scope=body.get("scope"),
    )


async def fetch_profile(provider: Provider, access_token: str) -> Profile:
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, headers=headers) as client:
            response = await client.get(str(provider.userinfo_url))
            response.raise_for_status()
            info = response.json()
            if provider.kind == "github":
                return await _github_profile(client, info)
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise ProviderError("unable_to_get_user_info") from None
    if not info.get("sub"):
        raise ProviderError("unable_to_get_user_info")
    email = info.get("email")
    return Profile(
        account_id=str(info["sub"]),
        email=email.strip().lower() if isinstance(email, str) else None,
        # Some providers send the claim as a string ("true").
        email_verified=info.get("email_verified") in (True, "true"),
        name=str(info.get("name") or info.get("preferred_username") or ""),
        image=info.get("picture"),
    )


async def _github_profile(client: httpx.AsyncClient, user: dict[str, Any]) -> Profile:
    """GitHub's /user email may be absent or unverified: the verified primary one wins."""
    response = await client.get(f"{GITHUB_API}/user/emails")
    emails = response.json() if response.status_code == 200 else []
    primary = next((e for e in emails if e.get("primary") and e.get("verified")), None)
    email = primary["email"] if primary else user.get("email")
    return Profile(
        account_id=str(user["id"]),
        email=email.lower() if email else None,
        email_verified=primary is not None,
        name=str(user.get("name") or user.get("login") or ""),
        image=user.get("avatar_url"),
    )
