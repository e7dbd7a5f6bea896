"""URLs that do not even parse get the same 403 as untrusted ones, not a 500."""

from __future__ import annotations

import httpx
import pytest

BROKEN = "http://[::1"  # an unclosed IPv6 bracket: urlsplit raises on it


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/verify-email?token=abc&callbackURL=" + BROKEN,
        "/api/auth/reset-password/abc?callbackURL=" + BROKEN,
    ],
)
async def test_unparseable_callback_urls_are_refused(raw: httpx.AsyncClient, path: str) -> None:
    answer = await raw.get(path)
    assert (answer.status_code, answer.json()["code"]) == (403, "INVALID_CALLBACK_URL")


async def test_unparseable_origin_is_refused(raw: httpx.AsyncClient) -> None:
    answer = await raw.post(
        "/api/auth/sign-in/email",
        json={"email": "ada@example.com", "password": "password123"},
        headers={"Origin": BROKEN, "Cookie": "x=1"},
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "INVALID_ORIGIN")
