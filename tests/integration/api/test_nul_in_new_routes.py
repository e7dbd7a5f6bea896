"""NUL characters in the fields of the plugin, search, Ask and /v1 routes: PostgreSQL refuses
them in text and jsonb, so each must be a 4xx naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api


async def test_nul_in_an_api_key_field_is_a_validation_error(api: Api) -> None:
    owner = await api.sign_up()
    for body in ({"name": "c\x00i"}, {"metadata": {"team": "a\x00b"}}, {"metadata": "a\x00"}):
        response = await api.client.post("/api/auth/api-key/create", headers=owner, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert "NUL" in response.json()["message"]


async def test_nul_in_a_search_query_is_a_validation_error(api: Api) -> None:
    owner = await api.sign_up()
    response = await api.client.get("/api/search", headers=owner, params={"q": "wha\x00le"})
    assert response.status_code == 422, response.text
    assert "NUL" in response.text


async def test_nul_in_a_question_is_a_validation_error(api: Api) -> None:
    owner = await api.sign_up()
    created = await api.client.post("/api/conversations", headers=owner, json={"title": "Q"})
    chat = created.json()["id"]
    response = await api.client.post(
        f"/api/conversations/{chat}/ask", headers=owner, json={"question": "wh\x00y?"}
    )
    assert response.status_code == 422, response.text
    assert "NUL" in response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/chat/completions",
            {"model": "mock:raypx-1", "messages": [{"role": "user", "content": "h\x00i"}]},
        ),
        (
            "/v1/chat/completions",
            {
                "model": "mock:raypx-1",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "h\x00i"}]}],
            },
        ),
        (
            "/v1/chat/completions",
            {"model": "mock:\x00", "messages": [{"role": "user", "content": "hi"}]},
        ),
        ("/v1/embeddings", {"model": "mock:\x00", "input": "hi"}),
        ("/v1/embeddings", {"model": "local:minilm", "input": ["h\x00i"]}),
    ],
)
async def test_nul_in_a_v1_body_is_an_openai_400(api: Api, path: str, body: dict[str, Any]) -> None:
    owner = await api.sign_up()
    response = await api.client.post(path, headers=owner, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_nul_in_a_plugin_query_parameter_is_a_400_naming_it(api: Api) -> None:
    owner = await api.sign_up()
    response = await api.client.get("/api/auth/api-key/get", headers=owner, params={"id": "k\x00"})
    assert response.status_code == 400, response.text
    assert response.json() == {
        "message": "[query.id] Invalid input: text must not contain NUL characters",
        "code": "VALIDATION_ERROR",
    }
