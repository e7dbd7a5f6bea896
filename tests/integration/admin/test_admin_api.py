"""/api/admin/*: only operators named in RAYPX_ADMIN_EMAILS; users, plans, sessions, jobs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from raypx.jobs import queue
from tests.integration.conftest import Api


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    return {"admin_emails": ["Ops@Example.com", "boss@example.com"]}


@pytest.fixture
def worker_enabled() -> bool:
    return False  # jobs stay where the test puts them


async def operator(api: Api) -> dict[str, str]:
    response = await api.client.post(
        "/api/auth/sign-up/email",
        json={"name": "Ops", "email": "ops@example.com", "password": "correct horse battery"},
    )
    api.client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


ENDPOINTS = [
    ("GET", "/api/admin/users"),
    ("POST", "/api/admin/users/{user}/plan"),
    ("POST", "/api/admin/users/{user}/revoke-sessions"),
    ("GET", "/api/admin/jobs/overview"),
    ("GET", "/api/admin/jobs"),
    ("POST", "/api/admin/jobs/{job}/retry"),
    ("POST", "/api/admin/jobs/{job}/cancel"),
]


async def test_everyone_else_is_refused_on_every_endpoint(api: Api) -> None:
    user = await api.sign_up("Mallory")
    me = (await api.client.get("/api/me", headers=user)).json()
    assert me["is_admin"] is False
    for method, path in ENDPOINTS:
        url = path.format(user=me["user"]["id"], job=uuid.uuid4())
        body = {"tier": "pro"} if url.endswith("/plan") else None
        refused = await api.client.request(method, url, headers=user, json=body)
        assert refused.status_code == 403, url
        assert refused.json() == {"message": "only operators can do this", "code": "ADMIN_ONLY"}
        assert (await api.client.request(method, url, json=body)).status_code == 401
    assert (await api.client.get("/api/me", headers=user)).json()["plan"] == "free"


async def test_operators_find_users_set_plans_and_revoke_sessions(api: Api) -> None:
    ops = await operator(api)
    assert (await api.client.get("/api/me", headers=ops)).json()["is_admin"] is True
    target = await api.sign_up("Target")
    target_id = await api.user_id(target)
    found = (await api.client.get("/api/admin/users?q=TARGET", headers=ops)).json()
    assert [(u["id"], u["plan"], u["sessions"]) for u in found] == [(target_id, "free", 1)]
    assert (await api.client.get("/api/admin/users?q=%25", headers=ops)).json() == []

    upgraded = await api.client.post(
        f"/api/admin/users/{target_id}/plan", headers=ops, json={"tier": "pro"}
    )
    assert upgraded.json()["plan"] == "pro"
    assert (await api.client.get("/api/me", headers=target)).json()["plan"] == "pro"

    revoked = await api.client.post(f"/api/admin/users/{target_id}/revoke-sessions", headers=ops)
    assert revoked.json() == {"revoked": 1}
    assert (await api.client.get("/api/me", headers=target)).status_code == 401
    missing = await api.client.post(
        "/api/admin/users/nobody/plan", headers=ops, json={"tier": "pro"}
    )
    assert missing.status_code == 404


async def test_jobs_dashboard_counts_lists_failures_retries_and_cancels(api: Api) -> None:
    ops = await operator(api)
    async with api.app.state.session_factory() as session, session.begin():
        failed = await queue.enqueue(session, "demo.fail", {})
        waiting = await queue.enqueue(session, "demo.wait", {})
    async with api.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE job SET status = 'failed', error_message = 'boom: disk full' WHERE id = :id"
            ),
            {"id": failed.id},
        )
    overview = (await api.client.get("/api/admin/jobs/overview", headers=ops)).json()
    by_type = {t["type"]: t for t in overview["by_type"]}
    assert by_type["demo.fail"]["failed"] == 1 and by_type["demo.wait"]["ready"] == 1
    assert sum(h["failed"] for h in overview["throughput"]) == 1

    listed = (await api.client.get("/api/admin/jobs?status=failed", headers=ops)).json()
    assert [(j["id"], j["error_message"]) for j in listed] == [(str(failed.id), "boom: disk full")]
    retried = await api.client.post(f"/api/admin/jobs/{failed.id}/retry", headers=ops)
    assert retried.json()["status"] == "queued"
    again = await api.client.post(f"/api/admin/jobs/{failed.id}/retry", headers=ops)
    assert again.status_code == 409 and "only failed or cancelled" in again.json()["message"]
    cancelled = await api.client.post(f"/api/admin/jobs/{waiting.id}/cancel", headers=ops)
    assert cancelled.json()["status"] == "cancelled"
