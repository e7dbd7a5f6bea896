"""Correctly signed but malformed Stripe events get a 400 that says what is wrong, never a 500
(Stripe would retry a 500 for days), and signatures are only good near their timestamp."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.fakes.asgi_server import free_port
from tests.integration.billing.test_billing_api import PRICE, WEBHOOK_SECRET, subscription_event
from tests.integration.conftest import Api

with_webhooks = pytest.mark.parametrize(
    "extra_settings",
    [{"stripe_webhook_secret": WEBHOOK_SECRET, "stripe_price_pro": PRICE,
      "stripe_secret_key": "sk_test_x"}],
)  # fmt: skip


@pytest.fixture
def worker_enabled() -> bool:
    return False


def signed(payload: bytes, stamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if stamp is None else stamp
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return {"Stripe-Signature": f"t={stamp},v1={mac.hexdigest()}"}


async def deliver(api: Api, payload: bytes, stamp: int | None = None) -> httpx.Response:
    return await api.client.post(
        "/api/billing/stripe/webhook", content=payload, headers=signed(payload, stamp)
    )


async def recorded_events(api: Api) -> int:
    async with api.engine.connect() as conn:
        query = text("SELECT count(*) FROM job WHERE type = 'billing.stripe_event'")
        return int((await conn.execute(query)).scalar_one())


def event(obj: Any = None, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "evt_shape",
        "object": "event",
        "type": "customer.subscription.updated",
        "created": int(time.time()),
        "data": {"object": {"status": "active", "metadata": {"user_id": "u1"}} | (obj or {})},
    }
    return base | fields


def sub_event(**obj: Any) -> bytes:
    return json.dumps(event(obj)).encode()


MALFORMED: dict[str, bytes] = {
    "not json": b"{not json",
    "not utf-8": b'{"id": "\xff\xfe"}',
    "a list": b"[]",
    "a string": b'"evt_1"',
    "null": b"null",
    "empty object": b"{}",
    "no id": json.dumps({k: v for k, v in event().items() if k != "id"}).encode(),
    "numeric id": json.dumps(event(id=12)).encode(),
    "no type": json.dumps({k: v for k, v in event().items() if k != "type"}).encode(),
    "no data": json.dumps({k: v for k, v in event().items() if k != "data"}).encode(),
    "no data.object": json.dumps(event(data={})).encode(),
    "data.object a list": json.dumps(event(data={"object": [1, 2]})).encode(),
    "data a string": json.dumps(event(data="x")).encode(),
    "created a string": json.dumps(event(created="yesterday")).encode(),
    "created negative": json.dumps(event(created=-5)).encode(),
    "created huge": json.dumps(event(created=10**30)).encode(),
    "NUL in id": json.dumps(event(id="evt_\u0000")).encode(),
    "NUL in user id": sub_event(metadata={"user_id": "u\u0000"}),
    "user id a number": sub_event(metadata={"user_id": 42}),
    "metadata a list": sub_event(metadata=["user_id"]),
    "status a number": sub_event(status=3),
    "items a string": sub_event(items="all"),
    "items.data not a list": sub_event(items={"data": {"price": PRICE}}),
    "item a number": sub_event(items={"data": [7]}),
    "price a number": sub_event(items={"data": [{"price": 9}]}),
    "period a string": sub_event(current_period_end="next month"),
    "period out of range": sub_event(current_period_end=10**15),
    "item period out of range": sub_event(items={"data": [{"current_period_start": -(10**15)}]}),
    "cancel flag a string": sub_event(cancel_at_period_end="maybe"),
}


@with_webhooks
@pytest.mark.parametrize("name", list(MALFORMED))
async def test_signed_malformed_events_get_a_clear_400(api: Api, name: str) -> None:
    answer = await deliver(api, MALFORMED[name])
    assert answer.status_code == 400, (name, answer.status_code, answer.text)
    body = answer.json()
    assert body["code"] == "INVALID_STRIPE_EVENT"
    assert body["message"].startswith("malformed Stripe event")
    assert await recorded_events(api) == 0  # nothing half-applied, nothing recorded


@with_webhooks
async def test_unknown_fields_and_event_types_are_accepted(api: Api) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)
    extra = subscription_event("evt_new_fields", user_id, "active", brand_new_field={"x": [1]})
    assert (await deliver(api, extra)).json()["outcome"] == "applied"
    other = json.dumps(event(type="invoice.paid", data={"object": {"anything": [None]}}))
    assert (await deliver(api, other.encode())).json()["outcome"] == "ignored"
    assert (await api.client.get("/api/me", headers=headers)).json()["plan"] == "pro"


@with_webhooks
async def test_signatures_are_refused_too_far_in_the_past_or_the_future(api: Api) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)
    payload = subscription_event("evt_time", user_id, "active")
    now = int(time.time())
    for stamp in (now - 3600, now + 3600, now + 10**9):
        answer = await deliver(api, payload, stamp)
        assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_SIGNATURE"), stamp
    assert await recorded_events(api) == 0
    # A little clock skew either way is fine.
    assert (await deliver(api, payload, now + 60)).json()["outcome"] == "applied"


@pytest.mark.parametrize(
    "extra_settings",
    [{"stripe_secret_key": "sk_test_x", "stripe_price_pro": PRICE,
      "stripe_api_base": f"http://127.0.0.1:{free_port()}"}],  # nothing listens there
)  # fmt: skip
async def test_stripe_unreachable_is_a_503_that_says_so(api: Api) -> None:
    user = await api.sign_up()
    for path in ("/api/billing/checkout", "/api/billing/portal"):
        answer = await api.client.post(path, headers=user)
        assert (answer.status_code, answer.json()["code"]) == (503, "BILLING_PROVIDER_ERROR")
