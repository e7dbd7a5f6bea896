"""Operator endpoints, guarded on the server: 403 unless the caller is in RAYPX_ADMIN_EMAILS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from raypx.admin import service as admin
from raypx.api.deps import CurrentUser, SessionDep, SettingsDep
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import Text
from raypx.db.enums import JobStatus, PlanTier
from raypx.db.models import Job, User

router = APIRouter(prefix="/api/admin", tags=["admin"])


def operator(user: CurrentUser, settings: SettingsDep) -> User:
    return admin.require_admin(settings, user)


Operator = Annotated[User, Depends(operator)]


class AdminUserOut(BaseModel):
    id: str
    name: str
    email: str
    email_verified: bool
    created_at: datetime
    plan: PlanTier
    sessions: int


class PlanUpdate(BaseModel):
    tier: PlanTier


class JobOut(BaseModel):
    id: uuid.UUID
    type: str
    status: JobStatus
    attempts: int
    error_message: str | None
    scheduled_at: datetime
    created_at: datetime
    updated_at: datetime


class TypeFiguresOut(BaseModel):
    type: str
    ready: int
    scheduled: int
    running: int
    succeeded: int
    failed: int
    cancelled: int
    oldest_ready_seconds: float


class HourOut(BaseModel):
    hour: datetime
    succeeded: int
    failed: int


class JobsOverviewOut(BaseModel):
    by_type: list[TypeFiguresOut]
    throughput: list[HourOut]


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id, type=job.type, status=job.status, attempts=job.attempts,
        error_message=job.error_message, scheduled_at=job.scheduled_at,
        created_at=job.created_at, updated_at=job.updated_at,
    )  # fmt: skip


@router.get("/users", response_model=list[AdminUserOut], responses=errors(401, 403, 422))
async def search_users(
    _: Operator,
    session: SessionDep,
    settings: SettingsDep,
    q: Text | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=100),
) -> list[AdminUserOut]:
    rows = await admin.search_users(session, settings, q, limit)
    return [AdminUserOut.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/users/{user_id}/plan", response_model=AdminUserOut, responses=errors(400, 401, 403, 404, 422)
)
async def set_plan(
    user_id: Text, body: PlanUpdate, _: Operator, session: SessionDep, settings: SettingsDep
) -> AdminUserOut:
    row = await admin.set_plan(session, settings, user_id, body.tier)
    return AdminUserOut.model_validate(row, from_attributes=True)


@router.post("/users/{user_id}/revoke-sessions", responses=errors(401, 403, 404, 422))
async def revoke_sessions(user_id: Text, _: Operator, session: SessionDep) -> dict[str, int]:
    return {"revoked": await admin.revoke_sessions(session, user_id)}


@router.get("/jobs/overview", response_model=JobsOverviewOut, responses=errors(401, 403))
async def jobs_overview(_: Operator, session: SessionDep) -> JobsOverviewOut:
    overview = await admin.jobs_overview(session, datetime.now(UTC))
    return JobsOverviewOut(
        by_type=[
            TypeFiguresOut.model_validate(t, from_attributes=True) for t in overview.figures.by_type
        ],
        throughput=[HourOut.model_validate(h, from_attributes=True) for h in overview.throughput],
    )


@router.get("/jobs", response_model=list[JobOut], responses=errors(401, 403, 422))
async def list_jobs(
    _: Operator,
    session: SessionDep,
    status: JobStatus | None = None,
    type: Text | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=200),
) -> list[JobOut]:
    return [job_out(j) for j in await admin.list_jobs(session, status, type, limit)]


@router.post(
    "/jobs/{job_id}/retry", response_model=JobOut, responses=errors(401, 403, 404, 409, 422)
)
async def retry_job(job_id: uuid.UUID, _: Operator, session: SessionDep) -> JobOut:
    return job_out(await admin.retry_job(session, job_id))


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, responses=errors(401, 403, 404, 409, 422)
)
async def cancel_job(job_id: uuid.UUID, _: Operator, session: SessionDep) -> JobOut:
    return job_out(await admin.cancel_job(session, job_id))
