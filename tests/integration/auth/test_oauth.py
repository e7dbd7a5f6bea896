"""OAuth sign-in against a real OIDC provider (authlib, on loopback): sign-up, sign-in, linking
by verified email, state and PKCE, link-social, unlink-account, tokens encrypted at rest."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api.routes import auth_deps
from raypx.auth import oauth_accounts
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import Account, Profile, Subscription, User
from raypx.settings import Settings
from tests.fakes.oauth_provider import Provider
from tests.integration.auth.conftest import BASE_URL, Clock, sign_up
from tests.integration.auth.oauth_flow import (
    PROVIDER_ID,
    authorize,
    browser,
    error_of,
    has_session_cookie,
    sign_in,
    start,
)


@pytest.fixture
def settings(tmp_path: Path, provider: Provider) -> Settings:
    entry = {
        "id": PROVIDER_ID,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "issuer": provider.base_url,
    }
    return Settings(
        home=tmp_path,
        secret="test-secret-for-auth",  # type: ignore[arg-type]
        base_url=BASE_URL,
        argon2_memory_cost=64,
        argon2_time_cost=1,
        oauth_providers=json.dumps([entry]),
    )


async def accounts_of(session: AsyncSession, user_id: str) -> list[str]:
    rows = await session.scalars(select(Account.provider_id).where(Account.user_id == user_id))
    return sorted(rows.all())


async def verify_email(session: AsyncSession, email: str) -> None:
    await session.execute(update(User).where(User.email == email).values(email_verified=True))


async def test_first_sign_in_signs_up_like_email_sign_up(
    app: FastAPI, provider: Provider, session: AsyncSession
) -> None:
    async with browser(app) as client:
        url = await start(client, newUserCallbackURL="/welcome")
        query = parse_qs(urlsplit(url).query)
        assert url.startswith(f"{provider.base_url}/authorize?")
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        response = await client.get(await authorize(url))
        assert response.status_code == 302 and response.headers["location"] == "/welcome"
        assert has_session_cookie(response)
        got = (await client.get("/api/auth/get-session")).json()
    user = got["user"]
    assert (user["email"], user["name"], user["emailVerified"]) == (
        "ada@example.com",
        "Ada Lovelace",
        True,
    )
    assert user["image"] == "https://images.example/corp-1.png"
    assert provider.token_requests[-1]["code_verifier"]  # PKCE verifier sent with the code
    profile = await session.scalar(select(Profile).where(Profile.user_id == user["id"]))
    assert profile is not None
    subscription = await session.scalar(
        select(Subscription).where(Subscription.user_id == user["id"])
    )
    assert subscription is not None
    assert (subscription.plan_tier, subscription.status) == (
        PlanTier.FREE,
        SubscriptionStatus.ACTIVE,
    )
    assert await accounts_of(session, user["id"]) == [PROVIDER_ID]


async def test_second_sign_in_reuses_the_account(
    app: FastAPI, provider: Provider, session: AsyncSession
) -> None:
    async with browser(app) as first, browser(app) as second:
        one = await sign_in(first)
        two = await sign_in(second)
        assert two.headers["location"] == "/dashboard"  # not a new user any more
        ids = [(await c.get("/api/auth/get-session")).json()["user"]["id"] for c in (first, second)]
    assert one.status_code == two.status_code == 302
    assert ids[0] == ids[1]
    assert await session.scalar(select(func.count()).select_from(User)) == 1
    assert await session.scalar(select(func.count()).select_from(Account)) == 1


async def test_links_to_existing_user_by_verified_email(
    app: FastAPI, client: httpx.AsyncClient, provider: Provider, session: AsyncSession
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    await verify_email(session, "ada@example.com")
    async with browser(app) as other:
        response = await sign_in(other)
        assert has_session_cookie(response)
        got = (await other.get("/api/auth/get-session")).json()
    assert got["user"]["id"] == user_id
    assert await accounts_of(session, user_id) == ["corp", "credential"]


@pytest.mark.parametrize(
    ("provider_verified", "ours_verified"),
    [(False, True), (True, False)],
    ids=["provider-unverified", "local-unverified-with-password"],
)
async def test_refuses_to_link_without_proof_of_the_address(
    app: FastAPI,
    client: httpx.AsyncClient,
    provider: Provider,
    session: AsyncSession,
    provider_verified: bool,
    ours_verified: bool,
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    if ours_verified:
        await verify_email(session, "ada@example.com")
    provider.sign_in_as("corp-1", "ada@example.com", verified=provider_verified)
    async with browser(app) as other:
        response = await sign_in(other, errorCallbackURL="/sign-in-failed")
        assert (await other.get("/api/auth/get-session")).json() is None
    assert response.headers["location"] == "/sign-in-failed?error=account_not_linked"
    assert not has_session_cookie(response)
    assert await accounts_of(session, user_id) == ["credential"]


async def test_state_works_once(app: FastAPI, provider: Provider) -> None:
    async with browser(app) as client:
        callback = await authorize(await start(client))
        assert has_session_cookie(await client.get(callback))
        await client.post("/api/auth/sign-out")
        replayed = await client.get(callback)
        assert error_of(replayed) == "please_restart_the_process"
        assert not has_session_cookie(replayed)
        assert (await client.get("/api/auth/get-session")).json() is None


async def test_state_from_another_browser_or_unknown_or_expired_is_rejected(
    app: FastAPI, provider: Provider, clock: Clock
) -> None:
    async with browser(app) as victim, browser(app) as attacker:
        # A callback started in one browser cannot complete in another (login CSRF).
        foreign = await attacker.get(await authorize(await start(victim)))
        assert error_of(foreign) == "state_mismatch"
        assert not has_session_cookie(foreign)
        callback = await authorize(await start(victim))
        forged = callback.replace("state=", "state=x")
        assert error_of(await victim.get(forged)) == "please_restart_the_process"
        clock.advance(minutes=11)
        expired = await victim.get(callback)
        assert error_of(expired) == "please_restart_the_process"
        assert not has_session_cookie(expired)


async def test_provider_checks_the_pkce_verifier(app: FastAPI, provider: Provider) -> None:
    async with browser(app) as victim, browser(app) as attacker:
        victims_callback = await authorize(await start(victim))
        stolen = parse_qs(urlsplit(victims_callback).query)["code"][0]
        own = await authorize(await start(attacker))
        # Inject the victim's code into the attacker's own flow: its verifier does not match.
        injected = await attacker.get(own.replace("code=", f"code={stolen}&was="))
        assert error_of(injected) == "invalid_code"
        assert not has_session_cookie(injected)
        # The code itself was fine: with the verifier it was issued for, it still works.
        assert has_session_cookie(await victim.get(victims_callback))


async def test_link_social_then_unlink_but_never_the_last_account(
    client: httpx.AsyncClient, provider: Provider, session: AsyncSession
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    url = await start(client, path="link-social", callbackURL="/settings")
    response = await client.get(await authorize(url))
    assert response.headers["location"] == "/settings"
    assert not has_session_cookie(response)  # the caller's session stays
    listed = (await client.get("/api/auth/list-accounts")).json()
    assert sorted(a["providerId"] for a in listed) == ["corp", "credential"]

    unlink = "/api/auth/unlink-account"
    assert (await client.post(unlink, json={"providerId": "credential"})).json() == {"status": True}
    last = await client.post(unlink, json={"providerId": PROVIDER_ID, "accountId": "corp-1"})
    assert last.status_code == 400
    assert last.json()["code"] == "FAILED_TO_UNLINK_LAST_ACCOUNT"
    missing = await client.post(unlink, json={"providerId": "github"})
    assert missing.status_code == 400 and missing.json()["code"] == "ACCOUNT_NOT_FOUND"
    assert await accounts_of(session, user_id) == ["corp"]


async def test_link_social_refuses_another_email(
    client: httpx.AsyncClient, provider: Provider, session: AsyncSession
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    provider.sign_in_as("corp-2", "someone-else@example.com")
    url = await start(client, path="link-social", callbackURL="/settings")
    response = await client.get(await authorize(url))
    assert response.headers["location"] == "/settings?error=email_doesn%27t_match"
    assert await accounts_of(session, user_id) == ["credential"]


async def test_provider_tokens_are_encrypted_at_rest(
    app: FastAPI, provider: Provider, session: AsyncSession
) -> None:
    async with browser(app) as client:
        await sign_in(client)
    [issued] = provider.tokens
    account = await session.scalar(select(Account).where(Account.provider_id == PROVIDER_ID))
    assert account is not None and account.access_token is not None
    assert issued not in account.access_token
    cfg = auth_deps.auth_config(app.state)
    assert oauth_accounts.read_tokens(cfg, account).access_token == issued


async def test_unknown_provider_and_untrusted_callback(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/api/auth/sign-in/social", json={"provider": "nope"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "PROVIDER_NOT_FOUND"
    evil = await client.post(
        "/api/auth/sign-in/social",
        json={"provider": PROVIDER_ID, "callbackURL": "https://evil.example/x"},
    )
    assert evil.status_code == 403 and evil.json()["code"] == "INVALID_CALLBACK_URL"
