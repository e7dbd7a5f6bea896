"""Request bodies are capped while they stream: 413 before the rest is read, uploads excepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.conftest import Api

CAP = 64 * 1024
CHUNK = 8 * 1024
TOO_LARGE = {"message": f"the request body is larger than {CAP} bytes", "code": "PAYLOAD_TOO_LARGE"}


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    return {"max_body_bytes": CAP}


class Body:
    """A JSON body of `chunks` pieces that counts how many the server asked for."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"input": "'
        for _ in range(self.chunks):
            self.sent += 1
            yield b"x" * CHUNK
        yield b'"}'


@pytest.mark.parametrize(
    "path", ["/api/auth/sign-in/email", "/api/runs", "/api/billing/stripe/webhook"]
)
async def test_a_declared_length_over_the_cap_is_refused_unread(api: Api, path: str) -> None:
    body = Body(chunks=25_000)  # 200 MB, were it read
    headers = {"content-type": "application/json", "content-length": str(200 * 1024 * 1024)}
    response = await api.client.post(path, content=body, headers=headers)
    assert response.status_code == 413, response.text
    assert response.json() == TOO_LARGE
    assert body.sent == 0


@pytest.mark.parametrize(
    "path", ["/api/auth/sign-in/email", "/api/runs", "/api/billing/stripe/webhook"]
)
async def test_a_chunked_body_is_refused_once_past_the_cap(api: Api, path: str) -> None:
    body = Body(chunks=25_000)
    headers = {"content-type": "application/json", "origin": "http://127.0.0.1:8000"}
    response = await api.client.post(path, content=body, headers=headers)
    assert response.status_code == 413, response.text
    assert response.json() == TOO_LARGE
    assert response.headers["x-content-type-options"] == "nosniff"  # the usual headers too
    assert body.sent <= CAP // CHUNK + 1


async def test_a_body_under_the_cap_is_served(api: Api) -> None:
    headers = await api.sign_up()
    text = "Words. " * (CAP // 8)
    response = await api.client.post("/api/runs", headers=headers, json={"input": text})
    assert response.status_code == 202, response.text


async def test_an_upload_keeps_its_own_larger_cap(api: Api) -> None:
    headers = await api.sign_up()
    data = ("A sentence about documents. " * (4 * CAP // 28)).encode()
    files = {"file": ("big.txt", data, "text/plain")}
    response = await api.client.post("/api/documents", headers=headers, files=files)
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == len(data)
