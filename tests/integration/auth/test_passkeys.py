"""Passkeys (@better-auth/passkey): register with a fresh session, sign in, counters, list,
rename, delete; challenges single-use, origins and other users' credentials refused."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.models import Passkey
from tests.fakes.passkey_authenticator import Authenticator
from tests.integration.auth.conftest import BASE_URL, Clock, make_client, set_cookies, sign_up

PK = "/api/auth/passkey"


async def register(
    client: httpx.AsyncClient, device: Authenticator, name: str = "laptop"
) -> httpx.Response:
    options = await client.get(f"{PK}/generate-register-options")
    assert options.status_code == 200, options.text
    assert options.json()["rp"] == {"id": "127.0.0.1", "name": "Raypx"}
    return await client.post(
        f"{PK}/verify-registration",
        json={"response": device.register(options.json()), "name": name},
    )


async def test_register_then_sign_in_with_the_passkey(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    device = Authenticator(BASE_URL)
    registered = await register(client, device)
    assert registered.status_code == 200, registered.text
    assert registered.json()["credentialID"] == device.id and registered.json()["name"] == "laptop"
    listed = (await client.get(f"{PK}/list-user-passkeys")).json()
    assert [p["id"] for p in listed] == [registered.json()["id"]]

    async with make_client(app, "10.5.0.1", origin=BASE_URL) as browser:
        options = await browser.get(f"{PK}/generate-authenticate-options")
        assert options.status_code == 200
        signed = await browser.post(
            f"{PK}/verify-authentication",
            json={"response": device.sign_in(options.json(), "127.0.0.1")},
        )
        assert signed.status_code == 200, signed.text
        assert signed.json()["user"]["id"] == user_id
        assert any(c.startswith("better-auth.session_token=") for c in set_cookies(signed))
        replay = await browser.post(
            f"{PK}/verify-authentication",
            json={"response": device.sign_in(options.json(), "127.0.0.1")},
        )
        assert replay.status_code == 400 and replay.json()["code"] == "CHALLENGE_NOT_FOUND"
    row = await session.scalar(select(Passkey))
    assert row is not None and row.counter == 1


async def test_wrong_origin_and_unknown_or_foreign_passkeys_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    options = await client.get(f"{PK}/generate-register-options")
    phished = Authenticator(BASE_URL).register(options.json(), origin="https://evil.example")
    refused = await client.post(f"{PK}/verify-registration", json={"response": phished})
    assert refused.status_code == 400 and refused.json()["code"] == "FAILED_TO_VERIFY_REGISTRATION"

    async with make_client(app, "10.5.0.2", origin=BASE_URL) as browser:
        options = await browser.get(f"{PK}/generate-authenticate-options")
        stranger = Authenticator(BASE_URL).sign_in(options.json(), "127.0.0.1")
        unknown = await browser.post(f"{PK}/verify-authentication", json={"response": stranger})
    assert unknown.status_code == 401 and unknown.json()["code"] == "PASSKEY_NOT_FOUND"


async def test_forged_signature_fails(app: FastAPI, client: httpx.AsyncClient) -> None:
    await sign_up(client)
    device = Authenticator(BASE_URL)
    await register(client, device)
    async with make_client(app, "10.5.0.3", origin=BASE_URL) as browser:
        options = await browser.get(f"{PK}/generate-authenticate-options")
        forged = device.sign_in(options.json(), "127.0.0.1")
        forged["response"]["signature"] = Authenticator(BASE_URL).sign_in(
            options.json(), "127.0.0.1"
        )["response"]["signature"]
        answer = await browser.post(f"{PK}/verify-authentication", json={"response": forged})
    assert answer.status_code == 401 and answer.json()["code"] == "AUTHENTICATION_FAILED"


async def test_rename_and_delete_only_own_passkeys(app: FastAPI, client: httpx.AsyncClient) -> None:
    await sign_up(client)
    passkey_id = (await register(client, Authenticator(BASE_URL))).json()["id"]
    async with make_client(app, "10.5.0.4", origin=BASE_URL) as other:
        await sign_up(other, email="eve@example.com")
        stolen = await other.post(f"{PK}/delete-passkey", json={"id": passkey_id})
        assert stolen.status_code == 404 and stolen.json()["code"] == "PASSKEY_NOT_FOUND"
    renamed = await client.post(f"{PK}/update-passkey", json={"id": passkey_id, "name": "phone"})
    assert renamed.json()["passkey"]["name"] == "phone"
    assert (await client.post(f"{PK}/delete-passkey", json={"id": passkey_id})).json() == {
        "status": True
    }
    assert (await client.get(f"{PK}/list-user-passkeys")).json() == []


async def test_registration_needs_a_fresh_session(client: httpx.AsyncClient, clock: Clock) -> None:
    await sign_up(client)
    clock.advance(days=1, seconds=1)
    stale = await client.get(f"{PK}/generate-register-options")
    assert stale.status_code == 403 and stale.json()["code"] == "SESSION_NOT_FRESH"
    client.cookies.clear()
    assert (await client.get(f"{PK}/generate-register-options")).status_code == 401
