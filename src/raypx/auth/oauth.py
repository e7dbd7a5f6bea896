"""OAuth sign-in, Better Auth style: start (state + PKCE), callback, link and unlink.

The state is 32 random characters; its `verification` row (`oauth-state:<sha256>`) holds the
PKCE verifier and where to go afterwards, encrypted, for ten minutes, and is deleted the moment
a callback presents it, whatever happens next. The browser that started the flow also holds
the state in a signed cookie, so a callback replayed into another browser fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import oauth_providers, origin, service, sessions, tokens
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.oauth_accounts import find_account, save_account
from raypx.auth.oauth_providers import Profile, Provider, ProviderError
from raypx.auth.sessions import SignedIn
from raypx.db.models import User, Verification
from raypx.errors import NotFound

STATE_PURPOSE = "oauth-state"
STATE_LIFETIME = timedelta(minutes=10)


class OAuthFailure(Exception):
    """Ends a callback with a redirect to the error page carrying `?error=<code>`."""

    def __init__(self, code: str, error_url: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.error_url = error_url


@dataclass(frozen=True)
class Started:
    url: str
    state: str  # also goes into the browser's signed state cookie


@dataclass(frozen=True)
class Finished:
    redirect: str
    signed: SignedIn | None  # None after linking: the caller's session stays as it was


def redirect_uri(cfg: AuthConfig, provider_id: str) -> str:
    return f"{cfg.base_url}/api/auth/callback/{provider_id}"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _state_identifier(state: str) -> str:
    return f"{STATE_PURPOSE}:{tokens.digest(state)}"


async def _provider(cfg: AuthConfig, provider_id: str) -> Provider:
    try:
        provider = await cfg.oauth.get(provider_id)
    except ProviderError:
        provider = None
    if provider is None:
        raise NotFound("Provider not found", code="PROVIDER_NOT_FOUND")
    return provider


async def start_oauth(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    provider_id: str,
    callback_url: str | None,
    error_callback_url: str | None = None,
    new_user_callback_url: str | None = None,
    scopes: list[str] | None = None,
    link: User | None = None,
) -> Started:
    """The provider's authorization URL; with `link`, the callback links to that user."""
    for url in (callback_url, error_callback_url, new_user_callback_url):
        origin.check_callback_url(url, cfg.trusted)
    provider = await _provider(cfg, provider_id)
    state, verifier = tokens.generate_token(), secrets.token_urlsafe(48)
    flow = {
        "providerId": provider.id,
        "codeVerifier": verifier,
        "callbackURL": callback_url,
        "errorCallbackURL": error_callback_url,
        "newUserCallbackURL": new_user_callback_url,
        "link": {"userId": link.id, "email": link.email} if link else None,
    }
    sealed = cfg.cipher.encrypt(json.dumps(flow), STATE_PURPOSE)
    db.add(
        Verification(
            identifier=_state_identifier(state),
            value=str(sealed),
            expires_at=meta.now + STATE_LIFETIME,
        )
    )
    await db.flush()
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri(cfg, provider.id),
        "scope": " ".join(dict.fromkeys([*provider.scopes, *(scopes or [])])),
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    return Started(f"{provider.authorize_url}?{urlencode(query)}", state)


async def _take_state(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, state: str | None
) -> dict[str, Any]:
    """The flow saved for `state`, deleted as it is read: a state works once."""
    if not state:
        raise OAuthFailure("state_not_found")
    row: Verification | None = await db.scalar(
        delete(Verification)
        .where(Verification.identifier == _state_identifier(state))
        .returning(Verification)
    )
    opened = cfg.cipher.decrypt(row.value, STATE_PURPOSE) if row else None
    if row is None or row.expires_at <= meta.now or opened is None:
        raise OAuthFailure("please_restart_the_process")
    flow: dict[str, Any] = json.loads(opened)
    return flow


async def finish_oauth(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    provider_id: str,
    code: str | None,
    state: str | None,
    state_cookie: str | None,
    provider_error: str | None = None,
) -> Finished:
    """The callback: check state, exchange the code, then sign in, sign up or link."""
    flow = await _take_state(db, cfg, meta, state)
    error_url = flow["errorCallbackURL"] or flow["callbackURL"]
    if flow["providerId"] != provider_id or state_cookie != state:
        raise OAuthFailure("state_mismatch", error_url)
    if provider_error or not code:
        raise OAuthFailure(provider_error or "no_code", error_url)
    provider = await _provider(cfg, provider_id)
    try:
        received = await oauth_providers.exchange_code(
            provider, code, flow["codeVerifier"], redirect_uri(cfg, provider_id)
        )
        profile = await oauth_providers.fetch_profile(provider, str(received.access_token))
    except ProviderError as exc:
        raise OAuthFailure(exc.code, error_url) from None
    if not profile.email:
        raise OAuthFailure("email_not_found", error_url)
    done = flow["callbackURL"] or f"{cfg.base_url}/"
    if flow["link"]:
        await _link(db, cfg, meta, flow["link"], provider_id, profile, received, error_url)
        return Finished(done, None)
    user, created = await _sign_in_or_up(db, cfg, meta, provider_id, profile, received, error_url)
    signed = await sessions.create_session(db, cfg, user, meta)
    if created and flow["newUserCallbackURL"]:
        done = flow["newUserCallbackURL"]
    return Finished(done, signed)


async def _sign_in_or_up(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    provider_id: str,
    profile: Profile,
    received: oauth_providers.ProviderTokens,
    error_url: str | None,
) -> tuple[User, bool]:
    """The account's user; else link to the user with that email; else a new user."""
    account = await find_account(db, provider_id, profile.account_id)
    if account is not None:
        user = await db.get(User, account.user_id)
        assert user is not None  # account.user_id is a foreign key
        await save_account(db, cfg, user, provider_id, profile, received, account)
        return user, False
    user = await service.find_user_by_email(db, str(profile.email))
    if user is not None:
        # Linking needs the provider's word that the address is this person's. And if our
        # copy is unverified but has a password, whoever set that password may not own the
        # address (account pre-hijacking): they must verify or reset it first.
        has_password = await service.get_credential_account(db, user.id) is not None
        if not profile.email_verified or (not user.email_verified and has_password):
            raise OAuthFailure("account_not_linked", error_url)
        user.email_verified = True
        await save_account(db, cfg, user, provider_id, profile, received)
        return user, False
    # The same path as email sign-up: user, profile and free subscription together.
    user = await service.create_user(
        db,
        cfg,
        meta,
        name=profile.name or str(profile.email).split("@")[0],
        email=str(profile.email),
        password=None,
        image=profile.image,
        email_verified=profile.email_verified,
    )
    await save_account(db, cfg, user, provider_id, profile, received)
    return user, True


async def _link(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    link: dict[str, str],
    provider_id: str,
    profile: Profile,
    received: oauth_providers.ProviderTokens,
    error_url: str | None,
) -> None:
    user = await db.get(User, link["userId"])
    if user is None or user.email != link["email"]:
        raise OAuthFailure("unable_to_link_account", error_url)
    if profile.email != user.email:
        raise OAuthFailure("email_doesn't_match", error_url)
    account = await find_account(db, provider_id, profile.account_id)
    if account is not None and account.user_id != user.id:
        raise OAuthFailure("account_already_linked_to_different_user", error_url)
    await save_account(db, cfg, user, provider_id, profile, received, account)


def error_redirect(cfg: AuthConfig, failure: OAuthFailure) -> str:
    base = failure.error_url or f"{cfg.base_url}/api/auth/error"
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{urlencode({'error': failure.code})}"
