"""The browser's part of an OAuth sign-in against the fake provider, for the OAuth tests."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI

from tests.integration.auth.conftest import BASE_URL, OAUTH_PROVIDER_ID, make_client

PROVIDER_ID = OAUTH_PROVIDER_ID
_addresses = itertools.count(1)


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A browser of its own (cookies, address): sign-in/social allows 3 per 10 s per address."""
    n = next(_addresses)
    return make_client(app, f"10.9.{n // 250}.{n % 250 + 1}", origin=BASE_URL)


async def start(client: httpx.AsyncClient, path: str = "sign-in/social", **body: Any) -> str:
    """The provider's authorization URL."""
    payload = {"provider": PROVIDER_ID, "callbackURL": "/dashboard", **body}
    response = await client.post(f"/api/auth/{path}", json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["redirect"] is True
    return str(response.json()["url"])


async def authorize(url: str) -> str:
    """Follow the authorization URL at the provider; the callback URL it sends us back to."""
    async with httpx.AsyncClient() as outside:
        response = await outside.get(url)
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def sign_in(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    """The whole round trip; the callback's response."""
    return await client.get(await authorize(await start(client, **body)))


def error_of(response: httpx.Response) -> str | None:
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["location"]).query).get("error", [None])[0]


def has_session_cookie(response: httpx.Response) -> bool:
    return any(
        c.startswith("better-auth.session_token=") for c in response.headers.get_list("set-cookie")
    )
