"""NUL characters anywhere in a request are a 422 naming the field, never a 500 from PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api

NUL_TEXT = "a\x00b"


async def conversation(api: Api, headers: dict[str, str]) -> str:
    response = await api.client.post("/api/conversations", headers=headers, json={})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/conversations", {"title": NUL_TEXT}, "title"),
        ("POST", "/api/conversations", {"task": NUL_TEXT}, "task"),
        ("PATCH", "/api/conversations/{conversation}", {"title": NUL_TEXT}, "title"),
        ("POST", "/api/conversations/{conversation}/messages", {"content": NUL_TEXT}, "content"),
        ("POST", "/api/runs", {"input": NUL_TEXT}, "input"),
        ("POST", "/api/runs", {"input": "hi", "feature": NUL_TEXT}, "feature"),
        ("POST", "/api/runs", {"input": "hi", "options": {"tone": NUL_TEXT}}, "options"),
        ("POST", "/api/runs", {"input": "hi", "options": {NUL_TEXT: 1}}, "options"),
        ("PATCH", "/api/me/profile", {"output_tone": NUL_TEXT}, "output_tone"),
        ("PATCH", "/api/me/profile", {"preferred_locale": NUL_TEXT}, "preferred_locale"),
    ],
    ids=["conversation-title", "conversation-task", "rename-conversation", "message-content",
         "run-input", "run-feature", "run-option-value", "run-option-key", "profile-tone",
         "profile-locale"],
)  # fmt: skip
async def test_nul_in_a_body_field_is_422_naming_it(
    api: Api, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    headers = await api.sign_up()
    if "{conversation}" in path:
        path = path.format(conversation=await conversation(api, headers))
    response = await api.client.request(method, path, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["message"].startswith(f"{field}: ")
    assert "NUL" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/runs", "feature"),
        ("/api/runs", "cursor"),
        ("/api/conversations", "cursor"),
        ("/api/documents", "cursor"),
        ("/api/usage", "from"),
        ("/api/usage/export.csv", "to"),
    ],
)
async def test_nul_in_a_query_parameter_is_422_naming_it(api: Api, path: str, param: str) -> None:
    headers = await api.sign_up()
    response = await api.client.get(path, headers=headers, params={param: NUL_TEXT})
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(f"query.{param}: ")


async def test_a_conversation_keeps_its_title_after_a_refused_rename(api: Api) -> None:
    headers = await api.sign_up()
    conversation_id = await conversation(api, headers)
    path = f"/api/conversations/{conversation_id}"
    await api.client.patch(path, headers=headers, json={"title": f"Plan {NUL_TEXT}"})
    assert (await api.client.get(path, headers=headers)).json()["title"] == "New conversation"
