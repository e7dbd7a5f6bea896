"""Mailed tokens are single-use even when the link is opened by several requests at once.

Real parallel HTTP requests against the real app: each request has its own transaction on its
own pooled connection, so this catches check-then-delete races that serial tests cannot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from raypx.auth.mail import read_outbox
from tests.integration.auth.test_mail_flows import token_in
from tests.integration.conftest import Api

PARALLEL = 4


@pytest.fixture
def worker_enabled() -> bool:
    return False


async def signed_up(api: Api) -> tuple[str, dict[str, str]]:
    headers = await api.sign_up()
    me = (await api.client.get("/api/me", headers=headers)).json()
    return str(me["user"]["email"]), headers


def last_mailed_token(api: Api) -> str:
    message = read_outbox(Path(api.settings.home) / "outbox.jsonl")[-1]
    return token_in(message.url)


async def test_parallel_password_resets_with_one_token_let_exactly_one_win(api: Api) -> None:
    email, _ = await signed_up(api)
    asked = await api.client.post("/api/auth/request-password-reset", json={"email": email})
    assert asked.status_code == 200
    token = last_mailed_token(api)
    new_passwords = [f"new password number {i}" for i in range(PARALLEL)]
    answers = await asyncio.gather(
        *(
            api.client.post(
                "/api/auth/reset-password", json={"token": token, "newPassword": password}
            )
            for password in new_passwords
        )
    )
    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses) == [200] + [400] * (PARALLEL - 1), statuses
    assert {a.json()["code"] for a in answers if a.status_code == 400} == {"INVALID_TOKEN"}
    winner = new_passwords[statuses.index(200)]
    signed_in = await api.client.post(
        "/api/auth/sign-in/email", json={"email": email, "password": winner}
    )
    assert signed_in.status_code == 200


async def test_parallel_email_verifications_with_one_token_let_exactly_one_win(api: Api) -> None:
    email, _ = await signed_up(api)
    sent = await api.client.post("/api/auth/send-verification-email", json={"email": email})
    assert sent.status_code == 200
    token = last_mailed_token(api)
    answers = await asyncio.gather(
        *(
            api.client.get("/api/auth/verify-email", params={"token": token})
            for _ in range(PARALLEL)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [401] * (PARALLEL - 1), statuses


async def test_parallel_email_changes_with_one_token_let_exactly_one_win(api: Api) -> None:
    _, headers = await signed_up(api)
    changed = await api.client.post(
        "/api/auth/change-email", json={"newEmail": "moved@example.com"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    token = last_mailed_token(api)
    answers = await asyncio.gather(
        *(
            api.client.get("/api/auth/verify-email", params={"token": token})
            for _ in range(PARALLEL)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [401] * (PARALLEL - 1), statuses
    me = (await api.client.get("/api/me", headers=headers)).json()
    assert me["user"]["email"] == "moved@example.com"
