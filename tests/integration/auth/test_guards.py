"""Origin rules for cookie-carrying mutations, rate limits, trusted proxies, unknown paths."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.integration.auth.conftest import (
    BASE_URL,
    PASSWORD,
    Clock,
    make_client,
    session_cookie_value,
    sign_up,
)

SIGN_IN = "/api/auth/sign-in/email"
CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}
MISSING = {"message": "Missing or null Origin", "code": "MISSING_OR_NULL_ORIGIN"}
INVALID = {"message": "Invalid origin", "code": "INVALID_ORIGIN"}


async def test_cookie_mutations_need_a_trusted_origin_or_referer(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    cookie = "better-auth.session_token=" + session_cookie_value(await sign_up(client))
    no_origin = await raw.post("/api/auth/sign-out", headers={"cookie": cookie})
    assert no_origin.status_code == 403 and no_origin.json() == MISSING
    null_origin = await raw.post("/api/auth/sign-out", headers={"cookie": cookie, "origin": "null"})
    assert null_origin.json() == MISSING
    evil = await raw.post(
        "/api/auth/revoke-sessions", headers={"cookie": cookie, "origin": "http://evil.example"}
    )
    assert evil.status_code == 403 and evil.json() == INVALID
    referer = await raw.post(
        "/api/auth/revoke-other-sessions",
        headers={"cookie": cookie, "referer": f"{BASE_URL}/somepage"},
    )
    assert referer.status_code == 200
    # GET carries no Origin check.
    assert (await raw.get("/api/auth/get-session", headers={"cookie": cookie})).json() is not None


async def test_fetch_metadata_without_cookie(raw: httpx.AsyncClient) -> None:
    navigation = await raw.post(
        SIGN_IN,
        json=CREDENTIALS,
        headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"},
    )
    assert navigation.status_code == 403
    assert navigation.json()["code"] == "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    node_fetch = await raw.post(SIGN_IN, json=CREDENTIALS, headers={"sec-fetch-mode": "cors"})
    assert node_fetch.status_code == 403 and node_fetch.json() == MISSING
    with_origin = await raw.post(
        SIGN_IN, json=CREDENTIALS, headers={"sec-fetch-mode": "cors", "origin": BASE_URL}
    )
    assert with_origin.status_code == 401  # past the origin check: no such user


async def test_curl_like_requests_pass_and_evil_origin_does_not(raw: httpx.AsyncClient) -> None:
    assert (await raw.post(SIGN_IN, json=CREDENTIALS)).status_code == 401
    evil = await raw.post(SIGN_IN, json=CREDENTIALS, headers={"origin": "http://evil.example"})
    assert evil.status_code == 403 and evil.json() == INVALID


async def test_configured_trusted_origin_is_accepted(app: FastAPI, raw: httpx.AsyncClient) -> None:
    app.state.settings.trusted_origins = ["https://app.example.com"]
    app.state.auth_config = None
    response = await raw.post(
        SIGN_IN, json=CREDENTIALS, headers={"origin": "https://app.example.com"}
    )
    assert response.status_code == 401


async def test_sign_in_limit_is_three_per_ten_seconds_per_ip(
    app: FastAPI, raw: httpx.AsyncClient, clock: Clock
) -> None:
    statuses = [(await raw.post(SIGN_IN, json=CREDENTIALS)).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = await raw.post(SIGN_IN, json=CREDENTIALS)
    assert limited.status_code == 429
    assert limited.headers["x-retry-after"] == "10"
    assert limited.json()["message"] == "Too many requests. Please try again later."
    assert "retry-after" not in limited.headers
    async with make_client(app, "10.9.9.9") as other:
        assert (await other.post(SIGN_IN, json=CREDENTIALS)).status_code == 401
    clock.advance(seconds=10)
    assert (await raw.post(SIGN_IN, json=CREDENTIALS)).status_code == 401


async def test_mail_endpoints_allow_three_per_minute(raw: httpx.AsyncClient, clock: Clock) -> None:
    path = "/api/auth/request-password-reset"
    for _ in range(3):
        assert (await raw.post(path, json={"email": "a@example.com"})).status_code == 200
    limited = await raw.post(path, json={"email": "a@example.com"})
    assert limited.status_code == 429 and limited.headers["x-retry-after"] == "60"
    clock.advance(seconds=30)
    limited = await raw.post("/api/auth/send-verification-email", json={"email": "a@example.com"})
    assert limited.status_code == 200  # its own path, its own bucket


async def test_default_limit_is_a_hundred_per_ten_seconds(raw: httpx.AsyncClient) -> None:
    for _ in range(100):
        assert (await raw.get("/api/auth/get-session")).status_code == 200
    limited = await raw.get("/api/auth/get-session")
    assert limited.status_code == 429 and limited.headers["x-retry-after"] == "10"


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    app: FastAPI, raw: httpx.AsyncClient
) -> None:
    # Untrusted peer: X-Forwarded-For is ignored, so spoofing it does not escape the limit.
    for n in range(3):
        await raw.post(SIGN_IN, json=CREDENTIALS, headers={"x-forwarded-for": f"1.2.3.{n}"})
    spoofed = await raw.post(SIGN_IN, json=CREDENTIALS, headers={"x-forwarded-for": "1.2.3.99"})
    assert spoofed.status_code == 429
    app.state.settings.trusted_proxies = ["10.0.0.0/8"]
    app.state.auth_config = None
    async with make_client(app, "10.0.0.5") as proxy:
        for n in range(4):
            forwarded = {"x-forwarded-for": f"6.6.6.6, 5.5.5.{n}"}
            response = await proxy.post(SIGN_IN, json=CREDENTIALS, headers=forwarded)
            assert response.status_code == 401  # each a different client behind the proxy
        limited = [
            (await proxy.post(SIGN_IN, json=CREDENTIALS, headers={"x-forwarded-for": "5.5.5.0"}))
            for _ in range(3)
        ]
        assert [r.status_code for r in limited] == [401, 401, 429]


async def test_unknown_paths_and_methods_are_empty_404(raw: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/auth/nope"),
        ("POST", "/api/auth/forget-password"),
        ("GET", "/api/auth/sign-out"),
        ("DELETE", "/api/auth/get-session"),
    ):
        response = await raw.request(method, path)
        assert response.status_code == 404, path
        assert response.content == b""
