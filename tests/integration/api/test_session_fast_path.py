"""Session lookups through the app's direct read pool still expire and slide like the ORM path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.integration.conftest import Api


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
