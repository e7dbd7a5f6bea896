"""Session lookups through the app's direct read pool still expire and slide like the ORM path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.integration.conftest import BASE_URL, Api


async def sign_up_with_cookie(api: Api) -> tuple[str, str]:
    response = await api.client.post(
        "/api/auth/sign-up/email",
        json={"name": "Fast", "email": "fast@example.com", "password": "correct horse battery"},
    )
    cookie = response.headers["set-cookie"].split(";")[0]
    api.client.cookies.clear()
    return cookie, str(response.json()["user"]["id"])


async def expires_at(api: Api, user_id: str) -> datetime:
    async with api.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT expires_at FROM session WHERE user_id = :u"), {"u": user_id}
        )
        return found.scalar_one()  # type: ignore[no-any-return]


async def set_expiry(api: Api, user_id: str, when: datetime) -> None:
    async with api.engine.begin() as conn:
        await conn.execute(
            text("UPDATE session SET expires_at = :t WHERE user_id = :u"), {"t": when, "u": user_id}
        )


async def test_the_app_runs_a_direct_read_pool(api: Api) -> None:
    assert api.app.state.direct_pool is not None
    cookie, user_id = await sign_up_with_cookie(api)
    session = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert session.json()["user"]["id"] == user_id
    assert "set-cookie" not in session.headers  # fresh: nothing to refresh
    me = await api.client.get("/api/me", headers={"Cookie": cookie})
    assert me.json()["user"]["id"] == user_id


async def test_a_session_due_for_refresh_is_extended(api: Api) -> None:
    cookie, user_id = await sign_up_with_cookie(api)
    now = datetime.now(UTC)
    await set_expiry(api, user_id, now + timedelta(days=5))  # last extended two days ago
    response = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert response.json()["user"]["id"] == user_id
    assert "better-auth.session_token=" in response.headers["set-cookie"]
    assert await expires_at(api, user_id) > now + timedelta(days=6, hours=23)


async def test_an_expired_session_is_refused_and_deleted(api: Api) -> None:
    cookie, user_id = await sign_up_with_cookie(api)
    await set_expiry(api, user_id, datetime.now(UTC) - timedelta(seconds=1))
    response = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert response.json() is None
    assert (await api.client.get("/api/me", headers={"Cookie": cookie})).status_code == 401
    async with api.engine.connect() as conn:
        left = await conn.execute(text("SELECT count(*) FROM session WHERE user_id = :u"),
                                  {"u": user_id})  # fmt: skip
        assert left.scalar() == 0


async def test_cookie_mutations_outside_auth_need_a_trusted_origin(api: Api) -> None:
    cookie, _ = await sign_up_with_cookie(api)
    body = {"feature": "summarize", "input": "Hello there."}
    forged = await api.client.post(
        "/api/runs", json=body, headers={"Cookie": cookie, "Origin": "https://evil.example"}
    )
    assert (forged.status_code, forged.json()["code"]) == (403, "INVALID_ORIGIN")
    missing = await api.client.post("/api/runs", json=body, headers={"Cookie": cookie})
    assert (missing.status_code, missing.json()["code"]) == (403, "MISSING_OR_NULL_ORIGIN")
    same_site = await api.client.post(
        "/api/runs", json=body, headers={"Cookie": cookie, "Origin": "http://127.0.0.1:8000"}
    )
    assert same_site.status_code == 202
    reads = await api.client.get("/api/runs", headers={"Cookie": cookie})
    assert reads.status_code == 200  # reads need no Origin


async def get_session_statuses(api: Api, cookie: str, count: int) -> list[int]:
    statuses = []
    for _ in range(count):
        response = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
        statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize("worker_enabled", [False])
async def test_live_session_checks_are_rate_limited_once_per_request(api: Api) -> None:
    cookie, _ = await sign_up_with_cookie(api)
    statuses = await get_session_statuses(api, cookie, 101)
    assert statuses == [200] * 100 + [429]  # Better Auth's 100 per 10 s per IP and path
    refused = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert refused.json() == {"message": "Too many requests. Please try again later.",
                              "code": "TOO_MANY_REQUESTS"}  # fmt: skip
    assert int(refused.headers["x-retry-after"]) >= 1


@pytest.mark.parametrize("worker_enabled", [False])
async def test_checks_handed_to_the_route_are_not_counted_twice(api: Api) -> None:
    cookie, _ = await sign_up_with_cookie(api)
    await api.client.post("/api/auth/sign-out", headers={"Cookie": cookie, "Origin": BASE_URL})
    api.client.cookies.clear()
    # A revoked session: the fast path hands it on (the route clears the cookie), every time.
    statuses = await get_session_statuses(api, cookie, 101)
    assert statuses == [200] * 100 + [429]


@pytest.mark.parametrize("worker_enabled", [False])
async def test_a_signed_out_session_is_refused_at_once(api: Api) -> None:
    cookie, user_id = await sign_up_with_cookie(api)
    live = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert live.json()["user"]["id"] == user_id
    assert live.headers["cache-control"] == "no-store"
    assert live.headers["x-content-type-options"] == "nosniff"  # the app's headers still apply
    await api.client.post("/api/auth/sign-out", headers={"Cookie": cookie, "Origin": BASE_URL})
    api.client.cookies.clear()
    gone = await api.client.get("/api/auth/get-session", headers={"Cookie": cookie})
    assert gone.json() is None
    assert "better-auth.session_token=;" in gone.headers["set-cookie"].replace(" ", "")
