"""Plans, the caller's subscription, Stripe checkout/portal links and the Stripe webhook."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request

from raypx.api.deps import CurrentUser, SessionDep, SettingsDep
from raypx.api.schemas.errors import errors
from raypx.billing import service as billing
from raypx.billing import stripe_provider
from raypx.billing.limits import limits_for
from raypx.db.enums import PlanTier

router = APIRouter(prefix="/api/billing", tags=["billing"])
log = logging.getLogger("raypx.billing")


@router.get("/plans", responses=errors())
async def list_plans(request: Request, settings: SettingsDep) -> list[dict[str, Any]]:
    registry = request.app.state.ai.registry
    return [
        {
            "tier": tier.value,
            "limits": limits_for(tier, settings).as_dict(),
            "models": [m.name for m in registry.list() if tier in m.plans],
        }
        for tier in PlanTier
    ]


@router.get("/subscription", responses=errors(401))
async def get_subscription(
    user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    return await billing.describe(session, user.id, settings)


@router.post("/checkout", responses=errors(400, 401, 403, 503))
async def checkout(user: CurrentUser, settings: SettingsDep) -> dict[str, str]:
    return {"url": stripe_provider.checkout_url(settings, user)}


@router.post("/portal", responses=errors(400, 401, 403, 503))
async def portal(user: CurrentUser, settings: SettingsDep) -> dict[str, str]:
    return {"url": stripe_provider.portal_url(settings, user)}


@router.post("/stripe/webhook", responses=errors(400, 503))
async def stripe_webhook(
    request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    event = stripe_provider.verify(
        settings, await request.body(), request.headers.get("stripe-signature")
    )
    outcome = await stripe_provider.apply_event(session, settings, event)
    log.info("stripe event %s (%s): %s", event.id, event.type, outcome)
    return {"received": True, "outcome": outcome}
