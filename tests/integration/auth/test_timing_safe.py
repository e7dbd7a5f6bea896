"""Secrets are compared with `hmac.compare_digest`: a mailed code, a backup code, a TOTP and
an API key are each checked by it (so response time does not reveal how much matched)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

import pytest

from raypx.auth import api_key_auth, email_otp, totp, two_factor_verify
from tests.integration.conftest import Api


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, Any]]]:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    for module in (email_otp, totp, two_factor_verify, api_key_auth):
        monkeypatch.setattr(module.hmac, "compare_digest", spy)
    yield calls


def test_totp_compares_every_step_in_constant_time(compared: list[tuple[Any, Any]]) -> None:
    secret = totp.new_secret()
    assert totp.verify(secret, totp.code_at(secret, 1_000_000), 1_000_000)
    assert len(compared) == 3  # the previous, current and next step, all checked


async def test_mailed_code_and_api_key_are_compared_in_constant_time(
    api: Api, compared: list[tuple[Any, Any]]
) -> None:
    await api.client.post(
        "/api/auth/email-otp/send-verification-otp",
        json={"email": "ada@example.com", "type": "sign-in"},
    )
    await api.client.post(
        "/api/auth/sign-in/email-otp", json={"email": "ada@example.com", "otp": "12345x"}
    )
    assert any(len(str(a)) == 64 for a, _ in compared)  # the HMAC of the guess
    compared.clear()
    owner = await api.sign_up()
    key = (await api.client.post("/api/auth/api-key/create", headers=owner, json={})).json()["key"]
    assert (await api.client.get("/api/me", headers={"x-api-key": key})).status_code == 200
    assert compared, "the API key's hash was not compared with compare_digest"
