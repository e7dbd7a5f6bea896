"""Stripe as an optional billing provider: checkout and portal links, and the webhook that moves
a user's subscription through its states.

Replayed webhooks are harmless: each event is recorded once in the `job` table under an id
derived from the Stripe event id (a transactional inbox: INSERT … ON CONFLICT DO NOTHING), in
the same transaction that applies it; a replay finds the row and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import stripe
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.billing import service, stripe_events
from raypx.billing.stripe_events import SUBSCRIPTION_EVENTS, Event, Subscription
from raypx.db.enums import PlanTier, SubscriptionStatus
from raypx.db.models import User
from raypx.errors import Invalid, Unavailable
from raypx.settings import Settings

EVENT_NAMESPACE = uuid.UUID("5e1f6d1c-6f0c-4d55-9d59-2d0f3b0c7a11")
STATUS_MAP = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
}  # anything else (unpaid after dunning, canceled, incomplete, paused) → cancelled


def client(settings: Settings) -> stripe.StripeClient:
    if settings.stripe_secret_key is None or not settings.stripe_price_pro:
        raise Unavailable(
            "Stripe is not configured: set RAYPX_STRIPE_SECRET_KEY and RAYPX_STRIPE_PRICE_PRO",
            code="BILLING_PROVIDER_NOT_CONFIGURED",
        )
    key = settings.stripe_secret_key.get_secret_value()
    if settings.stripe_api_base:
        return stripe.StripeClient(key, base_addresses={"api": settings.stripe_api_base})
    return stripe.StripeClient(key)


@contextmanager
def _calling_stripe() -> Iterator[None]:
    """Stripe down, slow or refusing: a 503 that says so, not a 500 with a traceback."""
    try:
        yield
    except stripe.StripeError as exc:
        raise Unavailable(
            f"the billing provider could not be reached or refused ({type(exc).__name__})",
            code="BILLING_PROVIDER_ERROR",
        ) from None


def checkout_url(settings: Settings, user: User) -> str:
    with _calling_stripe():
        return _checkout_url(settings, user)


def portal_url(settings: Settings, user: User) -> str:
    with _calling_stripe():
        return _portal_url(settings, user)


def _checkout_url(settings: Settings, user: User) -> str:
    session = client(settings).v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "line_items": [{"price": settings.stripe_price_pro or "", "quantity": 1}],
            "customer_email": user.email,
            "client_reference_id": user.id,
            "subscription_data": {"metadata": {"user_id": user.id}},
            "success_url": f"{settings.base_url}/billing?checkout=success",
            "cancel_url": f"{settings.base_url}/billing?checkout=cancelled",
        }
    )
    if not session.url:
        raise Invalid("Stripe returned no checkout URL", code="BILLING_PROVIDER_ERROR")
    return session.url


def _portal_url(settings: Settings, user: User) -> str:
    """The customer portal of the Stripe customer paying for *this user's* subscription.

    Found through the subscription's `metadata.user_id` (set at checkout), never by email: an
    address can change hands, and another person's portal shows their invoices and card.
    """
    stripe_client = client(settings)
    found = stripe_client.v1.subscriptions.search(
        params={"query": f"metadata['user_id']:'{user.id}'", "limit": 1}
    )
    if not found.data:
        raise Invalid("no Stripe subscription for this user yet", code="NO_BILLING_ACCOUNT")
    customer = found.data[0].customer
    customer_id = customer if isinstance(customer, str) else customer.id
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": f"{settings.base_url}/billing"}
    )
    return str(portal.url)


def verify(settings: Settings, payload: bytes, signature: str | None) -> Event:
    """The event, once its signature and shape are checked (400 otherwise, never 500)."""
    if settings.stripe_webhook_secret is None:
        raise Unavailable(
            "Stripe webhooks are not configured: set RAYPX_STRIPE_WEBHOOK_SECRET",
            code="BILLING_PROVIDER_NOT_CONFIGURED",
        )
    secret = settings.stripe_webhook_secret.get_secret_value()
    stripe_events.check_signature(payload, signature, secret)
    return stripe_events.parse_event(payload)


async def record_event_once(session: AsyncSession, event: Event) -> bool:
    """False when this event was already applied (a replay)."""
    row_id = uuid.uuid5(EVENT_NAMESPACE, event.id)
    payload = {
        "event_id": event.id,
        "type": event.type,
        "user_id": event.user_id,
        "created": event.created,
    }
    inserted = await session.execute(
        text(
            "INSERT INTO job (id, type, status, payload, result) VALUES "
            "(:id, 'billing.stripe_event', 'succeeded', CAST(:payload AS jsonb), '{}'::jsonb) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        ),
        {"id": row_id, "payload": json.dumps(payload)},
    )
    return inserted.first() is not None


async def newer_event_applied(session: AsyncSession, event: Event, user_id: str) -> bool:
    """Stripe does not deliver in order: a late `updated` must not undo a later `deleted`."""
    newer = await session.execute(
        text(
            "SELECT 1 FROM job WHERE type = 'billing.stripe_event' "
            "AND payload->>'user_id' = :user_id AND (payload->>'created')::bigint > :created "
            "LIMIT 1"
        ),
        {"user_id": user_id, "created": event.created},
    )
    return newer.first() is not None


def period(subscription: Subscription, name: str) -> datetime | None:
    # Newer API versions keep the period on the subscription's items.
    value: int | None = getattr(subscription, name)
    items = subscription.items.data if subscription.items else []
    if value is None and items:
        value = getattr(items[0], name)
    return datetime.fromtimestamp(value, UTC) if value else None


async def apply_event(session: AsyncSession, settings: Settings, event: Event) -> str:
    """Apply a verified event; returns what happened, for the response and the log."""
    if not await record_event_once(session, event):
        return "duplicate"
    obj = event.subscription
    if event.type not in SUBSCRIPTION_EVENTS or obj is None:
        return "ignored"
    user_id = event.user_id
    if not user_id or await session.get(User, user_id) is None:
        return "ignored"  # not a Raypx subscription, or a deleted user
    if await newer_event_applied(session, event, user_id):
        return "stale"
    items = obj.items.data if obj.items else []
    prices = [item.price.id for item in items if item.price]
    tier = PlanTier.PRO if settings.stripe_price_pro in prices else PlanTier.FREE
    status = STATUS_MAP.get(str(obj.status), SubscriptionStatus.CANCELLED)
    if event.type == "customer.subscription.deleted":
        status = SubscriptionStatus.CANCELLED
    subscription = await service.get_subscription(session, user_id, lock=True)
    subscription.provider = "stripe"
    subscription.plan_tier = tier
    subscription.status = status
    subscription.current_period_start = period(obj, "current_period_start")
    subscription.current_period_end = period(obj, "current_period_end")
    subscription.cancel_at_period_end = bool(obj.cancel_at_period_end)
    await session.flush()
    return "applied"
