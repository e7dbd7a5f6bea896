"""Plans, subscriptions, manual plan changes (CLI), rollover, and Stripe."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from raypx.billing import service
from raypx.db.engine import create_session_factory, transaction
from tests.fakes.asgi_server import serving
from tests.integration.conftest import Api

WEBHOOK_SECRET = "whsec_test_secret"
PRICE = "price_pro_monthly"


async def raypx_cli(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "raypx", *args], env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


async def test_plans_are_listed_with_limits_and_models(api: Api) -> None:
    plans = {p["tier"]: p for p in (await api.client.get("/api/billing/plans")).json()}
    assert plans["free"]["limits"]["documents"] == 25
    assert plans["pro"]["limits"]["ai_requests"] == 2000
    assert "openai:gpt-4o" in plans["pro"]["models"]
    assert "openai:gpt-4o" not in plans["free"]["models"]


async def test_a_new_user_is_on_the_free_plan(api: Api) -> None:
    user = await api.sign_up()
    subscription = (await api.client.get("/api/billing/subscription", headers=user)).json()
    assert (subscription["plan_tier"], subscription["effective_plan"]) == ("free", "free")
    assert (await api.client.get("/api/billing/subscription")).status_code == 401


async def test_cli_set_plan_and_cancel_take_effect_at_once(api: Api, database_url: URL) -> None:
    user = await api.sign_up("Pat")
    email = (await api.client.get("/api/me", headers=user)).json()["user"]["email"]

    upgraded = await raypx_cli(
        database_url, "billing", "set-plan", email, "pro", "--period-end", "2099-01-01"
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "effective plan: pro" in upgraded.stdout
    me = (await api.client.get("/api/me", headers=user)).json()
    assert me["plan"] == "pro" and me["limits"]["documents"] == 2000

    at_end = await raypx_cli(database_url, "billing", "cancel", email, "--at-period-end")
    assert "cancels at period end" in at_end.stdout
    assert (await api.client.get("/api/me", headers=user)).json()["plan"] == "pro"

    now = await raypx_cli(database_url, "billing", "cancel", email)
    assert now.returncode == 0 and "effective plan: free" in now.stdout
    assert (await api.client.get("/api/me", headers=user)).json()["plan"] == "free"

    unknown = await raypx_cli(database_url, "billing", "set-plan", "nobody@example.com", "pro")
    assert unknown.returncode == 2 and "no user with email nobody@example.com" in unknown.stderr
    bad_tier = await raypx_cli(database_url, "billing", "set-plan", email, "platinum")
    assert bad_tier.returncode != 0


async def test_rollover_renews_manual_plans_and_ends_cancelled_ones(api: Api) -> None:
    renewing = await api.user_id(await api.sign_up("Renew"))
    ending = await api.user_id(await api.sign_up("End"))
    trial = await api.user_id(await api.sign_up("Trial"))
    factory = create_session_factory(api.engine)
    started = datetime(2026, 1, 31, 9, tzinfo=UTC)
    async with transaction(factory) as session:
        await service.set_plan(session, renewing, service.PlanTier.PRO, now=started)
        await service.set_plan(session, ending, service.PlanTier.PRO, now=started)
        await service.cancel(session, ending, at_period_end=True)
        await service.set_plan(
            session, trial, service.PlanTier.PRO, status=service.SubscriptionStatus.TRIALING,
            now=started,
        )  # fmt: skip
    async with transaction(factory) as session:
        changed = await service.roll_over_periods(session, now=datetime(2026, 3, 5, tzinfo=UTC))
    assert changed == 3
    async with transaction(factory) as session:
        renewed = await service.get_subscription(session, renewing)
        ended = await service.get_subscription(session, ending)
    assert renewed.current_period_end == datetime(2026, 3, 28, 9, tzinfo=UTC)
    assert renewed.status.value == "active"
    assert ended.status.value == "cancelled"
    async with transaction(factory) as session:
        assert (await service.get_subscription(session, trial)).status.value == "cancelled"


def stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET) -> str:
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def subscription_event(
    event_id: str, user_id: str, status: str, created: int | None = None, **extra: Any
) -> bytes:
    now = int(time.time())
    obj = {
        "id": "sub_123", "object": "subscription", "status": status,
        "metadata": {"user_id": user_id}, "cancel_at_period_end": False,
        "items": {"object": "list", "data": [{
            "id": "si_1", "price": {"id": PRICE},
            "current_period_start": now, "current_period_end": now + 30 * 86400,
        }]},
    } | extra  # fmt: skip
    event = {"id": event_id, "object": "event", "type": "customer.subscription.updated",
             "created": created or now, "data": {"object": obj}}  # fmt: skip
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    "extra_settings",
    [{"stripe_webhook_secret": WEBHOOK_SECRET, "stripe_price_pro": PRICE,
      "stripe_secret_key": "sk_test_x"}],
)  # fmt: skip
async def test_stripe_webhook_moves_the_subscription_and_ignores_replays(api: Api) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)

    async def deliver(payload: bytes, signature: str | None = None) -> Any:
        return await api.client.post(
            "/api/billing/stripe/webhook", content=payload,
            headers={"Stripe-Signature": signature or stripe_signature(payload),
                     "Content-Type": "application/json"},
        )  # fmt: skip

    start = int(time.time())
    active = subscription_event("evt_1", user_id, "active", created=start)
    assert (await deliver(active)).json() == {"received": True, "outcome": "applied"}
    subscription = (await api.client.get("/api/billing/subscription", headers=headers)).json()
    assert (subscription["provider"], subscription["plan_tier"], subscription["status"]) == (
        "stripe", "pro", "active",
    )  # fmt: skip

    past_due = subscription_event("evt_2", user_id, "past_due", created=start + 10)
    assert (await deliver(past_due)).json()["outcome"] == "applied"
    # Stripe retries deliveries: an old event replayed changes nothing.
    assert (await deliver(active)).json()["outcome"] == "duplicate"
    subscription = (await api.client.get("/api/billing/subscription", headers=headers)).json()
    assert subscription["status"] == "past_due" and subscription["effective_plan"] == "pro"

    canceled = subscription_event("evt_3", user_id, "canceled", created=start + 20)
    await deliver(canceled)
    assert (await api.client.get("/api/me", headers=headers)).json()["plan"] == "free"
    # Delivered late, an older "active" must not undo the cancellation.
    late = subscription_event("evt_late", user_id, "active", created=start + 15)
    assert (await deliver(late)).json()["outcome"] == "stale"
    assert (await api.client.get("/api/me", headers=headers)).json()["plan"] == "free"

    forged = await deliver(subscription_event("evt_4", user_id, "active"), "t=1,v1=deadbeef")
    assert (forged.status_code, forged.json()["code"]) == (400, "INVALID_SIGNATURE")
    wrong_key = subscription_event("evt_5", user_id, "active")
    rejected = await deliver(wrong_key, stripe_signature(wrong_key, "whsec_other"))
    assert rejected.status_code == 400
    assert (await api.client.get("/api/me", headers=headers)).json()["plan"] == "free"
    async with api.engine.connect() as conn:
        recorded = (await conn.execute(
            text("SELECT count(*) FROM job WHERE type = 'billing.stripe_event'")
        )).scalar()  # fmt: skip
    assert recorded == 4


@pytest.mark.parametrize("extra_settings", [{}])
async def test_stripe_endpoints_say_when_stripe_is_not_configured(api: Api) -> None:
    user = await api.sign_up()
    checkout = await api.client.post("/api/billing/checkout", headers=user)
    assert (checkout.status_code, checkout.json()["code"]) == (
        503,
        "BILLING_PROVIDER_NOT_CONFIGURED",
    )
    hook = await api.client.post("/api/billing/stripe/webhook", content=b"{}")
    assert hook.status_code == 503


class FakeStripe:
    """Answers the two Stripe API calls checkout and portal make, and records them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.app = Starlette(routes=[
            Route("/v1/checkout/sessions", self.checkout, methods=["POST"]),
            Route("/v1/subscriptions/search", self.search, methods=["GET"]),
            Route("/v1/billing_portal/sessions", self.portal, methods=["POST"]),
        ])  # fmt: skip

    async def checkout(self, request: Request) -> JSONResponse:
        self.calls.append(("checkout", dict((await request.form()).multi_items())))
        return JSONResponse({"id": "cs_1", "object": "checkout.session",
                             "url": "https://checkout.stripe.test/cs_1"})  # fmt: skip

    async def search(self, request: Request) -> JSONResponse:
        self.calls.append(("search", dict(request.query_params)))
        return JSONResponse({"object": "search_result", "has_more": False,
                             "url": "/v1/subscriptions/search",
                             "data": [{"id": "sub_1", "object": "subscription",
                                       "customer": "cus_1"}]})  # fmt: skip

    async def portal(self, request: Request) -> JSONResponse:
        self.calls.append(("portal", dict((await request.form()).multi_items())))
        return JSONResponse({"id": "bps_1", "object": "billing_portal.session",
                             "url": "https://billing.stripe.test/p/1"})  # fmt: skip


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[tuple[FakeStripe, str]]:
    stripe_api = FakeStripe()
    with serving(stripe_api.app) as url:
        yield stripe_api, url


