"""The signed-in user's overview and profile settings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from raypx.admin import service as admin
from raypx.ai.runtime import AIRuntime
from raypx.api.deps import CurrentUser, SessionDep, SettingsDep
from raypx.api.schemas.ai import MeOut, ProfileOut, ProfileUpdate
from raypx.api.schemas.errors import errors
from raypx.billing import service as billing
from raypx.documents import service as documents
from raypx.profiles import service as profiles

router = APIRouter(prefix="/api/me", tags=["me"])


@router.get("", response_model=MeOut, responses=errors(401))
async def me(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> MeOut:
    view = await profiles.overview(session, user.id, settings)
    count, size = await documents.stored_totals(session, user.id)
    subscription = view.subscription
    return MeOut(
        user={
            "id": view.user.id,
            "name": view.user.name,
            "email": view.user.email,
            "emailVerified": view.user.email_verified,
            "image": view.user.image,
        },
        profile=ProfileOut.model_validate(view.profile),
        subscription=billing.subscription_view(subscription) if subscription else None,
        plan=view.tier.value,
        limits=view.limits.as_dict(),
        period={"start": view.period_start, "end": view.period_end},
        usage=view.usage,
        stored={"documents": count, "storage_bytes": size},
        is_admin=admin.is_admin(settings, view.user.email),
    )


@router.patch("/profile", response_model=ProfileOut, responses=errors(400, 401, 403, 422))
async def update_profile(
    body: ProfileUpdate, user: CurrentUser, session: SessionDep, request: Request
) -> ProfileOut:
    runtime: AIRuntime = request.app.state.ai
    profile = await profiles.update_profile(
        session, runtime, user.id, **body.model_dump(exclude_unset=True)
    )
    return ProfileOut.model_validate(profile)
