"""Better Auth 1.7 core endpoints: /ok, verify-password, update-session, unlink-account by
`{accountId}`, and a linked account's provider tokens (get-access-token, refresh-token,
account-info) against a real OIDC provider."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.models import Account, User
from raypx.settings import Settings
from tests.fakes.oauth_provider import Provider
from tests.integration.auth.conftest import BASE_URL, PASSWORD, make_client, sign_up
from tests.integration.auth.oauth_flow import PROVIDER_ID, browser, sign_in


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


async def test_ok(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/api/auth/ok")
    assert response.status_code == 200 and response.json() == {"ok": True}


async def test_verify_password(app: FastAPI, client: httpx.AsyncClient) -> None:
    await sign_up(client)
    path = "/api/auth/verify-password"
    assert (await client.post(path, json={"password": PASSWORD})).json() == {"status": True}
    wrong = await client.post(path, json={"password": "not-the-password"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_PASSWORD"
    missing = await client.post(path, json={})
    assert missing.status_code == 400 and missing.json()["code"] == "VALIDATION_ERROR"
    async with make_client(app, "10.1.1.2", origin=BASE_URL) as anonymous:
        unauthenticated = await anonymous.post(path, json={"password": PASSWORD})
    assert unauthenticated.status_code == 401


async def test_verify_password_is_rate_limited_like_sign_in(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    path = "/api/auth/verify-password"
    codes = [
        (await client.post(path, json={"password": f"guess-{i}xx"})).status_code for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


async def test_update_session_has_no_fields_to_update(client: httpx.AsyncClient) -> None:
    path = "/api/auth/update-session"
    assert (await client.post(path, json={"theme": "dark"})).status_code == 401
    await sign_up(client)
    response = await client.post(path, json={"theme": "dark"})
    assert response.status_code == 400 and response.json()["message"] == "No fields to update"


async def test_unlink_by_account_row_id(
    app: FastAPI, provider: Provider, session: AsyncSession
) -> None:
    async with browser(app) as client:
        await sign_up(client, email="ada@example.com")
    await session.execute(update(User).values(email_verified=True))  # so the link may happen
    async with browser(app) as client:
        await sign_in(client)  # links corp-1 to ada (verified email)
        listed = (await client.get("/api/auth/list-accounts")).json()
        by_provider = {a["providerId"]: a["id"] for a in listed}
        assert set(by_provider) == {"credential", PROVIDER_ID}
        path = "/api/auth/unlink-account"
        missing = await client.post(path, json={})
        assert missing.status_code == 400 and missing.json()["code"] == "VALIDATION_ERROR"
        unknown = await client.post(path, json={"accountId": "not-a-row"})
        assert unknown.status_code == 400 and unknown.json()["code"] == "ACCOUNT_NOT_FOUND"
        done = await client.post(path, json={"accountId": by_provider["credential"]})
        assert done.json() == {"status": True}
        last = await client.post(path, json={"accountId": by_provider[PROVIDER_ID]})
        assert last.status_code == 400 and last.json()["code"] == "FAILED_TO_UNLINK_LAST_ACCOUNT"
    rows = (await session.scalars(select(Account.provider_id))).all()
    assert rows == [PROVIDER_ID]


async def corp_account_id(client: httpx.AsyncClient) -> str:
    listed = (await client.get("/api/auth/list-accounts")).json()
    return str(next(a["id"] for a in listed if a["providerId"] == PROVIDER_ID))


async def test_get_access_token_and_account_info(app: FastAPI, provider: Provider) -> None:
    async with browser(app) as client:
        await sign_in(client)
        account_id = await corp_account_id(client)
        token = await client.post("/api/auth/get-access-token", json={"accountId": account_id})
        assert token.status_code == 200, token.text
        [issued] = provider.tokens
        assert token.json()["accessToken"] == issued
        info = await client.get("/api/auth/account-info", params={"accountId": account_id})
        assert info.status_code == 200, info.text
        body = info.json()
        assert body["user"]["email"] == "ada@example.com" and body["user"]["emailVerified"]
        assert body["account"] == {
            "id": account_id,
            "providerId": PROVIDER_ID,
            "accountId": "corp-1",
        }
        no_refresh = await client.post("/api/auth/refresh-token", json={"accountId": account_id})
        assert no_refresh.status_code == 400
        assert no_refresh.json()["code"] == "REFRESH_TOKEN_NOT_FOUND"
        credential = await client.post(
            "/api/auth/get-access-token", json={"accountId": "0190f0f0-0000-7000-8000-000000000000"}
        )
        assert credential.status_code == 400 and credential.json()["code"] == "ACCOUNT_NOT_FOUND"


async def test_another_users_account_is_not_found(app: FastAPI, provider: Provider) -> None:
    async with browser(app) as owner:
        await sign_in(owner)
        account_id = await corp_account_id(owner)
    async with browser(app) as other:
        await sign_up(other, email="eve@example.com")
        for path in ("/api/auth/get-access-token", "/api/auth/refresh-token"):
            response = await other.post(path, json={"accountId": account_id})
            assert response.status_code == 400 and response.json()["code"] == "ACCOUNT_NOT_FOUND"
        info = await other.get("/api/auth/account-info", params={"accountId": account_id})
        assert info.status_code == 400 and info.json()["code"] == "ACCOUNT_NOT_FOUND"


async def test_refresh_token_rotates_the_stored_access_token(
    app: FastAPI, provider: Provider, session: AsyncSession
) -> None:
    provider.issue_refresh_tokens = True
    async with browser(app) as client:
        await sign_in(client)
        account_id = await corp_account_id(client)
        [first] = provider.tokens
        refreshed = await client.post("/api/auth/refresh-token", json={"accountId": account_id})
        assert refreshed.status_code == 200, refreshed.text
        body = refreshed.json()
        assert body["accessToken"] != first and body["accessToken"] in provider.tokens
        assert body["providerId"] == PROVIDER_ID and body["accountId"] == account_id
        again = await client.post("/api/auth/get-access-token", json={"accountId": account_id})
        assert again.json()["accessToken"] == body["accessToken"]
    row = await session.scalar(select(Account).where(Account.provider_id == PROVIDER_ID))
    assert row is not None and row.access_token is not None
    assert body["accessToken"] not in row.access_token  # still encrypted at rest
