"""The signed-in user's overview and profile settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api


async def test_me_shows_profile_plan_limits_and_usage(api: Api) -> None:
    user = await api.sign_up("Grace")
    me = (await api.client.get("/api/me", headers=user)).json()
    assert me["user"]["name"] == "Grace"
    assert me["profile"] == {
        "default_model": "mock:raypx-1", "preferred_locale": "en-US",
        "output_tone": "professional", "marketing_opt_in": False,
    }  # fmt: skip
    assert me["plan"] == "free"
    assert me["limits"] == {
        "ai_tokens": 25_000, "ai_requests": 100, "documents": 25, "max_file_bytes": 2 * 1024 * 1024,
    }  # fmt: skip
    assert me["usage"]["ai_requests"] == 0 and me["usage"]["cost_usd"] == "0.0000"
    assert me["period"]["start"] < me["period"]["end"]
    assert me["stored"] == {"documents": 0, "storage_bytes": 0}


async def test_me_counts_the_documents_kept_now_against_the_plan(api: Api) -> None:
    user = await api.sign_up()
    for body in (b"First note.", b"A second, longer note."):
        uploaded = await api.client.post(
            "/api/documents", headers=user, files={"file": ("n.txt", body, "text/plain")}
        )
        assert uploaded.status_code == 201
    first = uploaded.json()["id"]
    stored = (await api.client.get("/api/me", headers=user)).json()["stored"]
    assert stored == {"documents": 2, "storage_bytes": 11 + 22}
    assert (await api.client.delete(f"/api/documents/{first}", headers=user)).status_code == 204
    stored = (await api.client.get("/api/me", headers=user)).json()["stored"]
    assert stored == {"documents": 1, "storage_bytes": 11}


async def test_profile_update_and_its_effect_on_runs(api: Api) -> None:
    user = await api.sign_up()
    patched = await api.client.patch(
        "/api/me/profile", headers=user,
        json={"default_model": "fake:echo", "output_tone": "casual", "preferred_locale": "de-DE",
              "marketing_opt_in": True},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["default_model"] == "fake:echo"
    run = await api.client.post(
        "/api/runs", headers=user, json={"feature": "summarize", "input": "Hi."}
    )
    assert run.json()["model"] == "fake:echo"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"default_model": "openai:gpt-4o"}, 403, "MODEL_NOT_IN_PLAN"),
        ({"default_model": "nope"}, 400, "INVALID_MODEL"),
        ({"preferred_locale": "xx-YY"}, 400, "UNSUPPORTED_LOCALE"),
        ({"output_tone": "snarky"}, 400, "INVALID_TONE"),
        ({"marketing_opt_in": "maybe"}, 422, "VALIDATION_ERROR"),
        ({"unknown": 1}, 422, "VALIDATION_ERROR"),
    ],
)
async def test_bad_profile_updates_are_clear_errors(
    api: Api, body: dict[str, Any], status: int, code: str
) -> None:
    user = await api.sign_up()
    response = await api.client.patch("/api/me/profile", headers=user, json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    me = (await api.client.get("/api/me", headers=user)).json()
    assert me["profile"]["default_model"] == "mock:raypx-1"
    assert me["profile"]["preferred_locale"] == "en-US"