@pytest.fixture
def extra_settings(fake_stripe: tuple[FakeStripe, str]) -> dict[str, Any]:
    return {"stripe_secret_key": "sk_test_x", "stripe_price_pro": PRICE,
            "stripe_api_base": fake_stripe[1]}  # fmt: skip


async def test_checkout_and_portal_links(api: Api, fake_stripe: tuple[FakeStripe, str]) -> None:
    stripe_api, _ = fake_stripe
    user = await api.sign_up()
    user_id = await api.user_id(user)
    checkout = await api.client.post("/api/billing/checkout", headers=user)
    assert checkout.json() == {"url": "https://checkout.stripe.test/cs_1"}
    kind, form = stripe_api.calls[-1]
    assert kind == "checkout"
    assert form["line_items[0][price]"] == PRICE and form["mode"] == "subscription"
    assert form["subscription_data[metadata][user_id]"] == user_id
    portal = await api.client.post("/api/billing/portal", headers=user)
    assert portal.json() == {"url": "https://billing.stripe.test/p/1"}
    # The paying customer is found through our user id on the subscription, never by email.
    assert stripe_api.calls[-2] == ("search", {"query": f"metadata['user_id']:'{user_id}'",
                                               "limit": "1"})  # fmt: skip
    assert stripe_api.calls[-1][1]["customer"] == "cus_1"


def test_next_period_end_is_used_for_manual_pro_plans() -> None:
    assert service.next_period_end(datetime(2026, 5, 31, tzinfo=UTC)) - datetime(
        2026, 5, 31, tzinfo=UTC
    ) == timedelta(days=30)
