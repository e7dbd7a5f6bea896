"""Hostile bodies on /api/auth: NUL characters, absurd names, script "images", deep nesting.

Each gets Better Auth's validation answer (400 VALIDATION_ERROR naming the field), never a 500,
and nothing is stored.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.auth.conftest import PASSWORD, Clock, sign_up

SIGN_UP = "/api/auth/sign-up/email"


def new_user(**fields: object) -> dict[str, object]:
    return {"name": "Ada", "email": "ada@example.com", "password": PASSWORD} | fields


async def users_named(session: AsyncSession, email: str) -> int:
    found = await session.execute(
        text('SELECT count(*) FROM "user" WHERE email = :e'), {"e": email}
    )
    return int(found.scalar_one())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "A\x00da"}, "[body.name] Invalid input: text must not contain NUL characters"),
        ({"image": "https://x.example/\x00.png"}, "[body.image] Invalid input: text must not"),
        ({"callbackURL": "/\x00"}, "[body.callbackURL] Invalid input: text must not"),
        ({"name": "x" * 1_000_000}, "[body.name] Too big: expected string to have <=256"),
        ({"image": "javascript:alert(1)"}, "[body.image] Invalid URL"),
        ({"image": "data:text/html,<script>alert(1)</script>"}, "[body.image] Invalid URL"),
        ({"image": "https://" + "a" * 3000 + ".example/p.png"}, "[body.image] Too big"),
        ({"name": ["Ada"]}, "[body.name] Invalid input: expected string, received array"),
        ({"name": {"first": "Ada"}}, "[body.name] Invalid input: expected string, received object"),
    ],
    ids=["nul-name", "nul-image", "nul-callback", "huge-name", "javascript-image",
         "data-image", "huge-image", "array-name", "object-name"],
)  # fmt: skip
async def test_sign_up_refuses_bad_fields_by_name(
    client: httpx.AsyncClient, session: AsyncSession, fields: dict[str, object], message: str
) -> None:
    response = await client.post(SIGN_UP, json=new_user(**fields))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["message"].startswith(message)
    assert await users_named(session, "ada@example.com") == 0


async def test_sign_up_keeps_web_and_site_images(client: httpx.AsyncClient, clock: Clock) -> None:
    for n, image in enumerate(["https://cdn.example/a.png", "http://x.example/b", "/avatars/c"]):
        clock.advance(seconds=11)  # past the sign-up rate limit
        response = await sign_up(client, email=f"ada{n}@example.com", image=image, name="é" * 256)
        assert response.json()["user"]["image"] == image


@pytest.mark.parametrize(
    "fields",
    [{"name": "Ada\x00"}, {"image": "javascript:alert(1)"}, {"name": "n" * 257}],
    ids=["nul-name", "script-image", "long-name"],
)
async def test_update_user_refuses_bad_fields_and_keeps_the_old_ones(
    client: httpx.AsyncClient, clock: Clock, fields: dict[str, str]
) -> None:
    await sign_up(client, image="https://cdn.example/a.png")
    response = await client.post("/api/auth/update-user", json=fields)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["message"].startswith(f"[body.{next(iter(fields))}]")
    user = (await client.get("/api/auth/get-session")).json()["user"]
    assert (user["name"], user["image"]) == ("Ada", "https://cdn.example/a.png")


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b'{"email":' + b"[" * 50_000, b"[[[]]]", b'"text"'],
    ids=["deep-array", "deep-unclosed", "nested-array", "bare-string"],
)
async def test_nested_or_wrong_shape_json_is_a_client_error(
    client: httpx.AsyncClient, clock: Clock, raw: bytes
) -> None:
    for path in (SIGN_UP, "/api/auth/sign-in/email", "/api/auth/request-password-reset"):
        clock.advance(seconds=61)
        response = await client.post(
            path, content=raw, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] in ("BAD_REQUEST", "VALIDATION_ERROR")


async def test_nul_in_a_query_parameter_names_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/verify-email", params={"token": "t\x00k"})
    assert response.status_code == 400, response.text
    assert response.json() == {
        "message": "[query.token] Invalid input: text must not contain NUL characters",
        "code": "VALIDATION_ERROR",
    }
    response = await client.get("/api/auth/reset-password/t%00k")
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("[path.token]")


async def test_a_form_encoded_nul_is_refused_too(client: httpx.AsyncClient) -> None:
    body = "name=A%00da&email=ada%40example.com&password=password123"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = await client.post(SIGN_UP, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("[body.name]")
