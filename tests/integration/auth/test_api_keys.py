"""API keys (@better-auth/api-key): shown once, stored hashed, accepted as `x-api-key` or
Bearer on the JSON API as their owner (ownership, quotas), per-key rate limit, expiry,
permissions; the key endpoints themselves need a real session."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.conftest import Api

CREATE = "/api/auth/api-key/create"


async def create_key(api: Api, owner: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await api.client.post(CREATE, headers=owner, json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_key_is_shown_once_and_stored_hashed(api: Api) -> None:
    owner = await api.sign_up()
    created = await create_key(api, owner, name="ci")
    key = created["key"]
    assert key.startswith("rpx_") and len(key) == 4 + 64
    assert created["start"] == key[:6] and created["prefix"] == "rpx_"
    assert created["name"] == "ci" and created["enabled"] is True
    assert created["referenceId"] == await api.user_id(owner)
    listed = (await api.client.get("/api/auth/api-key/list", headers=owner)).json()
    assert listed["total"] == 1 and "key" not in listed["apiKeys"][0]
    got = await api.client.get("/api/auth/api-key/get", headers=owner, params={"id": created["id"]})
    assert got.status_code == 200 and "key" not in got.json()
    async with api.engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM api_key"))).mappings().one()
    assert key not in json.dumps({k: str(v) for k, v in row.items()})
    assert key[4:] not in str(row["key"])


async def test_key_acts_as_its_owner_by_header_or_bearer(api: Api) -> None:
    owner = await api.sign_up("Ada")
    key = (await create_key(api, owner))["key"]
    for headers in ({"x-api-key": key}, {"Authorization": f"Bearer {key}"}):
        me = await api.client.get("/api/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["user"]["id"] == await api.user_id(owner)
    wrong = await api.client.get("/api/me", headers={"x-api-key": key[:-1] + "x"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "INVALID_API_KEY"
    doc = await api.client.post(
        "/api/conversations", headers={"x-api-key": key}, json={"title": "by key"}
    )
    assert doc.status_code == 201
    listed = await api.client.get("/api/conversations", headers=owner)
    assert [c["title"] for c in listed.json()["items"]] == ["by key"]


async def test_a_key_cannot_manage_keys_or_the_account(api: Api) -> None:
    owner = await api.sign_up()
    key = (await create_key(api, owner))["key"]
    minted = await api.client.post(CREATE, headers={"x-api-key": key}, json={})
    assert minted.status_code == 401
    password = await api.client.post(
        "/api/auth/change-password",
        headers={"Authorization": f"Bearer {key}"},
        json={"currentPassword": "x" * 8, "newPassword": "y" * 8},
    )
    assert password.status_code == 401


async def test_disabled_and_expired_keys_are_refused(api: Api) -> None:
    owner = await api.sign_up()
    created = await create_key(api, owner, expiresIn=86400)
    key = created["key"]
    assert created["expiresAt"] is not None
    update = "/api/auth/api-key/update"
    off = await api.client.post(
        update, headers=owner, json={"keyId": created["id"], "enabled": False}
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    refused = await api.client.get("/api/me", headers={"x-api-key": key})
    assert refused.status_code == 401 and refused.json()["code"] == "KEY_DISABLED"
    await api.client.post(update, headers=owner, json={"keyId": created["id"], "enabled": True})
    async with api.engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await conn.execute(text("UPDATE api_key SET expires_at = :t"), {"t": past})
    expired = await api.client.get("/api/me", headers={"x-api-key": key})
    assert expired.status_code == 401 and expired.json()["code"] == "KEY_EXPIRED"


async def test_validation_and_server_only_properties(api: Api) -> None:
    owner = await api.sign_up()
    too_short = await api.client.post(CREATE, headers=owner, json={"expiresIn": 60})
    assert too_short.json()["code"] == "EXPIRES_IN_IS_TOO_SMALL"
    server_only = await api.client.post(CREATE, headers=owner, json={"rateLimitMax": 10**6})
    assert server_only.status_code == 400 and server_only.json()["code"] == "SERVER_ONLY_PROPERTY"
    long_name = await api.client.post(CREATE, headers=owner, json={"name": "n" * 33})
    assert long_name.json()["code"] == "INVALID_NAME_LENGTH"
    bad_perm = await api.client.post(CREATE, headers=owner, json={"permissions": {"x": ["read"]}})
    assert bad_perm.json()["code"] == "INVALID_PERMISSIONS"
    created = await create_key(api, owner)
    nothing = await api.client.post(
        "/api/auth/api-key/update", headers=owner, json={"keyId": created["id"]}
    )
    assert nothing.json()["code"] == "NO_VALUES_TO_UPDATE"


async def test_other_users_keys_are_not_found(api: Api) -> None:
    owner = await api.sign_up("Ada")
    other = await api.sign_up("Eve")
    created = await create_key(api, owner)
    for path, body in (
        ("/api/auth/api-key/update", {"keyId": created["id"], "name": "mine"}),
        ("/api/auth/api-key/delete", {"keyId": created["id"]}),
    ):
        response = await api.client.post(path, headers=other, json=body)
        assert response.status_code == 404 and response.json()["code"] == "KEY_NOT_FOUND"
    deleted = await api.client.post(
        "/api/auth/api-key/delete", headers=owner, json={"keyId": created["id"]}
    )
    assert deleted.json() == {"success": True}
    gone = await api.client.get("/api/me", headers={"x-api-key": created["key"]})
    assert gone.status_code == 401


async def test_permissions_narrow_the_key(api: Api) -> None:
    owner = await api.sign_up()
    key = (await create_key(api, owner, permissions={"conversations": ["read"]}))["key"]
    read = await api.client.get("/api/conversations", headers={"x-api-key": key})
    assert read.status_code == 200
    write = await api.client.post(
        "/api/conversations", headers={"x-api-key": key}, json={"title": "no"}
    )
    assert write.status_code == 403 and write.json()["code"] == "API_KEY_PERMISSION_DENIED"
    me = await api.client.get("/api/me", headers={"x-api-key": key})
    assert me.status_code == 403


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize("extra_settings", [{"auth_api_key_rate_limit_max": 3}])
async def test_per_key_rate_limit_holds_under_concurrency(api: Api) -> None:
    owner = await api.sign_up()
    key = (await create_key(api, owner))["key"]
    responses = await asyncio.gather(
        *[api.client.get("/api/me", headers={"x-api-key": key}) for _ in range(10)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [429] * 7
    refused = next(r.json() for r in responses if r.status_code == 429)
    assert refused["code"] == "RATE_LIMITED" and refused["details"]["tryAgainIn"] > 0
    assert (await api.client.get("/api/me", headers=owner)).status_code == 200  # session unaffected


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_requests": 2}})}]
)
async def test_runs_by_key_are_metered_and_quota_checked_as_the_owner(api: Api) -> None:
    owner = await api.sign_up()
    key = (await create_key(api, owner))["key"]
    body = {"feature": "summarize", "input": "Metered by key."}
    first = await api.client.post("/api/runs", headers=owner, json=body)
    second = await api.client.post("/api/runs", headers={"x-api-key": key}, json=body)
    third = await api.client.post("/api/runs", headers={"x-api-key": key}, json=body)
    assert (first.status_code, second.status_code, third.status_code) == (202, 202, 402)
    assert third.json()["code"] == "QUOTA_EXCEEDED"
    owner_runs = (await api.client.get("/api/runs", headers=owner)).json()
    assert len(owner_runs["items"]) == 2
